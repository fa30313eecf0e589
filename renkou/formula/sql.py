"""Translation of a formula into a SQL expression, for computing it over millions of rows.

Evaluating a formula in Python takes microseconds, which is too slow for every
indicator of every unit and period of a province. The same formula as a SQL
expression lets DuckDB or PostgreSQL compute whole columns at once, with the
rules of :meth:`Formula.evaluate`: NULL where an operand is NULL, NULL for a
division by zero, three-valued and/or, ``if`` and ``coalesce`` as in the kernel.
Reasons are not carried; evaluate the single cell in Python to explain it.

The SQL uses only CAST, NULLIF, CASE, COALESCE, LEAST, GREATEST and ABS,
which DuckDB and PostgreSQL share. It computes in DOUBLE PRECISION (DuckDB
divides decimals as doubles anyway, and integer literals would overflow as
INT32), so ``column`` should yield doubles too; results may then differ from
the Decimal evaluator in the last binary digits, and a result too large for a
double is infinite rather than no value.
"""

from __future__ import annotations

from collections.abc import Callable

from renkou.formula.errors import FormulaError
from renkou.formula.nodes import (
    Additive,
    And,
    Call,
    Comparison,
    Multiplicative,
    Negate,
    Node,
    Not,
    Number,
    Operand,
    Or,
    Ref,
)

__all__ = ["MAX_SQL_LENGTH", "to_sql"]

# min/max name each argument twice (once for the NULL test), so nesting them
# doubles the text at every level; a cap keeps a hostile formula from
# producing gigabytes of SQL.
MAX_SQL_LENGTH = 200_000

_SQL_COMPARISON = {"==": "=", "!=": "<>"}


class _Translator:
    def __init__(self, column: Callable[[Ref], str]) -> None:
        self.column = column

    def checked(self, text: str) -> str:
        if len(text) > MAX_SQL_LENGTH:
            raise FormulaError(
                0,
                "公式过于复杂，无法转换为 SQL",
                "the formula is too complex to translate to SQL",
                located=False,
            )
        return text

    def sql(self, node: Node) -> str:
        match node:
            case Number(value=value):
                # Only digits and a point can reach here: the lexer admits nothing
                # else. The cast stops DuckDB from multiplying literals as INT32.
                return f"CAST({format(value, 'f')} AS DOUBLE PRECISION)"
            case Operand(ref=ref):
                return self.column(ref)
            case Negate(operand=operand):
                return f"(-{self.sql(operand)})"
            case Additive(first=first, rest=rest) | Multiplicative(first=first, rest=rest):
                text = self.sql(first)
                for symbol, operand in rest:
                    right = self.sql(operand)
                    if symbol == "/":
                        text = f"({text} / NULLIF({right}, 0))"
                    else:
                        text = f"({text} {symbol} {right})"
                return self.checked(text)
            case Comparison(left=left, operator=symbol, right=right):
                sql_operator = _SQL_COMPARISON.get(symbol, symbol)
                return f"({self.sql(left)} {sql_operator} {self.sql(right)})"
            case Not(operand=operand):
                return f"(NOT {self.sql(operand)})"
            case And(operands=operands):
                return self.checked("(" + " AND ".join(self.sql(o) for o in operands) + ")")
            case Or(operands=operands):
                return self.checked("(" + " OR ".join(self.sql(o) for o in operands) + ")")
            case Call():
                return self.checked(self.call(node))
        raise TypeError(f"not a formula node: {node!r}")  # pragma: no cover

    def call(self, node: Call) -> str:
        args = [self.sql(arg) for arg in node.args]
        if node.name == "sum":
            return "(" + " + ".join(args) + ")"
        if node.name == "abs":
            return f"ABS({args[0]})"
        if node.name == "coalesce":
            return f"COALESCE({', '.join(args)})"
        if node.name == "if":
            condition, when_true, when_false = args
            # A simple CASE names the condition once, and a NULL condition
            # matches neither branch, giving NULL as the kernel does.
            return f"(CASE {condition} WHEN TRUE THEN {when_true} WHEN FALSE THEN {when_false} END)"
        if len(args) == 1:
            return args[0]
        # LEAST and GREATEST skip NULLs; the kernel's min and max do not.
        function = "LEAST" if node.name == "min" else "GREATEST"
        any_null = " OR ".join(f"{arg} IS NULL" for arg in args)
        return f"(CASE WHEN {any_null} THEN NULL ELSE {function}({', '.join(args)}) END)"


def to_sql(root: Node, column: Callable[[Ref], str]) -> str:
    """A SQL expression for the formula tree ``root``.

    ``column`` gives the SQL for each operand, typically a quoted column name;
    it is inserted verbatim, so it must come from the caller, never from users.
    """
    return _Translator(column).sql(root)
