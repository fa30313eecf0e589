from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.accounts.models import User
from renkou.reporting.exchange import ExchangeFileError, import_values, kind_of


class Command(BaseCommand):
    help = (
        "导入数据值（dataValueSets 的 CSV 或 JSON，以编码标识）。"
        " Import aggregate values from a dataValueSets CSV or JSON file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", help="CSV（dataelement,period,orgunit,value[,comment]）或 JSON 文件"
        )
        parser.add_argument("--user", help="以该账号的身份和管辖范围导入（默认：系统，不限范围）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--skip-invalid", action="store_true", help="跳过有问题的行，写入其余")
        parser.add_argument("--format", choices=["csv", "json"], help="默认按文件扩展名判断")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        if not source.is_file():
            raise CommandError(f"文件不存在：{source}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"没有这个账号：{options['user']}")
        started = time.perf_counter()

        def progress(done: int, total: int, message: str) -> None:
            if message:
                self.stdout.write(message)

        try:
            summary = import_values(
                acting_user=user,
                data=source.read_bytes(),
                kind=options["format"] or kind_of(source.name),
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                source_label=source.name,
                progress=progress,
            )
        except ExchangeFileError as exc:
            raise CommandError(str(exc)) from exc
        for conflict in summary.conflicts[:50]:
            self.stderr.write(
                f"第{conflict.line}行 {conflict.field}={conflict.value}：{conflict.reason}"
            )
        if summary.status == "ERROR":
            raise CommandError(
                f"共{summary.conflict_count}处问题，未写入任何数据"
                "（可用 --skip-invalid 写入其余的行）。"
                f" {summary.conflict_count} conflict(s); nothing written."
            )
        self.stdout.write(summary.text())
        self.stdout.write(f"用时 {time.perf_counter() - started:.1f} 秒")
