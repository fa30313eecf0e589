"""What a cube holds: element totals, unit counts for averaged percentages, indicators."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from renkou.formula import Formula, Ref, ValueType, parse

__all__ = ["AGGREGATIONS", "ElementDef", "IndicatorDef", "Layout"]

AGGREGATIONS = ("sum", "average", "last", "min", "max")


@dataclass(frozen=True, slots=True)
class ElementDef:
    """``aggregation`` over time; over units everything adds up except min and max,
    and averaged percentages, which are averaged over units as well."""

    code: str
    aggregation: str = "sum"
    percentage: bool = False

    def __post_init__(self) -> None:
        if self.aggregation not in AGGREGATIONS:
            raise ValueError(f"unknown aggregation {self.aggregation!r}")

    @property
    def averaged_over_units(self) -> bool:
        return self.percentage and self.aggregation == "average"


@dataclass(frozen=True, slots=True)
class IndicatorDef:
    code: str
    numerator: str
    denominator: str = "1"
    factor: float = 1.0
    annualized: bool = False

    def formulas(self) -> tuple[Formula, Formula]:
        return (
            parse(self.numerator, expect=ValueType.NUMBER),
            parse(self.denominator, expect=ValueType.NUMBER),
        )


@dataclass(frozen=True)
class Layout:
    """Slot order of a cube: one per element, one count per unit-averaged
    percentage element, one per indicator."""

    elements: tuple[ElementDef, ...]
    indicators: tuple[IndicatorDef, ...] = ()
    # Lookups asked for on every cell of an analytics answer, so worked out once.
    _counted: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _element_at: dict[str, int] = field(init=False, repr=False, compare=False)
    _indicator_at: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        codes = [e.code for e in self.elements]
        if len(set(codes)) != len(codes):
            raise ValueError("duplicate element codes")
        object.__setattr__(
            self,
            "_counted",
            tuple(i for i, e in enumerate(self.elements) if e.averaged_over_units),
        )
        object.__setattr__(self, "_element_at", {c: i for i, c in enumerate(codes)})
        object.__setattr__(
            self, "_indicator_at", {x.code: i for i, x in enumerate(self.indicators)}
        )
        known = set(codes)
        for indicator in self.indicators:
            numerator, denominator = indicator.formulas()
            unknown = (numerator.codes | denominator.codes) - known
            if unknown:
                raise ValueError(f"indicator {indicator.code} reads unknown {sorted(unknown)}")

    @property
    def n_elements(self) -> int:
        return len(self.elements)

    @property
    def counted(self) -> tuple[int, ...]:
        """Element positions that carry a unit count (averaged percentages)."""
        return self._counted

    @property
    def n_element_slots(self) -> int:
        return self.n_elements + len(self.counted)

    @property
    def n_slots(self) -> int:
        return self.n_element_slots + len(self.indicators)

    def element_index(self, code: str) -> int:
        return self._element_at[code]

    def indicator_index(self, code: str) -> int:
        return self._indicator_at[code]

    def indicator_slot(self, code: str) -> int:
        return self.n_element_slots + self.indicator_index(code)

    def references(self) -> list[Ref]:
        """Every (element, modifier) some indicator reads, in a stable order."""
        found: dict[Ref, None] = {}
        for indicator in self.indicators:
            for formula in indicator.formulas():
                for ref in sorted(formula.references, key=lambda r: (r.code, str(r.modifier))):
                    found[ref] = None
        return list(found)

    def to_json(self) -> dict[str, Any]:
        return {
            "elements": [[e.code, e.aggregation, e.percentage] for e in self.elements],
            "indicators": [
                [x.code, x.numerator, x.denominator, x.factor, x.annualized]
                for x in self.indicators
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Layout:
        return cls(
            elements=tuple(ElementDef(c, a, bool(p)) for c, a, p in data["elements"]),
            indicators=tuple(
                IndicatorDef(c, n, d, float(f), bool(a)) for c, n, d, f, a in data["indicators"]
            ),
        )

    def fingerprint(self) -> str:
        text = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
