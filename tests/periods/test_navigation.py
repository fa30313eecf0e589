"""Moving between periods: parents, children, neighbours, last year, year to date."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from renkou.periods import (
    Period,
    PeriodError,
    PeriodType,
    half_year,
    month,
    parse,
    period_of,
    periods_of_year,
    quarter,
    year,
)


def ids(periods: tuple[Period, ...]) -> list[str]:
    return [p.id for p in periods]


class TestParents:
    def test_a_month_climbs_to_quarter_half_and_year(self) -> None:
        may = parse("202505")
        assert may.parent() == parse("2025Q2")
        assert parse("2025Q2").parent() == parse("2025S1")
        assert parse("2025S1").parent() == parse("2025")
        assert ids(may.parents()) == ["2025Q2", "2025S1", "2025"]

    def test_a_year_has_no_parent(self) -> None:
        assert year(2025).parent() is None
        assert year(2025).parents() == ()

    def test_second_half_months_belong_to_s2(self) -> None:
        assert month(2025, 7).ancestor(PeriodType.HALF_YEAR) == half_year(2025, 2)
        assert month(2025, 6).ancestor(PeriodType.HALF_YEAR) == half_year(2025, 1)
        assert month(2025, 10).ancestor(PeriodType.QUARTER) == quarter(2025, 4)

    def test_ancestor_of_the_same_type_is_itself(self) -> None:
        assert quarter(2025, 3).ancestor(PeriodType.QUARTER) == quarter(2025, 3)

    def test_ancestor_cannot_be_finer(self) -> None:
        with pytest.raises(PeriodError, match="不能归入更短的月"):
            quarter(2025, 3).ancestor(PeriodType.MONTH)


class TestChildren:
    def test_immediate_children(self) -> None:
        assert ids(year(2025).children()) == ["2025S1", "2025S2"]
        assert ids(half_year(2025, 2).children()) == ["2025Q3", "2025Q4"]
        assert ids(quarter(2025, 2).children()) == ["202504", "202505", "202506"]
        assert month(2025, 2).children() == ()

    def test_children_of_a_given_type(self) -> None:
        assert ids(year(2025).children(PeriodType.QUARTER)) == [
            "2025Q1",
            "2025Q2",
            "2025Q3",
            "2025Q4",
        ]
        assert ids(half_year(2025, 2).children(PeriodType.MONTH)) == [
            f"2025{m:02d}" for m in range(7, 13)
        ]
        assert ids(year(2025).months()) == [f"2025{m:02d}" for m in range(1, 13)]
        assert quarter(2025, 1).children(PeriodType.QUARTER) == (quarter(2025, 1),)

    def test_children_cannot_be_coarser(self) -> None:
        with pytest.raises(PeriodError, match="不能分成更长的年"):
            quarter(2025, 1).children(PeriodType.YEAR)

    def test_periods_of_year(self) -> None:
        assert ids(periods_of_year(2024, PeriodType.HALF_YEAR)) == ["2024S1", "2024S2"]
        assert len(periods_of_year(2024, PeriodType.MONTH)) == 12


class TestContains:
    def test_a_year_contains_its_parts_and_itself(self) -> None:
        assert year(2025).contains(month(2025, 12))
        assert year(2025).contains(quarter(2025, 1))
        assert year(2025).contains(year(2025))
        assert not year(2025).contains(month(2026, 1))

    def test_a_quarter_does_not_contain_another_quarters_month(self) -> None:
        assert quarter(2025, 2).contains(month(2025, 4))
        assert not quarter(2025, 2).contains(month(2025, 7))
        assert not quarter(2025, 2).contains(quarter(2025, 3))

    def test_a_month_does_not_contain_its_quarter(self) -> None:
        assert not month(2025, 1).contains(quarter(2025, 1))

    def test_days_and_the_in_operator(self) -> None:
        assert quarter(2024, 1).contains(date(2024, 2, 29))
        assert not quarter(2024, 1).contains(date(2024, 4, 1))
        assert datetime(2025, 3, 31, 23, 59) in quarter(2025, 1)
        assert month(2025, 1) in year(2025)
        assert "202501" not in year(2025)


class TestNeighbours:
    @pytest.mark.parametrize(
        ("text", "following"),
        [
            ("2025Q4", "2026Q1"),
            ("202512", "202601"),
            ("2025S2", "2026S1"),
            ("2025", "2026"),
            ("202501", "202502"),
            ("2024Q1", "2024Q2"),
        ],
    )
    def test_next_and_previous_cross_year_ends(self, text: str, following: str) -> None:
        assert parse(text).next() == parse(following)
        assert parse(following).previous() == parse(text)

    def test_steps(self) -> None:
        assert month(2025, 1).previous(13) == month(2023, 12)
        assert month(2025, 11).next(14) == month(2027, 1)
        assert quarter(2025, 1).shift(-5) == quarter(2023, 4)
        assert quarter(2025, 1).shift(0) == quarter(2025, 1)

    def test_moving_out_of_the_supported_years_is_an_error(self) -> None:
        with pytest.raises(PeriodError, match="超出支持的年份范围"):
            month(2200, 12).next()
        with pytest.raises(PeriodError, match="超出支持的年份范围"):
            parse("190001").previous()

    @pytest.mark.parametrize(
        ("text", "last_year"),
        [
            ("2025Q3", "2024Q3"),
            ("202502", "202402"),
            ("202401", "202301"),
            ("2025S1", "2024S1"),
            ("2025", "2024"),
        ],
    )
    def test_same_period_last_year(self, text: str, last_year: str) -> None:
        assert parse(text).same_period_last_year() == parse(last_year)


class TestYearToDate:
    @pytest.mark.parametrize(
        ("text", "months"),
        [
            ("202501", 1),
            ("202503", 3),
            ("2025Q2", 6),
            ("2025S1", 6),
            ("2025Q4", 12),
            ("2025", 12),
        ],
    )
    def test_year_to_date_runs_from_january_to_the_period_end(self, text: str, months: int) -> None:
        ytd = parse(text).year_to_date()
        assert ids(ytd) == [f"2025{m:02d}" for m in range(1, months + 1)]
        assert ytd[-1].end == parse(text).end


class TestOrdering:
    def test_sorted_periods_read_like_an_outline(self) -> None:
        mixed = ["202504", "2025Q2", "2024", "202502", "2025S1", "2025", "2025Q1", "202501"]
        assert [p.id for p in sorted(parse(t) for t in mixed)] == [
            "2024",
            "2025",
            "2025S1",
            "2025Q1",
            "202501",
            "202502",
            "2025Q2",
            "202504",
        ]

    def test_comparisons(self) -> None:
        assert parse("202412") < parse("202501")
        assert parse("2025Q1") <= parse("2025Q1")
        assert parse("2026") > parse("2025S2")
        assert parse("202507") >= parse("2025S2")

    def test_comparing_with_other_types_is_a_type_error(self) -> None:
        with pytest.raises(TypeError):
            _ = parse("2025") < "2026"


class TestPeriodOf:
    def test_the_period_containing_a_day(self) -> None:
        day = date(2024, 2, 29)
        assert period_of(day, PeriodType.MONTH) == month(2024, 2)
        assert period_of(day, PeriodType.QUARTER) == quarter(2024, 1)
        assert period_of(day, PeriodType.HALF_YEAR) == half_year(2024, 1)
        assert period_of(day, PeriodType.YEAR) == year(2024)
        assert period_of(date(2025, 12, 31), PeriodType.QUARTER) == quarter(2025, 4)


class TestDueDate:
    def test_a_month_due_five_days_after_it_ends(self) -> None:
        assert month(2025, 1).due_date(5) == date(2025, 2, 5)
        assert month(2024, 2).due_date(5) == date(2024, 3, 5)
        assert month(2025, 12).due_date(5) == date(2026, 1, 5)

    def test_zero_days_is_due_on_the_last_day(self) -> None:
        assert quarter(2025, 1).due_date(0) == date(2025, 3, 31)

    def test_a_quarter_due_fifteen_days_after(self) -> None:
        assert quarter(2025, 1).due_date(15) == date(2025, 4, 15)

    def test_negative_days_are_refused(self) -> None:
        with pytest.raises(PeriodError, match="截止天数不能为负数"):
            month(2025, 1).due_date(-1)
