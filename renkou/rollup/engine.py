"""Aggregation of values over time and up the org tree, and indicators over the totals.

Everything is dense numpy arrays shaped (units, rows, elements) in path
order, so a province (≈27,000 units × 28 rows × 30 elements) is a few
hundred megabytes and each step is a handful of vectorised operations:

1. values → (units, 17 input rows, elements), NaN where nothing was reported;
2. over time, per element's aggregation: quarters, the year and year to date;
3. up the tree, one level at a time, children of a parent being contiguous
   in path order (``np.add.reduceat``): sums add, min and max stay min and
   max, averaged percentages add with a unit count;
4. indicators: each formula's SQL (``Formula.to_sql``) over one wide Arrow
   table in DuckDB, for every unit and row at once.

No value stays NaN throughout: a township with no reporting village has no
births, not zero births.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from renkou.formula import Modifier, Ref
from renkou.rollup.layout import Layout
from renkou.rollup.periods import INPUT_ROWS, N_ROWS, YEAR_ROW, annual_factors

__all__ = [
    "Tree",
    "compute",
    "decode",
    "encode",
    "presented",
    "time_aggregate",
]

FloatArray = np.ndarray


@dataclass(frozen=True)
class Tree:
    """Units in path order: ``parent`` is the index of each unit's parent, -1 at a root."""

    ids: np.ndarray
    parent: np.ndarray
    level: np.ndarray

    @classmethod
    def build(
        cls, ids: Sequence[int], parent_ids: Sequence[int | None], levels: Sequence[int]
    ) -> Tree:
        """From units listed in path order (parents before children, subtrees contiguous)."""
        id_array = np.asarray(ids, dtype=np.int64)
        position = {int(unit): index for index, unit in enumerate(id_array)}
        parent = np.array(
            [position.get(int(p), -1) if p is not None else -1 for p in parent_ids],
            dtype=np.int64,
        )
        if np.any(parent >= np.arange(len(parent))):
            raise ValueError("units must be in path order: every parent before its children")
        return cls(id_array, parent, np.asarray(levels, dtype=np.int16))

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, unit_ids: np.ndarray) -> np.ndarray:
        """Index of each unit id in the tree, -1 for ids not in it."""
        if len(self.ids) and len(unit_ids) and self.ids.min() >= 0 and self.ids.max() < 50_000_000:
            # Database ids are small integers: a direct lookup table beats sorting.
            table = np.full(int(self.ids.max()) + 1, -1, dtype=np.int64)
            table[self.ids] = np.arange(len(self.ids))
            inside = (unit_ids >= 0) & (unit_ids < len(table))
            return np.where(inside, table[np.clip(unit_ids, 0, len(table) - 1)], -1)
        order = np.argsort(self.ids, kind="stable")
        sorted_ids = self.ids[order]
        at = np.searchsorted(sorted_ids, unit_ids)
        at = np.clip(at, 0, max(len(sorted_ids) - 1, 0))
        if len(sorted_ids) == 0:
            return np.full(len(unit_ids), -1, dtype=np.int64)
        found = sorted_ids[at] == unit_ids
        return np.where(found, order[at], -1)


def _reduce(x: FloatArray, axis: int, how: str) -> FloatArray:
    """Reduce along ``axis``; NaN when every input is NaN."""
    present = ~np.isnan(x)
    any_present = present.any(axis=axis)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        if how == "sum":
            result = np.nansum(x, axis=axis)
        elif how == "average":
            result = np.nanmean(x, axis=axis)
        elif how == "min":
            result = np.nanmin(x, axis=axis)
        elif how == "max":
            result = np.nanmax(x, axis=axis)
        else:  # last: the value of the last period that has one
            size = x.shape[axis]
            last = size - 1 - np.argmax(np.flip(present, axis=axis), axis=axis)
            result = np.take_along_axis(x, np.expand_dims(last, axis), axis).squeeze(axis)
    return np.where(any_present, result, np.nan)


