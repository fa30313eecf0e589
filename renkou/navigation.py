"""The navigation bar, assembled from what each app registers.

Apps call :func:`register` from their ``AppConfig.ready``; the bar shows an
entry only to roles holding its capability (the view checks again).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str | Promise
    url_name: str
    capability: str | None  # None: every signed-in user
    order: int


_ENTRIES: dict[str, NavEntry] = {}


def register(
    key: str, label: str | Promise, url_name: str, *, capability: str | None, order: int
) -> None:
    _ENTRIES[key] = NavEntry(key, label, url_name, capability, order)


def entries() -> list[NavEntry]:
    return sorted(_ENTRIES.values(), key=lambda entry: entry.order)
