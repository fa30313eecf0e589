"""Demo data: monthly village reports for 黄岩区 from January 2024 to last month.

Plausible rather than real: each village gets its own population (a few
hundred to several thousand), a crude birth rate of 6–9‰ with an autumn peak,
a death rate of 7–9‰ peaking in winter, a sex ratio at birth around 105–110
that small numbers scatter widely, migration, registrations, pre-pregnancy
checks, childcare subsidies, special families and childcare places growing
towards 4.5 per 1,000. Most reports arrive on time and are approved and
locked; some are late, a few are missing, some were returned with a reason,
and a handful of figures are outliers a reviewer should question.

Random numbers come from a generator seeded by each village's code, so the
same county gets the same figures on every machine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from renkou.audit.actions import record_event
from renkou.catalog.models import DataElement, DataSet
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.periods import Period, PeriodType, latest_ended, month
from renkou.reporting.models import DataValue, PeriodLock, Report, ReportStatus
from renkou.reporting.rollups import recompute_year

DEMO_COUNTY = "331003"
DEMO_DATA_SET = "village_monthly"
FIRST_MONTH = month(2024, 1)
SHANGHAI = ZoneInfo("Asia/Shanghai")
RETURN_REASONS = [
    "出生人数与公安户籍登记不一致，请核实后重报。",
    "月末人口较上月变化过大，请核对迁入迁出。",
    "孕前优生检查人数与卫生院台账不符。",
    "特殊家庭走访户数填写有误。",
]


@dataclass
class Village:
    id: int
    code: str
    urban: bool


def _months(until: dt.date) -> list[Period]:
    last = latest_ended(PeriodType.MONTH, until)
    if last is None or last < FIRST_MONTH:
        return []
    return [FIRST_MONTH.shift(i) for i in range(last.ordinal - FIRST_MONTH.ordinal + 1)]


def _series(village: Village, months: list[Period]) -> dict[str, np.ndarray]:
    """Monthly figures for one village, by element code."""
    rng = np.random.default_rng(int(village.code))
    n = len(months)
    index = np.array([p.index for p in months])
    years = np.array([p.year for p in months])
    size = rng.lognormal(math.log(3000 if village.urban else 1350), 0.45)
    population = np.empty(n)
    births = np.empty(n, dtype=np.int64)
    deaths = np.empty(n, dtype=np.int64)
    moved_in = np.empty(n, dtype=np.int64)
    moved_out = np.empty(n, dtype=np.int64)
    cbr = rng.uniform(6.0, 9.0) / 1000
    cdr = rng.uniform(7.0, 9.0) / 1000
    # Births peak in autumn, deaths in winter.
    birth_season = 1 + 0.15 * np.cos(2 * np.pi * (index - 10) / 12)
    death_season = 1 + 0.2 * np.cos(2 * np.pi * (index - 1) / 12)
    current = size
    for i in range(n):
        births[i] = rng.poisson(current * cbr / 12 * birth_season[i])
        deaths[i] = rng.poisson(current * cdr / 12 * death_season[i])
        moved_in[i] = rng.poisson(current * 0.0022)
        moved_out[i] = rng.poisson(current * 0.0024)
        current = max(50.0, current + births[i] - deaths[i] + moved_in[i] - moved_out[i])
        population[i] = round(current)
    boy_share = rng.uniform(0.500, 0.525)  # an SRB of about 100–110, 105 on average
    boys = rng.binomial(births, boy_share)
    registrations = rng.poisson(births * 0.95 + 0.1)
    timely = rng.binomial(registrations, rng.uniform(0.82, 0.98))
    eligible_by_year = {
        y: max(2, round(size * rng.uniform(0.004, 0.008))) for y in set(years.tolist())
    }
    eligible = np.array([eligible_by_year[y] for y in years])
    checks = rng.poisson(eligible * rng.uniform(0.6, 0.95) / 12)
    checks = np.minimum(checks, eligible)
    applied = rng.poisson(births * 1.1 + 0.3)
    paid = rng.binomial(applied, rng.uniform(0.8, 0.98))
    families = max(0, round(size * rng.uniform(0.0005, 0.0025)))
    special = np.full(n, families)
    visited = rng.binomial(special, rng.uniform(0.8, 1.0))
    has_nursery = rng.random() < (0.42 if village.urban else 0.12)
    base_places = rng.integers(12, 50) if has_nursery else 0
    growth = 1 + 0.14 * (years - 2024) + 0.012 * (index - 1)
    places = np.round(base_places * growth).astype(np.int64)
    return {
        "births_male": boys,
        "births_female": births - boys,
        "deaths": deaths,
        "migration_in": moved_in,
        "migration_out": moved_out,
        "birth_registrations": registrations,
        "registered_30d": timely,
        "prepreg_checks": checks,
        "prepreg_eligible": eligible,
        "subsidy_applied": applied,
        "subsidy_paid": paid,
        "special_families": special,
        "special_visited": visited,
        "childcare_places": places,
        "population": population.astype(np.int64),
    }


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


@transaction.atomic
def seed_values(
    county: OrgUnit, *, today: dt.date | None = None, keep_open: set[str] | None = None
) -> dict[str, int]:
    """Values, reports and locks for every village of ``county``; returns counts.

    ``keep_open`` names villages whose latest month is left as an unsubmitted
    draft, so their demo worker has something to submit.
    """
    today = today or timezone.localdate()
    months = _months(today)
    data_set = DataSet.objects.get(code=DEMO_DATA_SET)
    elements = {e.code: e.pk for e in DataElement.objects.filter(code__in=_series_codes())}
    villages = [
        Village(pk, code, "社区" in name or "居委会" in name)
        for pk, code, name in OrgUnit.objects.filter(subtree_q(county.path), level=Level.VILLAGE)
        .order_by("code")
        .values_list("id", "code", "name")
    ]
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    rows: list[tuple[int, int, str, int, Any]] = []
    reports: list[Report] = []
    counts = {"values": 0, "reports": 0, "late": 0, "missing": 0, "returned": 0, "outliers": 0}
    last = months[-1] if months else None
    for village in villages:
        rng = np.random.default_rng(int(village.code) + 7)
        series = _series(village, months)
        for i, period in enumerate(months):
            due = period.due_date(data_set.due_days)
            recent = last is not None and period.ordinal >= last.ordinal - 1
            draw = rng.random()
            if draw < (0.04 if recent else 0.008):
                counts["missing"] += 1
                continue  # nothing reported at all
            if rng.random() < 0.0015:
                # A figure a reviewer should question (a typo, a misread ledger).
                spiked = ("migration_in", "deaths", "subsidy_applied")[int(rng.integers(3))]
                series[spiked][i] += rng.integers(15, 40)
                counts["outliers"] += 1
            for code, values in series.items():
                rows.append((elements[code], village.id, period.id, int(values[i]), stamp))
            late = rng.random() < 0.07
            submitted = _aware(due - dt.timedelta(days=int(rng.integers(0, 5))), 16)
            if late:
                submitted = _aware(due + dt.timedelta(days=int(rng.integers(1, 12))), 10)
                counts["late"] += 1
            report = Report(
                data_set=data_set,
                orgunit_id=village.id,
                period=period.id,
                status=ReportStatus.ACCEPTED,
                first_submitted_at=submitted,
                submitted_at=submitted,
                reviewed_at=submitted + dt.timedelta(days=2),
                accepted_at=submitted + dt.timedelta(days=10),
            )
            if recent:
                report.status = ReportStatus.APPROVED if period != last else ReportStatus.SUBMITTED
                report.accepted_at = None
                if period == last and rng.random() < 0.5:
                    report.status = ReportStatus.APPROVED
                if rng.random() < 0.05:
                    report.status = ReportStatus.RETURNED
                    report.return_reason = RETURN_REASONS[int(rng.integers(len(RETURN_REASONS)))]
                    counts["returned"] += 1
                if submitted.date() > today:
                    report.status = ReportStatus.DRAFT
                    report.first_submitted_at = report.submitted_at = report.reviewed_at = None
            if period == last and keep_open and village.code in keep_open:
                report.status = ReportStatus.DRAFT
                report.first_submitted_at = report.submitted_at = report.reviewed_at = None
            reports.append(report)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {DataValue._meta.db_table} "  # noqa: S608 - fixed names
            "(element_id, orgunit_id, period, value, text, comment, updated_at, updated_by_id) "
            "VALUES (%s, %s, %s, %s, '', '', %s, NULL)",
            rows,
        )
    Report.objects.bulk_create(reports, batch_size=2000)
    locked = [p for p in months if last is not None and p.ordinal < last.ordinal - 1]
    PeriodLock.objects.bulk_create(
        [
            PeriodLock(
                data_set=data_set,
                orgunit=county,
                period=p.id,
                locked=True,
                reason="按月验收",
                changed_at=_aware(p.due_date(data_set.due_days) + dt.timedelta(days=12), 9),
            )
            for p in locked
        ],
        batch_size=500,
    )
    counts["values"] = len(rows)
    counts["reports"] = len(reports)
    record_event(
        actor=None,
        action="demo.seed_reporting",
        object_type="reporting.datavalue",
        object_repr=f"{county.name} {months[0].id if months else ''}–{last.id if last else ''}",
        org_path=county.path,
        changes=counts,
    )
    for year in sorted({p.year for p in months}):
        recompute_year(year=year, root=county)
    return counts


def _series_codes() -> list[str]:
    return [
        "births_male",
        "births_female",
        "deaths",
        "migration_in",
        "migration_out",
        "birth_registrations",
        "registered_30d",
        "prepreg_checks",
        "prepreg_eligible",
        "subsidy_applied",
        "subsidy_paid",
        "special_families",
        "special_visited",
        "childcare_places",
        "population",
    ]


def seed_reporting(log: Callable[[str], None]) -> None:
    """The demo step: once, after the catalogue and the demo accounts exist."""
    from renkou.accounts.models import User

    county = OrgUnit.objects.filter(code=DEMO_COUNTY).first()
    if county is None or not DataSet.objects.filter(code=DEMO_DATA_SET).exists():
        log("没有演示县或默认指标目录，跳过月报演示数据。")
        return
    if DataValue.objects.filter(subtree_q(county.path, "orgunit__")).exists():
        log("演示月报数据已存在，跳过。")
        return
    worker = User.objects.filter(username="village").select_related("home_unit").first()
    keep_open = {worker.home_unit.code} if worker and worker.home_unit else set()
    counts = seed_values(county, keep_open=keep_open)
    log(
        f"生成演示月报：{counts['reports']}份报表、{counts['values']}个数值"
        f"（逾期{counts['late']}份，未报{counts['missing']}份，退回{counts['returned']}份，"
        f"异常值{counts['outliers']}个），并计算了各级各期指标。"
    )
