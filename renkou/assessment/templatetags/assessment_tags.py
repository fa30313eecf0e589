"""Template filters for assessment scores and Chinese dates."""

from __future__ import annotations

from decimal import Decimal

from django import template

from renkou.display import register_common
from renkou.scoring.check import to_decimal
from renkou.scoring.text import fmt

register = template.Library()
register_common(register)


@register.filter
def pts(value: Decimal | float | int | str | None) -> str:
    """90.5000 → 90.5, 5.00 → 5; empty stays empty."""
    if value is None or value == "":
        return ""
    number = to_decimal(value)
    return "" if number is None else fmt(number)


@register.filter
def yuan(value: Decimal | int | str | None) -> str:
    """An amount of money to the fen with thousands separators: 2,896,600.00."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (ArithmeticError, ValueError):
        return str(value)
