"""Period ids: parsing, formatting, labels, and the errors for bad ids."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from renkou.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    PeriodType,
    half_year,
    month,
    parse,
    quarter,
    try_parse,
    year,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025", Period(PeriodType.YEAR, 2025, 1)),
        ("2025S1", Period(PeriodType.HALF_YEAR, 2025, 1)),
        ("2025S2", Period(PeriodType.HALF_YEAR, 2025, 2)),
        ("2025Q1", Period(PeriodType.QUARTER, 2025, 1)),
        ("2025Q4", Period(PeriodType.QUARTER, 2025, 4)),
        ("202501", Period(PeriodType.MONTH, 2025, 1)),
        ("202512", Period(PeriodType.MONTH, 2025, 12)),
        ("1900", Period(PeriodType.YEAR, 1900, 1)),
        ("220012", Period(PeriodType.MONTH, 2200, 12)),
    ],
)
def test_it_parses_each_kind_of_id(text: str, expected: Period) -> None:
    assert parse(text) == expected
    assert Period.parse(text) == expected


def test_every_period_of_a_year_formats_back_to_its_id() -> None:
    ids = ["2025", "2025S1", "2025S2"]
    ids += [f"2025Q{q}" for q in range(1, 5)]
    ids += [f"2025{m:02d}" for m in range(1, 13)]
    for text in ids:
        period = parse(text)
        assert str(period) == text
        assert period.id == text
        assert repr(period) == f"Period('{text}')"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" 2025Q1 ", "2025Q1"),
        ("2025q2", "2025Q2"),
        ("2025s2", "2025S2"),
        ("２０２５Ｑ１", "2025Q1"),
        ("２０２５０３", "202503"),
        (202501, "202501"),
        (2025, "2025"),
    ],
)
def test_it_accepts_spaces_lower_case_full_width_and_integers(
    text: str | int, expected: str
) -> None:
    assert parse(text).id == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2025Q5", "季度只能是 Q1–Q4"),
        ("2025Q0", "季度只能是 Q1–Q4"),
        ("202513", "月份只能是 01–12"),
        ("202500", "月份只能是 01–12"),
        ("2025S3", "半年只能是 S1 或 S2"),
        ("2025S0", "半年只能是 S1 或 S2"),
        ("abc", "应为 2025（年）"),
        ("20251", "应为 2025（年）"),
        ("2025Q", "应为 2025（年）"),
        ("2025Q10", "应为 2025（年）"),
        ("2025-01", "应为 2025（年）"),
        ("2025M1", "应为 2025（年）"),
        ("25Q1", "应为 2025（年）"),
        ("1899", "超出支持的范围"),
        ("2201", "超出支持的范围"),
        ("189912", "超出支持的范围"),
        ("0000", "超出支持的范围"),
    ],
)
def test_invalid_ids_raise_a_chinese_error_naming_the_id(text: str, fragment: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse(text)
    error = caught.value
    assert f"'{text}'" in str(error)
    assert fragment in str(error)
    assert error.period_id == text
    assert text in error.message_en


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_an_empty_id_is_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="期间编号为空") as caught:
        parse(text)
    assert caught.value.message_en == "the period id is empty"


@pytest.mark.parametrize("value", [None, 2025.0, True, ["2025"]])
def test_a_non_text_id_is_refused_with_a_period_error(value: object) -> None:
    with pytest.raises(PeriodError, match="期间编号应为文本"):
        parse(value)  # type: ignore[arg-type]


def test_period_error_is_a_value_error() -> None:
    assert issubclass(PeriodError, ValueError)


def test_try_parse_gives_none_for_bad_ids() -> None:
    assert try_parse("2025Q5") is None
    assert try_parse("2025Q3") == quarter(2025, 3)


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Period(PeriodType.MONTH, 2025, 13), "月序号应为 1–12"),
        (lambda: Period(PeriodType.QUARTER, 2025, 0), "季度序号应为 1–4"),
        (lambda: Period(PeriodType.HALF_YEAR, 2025, 3), "半年序号应为 1–2"),
        (lambda: Period(PeriodType.YEAR, 2025, 2), "年序号应为 1–1"),
        (lambda: Period(PeriodType.YEAR, MIN_YEAR - 1), "超出支持的范围"),
        (lambda: Period(PeriodType.YEAR, MAX_YEAR + 1), "超出支持的范围"),
        (lambda: Period(PeriodType.YEAR, True), "年份应为整数"),
        (lambda: Period(PeriodType.MONTH, 2025, "1"), "期间序号应为整数"),  # type: ignore[arg-type]
        (lambda: Period("week", 2025, 1), "无效的期间类型"),  # type: ignore[arg-type]
    ],
)
def test_the_constructor_refuses_impossible_periods(build: object, fragment: str) -> None:
    with pytest.raises(PeriodError, match=fragment):
        build()  # type: ignore[operator]


def test_the_constructor_accepts_a_stored_type_value() -> None:
    period = Period("month", 2025, 3)  # type: ignore[arg-type]
    assert period.type is PeriodType.MONTH
    assert period == month(2025, 3)


def test_periods_are_immutable_and_hashable() -> None:
    period = parse("2025Q1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.year = 2026  # type: ignore[misc]
    assert {parse("2025Q1"), quarter(2025, 1), parse("2025q1")} == {period}
    assert {period: "x"}[Period(PeriodType.QUARTER, 2025, 1)] == "x"


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        ("2025", "2025年", "2025"),
        ("2025S1", "2025年上半年", "H1 2025"),
        ("2025S2", "2025年下半年", "H2 2025"),
        ("2025Q1", "2025年第一季度", "Q1 2025"),
        ("2025Q2", "2025年第二季度", "Q2 2025"),
        ("2025Q3", "2025年第三季度", "Q3 2025"),
        ("2025Q4", "2025年第四季度", "Q4 2025"),
        ("202501", "2025年1月", "January 2025"),
        ("202512", "2025年12月", "December 2025"),
    ],
)
def test_labels_in_chinese_and_english(text: str, zh: str, en: str) -> None:
    period = parse(text)
    assert period.label_zh == zh
    assert period.label_en == en
    assert period.label("zh-hans") == zh
    assert period.label("en") == en
    assert period.label("en-us") == en
    assert period.label() == zh


@pytest.mark.parametrize(
    ("period", "start", "end", "days"),
    [
        (year(2025), date(2025, 1, 1), date(2025, 12, 31), 365),
        (year(2024), date(2024, 1, 1), date(2024, 12, 31), 366),
        (half_year(2025, 1), date(2025, 1, 1), date(2025, 6, 30), 181),
        (half_year(2025, 2), date(2025, 7, 1), date(2025, 12, 31), 184),
        (quarter(2024, 1), date(2024, 1, 1), date(2024, 3, 31), 91),
        (quarter(2025, 1), date(2025, 1, 1), date(2025, 3, 31), 90),
        (quarter(2025, 4), date(2025, 10, 1), date(2025, 12, 31), 92),
        (month(2024, 2), date(2024, 2, 1), date(2024, 2, 29), 29),
        (month(2025, 2), date(2025, 2, 1), date(2025, 2, 28), 28),
        (month(2000, 2), date(2000, 2, 1), date(2000, 2, 29), 29),
        (month(1900, 2), date(1900, 2, 1), date(1900, 2, 28), 28),
        (month(2025, 4), date(2025, 4, 1), date(2025, 4, 30), 30),
        (month(2025, 12), date(2025, 12, 1), date(2025, 12, 31), 31),
    ],
)
def test_start_and_end_dates_including_leap_years(
    period: Period, start: date, end: date, days: int
) -> None:
    assert period.start == start
    assert period.end == end
    assert period.days == days


class TestPeriodType:
    def test_months_and_periods_per_year(self) -> None:
        assert [t.months for t in PeriodType] == [12, 6, 3, 1]
        assert [t.per_year for t in PeriodType] == [1, 2, 4, 12]

    def test_parent_and_child_types(self) -> None:
        assert PeriodType.MONTH.parent() is PeriodType.QUARTER
        assert PeriodType.QUARTER.parent() is PeriodType.HALF_YEAR
        assert PeriodType.HALF_YEAR.parent() is PeriodType.YEAR
        assert PeriodType.YEAR.parent() is None
        assert PeriodType.YEAR.child() is PeriodType.HALF_YEAR
        assert PeriodType.MONTH.child() is None

    def test_finer_than(self) -> None:
        assert PeriodType.MONTH.is_finer_than(PeriodType.QUARTER)
        assert not PeriodType.QUARTER.is_finer_than(PeriodType.QUARTER)
        assert not PeriodType.YEAR.is_finer_than(PeriodType.MONTH)

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("month", PeriodType.MONTH),
            ("Monthly", PeriodType.MONTH),
            ("quarterly", PeriodType.QUARTER),
            ("SixMonthly", PeriodType.HALF_YEAR),
            ("half_year", PeriodType.HALF_YEAR),
            (" Yearly ", PeriodType.YEAR),
        ],
    )
    def test_parse_accepts_stored_values_and_dhis2_names(
        self, text: str, expected: PeriodType
    ) -> None:
        assert PeriodType.parse(text) is expected

    def test_parse_refuses_unknown_types(self) -> None:
        with pytest.raises(PeriodError, match="无效的期间类型 'weekly'"):
            PeriodType.parse("weekly")

    def test_labels(self) -> None:
        assert PeriodType.QUARTER.label_zh == "季度"
        assert PeriodType.HALF_YEAR.label_en == "half-year"
