"""Summary rates of births and deaths, as defined in DOMAIN.md and PHG ch. 1 and 5.

Crude rates are per 1000 (‰) of the mean population ``(start + end) / 2``;
age-specific fertility rates are births per woman-year; TFR, GRR and NRR are
children per woman.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from renkou.demography._validate import (
    DemographyError,
    FloatArray,
    check_positive_scalar,
    check_srb,
    frozen,
    non_negative,
)


def _count(name: str, value: float) -> float:
    array = non_negative(name, value, ndim=0)
    return float(array)


@dataclass(frozen=True)
class CrudeRates:
    """Crude birth, death and natural growth rates in ‰ of the mean population."""

    births: float
    deaths: float
    mean_population: float
    birth_rate: float
    death_rate: float
    natural_growth_rate: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "births": self.births,
            "deaths": self.deaths,
            "mean_population": self.mean_population,
            "birth_rate": self.birth_rate,
            "death_rate": self.death_rate,
            "natural_growth_rate": self.natural_growth_rate,
        }


def crude_rates(
    *, births: float, deaths: float, start_population: float, end_population: float
) -> CrudeRates:
    """CBR, CDR and natural growth rate (CBR − CDR), each per 1000 mean population."""
    born = _count("births", births)
    died = _count("deaths", deaths)
    start = _count("start_population", start_population)
    end = _count("end_population", end_population)
    mean = (start + end) / 2
    if mean == 0:
        raise DemographyError("start_population: the mean population is 0; no rate exists")
    birth_rate = 1000.0 * born / mean
    death_rate = 1000.0 * died / mean
    return CrudeRates(
        births=born,
        deaths=died,
        mean_population=mean,
        birth_rate=birth_rate,
        death_rate=death_rate,
        natural_growth_rate=birth_rate - death_rate,
    )


def general_fertility_rate(births: float, women_15_49: float) -> float:
    """Births per 1000 women aged 15–49 (mean number over the year)."""
    born = _count("births", births)
    women = _count("women_15_49", women_15_49)
    if women == 0:
        raise DemographyError("women_15_49: is 0; no rate exists")
    return 1000.0 * born / women


def age_specific_fertility_rates(births: ArrayLike, women: ArrayLike) -> FloatArray:
    """Births per woman-year in each age group (``women`` = mean number, i.e. woman-years)."""
    born = non_negative("births", births)
    exposure = non_negative("women", women)
    if born.shape != exposure.shape:
        raise DemographyError(
            f"women: has {exposure.size} values but births has {born.size}; give one per age group"
        )
    orphan = (exposure == 0) & (born > 0)
    if np.any(orphan):
        bad = int(np.argmax(orphan))
        raise DemographyError(f"women: is 0 in age group {bad}, which has births")
    rates = np.divide(born, exposure, out=np.zeros(born.shape), where=exposure > 0)
    return frozen(np.asarray(rates, dtype=np.float64))


def total_fertility_rate(asfr: ArrayLike, *, width: float) -> float:
    """Children per woman over a lifetime at these rates: ``width × Σ ASFR``."""
    rates = non_negative("asfr", asfr)
    years = check_positive_scalar("width", width)
    return float(years * rates.sum())


def _female_fraction(srb: float) -> float:
    ratio = np.asarray([check_positive_scalar("srb", srb)])
    check_srb("srb", ratio)
    return float(100.0 / (100.0 + ratio[0]))


def gross_reproduction_rate(asfr: ArrayLike, *, width: float, srb: float = 105.0) -> float:
    """Daughters per woman ignoring mortality: TFR × the female share of births."""
    return total_fertility_rate(asfr, width=width) * _female_fraction(srb)


def net_reproduction_rate(
    asfr: ArrayLike, female_Lx: ArrayLike, *, radix: float = 100_000, srb: float = 105.0
) -> float:
    """Daughters per woman allowing for mortality: ``Σ ASFR·ₙLₓ/l₀ × 100/(100 + SRB)``.

    ``female_Lx`` are the life table's person-years in the same age groups as
    ``asfr`` (so their width is built in), per ``radix`` births.
    """
    rates = non_negative("asfr", asfr)
    person_years = non_negative("female_Lx", female_Lx)
    if rates.shape != person_years.shape:
        raise DemographyError(
            f"female_Lx: has {person_years.size} values but asfr has {rates.size}"
        )
    l0 = check_positive_scalar("radix", radix)
    return float((rates * person_years).sum() / l0 * _female_fraction(srb))
