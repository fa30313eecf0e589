"""Template filters for scores and Chinese dates."""

from __future__ import annotations

from decimal import Decimal

from django import template

from renkou.display import register_common
from renkou.supervision.scoring import fmt

register = template.Library()
register_common(register)


@register.filter
def score(value: Decimal | float | int | str | None) -> str:
    """92.50 → 92.5, 5.00 → 5; empty stays empty."""
    if value is None or value == "":
        return ""
    return fmt(Decimal(str(value)))


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
