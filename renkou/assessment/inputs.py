"""Assembling each unit's inputs for a run, in the kernel's units shape.

A figure the scheme reads is looked up, in this order, as

1. a catalogue data element or indicator: the year row of the unit's rollup
   cube (indicators rounded half up to their catalogue decimals, as the
   reporting pages show them);
2. an assessor fact (``Fact``) for the unit and year;
3. a monthly-supervision figure (``supervision_avg``, ``rectification_overdue`` …);
4. otherwise it is missing and the kernel warns, except a flag named only in
   a veto, ceiling or ``zero_if`` condition: with no fact recorded it is 0 —
   nothing was found against the unit.

Targets come from the unit's ``Target`` whose code is the item's value key
(a band has no single value and is left to the scheme's own low/high);
``previous`` figures from the previous year's cube. Everything is read in
bulk — a fixed number of queries per 500 units — never a query per unit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Q

from renkou.assessment.models import Fact
from renkou.catalog.models import DataElement, Indicator, ValueType
from renkou.orgunits.models import OrgUnit, subtree_q
from renkou.reporting.analytics import Item, catalogue_items, round_half_up
from renkou.reporting.rollups import read_cubes
from renkou.rollup.periods import YEAR_ROW
from renkou.scoring import Scheme, load_scheme
from renkou.scoring.results import number
from renkou.targets.models import Target

__all__ = [
    "SUPERVISION_KEYS",
    "Assembled",
    "UnitInputs",
    "assemble_inputs",
    "run_units",
    "scheme_keys",
]

SUPERVISION_KEYS = frozenset(
    {
        "supervision_avg",
        "supervision_months",
        "supervision_min",
        "supervision_bottom",
        "supervision_repeat",
        "rectification_total",
        "rectification_overdue",
        "rectification_on_time_rate",
    }
)
_CHUNK = 500

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class UnitInputs:
    orgunit_id: int
    code: str
    inputs: dict[str, Any]


@dataclass
class Assembled:
    units: list[UnitInputs]
    # Where each figure the scheme reads comes from: catalogue, fact, supervision, flag, missing.
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SchemeKeys:
    values: frozenset[str]
    previous: frozenset[str]
    # item code → the catalogue code of its target
    targets: Mapping[str, str]
    flags: frozenset[str]


def scheme_keys(scheme: Scheme) -> SchemeKeys:
    needs = scheme.needs
    targets: dict[str, str] = {}
    for item in scheme.items:
        if item.code in needs.targets and item.value:
            targets[item.code] = item.value
    in_conditions: set[str] = set()
    for veto in scheme.vetoes:
        in_conditions |= veto.when.names()
    for ceiling in scheme.ceilings:
        in_conditions |= ceiling.when.names()
    for item in scheme.items:
        for variant in (item, *item.by_class.values()):
            if variant.zero_if is not None:
                in_conditions |= variant.zero_if.names()
    elsewhere: set[str] = set()
    for item in scheme.items:
        for variant in (item, *item.by_class.values()):
            if variant.value:
                elsewhere.add(variant.value)
            if variant.multiplier:
                elsewhere.add(variant.multiplier)
    for bonus in scheme.bonuses:
        elsewhere.add(bonus.value)
    flags = (in_conditions - {"total"}) - elsewhere
    return SchemeKeys(
        values=frozenset(needs.values),
        previous=frozenset(needs.previous),
        targets=targets,
        flags=frozenset(flags & set(needs.values)),
    )


def run_units(root: OrgUnit, level: int, year: int) -> list[OrgUnit]:
    """The units a run covers: ``root``'s subtree at ``level``, open at the end of ``year``."""
    end = dt.date(year, 12, 31)
    return list(
        OrgUnit.objects.filter(subtree_q(root.path), level=level)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .select_related("region_class")
        .order_by("path")
    )


def _catalogue(codes: Iterable[str]) -> dict[str, Item]:
    wanted = set(codes)
    if not wanted:
        return {}
    known = set(
        DataElement.objects.filter(code__in=wanted)
        .exclude(value_type=ValueType.TEXT)
        .values_list("code", flat=True)
    )
    known |= set(Indicator.objects.filter(code__in=wanted).values_list("code", flat=True))
    if not known:
        return {}
    items, _fingerprint = catalogue_items(tuple(sorted(known)))
    return {item.code: item for item in items}


def _cube_figures(
    unit_ids: Sequence[int], year: int, items: Sequence[Item]
) -> dict[int, dict[str, int | float]]:
    """The year row of each unit's cube for ``items``: {unit id: {code: figure}}."""
    if not items or not unit_ids:
        return {}
    year_row = YEAR_ROW
    matrix = np.full((len(unit_ids), len(items)), np.nan)
    for start in range(0, len(unit_ids), _CHUNK * 10):
        chunk = unit_ids[start : start + _CHUNK * 10]
        cubes = read_cubes(chunk, year)
        slots_by_layout: dict[int, list[tuple[int, int | None, int | None]]] = {}
        for offset, unit_id in enumerate(chunk):
            cube = cubes.get(unit_id)
            if cube is None:
                continue
            slots = slots_by_layout.get(cube.layout_id)
            if slots is None:
                slots = [(column, *_slots(cube, item)) for column, item in enumerate(items)]
                slots_by_layout[cube.layout_id] = slots
            row = cube.data[year_row]
            for column, slot, count_slot in slots:
                if slot is None:
                    continue
                figure = row[slot]
                if count_slot is not None:
                    counted = row[count_slot]
                    figure = figure / counted if counted > 0 else math.nan
                matrix[start + offset, column] = figure
    for column, item in enumerate(items):
        matrix[:, column] = round_half_up(matrix[:, column], item.decimals)
    found: dict[int, dict[str, int | float]] = {}
    codes = [item.code for item in items]
    for unit_id, row in zip(unit_ids, matrix.tolist(), strict=True):
        figures: dict[str, int | float] = {}
        for code, figure in zip(codes, row, strict=True):
            if figure == figure:  # not NaN
                figures[code] = int(figure) if figure.is_integer() else figure
        found[unit_id] = figures
    return found


