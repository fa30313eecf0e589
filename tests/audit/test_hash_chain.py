from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from renkou.audit.actions import record_event
from renkou.audit.chain import verify_chain
from renkou.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _rows(n: int) -> list[AuditEvent]:
    return [
        record_event(actor=None, action="test.event", object_repr=f"对象{i}", changes={"i": i})
        for i in range(n)
    ]


def _raw(sql: str, params: list[int | str]) -> None:
    """Tamper the way someone with database access would (on PostgreSQL that
    means a superuser switching the append-only trigger off)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_each_row_links_to_the_previous_one():
    rows = _rows(3)
    assert [row.seq for row in rows] == [1, 2, 3]
    assert rows[1].prev_digest == rows[0].digest
    assert rows[2].prev_digest == rows[1].digest
    assert verify_chain().ok
    assert verify_chain().checked == 3


def test_verify_names_a_row_changed_directly_in_the_database(capsys):
    rows = _rows(5)
    _raw("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["改过了", rows[2].pk])
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    assert f"序号3（编号{rows[2].pk}）" in str(caught.value)
    assert "被修改" in str(caught.value)


def test_verify_notices_a_deleted_row():
    rows = _rows(4)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    report = verify_chain()
    assert report.first_broken_seq == 2
    assert "被删除" in report.reason


def test_verify_notices_a_removed_tail():
    rows = _rows(3)
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [rows[2].pk])
    assert verify_chain().first_broken_seq == 3


def test_a_healthy_chain_verifies(capsys):
    _rows(3)
    call_command("audit", "verify")
    assert "审计链完好：已校验3条记录" in capsys.readouterr().out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_update_and_delete_of_audit_rows():
    rows = _rows(2)
    for sql in [
        "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [rows[0].pk])
    assert AuditEvent.objects.get(pk=rows[0].pk).reason == ""


def test_prune_refuses_rows_younger_than_the_retention_period():
    _rows(2)
    with pytest.raises(CommandError, match="至少保留180天"):
        call_command("audit", "prune", "--before", dt.date.today().isoformat(), "--reason", "x")
    assert AuditEvent.objects.count() == 2


def test_prune_removes_old_rows_and_the_rest_still_verifies(capsys):
    with time_machine.travel(dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        _rows(3)
    with time_machine.travel(dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC), tick=False):
        _rows(2)
        call_command("audit", "prune", "--before", "2025-06-01", "--reason", "超过保留期")
    assert AuditEvent.objects.filter(action="test.event").count() == 2
    assert AuditEvent.objects.filter(action="audit.prune").count() == 1
    report = verify_chain()
    assert report.ok, report.reason
    assert report.checked == 3


def test_prune_rejects_a_malformed_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("audit", "prune", "--before", "昨天", "--reason", "x")
