"""Evaluates a syntax tree against supplied values, never raising for bad data.

A value that cannot be computed — an element with no figure, a division by
zero, a result too large to represent — becomes "no value" with a reason a
township cadre can read, because one village's gap must not stop a report
for the whole county.
"""

from __future__ import annotations

import enum
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import Any

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
    render,
)

__all__ = ["EvalResult", "NoValueKind", "RawValue", "Resolver", "Values", "evaluate"]

RawValue = Decimal | int | float | None
Resolver = Callable[[Ref], RawValue]
Values = Mapping[Ref, RawValue] | Resolver

# Fixed rather than inherited from the calling thread, so a formula gives the
# same answer wherever it runs.
_CONTEXT = Context(
    prec=28,
    rounding=ROUND_HALF_EVEN,
    Emin=-999_999,
    Emax=999_999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


class NoValueKind(enum.StrEnum):
    MISSING = "missing"
    DIVISION_BY_ZERO = "division_by_zero"
    OUT_OF_RANGE = "out_of_range"
    INVALID_INPUT = "invalid_input"


@dataclass(frozen=True, slots=True)
class EvalResult:
    """The outcome of evaluating a formula.

    ``value`` is a Decimal for a numeric formula, a bool for a condition, or
    None when there is no value; then ``reason``/``reason_en`` say why,
    ``kind`` classifies it and ``missing`` lists the operands that had no data.
    """

    value: Decimal | bool | None
    reason: str | None = None
    reason_en: str | None = None
    kind: NoValueKind | None = None
    missing: tuple[Ref, ...] = ()

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True, slots=True)
class _NoValue:
    kind: NoValueKind
    reason: str
    reason_en: str
    missing: tuple[Ref, ...] = ()


_Value = Decimal | bool | _NoValue


def _missing(refs: tuple[Ref, ...]) -> _NoValue:
    return _NoValue(
        NoValueKind.MISSING,
        "缺少数据：" + "、".join(str(ref) for ref in refs),
        "no value for " + ", ".join(str(ref) for ref in refs),
        refs,
    )


_OUT_OF_RANGE = _NoValue(
    NoValueKind.OUT_OF_RANGE,
    "计算结果超出可表示的数值范围",
    "the result is outside the representable range",
)


def _combine(gaps: list[_NoValue]) -> _NoValue:
    # Missing data is what a user can act on, so it is reported first, with
    # every missing operand named at once rather than one per attempt.
    refs = tuple(dict.fromkeys(ref for gap in gaps for ref in gap.missing))
    return _missing(refs) if refs else gaps[0]


def _number(value: _Value) -> Decimal:
    if not isinstance(value, Decimal):  # pragma: no cover - the parser checks types
        raise TypeError(f"expected a number, got {value!r}")
    return value


class _Lookup:
    """Reads each operand once per evaluation, however often the formula names it."""

    def __init__(self, values: Values) -> None:
        self.values = values
        self.cache: dict[Ref, Decimal | _NoValue] = {}

    def __call__(self, ref: Ref) -> Decimal | _NoValue:
        found = self.cache.get(ref)
        if found is None:
            raw = self.values.get(ref) if isinstance(self.values, Mapping) else self.values(ref)
            found = self.cache[ref] = self.coerce(ref, raw)
        return found

    @staticmethod
    def coerce(ref: Ref, raw: RawValue) -> Decimal | _NoValue:
        if raw is None:
            return _missing((ref,))
        if isinstance(raw, float):
            if not math.isfinite(raw):
                return _invalid(ref)
            # Through str, so 0.1 becomes 0.1 and not its binary expansion.
            return Decimal(repr(raw))
        if isinstance(raw, int):
            return Decimal(int(raw))
        if isinstance(raw, Decimal):
            if not raw.is_finite():
                return _invalid(ref)
            try:
                # Rounds to the working precision and rejects exponents the
                # context cannot hold, before any operator sees the value.
                return +raw
            except ArithmeticError:
                return _invalid(ref)
        raise TypeError(f"value for {ref} must be a Decimal, int, float or None, not {raw!r}")


def _invalid(ref: Ref) -> _NoValue:
    return _NoValue(
        NoValueKind.INVALID_INPUT,
        f"{ref} 的值不是有效数字",
        f"the value of {ref} is not a finite number",
    )


