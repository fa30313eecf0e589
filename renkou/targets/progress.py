"""Progress against targets: the actual so far against the target pro-rated to date.

For a count (births, checks done …) the year's target is pro-rated to the
months that have ended — by the unit's own seasonal profile when a past year
has all twelve months reported (births bunch in autumn, so a flat 6/12 by
June would call a normal unit behind), otherwise by months elapsed. A rate is
compared directly with its target (a band: inside or outside).

Green: on track. Amber: slightly behind (a count at 90–100% of what it should
be by now, a rate within 5% of its target). Red: further behind, or outside
the band. Every result carries a one-line explanation in plain Chinese.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from renkou.targets.figures import Item, columns, item_of, ytd_row
from renkou.targets.models import Direction, Target, TargetKind

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
STATUS_LABEL = {GREEN: "绿灯", AMBER: "黄灯", RED: "红灯", NONE: "无数据"}
COUNT_AMBER = 0.9  # a count at 90–100% of its pro-rated target is amber
RATE_AMBER = 0.05  # a rate within 5% of its target is amber
SEASONAL, LINEAR = "seasonal", "linear"
# Past years whose monthly values make a seasonal profile.
PROFILE_YEARS = 2


@dataclass
class Progress:
    unit_id: int
    code: str
    name: str
    unit: str  # "人", "%", "‰" …
    target: Target
    months: int  # months elapsed (0–12)
    actual: float | None  # year to date (counts) or the year-to-date rate
    expected: float | None  # counts: the target pro-rated to date
    ratio: float | None  # counts: actual / expected
    status: str
    method: str  # seasonal | linear ("" for rates)
    explanation: str
    # For the chart: the cumulative actual per month elapsed, the target line per month.
    actual_line: list[float | None] = field(default_factory=list)
    target_line: list[float | None] = field(default_factory=list)
    band_line: list[float | None] = field(default_factory=list)  # the upper end of a band

    @property
    def status_label(self) -> str:
        return STATUS_LABEL[self.status]

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else int(_round(self.ratio * 100, 0))


def months_elapsed(year: int, today: dt.date) -> int:
    """Months of ``year`` that have ended by ``today``."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def _round(number: float, places: int) -> Decimal:
    return Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _num(number: float, places: int) -> str:
    value = _round(number, places)
    return f"{value:,.{places}f}" if places else f"{int(value):,}"


def _dec(number: Decimal | None) -> str:
    if number is None:
        return ""
    return (
        format(number.normalize(), "f")
        if number != number.to_integral_value()
        else (f"{int(number):,}")
    )


def span(months: int) -> str:
    return "1月" if months == 1 else f"1–{months}月"


def profile(history: Sequence[np.ndarray]) -> list[float] | None:
    """Cumulative share of the year reached by the end of each month, from past
    years whose twelve months are all reported; None without such a year.

    >>> profile([np.array([1.0] * 6 + [3.0] * 6)])[5]
    0.25
    """
    total = np.zeros(12)
    found = False
    for column in history:
        months = np.asarray(column[:12], dtype=float)
        if np.isnan(months).any() or months.sum() <= 0:
            continue
        total += months
        found = True
    if not found:
        return None
    return [float(x) for x in np.cumsum(total) / total.sum()]


def _count_progress(
    target: Target, item: Item, months: int, column: np.ndarray | None, shares: list[float] | None
) -> Progress:
    whole = float(target.value or 0)
    method = SEASONAL if shares is not None else LINEAR
    cumulative = shares if shares is not None else [(m + 1) / 12 for m in range(12)]
    target_line: list[float | None] = [float(_round(whole * s, 1)) for s in cumulative]
    actual_line = _year_to_date(column, months, None)
    base = _untold(target, item, months, method, actual_line, target_line)
    goal = f"全年目标{_dec(target.value)}{item.unit}"
    if months == 0:
        base.explanation = f"年度尚未开始，{goal}"
        return base
    actual = actual_line[-1] if actual_line else None
    if actual is None:
        base.explanation = f"{span(months)}尚无上报数据，{goal}"
        return base
    expected = whole * cumulative[months - 1]
    how = "按往年季节规律" if method == SEASONAL else f"按时间进度（{months}/12）"
    base.actual, base.expected = actual, expected
    unit = item.unit
    head = f"{span(months)}{item.name}{_num(actual, 0)}{unit}，{how}应达{_num(expected, 0)}{unit}"
    if expected <= 0:
        base.status = GREEN if target.direction != Direction.AT_MOST or actual <= 0 else RED
        base.explanation = f"{head}，{base.status_label}"
        return base
    ratio = actual / expected
    base.ratio = ratio
    if target.direction == Direction.AT_MOST:
        status = GREEN if ratio <= 1 else AMBER if ratio <= 2 - COUNT_AMBER else RED
    else:
        status = GREEN if ratio >= 1 else AMBER if ratio >= COUNT_AMBER else RED
    base.status = status
    base.explanation = f"{head}，完成{_num(ratio * 100, 0)}%，{STATUS_LABEL[status]}"
    return base


