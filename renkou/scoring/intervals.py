"""The exact (Clopper–Pearson) binomial confidence interval, without SciPy.

The bounds are quantiles of beta distributions:

    lower = B⁻¹(α/2; x, n − x + 1),  upper = B⁻¹(1 − α/2; x + 1, n − x)

found by safeguarded Newton steps on the regularized incomplete beta function
(the demography kernel's continued fraction). Results are
cached: villages have few births, so the same (boys, girls) pairs recur
thousands of times in a province.
"""

from __future__ import annotations

import math
from functools import lru_cache

from renkou.demography import _special

__all__ = ["clopper_pearson", "regularized_beta"]

# Far below the 0.01 to which sex ratios are shown.
_TOLERANCE = 1e-14
_MAX_STEPS = 200


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the beta distribution's cumulative probability at ``x``.

    The continued fraction lives in the demography kernel, which needs it for
    the same intervals; this kernel adds a faster inverse (Newton) and a cache.
    """
    return _special.regularized_beta(x, a, b)


def _beta_quantile(probability: float, a: float, b: float) -> float:
    # Newton's method on I_x(a, b) = probability, kept inside a shrinking
    # bracket and falling back to bisection whenever a step would leave it:
    # as sure as bisection and usually done in five or six steps.
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    low, high = 0.0, 1.0
    x = a / (a + b)
    for _ in range(_MAX_STEPS):
        error = regularized_beta(a, b, x) - probability
        if abs(error) < _TOLERANCE:
            break
        if error < 0.0:
            low = x
        else:
            high = x
        if high - low < _TOLERANCE:
            break
        density = math.exp(log_norm + (a - 1.0) * math.log(x) + (b - 1.0) * math.log1p(-x))
        step = x - error / density if density > 0.0 else low
        x = step if low < step < high else (low + high) / 2.0
    return x


@lru_cache(maxsize=65_536)
def clopper_pearson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """The exact interval for a binomial proportion, e.g. boys among all births.

    ``successes`` of ``trials`` must satisfy 0 <= successes <= trials and
    trials > 0; ``confidence`` lies strictly between 0 and 1.
    """
    if trials <= 0 or not 0 <= successes <= trials:
        raise ValueError("need 0 <= successes <= trials and trials > 0")
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")
    alpha = 1.0 - confidence
    lower = (
        0.0 if successes == 0 else _beta_quantile(alpha / 2.0, successes, trials - successes + 1)
    )
    upper = (
        1.0
        if successes == trials
        else _beta_quantile(1.0 - alpha / 2.0, successes + 1, trials - successes)
    )
    return lower, upper
