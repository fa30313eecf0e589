"""Analytics queries: indicators or elements × periods × units, read from the stored cubes.

``dx`` names indicators and elements by code; ``pe`` periods (202501, 2025Q1,
2025, 202506YTD, and ranges 202501:202512); ``ou`` units as a unit
(331003), its children (331003/children) or a level below it
(331003/level-5). Every unit must lie in the user's subtree (404 otherwise).

A query reads one cube per unit and year — a county's townships for twelve
months are 19 rows — so it costs a few indexed queries whatever the size of
the province.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db import connection

from renkou.accounts.access import Cap
from renkou.catalog.models import DataElement, Indicator, ValueType
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.periods import PeriodError, parse, period_range
from renkou.reporting.access import get_unit_for_user
from renkou.reporting.rollups import read_cubes
from renkou.rollup import ElementDef, IndicatorDef, Layout, row_ids, row_label, row_of

if TYPE_CHECKING:
    from renkou.accounts.models import User

MAX_DX = 50
MAX_PE = 120
MAX_OU_ITEMS = 20
MAX_UNITS = 5000
MAX_CELLS = 250_000
_OU = re.compile(r"^(\d{2,12})(?:/(children|level-([1-5])))?$")
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{0,49}$")


class AnalyticsError(ValueError):
    """A query that cannot be answered; ``str()`` says why in Chinese."""


@dataclass(frozen=True)
class UnitSpec:
    code: str
    mode: str  # "self", "children" or "level"
    level: int | None = None


@dataclass(frozen=True)
class AnalyticsRequest:
    dx: tuple[str, ...]
    pe: tuple[str, ...]
    ou: tuple[UnitSpec, ...]

    @classmethod
    def parse(cls, dx: str, pe: str, ou: str) -> AnalyticsRequest:
        codes = tuple(dict.fromkeys(c.strip() for c in dx.split(";") if c.strip()))
        if not codes or len(codes) > MAX_DX:
            raise AnalyticsError(f"dx 应给出1至{MAX_DX}个指标或数据项编码，以分号分隔")
        bad = [c for c in codes if not _CODE.match(c)]
        if bad:
            raise AnalyticsError(f"dx 中的编码无效：{bad[0][:50]}")
        periods: list[str] = []
        for part in (p.strip() for p in pe.split(";")):
            if not part:
                continue
            try:
                if ":" in part:
                    first, last = part.split(":", 1)
                    periods.extend(p.id for p in period_range(parse(first), parse(last)))
                else:
                    year, row = row_of(part)
                    periods.append(_row_id(year, row))
            except PeriodError as exc:
                raise AnalyticsError(f"pe 中的期间无效：{exc}") from None
            if len(periods) > MAX_PE:
                raise AnalyticsError(f"pe 最多{MAX_PE}个期间")
        for period_id in periods:
            try:
                row_of(period_id)
            except PeriodError as exc:
                raise AnalyticsError(f"pe 中的期间无效：{exc}") from None
        if not periods:
            raise AnalyticsError("pe 应至少给出一个期间，如 202501 或 2025Q1")
        units: list[UnitSpec] = []
        for part in (p.strip() for p in ou.split(";")):
            if not part:
                continue
            match = _OU.match(part)
            if match is None:
                raise AnalyticsError(
                    f"ou 中的单位“{part[:30]}”无效：应为 331003、331003/children 或 331003/level-5"
                )
            code, mode, level = match.group(1), match.group(2), match.group(3)
            if mode is None:
                units.append(UnitSpec(code, "self"))
            elif mode == "children":
                units.append(UnitSpec(code, "children"))
            else:
                units.append(UnitSpec(code, "level", int(level)))
        if not units or len(units) > MAX_OU_ITEMS:
            raise AnalyticsError(f"ou 应给出1至{MAX_OU_ITEMS}项")
        return cls(codes, tuple(dict.fromkeys(periods)), tuple(units))


def _row_id(year: int, row: int) -> str:
    return row_ids(year)[row]


@dataclass
class Item:
    code: str
    name: str
    kind: str  # "indicator" or "element"
    decimals: int
    unit: str = ""
    definition: str = ""
    numerator: str = ""
    denominator: str = ""


def round_half_up(values: np.ndarray, decimals: int) -> np.ndarray:
    """Round like an official with a pencil (0.05 → 0.1), vectorised.

    Binary floats sit just below or above a half (2.675 is 2.67499…), so
    values within a hair of one are rounded exactly through Decimal.
    """
    scale = 10.0**decimals
    scaled = np.abs(values) * scale
    result: np.ndarray = np.sign(values) * np.floor(scaled + 0.5) / scale
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    for index in zip(*np.nonzero(near & ~np.isnan(values)), strict=True):
        places = Decimal(1).scaleb(-decimals)
        exact = Decimal(repr(float(values[index]))).quantize(places, rounding=ROUND_HALF_UP)
        result[index] = float(exact)
    return result


@dataclass
class AnalyticsResult:
    """Values shaped (items, periods, units), NaN for no value."""

    items: list[Item]
    periods: list[tuple[str, str]]
    units: list[OrgUnit]
    data: np.ndarray = field(default_factory=lambda: np.empty((0, 0, 0)))
    as_of: dt.datetime | None = None
    stale: bool = False

    def __post_init__(self) -> None:
        if self.data.size == 0:
            self.data = np.full((len(self.items), len(self.periods), len(self.units)), np.nan)
        self._item = {item.code: i for i, item in enumerate(self.items)}
        self._period = {code: i for i, (code, _label) in enumerate(self.periods)}
        self._unit = {unit.code: i for i, unit in enumerate(self.units)}

    def value(self, dx: str, pe: str, ou: str) -> float | None:
        number = float(self.data[self._item[dx], self._period[pe], self._unit[ou]])
        return None if math.isnan(number) else number

    def rounded(self, item: Item, number: float | None) -> float | None:
        if number is None:
            return None
        return float(round_half_up(np.array([number]), item.decimals)[0])

    def rounded_data(self) -> np.ndarray:
        out = np.empty_like(self.data)
        for index, item in enumerate(self.items):
            out[index] = round_half_up(self.data[index], item.decimals)
        return out

    def as_api(self) -> dict[str, Any]:
        shown = self.rounded_data()
        items, periods, units = np.nonzero(~np.isnan(shown))
        item_codes = np.array([i.code for i in self.items], dtype=object)
        period_codes = np.array([p for p, _label in self.periods], dtype=object)
        unit_codes = np.array([u.code for u in self.units], dtype=object)
        # Tuples straight from zip: JSON writes them as arrays, without a list per row.
        rows = list(
            zip(
                item_codes[items].tolist(),
                period_codes[periods].tolist(),
                unit_codes[units].tolist(),
                shown[items, periods, units].tolist(),
                strict=True,
            )
        )
        return {
            "headers": ["dx", "pe", "ou", "value"],
            "rows": rows,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "stale": self.stale,
            "dx": [{"code": i.code, "name": i.name} for i in self.items],
            "pe": [{"code": p, "name": label} for p, label in self.periods],
            "ou": [{"code": u.code, "name": u.name} for u in self.units],
        }


def resolve_units(user: User, specs: tuple[UnitSpec, ...]) -> list[OrgUnit]:
    """The units a query names, each checked against the user's scope (404 outside it)."""
    found: dict[str, OrgUnit] = {}
    for spec in specs:
        unit = get_unit_for_user(user, spec.code, Cap.VIEW_BUSINESS)
        if spec.mode == "self":
            found.setdefault(unit.code, unit)
            continue
        if spec.mode == "children":
            query = OrgUnit.objects.filter(parent=unit)
        else:
            assert spec.level is not None
            if spec.level < unit.level:
                raise AnalyticsError(
                    f"{unit.name}是{Level(unit.level).label}，level-{spec.level} 应不高于其层级"
                )
            query = OrgUnit.objects.filter(subtree_q(unit.path), level=spec.level)
        for child in query.order_by("path")[: MAX_UNITS + 1]:
            found.setdefault(child.code, child)
        if len(found) > MAX_UNITS:
            raise AnalyticsError(f"一次最多查询{MAX_UNITS}个单位")
    return list(found.values())


