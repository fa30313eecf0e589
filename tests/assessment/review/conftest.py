"""Runs to review: a county's township run (four townships of the fixture
county) and a township's village run (澄江街道's three villages), scored by
the real kernel; a second county assessor for the four-eyes rule."""

from __future__ import annotations

from typing import Any

import pytest

from renkou.accounts.models import Role, User
from renkou.assessment.models import Run, RunStatus, RunUnit, Scheme, SchemeStatus
from renkou.assessment.scoring_service import rescore
from renkou.orgunits.models import Level, OrgUnit
from tests.assessment.conftest import SCHEME as TOWNSHIP_SCHEME
from tests.assessment.conftest import unit_inputs
from tests.conftest import make_user

# The same three items, veto and grades as the core tests' township scheme.
SCHEME: dict[str, Any] = {**TOWNSHIP_SCHEME, "code": "review-test", "name": "人口家庭工作考核细则"}

CHENGJIANG = "331003006"
VILLAGES = ["331003006200", "331003006204", "331003006208"]


inputs = unit_inputs


def build_run(
    owner: str, level: int, creator: User, rows: list[dict[str, Any]], year: int = 2025
) -> Run:
    scheme = Scheme.objects.create(
        owner=OrgUnit.objects.get(code=owner),
        year=year,
        level=level,
        code=f"{SCHEME['code']}-{level}",
        name=f"{year}年度{SCHEME['name']}",
        data=SCHEME,
        status=SchemeStatus.ACTIVE,
        created_by=creator,
    )
    run = Run.objects.create(
        scheme=scheme,
        year=year,
        root=scheme.owner,
        scheme_data=SCHEME,
        status=RunStatus.SCORED,
        created_by=creator,
    )
    for row in rows:
        RunUnit.objects.create(
            run=run, orgunit=OrgUnit.objects.get(code=row["code"]), raw_inputs=row, inputs=row
        )
    rescore(run)
    run.refresh_from_db()
    return run


@pytest.fixture
def reviewer(personas: Any) -> User:
    """A second county assessor: the other pair of eyes."""
    return make_user("reviewer", Role.COUNTY_ASSESSOR, "331003")


@pytest.fixture
def township_run(personas: Any) -> Run:
    """The county's 2025 township run; 澄江街道 met 40 of its 50 births target."""
    rows = [
        inputs("331003001", 48, 50, 100, 95),
        inputs(CHENGJIANG, 40, 50, 100, 95),
        inputs("331003101", 30, 30, 97, 80),
        inputs("331003200", 20, 25, 100, 92, fraud=1),
    ]
    return build_run("331003", Level.TOWNSHIP, personas.county, rows)


@pytest.fixture
def village_run(personas: Any) -> Run:
    """澄江街道's 2025 village run: 优秀 (100), 良好 (86), 不合格 (vetoed)."""
    rows = [
        inputs(VILLAGES[0], 50, 50, 100, 95),
        inputs(VILLAGES[1], 40, 50, 98, 95),
        inputs(VILLAGES[2], 30, 30, 100, 95, fraud=1),
    ]
    return build_run(CHENGJIANG, Level.VILLAGE, personas.chengjiang, rows)


def unit_of(run: Run, code: str) -> RunUnit:
    return RunUnit.objects.select_related("orgunit", "run").get(run=run, orgunit__code=code)
