from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django import template

from renkou.reporting.selectors import STATUS_LABELS

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@register.filter
def fmt(value: float | Decimal | None, decimals: int = 1) -> str:
    """A figure rounded half up to ``decimals`` places, "—" for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    places = Decimal(1).scaleb(-int(decimals))
    return f"{number.quantize(places, rounding=ROUND_HALF_UP):,}"
