"""The demo step: county targets for 2025 and 2026, cascaded down, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.orgunits.models import OrgUnit
from renkou.targets.demo import seed_targets
from renkou.targets.models import Target

pytestmark = pytest.mark.django_db


def test_the_demo_sets_and_cascades_targets_once(personas, reported):
    lines: list[str] = []
    seed_targets(lines.append)
    county = OrgUnit.objects.get(code="331003")
    for year in (2025, 2026):
        mine = {t.code: t for t in Target.objects.filter(orgunit=county, year=year)}
        assert set(mine) == {
            "births",
            "prepreg_checks",
            "registration_timeliness",
            "srb",
            "subsidy_payment_rate",
            "special_contact_coverage",
            "report_timeliness",
            "childcare_places_per_1000",
        }
        assert (mine["srb"].low, mine["srb"].high) == (Decimal(103), Decimal(107))
        assert mine["special_contact_coverage"].value == Decimal(100)
        townships = Target.objects.filter(year=year, code="births", orgunit__parent=county)
        assert sum(t.value or 0 for t in townships) == mine["births"].value
        chengjiang = townships.get(orgunit__code="331003006")
        villages = Target.objects.filter(
            year=year, code="births", orgunit__parent__code="331003006"
        )
        assert villages.count() == 3
        assert sum(t.value or 0 for t in villages) == chengjiang.value
        assert {t.cascaded_from_id for t in villages} == {chengjiang.pk}
    # Childcare places stop at the townships.
    assert not Target.objects.filter(code="childcare_places_per_1000", orgunit__level=5).exists()
    assert Target.objects.filter(code="childcare_places_per_1000", orgunit__level=4).exists()
    # 2026 births start from the county's 2025 figure: 135 births, × 1.03 → 139.
    assert Target.objects.get(orgunit=county, year=2026, code="births").value == Decimal(139)
    count = Target.objects.count()
    seed_targets(lines.append)
    assert Target.objects.count() == count
    assert "已存在" in lines[-1]
