from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.audit.actions import record_event
from renkou.security.backup import BackupError, drill


class Command(BaseCommand):
    help = (
        "备份恢复演练：备份后恢复到临时数据库，逐表核对行数和校验值，给出恢复用时。"
        " Backup-restore drill with table-by-table comparison and recovery time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="source", help="使用已有备份文件夹（默认先做一次新备份）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = drill(Path(options["source"]) if options["source"] else None)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record_event(
            actor=None,
            action="security.backup_drill",
            object_type="security.backup",
            changes={
                "ok": report.ok,
                "tables": report.tables,
                "rows": report.rows,
                "restore_seconds": round(report.restore_seconds, 2),
            },
        )
        self.stdout.write(
            f"备份用时：{report.backup_seconds:.1f} 秒（{report.bytes / 1e6:.1f} MB）"
        )
        self.stdout.write(f"恢复用时（RTO）：{report.restore_seconds:.1f} 秒")
        self.stdout.write(f"核对：{report.tables}张表，{report.rows}行")
        if not report.ok:
            raise CommandError("演练失败，以下表不一致：" + "；".join(report.mismatches[:20]))
        self.stdout.write("结果：逐表行数和校验值全部一致。")
