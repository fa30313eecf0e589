"""Template filters for scores and Chinese dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from renkou.supervision.scoring import fmt

register = template.Library()


@register.filter
def score(value: Decimal | float | int | str | None) -> str:
    """92.50 → 92.5, 5.00 → 5; empty stays empty."""
    if value is None or value == "":
        return ""
    return fmt(Decimal(str(value)))


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
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def can(context: template.Context, capability: str) -> bool:
    """Whether the signed-in user's role carries ``capability`` (views check again)."""
    from renkou.accounts.access import Cap, has_capability

    user = context.get("user")
    return user is not None and has_capability(user, Cap(capability))


_TAB_PREFIXES = [
    (("template", "item_"), "templates"),
    (("plan", "team_", "unit", "sample", "results", "bulletin"), "plans"),
    (("task",), "tasks"),
    (("mine", "inspection"), "mine"),
    (("year",), "year"),
]


@register.simple_tag(takes_context=True)
def sv_tab(context: template.Context) -> str:
    """Which section tab the current page belongs to, from its URL name."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match and match.url_name else ""
    for prefixes, tab in _TAB_PREFIXES:
        if name.startswith(prefixes):
            return tab
    return "home"


@register.filter
def score_class(value: Decimal | None) -> str:
    """A colour band for a monthly score in the year table."""
    if value is None:
        return ""
    if value < 85:
        return "s-low"
    if value < 95:
        return "s-mid"
    return "s-high"
