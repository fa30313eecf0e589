"""Progress against targets, checked against numbers worked out by hand.

The fixture (tests/targets/conftest.py): 东岙里村 reported 2 births a month in
2025 except 4 in each of September–November (30 in the year, 12 by June), and
2 births a month in January–June 2026. Today is 10 July 2026: six months ended.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from renkou.orgunits.models import OrgUnit
from renkou.targets.actions import do_set_target
from renkou.targets.progress import months_elapsed, profile, progress_for
from renkou.targets.selectors import targets_for

pytestmark = pytest.mark.django_db
JULY = dt.date(2026, 7, 10)


def set_target(user, code: str, unit: str = "331003006200", **kw):
    return do_set_target(
        acting_user=user,
        orgunit=OrgUnit.objects.get(code=unit),
        year=kw.pop("year", 2026),
        code=code,
        **kw,
    )


def progress(code: str, unit: str = "331003006200", year: int = 2026, today=JULY):
    pk = OrgUnit.objects.get(code=unit).pk
    return progress_for(year, targets_for(year, [pk]), today)[pk][code]


def test_months_elapsed() -> None:
    assert months_elapsed(2026, JULY) == 6
    assert months_elapsed(2025, JULY) == 12
    assert months_elapsed(2027, JULY) == 0
    assert months_elapsed(2026, dt.date(2026, 1, 31)) == 0


def test_the_profile_is_the_cumulative_share_of_complete_past_years() -> None:
    autumn = np.array([2.0] * 8 + [4.0] * 3 + [2.0])
    shares = profile([autumn, np.array([np.nan] * 12)])
    assert shares is not None
    assert shares[5] == pytest.approx(12 / 30)
    assert shares[11] == pytest.approx(1.0)
    assert profile([np.array([np.nan] + [1.0] * 11)]) is None


def test_births_follow_the_units_own_seasons(personas, reported):
    set_target(personas.county, "births", kind="count", direction="at_least", value=Decimal(40))
    result = progress("births")
    # 40 × 12/30 = 16 expected by June; 12 born; 12/16 = 75% → red.
    assert result.method == "seasonal"
    assert (result.actual, result.expected) == (12.0, pytest.approx(16.0))
    assert result.percent == 75
    assert result.status == "red"
    assert result.explanation == "1–6月出生人数12人，按往年季节规律应达16人，完成75%，红灯"
    assert result.actual_line == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    assert result.target_line[5] == 16.0
    assert result.target_line[11] == 40.0


def test_amber_between_ninety_and_a_hundred_percent(personas, reported):
    # 28 × 0.4 = 11.2 expected, 12 born → green; 31 × 0.4 = 12.4 → 97% amber.
    set_target(personas.county, "births", kind="count", direction="at_least", value=Decimal(28))
    assert progress("births").status == "green"
    set_target(personas.county, "births", kind="count", direction="at_least", value=Decimal(31))
    result = progress("births")
    assert (result.status, result.percent) == ("amber", 97)


def test_without_a_complete_past_year_the_target_is_prorated_by_months(personas, reported):
    # prepreg_checks were never reported: no profile, and no actual either.
    set_target(
        personas.county, "prepreg_checks", kind="count", direction="at_least", value=Decimal(24)
    )
    result = progress("prepreg_checks")
    assert result.method == "linear"
    assert result.status == "none"
    assert result.explanation == "1–6月尚无上报数据，全年目标24人"


def test_linear_proration_for_a_township_without_history(personas, reported):
    # 2027 has no past complete year for 2026 (January–June only) → 6/12 in
    # July 2027; there are no 2027 values either, so check the expected line.
    set_target(
        personas.county,
        "births",
        unit="331003006",
        year=2027,
        kind="count",
        direction="at_least",
        value=Decimal(120),
    )
    result = progress("births", unit="331003006", year=2027, today=dt.date(2027, 7, 1))
    # 2025 is complete (two years back), so its seasons still count.
    assert result.method == "seasonal"
    set_target(
        personas.county,
        "births",
        unit="331003006",
        year=2029,
        kind="count",
        direction="at_least",
        value=Decimal(120),
    )
    later = progress("births", unit="331003006", year=2029, today=dt.date(2029, 7, 1))
    assert later.method == "linear"
    assert later.target_line[5] == 60.0


def test_a_township_sums_its_villages(personas, reported):
    set_target(
        personas.county,
        "births",
        unit="331003006",
        kind="count",
        direction="at_least",
        value=Decimal(100),
    )
    result = progress("births", unit="331003006")
    # 2025: 135 births, 54 by June (0.4); 2026: 3 villages × 2 × 6 = 36 born; 36/40 = 90%.
    assert (result.actual, result.expected) == (36.0, pytest.approx(40.0))
    assert (result.status, result.percent) == ("amber", 90)


def test_a_band_rate_is_inside_or_outside(personas, reported):
    set_target(
        personas.county,
        "srb",
        kind="rate",
        direction="within",
        low=Decimal(103),
        high=Decimal(107),
    )
    result = progress("srb")
    # 2026: 1 boy and 1 girl a month → SRB 100.
    assert result.actual == 100.0
    assert result.status == "red"
    assert result.explanation == "1–6月出生人口性别比100.0，目标区间103–107，低于区间，红灯"


def test_an_at_least_rate_with_a_small_gap_is_amber(personas, reported):
    set_target(personas.county, "srb", kind="rate", direction="at_least", value=Decimal(104))
    result = progress("srb")
    assert result.status == "amber"
    assert result.explanation == "1–6月出生人口性别比100.0，目标不低于104，低于目标4.0，黄灯"
    set_target(personas.county, "srb", kind="rate", direction="at_most", value=Decimal(101))
    assert progress("srb").explanation == "1–6月出生人口性别比100.0，目标不高于101，已达标，绿灯"


def test_before_the_year_starts(personas, reported):
    set_target(personas.county, "births", kind="count", direction="at_least", value=Decimal(40))
    result = progress("births", today=dt.date(2026, 1, 15))
    assert result.status == "none"
    assert result.explanation == "年度尚未开始，全年目标40人"
