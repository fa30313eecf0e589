"""Fair statistics for small units: exact SRB intervals, Poisson ranges, shrinkage.

A village has about 30 births a year. By chance alone its observed sex ratio
at birth ranges from about 50 to 233 when the truth is 105, and its age-specific
fertility rates jump from year to year. Judging it on bare figures is unfair,
so the kernel offers:

* :func:`srb_interval` (and :func:`srb_intervals` for many units) — the exact
  Clopper–Pearson (1934) interval for the male share of births, turned into
  males per 100 females;
* :func:`poisson_interval` — the range of counts (births, deaths) to expect
  by chance around an expected value;
* :func:`shrink_srb` and :func:`shrink_rates` — empirical-Bayes estimates that
  pull each unit towards its parent area by as much as its data are thin
  (Marshall 1991, "Mapping disease and mortality rates using empirical Bayes
  estimators", *Applied Statistics* 40(2): 283–294), reporting the weight
  each unit's own data received.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from renkou.demography._special import beta_quantile, beta_quantile_many, log_gamma
from renkou.demography._validate import (
    DemographyError,
    FloatArray,
    check_count,
    frozen,
    json_list,
    json_number,
    non_negative,
)

Judgement = Literal["above", "below", "consistent"]
NORMAL_SRB = (103.0, 107.0)


def _check_confidence(confidence: float) -> float:
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        raise DemographyError(f"confidence: expected a number, got {confidence!r}") from None
    if not 0.0 < value < 1.0:
        raise DemographyError(f"confidence: must lie strictly between 0 and 1, got {value:g}")
    return value


def _share_to_srb(share: float) -> float:
    if share >= 1.0:
        return math.inf
    return 100.0 * share / (1.0 - share)


# --- the exact SRB interval ----------------------------------------------------


@dataclass(frozen=True)
class SrbInterval:
    """Sex ratio at birth (males per 100 females) with its exact interval.

    ``high`` is infinite when no girls were born; ``estimate`` is NaN when no
    births at all were recorded.
    """

    male: int
    female: int
    confidence: float
    estimate: float
    low: float
    high: float

    @property
    def births(self) -> int:
        return self.male + self.female

    def judgement(self, normal: tuple[float, float] = NORMAL_SRB) -> Judgement:
        """``"above"``/``"below"`` only when the whole interval lies outside ``normal``."""
        if self.low > normal[1]:
            return "above"
        if self.high < normal[0]:
            return "below"
        return "consistent"

    def to_dict(self) -> dict[str, Any]:
        return {
            "male": self.male,
            "female": self.female,
            "births": self.births,
            "confidence": self.confidence,
            "estimate": json_number(self.estimate),
            "low": json_number(self.low),
            "high": json_number(self.high),
            "judgement": self.judgement(),
        }


def srb_interval(male: int, female: int, confidence: float = 0.95) -> SrbInterval:
    """Exact (Clopper–Pearson) interval for the sex ratio at birth.

    The male share ``p = male / (male + female)`` has the exact interval
    ``[B(α/2; m, f + 1), B(1 − α/2; m + 1, f)]`` (``B`` the beta quantile), the
    inversion of two one-sided binomial tests; the ends are carried to the SRB
    scale by ``100·p / (1 − p)``, which is monotone, so coverage is kept.
    """
    boys = check_count("male", male)
    girls = check_count("female", female)
    level = _check_confidence(confidence)
    alpha = 1.0 - level
    share_low = 0.0 if boys == 0 else beta_quantile(alpha / 2, boys, girls + 1)
    share_high = 1.0 if girls == 0 else beta_quantile(1 - alpha / 2, boys + 1, girls)
    if boys + girls == 0:
        estimate = math.nan
    elif girls == 0:
        estimate = math.inf
    else:
        estimate = 100.0 * boys / girls
    return SrbInterval(
        male=boys,
        female=girls,
        confidence=level,
        estimate=estimate,
        low=_share_to_srb(share_low),
        high=_share_to_srb(share_high),
    )


@dataclass(frozen=True, eq=False)
class SrbIntervals:
    """:class:`SrbInterval` for many units at once, as arrays (one element per unit)."""

    male: FloatArray
    female: FloatArray
    confidence: float
    estimate: FloatArray
    low: FloatArray
    high: FloatArray

    def judgement(self, normal: tuple[float, float] = NORMAL_SRB) -> NDArray[np.str_]:
        """Per unit ``"above"``/``"below"`` only when the whole interval is outside ``normal``."""
        verdict = np.full(self.low.shape, "consistent", dtype="<U10")
        verdict[self.low > normal[1]] = "above"
        verdict[self.high < normal[0]] = "below"
        return verdict

    def to_dict(self) -> dict[str, Any]:
        return {
            "male": json_list(self.male),
            "female": json_list(self.female),
            "confidence": self.confidence,
            "estimate": json_list(self.estimate),
            "low": json_list(self.low),
            "high": json_list(self.high),
            "judgement": self.judgement().tolist(),
        }


def srb_intervals(male: ArrayLike, female: ArrayLike, confidence: float = 0.95) -> SrbIntervals:
    """:func:`srb_interval` for arrays of units, vectorised (a province's villages in a second)."""
    boys = non_negative("male", male, ndim=None)
    girls = non_negative("female", female, ndim=None)
    if boys.shape != girls.shape:
        raise DemographyError(
            f"female: has shape {girls.shape} but male has {boys.shape}; give one per unit"
        )
    for name, counts in (("male", boys), ("female", girls)):
        if np.any(counts != np.round(counts)):
            raise DemographyError(f"{name}: must be whole numbers of births")
    level = _check_confidence(confidence)
    alpha = 1.0 - level
    # Where a bound is fixed (no boys, no girls) the beta parameters would be 0;
    # any positive stand-in keeps the arithmetic finite and is overwritten.
    share_low = np.where(
        boys > 0, beta_quantile_many(alpha / 2, np.maximum(boys, 1), girls + 1), 0.0
    )
    share_high = np.where(
        girls > 0, beta_quantile_many(1 - alpha / 2, boys + 1, np.maximum(girls, 1)), 1.0
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(girls > 0, 100.0 * boys / np.where(girls > 0, girls, 1.0), np.inf)
        estimate = np.where(boys + girls > 0, estimate, np.nan)
        low = 100.0 * share_low / (1.0 - share_low)
        high = np.where(share_high >= 1.0, np.inf, 100.0 * share_high / (1.0 - share_high))
    return SrbIntervals(
        male=frozen(boys),
        female=frozen(girls),
        confidence=level,
        estimate=frozen(np.asarray(estimate, dtype=np.float64)),
        low=frozen(np.asarray(low, dtype=np.float64)),
        high=frozen(np.asarray(high, dtype=np.float64)),
    )


# --- Poisson ranges --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PoissonRange:
    """Counts expected by chance: ``P(X < low) ≤ α/2`` and ``P(X > high) ≤ α/2``."""

    expected: FloatArray
    low: FloatArray
    high: FloatArray
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "expected": json_list(self.expected),
            "low": json_list(self.low),
            "high": json_list(self.high),
            "confidence": self.confidence,
        }


def poisson_interval(expected: ArrayLike, confidence: float = 0.8) -> PoissonRange:
    """Central range of a Poisson count with mean ``expected``, for many units at once.

    ``low`` is the smallest ``k`` with ``P(X ≤ k) ≥ α/2`` and ``high`` the
    smallest ``k`` with ``P(X ≤ k) ≥ 1 − α/2``, so each tail outside the range
    holds at most ``α/2``. Probabilities are summed exactly from a point ten
    standard deviations below the mean (the mass below it is under 1e-20).
    """
    level = _check_confidence(confidence)
    means = non_negative("expected", expected, ndim=None)
    shape = means.shape
    flat = means.reshape(-1)
    low_target = (1.0 - level) / 2
    high_target = 1.0 - low_target
    low = np.full(flat.size, -1, dtype=np.int64)
    high = np.full(flat.size, -1, dtype=np.int64)
    positive = flat > 0
    low[~positive] = 0
    high[~positive] = 0
    if np.any(positive):
        mu = flat[positive]
        k = np.maximum(np.floor(mu - 10 * np.sqrt(mu) - 5), 0.0)
        log_pmf = -mu + k * np.log(mu) - log_gamma(k + 1)
        pmf = np.exp(log_pmf)
        cdf = pmf.copy()
        lo = np.full(mu.size, -1, dtype=np.int64)
        hi = np.full(mu.size, -1, dtype=np.int64)
        limit = int(np.ceil(20 * np.sqrt(mu.max()) + 40))
        for _ in range(limit + 1):
            newly_low = (lo < 0) & (cdf >= low_target)
            lo[newly_low] = k[newly_low]
            newly_high = (hi < 0) & (cdf >= high_target)
            hi[newly_high] = k[newly_high]
            if np.all(hi >= 0):
                break
            k = k + 1
            pmf = pmf * mu / k
            cdf = cdf + pmf
        else:  # pragma: no cover - the window above covers > 1 − 1e-20 of the mass
            raise ArithmeticError("Poisson range did not converge")
        low[positive] = lo
        high[positive] = hi
    return PoissonRange(
        expected=frozen(means),
        low=frozen(low.reshape(shape)),
        high=frozen(high.reshape(shape)),
        confidence=level,
    )


# --- empirical-Bayes shrinkage ---------------------------------------------------


@dataclass(frozen=True, eq=False)
class SrbShrinkage:
    """Shrunk sex ratios at birth for the units of one parent area.

    ``raw`` and ``estimate`` are males per 100 females; ``weight`` is the share
    each unit's own births get (0 = the parent area's value, 1 = its own);
    ``between_variance`` is on the scale of the male share of births.
    """

    male: FloatArray
    female: FloatArray
    raw: FloatArray
    estimate: FloatArray
    weight: FloatArray
    prior_srb: float
    between_variance: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "male": json_list(self.male),
            "female": json_list(self.female),
            "raw": json_list(self.raw),
            "estimate": json_list(self.estimate),
            "weight": json_list(self.weight),
            "prior_srb": self.prior_srb,
            "between_variance": self.between_variance,
        }