def _catalogue_version() -> tuple[Any, ...]:
    """One cheap query that changes whenever an element or indicator is added, edited or removed."""
    elements, indicators = DataElement._meta.db_table, Indicator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {elements}), (SELECT max(updated_at) FROM {elements}), "  # noqa: S608
            f"(SELECT count(*) FROM {indicators}), (SELECT max(updated_at) FROM {indicators}), "
            f"(SELECT sum(length(numerator) + length(denominator) + factor) FROM {indicators})"
        )
        row = cursor.fetchone()
    return (connection.alias, connection.settings_dict["NAME"], *(row or ()))


_CATALOGUE: dict[tuple[Any, ...], tuple[dict[str, Item], str]] = {}


def catalogue_items(codes: tuple[str, ...]) -> tuple[list[Item], str]:
    """The requested items, and the fingerprint of the current catalogue's layout.

    The catalogue is read once per version (see ``_catalogue_version``), not
    on every analytics request.
    """
    version = _catalogue_version()
    cached = _CATALOGUE.get(version)
    if cached is None:
        cached = _read_catalogue()
        _CATALOGUE.clear()
        _CATALOGUE[version] = cached
    by_code, layout_fingerprint = cached
    missing = [c for c in codes if c not in by_code]
    if missing:
        raise AnalyticsError(f"没有编码为 {missing[0]} 的指标或数值型数据项")
    return [by_code[c] for c in codes], layout_fingerprint


