from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.audit.actions import record_event
from renkou.security.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份数据库和上传文件（含校验清单）。"
        " Back up the database and uploads with a checksum manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="备份写入的空文件夹")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        try:
            manifest = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(stat.rows for stat in manifest.tables.values())
        record_event(
            actor=None,
            action="security.backup",
            object_type="security.backup",
            object_repr=str(out)[:200],
            changes={"tables": len(manifest.tables), "rows": rows},
        )
        self.stdout.write(
            f"已备份到 {out}：{len(manifest.tables)}张表，{rows}行，{len(manifest.files)}个文件，"
            f"用时{manifest.seconds:.1f}秒。"
        )
