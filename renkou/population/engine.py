"""The target-setting assistant's arithmetic: plain NumPy, no database.

Every unit is projected one year ahead with the demography kernel's
cohort-component method (:func:`renkou.demography.project_many`, two sexes,
one-year steps over single years of age). Five-year data are first split
evenly into single years (each closed group's count divided by five), so that
a one-year horizon moves exactly one fifth of each group up, as it should.

Rates are the county's, pulled towards each unit's own record by empirical
Bayes (:func:`renkou.demography.shrink_rates`): a unit's births (deaths) last
year over the births (deaths) the county's schedule would give its structure
is its own level; the fewer events it had, the closer to the county's level
(1.0) it is kept. All units are handled as arrays (units × ages), which is how
a province's 25,547 villages take a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from renkou.demography import poisson_interval, project_many, shrink_rates, shrink_srb
from renkou.demography._special import log_gamma

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

OPEN_AGE_5 = 85
SINGLE_AGES_5 = np.arange(OPEN_AGE_5 + 1)  # 0 … 84 and 85+
NORMAL_SRB = (103.0, 107.0)
# A unit expecting fewer births than this gets no SRB judgement of its own:
# chance alone would move its ratio far outside any band worth a target.
MIN_SRB_BIRTHS = 100
DEFAULT_SRB = 105.0

# A Zhejiang-like fertility schedule (births per woman per year, both sexes)
# by five-year group 15–19 … 45–49, total fertility about 1.05. Only its shape
# matters: the level is set from the county's births.
_STANDARD_ASFR_5 = (0.004, 0.050, 0.085, 0.050, 0.019, 0.0035, 0.0005)


def standard_asfr(ages: NDArray[np.int64]) -> FloatArray:
    """The standard fertility schedule at single years of age (0 outside 15–49)."""
    rates = np.zeros(ages.size)
    fertile = (ages >= 15) & (ages <= 49)
    rates[fertile] = np.asarray(_STANDARD_ASFR_5)[(ages[fertile] - 15) // 5]
    return rates


def standard_mx(ages: NDArray[np.int64], sex: str) -> FloatArray:
    """Death rates by single year of age (Gompertz–Makeham with an infant term).

    Life expectancy at birth is about 79 years for men and 84 for women, as in
    Zhejiang around 2020; the level is set from the county's deaths. The last
    age is open and gets the mean rate of a Gompertz population above it.
    """
    if sex == "male":
        infant, child, makeham, alpha, beta = 0.0035, 0.0003, 0.0002, 0.000028, 0.0945
    else:
        infant, child, makeham, alpha, beta = 0.0030, 0.0002, 0.0001, 0.000016, 0.0990
    x = ages.astype(np.float64)
    rates = makeham + alpha * np.exp(beta * x) + child * np.exp(-x / 3) * (x > 0)
    rates[0] = infant
    # The open group: the hazard at its start, raised for the years lived beyond it.
    rates[-1] = min(makeham + alpha * np.exp(beta * (x[-1] + 4.0)), 0.9)
    return np.asarray(rates, dtype=np.float64)


def migrant_profile(ages: NDArray[np.int64]) -> FloatArray:
    """Share of net migrants at each age: young adults, and the children they bring."""
    x = ages.astype(np.float64)
    weights = np.exp(-(((x - 26.0) / 8.0) ** 2)) + 0.12 * np.exp(-x / 6.0)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


# --- five-year groups and single years -------------------------------------------


def split_groups(counts: FloatArray) -> FloatArray:
    """Units × 18 five-year groups → units × 86 single years (85+ kept open)."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    single = np.repeat(counts[:, :-1] / 5.0, 5, axis=1)
    return np.asarray(np.concatenate([single, counts[:, -1:]], axis=1), dtype=np.float64)


def join_groups(single: FloatArray) -> FloatArray:
    """Units × 86 single years → units × 18 five-year groups."""
    single = np.atleast_2d(single)
    closed = single[:, :-1].reshape(single.shape[0], -1, 5).sum(axis=2)
    return np.asarray(np.concatenate([closed, single[:, -1:]], axis=1), dtype=np.float64)


