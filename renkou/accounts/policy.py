"""What a signed-in user must do before using the system: verify the second
factor, enrol one, or change an expired password."""

from __future__ import annotations

import datetime as dt
import time
from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_otp import user_has_device

from renkou.accounts.models import Role, User

TWO_FACTOR_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.COUNTY_ASSESSOR}
)
REAUTH_KEY = "_rk_reauth_at"


class Step(StrEnum):
    VERIFY_SECOND_FACTOR = "verify"
    ENROL_SECOND_FACTOR = "enrol"
    CHANGE_PASSWORD = "password"  # noqa: S105 - a step name, not a secret


def requires_two_factor(user: User) -> bool:
    return bool(settings.TWO_FACTOR_REQUIRED) and user.role in TWO_FACTOR_ROLES


def password_expired(user: User, now: dt.datetime | None = None) -> bool:
    max_age = int(settings.PASSWORD_MAX_AGE_DAYS)
    if user.must_change_password:
        return True
    if not max_age or user.password_changed_at is None:
        return False
    return (now or timezone.now()) - user.password_changed_at > dt.timedelta(days=max_age)


def pending_step(request: HttpRequest) -> Step | None:
    user = request.user
    if not isinstance(user, User):
        return None
    verified = bool(getattr(user, "is_verified", lambda: False)())
    if not verified:
        if user_has_device(user, confirmed=True):
            return Step.VERIFY_SECOND_FACTOR
        if requires_two_factor(user):
            return Step.ENROL_SECOND_FACTOR
    if password_expired(user):
        return Step.CHANGE_PASSWORD
    return None


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[REAUTH_KEY] = time.time()


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(REAUTH_KEY)
    return isinstance(at, int | float) and time.time() - at <= int(settings.REAUTH_SECONDS)
