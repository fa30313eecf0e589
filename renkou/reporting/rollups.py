"""Rollups in the database: loading values as Arrow, computing with renkou.rollup, storing cubes.

One cube per unit and year holds every element total and indicator value for
the year's 28 periods (see renkou.rollup.periods). Cubes are

- recomputed from scratch for a year (``recompute_year``, the ``renkou
  rollup`` command, demo seeding), and
- kept up to date when values change (``refresh_after_change``, called by
  every value write in the same transaction): only the changed units and
  their ancestors are computed again, each from its own values plus the
  stored cubes of its other children.

Values are pulled in bulk: on SQLite as a few long ``group_concat`` strings
parsed by Arrow (a Python row per value would cost more than the whole
computation), on PostgreSQL through ``COPY … TO STDOUT``.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.db import connection, transaction
from django.utils import timezone

from renkou.catalog.models import DataElement, DataSet, ElementSource, Indicator, ValueType
from renkou.orgunits.models import OrgUnit, path_upper_bound, subtree_q
from renkou.periods import PeriodType, periods_of_year, try_parse
from renkou.reporting.models import DataValue, Report, RollupCube, RollupLayout, RollupRun
from renkou.rollup import (
    ElementDef,
    IndicatorDef,
    Layout,
    Tree,
    compute,
    decode,
    encode,
    row_of,
    shown_elements,
    with_indicators,
)
from renkou.rollup.periods import N_ROWS

# Above this many changed units, recomputing their common subtree at once is
# cheaper than following each one's chain of ancestors.
LARGE_CHANGE = 2000
ID_CHUNK = 1_000_000
KEY_UNIT_SHIFT = 20
KEY_ELEMENT_SHIFT = 5

_ROW_SQL = (
    "CASE WHEN length(period) = 6 THEN CAST(substr(period, 5, 2) AS INTEGER) - 1 "
    "WHEN length(period) = 4 THEN 16 "
    "ELSE 11 + CAST(substr(period, 6, 1) AS INTEGER) END"
)


@dataclass(frozen=True)
class CurrentLayout:
    layout: Layout
    record: RollupLayout
    positions: dict[int, int]  # element id → position in the layout
    sources: tuple[tuple[int, str, int], ...]  # (position, source, data set id)


def current_layout() -> CurrentLayout:
    """The layout the catalogue defines now, stored once per fingerprint."""
    elements = list(
        DataElement.objects.exclude(value_type=ValueType.TEXT)
        .order_by("code")
        .values_list("id", "code", "aggregation", "value_type", "source", "source_data_set_id")
    )
    indicators = list(
        Indicator.objects.order_by("order", "code").values_list(
            "code", "numerator", "denominator", "factor", "annualized"
        )
    )
    layout = Layout(
        elements=tuple(
            ElementDef(code, aggregation, value_type == ValueType.PERCENTAGE)
            for _id, code, aggregation, value_type, _source, _ds in elements
        ),
        indicators=tuple(IndicatorDef(c, n, d, float(f), a) for c, n, d, f, a in indicators),
    )
    fingerprint = layout.fingerprint()
    record = RollupLayout.objects.filter(fingerprint=fingerprint).first()
    if record is None:
        record = RollupLayout.objects.create(fingerprint=fingerprint, slots=layout.to_json())
    positions = {row[0]: index for index, row in enumerate(elements)}
    sources = tuple(
        (index, source, ds)
        for index, (_id, _code, _agg, _vt, source, ds) in enumerate(elements)
        if source != ElementSource.ENTERED and ds is not None
    )
    return CurrentLayout(layout, record, positions, sources)


_LAYOUTS: dict[int, Layout] = {}


def layout_of(record_id: int) -> Layout:
    found = _LAYOUTS.get(record_id)
    if found is None:
        found = Layout.from_json(RollupLayout.objects.get(pk=record_id).slots)
        _LAYOUTS[record_id] = found
    return found


# -- loading ------------------------------------------------------------------------


@dataclass(frozen=True)
class Units:
    """Units in path order with their tree, as the computation needs them."""

    ids: list[int]
    parents: list[int | None]
    levels: list[int]
    paths: list[str]

    def tree(self) -> Tree:
        return Tree.build(self.ids, self.parents, self.levels)


def load_units(root: OrgUnit | None) -> Units:
    queryset = (
        OrgUnit.objects.all() if root is None else OrgUnit.objects.filter(subtree_q(root.path))
    )
    rows = list(queryset.order_by("path").values_list("id", "parent_id", "level", "path"))
    return Units(
        ids=[r[0] for r in rows],
        parents=[r[1] for r in rows],
        levels=[r[2] for r in rows],
        paths=[r[3] for r in rows],
    )


def _numbers(text: str, kind: pa.DataType) -> pa.Array:
    table = pa_csv.read_csv(
        io.BytesIO(text.encode("ascii")),
        read_options=pa_csv.ReadOptions(column_names=["x"]),
        convert_options=pa_csv.ConvertOptions(column_types={"x": kind}),
    )
    return table.column("x").combine_chunks()


def _where(
    year: int, root: OrgUnit | None, unit_ids: Sequence[int] | None
) -> tuple[str, list[Any]]:
    clauses = [
        "value IS NOT NULL",
        "period >= %s",
        "period < %s",
        "substr(period, 5, 1) <> 'S'",
    ]
    params: list[Any] = [f"{year:04d}", f"{year + 1:04d}"]
    if unit_ids is not None:
        clauses.append(f"orgunit_id IN ({', '.join(['%s'] * len(unit_ids))})")
        params.extend(unit_ids)
    elif root is not None:
        units = OrgUnit._meta.db_table
        clauses.append(f"orgunit_id IN (SELECT id FROM {units} WHERE path >= %s AND path < %s)")  # noqa: S608
        params.extend([root.path, path_upper_bound(root.path)])
    return " AND ".join(clauses), params


def _sqlite_strings(cursor: Any, sql: str, params: Sequence[Any]) -> tuple[str, str] | None:
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return (row[0], row[1]) if row and row[0] else None


def _sqlite_chunks(
    path: str, sql: str, ranges: list[tuple[int, int]], params: list[Any]
) -> tuple[np.ndarray, np.ndarray]:
    """One worker's share of a whole-table scan, on its own connection (see _load_sqlite)."""
    import sqlite3

    database = sqlite3.connect(path)
    try:
        parts = [
            _sqlite_strings(database.cursor(), sql, [low, high, *params]) for low, high in ranges
        ]
    finally:
        database.close()
    found = [p for p in parts if p is not None]
    if not found:
        return np.array([], dtype=np.int64), np.array([], dtype=np.float64)
    keys = _numbers("\n".join(k for k, _v in found), pa.int64()).to_numpy()
    values = _numbers("\n".join(v for _k, v in found), pa.float64()).to_numpy()
    return keys, values


