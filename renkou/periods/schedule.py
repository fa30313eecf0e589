"""Runs of periods: ranges, periods that have ended, and reports that are due."""

from __future__ import annotations

from datetime import date, timedelta

from renkou.periods.period import MIN_YEAR, Period, PeriodError, PeriodType, period_of

__all__ = [
    "latest_due",
    "latest_ended",
    "period_range",
    "periods_due_by",
    "periods_ended_by",
]


def period_range(first: Period, last: Period) -> tuple[Period, ...]:
    """Every period from ``first`` to ``last`` inclusive; both must be of one type.

    A reversed range is an error rather than an empty result, because it is
    almost always a mistake in a query such as ``pe=202512:202501``.
    """
    if first.type is not last.type:
        raise PeriodError(
            f"期间范围的起止类型不同：{first.id} 是{first.type.label_zh}，{last.id} 是"
            f"{last.type.label_zh}",
            f"a period range must not mix types: {first.id} is a {first.type.label_en}, "
            f"{last.id} is a {last.type.label_en}",
        )
    if last < first:
        raise PeriodError(
            f"期间范围的结束 {last.id} 早于开始 {first.id}",
            f"the range ends ({last.id}) before it starts ({first.id})",
        )
    return tuple(first.shift(i) for i in range(last.ordinal - first.ordinal + 1))


def _first_period(period_type: PeriodType, since: Period | date) -> Period:
    if isinstance(since, Period):
        if since.type is not period_type:
            raise PeriodError(
                f"起始期间 {since.id} 不是{period_type.label_zh}",
                f"the starting period {since.id} is not a {period_type.label_en}",
            )
        return since
    return period_of(since, period_type)


def latest_ended(period_type: PeriodType, as_of: date) -> Period | None:
    """The most recent period of ``period_type`` whose last day is on or before ``as_of``."""
    period_type = PeriodType(period_type)
    current = period_of(as_of, period_type)
    if current.end <= as_of:
        return current
    if current.year == MIN_YEAR and current.index == 1:
        return None
    return current.previous()


def periods_ended_by(
    period_type: PeriodType, as_of: date, *, since: Period | date
) -> tuple[Period, ...]:
    """Periods of ``period_type`` from ``since`` onwards that have ended by ``as_of``.

    ``since`` is the first period to consider, or a day whose period is the
    first. The result is empty when nothing from ``since`` has ended yet.
    """
    period_type = PeriodType(period_type)
    first = _first_period(period_type, since)
    last = latest_ended(period_type, as_of)
    if last is None or last < first:
        return ()
    return period_range(first, last)


def latest_due(period_type: PeriodType, as_of: date, due_days: int) -> Period | None:
    """The most recent period whose report, due ``due_days`` after it ends, is due by ``as_of``."""
    if due_days < 0:
        raise PeriodError(
            f"截止天数不能为负数（{due_days}）",
            f"days after the period ends cannot be negative ({due_days})",
        )
    # A report is due by as_of exactly when its period ended by as_of - due_days.
    try:
        shifted = as_of - timedelta(days=due_days)
    except OverflowError:
        return None
    if shifted.year < MIN_YEAR:
        return None
    return latest_ended(PeriodType(period_type), shifted)


def periods_due_by(
    period_type: PeriodType, as_of: date, due_days: int, *, since: Period | date
) -> tuple[Period, ...]:
    """Periods from ``since`` onwards whose reports are due on or before ``as_of``.

    With monthly reports due 5 days after the month ends, on 2025-03-05 the
    due periods since January are 202501 and 202502; on 2025-03-04 only 202501.
    """
    period_type = PeriodType(period_type)
    first = _first_period(period_type, since)
    last = latest_due(period_type, as_of, due_days)
    if last is None or last < first:
        return ()
    return period_range(first, last)
