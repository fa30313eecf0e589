"""The exact binomial interval, checked against textbook values and tail sums."""

from __future__ import annotations

import math
from decimal import Decimal, localcontext

import pytest

from renkou.scoring import clopper_pearson
from renkou.scoring.intervals import regularized_beta


def _tail_at_least(successes: int, trials: int, p: float) -> Decimal:
    """P(X >= successes) for X ~ Binomial(trials, p), summed exactly in 60 digits.

    An independent route to the same numbers: no beta function, no bisection.
    """
    with localcontext() as context:
        context.prec = 60
        share = Decimal(p)
        rest = 1 - share
        return sum(
            (
                Decimal(math.comb(trials, k)) * share**k * rest ** (trials - k)
                for k in range(successes, trials + 1)
            ),
            Decimal(0),
        )


@pytest.mark.parametrize(
    ("successes", "trials", "lower", "upper"),
    [
        # R: binom.test(5, 10)$conf.int, a standard textbook example.
        (5, 10, 0.1870860, 0.8129140),
        # R: binom.test(1, 10)$conf.int
        (1, 10, 0.002528579, 0.4450161),
        # Closed forms at the edges: upper = 1 − (α/2)^(1/n), lower = (α/2)^(1/n).
        (0, 10, 0.0, 1 - 0.025 ** (1 / 10)),
        (10, 10, 0.025 ** (1 / 10), 1.0),
    ],
)
def test_clopper_pearson_matches_known_values(
    successes: int, trials: int, lower: float, upper: float
) -> None:
    found = clopper_pearson(successes, trials, 0.95)
    assert found[0] == pytest.approx(lower, abs=5e-7)
    assert found[1] == pytest.approx(upper, abs=5e-7)


@pytest.mark.parametrize(("successes", "trials"), [(160, 308), (150, 250), (30, 42), (3, 7)])
def test_clopper_pearson_bounds_solve_the_binomial_tail_equations(
    successes: int, trials: int
) -> None:
    """The lower bound p_L satisfies P(X >= x | p_L) = α/2 and the upper bound
    p_U satisfies P(X <= x | p_U) = α/2. Summing the binomial terms exactly
    checks the beta-function route without sharing any of its code."""
    lower, upper = clopper_pearson(successes, trials, 0.95)
    assert float(_tail_at_least(successes, trials, lower)) == pytest.approx(0.025, abs=1e-9)
    at_most = 1 - _tail_at_least(successes + 1, trials, upper)
    assert float(at_most) == pytest.approx(0.025, abs=1e-9)


def test_the_sex_ratio_interval_for_the_issue_example() -> None:
    """160 boys of 308: p_L = 0.462104, p_U = 0.576478 (tail sums above), so the
    sex ratio lies in [100 × 0.462104 / 0.537896, 100 × 0.576478 / 0.423522]
    = [85.91, 136.12]: it overlaps 103–107 although 108.1 itself is outside."""
    lower, upper = clopper_pearson(160, 308, 0.95)
    assert lower == pytest.approx(0.462104, abs=1e-6)
    assert upper == pytest.approx(0.576478, abs=1e-6)
    assert round(100 * lower / (1 - lower), 2) == 85.91
    assert round(100 * upper / (1 - upper), 2) == 136.12


def test_150_of_250_lower_bound_used_in_the_rule_tests() -> None:
    lower, _ = clopper_pearson(150, 250, 0.95)
    assert lower == pytest.approx(0.536382, abs=1e-6)


def test_a_higher_confidence_gives_a_wider_interval() -> None:
    narrow = clopper_pearson(40, 80, 0.90)
    wide = clopper_pearson(40, 80, 0.99)
    assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_large_counts_converge() -> None:
    """A whole province: 520,000 boys of 1,000,000 births, interval ±0.001."""
    lower, upper = clopper_pearson(520_000, 1_000_000, 0.95)
    assert lower == pytest.approx(0.519021, abs=2e-6)
    assert upper == pytest.approx(0.520979, abs=2e-6)


@pytest.mark.parametrize(("a", "b", "x"), [(2.0, 3.0, 0.3), (10.0, 4.0, 0.8), (0.5, 0.5, 0.1)])
def test_regularized_beta_identities(a: float, b: float, x: float) -> None:
    """I_x(a, b) = 1 − I_{1−x}(b, a); I_x(a, 1) = x^a; I_x(1, b) = 1 − (1 − x)^b."""
    assert regularized_beta(a, b, x) == pytest.approx(1 - regularized_beta(b, a, 1 - x), abs=1e-12)
    assert regularized_beta(a, 1.0, x) == pytest.approx(x**a, abs=1e-12)
    assert regularized_beta(1.0, b, x) == pytest.approx(1 - (1 - x) ** b, abs=1e-12)


def test_clopper_pearson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="successes"):
        clopper_pearson(5, 3, 0.95)
    with pytest.raises(ValueError, match="confidence"):
        clopper_pearson(1, 3, 1.0)
