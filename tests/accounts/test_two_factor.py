from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkou.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _require_two_factor(settings):
    settings.TWO_FACTOR_REQUIRED = True
    # Throttling (on by default, tested below) would make the next code after
    # a deliberately wrong one wait.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_guessing_is_throttled_by_default(personas, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    client = _sign_in("chengjiang")
    client.get("/accounts/2fa/enrol/")
    device = TOTPDevice.objects.get(user=personas.chengjiang, confirmed=False)
    client.post("/accounts/2fa/enrol/", {"token": "000000"})
    html = client.post("/accounts/2fa/enrol/", {"token": _code(device)}).content.decode()
    assert "验证码不正确" in html  # the right code, too soon after a wrong one
    device.refresh_from_db()
    assert device.confirmed is False


def _sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time += offset
    return f"{totp.token():0{device.digits}d}"


def _enrol(client: Client, user) -> list[str]:
    client.get("/accounts/2fa/enrol/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    html = client.post("/accounts/2fa/enrol/", {"token": _code(device)}).content.decode()
    return re.findall(r'<li class="code">(\w+)</li>', html)


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditadmin", "county"])
def test_admins_and_assessors_must_enrol_before_anything_else(personas, name):
    client = _sign_in(name)
    for url in ["/", "/org/", "/audit/", "/accounts/users/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == "/accounts/2fa/enrol/"
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    page = client.get("/accounts/2fa/enrol/").content.decode()
    assert "您的角色须使用双因素认证" in page
    assert 'src="data:image/svg+xml' in page


def test_other_roles_may_work_without_a_second_factor(personas):
    client = _sign_in("chengjiang")
    assert client.get("/org/").status_code == 200


def test_enrolment_confirms_with_a_code_and_issues_ten_backup_codes(personas):
    client = _sign_in("sysadmin")
    wrong = client.get("/accounts/2fa/enrol/")
    assert wrong.status_code == 200
    html = client.post("/accounts/2fa/enrol/", {"token": "000000"}).content.decode()
    assert "验证码不正确" in html
    codes = _enrol(client, personas.sysadmin)
    assert len(codes) == 10
    assert client.get("/org/").status_code == 200
    assert (
        AuditEvent.objects.filter(action="accounts.enable_2fa", actor=personas.sysadmin).count()
        == 1
    )


def test_the_next_sign_in_asks_for_the_code_and_a_backup_code_works_once(personas):
    codes = _enrol(_sign_in("auditadmin"), personas.auditadmin)
    client = _sign_in("auditadmin")
    assert client.get("/audit/")["Location"] == "/accounts/2fa/verify/"
    assert (
        "验证码不正确" in client.post("/accounts/2fa/verify/", {"token": "123456"}).content.decode()
    )
    assert client.post("/accounts/2fa/verify/", {"token": codes[0]}).status_code == 302
    assert client.get("/audit/").status_code == 200
    again = _sign_in("auditadmin")
    assert (
        "验证码不正确或已使用"
        in again.post("/accounts/2fa/verify/", {"token": codes[0]}).content.decode()
    )
    device = TOTPDevice.objects.get(user=personas.auditadmin)
    assert (
        again.post("/accounts/2fa/verify/", {"token": _code(device, offset=30)}).status_code == 302
    )


def test_a_user_who_chose_two_factor_is_asked_for_it_too(personas):
    client = _sign_in("chengjiang")
    _enrol(client, personas.chengjiang)
    again = _sign_in("chengjiang")
    assert again.get("/")["Location"] == "/accounts/2fa/verify/"


def test_changing_the_second_factor_needs_the_password_again(personas):
    client = _sign_in("chengjiang")
    _enrol(client, personas.chengjiang)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        response = client.get("/accounts/2fa/enrol/")
        assert response["Location"].startswith("/accounts/reauth/")
        refused = client.post("/accounts/reauth/?next=/accounts/2fa/enrol/", {"password": "wrong"})
        assert "密码不正确" in refused.content.decode()
        ok = client.post(
            "/accounts/reauth/", {"password": PASSWORD, "next": "/accounts/2fa/enrol/"}
        )
        assert ok["Location"] == "/accounts/2fa/enrol/"
        assert client.get("/accounts/2fa/enrol/").status_code == 200


def test_a_required_second_factor_cannot_be_switched_off(personas):
    client = _sign_in("secadmin")
    _enrol(client, personas.secadmin)
    client.post("/accounts/2fa/remove/")
    assert TOTPDevice.objects.filter(user=personas.secadmin, confirmed=True).exists()


def test_the_security_admin_resets_a_lost_phone_with_a_reason(personas):
    _enrol(_sign_in("chengjiang"), personas.chengjiang)
    admin = _sign_in("secadmin")
    _enrol(admin, personas.secadmin)
    admin.post(
        f"/accounts/users/{personas.chengjiang.pk}/role/", {"remove_2fa": "1", "reason": "手机丢失"}
    )
    assert not TOTPDevice.objects.filter(user=personas.chengjiang).exists()
    assert AuditEvent.objects.get(action="accounts.remove_2fa").reason == "手机丢失"


def test_the_demo_banner_shows_when_the_requirement_is_off(personas, settings):
    settings.TWO_FACTOR_REQUIRED = False
    html = personas.client(personas.county).get("/").content.decode()
    assert "演示模式" in html and "双因素认证要求已关闭" in html
    settings.TWO_FACTOR_REQUIRED = True
    html = Client().get("/").content.decode()
    assert "演示模式" not in html
