"""Scoring kernel (pure): assessment schemes, rules, scores, grades, ranks and explanations.

Typical use::

    scheme = load_scheme("township.yaml")
    results = score_units(scheme, read_units("units.csv"))
    write_results(results, "results.xlsx")

Nothing here imports Django or touches a database; the web app, the
``renkou score`` command and the tests all call these same functions.
"""

from __future__ import annotations

from .engine import score_units
from .errors import SchemeError, UnitsError
from .intervals import clopper_pearson
from .io import dump_results, read_units, write_results, write_units
from .results import ItemResult, Results, UnitResult
from .rules import RULE_TYPES
from .scheme import Bonus, Ceiling, ClassDef, Grade, Item, Part, Scheme, Veto, load_scheme
from .units import Unit

__all__ = [
    "RULE_TYPES",
    "Bonus",
    "Ceiling",
    "ClassDef",
    "Grade",
    "Item",
    "ItemResult",
    "Part",
    "Results",
    "Scheme",
    "SchemeError",
    "Unit",
    "UnitResult",
    "UnitsError",
    "Veto",
    "clopper_pearson",
    "dump_results",
    "load_scheme",
    "read_units",
    "score_units",
    "write_results",
    "write_units",
]
