from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from renkou.accounts.actions import do_update_user
from renkou.accounts.models import User
from renkou.audit.models import AuditEvent
from renkou.security import crypto
from renkou.security.masking import mask_id_number, mask_name, mask_phone

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def _raw_phone(user: User) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM accounts_user WHERE id = %s", [user.pk])
        return str(cursor.fetchone()[0])


def _give_phone(personas, phone: str = PHONE) -> User:
    user = personas.village
    do_update_user(
        acting_user=personas.sysadmin,
        user=user,
        full_name=user.full_name,
        phone=phone,
        home_unit=user.home_unit,
        is_active=True,
    )
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db(transaction=True)
def test_the_database_never_holds_the_clear_phone_number(personas, tmp_path: Path):
    user = _give_phone(personas)
    assert user.phone == PHONE
    stored = _raw_phone(user)
    assert stored.startswith("enc1$aes-256-gcm$")
    assert PHONE not in stored
    if connection.vendor == "sqlite":
        # Copy the whole database to a file and look through its bytes.
        copy = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        raw = copy.read_bytes()
        assert PHONE.encode() not in raw
        assert stored.encode() in raw


def test_two_users_with_one_number_store_different_ciphertexts_but_one_index(personas):
    first = _give_phone(personas)
    other = personas.chengjiang
    do_update_user(
        acting_user=personas.sysadmin,
        user=other,
        full_name="x",
        phone="139-1234-5678",
        home_unit=other.home_unit,
        is_active=True,
    )
    assert _raw_phone(first) != _raw_phone(User.objects.get(pk=other.pk))
    assert first.phone_index == User.objects.get(pk=other.pk).phone_index


def test_a_user_is_found_by_phone_through_the_blind_index(personas):
    _give_phone(personas)
    html = personas.client(personas.sysadmin).get("/accounts/users/", {"q": PHONE}).content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert "village" in table
    assert "chengjiang" not in table
    assert PHONE not in table  # the list shows the number masked
    assert "139****5678" in table


def test_viewing_the_full_number_needs_a_reason_and_is_audited(personas):
    user = _give_phone(personas)
    client = personas.client(personas.sysadmin)
    edit = client.get(f"/accounts/users/{user.pk}/").content.decode()
    assert PHONE not in edit and "139****5678" in edit
    refused = client.post(f"/accounts/users/{user.pk}/reveal/", {"reason": ""})
    assert refused.status_code == 302
    assert not AuditEvent.objects.filter(action="accounts.read_personal_data").exists()
    shown = client.post(f"/accounts/users/{user.pk}/reveal/", {"reason": "核实联系方式"})
    assert PHONE in shown.content.decode()
    event = AuditEvent.objects.get(action="accounts.read_personal_data")
    assert (event.actor, event.reason, event.changes) == (
        personas.sysadmin,
        "核实联系方式",
        {"fields": ["phone"]},
    )
    assert (
        personas.client(personas.county)
        .post(f"/accounts/users/{user.pk}/reveal/", {"reason": "x"})
        .status_code
        == 403
    )


def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_can_then_go(personas, settings):
    user = _give_phone(personas)
    old = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = crypto.new_key_text("k9") + "," + old
    assert "$k9$" not in _raw_phone(user)
    call_command("rotate_keys")
    assert "$k9$" in _raw_phone(user)
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS.split(",")[0]
    assert User.objects.get(pk=user.pk).phone == PHONE
    assert AuditEvent.objects.filter(action="security.rotate_keys").count() == 1


def test_sm4_gcm_can_be_configured(personas, settings):
    settings.FIELD_ENCRYPTION_ALGORITHM = "sm4-gcm"
    settings.FIELD_ENCRYPTION_KEYS = crypto.new_key_text("s1", "sm4-gcm")
    user = _give_phone(personas)
    assert _raw_phone(user).startswith("enc1$sm4-gcm$s1$")
    assert User.objects.get(pk=user.pk).phone == PHONE


def test_a_tampered_ciphertext_is_refused():
    stored = crypto.encrypt("110105199001011234")
    body = stored.rsplit("$", 1)
    flipped = body[1][:-6] + ("A" if body[1][-6] != "A" else "B") + body[1][-5:]
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(body[0] + "$" + flipped)


def test_masks():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("110105199001011234") == "110105********1234"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳小明") == "欧***"
    assert crypto.normalise("11010519900101123x") == "11010519900101123X"
