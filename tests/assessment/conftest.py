"""Fixtures for the assessment app: a small township scheme over the fixture
county's four townships and helpers to build runs by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from renkou.accounts.models import User
from renkou.assessment.models import (
    Adjustment,
    AdjustmentReason,
    DecisionStatus,
    Run,
    RunStatus,
    RunUnit,
    Scheme,
    SchemeStatus,
)
from renkou.orgunits.models import OrgUnit

SCHEME: dict[str, Any] = {
    "code": "hy-township",
    "name": "乡镇（街道）人口家庭工作考核细则",
    "precision": 2,
    "items": [
        {
            "code": "births",
            "name": "出生登记",
            "points": 40,
            "value": "births",
            "rule": {"type": "ratio", "target": "target"},
        },
        {
            "code": "timely",
            "name": "报表及时率（%）",
            "points": 30,
            "value": "report_timeliness",
            "rule": {"type": "shortfall", "target": 100, "step": 1, "deduct": 3},
        },
        {
            "code": "quality",
            "name": "数据质量",
            "points": 30,
            "value": "quality",
            "rule": {"type": "threshold", "target": 90},
        },
    ],
    "vetoes": [{"code": "fraud", "name": "统计数据弄虚作假", "when": "data_fraud > 0"}],
    "grades": [
        {"name": "优秀", "min": 90},
        {"name": "良好", "min": 80},
        {"name": "合格", "min": 60},
        {"name": "不合格"},
    ],
}

TOWNSHIPS = ["331003001", "331003006", "331003101", "331003200"]


def make_scheme(owner_code: str = "331003", *, user: User | None = None, **extra: Any) -> Scheme:
    fields: dict[str, Any] = {
        "owner": OrgUnit.objects.get(code=owner_code),
        "year": 2025,
        "level": 4,
        "code": SCHEME["code"],
        "name": SCHEME["name"],
        "data": SCHEME,
        "status": SchemeStatus.ACTIVE,
        "created_by": user,
    }
    fields.update(extra)
    return Scheme.objects.create(**fields)


def unit_inputs(code: str, births: int, target: int, timely: float, quality: int,
                fraud: int = 0) -> dict[str, Any]:  # fmt: skip
    unit = OrgUnit.objects.get(code=code)
    return {
        "code": code,
        "name": unit.name,
        "values": {
            "births": births,
            "report_timeliness": timely,
            "quality": quality,
            "data_fraud": fraud,
        },
        "targets": {"births": target},
        "previous": {},
    }


def make_run(user: User, scheme: Scheme, rows: list[dict[str, Any]]) -> Run:
    run = Run.objects.create(
        scheme=scheme,
        year=scheme.year,
        root=scheme.owner,
        scheme_data=scheme.data,
        status=RunStatus.SCORED,
        created_by=user,
    )
    for row in rows:
        RunUnit.objects.create(
            run=run,
            orgunit=OrgUnit.objects.get(code=row["code"]),
            raw_inputs=row,
            inputs=row,
        )
    return run


def approve(run: Run, code: str, item: str, field: str, new: str, *, proposer: User,
            decider: User, old: str | None = None) -> Adjustment:  # fmt: skip
    now = timezone.now()
    return Adjustment.objects.create(
        run=run,
        orgunit=OrgUnit.objects.get(code=code),
        item_code=item,
        field=field,
        old_value=Decimal(old) if old is not None else None,
        new_value=Decimal(new),
        reason=AdjustmentReason.DISASTER,
        note="台风",
        status=DecisionStatus.APPROVED,
        proposed_by=proposer,
        proposed_at=now,
        decided_by=decider,
        decided_at=now,
    )


@pytest.fixture
def small_run(personas: Any) -> Run:
    scheme = make_scheme(user=personas.county)
    rows = [
        unit_inputs("331003001", 40, 50, 99.5, 95),
        unit_inputs("331003006", 48, 50, 100, 95),
        unit_inputs("331003101", 30, 30, 97, 80),
        unit_inputs("331003200", 20, 25, 100, 92, fraud=1),
    ]
    return make_run(personas.county, scheme, rows)


# --- figures in the rollups -----------------------------------------------------------

VILLAGES = ["331003006200", "331003006204", "331003006208", "331003001001", "331003001002"]

VILLAGE_SCHEME: dict[str, Any] = {
    "code": "hy-village",
    "name": "村（居）人口家庭工作考核细则",
    "precision": 1,
    "items": [
        {
            "code": "births",
            "name": "出生人数完成率",
            "points": 30,
            "value": "births",
            "rule": {"type": "ratio", "target": "target"},
        },
        {
            "code": "registration",
            "name": "生育登记及时率",
            "points": 30,
            "value": "registration_timeliness",
            "rule": {"type": "shortfall", "target": 100, "step": 5, "deduct": 3},
        },
        {
            "code": "subsidy",
            "name": "育儿补贴发放率",
            "kind": "process",
            "points": 20,
            "value": "subsidy_payment_rate",
            "rule": {"type": "threshold", "target": 100, "else": 10},
        },
        {
            "code": "growth",
            "name": "出生人数较上年",
            "points": 20,
            "value": "births",
            "rule": {
                "type": "progress",
                "previous": "births",
                "rule": {"type": "threshold", "target": 0},
            },
        },
    ],
    "vetoes": [{"code": "fraud", "name": "统计数据弄虚作假", "when": "data_fraud > 0"}],
    "grades": [{"name": "优秀", "min": 90}, {"name": "合格", "min": 60}, {"name": "不合格"}],
}


def seed_values(user: User) -> None:
    """Two years of monthly figures for the five villages of 黄岩区 in the fixture.

    Village i in 2025: boys i+1 and girls 1 each month (so births 12(i+2)),
    registrations 2 a month of which 2 within 30 days (i = 0) or 1 (others),
    childcare subsidies all paid except village 2 (11 of 12). In 2024 each village had
    12 fewer births.
    """
    from renkou.catalog.models import DataSet
    from renkou.catalog.seed import import_default_catalog
    from renkou.reporting.exchange import import_values

    import_default_catalog()
    DataSet.objects.update(lock_days=0)
    rows: list[str] = []
    for index, unit in enumerate(VILLAGES):
        for month in range(1, 13):
            period = f"2025{month:02d}"
            rows += [
                f"births_male,{period},{unit},{index + 1}",
                f"births_female,{period},{unit},1",
                f"birth_registrations,{period},{unit},2",
                f"registered_30d,{period},{unit},{2 if index == 0 else 1}",
                f"subsidy_applied,{period},{unit},1",
                f"subsidy_paid,{period},{unit},{0 if index == 2 and month == 5 else 1}",
            ]
            before = f"2024{month:02d}"
            rows += [
                f"births_male,{before},{unit},{index}",
                f"births_female,{before},{unit},1",
            ]
    data = ("dataelement,period,orgunit,value\n" + "\n".join(rows) + "\n").encode()
    summary = import_values(acting_user=user, data=data, kind="csv")
    assert summary.status == "SUCCESS", summary.conflicts


def set_target(unit_code: str, code: str, value: str | None, year: int = 2025,
               low: str | None = None, high: str | None = None) -> None:  # fmt: skip
    from renkou.targets.models import Target, TargetKind

    Target.objects.create(
        year=year,
        orgunit=OrgUnit.objects.get(code=unit_code),
        code=code,
        kind=TargetKind.COUNT,
        value=Decimal(value) if value is not None else None,
        low=Decimal(low) if low is not None else None,
        high=Decimal(high) if high is not None else None,
        set_at=timezone.now(),
    )


@pytest.fixture
def figures(personas: Any) -> None:
    seed_values(personas.county)
    for index, code in enumerate(VILLAGES):
        if index != 4:
            set_target(code, "births", str(12 * (index + 2)))


def make_village_scheme(user: User, owner_code: str = "331003") -> Scheme:
    return make_scheme(owner_code, user=user, level=5, code=VILLAGE_SCHEME["code"],
                       name=VILLAGE_SCHEME["name"], data=VILLAGE_SCHEME)  # fmt: skip