@dataclass(frozen=True, eq=False)
class RateShrinkage:
    """Shrunk rates (e.g. ASFR) for units × columns (e.g. age groups).

    ``prior_rate`` and ``between_variance`` are per column; ``weight`` is the
    share of each unit's own rate in its estimate.
    """

    events: FloatArray
    exposure: FloatArray
    raw: FloatArray
    estimate: FloatArray
    weight: FloatArray
    prior_rate: FloatArray
    between_variance: FloatArray

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": json_list(self.events),
            "exposure": json_list(self.exposure),
            "raw": json_list(self.raw),
            "estimate": json_list(self.estimate),
            "weight": json_list(self.weight),
            "prior_rate": json_list(self.prior_rate),
            "between_variance": json_list(self.between_variance),
        }


def _moment_variance(
    raw: FloatArray, size: FloatArray, prior: FloatArray, chance_variance: FloatArray
) -> FloatArray:
    """Marshall's moment estimate of the variance of the units' true values.

    The size-weighted spread of the raw values around the prior, less what
    chance alone would produce in a unit of average size; never negative.
    """
    has_data = size > 0
    units = has_data.sum(axis=0)
    total = size.sum(axis=0)
    deviations = np.where(has_data, raw - prior, 0.0)
    spread = np.divide(
        (size * deviations**2).sum(axis=0), total, out=np.zeros_like(total), where=total > 0
    )
    mean_size = np.divide(total, units, out=np.zeros_like(total), where=units > 0)
    noise = np.divide(chance_variance, mean_size, out=np.zeros_like(total), where=mean_size > 0)
    return np.asarray(np.maximum(spread - noise, 0.0), dtype=np.float64)


