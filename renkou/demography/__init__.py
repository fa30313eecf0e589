"""Demography kernel (pure): life tables, projections, rates, fair small-area intervals.

Pure Python and NumPy, no Django: the web app, the ``renkou demography``
command and the tests all call these functions. Every input check raises
:class:`DemographyError` (a ``ValueError``) whose message starts with the name
of the offending argument. Results are frozen dataclasses holding read-only
NumPy arrays, each with ``to_dict()`` for JSON.
"""

from __future__ import annotations

from renkou.demography._validate import DemographyError
from renkou.demography.lifetable import (
    A0_RULES,
    AX_RULES,
    LifeTable,
    andreev_kingkade_a0,
    coale_demeny_4a1,
    coale_demeny_a0,
    life_table,
)
from renkou.demography.projection import (
    MIGRATION_TIMINGS,
    LeslieMatrix,
    Projection,
    ProjectionBatch,
    leslie,
    project,
    project_many,
)
from renkou.demography.rates import (
    CrudeRates,
    age_specific_fertility_rates,
    crude_rates,
    general_fertility_rate,
    gross_reproduction_rate,
    net_reproduction_rate,
    total_fertility_rate,
)
from renkou.demography.smallarea import (
    PoissonRange,
    RateShrinkage,
    SrbInterval,
    SrbIntervals,
    SrbShrinkage,
    poisson_interval,
    shrink_rates,
    shrink_srb,
    srb_interval,
    srb_intervals,
)

__all__ = [
    "A0_RULES",
    "AX_RULES",
    "MIGRATION_TIMINGS",
    "CrudeRates",
    "DemographyError",
    "LeslieMatrix",
    "LifeTable",
    "PoissonRange",
    "Projection",
    "ProjectionBatch",
    "RateShrinkage",
    "SrbInterval",
    "SrbIntervals",
    "SrbShrinkage",
    "age_specific_fertility_rates",
    "andreev_kingkade_a0",
    "coale_demeny_4a1",
    "coale_demeny_a0",
    "crude_rates",
    "general_fertility_rate",
    "gross_reproduction_rate",
    "leslie",
    "life_table",
    "net_reproduction_rate",
    "poisson_interval",
    "project",
    "project_many",
    "shrink_rates",
    "shrink_srb",
    "srb_interval",
    "srb_intervals",
    "total_fertility_rate",
]
