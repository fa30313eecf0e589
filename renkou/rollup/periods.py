"""The periods of one year as rows of a cube: months, quarters, the year, and year to date.

Row order (28 rows): months 1–12, quarters 1–4, the year, then year to date
through months 1–11 (year to date through December is the year itself).
Year-to-date rows have ids such as ``202503YTD``.
"""

from __future__ import annotations

from renkou.periods import Period, PeriodError, PeriodType, parse

__all__ = [
    "INPUT_ROWS",
    "N_ROWS",
    "QUARTER_ROWS",
    "YEAR_ROW",
    "YTD_SUFFIX",
    "annual_factors",
    "months_in_row",
    "row_ids",
    "row_label",
    "row_of",
]

N_ROWS = 28
QUARTER_ROWS = (12, 13, 14, 15)
YEAR_ROW = 16
# Values arrive for months, quarters or whole years: rows 0–16.
INPUT_ROWS = 17
YTD_SUFFIX = "YTD"


def row_ids(year: int) -> list[str]:
    months = [f"{year:04d}{m:02d}" for m in range(1, 13)]
    quarters = [f"{year:04d}Q{q}" for q in range(1, 5)]
    ytd = [f"{year:04d}{m:02d}{YTD_SUFFIX}" for m in range(1, 12)]
    return [*months, *quarters, f"{year:04d}", *ytd]


def row_of(period_id: str) -> tuple[int, int]:
    """(year, row) for a period id; raises PeriodError for half-years and bad ids."""
    text = period_id.strip().upper()
    if text.endswith(YTD_SUFFIX):
        period = parse(text.removesuffix(YTD_SUFFIX))
        if period.type is not PeriodType.MONTH:
            raise PeriodError(
                f"累计期间 '{period_id}' 应写作月份加 YTD，如 202506YTD",
                f"a year-to-date period '{period_id}' is a month followed by YTD, e.g. 202506YTD",
                period_id,
            )
        if period.index == 12:
            return period.year, YEAR_ROW
        return period.year, 16 + period.index
    period = parse(text)
    return period.year, _row_of_period(period, period_id)


def _row_of_period(period: Period, raw: str) -> int:
    if period.type is PeriodType.MONTH:
        return period.index - 1
    if period.type is PeriodType.QUARTER:
        return 11 + period.index
    if period.type is PeriodType.YEAR:
        return YEAR_ROW
    raise PeriodError(
        f"汇总不支持半年期间 '{raw}'，请用季度或累计期间",
        f"rollups have no half-year period '{raw}'; use quarters or year to date",
        raw,
    )


def months_in_row(row: int) -> int:
    """How many months the row covers (for annualising rates)."""
    if row < 12:
        return 1
    if row < YEAR_ROW:
        return 3
    if row == YEAR_ROW:
        return 12
    return row - 16


def annual_factors() -> list[float]:
    return [12.0 / months_in_row(row) for row in range(N_ROWS)]


def row_label(year: int, row: int) -> str:
    """Chinese label: 2025年3月, 2025年第一季度, 2025年, 2025年1–3月累计."""
    if row < 12:
        return f"{year}年{row + 1}月"
    if row < YEAR_ROW:
        return f"{year}年第{'一二三四'[row - 12]}季度"
    if row == YEAR_ROW:
        return f"{year}年"
    return f"{year}年1–{row - 16}月累计"
