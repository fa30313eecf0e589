"""The demo step: schemes for two years, a fact, and a scored 2025 run of each scheme."""

from __future__ import annotations

import pytest

from renkou.assessment.demo_core import seed_assessment
from renkou.assessment.models import Fact, Run, RunStatus, Scheme, SchemeStatus
from renkou.dashboard.demo import seed_region_classes

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_schemes_a_fact_and_two_scored_runs_once(personas, figures):
    seed_region_classes(lambda line: None)
    lines: list[str] = []
    seed_assessment(lines.append)
    assert Scheme.objects.filter(status=SchemeStatus.ACTIVE).count() == 4
    assert set(Scheme.objects.values_list("year", "level")) == {
        (2025, 4),
        (2025, 5),
        (2026, 4),
        (2026, 5),
    }
    assert Fact.objects.filter(code="major_petition").count() == 1
    runs = list(Run.objects.all())
    assert len(runs) == 2
    assert all(run.status == RunStatus.SCORED for run in runs)
    township = Run.objects.get(scheme__level=4)
    assert township.units.count() == 4
    assert set(township.units.values_list("class_code", flat=True)) == {
        "street",
        "town",
        "mountain",
    }
    petition = Fact.objects.get(code="major_petition")
    unit = township.units.get(orgunit=petition.orgunit)
    assert unit.raw_inputs["values"]["major_petition"] == 1
    assert Run.objects.get(scheme__level=5).units.count() == 5
    seed_assessment(lines.append)
    assert Run.objects.count() == 2 and Scheme.objects.count() == 4