def _chain(first: Node, rest: tuple[tuple[str, Node], ...], lookup: _Lookup) -> _Value:
    values = [_eval(first, lookup)] + [_eval(node, lookup) for _, node in rest]
    gaps = [v for v in values if isinstance(v, _NoValue)]
    if gaps:
        return _combine(gaps)
    total = _number(values[0])
    try:
        for (symbol, node), value in zip(rest, values[1:], strict=True):
            number = _number(value)
            if symbol == "+":
                total += number
            elif symbol == "-":
                total -= number
            elif symbol == "*":
                total *= number
            elif number.is_zero():
                text = render(node)
                return _NoValue(
                    NoValueKind.DIVISION_BY_ZERO,
                    f"除数为零：{text} 的值是 0",
                    f"division by zero: {text} is 0",
                )
            else:
                total /= number
    except ArithmeticError:
        return _OUT_OF_RANGE
    return total


def _logic(operands: tuple[Node, ...], lookup: _Lookup, deciding: bool) -> _Value:
    # Three-valued (Kleene) logic, as in SQL: one false makes "and" false
    # whatever the missing operands would have been, one true makes "or" true.
    gaps: list[_NoValue] = []
    for node in operands:
        value = _eval(node, lookup)
        if isinstance(value, _NoValue):
            gaps.append(value)
        elif value is deciding:
            return deciding
    return _combine(gaps) if gaps else not deciding


def _call(node: Call, lookup: _Lookup) -> _Value:
    name = node.name
    if name == "if":
        condition = _eval(node.args[0], lookup)
        if isinstance(condition, _NoValue):
            return condition
        return _eval(node.args[1] if condition else node.args[2], lookup)
    if name == "coalesce":
        gaps: list[_NoValue] = []
        for arg in node.args:
            value = _eval(arg, lookup)
            if not isinstance(value, _NoValue):
                return value
            gaps.append(value)
        return _combine(gaps)
    values = [_eval(arg, lookup) for arg in node.args]
    gaps = [v for v in values if isinstance(v, _NoValue)]
    if gaps:
        return _combine(gaps)
    numbers = [_number(v) for v in values]
    try:
        if name == "sum":
            total = Decimal(0)
            for number in numbers:
                total += number
            return total
        if name == "min":
            return min(numbers)
        if name == "max":
            return max(numbers)
        return abs(numbers[0])
    except ArithmeticError:
        return _OUT_OF_RANGE


def _eval(node: Node, lookup: _Lookup) -> _Value:
    match node:
        case Number(value=value):
            return value
        case Operand(ref=ref):
            return lookup(ref)
        case Negate(operand=operand):
            inner = _eval(operand, lookup)
            return inner if isinstance(inner, _NoValue) else -_number(inner)
        case Additive(first=first, rest=rest) | Multiplicative(first=first, rest=rest):
            return _chain(first, rest, lookup)
        case Comparison(left=left, operator=symbol, right=right):
            sides = [_eval(left, lookup), _eval(right, lookup)]
            gaps = [v for v in sides if isinstance(v, _NoValue)]
            if gaps:
                return _combine(gaps)
            return _COMPARE[symbol](sides[0], sides[1])
        case Not(operand=operand):
            inner = _eval(operand, lookup)
            return inner if isinstance(inner, _NoValue) else not inner
        case And(operands=operands):
            return _logic(operands, lookup, deciding=False)
        case Or(operands=operands):
            return _logic(operands, lookup, deciding=True)
        case Call():
            return _call(node, lookup)
    raise TypeError(f"not a formula node: {node!r}")  # pragma: no cover


def evaluate(node: Node, values: Values) -> EvalResult:
    """Evaluate ``node``; ``values`` maps each Ref to its value or is a function of it.

    A Ref absent from a mapping, or a function returning None, means no data.
    """
    with localcontext(_CONTEXT):
        try:
            result = _eval(node, _Lookup(values))
        except ArithmeticError:
            # Each operator already turns arithmetic trouble into "no value";
            # this only keeps the promise should one be overlooked.
            result = _OUT_OF_RANGE
    if isinstance(result, _NoValue):
        return EvalResult(None, result.reason, result.reason_en, result.kind, result.missing)
    return EvalResult(result)
