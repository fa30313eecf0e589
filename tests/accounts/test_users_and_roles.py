from __future__ import annotations

import pytest

from renkou.accounts.models import Role, User
from renkou.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_system_admin_creates_an_account_without_a_role(personas):
    client = personas.client(personas.sysadmin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "wang",
            "full_name": "王五",
            "phone": "13800000000",
            "home_unit": "331003006",
            "password": "Strong-pass-77",
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="wang")
    assert created.role == ""
    assert created.home_unit.code == "331003006"
    event = AuditEvent.objects.get(action="accounts.create_user")
    assert event.actor == personas.sysadmin
    assert event.object_id == str(created.pk)
    assert event.changes["phone"] == [None, "******"]
    assert "password" not in event.changes


def test_creating_an_account_with_bad_input_gives_chinese_messages_and_writes_nothing(personas):
    client = personas.client(personas.sysadmin)
    before = (User.objects.count(), AuditEvent.objects.count())
    response = client.post(
        "/accounts/users/new/",
        {"username": "bad name!", "full_name": "", "home_unit": "440000", "password": "123"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "登录名只能包含" in html
    assert "不在您的管辖范围内" in html
    assert "这个字段是必填项" in html
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_the_system_admin_cannot_create_an_account_outside_its_county(personas):
    response = personas.client(personas.sysadmin).post(
        "/accounts/users/new/",
        {
            "username": "x1",
            "full_name": "某",
            "home_unit": "331002001",
            "password": "Strong-pass-77",
        },
    )
    assert "不在您的管辖范围内" in response.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_the_system_admin_cannot_grant_roles(personas):
    response = personas.client(personas.sysadmin).post(
        f"/accounts/users/{personas.norole.pk}/role/", {"role": Role.COUNTY_ASSESSOR, "reason": "x"}
    )
    assert response.status_code == 403
    personas.norole.refresh_from_db()
    assert personas.norole.role == ""


def test_the_security_admin_grants_a_role_with_a_reason(personas):
    response = personas.client(personas.secadmin).post(
        f"/accounts/users/{personas.norole.pk}/role/",
        {"role": Role.LEADER, "reason": "区政府分管领导任命"},
    )
    assert response.status_code == 302
    personas.norole.refresh_from_db()
    assert personas.norole.role == Role.LEADER
    event = AuditEvent.objects.get(action="accounts.grant_role")
    assert event.changes == {"role": ["", "leader"]}
    assert event.reason == "区政府分管领导任命"
    assert event.actor == personas.secadmin


def test_the_security_admin_cannot_grant_itself_a_role(personas):
    response = personas.client(personas.secadmin).post(
        f"/accounts/users/{personas.secadmin.pk}/role/", {"role": Role.AUDIT_ADMIN, "reason": "x"}
    )
    assert response.status_code == 403
    personas.secadmin.refresh_from_db()
    assert personas.secadmin.role == Role.SECURITY_ADMIN


def test_one_person_cannot_move_straight_from_one_admin_post_to_another(personas):
    response = personas.client(personas.secadmin).post(
        f"/accounts/users/{personas.sysadmin.pk}/role/", {"role": Role.AUDIT_ADMIN, "reason": "x"}
    )
    assert "三员分立" in response.content.decode()
    personas.sysadmin.refresh_from_db()
    assert personas.sysadmin.role == Role.SYSTEM_ADMIN


def test_a_role_must_fit_the_level_of_the_home_unit(personas):
    response = personas.client(personas.secadmin).post(
        f"/accounts/users/{personas.norole.pk}/role/", {"role": Role.VILLAGE_WORKER, "reason": "x"}
    )
    assert "不能设在" in response.content.decode()
    personas.norole.refresh_from_db()
    assert personas.norole.role == ""


def test_the_security_admin_cannot_edit_accounts_or_org_units(personas):
    client = personas.client(personas.secadmin)
    assert (
        client.post(f"/accounts/users/{personas.county.pk}/", {"full_name": "x"}).status_code == 403
    )
    response = client.post("/org/331003006/edit/", {"name": "改名", "reason": "x"})
    assert response.status_code == 403
    assert (
        AuditEvent.objects.filter(action__in=["orgunits.update", "accounts.update_user"]).count()
        == 0
    )


def test_the_audit_admin_can_do_nothing_but_read_the_audit_log(personas):
    client = personas.client(personas.auditadmin)
    assert client.get("/audit/").status_code == 200
    for url, data in [
        ("/accounts/users/new/", {"username": "q"}),
        (f"/accounts/users/{personas.norole.pk}/role/", {"role": "leader", "reason": "x"}),
        ("/org/331003006/edit/", {"name": "x", "reason": "x"}),
        ("/org/import/", {}),
        ("/accounts/tokens/", {"name": "x"}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert client.get("/api/v1/orgunits").status_code == 403


def test_disabling_an_account_is_audited_and_cannot_target_oneself(personas):
    client = personas.client(personas.sysadmin)
    response = client.post(
        f"/accounts/users/{personas.village.pk}/",
        {"full_name": "村专干", "phone": "", "home_unit": "331003006200", "reason": "调离"},
    )
    assert response.status_code == 302
    personas.village.refresh_from_db()
    assert personas.village.is_active is False
    event = AuditEvent.objects.get(action="accounts.update_user")
    assert event.changes["is_active"] == [True, False]
    assert event.changes["full_name"] == ["village", "村专干"]
    own = client.post(
        f"/accounts/users/{personas.sysadmin.pk}/",
        {"full_name": "x", "home_unit": "331003", "reason": "x"},
    )
    assert "不能停用自己的账号" in own.content.decode()


def test_a_system_admin_cannot_open_an_account_outside_its_scope(personas):
    outsider = User.objects.create(username="jiaojiang", home_unit=personas.county.home_unit.parent)
    assert (
        personas.client(personas.sysadmin).get(f"/accounts/users/{outsider.pk}/").status_code == 404
    )


def test_a_township_officer_cannot_see_accounts(personas):
    assert personas.client(personas.chengjiang).get("/accounts/users/").status_code == 403