# --- life tables for many units -------------------------------------------------


def projection_Lx(mx: FloatArray, sex: str) -> FloatArray:
    """Person-years per birth at single ages for units × ages, the last being T of the open group.

    The kernel's :func:`renkou.demography.life_table` with ``a0_rule="coale_demeny"``
    and ``ax_rule="half"``, done for all units at once (a test checks they agree).
    """
    rates = np.atleast_2d(mx)
    m0 = rates[:, 0]
    if sex == "male":
        a0 = np.where(m0 >= 0.107, 0.330, 0.045 + 2.684 * m0)
    else:
        a0 = np.where(m0 >= 0.107, 0.350, 0.053 + 2.800 * m0)
    a = np.full(rates.shape, 0.5)
    a[:, 0] = a0
    closed = rates[:, :-1]
    q = np.minimum(closed / (1 + (1 - a[:, :-1]) * closed), 1.0)
    survivors = np.cumprod(1 - q, axis=1)
    lx = np.concatenate([np.ones((rates.shape[0], 1)), survivors], axis=1)
    Lx = np.empty(rates.shape)
    Lx[:, :-1] = lx[:, 1:] + a[:, :-1] * lx[:, :-1] * q
    Lx[:, -1] = lx[:, -1] / rates[:, -1]
    return Lx


