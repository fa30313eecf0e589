"""Rollups (pure-ish: numpy, Arrow and DuckDB, no Django): every element total and
indicator for every unit of a tree and every period of a year.

The reporting app loads values and the org tree from the database as Arrow,
calls :func:`compute`, and stores one cube per unit and year (see
``reporting.rollups``). The same functions recompute just the chain of units
above a changed value, reusing the stored cubes of their other children.

>>> from renkou.rollup import ElementDef, IndicatorDef, Layout, Tree, compute
>>> import pyarrow as pa
>>> layout = Layout((ElementDef("b"), ElementDef("p", "last")),
...                 (IndicatorDef("rate", "#{b}", "#{p}", 1000),))
>>> tree = Tree.build([1, 2, 3], [None, 1, 1], [4, 5, 5])
>>> values = pa.table({"unit": [2, 3, 2, 3], "row": [0, 0, 0, 0],
...                    "element": [0, 0, 1, 1], "value": [3.0, 1.0, 500.0, 300.0]})
>>> cubes = compute(layout, tree, values)
>>> float(cubes[0, 0, 0]), float(cubes[0, 0, 2])   # township: 4 births, 5‰
(4.0, 5.0)
"""

from __future__ import annotations

from renkou.rollup.engine import (
    Tree,
    compute,
    decode,
    encode,
    indicator_values,
    presented,
    shown_elements,
    time_aggregate,
    with_indicators,
)
from renkou.rollup.layout import AGGREGATIONS, ElementDef, IndicatorDef, Layout
from renkou.rollup.periods import (
    INPUT_ROWS,
    N_ROWS,
    YEAR_ROW,
    YTD_SUFFIX,
    annual_factors,
    months_in_row,
    row_ids,
    row_label,
    row_of,
)

__all__ = [
    "AGGREGATIONS",
    "INPUT_ROWS",
    "N_ROWS",
    "YEAR_ROW",
    "YTD_SUFFIX",
    "ElementDef",
    "IndicatorDef",
    "Layout",
    "Tree",
    "annual_factors",
    "compute",
    "decode",
    "encode",
    "indicator_values",
    "months_in_row",
    "presented",
    "row_ids",
    "row_label",
    "row_of",
    "shown_elements",
    "time_aggregate",
    "with_indicators",
]
