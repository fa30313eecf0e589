"""Hypothesis strategies shared by the demography tests."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from renkou.demography import LifeTable, life_table

ABRIDGED_AGES = [0, 1, *range(5, 90, 5)]


@st.composite
def single_year_tables(draw: st.DrawFn, *, max_age: int = 100) -> LifeTable:
    """Single-year life tables from arbitrary (not necessarily smooth) death rates.

    Rates up to 0.9 keep q below 1 whatever ax a rule picks (q ≤ m when n = 1).
    """
    open_age = draw(st.integers(min_value=3, max_value=max_age))
    rates = draw(
        st.lists(
            st.floats(min_value=1e-5, max_value=0.9),
            min_size=open_age + 1,
            max_size=open_age + 1,
        )
    )
    return life_table(
        list(range(open_age + 1)),
        mx=rates,
        sex=draw(st.sampled_from(["male", "female", None])),
        a0_rule=draw(st.sampled_from(["coale_demeny", "andreev_kingkade"])),
        ax_rule=draw(st.sampled_from(["half", "un_greville"])),
    )


@st.composite
def abridged_tables(draw: st.DrawFn) -> LifeTable:
    # Above about 0.2 a five-year interval could not hold its deaths with ax
    # near the interval's end; real five-year rates stay far below that.
    rates = draw(
        st.lists(
            st.floats(min_value=1e-5, max_value=0.19),
            min_size=len(ABRIDGED_AGES),
            max_size=len(ABRIDGED_AGES),
        )
    )
    return life_table(
        ABRIDGED_AGES,
        mx=rates,
        sex=draw(st.sampled_from(["male", "female", None])),
        a0_rule=draw(st.sampled_from(["coale_demeny", "andreev_kingkade"])),
        ax_rule=draw(st.sampled_from(["half", "un_greville"])),
    )


def populations(size: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.floats(min_value=0, max_value=1e6), min_size=size, max_size=size)


def fertility(ages: list[int], *, zero: bool = False) -> st.SearchStrategy[np.ndarray]:
    """ASFR that are zero outside ages 15-49, as the kernel requires."""
    fertile = [15 <= age <= 49 for age in ages]
    if zero:
        return st.just(np.zeros(len(ages)))
    return st.lists(
        st.floats(min_value=0, max_value=0.3), min_size=len(ages), max_size=len(ages)
    ).map(lambda rates: np.where(fertile, rates, 0.0))
