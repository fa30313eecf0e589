"""The shipped examples, with a few of their figures checked by hand.

``tests/assessment/test_score_command.py`` checks that ``renkou score``
reproduces the golden files byte for byte; these tests check that what the
golden files say is right.
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from renkou.scoring import Results, load_scheme, read_units, score_units

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemes"


def results(scheme: str, units: str) -> Results:
    return score_units(load_scheme(EXAMPLES / scheme), read_units(EXAMPLES / units))


@pytest.fixture(scope="module")
def township() -> Results:
    return results("township.yaml", "township.units.json")


def test_township_sex_ratio_of_the_issue_example(township: Results) -> None:
    """澄江街道: 160 boys, 148 girls; interval 85.91–136.12 overlaps 103–107."""
    srb = township.unit("331003006").item("srb")
    assert srb.score == D(10)
    assert srb.explanation == (
        "出生人口性别比108.11，男160女148，95%置信区间85.91–136.12，与正常范围103–107有重叠，得10分"
    )


def test_township_mountain_total_is_rescaled(township: Results) -> None:
    """上垟乡 skips the 6-point floating-population item: items 87.05 of the 94
    assessed → 87.05 × 100 / 94 = 92.606… → 92.61; bonus 2 → 94.61."""
    unit = township.unit("331003200")
    assert unit.item("floating").skipped
    assert (unit.raw_total, unit.bonus, unit.total) == (D("87.05"), D(2), D("94.61"))


def test_township_ceiling_veto_and_tie(township: Results) -> None:
    """东城街道 scores 100.65 but has petitions: 良好 at best, still ranked 1.
    新前街道 is vetoed for fraud and ranks 18th of 19, before 富山乡 (vetoed
    for a total below 60). 上郑乡 and 茅畲乡 share rank 5; the next is 7."""
    top = township.unit("331003001")
    assert (top.total, top.grade, top.ceiling, top.rank) == (D("100.65"), "良好", "petitions", 1)
    fraud = township.unit("331003005")
    assert (fraud.vetoes, fraud.grade, fraud.rank) == (["fraud"], "不合格", 18)
    assert township.unit("331003202").vetoes == ["low_total"]
    assert township.unit("331003202").rank == 19
    assert township.unit("331003204").rank == township.unit("331003205").rank == 5
    assert sorted(unit.rank for unit in township.results).count(6) == 0


def test_village_cut_offs(tmp_path: Path) -> None:
    """前岸村 (plain) totals exactly 90.0, the inclusive 示范 cut-off. 高坑村
    (mountain) skips 10 points: 68.4 × 100 / 90 = 76.0, 合格 on the mountain
    scale (65), and 新塘村 is vetoed to 整治 despite 89.3."""
    village = results("village.yaml", "village.units.csv")
    assert (village.unit("331003006008").total, village.unit("331003006008").grade) == (
        D(90),
        "示范",
    )
    hill = village.unit("331003006013")
    assert (hill.raw_total, hill.total, hill.grade) == (D("68.4"), D(76), "合格")
    assert village.unit("331003006007").grade == "整治"


def test_county_parts_are_weighted() -> None:
    """路桥区: daily part 562.8 + 250 + 150 = 962.8 of 1000; annual part 1000 of
    1000. 0.3 × 962.8 + 0.7 × 1000 = 988.84 → 988.8 (precision 1); bonuses
    20 + 10 = 30 → 1018.8. Its sex ratio was above 110 two years running, so
    at best 良好."""
    county = results("county.json", "county.units.json")
    unit = county.unit("331004")
    assert (unit.raw_total, unit.bonus, unit.total) == (D("1962.8"), D(30), D("1018.8"))
    assert (unit.grade, unit.ceiling) == ("良好", "srb_alarm")
