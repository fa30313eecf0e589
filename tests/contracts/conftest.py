"""Fixtures for contracts: the example township scheme as 黄岩区's active
2026 scheme, targets for 澄江街道, and contracts drafted and issued through
the actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from renkou.assessment.models import PayRule, Scheme, SchemeStatus
from renkou.contracts import actions
from renkou.contracts.models import Contract
from renkou.orgunits.models import Level, OrgUnit, RegionClass
from renkou.targets.models import Direction, Target, TargetKind

SCHEME = Path(__file__).resolve().parents[2] / "examples" / "schemes" / "township.yaml"
YEAR = 2026


@pytest.fixture
def scheme(personas) -> Scheme:
    county = OrgUnit.objects.get(code="331003")
    street = RegionClass.objects.get_or_create(code="street", defaults={"name": "街道"})[0]
    OrgUnit.objects.filter(code__in=["331003006", "331003001"]).update(region_class=street)
    data = yaml.safe_load(SCHEME.read_text(encoding="utf-8"))
    PayRule.objects.create(owner=county, year=YEAR, grade="优秀", coefficient=Decimal("1.2"))
    PayRule.objects.create(owner=county, year=YEAR, grade="合格", coefficient=Decimal("0.9"))
    return Scheme.objects.create(
        owner=county,
        year=YEAR,
        level=Level.TOWNSHIP,
        code=data["code"],
        name=data["name"],
        data=data,
        status=SchemeStatus.ACTIVE,
        created_by=personas.county,
    )


@pytest.fixture
def targets(personas) -> None:
    unit = OrgUnit.objects.get(code="331003006")
    now = timezone.now()
    Target.objects.create(
        year=YEAR,
        orgunit=unit,
        code="births",
        kind=TargetKind.COUNT,
        value=Decimal(420),
        basis="按近三年出生数测算",
        set_at=now,
    )
    Target.objects.create(
        year=YEAR,
        orgunit=unit,
        code="childcare",
        kind=TargetKind.RATE,
        value=Decimal("4.5"),
        set_at=now,
    )
    Target.objects.create(
        year=YEAR,
        orgunit=unit,
        code="srb",
        kind=TargetKind.RATE,
        direction=Direction.WITHIN,
        low=Decimal(103),
        high=Decimal(107),
        set_at=now,
    )


@pytest.fixture
def drafted(personas, scheme, targets) -> Contract:
    county = OrgUnit.objects.get(code="331003")
    actions.do_draft_contracts(acting_user=personas.county, issuer=county, year=YEAR)
    return Contract.objects.select_related("recipient", "issuer").get(
        recipient__code="331003006", year=YEAR
    )


@pytest.fixture
def issued(personas, drafted) -> Contract:
    return actions.do_issue_contract(acting_user=personas.county, contract=drafted)


def today() -> dt.date:
    return timezone.localdate()
