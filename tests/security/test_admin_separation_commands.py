from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability
from renkou.accounts.models import Role, User
from renkou.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_role_command_acts_only_as_a_security_admin(personas):
    with pytest.raises(CommandError, match="只有安全管理员"):
        call_command("grant_role", "norole", "leader", "--by", "sysadmin", "--reason", "x")
    call_command("grant_role", "norole", "leader", "--by", "secadmin", "--reason", "任命")
    assert User.objects.get(username="norole").role == Role.LEADER
    with pytest.raises(CommandError, match="三员分立"):
        call_command("grant_role", "sysadmin", "audit_admin", "--by", "secadmin", "--reason", "x")
    with pytest.raises(CommandError):
        call_command("grant_role", "secadmin", "system_admin", "--by", "secadmin", "--reason", "x")


def test_is_superuser_grants_nothing(personas):
    user = personas.norole
    user.is_superuser = True
    user.save()
    assert not has_capability(user, Cap.GRANT_ROLES)
    assert personas.client(user).get("/accounts/users/").status_code == 403


def test_break_glass_is_time_limited_audited_and_never_opens_the_audit_log(personas):
    user = personas.norole
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with pytest.raises(CommandError, match="原因"):
            call_command("break_glass", "norole")
        with pytest.raises(CommandError, match="4小时"):
            call_command("break_glass", "norole", "--hours", "24", "--reason", "x")
        call_command(
            "break_glass", "norole", "--hours", "1", "--reason", "安全管理员离职，需恢复授权"
        )
        user.refresh_from_db()
        assert has_capability(user, Cap.GRANT_ROLES)
        assert not has_capability(user, Cap.VIEW_AUDIT)
        event = AuditEvent.objects.get(action="accounts.break_glass")
        assert event.reason == "安全管理员离职，需恢复授权"
        clock.shift(dt.timedelta(minutes=61))
        user.refresh_from_db()
        assert not has_capability(user, Cap.GRANT_ROLES)
    call_command("break_glass", "norole", "--end")
    assert AuditEvent.objects.filter(action="accounts.break_glass_end").count() == 1


def test_the_self_check_names_unsafe_settings(settings, capsys):
    settings.DEBUG = True
    settings.SESSION_COOKIE_SECURE = False
    with pytest.raises(CommandError, match="不安全配置"):
        call_command("security_check")
    out = capsys.readouterr().out
    assert "DEBUG 已开启" in out
    assert "会话 Cookie 未限定 HTTPS" in out


def test_the_self_check_passes_a_production_configuration(settings, capsys, monkeypatch, db):
    settings.DEBUG = False
    settings.SESSION_COOKIE_SECURE = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.TWO_FACTOR_REQUIRED = True
    settings.DEMO_MODE = False
    for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        monkeypatch.setenv(name, "set-in-the-environment")
    call_command("security_check")
    out = capsys.readouterr().out
    assert "未发现不安全配置" in out
    assert "审计哈希链完好" in out
