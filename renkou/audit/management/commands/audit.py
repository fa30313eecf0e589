from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.audit.chain import verify_chain
from renkou.audit.retention import RetentionError, do_prune_audit


class Command(BaseCommand):
    help = (
        "审计日志：verify 校验哈希链；prune 清理超过保留期的记录。"
        " Audit log: verify the chain, prune old rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验哈希链，报告第一条被改动的记录")
        prune = sub.add_parser("prune", help="删除某日期之前的记录（至少保留180天）")
        prune.add_argument("--before", required=True, help="YYYY-MM-DD")
        prune.add_argument("--reason", required=True, help="清理依据")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            report = verify_chain()
            if report.ok:
                self.stdout.write(f"审计链完好：已校验{report.checked}条记录。")
                return
            where = f"序号{report.first_broken_seq}" + (
                f"（编号{report.first_broken_id}）" if report.first_broken_id else ""
            )
            raise CommandError(
                f"审计链在{where}处断开：{report.reason}。此前{report.checked}条完好。"
            )
        try:
            day = dt.date.fromisoformat(options["before"])
        except ValueError as exc:
            raise CommandError("--before 应为 YYYY-MM-DD 格式的日期") from exc
        before = dt.datetime.combine(day, dt.time.min, ZoneInfo(settings.TIME_ZONE))
        try:
            deleted = do_prune_audit(before=before, reason=options["reason"])
        except RetentionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已清理{deleted}条记录；审计链已从新的起点继续校验。")
