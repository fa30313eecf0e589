"""The target-setting assistant: each unit's structure and last year's figures in, suggestions out.

For a target year ``Y`` the assistant starts from the structures stored for
``Y − 1`` (the population on 31 December) and last year's births, deaths and
migration from the monthly-report rollups of ``Y − 1``. It always works on a
whole county: the county's rates are the prior every unit is shrunk towards,
so a township's page and the county's page show the same figures for it.

Units with a structure of their own and none below them (normally the
villages) are projected; every unit above them gets the sums, so the
suggested births of a township are exactly the sum of its villages'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np

from renkou.demography import srb_intervals
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.population import engine
from renkou.population.access import PopulationError
from renkou.population.models import GROUP_LABELS
from renkou.population.selectors import structures
from renkou.reporting.rollups import StoredCube, read_cubes
from renkou.rollup import row_of

ACTUAL_CODES = ("births_male", "births_female", "deaths", "migration_in", "migration_out")
METHOD = "五岁组均分为单岁后，按一年步长的两性别队列要素法推算一年"


@dataclass(frozen=True)
class Unit:
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None
    path: str
    region: str


@dataclass
class Actuals:
    """What a unit reported for a year (None where it did not)."""

    births: float | None = None
    male_births: float | None = None
    female_births: float | None = None
    deaths: float | None = None
    migration_in: float | None = None
    migration_out: float | None = None
    population: float | None = None
    ngr: float | None = None
    srb: float | None = None
    srb_low: float | None = None
    srb_high: float | None = None

    @property
    def net_migration(self) -> float | None:
        if self.migration_in is None or self.migration_out is None:
            return None
        return self.migration_in - self.migration_out


@dataclass
class Suggestion:
    unit: Unit
    projected: bool  # projected itself (True) or the sum of the units below it
    population: int
    births: float
    births_80: tuple[int, int]
    births_95: tuple[int, int]
    deaths: float
    deaths_80: tuple[int, int]
    mean_population: float
    ngr: float
    srb_low: float
    srb_high: float
    srb_pooled: bool
    women_15_49_start: float
    women_15_49: float
    under_3: float
    pyramid_start: tuple[list[float], list[float]]  # male, female by five-year group
    pyramid_end: tuple[list[float], list[float]]
    last: Actuals
    basis: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    year: int
    base_year: int
    county: Unit
    rows: dict[int, Suggestion]
    county_tfr: float
    e0_female: float
    e0_male: float
    units_projected: int

    def for_unit(self, unit_id: int) -> Suggestion | None:
        return self.rows.get(unit_id)

    def children(self, unit: OrgUnit) -> list[Suggestion]:
        return sorted(
            (s for s in self.rows.values() if s.unit.parent_id == unit.pk),
            key=lambda s: s.unit.path,
        )


def county_of(unit: OrgUnit) -> OrgUnit:
    if unit.level == Level.COUNTY:
        return unit
    if unit.level < Level.COUNTY:
        raise PopulationError(
            "目标测算按县（区）进行，请选择一个县（区）、乡镇（街道）或村（居）。"
        )
    code = unit.code[:6]
    county = OrgUnit.objects.filter(code=code, level=Level.COUNTY).first()
    if county is None:  # pragma: no cover - codes follow the national scheme
        raise PopulationError("找不到该单位所属的县（区）。")
    return county


def _units(county: OrgUnit) -> list[Unit]:
    rows = (
        OrgUnit.objects.filter(subtree_q(county.path))
        .order_by("path")
        .values_list("id", "code", "name", "level", "parent_id", "path", "region_class__name")
    )
    return [Unit(i, c, n, lv, p, path, r or "") for i, c, n, lv, p, path, r in rows]


def _slot(cube: StoredCube, code: str) -> tuple[int | None, int | None]:
    layout = cube.layout
    try:
        index = layout.element_index(code)
    except KeyError:
        try:
            return layout.indicator_slot(code), None
        except KeyError:
            return None, None
    if index in layout.counted:
        return index, layout.n_elements + layout.counted.index(index)
    return index, None


def cube_value(cube: StoredCube | None, code: str, year: int) -> float | None:
    """A code's value in a unit's cube for the whole year (None if not reported)."""
    if cube is None:
        return None
    slot, count_slot = _slot(cube, code)
    if slot is None:
        return None
    _year, row = row_of(str(year))
    value = float(cube.data[row, slot])
    if count_slot is not None:
        count = float(cube.data[row, count_slot])
        value = value / count if count > 0 else float("nan")
    return None if not np.isfinite(value) else value


def actuals(unit_ids: list[int], year: int) -> dict[int, Actuals]:
    cubes = read_cubes(unit_ids, year)
    found: dict[int, Actuals] = {}
    for unit_id, cube in cubes.items():
        boys = cube_value(cube, "births_male", year)
        girls = cube_value(cube, "births_female", year)
        found[unit_id] = Actuals(
            births=None if boys is None or girls is None else boys + girls,
            male_births=boys,
            female_births=girls,
            deaths=cube_value(cube, "deaths", year),
            migration_in=cube_value(cube, "migration_in", year),
            migration_out=cube_value(cube, "migration_out", year),
            population=cube_value(cube, "population", year),
            ngr=cube_value(cube, "ngr", year),
            srb=cube_value(cube, "srb", year),
        )
    with_births = [
        (u, a)
        for u, a in found.items()
        if a.male_births is not None and a.female_births is not None
    ]
    if with_births:
        intervals = srb_intervals(
            [round(a.male_births or 0) for _u, a in with_births],
            [round(a.female_births or 0) for _u, a in with_births],
        )
        for position, (_unit, record) in enumerate(with_births):
            low, high = float(intervals.low[position]), float(intervals.high[position])
            record.srb_low = low if np.isfinite(low) else None
            record.srb_high = high if np.isfinite(high) else None
    return found


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def run(scope: OrgUnit, year: int) -> Result:
    """Suggestions for ``year`` for every unit of the scope's county."""
    county = county_of(scope)
    base_year = year - 1
    units = _units(county)
    by_id = {u.id: u for u in units}
    stored = structures(base_year, by_id)
    if not stored:
        raise PopulationError(
            f"{county.name}还没有{base_year}年末的人口年龄结构，请先导入后再测算{year}年目标。"
        )
    has_structure_below = {by_id[u].parent_id for u in stored if by_id[u].parent_id is not None}
    leaves = [u for u in units if u.id in stored and u.id not in has_structure_below]
    last = actuals([u.id for u in units], base_year)

    male5 = np.array([stored[u.id][0] for u in leaves], dtype=np.float64)
    female5 = np.array([stored[u.id][1] for u in leaves], dtype=np.float64)

    def column(name: str) -> np.ndarray:
        return np.array([_nan(getattr(last.get(u.id, Actuals()), name)) for u in leaves])

    inputs = engine.Inputs(
        ages=engine.SINGLE_AGES_5,
        female=engine.split_groups(female5),
        male=engine.split_groups(male5),
        births=column("births"),
        male_births=column("male_births"),
        female_births=column("female_births"),
        deaths=column("deaths"),
        net_migration=np.nan_to_num(
            np.array([_nan(last.get(u.id, Actuals()).net_migration) for u in leaves])
        ),
    )
    leaf_result = engine.suggest(inputs)

    # Every unit gets the sum of the projected units at or below it.
    index_of = {u.id: i for i, u in enumerate(units)}
    members: list[int] = []
    groups: list[int] = []
    for position, leaf in enumerate(leaves):
        unit: Unit | None = leaf
        while unit is not None:
            members.append(position)
            groups.append(index_of[unit.id])
            unit = by_id.get(unit.parent_id) if unit.parent_id is not None else None
    summed = leaf_result.aggregate(
        np.array(members, dtype=np.int64), np.array(groups, dtype=np.int64), len(units)
    )
    leaf_position = {u.id: i for i, u in enumerate(leaves)}
    rows: dict[int, Suggestion] = {}
    covered = set(groups)
    for index, unit in enumerate(units):
        if index not in covered:
            continue
        rows[unit.id] = _suggestion(
            unit,
            index,
            summed,
            leaf_result,
            leaf_position.get(unit.id),
            last.get(unit.id, Actuals()),
            base_year,
        )
    county_unit = by_id[county.pk]
    return Result(
        year=year,
        base_year=base_year,
        county=county_unit,
        rows=rows,
        county_tfr=leaf_result.county_tfr,
        e0_female=leaf_result.county_e0_female,
        e0_male=leaf_result.county_e0_male,
        units_projected=len(leaves),
    )


