"""Backup → restore drill, on SQLite and on PostgreSQL, with identical checksums."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from renkou.audit.models import AuditEvent
from renkou.security.backup import Manifest

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_then_drill_restores_identical_tables(personas, tmp_path: Path, settings, capsys):
    upload = Path(settings.MEDIA_ROOT) / "job-errors" / "x.csv"
    upload.parent.mkdir(parents=True)
    upload.write_text("文件,行号\n", encoding="utf-8")
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    manifest = Manifest.read(out)
    assert manifest.vendor == connection.vendor
    assert manifest.tables["orgunits_orgunit"].rows == 15
    assert manifest.tables["accounts_user"].rows == 9
    assert "media/job-errors/x.csv" in manifest.files
    call_command("backup_drill", "--from", str(out))
    output = capsys.readouterr().out
    assert "逐表行数和校验值全部一致" in output
    assert "恢复用时（RTO）" in output
    assert AuditEvent.objects.filter(action="security.backup_drill", changes__ok=True).count() == 1


def test_a_fresh_drill_backs_up_first(personas, capsys):
    call_command("backup_drill")
    assert "全部一致" in capsys.readouterr().out


def test_a_corrupted_backup_is_refused(personas, tmp_path: Path):
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    dump = next(p for p in out.iterdir() if p.name.startswith("database"))
    with dump.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00garbage\x00")
    with pytest.raises(CommandError, match="校验值不符"):
        call_command("backup_drill", "--from", str(out))


def test_backup_refuses_a_folder_that_is_not_empty(tmp_path: Path, units):
    (tmp_path / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        call_command("backup", "--out", str(tmp_path))


@pytest.mark.skipif(connection.vendor != "sqlite", reason="restoring to a SQLite file")
def test_restore_refuses_a_database_that_is_not_empty(personas, tmp_path: Path):
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out))
    target = tmp_path / "target.sqlite3"
    call_command("restore", str(out), "--database-url", f"sqlite:///{target}")
    with pytest.raises(CommandError, match="不为空"):
        call_command("restore", str(out), "--database-url", f"sqlite:///{target}")
