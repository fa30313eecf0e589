from __future__ import annotations

import time
import tracemalloc
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.orgunits.models import OrgUnit
from renkou.reporting.rollups import recompute_year


class Command(BaseCommand):
    help = (
        "重新计算某一年全部单位、全部期间的指标（月、季、年、累计）。"
        " Recompute every indicator for every unit and period of a year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--scope", help="只重算该单位及其下级（以及它的上级），如 331003")
        parser.add_argument("--memory", action="store_true", help="同时报告峰值内存（较慢）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 1900 <= year <= 2200:
            raise CommandError("年份应在 1900–2200 之间。")
        scope = None
        if options["scope"]:
            scope = OrgUnit.objects.filter(code=options["scope"]).first()
            if scope is None:
                raise CommandError(f"没有这个单位：{options['scope']}")
        if options["memory"]:
            tracemalloc.start()
        started = time.perf_counter()
        run = recompute_year(year=year, root=scope)
        elapsed = time.perf_counter() - started
        where = scope.name if scope else "全部单位"
        self.stdout.write(
            f"{year}年 {where}：{run.units}个单位、{run.values}个数值，用时 {elapsed:.1f} 秒"
        )
        if options["memory"]:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(f"峰值内存（Python 分配）{peak / 2**20:.0f} MiB")
