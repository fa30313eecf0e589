"""Demo data: an age-sex structure for every village and township of 黄岩区, end of 2024 and 2025.

Plausible rather than real. Each village starts from a Zhejiang-like pyramid
(the large cohorts born around 1965–1975 and 1985–1995, few children),
tilted older in mountain townships and younger in urban streets, with a
little noise of its own; the total is the village's December population in
the monthly-report rollups (or a plausible size where it has none). The 2025
structure is the 2024 one a year older, mountain townships losing young
people faster. A township's structure is the sum of its villages'.

Random numbers come from a generator seeded by each village's code.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.population.actions import StructureRow, do_import_population_structures
from renkou.population.assistant import actuals
from renkou.population.models import GROUP_COUNT, GROUP_STARTS, PopulationStructure, StructureSource

DEMO_COUNTY = "331003"
DEMO_YEARS = (2024, 2025)
# Shares of the population by five-year group (both sexes), 0–4 … 85+.
_BASE = np.array(
    [3.9, 4.4, 4.3, 4.1, 4.6, 6.6, 8.1, 7.7, 7.6, 8.2, 8.9, 8.2, 6.6, 6.0, 4.4, 2.8, 1.9, 1.7]
)
# Men per person in each group: a little over half when young, few among the oldest.
_MALE_SHARE = np.array(
    [0.53, 0.53, 0.53, 0.525, 0.52, 0.515, 0.51, 0.51, 0.505, 0.505, 0.50, 0.50,
     0.495, 0.49, 0.48, 0.46, 0.43, 0.38]
)  # fmt: skip
_MIDDLE = np.array(GROUP_STARTS, dtype=np.float64) + 2.5
_TILT = {"street": -0.30, "town": 0.05, "mountain": 0.45}
_EXTRA_AGEING = {"street": 0.0, "town": 0.01, "mountain": 0.05}


def whole_numbers(shares: np.ndarray, total: int) -> list[int]:
    """Largest-remainder rounding: whole counts proportional to ``shares`` summing to ``total``."""
    raw = shares / shares.sum() * total
    counts = np.floor(raw).astype(np.int64)
    short = total - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(raw - counts))[:short]] += 1
    return [int(v) for v in counts]


def _age_one_year(shares: np.ndarray, births_share: float) -> np.ndarray:
    """A year later: a fifth of each group moves up; the open group keeps its own."""
    older = shares * 0.8
    older[1:] += shares[:-1] * 0.2
    older[-1] += shares[-1] * 0.2 * 0.85  # the oldest die faster
    older[0] += births_share
    return older


def structures_for(
    code: str, region: str, totals: dict[int, int]
) -> dict[int, tuple[list[int], list[int]]]:
    """(male, female) counts by group for each demo year, for one village."""
    rng = np.random.default_rng(int(code) + 7)
    tilt = _TILT.get(region, 0.0) + rng.normal(0.0, 0.08)
    shares = _BASE * np.exp(tilt * (_MIDDLE - 40.0) / 40.0) * rng.lognormal(0.0, 0.08, GROUP_COUNT)
    male_share = np.clip(_MALE_SHARE + rng.normal(0.0, 0.01, GROUP_COUNT), 0.3, 0.7)
    found: dict[int, tuple[list[int], list[int]]] = {}
    for position, year in enumerate(sorted(totals)):
        if position:
            shares = _age_one_year(shares / shares.sum(), 0.007)
            shares = shares * np.exp(_EXTRA_AGEING.get(region, 0.0) * (_MIDDLE - 40.0) / 40.0)
        counts = whole_numbers(np.concatenate([shares * male_share, shares * (1 - male_share)]),
                               totals[year])  # fmt: skip
        found[year] = (counts[:GROUP_COUNT], counts[GROUP_COUNT:])
    return found


def seed_population(log: Callable[[str], None]) -> None:
    """The demo step (after the monthly reports): skipped when the structures exist."""
    county = OrgUnit.objects.filter(code=DEMO_COUNTY).first()
    if county is None:
        log("没有演示县，跳过人口结构演示数据。")
        return
    if PopulationStructure.objects.filter(
        subtree_q(county.path, "orgunit__"), year=DEMO_YEARS[-1]
    ).exists():
        log("演示人口结构已存在，跳过。")
        return
    counts = seed_structures(county)
    log(f"生成演示人口年龄性别结构：{counts}个单位 × {len(DEMO_YEARS)}年。")


def seed_structures(county: OrgUnit) -> int:
    villages = list(
        OrgUnit.objects.filter(subtree_q(county.path), level=Level.VILLAGE, closed_on__isnull=True)
        .order_by("path")
        .values_list("id", "code", "parent_id", "parent__region_class__code")
    )
    ids = [v[0] for v in villages]
    reported = {year: actuals(ids, year) for year in DEMO_YEARS}
    per_year: dict[int, list[StructureRow]] = {year: [] for year in DEMO_YEARS}
    township_sums: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
    for unit_id, code, parent_id, region in villages:
        rng = np.random.default_rng(int(code))
        fallback = rng.lognormal(math.log(1350), 0.45)
        totals: dict[int, int] = {}
        for year in DEMO_YEARS:
            record = reported[year].get(unit_id)
            population = record.population if record is not None else None
            totals[year] = max(50, round(population if population else fallback))
        for year, (male, female) in structures_for(code, region or "", totals).items():
            per_year[year].append(StructureRow(unit_id, male, female))
            key = (parent_id, year)
            previous = township_sums.get(key, (np.zeros(GROUP_COUNT), np.zeros(GROUP_COUNT)))
            township_sums[key] = (previous[0] + male, previous[1] + female)
    for (township_id, year), (male_sum, female_sum) in township_sums.items():
        per_year[year].append(
            StructureRow(township_id, [int(v) for v in male_sum], [int(v) for v in female_sum])
        )
    for year, rows in per_year.items():
        do_import_population_structures(
            acting_user=None, year=year, rows=rows, scope=county, source=StructureSource.DEMO
        )
    return len(villages) + len({key[0] for key in township_sums})
