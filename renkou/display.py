"""Display helpers shared by the apps' template libraries: Chinese dates, a
dictionary lookup and the capability check the menus ask."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone


def zh_date(value: dt.date | dt.datetime | None) -> str:
    """2026年1月5日 (the local date of a timestamp)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def zh_datetime(value: dt.datetime | None) -> str:
    """2026年1月5日 09:30 in local time."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return mapping.get(key) if mapping else None


def can(context: template.Context, capability: str) -> bool:
    """Whether the signed-in user's role carries ``capability`` (views check again)."""
    from renkou.accounts.access import Cap, has_capability

    user = context.get("user")
    return user is not None and has_capability(user, Cap(capability))


def register_common(register: template.Library) -> None:
    """Add the shared filters and the ``can`` tag to an app's library."""
    register.filter("zh_date", zh_date)
    register.filter("zh_datetime", zh_datetime)
    register.filter("get_item", get_item)
    register.simple_tag(takes_context=True, name="can")(can)
