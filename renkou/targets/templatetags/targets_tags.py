"""Small display helpers of the target pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from renkou.display import register_common
from renkou.targets.models import Target

register = template.Library()
register_common(register)


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return format(number.normalize(), "f")


@register.filter
def plain(number: Decimal | None) -> str:
    """A stored number without trailing zeros: 95, 4.5, 1,234."""
    return _plain(number)


@register.filter
def goal(target: Target | object) -> str:
    """The target as officials say it: 不低于95、103–107、不高于2."""
    value = getattr(target, "value", None)
    low, high = getattr(target, "low", None), getattr(target, "high", None)
    direction = getattr(target, "direction", "")
    if value is None:
        return f"{_plain(low)}–{_plain(high)}"
    word = {"at_least": "≥", "at_most": "≤"}.get(direction, "")
    return f"{word}{_plain(value)}"


@register.filter
def fixed(number: float | None, places: int = 0) -> str:
    if number is None:
        return "—"
    return f"{number:,.{int(places)}f}"
