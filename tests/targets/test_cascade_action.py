"""Cascading a target to the units below, on real reported figures."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.population import selectors as population_selectors
from renkou.targets.access import TargetError
from renkou.targets.actions import do_cascade_target, do_set_target, plan_cascade
from renkou.targets.models import Target
from tests.targets.conftest import POPULATION_2025, TOWNSHIP, VILLAGES

pytestmark = pytest.mark.django_db


def township_births(user, value: str = "100") -> Target:
    return do_set_target(
        acting_user=user,
        orgunit=OrgUnit.objects.get(code=TOWNSHIP),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(value),
    )


def village_values(code: str = "births") -> dict[str, Decimal | None]:
    return {
        t.orgunit.code: t.value
        for t in Target.objects.filter(year=2026, code=code, orgunit__code__in=VILLAGES)
    }


def test_births_split_by_last_year_end_population(personas, reported):
    parent = township_births(personas.county)
    written = do_cascade_target(acting_user=personas.chengjiang, target=parent, basis="population")
    # 1,234 / 5,678 / 3,088 people of 10,000 → quotas 12.34, 56.78, 30.88 → 12, 57, 31.
    assert village_values() == {
        "331003006200": Decimal("12"),
        "331003006204": Decimal("57"),
        "331003006208": Decimal("31"),
    }
    assert sum(t.value or 0 for t in written) == parent.value
    first = Target.objects.get(orgunit__code="331003006200", code="births")
    assert first.source == "cascaded"
    assert first.cascaded_from == parent
    assert first.basis == "按2025年末常住人口分解：本村1,234人，占全街道12.3%"
    event = AuditEvent.objects.get(action="targets.cascade_target")
    assert event.actor == personas.chengjiang
    assert event.changes["total"] == "100"
    assert event.changes["basis"] == "population"


def test_split_by_last_year_births(personas, reported):
    parent = township_births(personas.county, "90")
    do_cascade_target(acting_user=personas.county, target=parent, basis="last_year_births")
    # 2025 births: 2×9 + 4×3 = 30, 4×9 + 8×3 = 60, 3×9 + 6×3 = 45 (of 135) → 20, 40, 30.
    assert village_values() == {
        "331003006200": Decimal("20"),
        "331003006204": Decimal("40"),
        "331003006208": Decimal("30"),
    }


def test_equal_split_and_recascade_makes_new_versions(personas, reported):
    parent = township_births(personas.county, "10")
    do_cascade_target(acting_user=personas.county, target=parent, basis="equal")
    assert sorted(v or 0 for v in village_values().values()) == [3, 3, 4]
    do_cascade_target(acting_user=personas.county, target=parent, basis="population")
    assert Target.objects.get(orgunit__code="331003006204", code="births").version == 2
    assert AuditEvent.objects.filter(action="targets.cascade_target").count() == 2


def test_without_population_figures_the_cascade_is_refused(personas, catalog):
    parent = township_births(personas.county)
    with pytest.raises(TargetError, match="缺少常住人口数据"):
        do_cascade_target(acting_user=personas.county, target=parent, basis="population")
    assert Target.objects.count() == 1
    assert not AuditEvent.objects.filter(action="targets.cascade_target").exists()


def test_women_15_49_missing_says_so_and_does_nothing(personas, catalog):
    parent = township_births(personas.county)
    with pytest.raises(TargetError, match="缺少育龄妇女"):
        plan_cascade(parent, "women_15_49")


def test_women_15_49_splits_when_the_population_app_has_the_figures(personas, catalog, monkeypatch):
    parent = township_births(personas.county, "10")
    ids = {u.code: u.pk for u in OrgUnit.objects.filter(code__in=VILLAGES)}
    counts = {ids["331003006200"]: 100, ids["331003006204"]: 300, ids["331003006208"]: 600}
    monkeypatch.setattr(population_selectors, "women_15_49", lambda year, unit_ids: counts)
    do_cascade_target(acting_user=personas.county, target=parent, basis="women_15_49")
    assert village_values()["331003006208"] == Decimal(6)
    assert "2026年育龄妇女（15–49岁）人数" in Target.objects.get(orgunit__code="331003006208").basis


def test_rates_are_copied_and_may_be_adjusted(personas, catalog):
    county = OrgUnit.objects.get(code=TOWNSHIP)
    parent = do_set_target(
        acting_user=personas.county,
        orgunit=county,
        year=2026,
        code="registration_timeliness",
        kind="rate",
        direction="at_least",
        value=Decimal("95"),
    )
    village = OrgUnit.objects.get(code="331003006208")
    do_cascade_target(
        acting_user=personas.county,
        target=parent,
        basis="equal",
        adjustments={village.pk: Decimal("-2")},
    )
    values = village_values("registration_timeliness")
    assert values == {
        "331003006200": Decimal("95"),
        "331003006204": Decimal("95"),
        "331003006208": Decimal("93"),
    }
    assert "本单位调整-2" in Target.objects.get(orgunit=village).basis


def test_a_band_is_copied(personas, catalog):
    parent = do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code=TOWNSHIP),
        year=2026,
        code="srb",
        kind="rate",
        direction="within",
        low=Decimal("103"),
        high=Decimal("107"),
    )
    do_cascade_target(acting_user=personas.county, target=parent, basis="equal")
    bands = {(t.low, t.high) for t in Target.objects.filter(code="srb", orgunit__level=5)}
    assert bands == {(Decimal("103"), Decimal("107"))}


def test_count_targets_take_no_per_unit_adjustment(personas, reported):
    parent = township_births(personas.county)
    village = OrgUnit.objects.get(code="331003006200")
    with pytest.raises(TargetError, match="不能单独调整"):
        do_cascade_target(
            acting_user=personas.county,
            target=parent,
            basis="population",
            adjustments={village.pk: Decimal(1)},
        )


def test_the_population_basis_falls_back_to_this_year_latest_month(personas, reported):
    parent = do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code=TOWNSHIP),
        year=2027,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal("50"),
    )
    # 2027 asks for 2026's year end; 2026 has only January–June, so June it is.
    cascade = plan_cascade(parent, "population")
    june = {code: population + 6 for code, population in POPULATION_2025.items()}
    assert cascade.basis_label == "2026年6月末常住人口"
    assert {c.code: cascade.weights[c.pk] for c in cascade.children} == june
    assert cascade.total == 50
    assert cascade.rows[0].basis.startswith("按2026年6月末常住人口分解：本村1,240人")


def test_a_village_has_nothing_below_it(personas, catalog):
    target = do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code="331003006200"),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal("5"),
    )
    with pytest.raises(TargetError, match="没有下级单位"):
        plan_cascade(target, "equal")
