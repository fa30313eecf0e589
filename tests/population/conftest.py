"""Fixtures: reported figures and structures for the villages of 澄江街道 (and one outside).

Hand-checkable: each village's 2024 and 2025 births, deaths and year-end
population are fixed numbers, and its structure is a simple pyramid scaled to
that population.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from renkou.catalog.models import DataSet
from renkou.catalog.seed import import_default_catalog
from renkou.orgunits.models import OrgUnit
from renkou.population.actions import StructureRow, do_import_population_structures
from renkou.population.demo import whole_numbers
from renkou.reporting.exchange import import_values

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
TOWNSHIP = "331003006"  # 澄江街道
VILLAGES = ["331003006200", "331003006204", "331003006208"]
OUTSIDE_VILLAGE = "331003001001"
POPULATION = {
    "331003006200": 1200,
    "331003006204": 5600,
    "331003006208": 3000,
    OUTSIDE_VILLAGE: 2000,
}
# Births (boys, girls) and deaths per month, the same every month.
MONTHLY = {
    "331003006200": (1, 0, 1),
    "331003006204": (2, 2, 4),
    "331003006208": (1, 1, 2),
    OUTSIDE_VILLAGE: (1, 1, 1),
}
SHAPE = [4, 4, 4, 4, 5, 7, 8, 8, 8, 8, 9, 8, 7, 6, 4, 3, 2, 1.5]


def pyramid(total: int) -> tuple[list[int], list[int]]:
    import numpy as np

    counts = whole_numbers(np.array(SHAPE + SHAPE, dtype=float), total)
    return counts[:18], counts[18:]


@pytest.fixture
def catalog(db) -> None:
    import_default_catalog()


@pytest.fixture
def march(catalog) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def reported(personas, march) -> None:
    DataSet.objects.update(lock_days=0)
    rows: list[str] = []
    for unit, (boys, girls, deaths) in MONTHLY.items():
        for year in (2024, 2025):
            for month in range(1, 13):
                period = f"{year}{month:02d}"
                rows += [
                    f"births_male,{period},{unit},{boys}",
                    f"births_female,{period},{unit},{girls}",
                    f"deaths,{period},{unit},{deaths}",
                    f"migration_in,{period},{unit},2",
                    f"migration_out,{period},{unit},1",
                    f"population,{period},{unit},{POPULATION[unit]}",
                ]
    data = ("dataelement,period,orgunit,value\n" + "\n".join(rows) + "\n").encode()
    summary = import_values(acting_user=personas.county, data=data, kind="csv")
    assert summary.status == "SUCCESS", summary.conflicts


@pytest.fixture
def structures(reported) -> None:
    county = OrgUnit.objects.get(code="331003")
    for year in (2024, 2025):
        rows = []
        for code, total in POPULATION.items():
            male, female = pyramid(total)
            rows.append(StructureRow(OrgUnit.objects.get(code=code).pk, male, female))
        do_import_population_structures(acting_user=None, year=year, rows=rows, scope=county)
