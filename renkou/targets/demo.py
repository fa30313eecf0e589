"""Demo targets: 2025 and 2026 targets for 黄岩区, set at the county and
cascaded to its townships and villages.

Count targets (births, pre-pregnancy checks) start from the county's reported
figures of 2025, so progress in the demo is a mix of green, amber and red;
they are split by population. Rates are copied down. Childcare places per
1,000 people is a county and township matter and stops at the townships.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

from renkou.accounts.models import User
from renkou.dashboard.demo import DEMO_COUNTY
from renkou.orgunits.models import Level, OrgUnit
from renkou.targets.access import TargetError
from renkou.targets.actions import do_cascade_target, do_set_targets
from renkou.targets.figures import YEAR_ROW, series
from renkou.targets.models import CascadeBasis, Direction, Target, TargetKind, TargetSource
from renkou.targets.types import TargetInput

Log = Callable[[str], None]
YEARS = (2025, 2026)
# (code, direction, value or (low, high), reaches villages)
RATES: list[tuple[str, str, Decimal | tuple[Decimal, Decimal], bool]] = [
    ("registration_timeliness", Direction.AT_LEAST, Decimal(95), True),
    ("srb", Direction.WITHIN, (Decimal(103), Decimal(107)), True),
    ("subsidy_payment_rate", Direction.AT_LEAST, Decimal(95), True),
    ("special_contact_coverage", Direction.AT_LEAST, Decimal(100), True),
    ("report_timeliness", Direction.AT_LEAST, Decimal(95), True),
    ("childcare_places_per_1000", Direction.AT_LEAST, Decimal("4.5"), False),
]
# Count targets as a share of the county's 2025 figure (2026: a little higher).
COUNT_FACTOR = {2025: Decimal("1.00"), 2026: Decimal("1.03")}
FALLBACK_COUNTS = {"births": 3600, "prepreg_checks": 4200}


def _reported_2025(code: str, county: OrgUnit) -> int:
    column = series(code, 2025, [county.pk]).get(county.pk)
    if column is None or math.isnan(float(column[YEAR_ROW])):
        return FALLBACK_COUNTS[code]
    return round(float(column[YEAR_ROW]))


def seed_targets(log: Log) -> None:
    county = OrgUnit.objects.filter(code=DEMO_COUNTY).first()
    user = User.objects.filter(username="county").first()
    if county is None or user is None:
        log("没有演示县或县级账号，跳过目标演示数据。")
        return
    if Target.objects.filter(orgunit=county, year__in=YEARS).exists():
        log("目标演示数据已存在，跳过。")
        return
    townships = list(OrgUnit.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("path"))
    counts = {code: _reported_2025(code, county) for code in FALLBACK_COUNTS}
    total = 0
    for year in YEARS:
        rows = [
            TargetInput(
                county.pk,
                code,
                TargetKind.COUNT,
                Direction.AT_LEAST,
                value=Decimal(int(Decimal(reported) * COUNT_FACTOR[year])),
                basis=f"以{county.name}2025年报告数为基础测算",
            )
            for code, reported in counts.items()
        ]
        for code, direction, goal, _villages in RATES:
            low, high = goal if isinstance(goal, tuple) else (None, None)
            rows.append(
                TargetInput(
                    county.pk,
                    code,
                    TargetKind.RATE,
                    direction,
                    value=None if isinstance(goal, tuple) else goal,
                    low=low,
                    high=high,
                    basis="按省市年度工作要求",
                )
            )
        written = do_set_targets(acting_user=user, year=year, rows=rows, source=TargetSource.MANUAL)
        total += len(written)
        to_villages = {code for code, _d, _g, villages in RATES if villages} | set(counts)
        for target in written:
            basis = (
                CascadeBasis.POPULATION if target.kind == TargetKind.COUNT else CascadeBasis.EQUAL
            )
            parts = _cascade(user, target, basis)
            total += len(parts)
            if target.code not in to_villages:
                continue
            for part in parts:
                if part.orgunit.level == Level.TOWNSHIP:
                    total += len(_cascade(user, part, basis))
    log(f"目标演示数据：{len(townships)}个乡镇（街道），{total}项目标（2025、2026年）。")


def _cascade(user: User, target: Target, basis: str) -> list[Target]:
    """Cascade on ``basis``, or equally where the basis data is missing."""
    if not OrgUnit.objects.filter(parent_id=target.orgunit_id).exists():
        return []
    try:
        return do_cascade_target(acting_user=user, target=target, basis=basis)
    except TargetError:
        return do_cascade_target(acting_user=user, target=target, basis=CascadeBasis.EQUAL)
