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
