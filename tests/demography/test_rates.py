"""Summary rates, checked against hand computations written out in each docstring."""

from __future__ import annotations

import numpy as np
import pytest

from renkou.demography import (
    DemographyError,
    age_specific_fertility_rates,
    crude_rates,
    general_fertility_rate,
    gross_reproduction_rate,
    net_reproduction_rate,
    total_fertility_rate,
)
from tests.demography.test_projection import SWEDEN_ASFR, SWEDEN_LX


def test_crude_rates_use_the_mean_population() -> None:
    """Hand computation: mean population (3000 + 3010) / 2 = 3005;
    CBR = 30 / 3005 × 1000 = 9.9834‰, CDR = 21 / 3005 × 1000 = 6.9884‰,
    natural growth = 2.9950‰."""
    rates = crude_rates(births=30, deaths=21, start_population=3000, end_population=3010)
    assert rates.mean_population == 3005
    assert rates.birth_rate == pytest.approx(9.9834, abs=1e-4)
    assert rates.death_rate == pytest.approx(6.9884, abs=1e-4)
    assert rates.natural_growth_rate == pytest.approx(2.9950, abs=1e-4)
    assert rates.to_dict()["natural_growth_rate"] == rates.natural_growth_rate


def test_general_fertility_rate_is_per_thousand_women() -> None:
    """Hand computation: 30 births / 700 women aged 15–49 × 1000 = 42.857‰."""
    assert general_fertility_rate(30, 700) == pytest.approx(42.857, abs=1e-3)


def test_asfr_tfr_grr_nrr_for_sweden_1993() -> None:
    """ASFR of PHG (2001) Box 6.1 (Sweden 1993), rates by hand:

    * TFR = 5 × (0.0120 + 0.0908 + 0.1499 + 0.1125 + 0.0441 + 0.0074 + 0.0003)
      = 5 × 0.4170 = 2.085;
    * GRR = TFR × 100 / 205 = 1.01707;
    * NRR = Σ ASFR × ₅Lₓ / l₀ × 100/205, with the box's ₅Lₓ for ages 15–49:
      (0.0120·496531 + 0.0908·495902 + 0.1499·495168 + 0.1125·494213
      + 0.0441·492760 + 0.0074·490447 + 0.0003·486613) / 100000 × 100/205
      = 2.063169… / 2.05 = 1.00643.
    """
    assert total_fertility_rate(SWEDEN_ASFR, width=5) == pytest.approx(2.085)
    assert gross_reproduction_rate(SWEDEN_ASFR, width=5) == pytest.approx(1.01707, abs=1e-5)
    assert net_reproduction_rate(SWEDEN_ASFR, SWEDEN_LX) == pytest.approx(1.00643, abs=1e-5)


def test_asfr_are_births_per_woman_year() -> None:
    rates = age_specific_fertility_rates([3, 40, 0], [300, 800, 0])
    np.testing.assert_allclose(rates, [0.01, 0.05, 0.0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: crude_rates(births=-1, deaths=0, start_population=1, end_population=1), "births"),
        (
            lambda: crude_rates(births=1, deaths=0, start_population=0, end_population=0),
            "start_population",
        ),
        (lambda: general_fertility_rate(3, 0), "women_15_49: is 0"),
        (lambda: age_specific_fertility_rates([1, 2], [10]), "women: has 1 values"),
        (lambda: age_specific_fertility_rates([1, 2], [10, 0]), "women: is 0 in age group 1"),
        (lambda: total_fertility_rate([0.1, -0.1], width=5), "asfr: must not be negative"),
        (lambda: total_fertility_rate([0.1], width=0), "width: must be a positive"),
        (lambda: gross_reproduction_rate([0.1], width=5, srb=1.05), "srb: 1.05 is not"),
        (lambda: net_reproduction_rate([0.1], [1, 2]), "female_Lx: has 2 values"),
    ],
)
def test_bad_input_names_the_argument(call: object, message: str) -> None:
    with pytest.raises(DemographyError, match=message):
        call()  # type: ignore[operator]
