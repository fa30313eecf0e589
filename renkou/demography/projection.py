"""Cohort-component population projection and its Leslie matrix.

The method is the one in Preston, Heuveline & Guillot (2001), ch. 6, and the
UN's ``ccmppWPP``. For age groups as wide as the projection step:

* people aged ``x`` survive to ``x + n`` by ``ₙLₓ₊ₙ / ₙLₓ``; the open group
  gathers the survivors of the last closed group and of itself by
  ``T_open / (L_last + T_open)``;
* births over the step are ``n × Σ ASFR × (women at start + women at end) / 2``,
  split into boys and girls by the SRB (males per 100 females);
* babies born during the step survive to the first age group by
  ``L₀ / (n · l₀)``;
* net migrants are added at the end of the step (``"end"``), or half at the
  start — then exposed to mortality and fertility — and half at the end
  (``"even"``).

:func:`project` projects one population; :func:`project_many` projects many
units at once as NumPy arrays (units × ages), which is how a province's
villages are done in a second.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from renkou.demography._validate import (
    DemographyError,
    FloatArray,
    IntArray,
    as_float_array,
    check_ages,
    check_asfr,
    check_choice,
    check_positive_scalar,
    check_srb,
    check_uniform_ages,
    frozen,
    json_list,
    json_number,
    non_negative,
)

MigrationTiming = Literal["end", "even"]
MIGRATION_TIMINGS: tuple[str, ...] = ("end", "even")
# Person-years are compared with a little slack: published tables are rounded.
_SLACK = 1e-9


@dataclass(frozen=True, eq=False)
class Projection:
    """One unit's projection. Row 0 of ``female``/``male`` is the starting population.

    ``births``, ``female_births`` and ``male_births`` are per step (both sexes
    are always reported, split by ``srb``, even when only women are
    projected); ``female_deaths`` and ``male_deaths`` are the deaths the
    survival ratios imply, including those of babies born during the step.
    """

    ages: IntArray
    step: int
    female: FloatArray
    male: FloatArray | None
    births: FloatArray
    female_births: FloatArray
    male_births: FloatArray
    female_deaths: FloatArray
    male_deaths: FloatArray | None
    srb: float
    migration_timing: str

    @property
    def steps(self) -> int:
        return int(self.births.size)

    @property
    def total(self) -> FloatArray:
        """Total population at the start and after each step (both sexes if projected)."""
        totals = self.female.sum(axis=1)
        if self.male is not None:
            totals = totals + self.male.sum(axis=1)
        return np.asarray(totals, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ages": json_list(self.ages),
            "step": self.step,
            "steps": self.steps,
            "srb": self.srb,
            "migration_timing": self.migration_timing,
            "female": json_list(self.female),
            "male": None if self.male is None else json_list(self.male),
            "total": json_list(self.total),
            "births": json_list(self.births),
            "female_births": json_list(self.female_births),
            "male_births": json_list(self.male_births),
            "female_deaths": json_list(self.female_deaths),
            "male_deaths": None if self.male_deaths is None else json_list(self.male_deaths),
        }


@dataclass(frozen=True, eq=False)
class ProjectionBatch:
    """Projections of many units: ``female`` is steps+1 × units × ages, births steps × units."""

    ages: IntArray
    step: int
    female: FloatArray
    male: FloatArray | None
    births: FloatArray
    female_births: FloatArray
    male_births: FloatArray
    female_deaths: FloatArray
    male_deaths: FloatArray | None
    srb: FloatArray
    migration_timing: str

    @property
    def units(self) -> int:
        return int(self.female.shape[1])

    def unit(self, index: int) -> Projection:
        """The projection of one unit, as :func:`project` would return it."""
        return Projection(
            ages=self.ages,
            step=self.step,
            female=frozen(self.female[:, index, :]),
            male=None if self.male is None else frozen(self.male[:, index, :]),
            births=frozen(self.births[:, index]),
            female_births=frozen(self.female_births[:, index]),
            male_births=frozen(self.male_births[:, index]),
            female_deaths=frozen(self.female_deaths[:, index]),
            male_deaths=None if self.male_deaths is None else frozen(self.male_deaths[:, index]),
            srb=float(self.srb[index]),
            migration_timing=self.migration_timing,
        )


@dataclass(frozen=True, eq=False)
class LeslieMatrix:
    """The projection as a matrix: ``population(t + step) = matrix @ population(t)``.

    Two-sex matrices stack females first, then males. ``dominant_eigenvalue``
    is the growth factor per step of the stable population the rates imply:
    the spectral radius of the female matrix's reproductive part (the ages up
    to the last one whose women have children; older ages cannot feed births
    back and do not set the long-run growth). ``intrinsic_growth_rate`` is
    ``ln(λ) / step`` per year, ``None`` without fertility.
    """

    ages: IntArray
    step: int
    matrix: FloatArray
    two_sex: bool
    dominant_eigenvalue: float
    intrinsic_growth_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ages": json_list(self.ages),
            "step": self.step,
            "two_sex": self.two_sex,
            "dominant_eigenvalue": self.dominant_eigenvalue,
            "intrinsic_growth_rate": (
                None
                if self.intrinsic_growth_rate is None
                else json_number(self.intrinsic_growth_rate)
            ),
            "matrix": json_list(self.matrix),
        }


# --- input preparation -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Schedule:
    """Survival and fertility for units × ages, ready for the step loop."""

    survival: FloatArray  # units × (ages − 2): from group i to group i + 1
    open_ratio: FloatArray  # units: into the open group
    first: FloatArray  # units: births to the first age group, L0 / (n · l0)


def _schedule(Lx: FloatArray, step: int, radix: float) -> _Schedule:
    count = Lx.shape[1]
    return _Schedule(
        survival=Lx[:, 1 : count - 1] / Lx[:, : count - 2],
        open_ratio=Lx[:, -1] / (Lx[:, -2] + Lx[:, -1]),
        first=Lx[:, 0] / (step * radix),
    )


def _check_step(step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or int(step) < 1:
        raise DemographyError(f"step: must be a positive whole number of years, got {step!r}")
    return int(step)


def _per_unit(name: str, values: ArrayLike, units: int, count: int) -> FloatArray:
    """Ages-long values shared by all units, or one row per unit."""
    array = non_negative(name, values, ndim=None)
    if array.ndim == 1:
        array = np.broadcast_to(array, (units, array.size))
    if array.ndim != 2 or array.shape != (units, count):
        raise DemographyError(
            f"{name}: expected {count} values (one per age group) or {units} rows of them, "
            f"got shape {np.shape(values)}"
        )
    return np.asarray(array, dtype=np.float64)


def _check_Lx(name: str, Lx: FloatArray, ages: IntArray, step: int, radix: float) -> None:
    if np.any(Lx <= 0):
        position = int(np.argwhere(Lx <= 0)[0][-1])
        raise DemographyError(f"{name}: must be positive (age {ages[position]})")
    closed = Lx[:, :-1]
    too_many = closed > step * radix * (1 + _SLACK)
    if np.any(too_many):
        position = int(np.argwhere(too_many)[0][-1])
        raise DemographyError(
            f"{name}: {float(closed[too_many][0]):g} person-years at age {ages[position]} exceed "
            f"step × radix = {step * radix:g}; is radix right?"
        )
    if closed.shape[1] >= 2:
        rising = closed[:, 1:] > closed[:, :-1] * (1 + _SLACK)
        if np.any(rising):
            position = int(np.argwhere(rising)[0][-1])
            raise DemographyError(
                f"{name}: rises from age {ages[position]} to {ages[position + 1]}, "
                "which would make survival exceed 1"
            )


def _population(name: str, values: ArrayLike, count: int, *, batch: bool) -> FloatArray:
    array = non_negative(name, values, ndim=2 if batch else 1)
    if not batch:
        array = array[None, :]
    if array.shape[1] != count:
        raise DemographyError(
            f"{name}: has {array.shape[1]} values but there are {count} age groups"
        )
    return array


def _migration(name: str, values: ArrayLike | None, units: int, count: int) -> FloatArray | None:
    if values is None:
        return None
    array = as_float_array(name, values, ndim=None)
    if array.ndim == 1:
        array = array[None, :]
    if array.shape != (units, count):
        raise DemographyError(
            f"{name}: expected {units} row(s) of {count} net migrants (one per age group), "
            f"got shape {np.shape(values)}"
        )
    return array


def _srb(value: ArrayLike, units: int) -> FloatArray:
    array = as_float_array("srb", value, ndim=None)
    if array.ndim == 0:
        array = np.full(units, float(array))
    if array.shape != (units,):
        raise DemographyError(f"srb: expected one value or {units}, got shape {array.shape}")
    check_srb("srb", array)
    return array


# --- the projection ----------------------------------------------------------------


def _survive(population: FloatArray, schedule: _Schedule) -> FloatArray:
    count = population.shape[1]
    survived = np.zeros_like(population)
    survived[:, 1 : count - 1] = population[:, : count - 2] * schedule.survival
    survived[:, -1] = (population[:, -2] + population[:, -1]) * schedule.open_ratio
    return survived


def _check_not_negative(
    population: FloatArray, ages: IntArray, sex: str, step: int, name: str
) -> None:
    if np.any(population < -1e-9):
        unit, age = (int(i) for i in np.argwhere(population < -1e-9)[0])
        where = f"unit {unit}, " if population.shape[0] > 1 else ""
        raise DemographyError(
            f"{name}: net out-migration exceeds the {sex} population "
            f"({where}age {ages[age]}, step {step})"
        )


def project_many(
    ages: Sequence[float] | ArrayLike,
    step: int,
    *,
    female_population: ArrayLike,
    female_Lx: ArrayLike,
    asfr: ArrayLike,
    srb: ArrayLike = 105.0,
    male_population: ArrayLike | None = None,
    male_Lx: ArrayLike | None = None,
    radix: float = 100_000,
    female_migration: ArrayLike | None = None,
    male_migration: ArrayLike | None = None,
    migration_timing: str = "end",
    steps: int = 1,
) -> ProjectionBatch:
    """Project many units at once; populations and migration are units × ages.

    ``female_Lx``, ``male_Lx`` and ``asfr`` are either one row shared by all
    units or one row per unit; ``srb`` one value or one per unit. The last
    element of each ``Lx`` row is ``T`` of the open group. Migration is net
    migrants per step by age group. See :func:`project` for the rest.
    """
    return _project(
        ages,
        step,
        female_population=female_population,
        female_Lx=female_Lx,
        asfr=asfr,
        srb=srb,
        male_population=male_population,
        male_Lx=male_Lx,
        radix=radix,
        female_migration=female_migration,
        male_migration=male_migration,
        migration_timing=migration_timing,
        steps=steps,
        batch=True,
        migration_names=("female_migration", "male_migration"),
    )


def project(
    ages: Sequence[float] | ArrayLike,
    step: int,
    *,
    female_population: ArrayLike,
    female_Lx: ArrayLike,
    asfr: ArrayLike,
    srb: float = 105.0,
    male_population: ArrayLike | None = None,
    male_Lx: ArrayLike | None = None,
    radix: float = 100_000,
    migration: ArrayLike | None = None,
    migration_timing: str = "end",
    steps: int = 1,
) -> Projection:
    """Cohort-component projection of one population, female-only or two-sex.

    ``ages`` are the lower bounds of age groups exactly ``step`` years wide
    (0, 5, …, 85 with the last open for 5-year steps; 0, 1, …, 100 for 1-year
    steps). ``female_Lx`` (and ``male_Lx``) are life-table person-years per
    ``radix`` births in those groups, the last element being ``T`` of the open
    group (see :meth:`LifeTable.projection_Lx`). ``asfr`` are births of both
    sexes per woman-year. Give ``male_population`` and ``male_Lx`` together for
    a two-sex projection. ``migration`` is net migrants per step by age group:
    a list for a female-only projection, two rows (females, then males) for a
    two-sex one.
    """
    two_sex = male_population is not None
    female_migration: ArrayLike | None = None
    male_migration: ArrayLike | None = None
    if migration is not None:
        flows = as_float_array("migration", migration, ndim=None)
        if two_sex:
            if flows.ndim != 2 or flows.shape[0] != 2:
                raise DemographyError(
                    "migration: a two-sex projection needs two rows of net migrants, "
                    f"females then males; got shape {flows.shape}"
                )
            female_migration, male_migration = flows[0], flows[1]
        else:
            if flows.ndim != 1:
                raise DemographyError(
                    "migration: a female-only projection needs one row of net female "
                    f"migrants; got shape {flows.shape}"
                )
            female_migration = flows
    batch = _project(
        ages,
        step,
        female_population=female_population,
        female_Lx=female_Lx,
        asfr=asfr,
        srb=srb,
        male_population=male_population,
        male_Lx=male_Lx,
        radix=radix,
        female_migration=female_migration,
        male_migration=male_migration,
        migration_timing=migration_timing,
        steps=steps,
        batch=False,
        migration_names=("migration", "migration"),
    )
    return batch.unit(0)


def _project(
    ages: Sequence[float] | ArrayLike,
    step: int,
    *,
    female_population: ArrayLike,
    female_Lx: ArrayLike,
    asfr: ArrayLike,
    srb: ArrayLike,
    male_population: ArrayLike | None,
    male_Lx: ArrayLike | None,
    radix: float,
    female_migration: ArrayLike | None,
    male_migration: ArrayLike | None,
    migration_timing: str,
    steps: int,
    batch: bool,
    migration_names: tuple[str, str],
) -> ProjectionBatch:
    age_array = check_ages(ages)
    width = _check_step(step)
    check_uniform_ages(age_array, width)
    count = age_array.size
    if count < 3:
        raise DemographyError("ages: need at least two closed age groups and the open one")
    check_choice("migration_timing", migration_timing, MIGRATION_TIMINGS)
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or int(steps) < 1:
        raise DemographyError(f"steps: must be a whole number ≥ 1, got {steps!r}")
    radix_value = check_positive_scalar("radix", radix)

    females = _population("female_population", female_population, count, batch=batch)
    units = females.shape[0]
    f_Lx = _per_unit("female_Lx", female_Lx, units, count)
    _check_Lx("female_Lx", f_Lx, age_array, width, radix_value)
    fertility = _per_unit("asfr", asfr, units, count)
    check_asfr("asfr", fertility, age_array)
    ratio = _srb(srb, units)

    two_sex = male_population is not None or male_Lx is not None
    males: FloatArray | None = None
    m_schedule: _Schedule | None = None
    if two_sex:
        if male_population is None or male_Lx is None:
            missing = "male_population" if male_population is None else "male_Lx"
            raise DemographyError(f"{missing}: a two-sex projection needs it")
        males = _population("male_population", male_population, count, batch=batch)
        if males.shape[0] != units:
            raise DemographyError(
                f"male_population: has {males.shape[0]} units but female_population has {units}"
            )
        m_Lx = _per_unit("male_Lx", male_Lx, units, count)
        _check_Lx("male_Lx", m_Lx, age_array, width, radix_value)
        m_schedule = _schedule(m_Lx, width, radix_value)
    elif male_migration is not None:
        raise DemographyError(f"{migration_names[1]}: only a two-sex projection has males")

    f_migration = _migration(migration_names[0], female_migration, units, count)
    m_migration = _migration(migration_names[1], male_migration, units, count)
    names = {"female": migration_names[0], "male": migration_names[1]}
    f_schedule = _schedule(f_Lx, width, radix_value)
    female_share = 100.0 / (100.0 + ratio)
    male_share = ratio / (100.0 + ratio)
    even = migration_timing == "even"

    total_steps = int(steps)
    female_path = np.empty((total_steps + 1, units, count))
    female_path[0] = females
    male_path = None
    if males is not None:
        male_path = np.empty((total_steps + 1, units, count))
        male_path[0] = males
    births = np.empty((total_steps, units))
    female_births = np.empty((total_steps, units))
    male_births = np.empty((total_steps, units))
    female_deaths = np.empty((total_steps, units))
    male_deaths = np.empty((total_steps, units)) if males is not None else None

    def begin(
        population: FloatArray,
        flows: FloatArray | None,
        schedule: _Schedule,
        sex: str,
        number: int,
    ) -> tuple[FloatArray, FloatArray]:
        """The population the step starts with (early migrants in) and its survivors."""
        start = population if flows is None or not even else population + flows / 2
        _check_not_negative(start, age_array, sex, number, names[sex])
        return start, _survive(start, schedule)

    def finish(
        start: FloatArray,
        survived: FloatArray,
        babies: FloatArray,
        flows: FloatArray | None,
        schedule: _Schedule,
        sex: str,
        number: int,
    ) -> tuple[FloatArray, FloatArray]:
        """The population at the step's end and the deaths the survival implies."""
        survived[:, 0] = babies * schedule.first
        deaths = start.sum(axis=1) + babies - survived.sum(axis=1)
        end = survived
        if flows is not None:
            end = survived + (flows / 2 if even else flows)
            _check_not_negative(end, age_array, sex, number, names[sex])
        return end, deaths

    for number in range(1, total_steps + 1):
        start_w, survived_w = begin(
            female_path[number - 1], f_migration, f_schedule, "female", number
        )
        # Births come from the women of the step's start and end; the babies
        # themselves are too young to add any.
        exposure = (start_w + survived_w) / 2
        born = width * (fertility * exposure).sum(axis=1)
        births[number - 1] = born
        girls = born * female_share
        boys = born * male_share
        female_births[number - 1] = girls
        male_births[number - 1] = boys
        female_path[number], female_deaths[number - 1] = finish(
            start_w, survived_w, girls, f_migration, f_schedule, "female", number
        )
        if male_path is not None and m_schedule is not None and male_deaths is not None:
            start_m, survived_m = begin(
                male_path[number - 1], m_migration, m_schedule, "male", number
            )
            male_path[number], male_deaths[number - 1] = finish(
                start_m, survived_m, boys, m_migration, m_schedule, "male", number
            )

    return ProjectionBatch(
        ages=frozen(age_array),
        step=width,
        female=frozen(female_path),
        male=None if male_path is None else frozen(male_path),
        births=frozen(births),
        female_births=frozen(female_births),
        male_births=frozen(male_births),
        female_deaths=frozen(female_deaths),
        male_deaths=None if male_deaths is None else frozen(male_deaths),
        srb=frozen(ratio),
        migration_timing=migration_timing,
    )