def shrink_srb(
    male: ArrayLike,
    female: ArrayLike,
    *,
    parent_srb: float | None = None,
    between_variance: float | None = None,
) -> SrbShrinkage:
    """Pull each unit's SRB towards its parent area's, the more so the fewer its births.

    ``male`` and ``female`` are birth counts, one per unit (e.g. the villages of
    a township). On the male share ``p`` of births: the prior mean ``p0`` is
    ``parent_srb`` if given, else the units' pooled share; the variance ``A``
    of the units' true shares is ``between_variance`` if given, else Marshall's
    moment estimate (needs two or more units with births). A unit with ``n``
    births gets weight ``w = A / (A + p0(1 − p0)/n)`` on its own share.
    """
    boys = non_negative("male", male)
    girls = non_negative("female", female)
    if boys.shape != girls.shape:
        raise DemographyError(
            f"female: has {girls.size} values but male has {boys.size}; give one per unit"
        )
    births = boys + girls
    if parent_srb is None:
        if births.sum() == 0:
            raise DemographyError("male: no births at all; give parent_srb to shrink towards")
        prior = float(boys.sum() / births.sum())
        if prior in (0.0, 1.0):
            # Every birth of one sex: the pooled SRB is 0 or infinite and
            # there is nothing sensible to pull towards.
            raise DemographyError(
                "male: every birth in these units is of one sex; give parent_srb to shrink towards"
            )
    else:
        srb = float(parent_srb)
        if not math.isfinite(srb) or srb <= 0:
            raise DemographyError(f"parent_srb: must be a positive number, got {parent_srb!r}")
        prior = srb / (100.0 + srb)
    chance = prior * (1.0 - prior)
    raw_share = np.divide(boys, births, out=np.full(births.shape, np.nan), where=births > 0)
    if between_variance is None:
        if np.count_nonzero(births) < 2:
            raise DemographyError(
                "male: need births in at least two units to estimate how much units differ; "
                "give between_variance instead"
            )
        variance = float(_moment_variance(raw_share, births, np.asarray(prior), np.asarray(chance)))
    else:
        variance = float(between_variance)
        if not math.isfinite(variance) or variance < 0:
            raise DemographyError(
                f"between_variance: must be a number ≥ 0, got {between_variance!r}"
            )
    weight = _weights(variance, chance, births)
    share = np.where(births > 0, prior + weight * (np.nan_to_num(raw_share) - prior), prior)
    raw_srb = np.divide(100.0 * boys, girls, out=np.full(births.shape, np.inf), where=girls > 0)
    raw_srb[births == 0] = np.nan
    return SrbShrinkage(
        male=frozen(boys),
        female=frozen(girls),
        raw=frozen(raw_srb),
        estimate=frozen(100.0 * share / (1.0 - share)),
        weight=frozen(weight),
        prior_srb=_share_to_srb(prior),
        between_variance=variance,
    )