def _groups(single: np.ndarray) -> list[float]:
    return [round(float(v), 1) for v in engine.join_groups(single[None, :])[0]]


def _suggestion(
    unit: Unit,
    index: int,
    summed: engine.Suggestions,
    leaves: engine.Suggestions,
    leaf: int | None,
    last: Actuals,
    base_year: int,
) -> Suggestion:
    s = summed
    births, deaths = float(s.births[index]), float(s.deaths[index])
    start_f, start_m = s.start_female[index], s.start_male[index]
    fertile = (s.ages >= 15) & (s.ages <= 49)
    suggestion = Suggestion(
        unit=unit,
        projected=leaf is not None,
        population=round(float(start_f.sum() + start_m.sum())),
        births=births,
        births_80=(int(s.births_80[0][index]), int(s.births_80[1][index])),
        births_95=(int(s.births_95[0][index]), int(s.births_95[1][index])),
        deaths=deaths,
        deaths_80=(int(s.deaths_80[0][index]), int(s.deaths_80[1][index])),
        mean_population=float(s.mean_population[index]),
        ngr=float(s.natural_growth[index]),
        srb_low=float(s.srb_low[index]),
        srb_high=float(s.srb_high[index]),
        srb_pooled=bool(s.srb_pooled[index]),
        women_15_49_start=float(start_f[fertile].sum()),
        women_15_49=float(s.women_15_49[index]),
        under_3=float(s.under_3[index]),
        pyramid_start=(_groups(start_m), _groups(start_f)),
        pyramid_end=(_groups(s.end_male[index]), _groups(s.end_female[index])),
        last=last,
    )
    suggestion.basis = _basis(suggestion, leaves, leaf, base_year)
    return suggestion


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _basis(
    s: Suggestion, leaves: engine.Suggestions, leaf: int | None, base_year: int
) -> dict[str, str]:
    if leaf is not None:
        fert = (
            f"全县总和生育率{leaves.county_tfr:.2f}，本单位生育水平为全县的"
            f"{_pct(float(leaves.fertility_factor[leaf]))}（经验贝叶斯收缩，自身数据权重"
            f"{_pct(float(leaves.fertility_weight[leaf]))}）"
        )
        mort = (
            f"全县死亡水平（女{leaves.county_e0_female:.1f}岁、男{leaves.county_e0_male:.1f}岁预期寿命），"
            f"本单位为全县的{_pct(float(leaves.mortality_factor[leaf]))}（自身数据权重"
            f"{_pct(float(leaves.mortality_weight[leaf]))}）"
        )
    else:
        fert = "下辖各单位预期出生数之和"
        mort = "下辖各单位预期死亡数之和"
    net = s.last.net_migration
    migration = f"上年净迁移{net:+.0f}人" if net is not None else "上年无迁移数据，按零迁移"
    old_index = GROUP_LABELS.index("60–64")
    old = sum(s.pyramid_start[0][old_index:]) + sum(s.pyramid_start[1][old_index:])
    srb_range = f"{s.srb_low:.0f}–{s.srb_high:.0f}"
    if s.srb_pooled:
        srb = (
            f"预期出生约{s.births:.0f}人，不足{engine.MIN_SRB_BIRTHS}人，单独的性别比偶然波动很大："
            f"不按当年比值考核，与上级合并、多年合计看是否在103–107内；仅为机会波动95%范围{srb_range}。"
        )
    else:
        srb = (
            f"预期出生约{s.births:.0f}人，正常范围103–107放宽到这一出生规模下机会波动的"
            f"95%范围，即{srb_range}。"
        )
    return {
        "births": (
            f"{base_year}年末育龄妇女{s.women_15_49_start:.0f}人；{fert}；{METHOD}：预期{s.births:.1f}人，"
            f"80%区间{s.births_80[0]}–{s.births_80[1]}人，95%区间{s.births_95[0]}–{s.births_95[1]}人（泊松）。"
        ),
        "deaths": (
            f"{base_year}年末60岁以上{old:.0f}人；{mort}：预期{s.deaths:.1f}人，"
            f"80%区间{s.deaths_80[0]}–{s.deaths_80[1]}人。"
        ),
        "ngr": (
            f"（预期出生{s.births:.1f} − 预期死亡{s.deaths:.1f}）÷ 平均人口{s.mean_population:.0f}"
            f" × 1000‰ = {s.ngr:.2f}‰；{migration}。"
        ),
        "srb": srb,
        "women_15_49": (
            f"{base_year}年末{s.women_15_49_start:.0f}人，按存活和迁移推算年末{s.women_15_49:.0f}人"
            "（按育龄妇女分解目标时的基数）。"
        ),
        "under_3": (f"推算年末3岁以下儿童{s.under_3:.0f}人（育儿补贴人数和托位需求的基数）。"),
    }


