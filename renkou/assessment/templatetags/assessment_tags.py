"""Template filters for assessment scores and Chinese dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from renkou.scoring.check import to_decimal
from renkou.scoring.text import fmt

register = template.Library()


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


@register.filter
def zh_date(value: dt.date | dt.datetime | None) -> str:
    """2026年1月5日 (the local date of a timestamp)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def zh_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def can(context: template.Context, capability: str) -> bool:
    """Whether the signed-in user's role carries ``capability`` (views check again)."""
    from renkou.accounts.access import Cap, has_capability

    user = context.get("user")
    return user is not None and has_capability(user, Cap(capability))
