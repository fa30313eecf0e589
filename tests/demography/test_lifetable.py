"""Life tables: published worked examples, separation-factor rules, properties, checks."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings

from renkou.demography import (
    DemographyError,
    LifeTable,
    andreev_kingkade_a0,
    coale_demeny_4a1,
    coale_demeny_a0,
    life_table,
)
from tests.demography.strategies import ABRIDGED_AGES, abridged_tables, single_year_tables

# Austria, males, 1992: Preston, Heuveline & Guillot (2001), Box 3.1.
AUSTRIA_POPULATION = [
    47925, 189127, 234793, 238790, 254996, 326831, 355086, 324222, 269963,
    261971, 238011, 261612, 181385, 187962, 153832, 105169, 73694, 57512, 32248,
]  # fmt: skip
AUSTRIA_DEATHS = [
    419, 70, 36, 46, 249, 420, 403, 441, 508, 769, 1154, 1866, 2043, 3496, 4366, 4337,
    5279, 6460, 6146,
]  # fmt: skip
AUSTRIA_AX = [
    0.068, 1.626, 2.5, 3.143, 2.724, 2.520, 2.481, 2.601, 2.701, 2.663, 2.698, 2.676,
    2.645, 2.624, 2.619, 2.593, 2.518, 2.423, 5.247,
]  # fmt: skip
AUSTRIA_LX = [
    100000, 99133, 98986, 98910, 98815, 98334, 97704, 97151, 96492, 95588, 94195,
    91937, 88711, 83845, 76377, 66225, 53803, 37441, 21134,
]  # fmt: skip
AUSTRIA_DX = [
    867, 147, 76, 95, 481, 630, 553, 659, 904, 1393, 2258, 3225, 4867, 7467, 10152,
    12422, 16362, 16307, 21134,
]  # fmt: skip
AUSTRIA_NLX = [
    99192, 396183, 494741, 494375, 492980, 490106, 487127, 484175, 480384, 474686,
    465777, 452188, 432096, 401480, 357713, 301224, 228404, 145182, 110889,
]  # fmt: skip


def austria() -> LifeTable:
    return life_table(
        ABRIDGED_AGES,
        deaths=AUSTRIA_DEATHS,
        population=AUSTRIA_POPULATION,
        ax=AUSTRIA_AX,
        sex="male",
    )


def test_austria_1992_males_reproduces_preston_box_3_1() -> None:
    """Abridged life table with given nax: Austria, males, 1992.

    Source: Preston, Heuveline & Guillot (2001), *Demography: Measuring and
    Modeling Population Processes*, Box 3.1 (data from United Nations 1994).
    The inputs (nNx, nDx, nax) and the expected lx, ndx and nLx columns, which
    the book prints rounded to whole numbers, were typed from the box as
    transcribed in IHME's demCore (``austria_1992_lt``, checked there against
    the book); its lx column agrees with a second, independent transcription
    (``prestons_lx`` of the pash R package).
    """
    table = austria()
    np.testing.assert_array_equal(np.round(table.lx), AUSTRIA_LX)
    np.testing.assert_array_equal(np.round(table.dx), AUSTRIA_DX)
    np.testing.assert_array_equal(np.round(table.Lx), AUSTRIA_NLX)
    # The open interval: q = 1 and L = l / M, so its a is 1/M = 5.247 as printed.
    assert table.qx[-1] == 1.0
    assert table.ax[-1] == pytest.approx(5.247, abs=5e-4)
    # e0 = T0 / l0 with T0 the sum of the book's nLx column.
    assert table.e0 == pytest.approx(sum(AUSTRIA_NLX) / 100_000, abs=1e-3)


def test_projection_Lx_joins_infant_and_child_person_years() -> None:
    """5L0 = 1L0 + 4L1 for a five-year projection; the open group keeps T (= its L)."""
    grouped = austria().projection_Lx(5)
    assert grouped.size == 18
    assert grouped[0] == pytest.approx(99192 + 396183, abs=1)
    np.testing.assert_allclose(grouped[1:], AUSTRIA_NLX[2:], atol=0.5)


# United Nations (1982), Model Life Tables for Developing Countries, Latin
# American pattern, males, first table (p. 34): nMx and the published nax.
UN_LATIN_MALE_MX = [
    0.23669, 0.04672, 0.00982, 0.00511, 0.00697, 0.01036, 0.01169, 0.01332, 0.01528,
    0.01757, 0.02092, 0.02517, 0.03225, 0.04241, 0.06056, 0.08574, 0.11840, 0.16226,
    0.23745,
]  # fmt: skip
UN_LATIN_MALE_AX = [
    0.330, 1.352, 2.500, 2.500, 2.633, 2.586, 2.528, 2.528, 2.526, 2.529, 2.531, 2.538,
    2.542, 2.543, 2.520, 2.461, 2.386, 2.295, 4.211,
]  # fmt: skip


def test_un_greville_reproduces_un_1982_model_life_table_ax() -> None:
    """The ``un_greville`` rule gives the UN model life tables' separation factors.

    Source: United Nations (1982), *Model Life Tables for Developing
    Countries*, Latin American pattern, males, first table (p. 34), as
    transcribed in the example of DemoTools' ``axUN`` (which checks its own
    Greville implementation against them to three decimals). The UN method:
    Coale–Demeny for ages 0 and 1–4 (M0 here is above 0.107, hence 0.330 and
    1.352), 2.5 for 5–9 and 10–14, Greville above, 1/M for the open group.
    """
    table = life_table(ABRIDGED_AGES, mx=UN_LATIN_MALE_MX, sex="male", ax_rule="un_greville")
    np.testing.assert_array_equal(np.round(table.ax, 3), UN_LATIN_MALE_AX)


def test_coale_demeny_rules_follow_preston_table_3_3() -> None:
    """PHG (2001) table 3.3: a0 and 4a1 from 1M0, with a break at 1M0 = 0.107."""
    assert coale_demeny_a0(0.02, "male") == pytest.approx(0.045 + 2.684 * 0.02)
    assert coale_demeny_a0(0.02, "female") == pytest.approx(0.053 + 2.800 * 0.02)
    assert coale_demeny_4a1(0.02, "male") == pytest.approx(1.651 - 2.816 * 0.02)
    assert coale_demeny_4a1(0.02, "female") == pytest.approx(1.522 - 1.518 * 0.02)
    assert coale_demeny_a0(0.2, "male") == 0.330
    assert coale_demeny_a0(0.2, "female") == 0.350
    assert coale_demeny_4a1(0.2, "male") == 1.352
    assert coale_demeny_4a1(0.2, "female") == 1.361
    both = coale_demeny_a0(0.02, None)
    assert both == pytest.approx(
        (coale_demeny_a0(0.02, "male") + coale_demeny_a0(0.02, "female")) / 2
    )


def test_andreev_kingkade_rule_follows_the_published_segments() -> None:
    """Andreev & Kingkade (2015), Demographic Research 33(13): the published segments."""
    assert andreev_kingkade_a0(0.01, "male") == pytest.approx(0.14929 - 1.99545 * 0.01)
    assert andreev_kingkade_a0(0.05, "male") == pytest.approx(0.02832 + 3.26201 * 0.05)
    assert andreev_kingkade_a0(0.1, "male") == 0.29915
    assert andreev_kingkade_a0(0.01, "female") == pytest.approx(0.14903 - 2.05527 * 0.01)
    assert andreev_kingkade_a0(0.05, "female") == pytest.approx(0.04667 + 3.88089 * 0.05)
    assert andreev_kingkade_a0(0.1, "female") == 0.31411
    # The segments nearly join: no jump bigger than a thousandth of a year.
    for sex, breaks in (("male", (0.0230, 0.08307)), ("female", (0.01724, 0.06891))):
        for point in breaks:
            jump = andreev_kingkade_a0(point, sex) - andreev_kingkade_a0(point - 1e-9, sex)
            assert abs(jump) < 1e-3


def test_rules_are_used_when_ax_is_not_given() -> None:
    table = life_table(ABRIDGED_AGES, mx=UN_LATIN_MALE_MX, sex="female", a0_rule="andreev_kingkade")
    assert table.ax[0] == pytest.approx(andreev_kingkade_a0(0.23669, "female"))
    assert table.ax[1] == pytest.approx(coale_demeny_4a1(0.23669, "female"))
    assert table.ax[2:-1].tolist() == [2.5] * 16
    assert (table.a0_rule, table.ax_rule) == ("andreev_kingkade", "half")


def test_single_year_table_uses_half_above_age_zero() -> None:
    rates = np.full(101, 0.01)
    table = life_table(list(range(101)), mx=rates, sex="female")
    assert table.ax[0] == pytest.approx(0.053 + 2.8 * 0.01)
    assert np.all(table.ax[1:-1] == 0.5)
    assert table.ax[-1] == pytest.approx(100)


def test_deaths_and_population_give_the_same_table_as_their_rates() -> None:
    rates = np.array(AUSTRIA_DEATHS) / np.array(AUSTRIA_POPULATION)
    by_rates = life_table(ABRIDGED_AGES, mx=rates, ax=AUSTRIA_AX)
    np.testing.assert_allclose(by_rates.Lx, austria().Lx)


def test_to_dict_is_json_with_null_for_the_open_width() -> None:
    data = json.loads(json.dumps(austria().to_dict()))
    assert data["widths"][-1] is None
    assert data["lx"][0] == 100000
    assert set(data) >= {"mx", "ax", "qx", "lx", "dx", "Lx", "Tx", "ex", "e0"}


def test_results_cannot_be_changed_in_place() -> None:
    table = austria()
    with pytest.raises(ValueError, match="read-only"):
        table.lx[0] = 1


# --- properties ------------------------------------------------------------------


def _check_table(table: LifeTable) -> None:
    closed = slice(None, -1)
    widths = table.widths[closed]
    assert table.lx[0] == table.radix
    assert np.all(np.diff(table.lx) <= 0), "lx must not increase"
    assert np.all(table.lx >= 0)
    assert np.all(table.Lx[closed] <= widths * table.lx[closed] * (1 + 1e-12)), "Lx ≤ n·lx"
    assert np.all(table.Lx[closed] >= widths * table.lx[1:] * (1 - 1e-12)), "Lx ≥ n·l(x+n)"
    assert table.dx.sum() == pytest.approx(table.radix)
    assert table.Tx[0] == pytest.approx(table.Lx.sum())
    assert np.all((table.qx >= 0) & (table.qx <= 1))
    assert table.qx[-1] == 1.0


@settings(max_examples=60, deadline=None)
@given(single_year_tables())
def test_single_year_tables_are_coherent(table: LifeTable) -> None:
    _check_table(table)


@settings(max_examples=60, deadline=None)
@given(abridged_tables())
def test_abridged_tables_are_coherent(table: LifeTable) -> None:
    _check_table(table)


# --- input checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"ages": [0, 1, 5], "mx": [0.01, 0.001]}, "mx: has 2 values but there are 3"),
        ({"ages": [0, 5, 1], "mx": [0.01, 0.001, 0.1]}, "ages: must be strictly ascending"),
        ({"ages": [1, 5, 10], "mx": [0.01, 0.001, 0.1]}, "ages: must start at 0"),
        ({"ages": [0, 1.5, 5], "mx": [0.01, 0.001, 0.1]}, "ages: must be whole years"),
        ({"ages": [0, 1, 5], "mx": [0.01, -0.001, 0.1]}, "mx: must not be negative"),
        ({"ages": [0, 1, 5], "mx": [0.01, 0.001, 0.0]}, "mx: the open age group"),
        ({"ages": [0, 1, 5], "mx": [0.01, 7.0, 0.2]}, "mx: 7 deaths per person-year"),
        ({"ages": [0, 1, 5], "mx": [0.01, float("nan"), 0.2]}, "mx: contains a missing"),
        ({"ages": [0, 1, 5], "mx": ["a", 0.1, 0.2]}, "mx: expected numbers"),
        ({"ages": [0, 1, 5], "deaths": [1, 2, 3]}, "population: needed"),
        (
            {"ages": [0, 1, 5], "deaths": [1, 2, 3], "population": [10, 0, 10]},
            "population: is 0 at age 1",
        ),
        (
            {"ages": [0, 1, 5], "mx": [0.01, 0.01, 0.1], "deaths": [1, 1, 1]},
            "mx: give either",
        ),
        ({"ages": [0, 5, 10], "mx": [0.01, 0.01, 0.1]}, "ages: the first age group must be 0"),
        ({"ages": [0, 1, 5], "mx": [0.01, 0.01, 0.1], "sex": "m"}, "sex: must be one of"),
        ({"ages": [0, 1, 5], "mx": [0.01, 0.01, 0.1], "a0_rule": "x"}, "a0_rule: must be"),
        ({"ages": [0, 1, 5], "mx": [0.01, 0.01, 0.1], "ax_rule": "x"}, "ax_rule: must be"),
        ({"ages": [0, 1, 5], "mx": [0.01, 0.01, 0.1], "radix": 0}, "radix: must be a positive"),
        (
            {"ages": [0, 1, 5], "mx": [0.01, 0.01, 0.1], "ax": [0.1, 4.5, 1]},
            "ax: 4.5 years at age 1 is longer",
        ),
        (
            {"ages": [0, 1, 6, 11], "mx": [0.01, 0.01, 2.0, 0.5], "ax": [0.1, 2, 4.9, 1]},
            "mx: 2 at age 6 is too high",
        ),
    ],
)
def test_bad_input_names_the_argument(arguments: dict[str, object], message: str) -> None:
    ages = arguments.pop("ages")
    with pytest.raises(DemographyError, match=message.replace("(", r"\(")):
        life_table(ages, **arguments)  # type: ignore[arg-type]


def test_demography_error_is_a_value_error() -> None:
    assert issubclass(DemographyError, ValueError)


def test_projection_Lx_refuses_groups_that_straddle_the_step() -> None:
    table = life_table([0, 1, 3, 10], mx=[0.01, 0.001, 0.002, 0.1])
    with pytest.raises(DemographyError, match="step: the age group 3-9 straddles"):
        table.projection_Lx(5)