def _weights(
    variance: float | FloatArray, chance: float | FloatArray, size: FloatArray
) -> FloatArray:
    noise = np.divide(chance, size, out=np.full(size.shape, np.inf), where=size > 0)
    denominator = variance + noise
    return np.asarray(
        np.divide(
            variance * np.ones(size.shape),
            denominator,
            out=np.zeros(size.shape),
            where=np.isfinite(denominator) & (denominator > 0),
        ),
        dtype=np.float64,
    )


def shrink_rates(
    events: ArrayLike,
    exposure: ArrayLike,
    *,
    prior_rate: ArrayLike | None = None,
    between_variance: ArrayLike | None = None,
) -> RateShrinkage:
    """Empirical-Bayes rates (Marshall 1991), e.g. village ASFR towards the township's.

    ``events`` (births) and ``exposure`` (women-years) are units × columns, or
    one value per unit. Per column: the prior rate ``m`` is ``prior_rate`` if
    given, else the pooled rate; the between-unit variance ``A`` is given or
    estimated by moments; a unit with exposure ``e`` gets weight
    ``w = A / (A + m/e)`` on its own rate.
    """
    counts = non_negative("events", events, ndim=None)
    person_years = non_negative("exposure", exposure, ndim=None)
    if counts.shape != person_years.shape or counts.ndim not in (1, 2):
        raise DemographyError(
            f"exposure: shape {person_years.shape} does not match events {counts.shape} "
            "(units, or units × age groups)"
        )
    one_column = counts.ndim == 1
    if one_column:
        counts = counts[:, None]
        person_years = person_years[:, None]
    orphan = (person_years == 0) & (counts > 0)
    if np.any(orphan):
        unit, column = (int(i) for i in np.argwhere(orphan)[0])
        raise DemographyError(f"exposure: is 0 for unit {unit}, column {column}, which has events")
    columns = counts.shape[1]
    if prior_rate is None:
        totals = person_years.sum(axis=0)
        if np.any(totals == 0):
            raise DemographyError("exposure: a column has no exposure at all; give prior_rate")
        prior = counts.sum(axis=0) / totals
    else:
        prior = non_negative(
            "prior_rate", np.broadcast_to(np.asarray(prior_rate, float), (columns,))
        )
    raw = np.divide(counts, person_years, out=np.full(counts.shape, np.nan), where=person_years > 0)
    if between_variance is None:
        if np.any(np.count_nonzero(person_years, axis=0) < 2):
            raise DemographyError(
                "exposure: need at least two units with exposure to estimate how much units "
                "differ; give between_variance instead"
            )
        variance = _moment_variance(raw, person_years, prior, prior)
    else:
        variance = non_negative(
            "between_variance", np.broadcast_to(np.asarray(between_variance, float), (columns,))
        )
    weight = _weights(variance, prior, person_years)
    estimate = np.where(person_years > 0, prior + weight * (np.nan_to_num(raw) - prior), prior)
    if one_column:
        counts, person_years, raw, estimate, weight = (
            array[:, 0] for array in (counts, person_years, raw, estimate, weight)
        )
    return RateShrinkage(
        events=frozen(counts),
        exposure=frozen(person_years),
        raw=frozen(raw),
        estimate=frozen(np.asarray(estimate, dtype=np.float64)),
        weight=frozen(weight),
        prior_rate=frozen(np.asarray(prior, dtype=np.float64)),
        between_variance=frozen(np.asarray(variance, dtype=np.float64)),
    )