def _monthly_sql(year: int) -> tuple[str, str, list[Any]]:
    """Monthly values only: the row is plain arithmetic on the period id (202503 → 2)."""
    key = (
        f"orgunit_id * {1 << KEY_UNIT_SHIFT} + element_id * {1 << KEY_ELEMENT_SHIFT} "
        f"+ CAST(period AS INTEGER) - {year * 100 + 1}"
    )
    # '2025Q1' and '2025S1' sort after '202512', and '2025' before '202501'.
    where = "value IS NOT NULL AND period >= %s AND period <= %s"
    return key, where, [f"{year}01", f"{year}12"]


def _load_sqlite(
    year: int, root: OrgUnit | None, unit_ids: Sequence[int] | None
) -> tuple[np.ndarray, ...]:
    table = DataValue._meta.db_table
    key, where, params = _monthly_sql(year)
    scope, scope_params = _scope_clause(root, unit_ids)
    select = f"SELECT group_concat({key}, char(10)), group_concat(value, char(10)) FROM {table}"  # noqa: S608
    key_parts: list[np.ndarray] = []
    value_parts: list[np.ndarray] = []
    with connection.cursor() as cursor:
        if root is None and unit_ids is None:
            cursor.execute(f"SELECT min(id), max(id) FROM {table}")  # noqa: S608
            low, high = cursor.fetchone() or (None, None)
            ranges = (
                []
                if low is None or high is None
                else [(s, s + ID_CHUNK) for s in range(int(low), int(high) + 1, ID_CHUNK)]
            )
            sql = f"{select} WHERE id >= ? AND id < ? AND {where.replace('%s', '?')}"
            path = str(connection.settings_dict["NAME"])
            # Two processes scan halves of the table at once. Only outside a
            # transaction: other connections would not see uncommitted values.
            if len(ranges) > 2 and not connection.in_atomic_block and Path(path).is_file():
                halves = [ranges[0::2], ranges[1::2]]
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
                    results = list(
                        pool.map(_sqlite_chunks, [path, path], [sql, sql], halves, [params, params])
                    )
                for k, v in results:
                    key_parts.append(k)
                    value_parts.append(v)
            else:
                for low_id, high_id in ranges:
                    found = _sqlite_strings(
                        cursor,
                        f"{select} WHERE id >= %s AND id < %s AND {where}",
                        [low_id, high_id, *params],
                    )
                    if found:
                        key_parts.append(_numbers(found[0], pa.int64()).to_numpy())
                        value_parts.append(_numbers(found[1], pa.float64()).to_numpy())
        else:
            found = _sqlite_strings(
                cursor, f"{select} WHERE {where} AND {scope}", [*params, *scope_params]
            )
            if found:
                key_parts.append(_numbers(found[0], pa.int64()).to_numpy())
                value_parts.append(_numbers(found[1], pa.float64()).to_numpy())
    packed = np.concatenate(key_parts) if key_parts else np.array([], dtype=np.int64)
    numbers = np.concatenate(value_parts) if value_parts else np.array([], dtype=np.float64)
    units = packed >> KEY_UNIT_SHIFT
    elements = (packed >> KEY_ELEMENT_SHIFT) & ((1 << (KEY_UNIT_SHIFT - KEY_ELEMENT_SHIFT)) - 1)
    rows = packed & ((1 << KEY_ELEMENT_SHIFT) - 1)
    other = _load_other_periods(year, root, unit_ids)
    if other is not None:
        units, elements, rows, numbers = (
            np.concatenate([a, b])
            for a, b in zip((units, elements, rows, numbers), other, strict=True)
        )
    return units, elements, rows, numbers