# --- the assistant ----------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """What the assistant needs per unit; ages are single years, the last open.

    ``births``/``deaths``/``male_births``/``female_births`` are last year's
    counts (NaN where unknown) and ``net_migration`` last year's net migrants.
    """

    ages: NDArray[np.int64]
    female: FloatArray  # units × ages, at the start of the projected year
    male: FloatArray
    births: FloatArray
    male_births: FloatArray
    female_births: FloatArray
    deaths: FloatArray
    net_migration: FloatArray


@dataclass(frozen=True)
class Suggestions:
    """Per-unit results of a one-year projection, arrays of one value per unit."""

    ages: NDArray[np.int64]
    start_female: FloatArray
    start_male: FloatArray
    end_female: FloatArray
    end_male: FloatArray
    births: FloatArray
    births_80: tuple[IntArray, IntArray]
    births_95: tuple[IntArray, IntArray]
    deaths: FloatArray
    deaths_80: tuple[IntArray, IntArray]
    mean_population: FloatArray
    natural_growth: FloatArray  # ‰
    srb_low: FloatArray
    srb_high: FloatArray
    srb_pooled: NDArray[np.bool_]  # too few births for a band of its own
    srb_used: FloatArray
    women_15_49: FloatArray  # at the end of the year
    under_3: FloatArray  # at the end of the year
    fertility_factor: FloatArray  # shrunk local level relative to the county
    fertility_weight: FloatArray
    mortality_factor: FloatArray
    mortality_weight: FloatArray
    srb_weight: FloatArray
    county_tfr: float
    county_e0_female: float
    county_e0_male: float

    @property
    def units(self) -> int:
        return int(self.births.size)

    def aggregate(self, members: IntArray, groups: IntArray, count: int) -> Suggestions:
        """Sums over units: unit ``members[i]`` adds to group ``groups[i]``.

        A unit may add to several groups (a village to its township and its
        county). Counts and populations add up exactly; ranges are recomputed
        for the summed expectation (independent Poisson counts add up to a
        Poisson count).
        """

        def add(values: FloatArray) -> FloatArray:
            out = np.zeros((count, *values.shape[1:]))
            np.add.at(out, groups, values[members])
            return out

        births = add(self.births)
        deaths = add(self.deaths)
        male_births = add(self.births * self.srb_used / (100 + self.srb_used))
        srb_used = np.where(
            births > male_births, 100 * male_births / np.maximum(births - male_births, 1e-12), 105
        )
        start_f, start_m = add(self.start_female), add(self.start_male)
        end_f, end_m = add(self.end_female), add(self.end_male)
        mean = start_f.sum(axis=1) + start_m.sum(axis=1) + end_f.sum(axis=1) + end_m.sum(axis=1)
        mean = mean / 2
        low, high, pooled = srb_band(births)

        def weighted(values: FloatArray, by: FloatArray) -> FloatArray:
            total = add(by)
            return np.asarray(
                np.divide(add(values * by), total, out=np.ones(count), where=total > 0),
                dtype=np.float64,
            )

        return Suggestions(
            ages=self.ages,
            start_female=start_f,
            start_male=start_m,
            end_female=end_f,
            end_male=end_m,
            **_ranges(births, deaths, mean),
            srb_low=low,
            srb_high=high,
            srb_pooled=pooled,
            srb_used=srb_used,
            women_15_49=add(self.women_15_49),
            under_3=add(self.under_3),
            fertility_factor=weighted(self.fertility_factor, self.births),
            fertility_weight=weighted(self.fertility_weight, self.births),
            mortality_factor=weighted(self.mortality_factor, self.deaths),
            mortality_weight=weighted(self.mortality_weight, self.deaths),
            srb_weight=weighted(self.srb_weight, self.births),
            county_tfr=self.county_tfr,
            county_e0_female=self.county_e0_female,
            county_e0_male=self.county_e0_male,
        )


def _ranges(births: FloatArray, deaths: FloatArray, mean: FloatArray) -> dict[str, Any]:
    """Expected births and deaths with their Poisson ranges and the natural growth
    rate: the same for every level, from villages to the province."""
    return {
        "births": births,
        "births_80": _range(births, 0.8),
        "births_95": _range(births, 0.95),
        "deaths": deaths,
        "deaths_80": _range(deaths, 0.8),
        "mean_population": mean,
        "natural_growth": _per_mille(births - deaths, mean),
    }


def _range(expected: FloatArray, confidence: float) -> tuple[IntArray, IntArray]:
    found = poisson_interval(np.maximum(expected, 0.0), confidence)
    return (
        np.asarray(found.low, dtype=np.int64).copy(),
        np.asarray(found.high, dtype=np.int64).copy(),
    )


def _per_mille(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    return np.asarray(
        np.divide(
            1000.0 * numerator,
            denominator,
            out=np.zeros(numerator.shape),
            where=denominator > 0,
        ),
        dtype=np.float64,
    )


def binomial_range(
    trials: IntArray, share: float, confidence: float = 0.95
) -> tuple[IntArray, IntArray]:
    """Central range of Binomial(n, p) counts per unit: each tail outside holds ≤ α/2.

    Probabilities are summed exactly from ten standard deviations below the
    mean (the mass below is negligible), so a province's total costs no more
    than a village's.
    """
    n = np.asarray(trials, dtype=np.int64)
    nf = n.astype(np.float64)
    alpha = (1.0 - confidence) / 2
    low = np.zeros(n.size, dtype=np.int64)
    high = n.copy()
    if n.size == 0 or int(n.max()) == 0:
        return low, high
    q = 1.0 - share
    sd = np.sqrt(n * share * q)
    k = np.maximum(np.floor(n * share - 10 * sd - 5), 0).astype(np.int64)
    log_pmf = (
        log_gamma(nf + 1.0)
        - log_gamma(k.astype(np.float64) + 1.0)
        - log_gamma((n - k).astype(np.float64) + 1.0)
        + k * np.log(share) + (n - k) * np.log(q)
    )  # fmt: skip
    cdf = np.exp(log_pmf)
    lo_found = np.zeros(n.size, dtype=bool)
    hi_found = np.zeros(n.size, dtype=bool)
    limit = int(np.ceil(20 * sd.max() + 40))
    for _ in range(limit + 1):
        newly = ~lo_found & (cdf >= alpha)
        low[newly] = k[newly]
        lo_found |= newly
        newly = ~hi_found & (cdf >= 1 - alpha)
        high[newly] = k[newly]
        hi_found |= newly
        if hi_found.all():
            break
        # P(X = k + 1) / P(X = k) = (n − k)/(k + 1) · p/q, zero beyond n.
        step = np.log(np.maximum(n - k, 1)) - np.log(k + 1.0) + np.log(share) - np.log(q)
        log_pmf = np.where(k < n, log_pmf + step, -np.inf)
        k = k + 1
        cdf = cdf + np.exp(log_pmf)
    return low, np.where(hi_found, high, n)


def srb_band(expected_births: FloatArray) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """The SRB band a unit can fairly be held to, given how many births it expects.

    The normal range 103–107, widened to the 95% range that chance alone
    produces around an SRB of 105 with the unit's number of births. Below
    :data:`MIN_SRB_BIRTHS` expected births the unit is marked ``pooled``: its
    own ratio says little and it is judged with its township, over several
    years.
    """
    n = np.maximum(np.round(expected_births), 1).astype(np.int64)
    share = DEFAULT_SRB / (100.0 + DEFAULT_SRB)
    boys_low, boys_high = binomial_range(n, share, 0.95)
    with np.errstate(divide="ignore", invalid="ignore"):
        chance_low = 100.0 * boys_low / np.maximum(n - boys_low, 1)
        chance_high = np.where(n > boys_high, 100.0 * boys_high / (n - boys_high), np.inf)
    low = np.minimum(NORMAL_SRB[0], np.floor(chance_low))
    high = np.maximum(NORMAL_SRB[1], np.ceil(chance_high))
    pooled = expected_births < MIN_SRB_BIRTHS
    return (
        np.asarray(low, dtype=np.float64),
        np.asarray(high, dtype=np.float64),
        np.asarray(pooled, dtype=np.bool_),
    )


def _level(observed: FloatArray, expected: FloatArray) -> tuple[FloatArray, FloatArray, float]:
    """County level (observed ÷ expected over units with data) and each unit's shrunk level."""
    known = np.isfinite(observed) & (expected > 0)
    total_expected = float(expected[known].sum())
    county = float(observed[known].sum()) / total_expected if total_expected > 0 else 1.0
    if county <= 0:
        county = 1.0
    factor = np.ones(observed.size)
    weight = np.zeros(observed.size)
    if np.count_nonzero(known) >= 2:
        # Relative to the county's level: exposure is what the county's rates
        # would give, so the prior rate is 1.
        shrunk = shrink_rates(observed[known], expected[known] * county, prior_rate=1.0)
        factor[known] = shrunk.estimate
        weight[known] = shrunk.weight
    return factor, weight, county


