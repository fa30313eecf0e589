from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkou.accounts.actions import do_grant_role
from renkou.accounts.models import Role
from renkou.audit.actions import record_event
from renkou.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_audit_admin_filters_by_action_and_actor(personas):
    do_grant_role(
        acting_user=personas.secadmin, user=personas.norole, role=Role.LEADER, reason="任命文件"
    )
    record_event(actor=personas.county, action="orgunits.update", object_repr="澄江街道")
    client = personas.client(personas.auditadmin)
    html = client.get("/audit/", {"action": "accounts.grant_role"}).content.decode()
    assert "任命文件" in html
    assert "orgunits.update" not in html
    html = client.get("/audit/", {"actor": "county"}).content.decode()
    assert "orgunits.update" in html and "任命文件" not in html


def test_a_reversed_date_range_is_explained(personas):
    html = (
        personas.client(personas.auditadmin)
        .get("/audit/", {"since": "2026-05-01", "until": "2026-04-01"})
        .content.decode()
    )
    assert "起始日期不能晚于截止日期" in html


def test_the_export_is_a_csv_excel_can_open_and_is_itself_audited(personas):
    do_grant_role(
        acting_user=personas.secadmin,
        user=personas.norole,
        role=Role.LEADER,
        reason="=HYPERLINK(1)",
    )
    response = personas.client(personas.auditadmin).get("/audit/export.csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:5] == ["编号", "时间", "操作人", "IP", "操作"]
    grant = next(r for r in rows if r[4] == "accounts.grant_role")
    assert grant[10] == "'=HYPERLINK(1)"  # neutralised for Excel
    assert AuditEvent.objects.filter(action="audit.export", actor=personas.auditadmin).count() == 1


def test_other_roles_cannot_read_or_export_the_log(personas):
    for name in ["county", "sysadmin", "secadmin", "chengjiang", "leader"]:
        client = personas.client(getattr(personas, name))
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403


def test_the_audit_list_query_count_does_not_grow_with_rows(personas):
    client = personas.client(personas.auditadmin)
    with CaptureQueriesContext(connection) as before:
        client.get("/audit/")
    for n in range(30):
        record_event(actor=personas.county, action="test.event", object_repr=f"对象{n}")
    with CaptureQueriesContext(connection) as after:
        client.get("/audit/")
    assert len(after) == len(before)
