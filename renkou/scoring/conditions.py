"""Conditions such as ``total < 60`` or ``any: [data_fraud > 0, reward_fraud > 0]``.

Deliberately tiny: a name, a comparison and a number, combined with any/all.
Anything richer belongs in the unit's figures, where it can be checked.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from .check import Checker, at, join, show
from .text import fmt

__all__ = ["AllOf", "AnyOf", "Compare", "Condition", "parse_condition"]

TOTAL: Final = "total"

_OPS: Final[dict[str, Callable[[Decimal, Decimal], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

_PATTERN: Final = re.compile(
    r"^\s*(?P<name>[^\s<>=!]+)\s*(?P<op><=|>=|==|!=|<|>)\s*"
    r"(?P<number>[-+]?(?:\d+(?:\.\d*)?|\.\d+))\s*$"
)

_JOINERS: Final = {"zh": {"any": "或", "all": "且"}, "en": {"any": " or ", "all": " and "}}


@dataclass(frozen=True, slots=True)
class Compare:
    name: str
    op: str
    number: Decimal

    def holds(self, values: Mapping[str, Decimal], missing: list[str]) -> bool:
        value = values.get(self.name)
        if value is None:
            missing.append(self.name)
            return False
        return _OPS[self.op](value, self.number)

    def names(self) -> set[str]:
        return {self.name}

    def text(self, lang: str) -> str:
        return f"{self.name} {self.op} {fmt(self.number)}"


@dataclass(frozen=True, slots=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, values: Mapping[str, Decimal], missing: list[str]) -> bool:
        # Evaluate every part so that each unreported figure gets its warning.
        results = [part.holds(values, missing) for part in self.parts]
        return any(results)

    def names(self) -> set[str]:
        return set().union(*(part.names() for part in self.parts))

    def text(self, lang: str) -> str:
        return _JOINERS[lang]["any"].join(_grouped(part, lang) for part in self.parts)


@dataclass(frozen=True, slots=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, values: Mapping[str, Decimal], missing: list[str]) -> bool:
        results = [part.holds(values, missing) for part in self.parts]
        return all(results)

    def names(self) -> set[str]:
        return set().union(*(part.names() for part in self.parts))

    def text(self, lang: str) -> str:
        return _JOINERS[lang]["all"].join(_grouped(part, lang) for part in self.parts)


Condition = Compare | AnyOf | AllOf


def _grouped(condition: Condition, lang: str) -> str:
    text = condition.text(lang)
    return text if isinstance(condition, Compare) else f"({text})"


def parse_condition(
    raw: Any, path: str, checker: Checker, *, allow_total: bool
) -> Condition | None:
    """Parse a condition, recording problems under ``path``; ``None`` if it is bad."""
    if isinstance(raw, str):
        match = _PATTERN.match(raw)
        if match is None:
            checker.add(path, "bad_condition", got=show(raw))
            return None
        name = match["name"]
        if name == TOTAL and not allow_total:
            checker.add(path, "total_not_here")
            return None
        return Compare(name, match["op"], Decimal(match["number"]))
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((kind, members),) = raw.items()
        if kind in ("any", "all"):
            where = join(path, kind)
            listed = checker.sequence(members, where)
            if listed is None:
                return None
            if not listed:
                checker.add(where, "empty")
                return None
            parsed = [
                parse_condition(member, at(where, index), checker, allow_total=allow_total)
                for index, member in enumerate(listed)
            ]
            parts = tuple(part for part in parsed if part is not None)
            if len(parts) != len(parsed):
                return None
            return AnyOf(parts) if kind == "any" else AllOf(parts)
    checker.add(path, "bad_condition", got=show(raw))
    return None