def _load_other_periods(
    year: int, root: OrgUnit | None, unit_ids: Sequence[int] | None
) -> tuple[np.ndarray, ...] | None:
    """Quarterly and yearly values, read only when some data set collects them."""
    if not DataSet.objects.filter(period_type__in=[PeriodType.QUARTER, PeriodType.YEAR]).exists():
        return None
    ids = [f"{year}", *(f"{year}Q{q}" for q in range(1, 5))]
    scope, scope_params = _scope_clause(root, unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT orgunit_id, element_id, {_ROW_SQL}, value FROM {DataValue._meta.db_table} "  # noqa: S608
            f"WHERE value IS NOT NULL AND period IN (%s, %s, %s, %s, %s) AND {scope}",
            [*ids, *scope_params],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    columns = list(zip(*rows, strict=True))
    return (
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[1], dtype=np.int64),
        np.asarray(columns[2], dtype=np.int64),
        np.asarray([float(v) for v in columns[3]], dtype=np.float64),
    )


def _scope_clause(root: OrgUnit | None, unit_ids: Sequence[int] | None) -> tuple[str, list[Any]]:
    if unit_ids is not None:
        return f"orgunit_id IN ({', '.join(['%s'] * len(unit_ids))})", list(unit_ids)
    if root is not None:
        units = OrgUnit._meta.db_table
        return (
            f"orgunit_id IN (SELECT id FROM {units} WHERE path >= %s AND path < %s)",  # noqa: S608
            [root.path, path_upper_bound(root.path)],
        )
    return "1 = 1", []