def _cohort_floor(population: FloatArray) -> FloatArray:
    younger = np.concatenate([population[:, :1], population[:, :-1]], axis=1)
    return np.asarray(np.minimum(population, younger), dtype=np.float64)


def suggest(inputs: Inputs) -> Suggestions:
    """Project every unit one year ahead and derive its suggested targets."""
    ages = inputs.ages
    females = np.clip(np.atleast_2d(inputs.female), 0, None)
    males = np.clip(np.atleast_2d(inputs.male), 0, None)
    units = females.shape[0]
    base_asfr = standard_asfr(ages)
    base_female_mx = standard_mx(ages, "female")
    base_male_mx = standard_mx(ages, "male")

    # Expected events last year under the standard schedules, for the levels.
    expected_births = (females * base_asfr).sum(axis=1)
    expected_deaths = (females * base_female_mx).sum(axis=1) + (males * base_male_mx).sum(axis=1)
    fertility, fertility_weight, county_fertility = _level(inputs.births, expected_births)
    mortality, mortality_weight, county_mortality = _level(inputs.deaths, expected_deaths)
    mortality = np.clip(mortality, 0.2, 5.0)

    boys = np.nan_to_num(inputs.male_births)
    girls = np.nan_to_num(inputs.female_births)
    srb_weight = np.zeros(units)
    srb_used = np.full(units, DEFAULT_SRB)
    if (boys > 0).sum() + (girls > 0).sum() >= 2 and boys.sum() > 0 and girls.sum() > 0:
        shrunk = shrink_srb(boys, girls)
        srb_used = np.clip(np.asarray(shrunk.estimate, dtype=np.float64), 95.0, 120.0)
        srb_weight = np.asarray(shrunk.weight, dtype=np.float64)

    asfr = np.minimum(county_fertility * fertility[:, None] * base_asfr, 0.45)
    level = county_mortality * mortality[:, None]
    female_Lx = projection_Lx(np.minimum(level * base_female_mx, 3.5), "female")
    male_Lx = projection_Lx(np.minimum(level * base_male_mx, 3.5), "male")

    net = np.nan_to_num(inputs.net_migration)
    profile = migrant_profile(ages)
    # Net out-migration is capped at 40% of the people at an age and of the
    # cohort growing into it, so that no age can end the year below zero.
    flows = net[:, None] * profile[None, :] / 2
    female_flow = np.maximum(flows, -0.4 * _cohort_floor(females))
    male_flow = np.maximum(flows, -0.4 * _cohort_floor(males))

    batch = project_many(
        ages,
        1,
        female_population=females,
        male_population=males,
        female_Lx=female_Lx,
        male_Lx=male_Lx,
        asfr=asfr,
        srb=srb_used,
        radix=1.0,
        female_migration=female_flow,
        male_migration=male_flow,
        migration_timing="even",
    )
    births = np.asarray(batch.births[0], dtype=np.float64)
    assert batch.male is not None and batch.male_deaths is not None
    deaths = np.asarray(batch.female_deaths[0] + batch.male_deaths[0], dtype=np.float64)
    end_f = np.asarray(batch.female[1], dtype=np.float64)
    end_m = np.asarray(batch.male[1], dtype=np.float64)
    mean = (females.sum(axis=1) + males.sum(axis=1) + end_f.sum(axis=1) + end_m.sum(axis=1)) / 2
    fertile = (ages >= 15) & (ages <= 49)
    low, high, pooled = srb_band(births)
    county_female_Lx = projection_Lx((county_mortality * base_female_mx)[None, :], "female")
    county_male_Lx = projection_Lx((county_mortality * base_male_mx)[None, :], "male")
    return Suggestions(
        ages=ages,
        start_female=females,
        start_male=males,
        end_female=end_f,
        end_male=end_m,
        **_ranges(births, deaths, mean),
        srb_low=low,
        srb_high=high,
        srb_pooled=pooled,
        srb_used=srb_used,
        women_15_49=end_f[:, fertile].sum(axis=1),
        under_3=(end_f[:, :3] + end_m[:, :3]).sum(axis=1),
        fertility_factor=fertility,
        fertility_weight=fertility_weight,
        mortality_factor=mortality,
        mortality_weight=mortality_weight,
        srb_weight=srb_weight,
        county_tfr=float(county_fertility * base_asfr.sum()),
        county_e0_female=float(county_female_Lx.sum()),
        county_e0_male=float(county_male_Lx.sum()),
    )


# --- calibration ------------------------------------------------------------------


@dataclass(frozen=True)
class Calibration:
    units: int
    inside: int
    below: int
    above: int

    @property
    def share(self) -> float | None:
        return self.inside / self.units if self.units else None


def calibration(actual: FloatArray, low: IntArray, high: IntArray) -> Calibration:
    """How many units' actual counts fell inside their suggested range (NaN = no actual)."""
    values = np.asarray(actual, dtype=np.float64)
    known = np.isfinite(values)
    below = known & (values < low)
    above = known & (values > high)
    return Calibration(
        units=int(known.sum()),
        inside=int((known & ~below & ~above).sum()),
        below=int(below.sum()),
        above=int(above.sum()),
    )
