from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from renkou.catalog.seed import import_default_catalog

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Early October 2026: September's report is due on the 5th and not yet locked.
TODAY = dt.datetime(2026, 10, 3, 10, 0, tzinfo=SHANGHAI)
PERIOD = "202609"
VILLAGE = "331003006200"  # 东岙里村委会, the village worker's unit
OTHER_VILLAGE = "331003006204"  # 横屋村委会, also in 澄江街道
OUTSIDE_VILLAGE = "331003001001"  # 百花社区居委会, in 东城街道


@pytest.fixture
def catalog(db) -> None:
    import_default_catalog()


@pytest.fixture
def october(catalog) -> Iterator[None]:
    with time_machine.travel(TODAY, tick=True):
        yield


def full_form(**overrides: str) -> dict[str, str]:
    """A complete, plausible village report, as the form posts it."""
    values = {
        "births_male": "2",
        "births_female": "2",
        "deaths": "3",
        "migration_in": "5",
        "migration_out": "4",
        "birth_registrations": "4",
        "registered_30d": "3",
        "prepreg_checks": "2",
        "prepreg_eligible": "20",
        "subsidy_applied": "3",
        "subsidy_paid": "2",
        "special_families": "4",
        "special_visited": "4",
        "childcare_places": "12",
        "population": "3000",
    }
    values.update(overrides)
    return {f"v-{code}": value for code, value in values.items()}