# --- the Leslie matrix ---------------------------------------------------------------


def _survival_matrix(schedule: _Schedule, count: int) -> FloatArray:
    matrix = np.zeros((count, count))
    index = np.arange(count - 2)
    matrix[index + 1, index] = schedule.survival[0]
    matrix[count - 1, count - 2] = schedule.open_ratio[0]
    matrix[count - 1, count - 1] = schedule.open_ratio[0]
    return matrix


def leslie(
    ages: Sequence[float] | ArrayLike,
    step: int,
    *,
    female_Lx: ArrayLike,
    asfr: ArrayLike,
    srb: float = 105.0,
    male_Lx: ArrayLike | None = None,
    radix: float = 100_000,
) -> LeslieMatrix:
    """The Leslie matrix of :func:`project` for the same inputs (without migration).

    Its first row holds each age group's contribution to the first age group
    at the end of the step: ``L₀/(2·l₀) × share × (F_x + F_{x+n}·S_x)``, where
    ``share`` is the female (or, for the male block, the male) share of births.
    """
    age_array = check_ages(ages)
    width = _check_step(step)
    check_uniform_ages(age_array, width)
    count = age_array.size
    if count < 3:
        raise DemographyError("ages: need at least two closed age groups and the open one")
    radix_value = check_positive_scalar("radix", radix)
    f_Lx = _per_unit("female_Lx", female_Lx, 1, count)
    _check_Lx("female_Lx", f_Lx, age_array, width, radix_value)
    fertility = _per_unit("asfr", asfr, 1, count)[0]
    check_asfr("asfr", fertility, age_array)
    ratio = float(_srb(srb, 1)[0])

    f_schedule = _schedule(f_Lx, width, radix_value)
    female_survival = _survival_matrix(f_schedule, count)
    # Births per woman over the step, from those present at its start and at its end.
    per_woman = width * (fertility + fertility @ female_survival) / 2
    female_block = female_survival.copy()
    female_block[0] = per_woman * f_schedule.first[0] * 100.0 / (100.0 + ratio)

    matrix = female_block
    if male_Lx is not None:
        m_Lx = _per_unit("male_Lx", male_Lx, 1, count)
        _check_Lx("male_Lx", m_Lx, age_array, width, radix_value)
        m_schedule = _schedule(m_Lx, width, radix_value)
        male_block = _survival_matrix(m_schedule, count)
        from_women = np.zeros((count, count))
        from_women[0] = per_woman * m_schedule.first[0] * ratio / (100.0 + ratio)
        matrix = np.block([[female_block, np.zeros((count, count))], [from_women, male_block]])

    reproductive = np.flatnonzero(female_block[0] > 0)
    if reproductive.size == 0:
        eigenvalue = 0.0
        growth: float | None = None
    else:
        last = int(reproductive[-1]) + 1
        eigenvalue = float(np.max(np.abs(np.linalg.eigvals(female_block[:last, :last]))))
        growth = math.log(eigenvalue) / width
    return LeslieMatrix(
        ages=frozen(age_array),
        step=width,
        matrix=frozen(matrix),
        two_sex=male_Lx is not None,
        dominant_eigenvalue=eigenvalue,
        intrinsic_growth_rate=growth,
    )
