"""Ranges of periods, periods that have ended, and reports that are due."""

from __future__ import annotations

from datetime import date

import pytest

from renkou.periods import (
    Period,
    PeriodError,
    PeriodType,
    latest_due,
    latest_ended,
    month,
    parse,
    period_range,
    periods_due_by,
    periods_ended_by,
    quarter,
)


def ids(periods: tuple[Period, ...]) -> list[str]:
    return [p.id for p in periods]


class TestRange:
    def test_it_is_inclusive_and_crosses_years(self) -> None:
        assert ids(period_range(parse("202411"), parse("202502"))) == [
            "202411",
            "202412",
            "202501",
            "202502",
        ]
        assert ids(period_range(parse("2024Q4"), parse("2025Q1"))) == ["2024Q4", "2025Q1"]

    def test_a_single_period(self) -> None:
        assert period_range(parse("2025"), parse("2025")) == (parse("2025"),)

    def test_mixed_types_are_refused(self) -> None:
        with pytest.raises(PeriodError, match="起止类型不同"):
            period_range(parse("202501"), parse("2025Q2"))

    def test_a_reversed_range_is_refused(self) -> None:
        with pytest.raises(PeriodError, match="早于开始"):
            period_range(parse("202512"), parse("202501"))


class TestEnded:
    def test_the_last_day_counts_as_ended(self) -> None:
        assert latest_ended(PeriodType.MONTH, date(2025, 1, 31)) == month(2025, 1)
        assert latest_ended(PeriodType.MONTH, date(2025, 1, 30)) == month(2024, 12)
        assert latest_ended(PeriodType.QUARTER, date(2025, 5, 10)) == quarter(2025, 1)

    def test_periods_ended_by_a_date(self) -> None:
        ended = periods_ended_by(PeriodType.MONTH, date(2025, 4, 15), since=date(2025, 1, 1))
        assert ids(ended) == ["202501", "202502", "202503"]

    def test_since_may_be_a_period(self) -> None:
        ended = periods_ended_by(PeriodType.QUARTER, date(2025, 12, 31), since=quarter(2025, 2))
        assert ids(ended) == ["2025Q2", "2025Q3", "2025Q4"]

    def test_since_a_day_starts_at_the_period_containing_it(self) -> None:
        ended = periods_ended_by(PeriodType.MONTH, date(2025, 3, 31), since=date(2025, 2, 14))
        assert ids(ended) == ["202502", "202503"]

    def test_nothing_ended_yet(self) -> None:
        assert periods_ended_by(PeriodType.YEAR, date(2025, 6, 1), since=date(2025, 1, 1)) == ()

    def test_since_of_another_type_is_refused(self) -> None:
        with pytest.raises(PeriodError, match="不是月"):
            periods_ended_by(PeriodType.MONTH, date(2025, 6, 1), since=quarter(2025, 1))

    def test_nothing_ended_before_the_first_supported_period(self) -> None:
        assert latest_ended(PeriodType.YEAR, date(1900, 6, 1)) is None


class TestDue:
    def test_a_monthly_report_due_on_day_five(self) -> None:
        def due(as_of: date) -> list[str]:
            return ids(periods_due_by(PeriodType.MONTH, as_of, 5, since=date(2025, 1, 1)))

        assert due(date(2025, 2, 4)) == []
        assert due(date(2025, 2, 5)) == ["202501"]
        assert due(date(2025, 3, 4)) == ["202501"]
        assert due(date(2025, 3, 5)) == ["202501", "202502"]

    def test_latest_due(self) -> None:
        assert latest_due(PeriodType.MONTH, date(2025, 3, 5), 5) == month(2025, 2)
        assert latest_due(PeriodType.MONTH, date(2025, 3, 4), 5) == month(2025, 1)
        assert latest_due(PeriodType.QUARTER, date(2025, 4, 15), 15) == quarter(2025, 1)
        assert latest_due(PeriodType.QUARTER, date(2025, 4, 14), 15) == quarter(2024, 4)

    def test_a_due_day_longer_than_a_month(self) -> None:
        # Due 40 days after the month ends: on 2025-03-12 only January (due 03-12) is due.
        due = periods_due_by(PeriodType.MONTH, date(2025, 3, 12), 40, since=month(2025, 1))
        assert ids(due) == ["202501"]

    def test_quarterly_reports(self) -> None:
        due = periods_due_by(PeriodType.QUARTER, date(2026, 1, 10), 10, since=quarter(2025, 1))
        assert ids(due) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]

    def test_negative_due_days_are_refused(self) -> None:
        with pytest.raises(PeriodError, match="截止天数不能为负数"):
            periods_due_by(PeriodType.MONTH, date(2025, 3, 5), -1, since=date(2025, 1, 1))

    def test_nothing_due_before_the_first_supported_period(self) -> None:
        assert latest_due(PeriodType.MONTH, date(1900, 1, 10), 30) is None
        assert latest_due(PeriodType.MONTH, date(1, 1, 10), 30) is None
