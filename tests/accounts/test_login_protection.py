from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from renkou.accounts.models import LoginLock
from renkou.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _attempt(client: Client, password: str, username: str = "chengjiang", ip: str = "10.1.1.1"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_the_fifth_failure_locks_the_account_and_the_address_for_thirty_minutes(personas):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        for n in range(1, 5):
            html = _attempt(client, "wrong").content.decode()
            assert f"再失败{5 - n}次" in html
        assert not LoginLock.objects.exists()
        html = _attempt(client, "wrong").content.decode()
        assert "已被锁定" in html
        assert "09:30" not in html  # shown in Asia/Shanghai time
        assert "17:30" in html
        assert set(LoginLock.objects.values_list("kind", "key")) == {
            ("user", "chengjiang"),
            ("ip", "10.1.1.1"),
        }
        # Even the right password is refused while locked, from any address.
        locked = _attempt(client, PASSWORD, ip="10.9.9.9")
        assert "该账号因连续登录失败已被锁定" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        clock.shift(dt.timedelta(minutes=29, seconds=59))
        assert "已被锁定" in _attempt(client, PASSWORD, ip="10.9.9.9").content.decode()
        clock.shift(dt.timedelta(seconds=2))
        response = _attempt(client, PASSWORD, ip="10.9.9.9")
        assert response.status_code == 302
    assert AuditEvent.objects.filter(action="accounts.lock").count() == 2


def test_four_failures_then_a_success_start_the_count_again(personas):
    client = Client()
    with time_machine.travel(START, tick=False):
        for _ in range(4):
            _attempt(client, "wrong")
        assert _attempt(client, PASSWORD).status_code == 302
        client.post("/accounts/logout/")
        for _ in range(4):
            _attempt(client, "wrong")
    assert not LoginLock.objects.exists()


def test_the_locked_address_is_refused_for_other_accounts_too(personas):
    client = Client()
    for _ in range(5):
        _attempt(client, "wrong")
    html = _attempt(client, PASSWORD, username="county").content.decode()
    assert "您所在的网络地址" in html


def test_password_spraying_from_one_address_locks_it(personas, settings):
    settings.LOGIN_MAX_FAILURES_PER_IP = 6
    client = Client()
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"]:
        _attempt(client, "wrong", username=name, ip="10.2.2.2")
    assert LoginLock.objects.filter(kind="ip", key="10.2.2.2").exists()
    assert not LoginLock.objects.filter(kind="user").exists()


def test_the_security_admin_releases_a_lock_with_a_reason_and_it_is_audited(personas):
    client = Client()
    for _ in range(5):
        _attempt(client, "wrong")
    admin = personas.client(personas.secadmin)
    assert "chengjiang" in admin.get("/accounts/locks/").content.decode()
    lock = LoginLock.objects.get(kind="user")
    refused = admin.post(f"/accounts/locks/{lock.pk}/release/", {"reason": ""})
    assert refused.status_code == 302
    lock.refresh_from_db()
    assert lock.released_at is None
    admin.post(f"/accounts/locks/{lock.pk}/release/", {"reason": "本人电话确认"})
    lock.refresh_from_db()
    assert lock.released_by == personas.secadmin
    event = AuditEvent.objects.get(action="accounts.unlock")
    assert event.reason == "本人电话确认"
    assert _attempt(client, PASSWORD, ip="10.3.3.3").status_code == 302


def test_only_the_security_admin_sees_and_releases_locks(personas):
    for name in ["sysadmin", "auditadmin", "county", "chengjiang"]:
        client = personas.client(getattr(personas, name))
        assert client.get("/accounts/locks/").status_code == 403
        assert client.post("/accounts/locks/1/release/", {"reason": "x"}).status_code == 403


def test_a_new_session_id_is_issued_at_sign_in(personas):
    client = Client()
    client.get("/accounts/login/")
    client.cookies["sessionid"] = "attacker-chosen-session-id-1234567890"
    _attempt(client, PASSWORD)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id-1234567890"
    assert client.get("/").status_code == 200
