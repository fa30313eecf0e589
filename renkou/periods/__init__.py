"""Periods kernel (pure): period ids such as 2025, 2025S1, 2025Q1, 202501.

>>> p = parse("2025Q1")
>>> p.label_zh, p.next().id, [m.id for m in p.months()]
('2025年第一季度', '2025Q2', ['202501', '202502', '202503'])
"""

from __future__ import annotations

from renkou.periods.period import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    PeriodType,
    half_year,
    month,
    parse,
    period_of,
    periods_of_year,
    quarter,
    try_parse,
    year,
)
from renkou.periods.schedule import (
    latest_due,
    latest_ended,
    period_range,
    periods_due_by,
    periods_ended_by,
)

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodError",
    "PeriodType",
    "half_year",
    "latest_due",
    "latest_ended",
    "month",
    "parse",
    "period_of",
    "period_range",
    "periods_due_by",
    "periods_ended_by",
    "periods_of_year",
    "quarter",
    "try_parse",
    "year",
]