def _pg_strings(cursor: Any, sql: str, params: Sequence[Any]) -> tuple[str, str] | None:
    cursor.execute(sql, params)
    row = cursor.fetchone()
    return (row[0], row[1]) if row and row[0] else None


def _pg_range(
    settings: dict[str, Any], sql: str, params: list[Any]
) -> tuple[np.ndarray, np.ndarray] | None:
    """One thread's share, on its own connection (a second server process does the work);
    Arrow parses without the GIL, so the two threads parse in parallel too."""
    import psycopg

    with psycopg.connect(**settings) as database, database.cursor() as cursor:
        found = _pg_strings(cursor, sql, params)
    if found is None:
        return None
    return _numbers(found[0], pa.int64()).to_numpy(), _numbers(found[1], pa.float64()).to_numpy()


def _load_postgresql(
    year: int, root: OrgUnit | None, unit_ids: Sequence[int] | None
) -> tuple[np.ndarray, ...]:
    """Two long strings per id range, built by string_agg on the server and parsed by Arrow.

    COPY would hand Python one message per row; nine million of them cost
    more than everything else.
    """
    table = DataValue._meta.db_table
    key = (
        f"orgunit_id * {1 << KEY_UNIT_SHIFT} + element_id * {1 << KEY_ELEMENT_SHIFT} "
        f"+ (left(period, 6)::integer - {year * 100 + 1})"
    )
    select = (
        f"SELECT string_agg(({key})::text, E'\\n'), string_agg(value::float8::text, E'\\n') "  # noqa: S608
        f"FROM {table} WHERE value IS NOT NULL AND period >= %s AND period <= %s"
    )
    params: list[Any] = [f"{year}01", f"{year}12"]
    found: list[tuple[np.ndarray, np.ndarray]] = []
    if root is None and unit_ids is None and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT min(id), max(id) FROM {table}")  # noqa: S608
            low, high = cursor.fetchone() or (None, None)
        if low is not None and high is not None:
            middle = (int(low) + int(high)) // 2
            settings = connection.get_connection_params()
            sql = f"{select} AND id >= %s AND id < %s"
            halves = [[*params, int(low), middle], [*params, middle, int(high) + 1]]
            with ThreadPoolExecutor(max_workers=2) as pool:
                results = list(pool.map(lambda p: _pg_range(settings, sql, p), halves))
            found = [r for r in results if r is not None]
    else:
        scope, scope_params = _scope_clause(root, unit_ids)
        with connection.cursor() as cursor:
            result = _pg_strings(cursor, f"{select} AND {scope}", [*params, *scope_params])
        if result is not None:
            found = [
                (
                    _numbers(result[0], pa.int64()).to_numpy(),
                    _numbers(result[1], pa.float64()).to_numpy(),
                )
            ]
    key_parts = [k for k, _v in found]
    value_parts = [v for _k, v in found]
    packed = np.concatenate(key_parts) if key_parts else np.array([], dtype=np.int64)
    numbers = np.concatenate(value_parts) if value_parts else np.array([], dtype=np.float64)
    units = packed >> KEY_UNIT_SHIFT
    elements = (packed >> KEY_ELEMENT_SHIFT) & ((1 << (KEY_UNIT_SHIFT - KEY_ELEMENT_SHIFT)) - 1)
    rows = packed & ((1 << KEY_ELEMENT_SHIFT) - 1)
    other = _load_other_periods(year, root, unit_ids)
    if other is not None:
        units, elements, rows, numbers = (
            np.concatenate([a, b])
            for a, b in zip((units, elements, rows, numbers), other, strict=True)
        )
    return units, elements, rows, numbers


