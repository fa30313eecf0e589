"""The Period value type: a calendar year, half-year, quarter or month.

Ids follow the DHIS2 convention so that files exchanged with other systems
need no translation: ``2025`` (year), ``2025S1`` (half-year), ``2025Q1``
(quarter) and ``202501`` (month).
"""

from __future__ import annotations

import calendar
import enum
import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "Period",
    "PeriodError",
    "PeriodType",
    "half_year",
    "month",
    "parse",
    "period_of",
    "periods_of_year",
    "quarter",
    "try_parse",
    "year",
]

# Wide enough for historical census figures and long projections, narrow
# enough that a typo such as 20255 or 0225 is caught instead of stored.
MIN_YEAR = 1900
MAX_YEAR = 2200

_QUARTER_ZH = ("一", "二", "三", "四")
# Spelled out because calendar.month_name follows the process locale.
_MONTH_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class PeriodError(ValueError):
    """A period id or period arithmetic that makes no sense.

    ``str(error)`` is the Chinese message shown to users; ``message_en`` is the
    English one. ``period_id`` is the offending text when there was one.
    """

    def __init__(self, message: str, message_en: str, period_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en
        self.period_id = period_id


class PeriodType(enum.StrEnum):
    """How long a period is. The value is what gets stored in the database."""

    YEAR = "year"
    HALF_YEAR = "half_year"
    QUARTER = "quarter"
    MONTH = "month"

    @property
    def months(self) -> int:
        """Number of calendar months in one period of this type."""
        return _MONTHS[self]

    @property
    def per_year(self) -> int:
        return 12 // self.months

    @property
    def label_zh(self) -> str:
        return _TYPE_LABEL_ZH[self]

    @property
    def label_en(self) -> str:
        return _TYPE_LABEL_EN[self]

    def is_finer_than(self, other: PeriodType) -> bool:
        return self.months < other.months

    def parent(self) -> PeriodType | None:
        """The next coarser type (month→quarter→half-year→year), None for a year."""
        index = _TYPES_FINE_TO_COARSE.index(self)
        if index + 1 == len(_TYPES_FINE_TO_COARSE):
            return None
        return _TYPES_FINE_TO_COARSE[index + 1]

    def child(self) -> PeriodType | None:
        """The next finer type, None for a month."""
        index = _TYPES_FINE_TO_COARSE.index(self)
        if index == 0:
            return None
        return _TYPES_FINE_TO_COARSE[index - 1]

    @classmethod
    def parse(cls, text: str) -> PeriodType:
        """A period type from its stored value or its DHIS2 name (``Monthly`` …)."""
        key = text.strip().lower()
        found = _TYPE_ALIASES.get(key)
        if found is None:
            raise PeriodError(
                f"无效的期间类型 '{text}'：应为 year、half_year、quarter 或 month",
                f"invalid period type '{text}': expected year, half_year, quarter or month",
            )
        return found


_MONTHS = {
    PeriodType.YEAR: 12,
    PeriodType.HALF_YEAR: 6,
    PeriodType.QUARTER: 3,
    PeriodType.MONTH: 1,
}
_TYPE_LABEL_ZH = {
    PeriodType.YEAR: "年",
    PeriodType.HALF_YEAR: "半年",
    PeriodType.QUARTER: "季度",
    PeriodType.MONTH: "月",
}
_TYPE_LABEL_EN = {
    PeriodType.YEAR: "year",
    PeriodType.HALF_YEAR: "half-year",
    PeriodType.QUARTER: "quarter",
    PeriodType.MONTH: "month",
}
_TYPES_FINE_TO_COARSE = (
    PeriodType.MONTH,
    PeriodType.QUARTER,
    PeriodType.HALF_YEAR,
    PeriodType.YEAR,
)
_TYPE_ALIASES = {
    **{t.value: t for t in PeriodType},
    "yearly": PeriodType.YEAR,
    "sixmonthly": PeriodType.HALF_YEAR,
    "quarterly": PeriodType.QUARTER,
    "monthly": PeriodType.MONTH,
}


@dataclass(frozen=True, slots=True)
class Period:
    """One calendar period. Immutable, hashable and ordered.

    ``index`` counts from 1 within the year: the month number, the quarter
    number, the half-year number, or 1 for a whole year.

    Periods sort by start date and, among periods starting on the same day,
    longer first, so a sorted list reads like an outline: 2025, 2025S1,
    2025Q1, 202501, 202502, 202503, 2025Q2 …
    """

    type: PeriodType
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        try:
            period_type = PeriodType(self.type)
        except ValueError:
            raise PeriodError(
                f"无效的期间类型 {self.type!r}", f"invalid period type {self.type!r}"
            ) from None
        # A plain "month" string would otherwise defeat the identity checks below.
        object.__setattr__(self, "type", period_type)
        # bool is an int; Period(PeriodType.YEAR, True) would be silently year 1.
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise PeriodError(
                f"年份应为整数，而不是 {self.year!r}",
                f"year must be an integer, not {self.year!r}",
            )
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise PeriodError(
                f"年份 {self.year} 超出支持的范围 {MIN_YEAR}–{MAX_YEAR}",
                f"year {self.year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}",
            )
        per_year = period_type.per_year
        if isinstance(self.index, bool) or not isinstance(self.index, int):
            raise PeriodError(
                f"期间序号应为整数，而不是 {self.index!r}",
                f"period index must be an integer, not {self.index!r}",
            )
        if not 1 <= self.index <= per_year:
            raise PeriodError(
                f"{period_type.label_zh}序号应为 1–{per_year}，而不是 {self.index}",
                f"{period_type.label_en} index must be 1–{per_year}, not {self.index}",
            )

    # -- identity and text -------------------------------------------------

    @property
    def id(self) -> str:
        if self.type is PeriodType.YEAR:
            return f"{self.year:04d}"
        if self.type is PeriodType.HALF_YEAR:
            return f"{self.year:04d}S{self.index}"
        if self.type is PeriodType.QUARTER:
            return f"{self.year:04d}Q{self.index}"
        return f"{self.year:04d}{self.index:02d}"

    def __str__(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"Period('{self.id}')"

    @property
    def label_zh(self) -> str:
        """2025年, 2025年上半年, 2025年第一季度, 2025年1月."""
        if self.type is PeriodType.YEAR:
            return f"{self.year}年"
        if self.type is PeriodType.HALF_YEAR:
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        if self.type is PeriodType.QUARTER:
            return f"{self.year}年第{_QUARTER_ZH[self.index - 1]}季度"
        return f"{self.year}年{self.index}月"

    @property
    def label_en(self) -> str:
        """2025, H1 2025, Q1 2025, January 2025."""
        if self.type is PeriodType.YEAR:
            return f"{self.year}"
        if self.type is PeriodType.HALF_YEAR:
            return f"H{self.index} {self.year}"
        if self.type is PeriodType.QUARTER:
            return f"Q{self.index} {self.year}"
        return f"{_MONTH_EN[self.index - 1]} {self.year}"

    def label(self, language: str = "zh-hans") -> str:
        """The label in a Django language code; anything not English gets Chinese."""
        return self.label_en if language.lower().startswith("en") else self.label_zh

    # -- calendar ----------------------------------------------------------

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.type.months + 1

    @property
    def last_month(self) -> int:
        return self.index * self.type.months

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        last = self.last_month
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period | date) -> bool:
        """Whether ``other`` (a period or a day) lies wholly inside this period."""
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        if isinstance(other, datetime):
            other = other.date()
        return self.start <= other <= self.end

    def __contains__(self, other: object) -> bool:
        if isinstance(other, Period | date):
            return self.contains(other)
        return False

    # -- hierarchy ---------------------------------------------------------

    def parent(self) -> Period | None:
        """The immediate parent: month→quarter→half-year→year; None for a year."""
        parent_type = self.type.parent()
        return None if parent_type is None else self.ancestor(parent_type)

    def parents(self) -> tuple[Period, ...]:
        """All enclosing periods, nearest first, ending with the year."""
        found: list[Period] = []
        current = self.parent()
        while current is not None:
            found.append(current)
            current = current.parent()
        return tuple(found)

    def ancestor(self, period_type: PeriodType) -> Period:
        """The period of ``period_type`` that contains this one (itself for the same type)."""
        period_type = PeriodType(period_type)
        if period_type.is_finer_than(self.type):
            raise PeriodError(
                f"{self.id} 是{self.type.label_zh}，不能归入更短的{period_type.label_zh}",
                f"{self.id} is a {self.type.label_en} and cannot belong to a shorter "
                f"{period_type.label_en}",
                self.id,
            )
        return Period(period_type, self.year, (self.first_month - 1) // period_type.months + 1)

    def children(self, period_type: PeriodType | None = None) -> tuple[Period, ...]:
        """The periods of ``period_type`` inside this one, in order.

        Without a type, the immediate children (year→halves→quarters→months);
        a month has none.
        """
        if period_type is None:
            child_type = self.type.child()
            if child_type is None:
                return ()
            period_type = child_type
        period_type = PeriodType(period_type)
        if self.type.is_finer_than(period_type):
            raise PeriodError(
                f"{self.id} 是{self.type.label_zh}，不能分成更长的{period_type.label_zh}",
                f"{self.id} is a {self.type.label_en} and cannot be split into longer "
                f"{period_type.label_en}s",
                self.id,
            )
        first = (self.first_month - 1) // period_type.months + 1
        count = self.type.months // period_type.months
        return tuple(Period(period_type, self.year, first + i) for i in range(count))

    def months(self) -> tuple[Period, ...]:
        return self.children(PeriodType.MONTH)

    # -- movement in time --------------------------------------------------

    @property
    def ordinal(self) -> int:
        """Position among periods of the same type, counted from year 0; steps by one."""
        return self.year * self.type.per_year + self.index - 1

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods of the same type later (earlier when negative)."""
        target = self.ordinal + steps
        target_year, index0 = divmod(target, self.type.per_year)
        if not MIN_YEAR <= target_year <= MAX_YEAR:
            raise PeriodError(
                f"{self.id} 移动 {steps} 期后超出支持的年份范围 {MIN_YEAR}–{MAX_YEAR}",
                f"moving {self.id} by {steps} periods leaves the supported years "
                f"{MIN_YEAR}–{MAX_YEAR}",
                self.id,
            )
        return Period(self.type, target_year, index0 + 1)

    def previous(self, steps: int = 1) -> Period:
        return self.shift(-steps)

    def next(self, steps: int = 1) -> Period:
        return self.shift(steps)

    def same_period_last_year(self) -> Period:
        """The same period one year earlier (同期), e.g. 2024Q3 for 2025Q3."""
        return self.shift(-self.type.per_year)

    def year_to_date(self) -> tuple[Period, ...]:
        """The months from January up to the end of this period (累计)."""
        return tuple(Period(PeriodType.MONTH, self.year, m) for m in range(1, self.last_month + 1))

    def due_date(self, days_after_end: int) -> date:
        """The day a report for this period is due: ``days_after_end`` days after it ends.

        202501 with 5 days is due on 2025-02-05; 0 means due on the last day.
        """
        if days_after_end < 0:
            raise PeriodError(
                f"截止天数不能为负数（{days_after_end}）",
                f"days after the period ends cannot be negative ({days_after_end})",
            )
        return self.end + timedelta(days=days_after_end)

    # -- ordering ----------------------------------------------------------

    def _sort_key(self) -> tuple[int, int]:
        return (self.year * 12 + self.first_month, -self.type.months)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() <= other._sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() > other._sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() >= other._sort_key()

    @classmethod
    def parse(cls, text: str | int) -> Period:
        return parse(text)


def year(value: int) -> Period:
    return Period(PeriodType.YEAR, value)


def half_year(value: int, half: int) -> Period:
    return Period(PeriodType.HALF_YEAR, value, half)


def quarter(value: int, number: int) -> Period:
    return Period(PeriodType.QUARTER, value, number)


def month(value: int, number: int) -> Period:
    return Period(PeriodType.MONTH, value, number)


def period_of(day: date, period_type: PeriodType) -> Period:
    """The period of ``period_type`` that contains ``day``."""
    return month(day.year, day.month).ancestor(PeriodType(period_type))


def periods_of_year(value: int, period_type: PeriodType) -> tuple[Period, ...]:
    return year(value).children(PeriodType(period_type))


_ID_PATTERN = re.compile(
    r"(?P<year>[0-9]{4})(?:(?P<kind>[SQ])(?P<part>[0-9])|(?P<month>[0-9]{2}))?"
)


def _fold(text: str) -> str:
    if text.isascii():
        return text
    # Ids typed with a Chinese input method often arrive as full-width
    # characters (２０２５Ｑ１); fold each character that is a full-width form of
    # an ASCII one, and nothing else.
    folded = []
    for char in text:
        normal = unicodedata.normalize("NFKC", char)
        folded.append(normal if len(normal) == 1 and normal.isascii() else char)
    return "".join(folded)


def parse(text: str | int) -> Period:
    """The period for an id such as ``2025``, ``2025S1``, ``2025Q1`` or ``202501``.

    Surrounding spaces, lower-case ``s``/``q`` and full-width characters are
    accepted; integers are accepted because spreadsheet cells hold 202501 as a
    number. Anything else raises :class:`PeriodError` naming the bad id.
    """
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise PeriodError(
            f"期间编号应为文本，而不是 {type(text).__name__}",
            f"a period id must be text, not {type(text).__name__}",
        )
    return _parse_text(str(text))


# Imports parse the same dozen ids millions of times; periods are immutable,
# so handing out one shared instance per id is safe. Errors are not cached.
@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str) -> Period:
    candidate = _fold(raw).strip().upper()
    if not candidate:
        raise PeriodError("期间编号为空", "the period id is empty", raw)
    match = _ID_PATTERN.fullmatch(candidate)
    if match is None:
        raise PeriodError(
            f"无效的期间编号 '{raw}'：应为 2025（年）、2025S1（半年）、2025Q1（季度）"
            f"或 202501（月）的形式",
            f"invalid period id '{raw}': expected 2025 (year), 2025S1 (half-year), "
            f"2025Q1 (quarter) or 202501 (month)",
            raw,
        )
    year_value = int(match["year"])
    if not MIN_YEAR <= year_value <= MAX_YEAR:
        raise PeriodError(
            f"无效的期间编号 '{raw}'：年份 {year_value} 超出支持的范围 {MIN_YEAR}–{MAX_YEAR}",
            f"invalid period id '{raw}': year {year_value} is outside the supported range "
            f"{MIN_YEAR}–{MAX_YEAR}",
            raw,
        )
    if match["kind"] == "S":
        period_type, index = PeriodType.HALF_YEAR, int(match["part"])
        if index not in (1, 2):
            raise PeriodError(
                f"无效的期间编号 '{raw}'：半年只能是 S1 或 S2",
                f"invalid period id '{raw}': a half-year must be S1 or S2",
                raw,
            )
    elif match["kind"] == "Q":
        period_type, index = PeriodType.QUARTER, int(match["part"])
        if not 1 <= index <= 4:
            raise PeriodError(
                f"无效的期间编号 '{raw}'：季度只能是 Q1–Q4",
                f"invalid period id '{raw}': a quarter must be Q1–Q4",
                raw,
            )
    elif match["month"] is not None:
        period_type, index = PeriodType.MONTH, int(match["month"])
        if not 1 <= index <= 12:
            raise PeriodError(
                f"无效的期间编号 '{raw}'：月份只能是 01–12",
                f"invalid period id '{raw}': the month must be 01–12",
                raw,
            )
    else:
        period_type, index = PeriodType.YEAR, 1
    return Period(period_type, year_value, index)


def try_parse(text: str | int) -> Period | None:
    """Like :func:`parse`, but None instead of an error."""
    try:
        return parse(text)
    except PeriodError:
        return None
