"""The assistant's arithmetic on small cases that can be checked by hand, and its calibration."""

from __future__ import annotations

import math

import numpy as np
import pytest

from renkou.demography import life_table
from renkou.population import engine

AGES = engine.SINGLE_AGES_5


def _inputs(
    female5: list[list[float]], male5: list[list[float]], **last: list[float]
) -> engine.Inputs:
    units = len(female5)
    nan = [math.nan] * units
    return engine.Inputs(
        ages=AGES,
        female=engine.split_groups(np.array(female5, dtype=float)),
        male=engine.split_groups(np.array(male5, dtype=float)),
        births=np.array(last.get("births", nan), dtype=float),
        male_births=np.array(last.get("male_births", nan), dtype=float),
        female_births=np.array(last.get("female_births", nan), dtype=float),
        deaths=np.array(last.get("deaths", nan), dtype=float),
        net_migration=np.array(last.get("net_migration", [0.0] * units), dtype=float),
    )


def _group(index: int, count: float) -> list[float]:
    values = [0.0] * 18
    values[index] = count
    return values


def test_split_and_join_keep_every_person() -> None:
    groups = np.arange(1, 19, dtype=float)[None, :] * 10
    single = engine.split_groups(groups)
    assert single.shape == (1, 86)
    assert single[0, :5].tolist() == [2.0] * 5  # 10 people aged 0–4 → 2 per year
    assert single[0, -1] == 180.0  # 85+ stays open
    assert engine.join_groups(single).tolist() == groups.tolist()


@pytest.mark.parametrize("sex", ["male", "female"])
def test_vectorised_life_table_matches_the_kernel(sex: str) -> None:
    mx = engine.standard_mx(AGES, sex)
    kernel = life_table(AGES, mx=mx, sex=sex, a0_rule="coale_demeny", ax_rule="half")
    ours = engine.projection_Lx(np.vstack([mx, mx * 1.5]), sex)
    assert ours[0] == pytest.approx(kernel.projection_Lx(1) / kernel.radix, rel=1e-12)
    doubled = life_table(AGES, mx=mx * 1.5, sex=sex)
    assert ours[1] == pytest.approx(doubled.projection_Lx(1) / doubled.radix, rel=1e-12)
    assert 75 < ours[0].sum() < 90  # life expectancy at birth


def test_one_group_of_women_gives_the_births_you_can_work_out_by_hand() -> None:
    # 1,000 women aged 25–29 and nobody else; no record of last year, so the
    # standard schedule applies as it is: 0.085 births per woman-year.
    # Births come from the women at the start and at the end of the year:
    # 200 at each age 25–29 at the start; at the end 200 at each age 26–30
    # (less a few deaths), and at 30 the rate is 0.050. By hand:
    # 0.085 × (1000 + 800) / 2 + 0.050 × 200 / 2 = 76.5 + 5 = 81.5.
    result = engine.suggest(_inputs([_group(5, 1000.0)], [[0.0] * 18]))
    assert result.births[0] == pytest.approx(81.5, rel=1e-3)
    end = result.end_female[0]
    assert result.births[0] == pytest.approx(
        0.085 * (1000 + end[26:30].sum()) / 2 + 0.050 * end[30] / 2, rel=1e-9
    )
    # A fifth of them (those aged 29) turned 30 during the year.
    assert engine.join_groups(result.end_female)[0, 5] == pytest.approx(800.0, rel=1e-3)
    assert engine.join_groups(result.end_female)[0, 6] == pytest.approx(200.0, rel=1e-3)
    low, high = result.births_80[0][0], result.births_80[1][0]
    assert low < 81.5 < high
    assert result.births_95[0][0] <= low and result.births_95[1][0] >= high
    # Births are split by the SRB used (105 with no births on record).
    born_boys = result.end_male[0, 0] / result.end_female[0, 0]
    assert born_boys == pytest.approx(1.05, rel=1e-2)
    assert result.women_15_49[0] == pytest.approx(1000.0, rel=1e-3)
    assert result.under_3[0] == pytest.approx(result.births[0], rel=1e-2)
    mean = (1000 + result.end_female.sum() + result.end_male.sum()) / 2
    assert result.natural_growth[0] == pytest.approx(
        1000 * (result.births[0] - result.deaths[0]) / mean
    )


def test_county_level_follows_last_years_births() -> None:
    # Twice the births the standard schedule expects: the county level doubles.
    female = [_group(5, 1000.0), _group(5, 1000.0)]
    male = [[0.0] * 18, [0.0] * 18]
    base = engine.suggest(_inputs(female, male))
    doubled = engine.suggest(
        _inputs(female, male, births=[170.0, 170.0], male_births=[87, 87], female_births=[83, 83])
    )
    assert doubled.county_tfr == pytest.approx(2 * base.county_tfr, rel=1e-2)
    assert doubled.births == pytest.approx(2 * base.births, rel=1e-2)


