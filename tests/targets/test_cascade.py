"""The cascade kernel: parts add up, stay near their quota, follow the weights."""

from __future__ import annotations

import doctest
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkou.targets import cascade
from renkou.targets.cascade import CascadeError, copy_band, copy_rate, split, split_count

weights_st = st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=60)
wholes_st = st.integers(min_value=0, max_value=1_000_000)


def test_the_docstring_examples_hold() -> None:
    result = doctest.testmod(cascade)
    assert result.attempted >= 6
    assert result.failed == 0


def test_hand_worked_population_split() -> None:
    # Quotas 12.34, 56.78, 30.88; floors 12+56+30 = 98; remainders .88 and .78 win.
    assert split_count(100, [1234, 5678, 3088]) == [12, 57, 31]


def test_a_tie_goes_to_the_larger_weight_then_the_earlier_unit() -> None:
    # 3 over weights 1, 2, 1, 2: quotas .5, 1, .5, 1 → floors 0, 1, 0, 1; one left;
    # the two .5 remainders tie on weight too, so the earlier unit wins.
    assert split_count(3, [1, 2, 1, 2]) == [1, 1, 0, 1]
    # 1 over weights 1 and 3 of 4 quarters: quotas .25/.75 → the larger remainder wins.
    assert split_count(1, [1, 3]) == [0, 1]
    # 2 over 3, 3, 6 of a whole of 2 ... quotas .5, .5, 1 → the tie goes to the first.
    assert split_count(2, [3, 3, 6]) == [1, 0, 1]


def test_equal_and_all_zero_weights_split_evenly() -> None:
    assert split_count(10, [1, 1, 1]) == [4, 3, 3]
    assert split_count(7, [0, 0]) == [4, 3]
    assert split_count(0, [5, 0, 2]) == [0, 0, 0]


def test_a_zero_weight_among_others_gets_nothing() -> None:
    assert split_count(9, [0, 1, 2]) == [0, 3, 6]


def test_bad_input_is_refused_with_a_message() -> None:
    with pytest.raises(CascadeError, match="负数"):
        split(10, [1, -1])
    with pytest.raises(CascadeError, match="负数"):
        split(-1, [1])
    with pytest.raises(CascadeError, match="下级单位"):
        split(10, [])
    with pytest.raises(CascadeError, match="整数"):
        split(2.5, [1])  # type: ignore[arg-type]
    with pytest.raises(CascadeError, match="有限"):
        split(3, [float("nan")])


def test_decimal_and_float_weights_are_exact() -> None:
    parts = split(10, [Decimal("0.1"), 0.2, Fraction(7, 10)])
    assert [p.share for p in parts] == [Fraction(1, 10), Fraction(2, 10), Fraction(7, 10)]
    assert [p.value for p in parts] == [1, 2, 7]


@given(whole=wholes_st, weights=weights_st)
def test_parts_always_add_up_to_the_whole(whole: int, weights: list[int]) -> None:
    assert sum(split_count(whole, weights)) == whole


@given(whole=wholes_st, weights=weights_st)
def test_every_part_is_within_one_of_its_quota(whole: int, weights: list[int]) -> None:
    for part in split(whole, weights):
        assert part.value >= 0
        assert abs(part.value - part.quota) < 1


@given(whole=wholes_st, weights=weights_st)
def test_a_larger_weight_never_gets_a_smaller_part(whole: int, weights: list[int]) -> None:
    parts = split(whole, weights)
    for a in parts:
        for b in parts:
            if a.weight > b.weight:
                assert a.value >= b.value


@given(whole=wholes_st, n=st.integers(min_value=1, max_value=40))
def test_equal_weights_differ_by_at_most_one(whole: int, n: int) -> None:
    values = split_count(whole, [1] * n)
    assert max(values) - min(values) <= 1
    assert values == sorted(values, reverse=True)


def test_rates_are_copied_with_adjustments() -> None:
    assert copy_rate(Decimal("95"), [1, 2, 3], {3: Decimal("-5")}) == {
        1: Decimal("95"),
        2: Decimal("95"),
        3: Decimal("90"),
    }
    assert copy_band(Decimal("103"), Decimal("107"), [1, 2]) == {
        1: (Decimal("103"), Decimal("107")),
        2: (Decimal("103"), Decimal("107")),
    }
    with pytest.raises(CascadeError, match="下级单位"):
        copy_rate(Decimal("95"), [1], {9: Decimal("1")})
    with pytest.raises(CascadeError, match="下限"):
        copy_band(Decimal("108"), Decimal("107"), [1])