def _load_generic(
    year: int, root: OrgUnit | None, unit_ids: Sequence[int] | None
) -> tuple[np.ndarray, ...]:
    table = DataValue._meta.db_table
    where, params = _where(year, root, unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT orgunit_id, element_id, {_ROW_SQL}, value FROM {table} WHERE {where}",  # noqa: S608
            params,
        )
        rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [(), (), (), ()]
    return (
        np.asarray(columns[0], dtype=np.int64),
        np.asarray(columns[1], dtype=np.int64),
        np.asarray(columns[2], dtype=np.int64),
        np.asarray([float(v) for v in columns[3]], dtype=np.float64),
    )


def load_values(
    current: CurrentLayout,
    year: int,
    *,
    root: OrgUnit | None = None,
    unit_ids: Sequence[int] | None = None,
) -> pa.Table:
    """Numeric values of ``year`` under ``root`` (or of ``unit_ids``).

    An Arrow table (unit, row, element position, value).
    """
    loader = {"sqlite": _load_sqlite, "postgresql": _load_postgresql}.get(
        connection.vendor, _load_generic
    )
    units, elements, rows, numbers = loader(year, root, unit_ids)
    # Element ids fit in the key's 15 bits, so a 32,768-entry table maps them.
    lookup = np.full(1 << (KEY_UNIT_SHIFT - KEY_ELEMENT_SHIFT), -1, dtype=np.int64)
    for element_id, position in current.positions.items():
        if element_id < len(lookup):
            lookup[element_id] = position
    positions = lookup[elements & (len(lookup) - 1)]
    positions[elements >= len(lookup)] = -1
    if (positions < 0).any():
        keep = positions >= 0
        units, rows, positions, numbers = units[keep], rows[keep], positions[keep], numbers[keep]
    return pa.table(
        {
            "unit": pa.array(units, pa.int64()),
            "row": pa.array(rows, pa.int64()),
            "element": pa.array(positions, pa.int64()),
            "value": pa.array(numbers, pa.float64()),
        }
    )


def report_facts(
    current: CurrentLayout,
    year: int,
    units: Iterable[tuple[int, int]],
    *,
    on: dt.date | None = None,
) -> pa.Table:
    """Values of the report-derived elements for (unit id, level) pairs: 1 per report due
    (expected) and 1 or 0 per report first submitted by its due date (on time)."""
    pairs = list(units)
    frames: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    if not current.sources or not pairs:
        return _facts_table(frames)
    today = on or timezone.localdate()
    data_sets = DataSet.objects.in_bulk({ds for _pos, _source, ds in current.sources})
    for position, source, data_set_id in current.sources:
        data_set = data_sets.get(data_set_id)
        if data_set is None:
            continue
        due = [
            p
            for p in periods_of_year(year, PeriodType(data_set.period_type))
            if p.due_date(data_set.due_days) <= today and p.type is not PeriodType.HALF_YEAR
        ]
        reporting = np.array(
            [u for u, level in pairs if level == data_set.reporting_level], dtype=np.int64
        )
        if not due or len(reporting) == 0:
            continue
        rows = np.array([row_of(p.id)[1] for p in due], dtype=np.int64)
        grid_units = np.repeat(reporting, len(due))
        grid_rows = np.tile(rows, len(reporting))
        if source == ElementSource.REPORTS_EXPECTED:
            values = np.ones(len(grid_units))
        else:
            on_time = _on_time(data_set, due, reporting)
            index = dict.fromkeys(on_time, True)
            values = np.array(
                [
                    1.0 if (int(u), int(r)) in index else 0.0
                    for u, r in zip(grid_units, grid_rows, strict=True)
                ]
            )
        frames.append((grid_units, grid_rows, np.full(len(grid_units), position), values))
    return _facts_table(frames)