def test_a_unit_with_little_data_is_pulled_to_the_county() -> None:
    # Two big units at the county level and one tiny unit with no births at all.
    female = [_group(5, 5000.0), _group(5, 5000.0), _group(5, 20.0)]
    male = [[0.0] * 18] * 3
    result = engine.suggest(
        _inputs(
            female,
            male,
            births=[300.0, 550.0, 0.0],
            male_births=[150, 280, 0],
            female_births=[150, 270, 0],
        )
    )
    # The tiny unit's own rate (0) gets little weight; the big ones keep theirs.
    assert result.fertility_weight[2] < 0.2
    assert result.fertility_factor[2] > 0.8
    assert result.fertility_weight[0] > 0.8


def test_migration_adds_people() -> None:
    female = [_group(8, 500.0)]
    male = [_group(8, 500.0)]
    still = engine.suggest(_inputs(female, male))
    moving = engine.suggest(_inputs(female, male, net_migration=[100.0]))
    gained = (moving.end_female.sum() + moving.end_male.sum()) - (
        still.end_female.sum() + still.end_male.sum()
    )
    # The migrants themselves, plus the children of those who came early in
    # the year, less their deaths.
    extra_births = moving.births[0] - still.births[0]
    extra_deaths = moving.deaths[0] - still.deaths[0]
    assert extra_births > 0
    assert gained == pytest.approx(100.0 + extra_births - extra_deaths, abs=1e-6)


def test_aggregates_add_up_exactly() -> None:
    female = [_group(5, 1000.0), _group(6, 700.0), _group(4, 300.0)]
    male = [_group(5, 900.0), _group(6, 650.0), _group(4, 320.0)]
    result = engine.suggest(_inputs(female, male))
    members = np.array([0, 1, 2, 0, 1, 2])
    groups = np.array([0, 0, 1, 2, 2, 2])  # unit 0+1 → group 0, unit 2 → 1, all → 2
    summed = result.aggregate(members, groups, 3)
    assert summed.births[0] == pytest.approx(result.births[0] + result.births[1])
    assert summed.births[1] == pytest.approx(result.births[2])
    assert summed.births[2] == pytest.approx(result.births.sum())
    assert summed.deaths[2] == pytest.approx(result.deaths.sum())
    assert summed.women_15_49[2] == pytest.approx(result.women_15_49.sum())
    assert summed.births_80[0][1] == result.births_80[0][2]


@pytest.mark.parametrize("n", [0, 1, 12, 400, 3000])
def test_binomial_range_is_exact(n: int) -> None:
    p = 105 / 205
    low, high = engine.binomial_range(np.array([n, 5]), p, 0.95)
    log_pmf = [
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        + k * math.log(p) + (n - k) * math.log(1 - p)
        for k in range(n + 1)
    ]  # fmt: skip
    cdf = np.cumsum(np.exp(log_pmf))
    assert low[0] == int(np.argmax(cdf >= 0.025))
    assert high[0] == int(np.argmax(cdf >= 0.975 - 1e-12))


def test_srb_band_is_the_normal_range_for_large_units_and_wide_for_small_ones() -> None:
    low, high, pooled = engine.srb_band(np.array([200_000.0, 400.0, 12.0]))
    assert (low[0], high[0]) == (103.0, 107.0)
    assert not pooled[0] and not pooled[1]
    assert low[1] < 103 and high[1] > 107
    assert pooled[2]
    assert low[2] < 60 and high[2] > 180  # a dozen births: anything goes by chance


def test_calibration_counts_inside_below_and_above() -> None:
    found = engine.calibration(
        np.array([5.0, 1.0, 12.0, math.nan]), np.array([3, 3, 3, 3]), np.array([8, 8, 8, 8])
    )
    assert (found.units, found.inside, found.below, found.above) == (3, 1, 1, 1)
    assert found.share == pytest.approx(1 / 3)
    assert engine.calibration(np.array([math.nan]), np.array([0]), np.array([1])).share is None


@pytest.mark.parametrize("mean", [1000.0, 12.0])
def test_draws_from_the_poisson_model_fall_inside_the_80_percent_range_as_often_as_promised(
    mean: float,
) -> None:
    """Synthetic data where the answer is known: counts drawn from the model itself.

    For a discrete count the inclusive range covers at least 80%; its exact
    coverage is computed from the probabilities and the draws must agree.
    """
    rng = np.random.default_rng(2026)
    expected = np.full(20_000, mean)
    low, high = engine._range(expected, 0.8)
    actual = rng.poisson(expected).astype(float)
    found = engine.calibration(actual, low, high)
    k = np.arange(int(low[0]), int(high[0]) + 1)
    log_pmf = -mean + k * math.log(mean) - np.array([math.lgamma(x + 1) for x in k])
    exact = float(np.exp(log_pmf).sum())
    assert 0.8 <= exact < 0.9
    assert found.share is not None
    assert abs(found.share - exact) < 4 * math.sqrt(exact * (1 - exact) / expected.size)
    if mean >= 1000:
        assert found.share == pytest.approx(0.8, abs=0.02)
