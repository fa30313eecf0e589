"""Reported figures of a code for a few units, read from the stored rollup cubes.

A cube holds 28 rows per slot (months 1–12, quarters, the year, year to date
through months 1–11; see renkou.rollup.periods). The slot of a code is found
the way analytics finds it, so an average element is divided by its count.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from renkou.reporting.analytics import AnalyticsError, Item, catalogue_items, slots_of
from renkou.reporting.rollups import read_cubes
from renkou.rollup.periods import YEAR_ROW

__all__ = ["MONTH_ROWS", "YEAR_ROW", "Item", "columns", "item_of", "series", "ytd_row"]

MONTH_ROWS = list(range(12))


def ytd_row(month: int) -> int:
    """The cube row holding the year to date through ``month`` (1–12)."""
    return YEAR_ROW if month == 12 else 16 + month


def columns(
    codes: Iterable[str], year: int, unit_ids: Iterable[int]
) -> dict[str, dict[int, np.ndarray]]:
    """Per code and unit, the code's 28 cube rows for the year (NaN where
    nothing was reported); units without a cube and unknown codes are left out.
    The cubes are read once for all codes."""
    items = []
    for code in dict.fromkeys(codes):
        try:
            found, _fingerprint = catalogue_items((code,))
        except AnalyticsError:
            continue
        items.append(found[0])
    out: dict[str, dict[int, np.ndarray]] = {item.code: {} for item in items}
    if not items:
        return out
    for unit_id, cube in read_cubes(unit_ids, year).items():
        for item in items:
            slot, count_slot = slots_of(cube.layout, item)
            if slot is None:
                continue
            column = np.array(cube.data[:, slot], dtype=float)
            if count_slot is not None:
                counts = cube.data[:, count_slot]
                with np.errstate(all="ignore"):
                    column = np.where(counts > 0, column / counts, np.nan)
            out[item.code][unit_id] = column
    return out


def series(code: str, year: int, unit_ids: Iterable[int]) -> dict[int, np.ndarray]:
    """:func:`columns` for one code."""
    return columns([code], year, unit_ids).get(code, {})


def item_of(code: str) -> Item | None:
    """The catalogue's name, unit and decimals of a code (None if unknown)."""
    try:
        found, _fingerprint = catalogue_items((code,))
    except AnalyticsError:
        return None
    return found[0]
