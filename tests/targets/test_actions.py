"""Setting targets: validation, versions, reasons after a contract is issued, audit rows."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from renkou.audit.models import AuditEvent
from renkou.contracts import selectors as contract_selectors
from renkou.orgunits.models import OrgUnit
from renkou.targets.access import TargetError
from renkou.targets.actions import do_set_target, do_set_targets
from renkou.targets.models import Target, TargetVersion
from renkou.targets.selectors import history, targets_for
from renkou.targets.types import TargetInput

pytestmark = pytest.mark.django_db


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def births(user, code: str, value: str, **kw) -> Target:
    return do_set_target(
        acting_user=user,
        orgunit=unit(code),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(value),
        **kw,
    )


def test_setting_a_target_creates_version_one_and_an_audit_row(personas, catalog):
    target = births(personas.county, "331003006", "120", basis="按人口测算")
    assert (target.version, target.value, target.source) == (1, Decimal("120"), "manual")
    assert target.set_by == personas.county
    event = AuditEvent.objects.get(action="targets.set_target")
    assert event.actor == personas.county
    assert event.changes["331003006/births"] == [None, "at_least 120 (manual)"]
    assert event.org_path == unit("331003006").path


def test_a_change_makes_a_new_version_and_keeps_the_old_one(personas, catalog):
    births(personas.county, "331003006", "120")
    target = births(personas.county, "331003006", "130")
    assert target.version == 2
    assert [v.value for v in history(target)] == [Decimal("130"), Decimal("120")]
    assert AuditEvent.objects.filter(action="targets.set_target").count() == 2


def test_saving_the_same_target_again_changes_nothing(personas, catalog):
    births(personas.county, "331003006", "120")
    target = births(personas.county, "331003006", "120")
    assert target.version == 1
    assert TargetVersion.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="targets.").count() == 1


def test_after_the_contract_is_issued_a_change_needs_a_reason(personas, catalog, monkeypatch):
    births(personas.county, "331003006", "120")
    monkeypatch.setattr(contract_selectors, "contract_issued", lambda unit_id, year: True)
    with pytest.raises(TargetError, match="调整理由"):
        births(personas.county, "331003006", "110")
    assert Target.objects.get().value == Decimal("120")
    target = births(personas.county, "331003006", "110", reason="辖区调整，两个村划出")
    assert target.version == 2
    assert history(target)[0].reason == "辖区调整，两个村划出"
    assert AuditEvent.objects.filter(action="targets.set_target").order_by("seq").last().reason == (
        "辖区调整，两个村划出"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": Decimal("12.5")}, "整数"),
        ({"value": Decimal("-1")}, "整数"),
        ({"code": "nonsense"}, "不在指标目录"),
        ({"kind": "other"}, "类型"),
        ({"direction": "sideways"}, "方向"),
        ({"value": None}, "应填写目标值"),
        ({"value": Decimal("1"), "low": Decimal("1"), "high": Decimal("2")}, "只能填写一种"),
        (
            {"direction": "within", "value": None, "low": Decimal("9"), "high": Decimal("2")},
            "下限不能大于上限",
        ),
        ({"direction": "within", "value": None, "low": Decimal("9")}, "下限和上限"),
        ({"value": Decimal("1e20")}, "超出"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_written(personas, catalog, fields, message):
    args: dict[str, Any] = {
        "orgunit": unit("331003006"),
        "year": 2026,
        "code": "births",
        "kind": "count",
        "direction": "at_least",
        "value": Decimal("10"),
    }
    args.update(fields)
    with pytest.raises(TargetError, match=message):
        do_set_target(acting_user=personas.county, **args)
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="targets.").exists()


def test_a_band_target_for_a_rate(personas, catalog):
    target = do_set_target(
        acting_user=personas.county,
        orgunit=unit("331003"),
        year=2026,
        code="srb",
        kind="rate",
        direction="within",
        low=Decimal("103"),
        high=Decimal("107"),
    )
    assert (target.low, target.high, target.value) == (Decimal("103"), Decimal("107"), None)


def test_a_township_sets_its_villages_but_not_itself(personas, catalog):
    births(personas.chengjiang, "331003006200", "10")
    with pytest.raises(TargetError, match="无权"):
        births(personas.chengjiang, "331003006", "10")
    with pytest.raises(TargetError, match="无权"):
        births(personas.chengjiang, "331003001001", "10")
    with pytest.raises(TargetError, match="无权"):
        births(personas.leader, "331003006200", "10")


def rows(*pairs: tuple[str, str]) -> list[TargetInput]:
    return [
        TargetInput(unit(code).pk, "births", "count", "at_least", value=Decimal(v))
        for code, v in pairs
    ]


def test_bulk_setting_writes_all_and_one_summarising_audit_row(personas, catalog):
    written = do_set_targets(
        acting_user=personas.chengjiang,
        year=2026,
        rows=rows(("331003006200", "10"), ("331003006204", "20"), ("331003006208", "30")),
        source="suggested",
    )
    assert len(written) == 3
    assert {t.source for t in Target.objects.all()} == {"suggested"}
    event = AuditEvent.objects.get(action="targets.set_targets")
    assert event.changes["count"] == 3
    assert event.changes["331003006204/births"] == [None, "at_least 20 (suggested)"]
    assert event.org_path == unit("331003006").path
    found = targets_for(2026, [unit("331003006204").pk, unit("331003001001").pk])
    assert list(found) == [unit("331003006204").pk]
    assert found[unit("331003006204").pk]["births"].value == Decimal("20")


def test_bulk_setting_is_all_or_nothing(personas, catalog):
    bad = [*rows(("331003006200", "10")), *rows(("331003006204", "-3"))]
    with pytest.raises(TargetError, match="横屋村委会 births"):
        do_set_targets(acting_user=personas.county, year=2026, rows=bad, source="imported")
    duplicate = rows(("331003006200", "10"), ("331003006200", "11"))
    with pytest.raises(TargetError, match="两次"):
        do_set_targets(acting_user=personas.county, year=2026, rows=duplicate, source="imported")
    with pytest.raises(TargetError, match="年度"):
        do_set_targets(acting_user=personas.county, year=1900, rows=rows(), source="imported")
    assert not Target.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="targets.").exists()


def test_bulk_setting_unchanged_rows_writes_no_audit_row(personas, catalog):
    data = rows(("331003006200", "10"))
    do_set_targets(acting_user=personas.county, year=2026, rows=data, source="imported")
    assert (
        do_set_targets(acting_user=personas.county, year=2026, rows=data, source="imported") == []
    )
    assert AuditEvent.objects.filter(action="targets.set_targets").count() == 1


def test_targets_for_is_one_query(personas, catalog, django_assert_num_queries):
    do_set_targets(
        acting_user=personas.county,
        year=2026,
        rows=rows(("331003006200", "10"), ("331003006204", "20")),
        source="manual",
    )
    ids = list(OrgUnit.objects.values_list("pk", flat=True))
    with django_assert_num_queries(1):
        found = targets_for(2026, ids)
    assert len(found) == 2
