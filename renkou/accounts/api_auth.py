from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from renkou.accounts.models import ApiToken, User

# last_used_at is written at most this often, so a busy script does not turn
# every read into a write.
TOUCH_INTERVAL = dt.timedelta(minutes=5)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rk_…`` with a token created on the API-token page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__home_unit")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True)
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > TOUCH_INTERVAL:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


class ActiveSessionAuth(SessionAuth):
    """The browser's session (with Django's CSRF check on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "is_active", False):
            return user
        return None
