"""Fixtures for the targets tests: the default catalogue and a few reported figures.

``reported`` gives the three villages of 澄江街道 hand-checkable figures:
2025 monthly births and year-end population, and 2026 births for January–June.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from renkou.catalog.models import DataSet
from renkou.catalog.seed import import_default_catalog
from renkou.reporting.exchange import import_values

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Mid-July 2026: January–June 2026 are reported.
TODAY = dt.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)
TOWNSHIP = "331003006"  # 澄江街道
VILLAGES = ["331003006200", "331003006204", "331003006208"]
OUTSIDE_VILLAGE = "331003001001"
# 2025 year-end population of each village, and births per month (male, female).
POPULATION_2025 = {"331003006200": 1234, "331003006204": 5678, "331003006208": 3088}
# 2025: births per month, the same every month except a busy autumn (Sep–Nov doubled).
BIRTHS_2025 = {"331003006200": 2, "331003006204": 4, "331003006208": 3}


@pytest.fixture
def catalog(db) -> None:
    import_default_catalog()


@pytest.fixture
def july(catalog) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


def csv_for(rows: list[tuple[str, str, str, int]]) -> bytes:
    return (
        "dataelement,period,orgunit,value\n" + "".join(f"{e},{p},{u},{v}\n" for e, p, u, v in rows)
    ).encode()


def births_2025(unit: str, month: int) -> int:
    base = BIRTHS_2025[unit]
    return base * 2 if month in (9, 10, 11) else base


@pytest.fixture
def reported(personas, july) -> None:
    DataSet.objects.update(lock_days=0)
    rows: list[tuple[str, str, str, int]] = []
    for unit in VILLAGES:
        for month in range(1, 13):
            period = f"2025{month:02d}"
            total = births_2025(unit, month)
            rows += [
                ("births_male", period, unit, total // 2),
                ("births_female", period, unit, total - total // 2),
                ("population", period, unit, POPULATION_2025[unit] - (12 - month)),
            ]
        for month in range(1, 7):
            period = f"2026{month:02d}"
            rows += [
                ("births_male", period, unit, 1),
                ("births_female", period, unit, 1),
                ("population", period, unit, POPULATION_2025[unit] + month),
            ]
    summary = import_values(acting_user=personas.county, data=csv_for(rows), kind="csv")
    assert summary.status == "SUCCESS", summary.conflicts