def _on_time(data_set: DataSet, due: list[Any], units: np.ndarray) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    unit_set = set(units.tolist())
    by_id = {p.id: p for p in due}
    query = Report.objects.filter(
        data_set=data_set, period__in=list(by_id), first_submitted_at__isnull=False
    )
    if len(unit_set) <= 500:
        query = query.filter(orgunit_id__in=unit_set)
    for unit, period_id, submitted in query.values_list(
        "orgunit_id", "period", "first_submitted_at"
    ):
        if unit not in unit_set:
            continue
        period = by_id[period_id]
        if timezone.localtime(submitted).date() <= period.due_date(data_set.due_days):
            found.add((unit, row_of(period_id)[1]))
    return found


def _facts_table(frames: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]) -> pa.Table:
    if not frames:
        return pa.table(
            {
                "unit": pa.array([], pa.int64()),
                "row": pa.array([], pa.int64()),
                "element": pa.array([], pa.int64()),
                "value": pa.array([], pa.float64()),
            }
        )
    return pa.table(
        {
            "unit": pa.array(np.concatenate([f[0] for f in frames]), pa.int64()),
            "row": pa.array(np.concatenate([f[1] for f in frames]), pa.int64()),
            "element": pa.array(np.concatenate([f[2] for f in frames]), pa.int64()),
            "value": pa.array(np.concatenate([f[3] for f in frames]), pa.float64()),
        }
    )


# -- stored cubes --------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredCube:
    layout: Layout
    layout_id: int
    data: np.ndarray
    computed_at: dt.datetime


def read_cubes(unit_ids: Iterable[int], year: int) -> dict[int, StoredCube]:
    ids = sorted(set(unit_ids))
    found: dict[int, StoredCube] = {}
    if len(ids) > 500 and not RollupCube.objects.filter(year=year).exists():
        return found  # a year never computed: spare a query per 500 units
    for start in range(0, len(ids), 500):
        rows = RollupCube.objects.filter(
            year=year, orgunit_id__in=ids[start : start + 500]
        ).values_list("orgunit_id", "layout_id", "data", "computed_at")
        for unit, layout_id, data, computed_at in rows:
            layout = layout_of(layout_id)
            found[unit] = StoredCube(layout, layout_id, decode(layout, data), computed_at)
    return found


def _store(
    record: RollupLayout, unit_ids: Sequence[int], cubes: np.ndarray, year: int, now: dt.datetime
) -> None:
    """Upsert one cube per unit: raw executemany, as tens of thousands of 9 KB rows go in."""
    when = connection.ops.adapt_datetimefield_value(now)
    table = RollupCube._meta.db_table
    rows = [(unit, year, record.pk, encode(cubes[i]), when) for i, unit in enumerate(unit_ids)]
    if connection.vendor == "postgresql" and len(rows) > 1000:
        _store_copy(table, rows)
        return
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {table} (orgunit_id, year, layout_id, data, computed_at) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (orgunit_id, year) DO UPDATE SET "
                "layout_id = excluded.layout_id, data = excluded.data, "
                "computed_at = excluded.computed_at",
                rows[start : start + 5000],
            )


def _store_copy(table: str, rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: binary COPY into a temporary table, then one upsert."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE incoming_cubes (orgunit_id bigint, year smallint, "
            "layout_id bigint, data bytea, computed_at timestamptz) ON COMMIT DROP"
        )
        # Compressing 27,000 cubes of NaN-rich doubles (pglz) would take longer
        # than everything else; they are stored as they are (see migration 0002).
        cursor.execute("ALTER TABLE incoming_cubes ALTER COLUMN data SET STORAGE EXTERNAL")
        with cursor.cursor.copy(
            "COPY incoming_cubes (orgunit_id, year, layout_id, data, computed_at) "
            "FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "int2", "int8", "bytea", "timestamptz"])
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table} (orgunit_id, year, layout_id, data, computed_at) "  # noqa: S608
            "SELECT orgunit_id, year, layout_id, data, computed_at FROM incoming_cubes "
            "ON CONFLICT (orgunit_id, year) DO UPDATE SET layout_id = excluded.layout_id, "
            "data = excluded.data, computed_at = excluded.computed_at"
        )
        cursor.execute("DROP TABLE IF EXISTS incoming_cubes")


