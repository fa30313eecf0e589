"""The demo step: structures matching the reported population, older in the mountains."""

from __future__ import annotations

import numpy as np
import pytest

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit, RegionClass
from renkou.population.demo import seed_population, structures_for, whole_numbers
from renkou.population.models import GROUP_STARTS, PopulationStructure

from .conftest import POPULATION, TOWNSHIP, VILLAGES

pytestmark = pytest.mark.django_db


def _mean_age(male: list[int], female: list[int]) -> float:
    counts = np.array(male) + np.array(female)
    return float((counts * (np.array(GROUP_STARTS) + 2.5)).sum() / counts.sum())


def test_whole_numbers_add_up() -> None:
    assert whole_numbers(np.array([1.0, 1.0, 1.0]), 10) in ([4, 3, 3], [3, 4, 3], [3, 3, 4])
    assert sum(whole_numbers(np.random.default_rng(1).random(36), 1357)) == 1357


def test_mountain_villages_are_older_and_age_faster() -> None:
    totals = {2024: 2000, 2025: 1990}
    ages = {}
    for region in ("street", "town", "mountain"):
        means = []
        for code in range(331003200200, 331003200230):
            found = structures_for(str(code), region, totals)
            means.append([_mean_age(*found[year]) for year in (2024, 2025)])
        ages[region] = np.array(means)
    assert ages["street"][:, 0].mean() < ages["town"][:, 0].mean() < ages["mountain"][:, 0].mean()
    ageing = {r: (a[:, 1] - a[:, 0]).mean() for r, a in ages.items()}
    assert ageing["mountain"] > ageing["street"]
    assert sum(sum(part) for part in structures_for("331003200201", "town", totals)[2025]) == 1990


def test_seed_matches_the_rollup_population_and_is_idempotent(structures_free) -> None:
    messages: list[str] = []
    seed_population(messages.append)
    village = OrgUnit.objects.get(code=VILLAGES[1])
    for year in (2024, 2025):
        row = PopulationStructure.objects.get(orgunit=village, year=year)
        assert row.total == POPULATION[VILLAGES[1]]
    township = PopulationStructure.objects.get(orgunit__code=TOWNSHIP, year=2025)
    assert township.total == sum(
        PopulationStructure.objects.get(orgunit__code=c, year=2025).total for c in VILLAGES
    )
    # The small fixture's other villages have no reports: a plausible size instead.
    other = PopulationStructure.objects.get(orgunit__code="331003001002", year=2025)
    assert 50 <= other.total <= 20_000
    assert AuditEvent.objects.filter(action="population.import_structures").count() == 2
    seed_population(messages.append)
    assert messages[-1] == "演示人口结构已存在，跳过。"
    assert AuditEvent.objects.filter(action="population.import_structures").count() == 2


@pytest.fixture
def structures_free(reported) -> None:
    mountain = RegionClass.objects.create(code="mountain", name="山区乡")
    OrgUnit.objects.filter(code="331003200").update(region_class=mountain)
