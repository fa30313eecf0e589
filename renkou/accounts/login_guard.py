"""Locking accounts and source addresses after repeated failed sign-ins.

After ``LOGIN_MAX_FAILURES`` failures in a row for one account, that account
and the address the last attempt came from are locked for
``LOGIN_LOCK_MINUTES``. An address that fails ``LOGIN_MAX_FAILURES_PER_IP``
times across any accounts (password spraying) is locked too. A security
admin may release a lock early; that is audited.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from renkou.accounts.models import LoginFailure, LoginLock
from renkou.audit.actions import record_event


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.LOGIN_LOCK_MINUTES))


def normalise(username: str) -> str:
    return username.strip().lower()[:150]


def active_lock(username: str, ip: str | None) -> LoginLock | None:
    now = timezone.now()
    keys = Q(kind=LoginLock.Kind.USER, key=normalise(username))
    if ip:
        keys |= Q(kind=LoginLock.Kind.IP, key=ip)
    return (
        LoginLock.objects.filter(keys, until__gt=now, released_at__isnull=True)
        .order_by("-until")
        .first()
    )


def _lock(kind: str, key: str, failures: int) -> LoginLock:
    now = timezone.now()
    lock = LoginLock.objects.create(
        kind=kind, key=key, locked_at=now, until=now + _window(), failures=failures
    )
    record_event(
        actor=None,
        action="accounts.lock",
        object_type="accounts.loginlock",
        object_id=str(lock.pk),
        object_repr=f"{lock.get_kind_display()} {key}",
        changes={"failures": failures, "until": lock.until.isoformat()},
    )
    return lock


@transaction.atomic
def record_failure(username: str, ip: str | None) -> int:
    """Count a failure; lock when a limit is reached. Returns attempts left for the account."""
    now = timezone.now()
    name = normalise(username)
    LoginFailure.objects.create(username=name, ip=ip, at=now)
    since = now - _window()
    limit = int(settings.LOGIN_MAX_FAILURES)
    user_failures = LoginFailure.objects.filter(username=name, at__gt=since).count()
    if user_failures >= limit:
        _lock(LoginLock.Kind.USER, name, user_failures)
        if ip:
            _lock(LoginLock.Kind.IP, ip, user_failures)
        LoginFailure.objects.filter(username=name).delete()
        return 0
    if ip:
        ip_failures = LoginFailure.objects.filter(ip=ip, at__gt=since).count()
        if ip_failures >= int(settings.LOGIN_MAX_FAILURES_PER_IP):
            _lock(LoginLock.Kind.IP, ip, ip_failures)
            LoginFailure.objects.filter(ip=ip).delete()
    return limit - user_failures


def record_success(username: str) -> None:
    """A successful sign-in starts the count afresh."""
    LoginFailure.objects.filter(username=normalise(username)).delete()


def lock_message(lock: LoginLock) -> str:
    until = timezone.localtime(lock.until)
    what = "该账号" if lock.kind == LoginLock.Kind.USER else "您所在的网络地址"
    return f"{what}因连续登录失败已被锁定，请于{until:%H:%M}后再试，或联系安全管理员解锁。"