def _previous_year(current: CurrentLayout, unit_ids: Sequence[int], year: int) -> np.ndarray | None:
    """Last year's presented element totals for the units, aligned with them, for ``.previous``."""
    stored = read_cubes(unit_ids, year - 1)
    if not stored:
        return None
    layout = current.layout
    out = np.full((len(unit_ids), N_ROWS, layout.n_elements), np.nan)
    rows_by_layout: dict[int, list[int]] = {}
    for i, unit in enumerate(unit_ids):
        cube = stored.get(unit)
        if cube is not None:
            rows_by_layout.setdefault(cube.layout_id, []).append(i)
    for layout_id, rows in rows_by_layout.items():
        old = layout_of(layout_id)
        shown = shown_elements(old, np.stack([stored[unit_ids[i]].data for i in rows]))
        # Match elements by code: last year may have been computed under another catalogue.
        for position, element in enumerate(layout.elements):
            try:
                source = old.element_index(element.code)
            except KeyError:
                continue
            out[rows, :, position] = shown[:, :, source]
    return out


def _refresh_next_year(
    current: CurrentLayout, unit_ids: Sequence[int], year: int, now: dt.datetime
) -> None:
    """Indicators of next year that read this year's December, fourth quarter or total."""
    stored = read_cubes(unit_ids, year + 1)
    mine = [u for u in unit_ids if u in stored and stored[u].layout_id == current.record.pk]
    if not mine:
        return
    previous = _previous_year(current, mine, year + 1)
    cubes = np.stack([stored[u].data for u in mine])
    _store(current.record, mine, with_indicators(current.layout, cubes, previous), year + 1, now)


# -- computing --------------------------------------------------------------------------


def _compute_units(
    current: CurrentLayout,
    units: Units,
    year: int,
    *,
    root: OrgUnit | None,
    fixed: dict[int, np.ndarray] | None = None,
    own_ids: Sequence[int] | None = None,
) -> tuple[np.ndarray, int]:
    tree = units.tree()
    values = load_values(current, year, root=root, unit_ids=own_ids)
    reporting = own_ids if own_ids is not None else units.ids
    levels = dict(zip(units.ids, units.levels, strict=True))
    facts = report_facts(current, year, ((u, levels[u]) for u in reporting))
    previous = _previous_year(current, units.ids, year)
    table = pa.concat_tables([values, facts]) if facts.num_rows else values
    cubes = compute(current.layout, tree, table, fixed=fixed, previous_year=previous)
    return cubes, values.num_rows


def recompute_year(
    *, year: int, root: OrgUnit | None = None, kind: str = RollupRun.Kind.FULL
) -> RollupRun:
    """Every unit under ``root`` (default: everything) from its values; then the ancestors above.

    Values are read and computed before the transaction that stores the
    cubes, so outside a transaction the read can use two processes and the
    database is locked only while the cubes are written.
    """
    started = time.perf_counter()
    now = timezone.now()
    current = current_layout()
    units = load_units(root)
    cubes, count = _compute_units(current, units, year, root=root)
    with transaction.atomic():
        _store(current.record, units.ids, cubes, year, now)
        if root is not None and root.parent_id is not None:
            _refresh_chain(current, [root.parent_id], year, now)
        _refresh_next_year(current, units.ids, year, now)
        return RollupRun.objects.create(
            kind=kind,
            year=year,
            scope=root,
            units=len(units.ids),
            values=count,
            seconds=time.perf_counter() - started,
            as_of=now,
            fingerprint=current.record.fingerprint,
        )