def _slots(cube: Any, item: Item) -> tuple[int | None, int | None]:
    layout = cube.layout
    try:
        if item.kind == "indicator":
            return layout.indicator_slot(item.code), None
        index = layout.element_index(item.code)
    except KeyError:
        return None, None
    if index in layout.counted:
        return index, layout.n_elements + layout.counted.index(index)
    return index, None


def _facts(
    root: OrgUnit, level: int, year: int, codes: Iterable[str]
) -> dict[int, dict[str, Decimal]]:
    wanted = set(codes)
    found: dict[int, dict[str, Decimal]] = {}
    if not wanted:
        return found
    rows = Fact.objects.filter(
        subtree_q(root.path, "orgunit__"), year=year, orgunit__level=level, code__in=wanted
    ).values_list("orgunit_id", "code", "value")
    for unit_id, code, value in rows:
        found.setdefault(unit_id, {})[code] = value
    return found


def _targets(
    root: OrgUnit, level: int, year: int, codes: Iterable[str]
) -> dict[int, dict[str, Decimal]]:
    wanted = set(codes)
    found: dict[int, dict[str, Decimal]] = {}
    if not wanted:
        return found
    rows = Target.objects.filter(
        subtree_q(root.path, "orgunit__"),
        year=year,
        orgunit__level=level,
        code__in=wanted,
        value__isnull=False,
    ).values_list("orgunit_id", "code", "value")
    for unit_id, code, value in rows:
        if value is not None:
            found.setdefault(unit_id, {})[code] = value
    return found


def _supervision(year: int, units: Sequence[OrgUnit]) -> dict[str, dict[str, Decimal]]:
    from renkou.supervision.selectors import assessment_inputs

    found: dict[str, dict[str, Decimal]] = {}
    for start in range(0, len(units), _CHUNK * 10):
        found.update(assessment_inputs(year, units[start : start + _CHUNK * 10]))
    return found


def _plain(value: Decimal | int | float) -> int | float | None:
    if isinstance(value, Decimal):
        return number(value)
    return value


def assemble_inputs(
    scheme_data: Mapping[str, Any],
    *,
    year: int,
    root: OrgUnit,
    level: int,
    progress: Progress | None = None,
) -> Assembled:
    """Every covered unit's mapping {code, name, class, values, targets, previous}."""
    scheme = load_scheme(scheme_data)
    keys = scheme_keys(scheme)
    units = run_units(root, level, year)
    ids = [unit.pk for unit in units]
    has_classes = bool(scheme.classes)

    catalogue = _catalogue(keys.values | keys.previous)
    value_items = [catalogue[k] for k in sorted(keys.values) if k in catalogue]
    previous_items = [catalogue[k] for k in sorted(keys.previous) if k in catalogue]
    current = _cube_figures(ids, year, value_items)
    if progress:
        progress(len(units) // 3, len(units))
    previous = _cube_figures(ids, year - 1, previous_items)
    other = keys.values - set(catalogue)
    facts = _facts(root, level, year, other)
    previous_facts = _facts(root, level, year - 1, keys.previous - set(catalogue))
    supervision_keys = other & SUPERVISION_KEYS
    supervision = _supervision(year, units) if supervision_keys else {}
    targets = _targets(root, level, year, set(keys.targets.values()))
    if progress:
        progress(2 * len(units) // 3, len(units))

    sources = {key: "catalogue" for key in keys.values if key in catalogue}
    for key in other:
        if key in supervision_keys:
            sources[key] = "supervision"
        elif key in keys.flags:
            sources[key] = "flag"
        else:
            sources[key] = "fact"

    assembled: list[UnitInputs] = []
    for unit in units:
        values: dict[str, Any] = dict(current.get(unit.pk, {}))
        own_facts = facts.get(unit.pk, {})
        own_supervision = supervision.get(unit.code, {})
        for key in other:
            if key in own_facts:
                values[key] = number(own_facts[key])
            elif key in supervision_keys and key in own_supervision:
                values[key] = number(own_supervision[key])
            elif key in keys.flags:
                values[key] = 0
        own_targets = targets.get(unit.pk, {})
        unit_targets = {
            item: number(own_targets[code])
            for item, code in keys.targets.items()
            if code in own_targets
        }
        unit_previous: dict[str, Any] = dict(previous.get(unit.pk, {}))
        for key, value in previous_facts.get(unit.pk, {}).items():
            unit_previous.setdefault(key, number(value))
        mapping: dict[str, Any] = {
            "code": unit.code,
            "name": unit.name,
            "values": dict(sorted(values.items())),
            "targets": unit_targets,
            "previous": unit_previous,
        }
        if has_classes:
            mapping["class"] = unit.region_class.code if unit.region_class is not None else ""
        assembled.append(UnitInputs(unit.pk, unit.code, mapping))
    if progress:
        progress(len(units), len(units))
    return Assembled(assembled, sources)
