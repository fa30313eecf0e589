from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.security.backup import BackupError, Manifest, restore_postgresql, restore_sqlite


class Command(BaseCommand):
    help = "把备份恢复到一个空数据库。Restore a backup into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="备份文件夹")
        parser.add_argument(
            "--database-url",
            required=True,
            help="目标空数据库，如 sqlite:////srv/new.sqlite3 或 postgres://…/renkou_new",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["path"])
        target = dj_database_url.parse(options["database_url"])
        try:
            vendor = Manifest.read(folder).vendor
            if vendor == "sqlite":
                if "sqlite" not in target["ENGINE"]:
                    raise BackupError("SQLite 备份只能恢复到 sqlite:// 目标")
                report = restore_sqlite(folder, Path(str(target["NAME"])))
            else:
                if "postgresql" not in target["ENGINE"]:
                    raise BackupError("PostgreSQL 备份只能恢复到 postgres:// 目标")
                report = restore_postgresql(folder, dict(target))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not report.ok:
            raise CommandError("恢复后校验不符：" + "；".join(report.mismatches[:10]))
        self.stdout.write(
            f"已恢复{len(report.tables)}张表，逐表行数与校验值均与备份一致，用时{report.seconds:.1f}秒。"
        )
