"""Formula kernel (pure): a safe indicator-expression language, evaluated without eval.

Indicators and validation rules are written in one small language::

    #{births} / #{population} * 1000
    coalesce(#{births_male}, 0) + coalesce(#{births_female}, 0)
    #{registered_30d} <= #{registrations} and #{deaths} >= 0
    #{births}.ytd / #{births}.previous

Text is tokenised and parsed by hand into a typed tree; nothing is ever
passed to Python's ``eval``. Missing data and division by zero give "no value"
with a reason instead of an exception. ``Formula.to_sql`` gives the same
formula as a SQL expression for computing whole columns in DuckDB.

>>> f = parse("#{a} / #{b} * 1000")
>>> sorted(f.codes)
['a', 'b']
>>> f.evaluate({Ref("a"): 3, Ref("b"): 4}).value
Decimal('750.00')
>>> f.evaluate({Ref("a"): 3, Ref("b"): 0}).reason
'除数为零：#{b} 的值是 0'
"""

from __future__ import annotations

from renkou.formula.errors import FormulaError
from renkou.formula.evaluator import EvalResult, NoValueKind, RawValue, Resolver, Values
from renkou.formula.expression import Formula, canonical, parse, parse_rule
from renkou.formula.lexer import is_valid_code
from renkou.formula.nodes import Modifier, Ref, ValueType
from renkou.formula.parser import COMPARISON_OPERATORS, FUNCTIONS, MAX_LENGTH, MAX_NESTING
from renkou.formula.sql import MAX_SQL_LENGTH

__all__ = [
    "COMPARISON_OPERATORS",
    "FUNCTIONS",
    "MAX_LENGTH",
    "MAX_NESTING",
    "MAX_SQL_LENGTH",
    "EvalResult",
    "Formula",
    "FormulaError",
    "Modifier",
    "NoValueKind",
    "RawValue",
    "Ref",
    "Resolver",
    "ValueType",
    "Values",
    "canonical",
    "is_valid_code",
    "parse",
    "parse_rule",
]
