"""The rollup kernel against sums worked out by hand on a tiny tree."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from renkou.rollup import (
    N_ROWS,
    YEAR_ROW,
    ElementDef,
    IndicatorDef,
    Layout,
    Tree,
    compute,
    decode,
    encode,
    row_ids,
    row_label,
    row_of,
    shown_elements,
    with_indicators,
)

# A county (1) with two townships (2, 5); township 2 has villages 3 and 4,
# township 5 has village 6.
TREE = Tree.build([1, 2, 3, 4, 5, 6], [None, 1, 2, 2, 1, 5], [3, 4, 5, 5, 4, 5])


def values(rows: list[tuple[int, int, int, int]] | list[tuple[int, int, int, float]]) -> pa.Table:
    unit, row, element, value = zip(*rows, strict=True) if rows else ((), (), (), ())
    return pa.table(
        {
            "unit": pa.array(unit, pa.int64()),
            "row": pa.array(row, pa.int64()),
            "element": pa.array(element, pa.int64()),
            "value": pa.array(value, pa.float64()),
        }
    )


def test_sums_add_over_months_and_up_the_tree():
    layout = Layout((ElementDef("births"),))
    cubes = compute(
        layout,
        TREE,
        values([(3, 0, 0, 2), (3, 1, 0, 3), (4, 1, 0, 1), (6, 3, 0, 4)]),
    )
    births = cubes[:, :, 0]
    assert births[1, 0] == 2 and births[1, 1] == 4  # township 2, Jan and Feb
    assert births[1, 12] == 6  # township 2, first quarter
    assert births[0, 12] == 6 and births[0, 13] == 4  # county Q1, Q2
    assert births[0, YEAR_ROW] == 10
    assert births[0, 17] == 2 and births[0, 18] == 6 and births[0, 20] == 10  # year to date
    # A township with no values has no value, not zero.
    assert math.isnan(births[4, 0]) and births[4, 3] == 4


def test_last_takes_the_latest_month_per_village_then_adds_villages():
    layout = Layout((ElementDef("population", "last"),))
    cubes = compute(
        layout,
        TREE,
        values([(3, 0, 0, 100), (3, 2, 0, 110), (4, 0, 0, 50), (4, 1, 0, 55)]),
    )
    population = cubes[:, :, 0]
    assert population[2, 12] == 110  # village 3, Q1: March
    assert population[3, 12] == 55  # village 4, Q1: February (no March value)
    assert population[1, 12] == 165
    assert population[1, 1] == 55  # February: only village 4 reported
    assert population[1, 17 + 1] == 155  # year to date through Feb: 100 + 55


def test_average_is_over_time_and_summed_over_units_except_percentages():
    layout = Layout((ElementDef("visited", "average"), ElementDef("share", "average", True)))
    cubes = compute(
        layout,
        TREE,
        values([(3, 0, 0, 4), (3, 1, 0, 6), (4, 0, 0, 2), (3, 0, 1, 80), (4, 0, 1, 60)]),
    )
    shown = shown_elements(layout, cubes)
    assert shown[2, 12, 0] == 5  # village 3: mean of 4 and 6
    assert shown[1, 12, 0] == 7  # township: 5 + 2
    assert shown[1, 0, 1] == 70  # percentages are averaged over villages
    assert cubes[1, 0, 2] == 2  # ... with the count of villages kept


def test_min_and_max_stay_min_and_max():
    layout = Layout((ElementDef("low", "min"), ElementDef("high", "max")))
    cubes = compute(layout, TREE, values([(3, 0, 0, 5), (4, 0, 0, 3), (3, 0, 1, 5), (4, 2, 1, 9)]))
    assert cubes[0, 0, 0] == 3 and cubes[0, 12, 1] == 9


def test_quarter_and_year_values_are_used_where_there_are_no_months():
    layout = Layout((ElementDef("places", "last"),))
    cubes = compute(layout, TREE, values([(3, 12, 0, 20), (3, 13, 0, 25), (4, YEAR_ROW, 0, 7)]))
    assert cubes[2, YEAR_ROW, 0] == 25
    assert cubes[1, YEAR_ROW, 0] == 32


def test_indicators_divide_totals_and_explain_no_value_as_nan():
    layout = Layout(
        (ElementDef("b"), ElementDef("f")),
        (IndicatorDef("srb", "#{b}", "#{f}", 100),),
    )
    cubes = compute(layout, TREE, values([(3, 0, 0, 6), (3, 0, 1, 5), (4, 0, 0, 3), (4, 0, 1, 0)]))
    slot = layout.indicator_slot("srb")
    assert cubes[2, 0, slot] == pytest.approx(120)
    assert math.isnan(cubes[3, 0, slot])  # division by zero: no value
    assert cubes[1, 0, slot] == pytest.approx(180)  # township: 9 / 5 × 100


def test_annualised_rates_and_previous_and_year_to_date_modifiers():
    layout = Layout(
        (ElementDef("births"), ElementDef("population", "last")),
        (
            IndicatorDef(
                "cbr",
                "#{births}",
                "(coalesce(#{population}.previous, #{population}) + #{population}) / 2",
                1000,
                True,
            ),
            IndicatorDef("cum", "#{births}.ytd", "1"),
        ),
    )
    rows = [(3, 0, 0, 1), (3, 0, 1, 1000), (3, 1, 0, 2), (3, 1, 1, 1000)]
    cubes = compute(layout, TREE, values(rows))
    cbr = layout.indicator_slot("cbr")
    assert cubes[2, 0, cbr] == pytest.approx(12)  # 1 / 1000 × 1000 × 12 months
    assert cubes[2, 1, cbr] == pytest.approx(24)
    assert cubes[2, 1, layout.indicator_slot("cum")] == 3
    # January reads December of last year for .previous, when it is given.
    previous = np.full((len(TREE), N_ROWS, 2), np.nan)
    previous[2, 11, 1] = 1000 * 3  # population last December
    again = compute(layout, TREE, values(rows), previous_year=previous)
    assert again[2, 0, cbr] == pytest.approx(1 / 2000 * 1000 * 12)


def test_stored_cubes_stand_in_for_children_after_a_change():
    layout = Layout((ElementDef("births"),))
    full = compute(layout, TREE, values([(3, 0, 0, 2), (4, 0, 0, 1), (6, 0, 0, 4)]))
    # Village 3 changes to 5: recompute 3, 2 and 1 with 4 and 5 fixed from storage.
    chain = Tree.build([1, 2, 3, 4, 5], [None, 1, 2, 2, 1], [3, 4, 5, 5, 4])
    fixed = {3: full[3], 4: full[4]}
    partial = compute(layout, chain, values([(3, 0, 0, 5)]), fixed=fixed)
    assert partial[0, 0, 0] == 10 and partial[1, 0, 0] == 6


def test_cubes_round_trip_through_bytes_and_indicators_can_be_redone():
    layout = Layout((ElementDef("a"),), (IndicatorDef("double", "#{a} * 2"),))
    cubes = compute(layout, TREE, values([(3, 0, 0, 2)]))
    back = decode(layout, encode(cubes[2]))
    assert np.array_equal(back, cubes[2], equal_nan=True)
    redone = with_indicators(layout, cubes, None)
    assert redone[2, 0, 1] == 4


def test_a_tree_out_of_path_order_is_refused():
    with pytest.raises(ValueError, match="path order"):
        Tree.build([2, 1], [1, None], [4, 3])


def test_period_rows_and_labels():
    ids = row_ids(2025)
    assert len(ids) == N_ROWS
    assert ids[0] == "202501" and ids[12] == "2025Q1" and ids[YEAR_ROW] == "2025"
    assert ids[17] == "202501YTD" and ids[-1] == "202511YTD"
    assert row_of("202512YTD") == (2025, YEAR_ROW)
    assert row_of("2025q3") == (2025, 14)
    assert row_label(2025, 19) == "2025年1–3月累计"
    with pytest.raises(ValueError, match="半年"):
        row_of("2025S1")


def test_a_layout_refuses_indicators_on_unknown_elements():
    with pytest.raises(ValueError, match="unknown"):
        Layout((ElementDef("a"),), (IndicatorDef("x", "#{b}"),))
