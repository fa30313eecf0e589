"""Exact SRB intervals, Poisson ranges and empirical-Bayes shrinkage."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkou.demography import (
    DemographyError,
    poisson_interval,
    shrink_rates,
    shrink_srb,
    srb_interval,
    srb_intervals,
)


def _binomial_tail_at_least(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed term by term (independent of the kernel)."""
    return math.fsum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))


def _share(srb: float) -> float:
    return srb / (100 + srb)


def test_clopper_pearson_five_of_ten() -> None:
    """The exact 95% interval for 5 successes in 10 trials is (0.1870860, 0.8129140),
    as printed by R's ``binom.test(5, 10)``; 5 boys and 5 girls give SRB 100."""
    interval = srb_interval(5, 5)
    assert _share(interval.low) == pytest.approx(0.1870860, abs=1e-7)
    assert _share(interval.high) == pytest.approx(0.8129140, abs=1e-7)
    assert interval.estimate == 100


def test_clopper_pearson_closed_forms_at_the_edges() -> None:
    """With no boys the upper bound is 1 − (α/2)^(1/n); with no girls the lower
    bound is (α/2)^(1/n) and the upper bound is unbounded (Clopper & Pearson 1934)."""
    none_male = srb_interval(0, 12)
    assert none_male.low == 0
    assert _share(none_male.high) == pytest.approx(1 - 0.025 ** (1 / 12), rel=1e-10)
    none_female = srb_interval(12, 0)
    assert _share(none_female.low) == pytest.approx(0.025 ** (1 / 12), rel=1e-10)
    assert math.isinf(none_female.high) and math.isinf(none_female.estimate)
    nothing = srb_interval(0, 0)
    assert math.isnan(nothing.estimate)
    assert (nothing.low, nothing.high) == (0.0, math.inf)
    assert json.loads(json.dumps(none_female.to_dict()))["high"] is None


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=80),
    st.integers(min_value=1, max_value=80),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_interval_ends_leave_exactly_alpha_over_two_in_each_tail(
    male: int, female: int, confidence: float
) -> None:
    """Clopper–Pearson's definition: at the lower end P(X ≥ m) = α/2, at the upper
    end P(X ≤ m) = α/2, checked by summing binomial probabilities directly."""
    interval = srb_interval(male, female, confidence)
    alpha = 1 - confidence
    n = male + female
    assert _binomial_tail_at_least(male, n, _share(interval.low)) == pytest.approx(
        alpha / 2, rel=1e-7
    )
    assert 1 - _binomial_tail_at_least(male + 1, n, _share(interval.high)) == pytest.approx(
        alpha / 2, rel=1e-7
    )
    assert interval.low <= interval.estimate <= interval.high


def test_a_village_is_judged_only_when_its_whole_interval_is_abnormal() -> None:
    """DOMAIN.md: with ≈30 births a bare SRB of 200 is chance, not evidence."""
    village = srb_interval(20, 10)
    assert village.estimate == 200
    assert village.low < 105 < village.high
    assert village.judgement() == "consistent"
    county = srb_interval(6000, 5000)
    assert county.judgement() == "above"
    assert srb_interval(4800, 5000).judgement() == "below"
    assert srb_interval(5250, 5000).judgement() == "consistent"


def test_wider_confidence_gives_a_wider_interval() -> None:
    narrow, wide = srb_interval(40, 35, 0.8), srb_interval(40, 35, 0.99)
    assert wide.low < narrow.low and narrow.high < wide.high


def test_many_intervals_at_once_equal_one_at_a_time() -> None:
    male = [0, 5, 15, 20, 7, 0, 6000, 120]
    female = [0, 5, 15, 10, 0, 12, 5000, 97]
    many = srb_intervals(male, female, 0.9)
    for index, (boys, girls) in enumerate(zip(male, female, strict=True)):
        one = srb_interval(boys, girls, 0.9)
        assert many.low[index] == pytest.approx(one.low, rel=1e-9, abs=1e-12)
        assert many.high[index] == pytest.approx(one.high, rel=1e-9)
        assert many.estimate[index] == pytest.approx(one.estimate, nan_ok=True)
        assert many.judgement()[index] == one.judgement()
    data = json.loads(json.dumps(many.to_dict()))
    assert data["estimate"][0] is None
    assert data["high"][4] is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: srb_interval(-1, 3), "male: must be a whole number"),
        (lambda: srb_interval(1.5, 3), "male: must be a whole number"),  # type: ignore[arg-type]
        (lambda: srb_interval(1, "3"), "female: expected a whole number"),  # type: ignore[arg-type]
        (lambda: srb_interval(1, 3, 1.0), "confidence: must lie strictly between"),
        (lambda: poisson_interval([-1.0]), "expected: must not be negative"),
        (lambda: srb_intervals([1, 2], [3]), "female: has shape"),
        (lambda: srb_intervals([1.5], [3]), "male: must be whole numbers"),
    ],
)
def test_bad_input_names_the_argument(call: object, message: str) -> None:
    with pytest.raises(DemographyError, match=message):
        call()  # type: ignore[operator]


