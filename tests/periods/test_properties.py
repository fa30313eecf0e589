"""Invariants that must hold for every period, checked with hypothesis."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from renkou.periods import (
    MAX_YEAR,
    MIN_YEAR,
    Period,
    PeriodError,
    PeriodType,
    latest_due,
    parse,
    period_of,
)

period_types = st.sampled_from(list(PeriodType))


@st.composite
def periods(draw: st.DrawFn, period_type: PeriodType | None = None) -> Period:
    chosen = period_type or draw(period_types)
    # Keep one year clear of each end so next()/previous() stay in range.
    value = draw(st.integers(MIN_YEAR + 1, MAX_YEAR - 1))
    return Period(chosen, value, draw(st.integers(1, chosen.per_year)))


days = st.dates(min_value=date(MIN_YEAR + 1, 1, 1), max_value=date(MAX_YEAR - 1, 12, 31))


@given(periods())
def test_the_id_parses_back_to_the_same_period(period: Period) -> None:
    assert parse(str(period)) == period
    assert parse(period.id.lower()) == period


@given(periods())
def test_next_and_previous_are_inverse_and_adjacent(period: Period) -> None:
    following = period.next()
    assert following.previous() == period
    assert period < following
    assert following.start == period.end + timedelta(days=1)


@given(periods())
def test_children_tile_their_parent_exactly(period: Period) -> None:
    for child_type in PeriodType:
        if period.type.is_finer_than(child_type):
            continue
        children = period.children(child_type)
        assert children[0].start == period.start
        assert children[-1].end == period.end
        for left, right in itertools.pairwise(children):
            assert right.start == left.end + timedelta(days=1)
        assert all(period.contains(child) for child in children)
        assert all(child.ancestor(period.type) == period for child in children)


@given(periods(), periods())
def test_order_follows_start_date_then_length(a: Period, b: Period) -> None:
    assert (a < b) == ((a.start, -a.type.months) < (b.start, -b.type.months))
    assert (a == b) == (a.start == b.start and a.type is b.type)


@given(days, period_types)
def test_period_of_contains_the_day(day: date, period_type: PeriodType) -> None:
    period = period_of(day, period_type)
    assert period.start <= day <= period.end
    assert period.type is period_type


@given(periods())
def test_same_period_last_year_is_one_year_back(period: Period) -> None:
    last = period.same_period_last_year()
    assert last.type is period.type
    assert last.index == period.index
    assert last.year == period.year - 1


@given(periods())
def test_year_to_date_is_january_to_the_period_end(period: Period) -> None:
    months = period.year_to_date()
    assert months[0].start == date(period.year, 1, 1)
    assert months[-1].end == period.end


@given(days, period_types, st.integers(0, 120))
def test_the_latest_due_period_is_due_and_its_successor_is_not(
    as_of: date, period_type: PeriodType, due_days: int
) -> None:
    latest = latest_due(period_type, as_of, due_days)
    assert latest is not None
    assert latest.due_date(due_days) <= as_of
    assert latest.next().due_date(due_days) > as_of


@given(st.text(max_size=12))
def test_arbitrary_text_either_parses_or_raises_period_error(text: str) -> None:
    try:
        period = parse(text)
    except PeriodError as error:
        problem = error
    else:
        assert parse(period.id) == period
        return
    assert str(problem)
    assert problem.message_en
