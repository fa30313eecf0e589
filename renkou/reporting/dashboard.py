"""The reporting block of the home page: live indicators and this month's reporting."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from renkou.catalog.models import DataSet, Direction, Indicator
from renkou.demography.smallarea import srb_interval
from renkou.orgunits.models import OrgUnit, subtree_q
from renkou.periods import PeriodType, latest_ended
from renkou.reporting.access import today
from renkou.reporting.analytics import AnalyticsError, AnalyticsRequest, run_query
from renkou.reporting.models import REPORTED_STATUSES, Report

if TYPE_CHECKING:
    from renkou.accounts.models import User

HOME_INDICATORS = (
    "cbr",
    "srb",
    "registration_timeliness",
    "special_contact_coverage",
    "childcare_places_per_1000",
    "report_timeliness",
)


@dataclass
class Figure:
    name: str
    value: float | None
    decimals: int
    unit: str
    note: str
    out_of_range: bool
    hint: str = ""


def _srb_hint(male: float | None, female: float | None) -> tuple[str, bool | None]:
    """The exact 95% interval of a sex ratio at birth, and whether it lies outside 103–107.

    A village's few dozen births put its ratio anywhere from 50 to 200 by
    chance; only an interval wholly outside the normal range is flagged.
    """
    if male is None or female is None or male + female <= 0:
        return "", None
    interval = srb_interval(int(male), int(female))
    high = "∞" if math.isinf(interval.high) else f"{interval.high:.0f}"
    verdict = interval.judgement()
    return f"95%区间 {interval.low:.0f}–{high}", verdict != "consistent"


def home_block(user: User, unit: OrgUnit) -> dict[str, Any] | None:
    """Year-to-date indicators for the user's unit and last month's reporting, or None."""
    data_set = DataSet.objects.filter(period_type=PeriodType.MONTH).order_by("code").first()
    last = latest_ended(PeriodType.MONTH, today())
    if data_set is None or last is None:
        return None
    wanted = [c for c in HOME_INDICATORS if Indicator.objects.filter(code=c).exists()] or list(
        Indicator.objects.order_by("order").values_list("code", flat=True)[:6]
    )
    if not wanted:
        return None
    ytd = f"{last.id}YTD" if last.index < 12 else str(last.year)
    extra = ["births_male", "births_female"] if "srb" in wanted else []
    try:
        result = run_query(
            user, AnalyticsRequest.parse(";".join([*wanted, *extra]), ytd, unit.code)
        )
    except AnalyticsError:
        return None
    ranges = {
        x.code: x
        for x in Indicator.objects.filter(code__in=wanted).only(
            "code", "direction", "range_low", "range_high"
        )
    }
    figures = []
    for item in result.items:
        if item.code in extra:
            continue
        value = result.rounded(item, result.value(item.code, ytd, unit.code))
        indicator = ranges.get(item.code)
        out = False
        hint = ""
        if (
            indicator is not None
            and indicator.direction == Direction.WITHIN_RANGE
            and value is not None
        ):
            low, high = indicator.range_low, indicator.range_high
            out = (low is not None and value < low) or (high is not None and value > high)
        if item.code == "srb":
            hint, judged = _srb_hint(
                result.value("births_male", ytd, unit.code),
                result.value("births_female", ytd, unit.code),
            )
            out = bool(judged)
        figures.append(
            Figure(item.name, value, item.decimals, item.unit, item.definition, bool(out), hint)
        )
    counts = dict(
        Report.objects.filter(subtree_q(unit.path, "orgunit__"), data_set=data_set, period=last.id)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    expected = OrgUnit.objects.filter(
        subtree_q(unit.path), level=data_set.reporting_level, closed_on__isnull=True
    ).count()
    reported = sum(n for status, n in counts.items() if status in REPORTED_STATUSES)
    return {
        "unit": unit,
        "period_label": result.periods[0][1],
        "last": last,
        "data_set": data_set,
        "figures": figures,
        "expected": expected,
        "reported": reported,
        "as_of": result.as_of,
    }
