from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.catalog.models import DataSet
from renkou.orgunits.models import OrgUnit
from renkou.periods import PeriodError
from renkou.reporting.api import parse_periods
from renkou.reporting.exchange import export_rows, to_csv, to_json


class Command(BaseCommand):
    help = "导出数据值（dataValueSets CSV 或 JSON）。 Export values as a dataValueSets file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-set", required=True, help="报表编码，如 village_monthly")
        parser.add_argument("--period", required=True, help="如 202501，或 202501:202512")
        parser.add_argument("--orgunit", required=True, help="单位代码；默认含全部下级")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument("-o", "--output", help="输出文件；省略则输出到屏幕")

    def handle(self, *args: Any, **options: Any) -> None:
        data_set = DataSet.objects.filter(code=options["data_set"]).first()
        if data_set is None:
            raise CommandError(f"没有这个报表：{options['data_set']}")
        root = OrgUnit.objects.filter(code=options["orgunit"]).first()
        if root is None:
            raise CommandError(f"没有这个单位：{options['orgunit']}")
        try:
            periods = parse_periods(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        rows = export_rows(data_set, periods, root)
        text = (
            to_csv(rows)
            if options["format"] == "csv"
            else json.dumps(to_json(rows), ensure_ascii=False)
        )
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"已导出 {len(rows)} 个值到 {options['output']}")
        else:
            sys.stdout.write(text)
