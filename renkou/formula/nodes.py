"""The syntax tree of a formula, and how to write it back as canonical text.

Chains of the same operator (``a + b - c``, ``a and b and c``) are one node
holding all their operands rather than a left-leaning tree, so that a long
sum of a few hundred elements stays shallow and is evaluated and rendered
without deep recursion. Positions are kept for error messages but take no part
in equality, so two formulas that mean the same thing compare equal.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from renkou.periods import Period, PeriodError

__all__ = [
    "Additive",
    "And",
    "Call",
    "Comparison",
    "Modifier",
    "Multiplicative",
    "Negate",
    "Node",
    "Not",
    "Number",
    "Operand",
    "Or",
    "Ref",
    "ValueType",
    "render",
]


class ValueType(enum.StrEnum):
    """What a formula or part of one yields: a number, or a condition (true/false)."""

    NUMBER = "number"
    BOOLEAN = "boolean"

    @property
    def label_zh(self) -> str:
        return "数值" if self is ValueType.NUMBER else "条件"


class Modifier(enum.StrEnum):
    """Which period an operand reads, relative to the period being computed."""

    CURRENT = "current"
    PREVIOUS = "previous"
    YTD = "ytd"

    # Enum hashes members by name; hashing by value keeps ("births", "ytd")
    # usable as a key wherever Ref("births", Modifier.YTD) is, since they
    # already compare equal.
    def __hash__(self) -> int:
        return str.__hash__(self)

    @property
    def suffix(self) -> str:
        return "" if self is Modifier.CURRENT else f".{self.value}"

    def periods(self, period: Period) -> tuple[Period, ...]:
        """The periods whose values an operand with this modifier reads for ``period``.

        ``.ytd`` yields the months from January to the end of ``period``; the
        caller aggregates them with the element's aggregation type. Before
        the first supported period there is nothing to read, so no value.
        """
        if self is Modifier.CURRENT:
            return (period,)
        if self is Modifier.PREVIOUS:
            try:
                return (period.previous(),)
            except PeriodError:
                return ()
        return period.year_to_date()


class Ref(NamedTuple):
    """One value a formula reads: a data element code and the period modifier."""

    code: str
    modifier: Modifier = Modifier.CURRENT

    def __str__(self) -> str:
        return f"#{{{self.code}}}{Modifier(self.modifier).suffix}"


def _position() -> int:
    # Where the node starts in the source text, for error messages only.
    return field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Number:
    value: Decimal
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.NUMBER


@dataclass(frozen=True, slots=True)
class Operand:
    ref: Ref
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.NUMBER


@dataclass(frozen=True, slots=True)
class Negate:
    operand: Node
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.NUMBER


@dataclass(frozen=True, slots=True)
class Additive:
    """``first (+|-) operand (+|-) operand …`` evaluated left to right."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.NUMBER


@dataclass(frozen=True, slots=True)
class Multiplicative:
    """``first (*|/) operand (*|/) operand …`` evaluated left to right."""

    first: Node
    rest: tuple[tuple[str, Node], ...]
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.NUMBER


@dataclass(frozen=True, slots=True)
class Comparison:
    left: Node
    operator: str
    right: Node
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.BOOLEAN


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.BOOLEAN


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple[Node, ...]
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.BOOLEAN


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Node, ...]
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return ValueType.BOOLEAN


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; ``value_type`` is worked out by the parser from the arguments."""

    name: str
    args: tuple[Node, ...]
    value_type: ValueType = ValueType.NUMBER
    position: int = _position()

    @property
    def type(self) -> ValueType:
        return self.value_type


Node = Number | Operand | Negate | Additive | Multiplicative | Comparison | Not | And | Or | Call

# Binding strength, loosest first; render() adds parentheses from these alone.
PRECEDENCE_OR = 1
PRECEDENCE_AND = 2
PRECEDENCE_NOT = 3
PRECEDENCE_COMPARISON = 4
PRECEDENCE_ADDITIVE = 5
PRECEDENCE_MULTIPLICATIVE = 6
PRECEDENCE_NEGATE = 7
PRECEDENCE_ATOM = 8


def precedence(node: Node) -> int:
    match node:
        case Or():
            return PRECEDENCE_OR
        case And():
            return PRECEDENCE_AND
        case Not():
            return PRECEDENCE_NOT
        case Comparison():
            return PRECEDENCE_COMPARISON
        case Additive():
            return PRECEDENCE_ADDITIVE
        case Multiplicative():
            return PRECEDENCE_MULTIPLICATIVE
        case Negate():
            return PRECEDENCE_NEGATE
        case _:
            return PRECEDENCE_ATOM


def _wrap(node: Node, needs_parentheses: bool) -> str:
    text = render(node)
    return f"({text})" if needs_parentheses else text


def _chain(first: Node, rest: tuple[tuple[str, Node], ...], level: int) -> str:
    # Operators are left-associative, so only a right-hand operand of the same
    # level needs parentheses: a - (b - c) but a - b - c.
    parts = [_wrap(first, precedence(first) < level)]
    for operator, operand in rest:
        parts.append(operator)
        parts.append(_wrap(operand, precedence(operand) <= level))
    return " ".join(parts)


def render(node: Node) -> str:
    """Canonical text for ``node``: lower-case names, single spaces, minimal parentheses.

    Parsing the result gives back an equal tree.
    """
    match node:
        case Number(value=value):
            return format(value, "f")
        case Operand(ref=ref):
            return str(ref)
        case Negate(operand=operand):
            # -(-x) rather than --x, which reads like a decrement.
            inner = precedence(operand) < PRECEDENCE_NEGATE or isinstance(operand, Negate)
            return "-" + _wrap(operand, inner)
        case Additive(first=first, rest=rest):
            return _chain(first, rest, PRECEDENCE_ADDITIVE)
        case Multiplicative(first=first, rest=rest):
            return _chain(first, rest, PRECEDENCE_MULTIPLICATIVE)
        case Comparison(left=left, operator=operator, right=right):
            # Comparisons do not chain, so either side that is itself a
            # comparison (or looser) is bracketed.
            left_text = _wrap(left, precedence(left) <= PRECEDENCE_COMPARISON)
            right_text = _wrap(right, precedence(right) <= PRECEDENCE_COMPARISON)
            return f"{left_text} {operator} {right_text}"
        case Not(operand=operand):
            return "not " + _wrap(operand, precedence(operand) < PRECEDENCE_NOT)
        case And(operands=operands):
            return _chain(operands[0], tuple(("and", o) for o in operands[1:]), PRECEDENCE_AND)
        case Or(operands=operands):
            return _chain(operands[0], tuple(("or", o) for o in operands[1:]), PRECEDENCE_OR)
        case Call(name=name, args=args):
            return f"{name}({', '.join(render(arg) for arg in args)})"
    raise TypeError(f"not a formula node: {node!r}")  # pragma: no cover
