"""Period life tables for abridged (0, 1, 5, 10, …) or single-year ages.

The construction follows Preston, Heuveline & Guillot (2001), *Demography:
Measuring and Modeling Population Processes*, ch. 3:

* ``q = n·m / (1 + (n − a)·m)`` for closed intervals, ``q = 1`` for the open one;
* ``l`` from the radix by ``l[x+n] = l[x]·(1 − q)``, ``d = l·q``;
* ``L = n·l[x+n] + a·d`` for closed intervals, ``L = l / M`` for the open one;
* ``T`` as the reverse cumulative sum of ``L`` and ``e = T / l``.

Separation factors ``a`` are taken as given, or from a rule: ``a0`` by
Coale–Demeny (as tabulated in PHG table 3.3, in terms of ``1M0``) or by
Andreev & Kingkade (2015); the other intervals either at their midpoint
(``"half"``) or by Greville's formula as used for the United Nations (1982)
model life tables (``"un_greville"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from renkou.demography._validate import (
    MAX_DEATH_RATE,
    DemographyError,
    FloatArray,
    IntArray,
    check_ages,
    check_choice,
    check_length,
    check_positive_scalar,
    frozen,
    json_list,
    json_number,
    non_negative,
)

A0Rule = Literal["coale_demeny", "andreev_kingkade"]
AxRule = Literal["half", "un_greville"]
Sex = Literal["male", "female"]

A0_RULES: tuple[str, ...] = ("coale_demeny", "andreev_kingkade")
AX_RULES: tuple[str, ...] = ("half", "un_greville")
SEXES: tuple[str | None, ...] = ("male", "female", None)


@dataclass(frozen=True, eq=False)
class LifeTable:
    """A period life table; arrays are indexed by age group, the last group open.

    ``widths`` holds each interval's length in years (``inf`` for the open one);
    ``lx``, ``dx``, ``Lx`` and ``Tx`` are per ``radix`` births.
    """

    ages: IntArray
    widths: FloatArray
    mx: FloatArray
    ax: FloatArray
    qx: FloatArray
    lx: FloatArray
    dx: FloatArray
    Lx: FloatArray
    Tx: FloatArray
    ex: FloatArray
    radix: float
    sex: str | None
    a0_rule: str | None
    ax_rule: str | None

    @property
    def e0(self) -> float:
        """Life expectancy at birth."""
        return float(self.ex[0])

    def projection_Lx(self, step: int) -> FloatArray:
        """Person-years lived in age groups ``step`` years wide, the last being ``T``.

        This is the ``female_Lx``/``male_Lx`` input of :func:`project`: an
        abridged table's ``1L0`` and ``4L1`` add up to ``5L0``; single years add
        up to five-year groups. The open group keeps its ``T`` (= its ``L``).
        """
        if isinstance(step, bool) or not isinstance(step, int) or step < 1:
            raise DemographyError(f"step: must be a positive whole number of years, got {step!r}")
        open_age = int(self.ages[-1])
        if open_age % step:
            raise DemographyError(
                f"step: the open age group starts at {open_age}, not a multiple of {step}"
            )
        starts = self.ages[:-1]
        ends = starts + self.widths[:-1].astype(np.int64)
        group = starts // step
        if np.any((ends - 1) // step != group):
            bad = int(np.argmax((ends - 1) // step != group))
            raise DemographyError(
                f"step: the age group {starts[bad]}-{ends[bad] - 1} straddles a "
                f"{step}-year boundary"
            )
        grouped = np.zeros(open_age // step + 1)
        np.add.at(grouped, group, self.Lx[:-1])
        grouped[-1] = self.Tx[-1]
        return grouped

    def to_dict(self) -> dict[str, Any]:
        return {
            "ages": json_list(self.ages),
            "widths": json_list(self.widths),
            "mx": json_list(self.mx),
            "ax": json_list(self.ax),
            "qx": json_list(self.qx),
            "lx": json_list(self.lx),
            "dx": json_list(self.dx),
            "Lx": json_list(self.Lx),
            "Tx": json_list(self.Tx),
            "ex": json_list(self.ex),
            "e0": json_number(self.e0),
            "radix": self.radix,
            "sex": self.sex,
            "a0_rule": self.a0_rule,
            "ax_rule": self.ax_rule,
        }


# --- separation-factor rules -------------------------------------------------


def coale_demeny_a0(m0: float, sex: str | None) -> float:
    """``1a0`` from ``1M0`` by Coale–Demeny, as in Preston et al. (2001) table 3.3.

    Both sexes together take the mean of the male and female values.
    """
    male = 0.330 if m0 >= 0.107 else 0.045 + 2.684 * m0
    female = 0.350 if m0 >= 0.107 else 0.053 + 2.800 * m0
    return _by_sex(male, female, sex)


def coale_demeny_4a1(m0: float, sex: str | None) -> float:
    """``4a1`` from ``1M0`` by Coale–Demeny, as in Preston et al. (2001) table 3.3."""
    male = 1.352 if m0 >= 0.107 else 1.651 - 2.816 * m0
    female = 1.361 if m0 >= 0.107 else 1.522 - 1.518 * m0
    return _by_sex(male, female, sex)


def andreev_kingkade_a0(m0: float, sex: str | None) -> float:
    """``1a0`` from ``1m0`` by Andreev & Kingkade (2015), *Demographic Research* 33(13).

    The segmented-linear rule the Human Mortality Database adopted; it fits
    low-mortality populations better than Coale–Demeny.
    """
    if m0 < 0.0230:
        male = 0.14929 - 1.99545 * m0
    elif m0 < 0.08307:
        male = 0.02832 + 3.26201 * m0
    else:
        male = 0.29915
    if m0 < 0.01724:
        female = 0.14903 - 2.05527 * m0
    elif m0 < 0.06891:
        female = 0.04667 + 3.88089 * m0
    else:
        female = 0.31411
    return _by_sex(male, female, sex)


def _by_sex(male: float, female: float, sex: str | None) -> float:
    if sex == "male":
        return male
    if sex == "female":
        return female
    return (male + female) / 2


def _greville_ax(mx: FloatArray, widths: FloatArray, abridged: bool) -> FloatArray:
    """Greville's ``a = n/2 − n²/12·(m − k)``, ``k`` the slope of ``ln m`` per year.

    As in the UN (1982) model life tables and MORTPAK: an abridged table keeps
    2.5 for ages 5–9 and 10–14, and the last closed interval borrows the slope
    of the one before it (its upper neighbour is the open group, whose rate is
    not a rate for a comparable interval).
    """
    count = mx.size
    ax = widths / 2
    ax[-1] = np.nan
    slopes = np.full(count, np.nan)
    for i in range(1, count - 2):
        if mx[i - 1] > 0 and mx[i + 1] > 0:
            span = widths[i - 1] / 2 + widths[i] + widths[i + 1] / 2
            slopes[i] = math.log(mx[i + 1] / mx[i - 1]) / span
    if count >= 4:
        slopes[count - 2] = slopes[count - 3]
    first = 4 if abridged else 1
    for i in range(first, count - 1):
        if not math.isnan(slopes[i]):
            n = widths[i]
            ax[i] = min(max(n / 2 - n * n / 12 * (mx[i] - slopes[i]), 0.0), n)
    return ax


# --- the table ---------------------------------------------------------------


def life_table(
    ages: Sequence[float] | ArrayLike,
    *,
    deaths: ArrayLike | None = None,
    population: ArrayLike | None = None,
    mx: ArrayLike | None = None,
    ax: ArrayLike | None = None,
    sex: str | None = None,
    radix: float = 100_000,
    a0_rule: str = "coale_demeny",
    ax_rule: str = "half",
) -> LifeTable:
    """Build a period life table from death rates, or from deaths and population.

    ``ages`` are the lower bounds of the age groups, starting at 0; the last
    group is open. Give either ``mx`` or both ``deaths`` and ``population``
    (mid-year population, i.e. person-years of exposure). ``ax``, if given, is
    used as is (for the open group it is always ``1/M``); otherwise ``a0_rule``
    gives ``1a0`` (and Coale–Demeny's ``4a1`` for an abridged table) and
    ``ax_rule`` the rest. ``sex`` is ``"male"``, ``"female"`` or ``None`` for both
    sexes together.
    """
    age_array = check_ages(ages)
    count = age_array.size
    check_choice("sex", sex, SEXES)
    check_choice("a0_rule", a0_rule, A0_RULES)
    check_choice("ax_rule", ax_rule, AX_RULES)
    radix_value = check_positive_scalar("radix", radix)
    widths = np.append(np.diff(age_array).astype(np.float64), np.inf)

    rates = _death_rates(count, age_array, deaths=deaths, population=population, mx=mx)
    abridged = count >= 3 and age_array[1] == 1 and age_array[2] == 5

    if ax is not None:
        separation = non_negative("ax", ax)
        check_length("ax", separation, count)
        too_long = separation[:-1] > widths[:-1]
        if np.any(too_long):
            bad = int(np.argmax(too_long))
            raise DemographyError(
                f"ax: {separation[bad]:g} years at age {age_array[bad]} is longer than the "
                f"{widths[bad]:g}-year interval"
            )
        separation = separation.copy()
        used_a0: str | None = None
        used_ax: str | None = None
    else:
        if widths[0] != 1:
            raise DemographyError(
                "ages: the first age group must be 0 (under one year) unless ax is given, "
                "because infant deaths cluster in the first weeks"
            )
        if ax_rule == "un_greville":
            separation = _greville_ax(rates, widths, abridged)
        else:
            separation = widths / 2
        m0 = float(rates[0])
        rule = coale_demeny_a0 if a0_rule == "coale_demeny" else andreev_kingkade_a0
        separation[0] = rule(m0, sex)
        if abridged:
            # Andreev & Kingkade give no 4a1, so both rule sets take Coale–Demeny's.
            separation[1] = coale_demeny_4a1(m0, sex)
        used_a0, used_ax = a0_rule, ax_rule
    separation[-1] = 1.0 / rates[-1]

    n = widths[:-1]
    a = separation[:-1]
    m = rates[:-1]
    q_closed = n * m / (1 + (n - a) * m)
    impossible = q_closed > 1 + 1e-12
    if np.any(impossible):
        bad = int(np.argmax(impossible))
        raise DemographyError(
            f"mx: {m[bad]:g} at age {age_array[bad]} is too high for a {n[bad]:g}-year "
            f"interval with ax = {a[bad]:g} (the probability of dying would exceed 1)"
        )
    qx = np.append(np.minimum(q_closed, 1.0), 1.0)
    survivors = np.cumprod(1 - qx[:-1])
    lx = radix_value * np.concatenate(([1.0], survivors))
    dx = lx * qx
    Lx = np.empty(count)
    Lx[:-1] = n * lx[1:] + a * dx[:-1]
    Lx[-1] = lx[-1] / rates[-1]
    Tx = np.cumsum(Lx[::-1])[::-1]
    ex = np.divide(Tx, lx, out=np.zeros(count), where=lx > 0)
    return LifeTable(
        ages=frozen(age_array),
        widths=frozen(widths),
        mx=frozen(rates),
        ax=frozen(separation),
        qx=frozen(qx),
        lx=frozen(lx),
        dx=frozen(dx),
        Lx=frozen(Lx),
        Tx=frozen(Tx),
        ex=frozen(ex),
        radix=radix_value,
        sex=sex,
        a0_rule=used_a0,
        ax_rule=used_ax,
    )


def _death_rates(
    count: int,
    ages: IntArray,
    *,
    deaths: ArrayLike | None,
    population: ArrayLike | None,
    mx: ArrayLike | None,
) -> FloatArray:
    if mx is not None:
        if deaths is not None or population is not None:
            raise DemographyError("mx: give either mx or deaths with population, not both")
        rates = non_negative("mx", mx)
        check_length("mx", rates, count)
    else:
        if deaths is None or population is None:
            missing = "deaths" if deaths is None else "population"
            raise DemographyError(f"{missing}: needed (or give mx instead)")
        death_counts = non_negative("deaths", deaths)
        exposure = non_negative("population", population)
        check_length("deaths", death_counts, count)
        check_length("population", exposure, count)
        orphan = (exposure == 0) & (death_counts > 0)
        if np.any(orphan):
            bad = int(np.argmax(orphan))
            raise DemographyError(
                f"population: is 0 at age {ages[bad]}, where {death_counts[bad]:g} deaths are given"
            )
        rates = np.divide(death_counts, exposure, out=np.zeros(count), where=exposure > 0).astype(
            np.float64
        )
    too_high = rates > MAX_DEATH_RATE
    if np.any(too_high):
        bad = int(np.argmax(too_high))
        raise DemographyError(
            f"mx: {rates[bad]:g} deaths per person-year at age {ages[bad]} is implausible "
            f"(above {MAX_DEATH_RATE:g}); are deaths and population swapped?"
        )
    if rates[-1] <= 0:
        raise DemographyError(
            f"mx: the open age group ({ages[-1]}+) needs a positive death rate, "
            "since everyone in it dies eventually"
        )
    return np.array(rates, dtype=np.float64)


__all__ = [
    "A0_RULES",
    "AX_RULES",
    "LifeTable",
    "andreev_kingkade_a0",
    "coale_demeny_4a1",
    "coale_demeny_a0",
    "life_table",
]