# --- into targets ---------------------------------------------------------------


def _decimal(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def target_rows(suggestion: Suggestion) -> list[Any]:
    """The suggestion as target inputs (births, deaths, natural growth rate, SRB band)."""
    from renkou.targets.models import Direction, TargetKind
    from renkou.targets.types import TargetInput

    unit_id = suggestion.unit.id
    b = suggestion.basis
    return [
        TargetInput(
            orgunit_id=unit_id,
            code="births",
            kind=TargetKind.COUNT,
            direction=Direction.AT_LEAST,
            value=_decimal(suggestion.births, "1"),
            basis=b["births"],
        ),
        TargetInput(
            orgunit_id=unit_id,
            code="deaths",
            kind=TargetKind.COUNT,
            direction=Direction.AT_MOST,
            value=_decimal(suggestion.deaths, "1"),
            basis=b["deaths"],
        ),
        TargetInput(
            orgunit_id=unit_id,
            code="ngr",
            kind=TargetKind.RATE,
            direction=Direction.AT_LEAST,
            value=_decimal(suggestion.ngr, "0.01"),
            basis=b["ngr"],
        ),
        TargetInput(
            orgunit_id=unit_id,
            code="srb",
            kind=TargetKind.RATE,
            direction=Direction.WITHIN,
            low=_decimal(suggestion.srb_low, "1"),
            high=_decimal(suggestion.srb_high, "1"),
            basis=b["srb"],
        ),
    ]


# --- back-testing ---------------------------------------------------------------


@dataclass
class BacktestRow:
    suggestion: Suggestion
    actual_births: float | None
    actual_deaths: float | None
    inside_80: bool | None
    inside_95: bool | None
    parent_name: str = ""


@dataclass
class Backtest:
    year: int
    result: Result
    rows: list[BacktestRow]  # the projected units
    births_80: engine.Calibration
    births_95: engine.Calibration
    deaths_80: engine.Calibration
    townships: list[BacktestRow]


def backtest(scope: OrgUnit, year: int) -> Backtest:
    """The suggestions for a past ``year`` next to what was reported for it."""
    result = run(scope, year)
    happened = actuals(list(result.rows), year)
    names = {s.unit.id: s.unit.name for s in result.rows.values()}
    rows: list[BacktestRow] = []
    townships: list[BacktestRow] = []
    for suggestion in sorted(result.rows.values(), key=lambda s: s.unit.path):
        record = happened.get(suggestion.unit.id, Actuals())
        births = record.births
        row = BacktestRow(
            suggestion,
            births,
            record.deaths,
            None
            if births is None
            else suggestion.births_80[0] <= births <= suggestion.births_80[1],
            None
            if births is None
            else suggestion.births_95[0] <= births <= suggestion.births_95[1],
            names.get(suggestion.unit.parent_id or 0, ""),
        )
        if suggestion.projected:
            rows.append(row)
        elif suggestion.unit.level == Level.TOWNSHIP:
            townships.append(row)

    def check(pick: str) -> engine.Calibration:
        actual = np.array(
            [_nan(r.actual_births if pick != "deaths" else r.actual_deaths) for r in rows]
        )
        ranges = [
            r.suggestion.births_80
            if pick == "births_80"
            else r.suggestion.births_95
            if pick == "births_95"
            else r.suggestion.deaths_80
            for r in rows
        ]
        low = np.array([lo for lo, _hi in ranges], dtype=np.int64)
        high = np.array([hi for _lo, hi in ranges], dtype=np.int64)
        return engine.calibration(actual, low, high)

    return Backtest(
        year=year,
        result=result,
        rows=rows,
        births_80=check("births_80"),
        births_95=check("births_95"),
        deaths_80=check("deaths"),
        townships=townships,
    )
