from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from renkou import navigation
from renkou.accounts.access import Cap, has_capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def nav_items(request: HttpRequest) -> list[NavItem]:
    """The navigation a role may use; each link is checked by the view as well."""
    user = request.user
    if not user.is_authenticated:
        return []
    return [
        NavItem(str(entry.label), reverse(entry.url_name), entry.key)
        for entry in navigation.entries()
        if entry.capability is None or has_capability(user, Cap(entry.capability))
    ]


def navigation_context(request: HttpRequest) -> dict[str, object]:
    return {
        "nav_items": nav_items(request),
        "two_factor_relaxed": not settings.TWO_FACTOR_REQUIRED,
    }