def _year_to_date(column: np.ndarray | None, months: int, places: int | None) -> list[float | None]:
    """The unit's year-to-date figure at the end of each month so far (None: not reported)."""
    line: list[float | None] = []
    if column is not None:
        for m in range(1, months + 1):
            number = float(column[ytd_row(m)])
            if math.isnan(number):
                line.append(None)
            else:
                line.append(number if places is None else float(_round(number, places)))
    return line


def _untold(
    target: Target,
    item: Item,
    months: int,
    method: str,
    actual_line: list[float | None],
    target_line: list[float | None],
) -> Progress:
    """Progress with its lines drawn and nothing judged yet."""
    return Progress(
        unit_id=target.orgunit_id,
        code=target.code,
        name=item.name,
        unit=item.unit,
        target=target,
        months=months,
        actual=None,
        expected=None,
        ratio=None,
        status=NONE,
        method=method,
        explanation="",
        actual_line=actual_line,
        target_line=target_line,
    )


def _gap_words(unit: str) -> str:
    return {"%": "个百分点", "‰": "个千分点"}.get(unit, "")


def _rate_progress(target: Target, item: Item, months: int, column: np.ndarray | None) -> Progress:
    places = item.decimals
    actual_line = _year_to_date(column, months, places)
    band = target.direction == Direction.WITHIN
    low = float(target.low) if target.low is not None else None
    high = float(target.high) if target.high is not None else None
    value = float(target.value) if target.value is not None else None
    base = _untold(target, item, months, "", actual_line, [low if band else value] * 12)
    base.band_line = [high] * 12 if band else []
    unit = item.unit
    if band:
        goal = f"目标区间{_dec(target.low)}–{_dec(target.high)}{unit}"
    else:
        word = "不低于" if target.direction == Direction.AT_LEAST else "不高于"
        goal = f"目标{word}{_dec(target.value)}{unit}"
    if months == 0:
        base.explanation = f"年度尚未开始，{goal}"
        return base
    actual = actual_line[-1] if actual_line else None
    if actual is None:
        base.explanation = f"{span(months)}尚无上报数据，{goal}"
        return base
    base.actual = actual
    head = f"{span(months)}{item.name}{_num(actual, places)}{unit}，{goal}"
    if band:
        assert low is not None and high is not None
        inside = low <= actual <= high
        base.status = GREEN if inside else RED
        words = "在区间内" if inside else "超出区间" if actual > high else "低于区间"
        base.explanation = f"{head}，{words}，{base.status_label}"
        return base
    assert value is not None
    gap = actual - value if target.direction == Direction.AT_LEAST else value - actual
    if gap >= 0:
        base.status = GREEN
        base.explanation = f"{head}，已达标，绿灯"
        return base
    base.status = AMBER if -gap <= abs(value) * RATE_AMBER else RED
    words = "低于" if target.direction == Direction.AT_LEAST else "高于"
    base.explanation = (
        f"{head}，{words}目标{_num(-gap, places)}{_gap_words(unit)}，{base.status_label}"
    )
    return base


def progress_for(
    year: int,
    targets: dict[int, dict[str, Target]],
    today: dt.date,
    codes: Iterable[str] | None = None,
) -> dict[int, dict[str, Progress]]:
    """Per unit and code, the progress of each target in ``targets``
    (as :func:`renkou.targets.selectors.targets_for` returns them)."""
    months = months_elapsed(year, today)
    wanted = set(codes) if codes is not None else None
    all_codes = sorted(
        {c for by_code in targets.values() for c in by_code if wanted is None or c in wanted}
    )
    unit_ids = list(targets)
    now = columns(all_codes, year, unit_ids)
    count_codes = [
        c
        for c in all_codes
        if any(by.get(c) and by[c].kind == TargetKind.COUNT for by in targets.values())
    ]
    past = [columns(count_codes, year - back, unit_ids) for back in range(1, PROFILE_YEARS + 1)]
    items = {code: item_of(code) for code in all_codes}
    out: dict[int, dict[str, Progress]] = {}
    for unit_id, by_code in targets.items():
        for code in all_codes:
            target = by_code.get(code)
            item = items[code]
            if target is None or item is None:
                continue
            column = now.get(code, {}).get(unit_id)
            if target.kind == TargetKind.COUNT and target.value is not None:
                history = [p[code][unit_id] for p in past if unit_id in p.get(code, {})]
                result = _count_progress(target, item, months, column, profile(history))
            else:
                result = _rate_progress(target, item, months, column)
            out.setdefault(unit_id, {})[code] = result
    return out