def _cumulative(x: FloatArray, how: str) -> FloatArray:
    """Running aggregate along axis 1 (months), for year to date."""
    present = ~np.isnan(x)
    seen = np.logical_or.accumulate(present, axis=1)
    if how == "min":
        return np.fmin.accumulate(x, axis=1)
    if how == "max":
        return np.fmax.accumulate(x, axis=1)
    if how == "last":
        index = np.where(present, np.arange(x.shape[1])[None, :, None], -1)
        index = np.maximum.accumulate(index, axis=1)
        filled = np.take_along_axis(x, np.maximum(index, 0), axis=1)
        return np.where(index >= 0, filled, np.nan)
    total = np.nancumsum(x, axis=1)
    if how == "sum":
        return np.where(seen, total, np.nan)
    counts = np.cumsum(present, axis=1)
    with np.errstate(all="ignore"):
        return np.where(counts > 0, total / np.maximum(counts, 1), np.nan)


def time_aggregate(layout: Layout, values: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(units, 17 input rows, elements) → totals (units, 28, elements) and unit counts.

    Quarters, the year and year to date come from the months; where a unit
    has no monthly values for an element, reported quarter and year values
    are used instead.
    """
    units = values.shape[0]
    # Elements of one aggregation are made neighbours, so every step below
    # works on plain slices (views) rather than gathered copies.
    order = sorted(range(layout.n_elements), key=lambda i: layout.elements[i].aggregation)
    identity = order == list(range(layout.n_elements))
    grouped = values if identity else values[:, :, order]
    result = np.full((units, N_ROWS, layout.n_elements), np.nan)
    start = 0
    while start < len(order):
        how = layout.elements[order[start]].aggregation
        stop = start
        while stop < len(order) and layout.elements[order[stop]].aggregation == how:
            stop += 1
        width = stop - start
        part = grouped[:, :, start:stop]
        months = part[:, :12]
        by_quarter = _reduce(months.reshape(units, 4, 3, width), 2, how)
        quarters = np.where(np.isnan(by_quarter), part[:, 12:16], by_quarter)
        running = _cumulative(months, how)
        year = running[:, 11]
        year = np.where(np.isnan(year), _reduce(quarters, 1, how), year)
        year = np.where(np.isnan(year), part[:, YEAR_ROW], year)
        block = result[:, :, start:stop]
        block[:, :12] = months
        block[:, 12:16] = quarters
        block[:, YEAR_ROW] = year
        block[:, 17:] = running[:, :11]
        start = stop
    if identity:
        out = result
    else:
        out = np.empty_like(result)
        out[:, :, order] = result
    counted = list(layout.counted)
    counts = (~np.isnan(out[:, :, counted])).astype(np.float64)
    return out, counts


def _roll_up(layout: Layout, tree: Tree, totals: FloatArray, counts: FloatArray) -> None:
    """Add every unit's totals into its parent, deepest level first (in place)."""
    additive = [i for i, e in enumerate(layout.elements) if e.aggregation not in ("min", "max")]
    minimum = [i for i, e in enumerate(layout.elements) if e.aggregation == "min"]
    maximum = [i for i, e in enumerate(layout.elements) if e.aggregation == "max"]
    counted = list(layout.counted)
    for level in sorted({int(x) for x in tree.level}, reverse=True):
        kids = np.flatnonzero((tree.level == level) & (tree.parent >= 0))
        if len(kids) == 0:
            continue
        parents = tree.parent[kids]
        # Children of one parent are contiguous in path order, so their
        # parents form runs; reduceat sums each run.
        order = np.argsort(parents, kind="stable")
        kids, parents = kids[order], parents[order]
        starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
        targets = parents[starts]
        block = totals[kids]
        own = totals[targets]
        if additive:
            part = block[:, :, additive]  # a copy: zeroing its gaps in place is safe
            missing = np.isnan(part)
            present = np.logical_or.reduceat(~missing, starts, axis=0)
            part[missing] = 0.0
            summed = np.add.reduceat(part, starts, axis=0)
            mine = own[:, :, additive]
            has = present | ~np.isnan(mine)
            own[:, :, additive] = np.where(has, np.nan_to_num(mine, nan=0.0) + summed, np.nan)
        if minimum:
            low = np.fmin.reduceat(block[:, :, minimum], starts, axis=0)
            own[:, :, minimum] = np.fmin(own[:, :, minimum], low)
        if maximum:
            high = np.fmax.reduceat(block[:, :, maximum], starts, axis=0)
            own[:, :, maximum] = np.fmax(own[:, :, maximum], high)
        totals[targets] = own
        if counted:
            counts[targets] += np.add.reduceat(counts[kids], starts, axis=0)


def presented(layout: Layout, totals: FloatArray, counts: FloatArray) -> FloatArray:
    """Totals as people read them: averaged percentages divided by their unit count."""
    if not layout.counted:
        return totals
    shown = totals.copy()
    counted = list(layout.counted)
    with np.errstate(all="ignore"):
        shown[:, :, counted] = np.where(
            counts > 0, totals[:, :, counted] / np.maximum(counts, 1), np.nan
        )
    return shown


# Where ``.previous`` and ``.ytd`` point from each row (see rollup.periods).
# Previous: -1 none, otherwise a row of this year; rows 0, 12 and 16 read the
# previous year's December, fourth quarter and year.
_PREVIOUS_SAME_YEAR = [*range(-1, 11), -1, 12, 13, 14, -1, -1, *range(17, 27)]
_PREVIOUS_LAST_YEAR = {0: 11, 12: 15, 16: 16}
# Year to date: months 1–11 → their running totals, December and the fourth
# quarter → the year, quarters 1–3 → through March, June, September.
_YTD = [*range(17, 28), YEAR_ROW, 19, 22, 25, YEAR_ROW, YEAR_ROW, *range(17, 28)]
assert len(_PREVIOUS_SAME_YEAR) == N_ROWS and len(_YTD) == N_ROWS


def _column(
    ref: Ref, shown: FloatArray, previous_year: FloatArray | None, index: int
) -> FloatArray:
    units = shown.shape[0]
    if ref.modifier == Modifier.CURRENT:
        return shown[:, :, index]
    column = np.full((units, N_ROWS), np.nan)
    if ref.modifier == Modifier.YTD:
        return shown[:, _YTD, index]
    rows = np.array(_PREVIOUS_SAME_YEAR)
    valid = rows >= 0
    column[:, valid] = shown[:, rows[valid], index]
    if previous_year is not None:
        for row, source in _PREVIOUS_LAST_YEAR.items():
            column[:, row] = previous_year[:, source, index]
    return column


def _sql_name(position: int) -> str:
    return f'"c{position}"'


def indicator_values(
    layout: Layout, shown: FloatArray, previous_year: FloatArray | None = None
) -> FloatArray:
    """Every indicator for every unit and row, (units, 28, indicators), NaN for no value."""
    units = shown.shape[0]
    if not layout.indicators or units == 0:
        return np.full((units, N_ROWS, len(layout.indicators)), np.nan)
    refs = layout.references()
    names = {ref: _sql_name(i) for i, ref in enumerate(refs)}
    columns: dict[str, pa.Array] = {}
    for ref, name in names.items():
        data = _column(ref, shown, previous_year, layout.element_index(ref.code))
        # NaN becomes NULL, so coalesce() and the no-value rules of to_sql apply.
        flat = data.reshape(-1)
        columns[name.strip('"')] = pa.array(flat, type=pa.float64(), mask=np.isnan(flat))
    factors = np.tile(np.array(annual_factors()), units)
    columns["annual"] = pa.array(factors, type=pa.float64())
    table = pa.table(columns)
    selects = []
    for index, indicator in enumerate(layout.indicators):
        numerator, denominator = indicator.formulas()
        top = numerator.to_sql(lambda ref: names[ref])
        bottom = denominator.to_sql(lambda ref: names[ref])
        scale = f"CAST({float(indicator.factor)!r} AS DOUBLE PRECISION)"
        if indicator.annualized:
            scale = f"({scale} * annual)"
        selects.append(f"(({top}) / NULLIF(({bottom}), 0)) * {scale} AS i{index}")
    connection = duckdb.connect()
    try:
        connection.execute("SET threads TO 2")
        connection.register("wide", table)
        # The SQL comes from parsed formulas (Formula.to_sql), never from raw text.
        query = "SELECT " + ", ".join(selects) + " FROM wide"  # noqa: S608
        result = connection.execute(query).fetchnumpy()
    finally:
        connection.close()
    out = np.empty((units * N_ROWS, len(layout.indicators)))
    for index in range(len(layout.indicators)):
        column = result[f"i{index}"]
        # DuckDB hands back a masked array when some rows are NULL.
        column = np.ma.filled(np.ma.asarray(column, dtype=np.float64), np.nan)
        out[:, index] = column
    out[~np.isfinite(out)] = np.nan
    return out.reshape(units, N_ROWS, len(layout.indicators))


def dense_values(layout: Layout, tree: Tree, values: pa.Table) -> FloatArray:
    """Arrow (unit, row, element, value) → (units, 17, elements); unknown units are dropped."""
    dense = np.full((len(tree), INPUT_ROWS, layout.n_elements), np.nan)
    if values.num_rows == 0:
        return dense

    def column(name: str, kind: type) -> np.ndarray:
        array = values.column(name).combine_chunks().to_numpy(zero_copy_only=False)
        return np.asarray(array, dtype=kind)

    units = tree.positions(column("unit", np.int64))
    rows = column("row", np.int64)
    elements = column("element", np.int64)
    numbers = column("value", np.float64)
    bad = (units < 0) | (rows < 0) | (rows >= INPUT_ROWS) | (elements < 0)
    bad |= elements >= layout.n_elements
    if bad.any():
        keep = ~bad
        units, rows, elements, numbers = units[keep], rows[keep], elements[keep], numbers[keep]
    # One flat index per value, built in place to spare a few copies of 9 million.
    flat = units
    flat *= INPUT_ROWS
    flat += rows
    flat *= layout.n_elements
    flat += elements
    dense.reshape(-1)[flat] = numbers
    return dense


def compute(
    layout: Layout,
    tree: Tree,
    values: pa.Table,
    *,
    fixed: dict[int, FloatArray] | None = None,
    previous_year: FloatArray | None = None,
) -> FloatArray:
    """Cubes (units, 28, slots) for every unit of ``tree``.

    ``values`` is an Arrow table (unit id, row 0–16, element position, value).
    ``fixed`` gives, by tree position, element slots already computed for a
    unit (its stored cube), used as they are instead of its own values;
    the rollup after a change keeps the untouched siblings that way.
    ``previous_year`` holds last year's presented element totals for the same
    units, for ``.previous`` in January, the first quarter and the year.
    """
    totals, counts = time_aggregate(layout, dense_values(layout, tree, values))
    for position, stored in (fixed or {}).items():
        totals[position] = stored[:, : layout.n_elements]
        counts[position] = stored[:, layout.n_elements : layout.n_element_slots]
    _roll_up(layout, tree, totals, counts)
    shown = presented(layout, totals, counts)
    cubes = np.empty((len(tree), N_ROWS, layout.n_slots))
    cubes[:, :, layout.n_element_slots :] = indicator_values(layout, shown, previous_year)
    cubes[:, :, : layout.n_elements] = totals
    del totals, shown
    cubes[:, :, layout.n_elements : layout.n_element_slots] = counts
    return cubes


def with_indicators(
    layout: Layout, cubes: FloatArray, previous_year: FloatArray | None
) -> FloatArray:
    """The same cubes with their indicators computed again (e.g. after last year changed)."""
    totals = cubes[:, :, : layout.n_elements]
    counts = cubes[:, :, layout.n_elements : layout.n_element_slots]
    shown = presented(layout, totals, counts)
    indicators = indicator_values(layout, shown, previous_year)
    return np.concatenate([totals, counts, indicators], axis=2)


def shown_elements(layout: Layout, cubes: FloatArray) -> FloatArray:
    """Presented element totals (units, 28, elements) of stored cubes."""
    return presented(
        layout,
        cubes[:, :, : layout.n_elements],
        cubes[:, :, layout.n_elements : layout.n_element_slots],
    )


def encode(cube: FloatArray) -> bytes:
    return np.ascontiguousarray(cube, dtype="<f8").tobytes()


def decode(layout: Layout, data: bytes | memoryview) -> FloatArray:
    array = np.frombuffer(bytes(data), dtype="<f8")
    return array.reshape(N_ROWS, layout.n_slots)