def _refresh_chain(
    current: CurrentLayout, unit_ids: Iterable[int], year: int, now: dt.datetime
) -> None:
    """Recompute the given units and all their ancestors, reusing their other children's cubes."""
    start = list(OrgUnit.objects.filter(pk__in=list(unit_ids)).values_list("path", flat=True))
    codes = {code for path in start for code in path.strip("/").split("/")}
    chain = list(
        OrgUnit.objects.filter(code__in=codes)
        .order_by("path")
        .values_list("id", "parent_id", "level", "path")
    )
    chain_ids = [c[0] for c in chain]
    border = list(
        OrgUnit.objects.filter(parent_id__in=chain_ids)
        .exclude(pk__in=chain_ids)
        .order_by("path")
        .values_list("id", "parent_id", "level", "path")
    )
    stored = read_cubes([b[0] for b in border], year)
    missing = [
        b for b in border if b[0] not in stored or stored[b[0]].layout_id != current.record.pk
    ]
    for unit_id, _parent, _level, _path in missing:
        # A child never computed (or computed under another catalogue): its subtree first.
        child = OrgUnit.objects.get(pk=unit_id)
        child_units = load_units(child)
        cubes, _count = _compute_units(current, child_units, year, root=child)
        _store(current.record, child_units.ids, cubes, year, now)
    if missing:
        stored.update(read_cubes([b[0] for b in missing], year))
    everything = sorted(chain + border, key=lambda row: row[3])
    units = Units(
        ids=[r[0] for r in everything],
        parents=[r[1] for r in everything],
        levels=[r[2] for r in everything],
        paths=[r[3] for r in everything],
    )
    position = {unit: i for i, unit in enumerate(units.ids)}
    fixed = {position[b[0]]: stored[b[0]].data for b in border}
    cubes, _count = _compute_units(current, units, year, root=None, fixed=fixed, own_ids=chain_ids)
    keep = [position[u] for u in chain_ids]
    _store(current.record, chain_ids, cubes[keep], year, now)
    _refresh_next_year(current, chain_ids, year, now)


def _common_root(unit_ids: set[int]) -> OrgUnit | None:
    paths = list(OrgUnit.objects.filter(pk__in=list(unit_ids)[:1]).values_list("path", flat=True))
    if not paths:
        return None
    prefix = paths[0]
    for start in range(0, len(unit_ids), 500):
        chunk = list(unit_ids)[start : start + 500]
        for path in OrgUnit.objects.filter(pk__in=chunk).values_list("path", flat=True):
            while not path.startswith(prefix):
                prefix = prefix[: prefix[:-1].rfind("/") + 1]
    codes = [c for c in prefix.split("/") if c]
    return OrgUnit.objects.filter(code=codes[-1]).first() if codes else None


def refresh_after_change(keys: Iterable[tuple[int, str, int]]) -> None:
    """Bring the cubes of every (unit, year) that the written values touch up to date."""
    by_year: dict[int, set[int]] = {}
    for unit, period_id, _element in keys:
        period = try_parse(period_id)
        if period is None:
            continue
        by_year.setdefault(period.year, set()).add(unit)
    refresh_units(by_year)


def refresh_units(by_year: dict[int, set[int]]) -> None:
    if not by_year:
        return
    current = current_layout()
    now = timezone.now()
    for year, units in sorted(by_year.items()):
        if len(units) > LARGE_CHANGE:
            # A province-scale import: recompute the whole subtree once the
            # values are committed, reading them in parallel and without
            # holding the import's lock any longer.
            root = _common_root(units)
            transaction.on_commit(
                lambda year=year, root=root: recompute_year(  # type: ignore[misc]
                    year=year, root=root, kind=RollupRun.Kind.CHANGE
                )
            )
        else:
            # Small refreshes (every saved field) are not logged as runs; each
            # cube carries the time it was computed.
            _refresh_chain(current, units, year, now)