# --- Poisson ranges ------------------------------------------------------------------


def _poisson_cdf(k: int, mean: float) -> float:
    if k < 0:
        return 0.0
    return math.fsum(
        math.exp(-mean + i * math.log(mean) - math.lgamma(i + 1)) for i in range(k + 1)
    )


@pytest.mark.parametrize("confidence", [0.8, 0.95])
def test_poisson_range_is_the_central_quantile_range(confidence: float) -> None:
    """low is the smallest k with P(X ≤ k) ≥ α/2, high the smallest with P(X ≤ k) ≥ 1 − α/2,
    checked against probabilities summed directly."""
    means = [0.3, 2.5, 30.0, 123.4, 2500.0]
    result = poisson_interval(means, confidence)
    tail = (1 - confidence) / 2
    for mean, low, high in zip(means, result.low, result.high, strict=True):
        assert _poisson_cdf(int(low) - 1, mean) < tail <= _poisson_cdf(int(low), mean)
        assert _poisson_cdf(int(high) - 1, mean) < 1 - tail <= _poisson_cdf(int(high), mean)


def test_poisson_range_of_nothing_is_nothing_and_keeps_shape() -> None:
    result = poisson_interval([[0.0, 30.0], [1.0, 0.0]], 0.8)
    assert result.low.shape == (2, 2)
    assert result.low[0, 0] == result.high[0, 0] == 0
    assert result.to_dict()["high"][0] == [0, 37]


# --- shrinkage -------------------------------------------------------------------


def test_srb_shrinkage_moment_estimate_by_hand() -> None:
    """Two villages of 100 births, 60:40 and 40:60. Hand computation:
    pooled share p0 = 0.5; size-weighted spread s² = (100·0.1² + 100·0.1²)/200 = 0.01;
    chance alone gives p0(1 − p0)/n̄ = 0.25/100 = 0.0025, so A = 0.0075;
    weight = A / (A + 0.0025) = 0.75; shares 0.5 ± 0.75·0.1 = 0.575 / 0.425,
    i.e. SRB 135.294 and 73.913."""
    result = shrink_srb([60, 40], [40, 60])
    assert result.prior_srb == pytest.approx(100)
    assert result.between_variance == pytest.approx(0.0075)
    np.testing.assert_allclose(result.weight, [0.75, 0.75])
    np.testing.assert_allclose(result.estimate, [135.294, 73.913], atol=1e-3)
    np.testing.assert_allclose(result.raw, [150, 200 / 3])


def test_srb_shrinkage_towards_a_given_county_value() -> None:
    """Given the county's SRB 105 (p0 = 105/205) and a between-village variance
    A = 0.0005 of the male share: a village of 30 births gets
    w = 0.0005 / (0.0005 + p0(1 − p0)/30) = 0.05664, one of 3000 gets
    0.0005 / (0.0005 + 0.249851/3000) = 0.85722."""
    result = shrink_srb([20, 1600, 0], [10, 1400, 0], parent_srb=105, between_variance=0.0005)
    np.testing.assert_allclose(result.weight, [0.05664, 0.85722, 0.0], atol=1e-5)
    p0 = 105 / 205
    shares = [p0 + 0.05664 * (20 / 30 - p0), p0 + 0.85722 * (1600 / 3000 - p0), p0]
    np.testing.assert_allclose(result.estimate, [100 * s / (1 - s) for s in shares], rtol=1e-4)
    assert math.isnan(result.raw[2])
    assert result.estimate[2] == pytest.approx(105)
    assert json.loads(json.dumps(result.to_dict()))["raw"][2] is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=400)),
        min_size=2,
        max_size=30,
    )
    .filter(lambda units: sum(1 for m, f in units if m + f > 0) >= 2)
    # Both sexes born somewhere: otherwise there is no finite parent SRB (tested below).
    .filter(lambda units: sum(m for m, _ in units) > 0 and sum(f for _, f in units) > 0)
)
def test_shrinkage_lies_between_own_value_and_parent_value(units: list[tuple[int, int]]) -> None:
    male = np.array([m for m, _ in units], dtype=float)
    female = np.array([f for _, f in units], dtype=float)
    result = shrink_srb(male, female)
    assert np.all((result.weight >= 0) & (result.weight <= 1))
    births = male + female
    share = np.divide(male, births, out=np.full(births.shape, np.nan), where=births > 0)
    p0 = male.sum() / births.sum()
    shrunk = result.estimate / (100 + result.estimate)
    has = births > 0
    low = np.minimum(share[has], p0) - 1e-12
    high = np.maximum(share[has], p0) + 1e-12
    assert np.all((shrunk[has] >= low) & (shrunk[has] <= high))
    # More births, more weight on the village's own figure.
    order = np.argsort(births)
    assert np.all(np.diff(result.weight[order]) >= -1e-15)


