from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from renkou.accounts.actions import do_reset_password
from renkou.accounts.password_policy import character_classes
from renkou.audit.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Ab1!", False),  # too short
        ("abcdefgh", False),  # one class
        ("abcdefg1", False),  # two classes
        ("kdjxqe7!", True),  # three classes
        ("Qzvwmt48", True),
        ("Password1", False),  # common
        ("12345678", False),  # numeric and common
    ],
)
def test_the_default_policy(personas, password, ok):
    user = personas.village
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError):
            validate_password(password, user)


def test_character_classes_are_counted():
    assert character_classes("abc") == 1
    assert character_classes("aB3") == 3
    assert character_classes("aB3#") == 4
    assert character_classes("密码ab12") == 3  # Chinese characters count as "other"


def test_the_composition_rule_can_be_turned_off(personas, settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        v for v in settings.AUTH_PASSWORD_VALIDATORS if "CharacterClasses" not in v["NAME"]
    ]
    validate_password("correcthorsebatterystaple", personas.village)


def _change(client: Client, old: str, new: str):
    return client.post(
        "/accounts/password/", {"old_password": old, "new_password": new, "new_password2": new}
    )


def test_a_new_password_cannot_repeat_the_last_five(personas):
    client = personas.client(personas.village)
    passwords = [PASSWORD, "Aa-100001", "Aa-100002", "Aa-100003", "Aa-100004", "Aa-100005"]
    for old, new in itertools.pairwise(passwords):
        assert _change(client, old, new).status_code == 302
    html = _change(client, "Aa-100005", "Aa-100001").content.decode()
    assert "最近5次" in html
    # The current password and the four before it are the last five.
    assert _change(client, "Aa-100005", PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(action="accounts.change_password").count() == 6


def test_a_user_created_by_the_admin_must_change_the_password_at_first_sign_in(personas):
    admin = personas.client(personas.sysadmin)
    admin.post(
        "/accounts/users/new/",
        {
            "username": "newbie",
            "full_name": "新人",
            "home_unit": "331003",
            "password": "Start-pass-1",
        },
    )
    client = Client()
    client.post("/accounts/login/", {"username": "newbie", "password": "Start-pass-1"})
    response = client.get("/org/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/"
    assert "首次登录" in client.get("/accounts/password/").content.decode()
    wrong = _change(client, "not-it", "Better-pass-2").content.decode()
    assert "当前密码不正确" in wrong
    assert _change(client, "Start-pass-1", "Better-pass-2").status_code == 302
    assert client.get("/").status_code == 200


def test_a_reset_password_must_be_changed_by_its_owner(personas):
    do_reset_password(acting_user=personas.sysadmin, user=personas.village, password="Reset-pass-9")
    client = Client()
    client.post("/accounts/login/", {"username": "village", "password": "Reset-pass-9"})
    assert client.get("/")["Location"] == "/accounts/password/"


def test_a_password_expires_after_ninety_days(personas):
    user = personas.chengjiang
    user.password_changed_at = timezone.now()
    user.save()
    client = personas.client(user)
    assert client.get("/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        client = personas.client(user)
        response = client.get("/")
        assert response["Location"] == "/accounts/password/"
        assert "有效期" in client.get("/accounts/password/").content.decode()


def test_rotation_can_be_turned_off(personas, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    user = personas.chengjiang
    user.password_changed_at = timezone.now() - dt.timedelta(days=400)
    user.save()
    assert personas.client(user).get("/").status_code == 200


def test_a_session_ends_after_thirty_idle_minutes_and_activity_extends_it(personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = personas.client(personas.chengjiang)
        for _ in range(4):
            clock.shift(dt.timedelta(minutes=25))
            assert client.get("/").status_code == 200  # each visit slides the window
        clock.shift(dt.timedelta(minutes=31))
        response = client.get("/org/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
        assert client.get("/").status_code == 200  # the sign-in page
        assert "_auth_user_id" not in client.session


def test_a_session_ends_after_twelve_hours_however_active(personas):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = personas.client(personas.chengjiang)
        for _ in range(12 * 3):
            clock.shift(dt.timedelta(minutes=20))
            client.get("/healthz")
        clock.shift(dt.timedelta(minutes=1))
        response = client.get("/org/")
        assert response["Location"].startswith("/accounts/login/")


def test_disabling_a_user_ends_their_sessions_at_once(personas):
    client = personas.client(personas.village)
    assert client.get("/org/").status_code == 200
    personas.client(personas.sysadmin).post(
        f"/accounts/users/{personas.village.pk}/",
        {"full_name": "x", "home_unit": "331003006200", "reason": "离职"},
    )
    response = client.get("/org/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