def _read_catalogue() -> tuple[dict[str, Item], str]:
    elements = list(
        DataElement.objects.exclude(value_type=ValueType.TEXT)
        .order_by("code")
        .values_list("code", "name", "aggregation", "value_type", "unit")
    )
    indicators = list(
        Indicator.objects.order_by("order", "code").values_list(
            "code",
            "name",
            "numerator",
            "denominator",
            "factor",
            "annualized",
            "decimals",
            "unit",
            "definition",
        )
    )
    layout_fingerprint = _catalogue_fingerprint(
        tuple((c, a, v == ValueType.PERCENTAGE) for c, _n, a, v, _u in elements),
        tuple((c, n, d, float(f), a) for c, _name, n, d, f, a, *_rest in indicators),
    )
    by_code: dict[str, Item] = {}
    for code, name, _agg, value_type, unit in elements:
        decimals = 0 if value_type in (ValueType.INTEGER, ValueType.YES_NO) else 2
        by_code[code] = Item(code, name, "element", decimals, unit)
    for code, name, numerator, denominator, _f, _a, decimals, unit, definition in indicators:
        by_code[code] = Item(
            code, name, "indicator", decimals, unit, definition, numerator, denominator
        )
    return by_code, layout_fingerprint


@functools.lru_cache(maxsize=32)
def _catalogue_fingerprint(
    elements: tuple[tuple[str, str, bool], ...],
    indicators: tuple[tuple[str, str, str, float, bool], ...],
) -> str:
    """The layout fingerprint of a catalogue; parsing its formulas once per version."""
    return Layout(
        tuple(ElementDef(c, a, p) for c, a, p in elements),
        tuple(IndicatorDef(c, n, d, f, a) for c, n, d, f, a in indicators),
    ).fingerprint()


def run_query(user: User, spec: AnalyticsRequest) -> AnalyticsResult:
    items, fingerprint = catalogue_items(spec.dx)
    units = resolve_units(user, spec.ou)
    if len(items) * len(spec.pe) * len(units) > MAX_CELLS:
        raise AnalyticsError(f"查询过大：最多 {MAX_CELLS} 个数值，请减少指标、期间或单位")
    periods = [(p, _label(p)) for p in spec.pe]
    result = AnalyticsResult(items, periods, units)
    rows_by_year: dict[int, list[tuple[int, int]]] = {}
    for position, period_id in enumerate(spec.pe):
        year, row = row_of(period_id)
        rows_by_year.setdefault(year, []).append((position, row))
    ids = [u.pk for u in units]
    oldest: dt.datetime | None = None
    for year, rows in rows_by_year.items():
        cubes = read_cubes(ids, year)
        period_positions = [p for p, _row in rows]
        cube_rows = [r for _p, r in rows]
        for unit_position, unit in enumerate(units):
            cube = cubes.get(unit.pk)
            if cube is None:
                continue
            if _fingerprint(cube.layout_id, cube.layout) != fingerprint:
                result.stale = True
            oldest = cube.computed_at if oldest is None else min(oldest, cube.computed_at)
            for item_position, item in enumerate(items):
                slot, count_slot = slots_of(cube.layout, item)
                if slot is None:
                    continue
                column = cube.data[cube_rows, slot]
                if count_slot is not None:
                    counts = cube.data[cube_rows, count_slot]
                    with np.errstate(all="ignore"):
                        column = np.where(counts > 0, column / counts, np.nan)
                result.data[item_position, period_positions, unit_position] = column
    result.as_of = oldest
    return result


_FINGERPRINTS: dict[int, str] = {}


def _fingerprint(layout_id: int, layout: Layout) -> str:
    found = _FINGERPRINTS.get(layout_id)
    if found is None:
        found = _FINGERPRINTS[layout_id] = layout.fingerprint()
    return found


def slots_of(layout: Layout, item: Item) -> tuple[int | None, int | None]:
    try:
        if item.kind == "indicator":
            return layout.indicator_slot(item.code), None
        index = layout.element_index(item.code)
    except KeyError:
        return None, None
    if index in layout.counted:
        return index, layout.n_elements + layout.counted.index(index)
    return index, None


def _label(period_id: str) -> str:
    year, row = row_of(period_id)
    return row_label(year, row)