def test_units_with_births_of_one_sex_only_need_a_parent_srb() -> None:
    with pytest.raises(DemographyError, match="one sex; give parent_srb"):
        shrink_srb(np.array([1.0, 1.0]), np.array([0.0, 0.0]))
    result = shrink_srb(
        np.array([1.0, 1.0]), np.array([0.0, 0.0]), parent_srb=105.0, between_variance=0.0
    )
    assert np.allclose(result.estimate, 105.0)


def test_rate_shrinkage_marshall_by_hand() -> None:
    """Marshall (1991) global estimator for two villages' ASFR at one age.
    Births 2 and 30 to 100 and 1000 woman-years: rates 0.02 and 0.03; pooled
    m = 32/1100 = 0.0290909; s² = (100·(0.02 − m)² + 1000·(0.03 − m)²)/1100
    = 0.0000082645; m/ē = 0.0290909/550 = 0.0000528926 > s², so A = 0: the
    villages differ no more than chance makes them, and both get the pooled rate."""
    result = shrink_rates([2, 30], [100, 1000])
    assert result.between_variance[0] == 0
    np.testing.assert_allclose(result.weight, [0, 0])
    np.testing.assert_allclose(result.estimate, [32 / 1100] * 2)


def test_rate_shrinkage_with_real_differences_by_hand() -> None:
    """Births 10 and 300 to 100 and 1000 woman-years: rates 0.1 and 0.3;
    m = 310/1100 = 0.281818; s² = (100·0.181818² + 1000·0.018182²)/1100 = 0.0033058;
    m/ē = 0.281818/550 = 0.00051240; A = 0.0027934;
    w = A/(A + m/e): 0.0027934/(0.0027934 + 0.0028182) = 0.49779 for the small
    village and 0.0027934/(0.0027934 + 0.00028182) = 0.90836 for the large one."""
    result = shrink_rates([10, 300], [100, 1000])
    assert result.between_variance[0] == pytest.approx(0.0027934, abs=1e-7)
    np.testing.assert_allclose(result.weight, [0.49779, 0.90836], atol=1e-5)
    m = 310 / 1100
    np.testing.assert_allclose(
        result.estimate, [m + 0.49779 * (0.1 - m), m + 0.90836 * (0.3 - m)], atol=1e-5
    )


def test_rate_shrinkage_works_column_by_column() -> None:
    births = np.array([[10, 2], [300, 30]], dtype=float)
    women = np.array([[100, 100], [1000, 1000]], dtype=float)
    both = shrink_rates(births, women)
    for column in range(2):
        alone = shrink_rates(births[:, column], women[:, column])
        np.testing.assert_allclose(both.estimate[:, column], alone.estimate)
        np.testing.assert_allclose(both.weight[:, column], alone.weight)


def test_rate_shrinkage_towards_a_given_township_rate() -> None:
    result = shrink_rates([3], [60], prior_rate=0.08, between_variance=0.0004)
    weight = 0.0004 / (0.0004 + 0.08 / 60)
    assert result.weight[0] == pytest.approx(weight)
    assert result.estimate[0] == pytest.approx(0.08 + weight * (0.05 - 0.08))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: shrink_srb([10], [12]), "male: need births in at least two units"),
        (lambda: shrink_srb([10, 3], [12]), "female: has 1 values but male has 2"),
        (lambda: shrink_srb([0, 0], [0, 0]), "male: no births at all"),
        (lambda: shrink_srb([1, 2], [1, 2], parent_srb=-5), "parent_srb: must be a positive"),
        (
            lambda: shrink_srb([1, 2], [1, 2], between_variance=-1),
            "between_variance: must be a number",
        ),
        (lambda: shrink_rates([1, 2], [10]), "exposure: shape"),
        (lambda: shrink_rates([1, 2], [10, 0]), "exposure: is 0 for unit 1"),
        (lambda: shrink_rates([1], [10]), "exposure: need at least two units"),
        (lambda: shrink_rates([-1, 2], [10, 10]), "events: must not be negative"),
    ],
)
def test_shrinkage_bad_input_names_the_argument(call: object, message: str) -> None:
    with pytest.raises(DemographyError, match=message):
        call()  # type: ignore[operator]
