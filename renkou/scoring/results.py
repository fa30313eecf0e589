"""What scoring returns: plain dataclasses and their JSON shape.

``to_dict()`` gives exactly the documented output. Decimals become JSON
numbers (an int when whole, else the float whose shortest form is the same
digits, e.g. 7.35), so a file written from them shows what the assessor sees.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

__all__ = ["ItemResult", "Results", "UnitResult", "number", "paused_collector"]


@contextmanager
def paused_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Results hold millions of small objects and none of them in reference
    cycles; left running, the collector walks the growing heap again and again
    and more than doubles the time taken, for nothing to collect.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


class Explainer(Protocol):
    def explain(self, item: ItemResult) -> str: ...


@dataclass(slots=True)
class ItemResult:
    """One item (or bonus) of one unit.

    ``score`` is ``None`` only for an item not assessed for the unit's class.
    The explanation is written on first reading, from ``why``.
    """

    code: str
    points: Decimal | None
    value: Decimal | None
    target: Decimal | None
    score: Decimal | None
    skipped: bool
    why: tuple[Any, ...] = field(repr=False, compare=False)
    source: Explainer = field(repr=False, compare=False)
    lang: str = field(default="zh", repr=False, compare=False)

    @property
    def explanation(self) -> str:
        return self.source.explain(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "points": number(self.points),
            "value": number(self.value),
            "target": number(self.target),
            "score": number(self.score),
            "skipped": self.skipped,
            "explanation": self.explanation,
        }


@dataclass(slots=True, eq=False)
class UnitResult:
    """One unit's result. Compare two of them through ``to_dict()``.

    ``items`` are built on first reading (scoring keeps bare scores), unless
    given directly as ``items_list``.
    """

    code: str
    name: str
    class_code: str | None
    bonuses: list[ItemResult]
    bonus: Decimal
    raw_total: Decimal
    total: Decimal
    grade: str
    vetoes: list[str]
    ceiling: str | None
    rank: int = 0
    class_rank: int | None = None
    lazy_items: Callable[[], list[ItemResult]] | None = field(default=None, repr=False)
    items_list: list[ItemResult] | None = field(default=None, repr=False)

    @property
    def items(self) -> list[ItemResult]:
        if self.items_list is None:
            self.items_list = self.lazy_items() if self.lazy_items is not None else []
        return self.items_list

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "class": self.class_code,
            "items": [item.to_dict() for item in self.items],
            "bonus": number(self.bonus),
            # Not in the list, but a bonus point must be explained like any other.
            "bonuses": [bonus.to_dict() for bonus in self.bonuses],
            "raw_total": number(self.raw_total),
            "total": number(self.total),
            "grade": self.grade,
            "vetoes": list(self.vetoes),
            "ceiling": self.ceiling,
            "rank": self.rank,
            "class_rank": self.class_rank,
        }

    def item(self, code: str) -> ItemResult:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


@dataclass(slots=True)
class Results:
    scheme: str
    results: list[UnitResult]
    warnings: list[str]
    lang: str = "zh"
    # Item and bonus codes with their names, in scheme order, for tabular output.
    columns: list[tuple[str, str]] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        with paused_collector():
            return {
                "scheme": self.scheme,
                "results": [unit.to_dict() for unit in self.results],
                "warnings": list(self.warnings),
            }

    def unit(self, code: str) -> UnitResult:
        for unit in self.results:
            if unit.code == code:
                return unit
        raise KeyError(code)
