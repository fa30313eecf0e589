"""Plain inputs for writing targets, shared by the pages, imports and the assistant."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TargetInput:
    """One unit's target for one code; ``value`` or a ``low``–``high`` band."""

    orgunit_id: int
    code: str
    kind: str  # a TargetKind value
    direction: str  # a Direction value
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    basis: str = ""
