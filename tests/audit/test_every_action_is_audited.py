"""Every action writes exactly one audit row naming actor, object and changed fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkou.accounts import actions as account_actions
from renkou.accounts.models import ApiToken, Role, User
from renkou.audit.models import AuditEvent
from renkou.jobs.actions import do_create_job
from renkou.orgunits import actions as org_actions
from renkou.orgunits.models import OrgUnit, RegionClass

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent.parent / "data"


def _one_new_row(before: int) -> AuditEvent:
    assert AuditEvent.objects.count() == before + 1
    return AuditEvent.objects.latest("id")


def test_create_user(personas):
    before = AuditEvent.objects.count()
    user = account_actions.do_create_user(
        acting_user=personas.sysadmin,
        username="a1",
        full_name="甲",
        phone="",
        home_unit=OrgUnit.objects.get(code="331003006"),
        password="Strong-pass-77",
    )
    row = _one_new_row(before)
    assert (row.actor, row.action, row.object_id) == (
        personas.sysadmin,
        "accounts.create_user",
        str(user.pk),
    )
    assert row.changes["username"] == [None, "a1"]


def test_update_user(personas):
    before = AuditEvent.objects.count()
    account_actions.do_update_user(
        acting_user=personas.sysadmin,
        user=personas.village,
        full_name="新名",
        phone="",
        home_unit=personas.village.home_unit,
        is_active=True,
    )
    row = _one_new_row(before)
    assert row.object_id == str(personas.village.pk)
    assert row.changes == {"full_name": ["village", "新名"]}


def test_update_user_without_changes_writes_nothing(personas):
    before = AuditEvent.objects.count()
    account_actions.do_update_user(
        acting_user=personas.sysadmin,
        user=personas.village,
        full_name="village",
        phone="",
        home_unit=personas.village.home_unit,
        is_active=True,
    )
    assert AuditEvent.objects.count() == before


def test_reset_password_masks_the_value(personas):
    before = AuditEvent.objects.count()
    account_actions.do_reset_password(
        acting_user=personas.sysadmin, user=personas.village, password="New-pass-888"
    )
    row = _one_new_row(before)
    assert row.changes == {"password": ["******", "******"]}
    assert "New-pass-888" not in str(row.changes)


def test_grant_role(personas):
    before = AuditEvent.objects.count()
    account_actions.do_grant_role(
        acting_user=personas.secadmin, user=personas.norole, role=Role.LEADER, reason="任命"
    )
    row = _one_new_row(before)
    assert (row.actor, row.changes, row.reason) == (
        personas.secadmin,
        {"role": ["", "leader"]},
        "任命",
    )


def test_tokens(personas):
    before = AuditEvent.objects.count()
    token, raw = account_actions.do_create_api_token(acting_user=personas.county, name="脚本")
    row = _one_new_row(before)
    assert row.object_id == str(token.pk)
    assert raw not in str(row.changes) and raw not in row.object_repr
    account_actions.do_revoke_api_token(acting_user=personas.county, token=token)
    row = _one_new_row(before + 1)
    assert row.action == "accounts.revoke_token"
    assert ApiToken.objects.get().revoked_at is not None


def test_update_orgunit(personas):
    before = AuditEvent.objects.count()
    unit = OrgUnit.objects.get(code="331003006")
    org_actions.do_update_orgunit(
        acting_user=personas.sysadmin,
        unit=unit,
        name="澄江",
        region_class=None,
        closed_on=None,
        successor=None,
        reason="简称",
    )
    row = _one_new_row(before)
    assert (row.object_id, row.changes) == (str(unit.pk), {"name": ["澄江街道", "澄江"]})


def test_import_divisions_writes_one_row_for_the_whole_file(db, tmp_path):
    before = AuditEvent.objects.count()
    org_actions.import_divisions(acting_user=None, source=DATA / "divisions_small.csv")
    row = _one_new_row(before)
    assert row.action == "orgunits.import"
    assert row.changes["created"] == 15
    assert row.actor_name == "system"


def test_assign_region_classes(personas):
    before = AuditEvent.objects.count()
    street = RegionClass.objects.create(code="street", name="街道")
    count = org_actions.do_assign_region_classes(
        acting_user=personas.sysadmin,
        root=OrgUnit.objects.get(code="331003"),
        rule={"街道": street},
    )
    assert count == 2
    row = _one_new_row(before)
    assert row.changes["assigned"] == 2


def test_create_job(personas):
    before = AuditEvent.objects.count()
    job = do_create_job(
        acting_user=personas.sysadmin, kind="orgunits.import_divisions", title="t", params={}
    )
    row = _one_new_row(before)
    assert (row.object_id, row.changes) == (str(job.pk), {"kind": "orgunits.import_divisions"})


def test_login_and_logout_through_the_pages(client, personas):
    from tests.conftest import PASSWORD

    before = AuditEvent.objects.count()
    client.post("/accounts/login/", {"username": "county", "password": PASSWORD})
    row = _one_new_row(before)
    assert (row.action, row.actor) == ("accounts.login", personas.county)
    assert row.ip == "127.0.0.1"
    client.post("/accounts/logout/")
    assert _one_new_row(before + 1).action == "accounts.logout"
    client.post("/accounts/login/", {"username": "county", "password": "wrong"})
    failed = _one_new_row(before + 2)
    assert (failed.action, failed.actor, failed.object_repr) == (
        "accounts.login_failed",
        None,
        "county",
    )


def test_audit_rows_cannot_be_changed_or_deleted(personas):
    account_actions.do_grant_role(
        acting_user=personas.secadmin, user=personas.norole, role=Role.LEADER, reason="x"
    )
    row = AuditEvent.objects.order_by("-id").first()
    row.reason = "tampered"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=row.pk).reason == "x"
    assert User.objects.get(pk=personas.norole.pk).role == Role.LEADER
