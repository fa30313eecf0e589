"""Small request helpers shared by the views."""

from __future__ import annotations

from django.http import HttpRequest

from renkou.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required``."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("view reached without a signed-in user")
    return user


def is_htmx(request: HttpRequest) -> bool:
    """True for requests made by htmx (the view then returns a fragment)."""
    return bool(getattr(request, "htmx", False))


def search_text(raw: str | None, max_length: int = 30) -> str:
    """A search box's text, trimmed and without control characters (PostgreSQL
    refuses NUL bytes in text; nobody types the others)."""
    text = "".join(ch for ch in (raw or "") if ch >= " " and ch != "\x7f")
    return text.strip()[:max_length]
