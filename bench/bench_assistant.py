"""The target-setting assistant for every village of a province.

25,547 synthetic villages (Zhejiang's count), single-year ages 0–100, two
sexes: last year's births, deaths and migration set each village's shrunk
fertility and mortality level; then the one-year projection and every
suggestion (expected births and deaths with Poisson 80%/95% ranges, natural
growth rate, SRB band, women 15–49, children under 3) and the township and
county sums. Target: ≤ 10 s. Also timed: storing and reading the villages'
five-year structures in the database.
"""

from __future__ import annotations

import time

import numpy as np

from renkou.population import engine

VILLAGES = 25_547
TOWNSHIPS = 1_360
AGES = np.arange(101)


def _inputs(rng: np.random.Generator) -> engine.Inputs:
    size = rng.lognormal(np.log(1800), 0.6, VILLAGES)
    shape = np.exp(-0.5 * ((AGES - 50) / 25) ** 2) + 0.3 * (AGES < 60)
    shape /= shape.sum()
    women = np.round(size[:, None] * shape * rng.gamma(20, 1 / 20, (VILLAGES, AGES.size)) / 2)
    men = np.round(size[:, None] * shape * rng.gamma(20, 1 / 20, (VILLAGES, AGES.size)) / 2)
    births = rng.poisson(size * 0.007).astype(float)
    boys = rng.binomial(births.astype(np.int64), 0.512).astype(float)
    return engine.Inputs(
        ages=AGES,
        female=women,
        male=men,
        births=births,
        male_births=boys,
        female_births=births - boys,
        deaths=rng.poisson(size * 0.008).astype(float),
        net_migration=np.round(rng.normal(0, 0.01, VILLAGES) * size),
    )


def _database(rng: np.random.Generator) -> None:
    from django.db import transaction
    from django.utils import timezone

    from renkou.orgunits.models import Level, OrgUnit
    from renkou.population.models import PopulationStructure, derived_figures
    from renkou.population.selectors import structures

    province = OrgUnit.objects.create(code="99", name="省", level=Level.PROVINCE, path="99/")
    units = [
        OrgUnit(
            code=f"99{i:010d}", name=f"村{i}", level=Level.VILLAGE, parent=province,
            path=f"99/99{i:010d}/",
        )
        for i in range(VILLAGES)
    ]  # fmt: skip
    OrgUnit.objects.bulk_create(units, batch_size=5000)
    ids = list(OrgUnit.objects.filter(level=Level.VILLAGE).values_list("id", flat=True))
    now = timezone.now()
    rows = []
    for unit_id in ids:
        male = [int(v) for v in rng.integers(10, 120, 18)]
        female = [int(v) for v in rng.integers(10, 120, 18)]
        rows.append(
            PopulationStructure(
                orgunit_id=unit_id, year=2025, male=male, female=female, source="demo",
                updated_at=now, **derived_figures(male, female),
            )
        )  # fmt: skip
    started = time.perf_counter()
    with transaction.atomic():
        PopulationStructure.objects.bulk_create(rows, batch_size=2000)
    stored = time.perf_counter() - started
    started = time.perf_counter()
    found = structures(2025, ids)
    read = time.perf_counter() - started
    started = time.perf_counter()
    male5 = np.array([found[i][0] for i in ids], dtype=float)
    female5 = np.array([found[i][1] for i in ids], dtype=float)
    single = engine.split_groups(female5), engine.split_groups(male5)
    shaped = time.perf_counter() - started
    print(f"   store {len(ids):,} five-year structures: {stored:.2f} s")
    print(f"   read them back (selectors.structures): {read:.2f} s")
    print(f"   into units × single-year arrays: {shaped:.2f} s ({single[0].shape})")


def main() -> None:
    rng = np.random.default_rng(2026)
    inputs = _inputs(rng)
    started = time.perf_counter()
    result = engine.suggest(inputs)
    projected = time.perf_counter() - started
    township = rng.integers(0, TOWNSHIPS, VILLAGES)
    members = np.concatenate([np.arange(VILLAGES), np.arange(VILLAGES)])
    groups = np.concatenate([township, np.full(VILLAGES, TOWNSHIPS)])
    started = time.perf_counter()
    summed = result.aggregate(members, groups, TOWNSHIPS + 1)
    aggregated = time.perf_counter() - started
    print(
        f"   {VILLAGES:,} villages × {AGES.size} ages × 2 sexes: projection with every "
        f"suggestion {projected:.2f} s (target ≤ 10 s)"
    )
    print(f"   township and province sums with their ranges: {aggregated:.2f} s")
    print(
        f"   province: expected births {summed.births[-1]:,.0f} "
        f"(80% {summed.births_80[0][-1]:,}–{summed.births_80[1][-1]:,}), "
        f"deaths {summed.deaths[-1]:,.0f}, TFR {result.county_tfr:.2f}, "
        f"villages judged on SRB with their township: {int(result.srb_pooled.sum()):,}"
    )
    _database(rng)


if __name__ == "__main__":
    main()
