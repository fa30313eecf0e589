"""The public face of the kernel: a parsed Formula that knows its inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from renkou.formula.errors import FormulaError
from renkou.formula.evaluator import EvalResult, Values, evaluate
from renkou.formula.nodes import (
    Additive,
    And,
    Call,
    Comparison,
    Multiplicative,
    Negate,
    Node,
    Not,
    Operand,
    Or,
    Ref,
    ValueType,
    render,
)
from renkou.formula.parser import COMPARISON_OPERATORS, parse_tree
from renkou.formula.sql import to_sql

__all__ = ["Formula", "canonical", "parse", "parse_rule"]


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Negate(operand=operand) | Not(operand=operand):
            return (operand,)
        case Additive(first=first, rest=rest) | Multiplicative(first=first, rest=rest):
            return (first, *(operand for _, operand in rest))
        case Comparison(left=left, right=right):
            return (left, right)
        case And(operands=operands) | Or(operands=operands):
            return operands
        case Call(args=args):
            return args
    return ()


def _references(root: Node) -> frozenset[Ref]:
    # An explicit stack: a formula may list hundreds of elements.
    found: set[Ref] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Operand):
            found.add(node.ref)
        stack.extend(_children(node))
    return frozenset(found)


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed formula. Equal when the trees are equal, whatever the spacing."""

    root: Node
    source: str = ""
    references: frozenset[Ref] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "references", _references(self.root))

    @property
    def value_type(self) -> ValueType:
        """NUMBER for an indicator expression, BOOLEAN for a condition such as a rule."""
        return self.root.type

    @property
    def codes(self) -> frozenset[str]:
        """The data element codes read, whatever their modifiers."""
        return frozenset(ref.code for ref in self.references)

    def evaluate(self, values: Values) -> EvalResult:
        """The value for ``values``, a mapping from Ref or a function of a Ref."""
        return evaluate(self.root, values)

    def render(self) -> str:
        """Canonical text; ``parse(f.render()) == f``."""
        return render(self.root)

    def to_sql(self, column: Callable[[Ref], str]) -> str:
        """A SQL expression with the same rules, for whole columns at once; see formula.sql."""
        return to_sql(self.root, column)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Formula({self.render()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Formula):
            return NotImplemented
        return self.root == other.root

    def __hash__(self) -> int:
        return hash(self.root)


def _check_type(formula: Formula, expect: ValueType | None) -> Formula:
    if expect is None or formula.value_type is expect:
        return formula
    if expect is ValueType.NUMBER:
        raise FormulaError(
            0,
            "公式的结果应为数值，而这是一个条件",
            "the formula must give a number, but it is a condition",
            located=False,
        )
    raise FormulaError(
        0,
        "规则的结果应为条件（例如 #{a} <= #{b}），而这是一个数值",
        "the rule must be a condition (such as #{a} <= #{b}), but it gives a number",
        located=False,
    )


def parse(text: str, *, expect: ValueType | None = None) -> Formula:
    """Parse formula text; raises FormulaError with position and message.

    ``expect`` insists on a numeric formula (indicators) or a condition
    (validation rules).
    """
    return _check_type(Formula(parse_tree(text), text), expect)


def parse_rule(left: str, operator: str, right: str) -> Formula:
    """A validation rule stored as two expressions and an operator, as one condition.

    Errors in either side carry ``part`` = "left" or "right" and a position
    within that side's text.
    """
    symbol = operator.strip()
    if symbol not in COMPARISON_OPERATORS:
        allowed = " ".join(COMPARISON_OPERATORS)
        raise FormulaError(
            0,
            f"规则的比较运算符 '{operator}' 无效，应为 {allowed} 之一",
            f"invalid rule operator '{operator}'; use one of {allowed}",
            located=False,
        )
    sides: list[Node] = []
    for part, text in (("left", left), ("right", right)):
        try:
            sides.append(parse(text, expect=ValueType.NUMBER).root)
        except FormulaError as error:
            raise error.on_side(part) from None
    root = Comparison(sides[0], symbol, sides[1])
    return Formula(root, render(root))


def canonical(text: str) -> str:
    """The canonical spelling of formula text, e.g. for storing or comparing."""
    return parse(text).render()
