"""Cohort-component projection and the Leslie matrix: a worked example, properties, checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkou.demography import (
    DemographyError,
    LifeTable,
    leslie,
    life_table,
    net_reproduction_rate,
    project,
    project_many,
)
from tests.demography.strategies import (
    abridged_tables,
    fertility,
    populations,
    single_year_tables,
)

# Sweden, females, 1993: Preston, Heuveline & Guillot (2001), Box 6.1.
SWEDEN_AGES = list(range(0, 90, 5))
SWEDEN_WOMEN = [
    293395, 248369, 240012, 261346, 285209, 314388, 281290, 286923, 304108, 324946,
    247613, 211351, 215140, 221764, 223506, 183654, 141990, 112424,
]  # fmt: skip
SWEDEN_LX = [
    497487, 497138, 496901, 496531, 495902, 495168, 494213, 492760, 490447, 486613,
    480665, 471786, 457852, 436153, 402775, 350358, 271512, 291707,
]  # fmt: skip
SWEDEN_ASFR = [
    0, 0, 0, 0.0120, 0.0908, 0.1499, 0.1125, 0.0441, 0.0074, 0.0003, 0, 0, 0, 0, 0, 0, 0, 0,
]  # fmt: skip


def test_sweden_1993_female_projection_matches_a_hand_computation() -> None:
    """Female-only five-year projection, Sweden 1993 → 1998.

    Inputs are PHG (2001) Box 6.1 (p. 125): women by five-year age group,
    ₅Lₓ of the 1993 female life table (l₀ = 100,000; the last value is T₈₅),
    and ASFR (births of both sexes per woman). They were typed from the
    transcriptions of G. Rodríguez (Princeton, "sweden93.dat", whose total
    4,397,428 is checked below) and S. Daza (2013), which agree with each
    other. The expected 1998 figures are *not* typed from the book: they are
    an independent hand computation of the book's method, written out here
    and evaluated with plain Python floats:

    * 5–9 … 80–84: N(x+5, 1998) = N(x, 1993) · ₅L(x+5) / ₅L(x),
      e.g. 5–9 = 293,395 × 497,138 / 497,487 = 293,189.2;
    * 85+: (N(80) + N(85)) · T₈₅ / (₅L₈₀ + T₈₅)
      = 254,414 × 291,707 / 563,219 = 131,768.2;
    * births 1993–98: 5 · Σ ASFR(x) · (N(x, 1993) + N(x, 1998)) / 2 = 604,866.4;
      girls = births / 2.05 (SRB 105) = 295,056.8;
    * 0–4: girls · ₅L₀ / (5 · l₀) = 295,056.8 × 497,487 / 500,000 = 293,573.8.
    """
    assert sum(SWEDEN_WOMEN) == 4_397_428
    women, person_years, rates = SWEDEN_WOMEN, SWEDEN_LX, SWEDEN_ASFR
    expected = [0.0] * 18
    for i in range(1, 17):
        expected[i] = women[i - 1] * person_years[i] / person_years[i - 1]
    expected[17] = (
        (women[16] + women[17]) * person_years[17] / (person_years[16] + person_years[17])
    )
    births = 5 * sum(rates[i] * (women[i] + expected[i]) / 2 for i in range(18))
    girls = births * 100 / 205
    expected[0] = girls * person_years[0] / (5 * 100_000)

    result = project(SWEDEN_AGES, 5, female_population=women, female_Lx=person_years, asfr=rates)

    assert expected[1] == pytest.approx(293_189.2, abs=0.05)
    assert expected[17] == pytest.approx(131_768.2, abs=0.05)
    assert births == pytest.approx(604_866.4, abs=0.05)
    assert expected[0] == pytest.approx(293_573.8, abs=0.05)
    np.testing.assert_allclose(result.female[0], women)
    np.testing.assert_allclose(result.female[1], expected, rtol=1e-12)
    assert result.births[0] == pytest.approx(births, rel=1e-12)
    assert result.female_births[0] == pytest.approx(girls, rel=1e-12)
    assert result.male is None


def test_sweden_leslie_matrix_projects_the_same_and_grows_as_nrr_says() -> None:
    """The Leslie view of the Sweden 1993 inputs reproduces the projection.

    Its dominant eigenvalue is the five-year growth factor of the stable
    population; since NRR = λ^(mean generation length / 5), λ > 1 exactly
    when NRR > 1, a check independent of the eigenvalue routine.
    """
    matrix = leslie(SWEDEN_AGES, 5, female_Lx=SWEDEN_LX, asfr=SWEDEN_ASFR)
    result = project(
        SWEDEN_AGES, 5, female_population=SWEDEN_WOMEN, female_Lx=SWEDEN_LX, asfr=SWEDEN_ASFR
    )
    np.testing.assert_allclose(matrix.matrix @ SWEDEN_WOMEN, result.female[1], rtol=1e-12)
    nrr = net_reproduction_rate(SWEDEN_ASFR, SWEDEN_LX)
    assert nrr > 1
    assert matrix.dominant_eigenvalue > 1
    # Lotka: r ≈ ln(NRR) / T with a mean generation length T of 25 to 35 years.
    assert np.log(nrr) / 35 < matrix.intrinsic_growth_rate < np.log(nrr) / 25


def test_several_steps_repeat_the_one_step_projection() -> None:
    three = project(
        SWEDEN_AGES,
        5,
        female_population=SWEDEN_WOMEN,
        female_Lx=SWEDEN_LX,
        asfr=SWEDEN_ASFR,
        steps=3,
    )
    population = np.array(SWEDEN_WOMEN, dtype=float)
    for step in range(1, 4):
        once = project(
            SWEDEN_AGES, 5, female_population=population, female_Lx=SWEDEN_LX, asfr=SWEDEN_ASFR
        )
        np.testing.assert_allclose(three.female[step], once.female[1], rtol=1e-12)
        assert three.births[step - 1] == pytest.approx(once.births[0], rel=1e-12)
        population = once.female[1]
    assert three.steps == 3
    assert three.total.shape == (4,)


def test_end_migration_is_added_after_survival_and_births() -> None:
    """With migrants arriving at the end, births and survivors are as without them."""
    migrants = np.linspace(-500, 1500, 18)
    closed = project(
        SWEDEN_AGES, 5, female_population=SWEDEN_WOMEN, female_Lx=SWEDEN_LX, asfr=SWEDEN_ASFR
    )
    open_ = project(
        SWEDEN_AGES,
        5,
        female_population=SWEDEN_WOMEN,
        female_Lx=SWEDEN_LX,
        asfr=SWEDEN_ASFR,
        migration=migrants,
    )
    np.testing.assert_allclose(open_.female[1], closed.female[1] + migrants)
    assert open_.births[0] == pytest.approx(closed.births[0])
    assert open_.female_deaths[0] == pytest.approx(closed.female_deaths[0])


def test_even_migration_puts_half_at_the_start_and_half_at_the_end() -> None:
    """Hand computation: half the migrants survive and bear children with the residents."""
    migrants = np.full(18, 1000.0)
    result = project(
        SWEDEN_AGES,
        5,
        female_population=SWEDEN_WOMEN,
        female_Lx=SWEDEN_LX,
        asfr=SWEDEN_ASFR,
        migration=migrants,
        migration_timing="even",
    )
    reference = project(
        SWEDEN_AGES,
        5,
        female_population=np.array(SWEDEN_WOMEN) + 500,
        female_Lx=SWEDEN_LX,
        asfr=SWEDEN_ASFR,
    )
    np.testing.assert_allclose(result.female[1], reference.female[1] + 500)
    assert result.births[0] == pytest.approx(reference.births[0])


def test_deaths_balance_the_population_account() -> None:
    """Start + births + net migrants − deaths = end, for each sex."""
    table = life_table(list(range(101)), mx=np.exp(-9 + 0.085 * np.arange(101)), sex="male")
    lx = table.projection_Lx(1)
    rng = np.random.default_rng(7)
    women, men = rng.uniform(50, 150, 101), rng.uniform(50, 150, 101)
    asfr = np.where((np.arange(101) >= 15) & (np.arange(101) <= 49), 0.05, 0.0)
    migration = rng.uniform(-20, 20, (2, 101))
    result = project(
        list(range(101)),
        1,
        female_population=women,
        female_Lx=lx,
        male_population=men,
        male_Lx=lx,
        asfr=asfr,
        migration=migration,
        migration_timing="even",
        steps=2,
    )
    assert result.male is not None and result.male_deaths is not None
    for step in range(2):
        f_balance = (
            result.female[step].sum()
            + result.female_births[step]
            + migration[0].sum()
            - result.female_deaths[step]
        )
        m_balance = (
            result.male[step].sum()
            + result.male_births[step]
            + migration[1].sum()
            - result.male_deaths[step]
        )
        assert f_balance == pytest.approx(result.female[step + 1].sum())
        assert m_balance == pytest.approx(result.male[step + 1].sum())
        assert result.female_deaths[step] > 0


def test_batch_projection_equals_projecting_each_unit() -> None:
    rng = np.random.default_rng(3)
    women = rng.uniform(0, 30, (4, 18))
    men = rng.uniform(0, 30, (4, 18))
    asfr = np.array(SWEDEN_ASFR) * rng.uniform(0.5, 1.5, (4, 1))
    srb = np.array([100.0, 105.0, 110.0, 120.0])
    batch = project_many(
        SWEDEN_AGES,
        5,
        female_population=women,
        female_Lx=SWEDEN_LX,
        male_population=men,
        male_Lx=SWEDEN_LX,
        asfr=asfr,
        srb=srb,
        steps=2,
    )
    assert batch.units == 4
    for unit in range(4):
        alone = project(
            SWEDEN_AGES,
            5,
            female_population=women[unit],
            female_Lx=SWEDEN_LX,
            male_population=men[unit],
            male_Lx=SWEDEN_LX,
            asfr=asfr[unit],
            srb=float(srb[unit]),
            steps=2,
        )
        picked = batch.unit(unit)
        assert picked.male is not None and alone.male is not None
        np.testing.assert_allclose(picked.female, alone.female)
        np.testing.assert_allclose(picked.male, alone.male)
        np.testing.assert_allclose(picked.births, alone.births)


def test_to_dict_is_json() -> None:
    result = project(
        SWEDEN_AGES,
        5,
        female_population=SWEDEN_WOMEN,
        female_Lx=SWEDEN_LX,
        asfr=SWEDEN_ASFR,
        steps=2,
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert len(data["female"]) == 3
    assert data["male"] is None
    assert len(data["births"]) == 2
    matrix = json.loads(
        json.dumps(leslie(SWEDEN_AGES, 5, female_Lx=SWEDEN_LX, asfr=SWEDEN_ASFR).to_dict())
    )
    assert len(matrix["matrix"]) == 18


# --- properties ------------------------------------------------------------------


@st.composite
def projection_inputs(draw: st.DrawFn, *, zero_fertility: bool = False) -> dict[str, object]:
    """Ages, step and life-table person-years as a projection would get them."""
    single = draw(st.booleans())
    table: LifeTable = draw(single_year_tables(max_age=60) if single else abridged_tables())
    male_table: LifeTable = draw(single_year_tables(max_age=60) if single else abridged_tables())
    step = 1 if single else 5
    # Both tables must share the open age for a two-sex projection.
    open_age = min(int(table.ages[-1]), int(male_table.ages[-1]))
    if single:
        table = life_table(list(range(open_age + 1)), mx=table.mx[: open_age + 1])
        male_table = life_table(list(range(open_age + 1)), mx=male_table.mx[: open_age + 1])
    ages = list(range(0, open_age + 1, step))
    if len(ages) < 3:
        ages, table, male_table = [0, 1, 2], _flat(), _flat()
    return {
        "ages": ages,
        "step": step,
        "female_Lx": table.projection_Lx(step),
        "male_Lx": male_table.projection_Lx(step),
        "female_population": draw(populations(len(ages))),
        "male_population": draw(populations(len(ages))),
        "asfr": draw(fertility(ages, zero=zero_fertility)),
        "srb": draw(st.floats(min_value=80, max_value=150)),
        "steps": draw(st.integers(min_value=1, max_value=4)),
    }


def _flat() -> LifeTable:
    return life_table([0, 1, 2], mx=[0.01, 0.01, 0.1])


@settings(max_examples=80, deadline=None)
@given(projection_inputs(zero_fertility=True))
def test_without_births_or_migration_the_population_never_grows(
    inputs: dict[str, object],
) -> None:
    result = project(inputs.pop("ages"), inputs.pop("step"), **inputs)  # type: ignore[arg-type]
    totals = result.total
    assert np.all(np.diff(totals) <= 1e-9 * max(totals[0], 1.0))
    assert np.all(result.births == 0)


@settings(max_examples=80, deadline=None)
@given(projection_inputs())
def test_two_sex_births_split_exactly_by_srb(inputs: dict[str, object]) -> None:
    srb = float(inputs["srb"])  # type: ignore[arg-type]
    result = project(inputs.pop("ages"), inputs.pop("step"), **inputs)  # type: ignore[arg-type]
    np.testing.assert_allclose(
        result.male_births, result.female_births * srb / 100, rtol=1e-12, atol=1e-9
    )
    np.testing.assert_allclose(
        result.male_births + result.female_births, result.births, rtol=1e-12, atol=1e-9
    )
    assert result.male is not None
    assert np.all(result.male >= 0) and np.all(result.female >= 0)


@settings(max_examples=80, deadline=None)
@given(projection_inputs(), st.booleans())
def test_leslie_matrix_projection_equals_project(inputs: dict[str, object], two_sex: bool) -> None:
    ages, step = inputs.pop("ages"), inputs.pop("step")
    inputs["steps"] = 1
    if not two_sex:
        inputs.pop("male_population")
        inputs.pop("male_Lx")
    result = project(ages, step, **inputs)  # type: ignore[arg-type]
    matrix = leslie(
        ages,  # type: ignore[arg-type]
        step,  # type: ignore[arg-type]
        female_Lx=inputs["female_Lx"],  # type: ignore[arg-type]
        asfr=inputs["asfr"],  # type: ignore[arg-type]
        srb=inputs["srb"],  # type: ignore[arg-type]
        male_Lx=inputs.get("male_Lx"),  # type: ignore[arg-type]
    )
    start = np.asarray(inputs["female_population"], dtype=float)
    end = result.female[1]
    if two_sex:
        assert result.male is not None
        start = np.concatenate([start, np.asarray(inputs["male_population"], dtype=float)])
        end = np.concatenate([end, result.male[1]])
    np.testing.assert_allclose(matrix.matrix @ start, end, rtol=1e-9, atol=1e-6)
    assert matrix.two_sex is two_sex


# --- input checks ----------------------------------------------------------------


def _sweden(**changes: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "female_population": SWEDEN_WOMEN,
        "female_Lx": SWEDEN_LX,
        "asfr": SWEDEN_ASFR,
    }
    arguments.update(changes)
    return arguments


@pytest.mark.parametrize(
    ("ages", "step", "changes", "message"),
    [
        (SWEDEN_AGES, 5, {"female_population": SWEDEN_WOMEN[:-1]}, "female_population: has 17"),
        (SWEDEN_AGES, 5, {"female_Lx": SWEDEN_LX[:-1]}, "female_Lx: expected 18 values"),
        (SWEDEN_AGES, 5, {"asfr": SWEDEN_ASFR[:-2]}, "asfr: expected 18 values"),
        (
            SWEDEN_AGES,
            5,
            {"female_population": [-1, *SWEDEN_WOMEN[1:]]},
            "female_population: must not be negative",
        ),
        (SWEDEN_AGES, 1, {}, "ages: a 1-year projection needs 1-year age groups"),
        (SWEDEN_AGES, 0, {}, "step: must be a positive whole number"),
        ([0, 10, 5, *SWEDEN_AGES[3:]], 5, {}, "ages: must be strictly ascending"),
        (
            SWEDEN_AGES,
            5,
            {"asfr": [x * 1000 for x in SWEDEN_ASFR]},
            "asfr: 12 births per woman per year at age 15 is implausible",
        ),
        (
            SWEDEN_AGES,
            5,
            {"asfr": [0.01, *SWEDEN_ASFR[1:]]},
            "asfr: births to women aged 0 are implausible",
        ),
        (SWEDEN_AGES, 5, {"srb": 1.05}, "srb: 1.05 is not a plausible sex ratio"),
        (
            SWEDEN_AGES,
            5,
            {"radix": 1},
            "female_Lx: 497487 person-years at age 0 exceed step × radix = 5",
        ),
        (
            SWEDEN_AGES,
            5,
            {"female_Lx": [0, *SWEDEN_LX[1:]]},
            "female_Lx: must be positive",
        ),
        (
            SWEDEN_AGES,
            5,
            {"female_Lx": [SWEDEN_LX[0], SWEDEN_LX[0] + 10, *SWEDEN_LX[2:]]},
            "female_Lx: rises from age 0 to 5",
        ),
        (SWEDEN_AGES, 5, {"male_population": SWEDEN_WOMEN}, "male_Lx: a two-sex projection"),
        (SWEDEN_AGES, 5, {"migration_timing": "middle"}, "migration_timing: must be one of"),
        (SWEDEN_AGES, 5, {"steps": 0}, "steps: must be a whole number"),
        (SWEDEN_AGES, 5, {"migration": [[1] * 18, [1] * 18]}, "migration: a female-only"),
        (
            SWEDEN_AGES,
            5,
            {"male_population": SWEDEN_WOMEN, "male_Lx": SWEDEN_LX, "migration": [1] * 18},
            "migration: a two-sex projection needs two rows",
        ),
        (
            SWEDEN_AGES,
            5,
            {"migration": [-300_000] + [0] * 17},
            "migration: net out-migration exceeds the female population",
        ),
    ],
)
def test_bad_input_names_the_argument(
    ages: list[int], step: int, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(DemographyError, match=message.replace("(", r"\(")):
        project(ages, step, **_sweden(**changes))  # type: ignore[arg-type]


def test_batch_checks_name_the_unit() -> None:
    women = np.tile(np.array(SWEDEN_WOMEN, dtype=float), (3, 1))
    migration = np.zeros((3, 18))
    migration[2, 4] = -1e6
    with pytest.raises(DemographyError, match="unit 2, age 20"):
        project_many(
            SWEDEN_AGES,
            5,
            female_population=women,
            female_Lx=SWEDEN_LX,
            asfr=SWEDEN_ASFR,
            female_migration=migration,
        )


def test_leslie_without_fertility_has_no_growth_rate() -> None:
    matrix = leslie(SWEDEN_AGES, 5, female_Lx=SWEDEN_LX, asfr=[0.0] * 18)
    assert matrix.dominant_eigenvalue == 0.0
    assert matrix.intrinsic_growth_rate is None
