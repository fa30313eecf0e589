from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.catalog.actions import do_import_catalog
from renkou.catalog.document import CatalogFileError, check_document, dump_document, load_document
from renkou.catalog.selectors import current_document, known_codes


class Command(BaseCommand):
    help = (
        "导出或导入指标目录（YAML）：renkou catalog export [文件] / renkou catalog import 文件。"
        " Export or import the indicator catalogue as YAML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("direction", choices=["export", "import"])
        parser.add_argument("path", nargs="?", help="YAML 文件；导出时省略则输出到屏幕")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不导入")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        if options["direction"] == "export":
            text = dump_document(current_document())
            if path:
                Path(path).write_text(text, encoding="utf-8")
                self.stdout.write(f"已导出到 {path}")
            else:
                sys.stdout.write(text)
            return
        if not path:
            raise CommandError("请给出要导入的 YAML 文件。 Give the YAML file to import.")
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            document = check_document(load_document(source.read_bytes()), known=known_codes())
        except CatalogFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"共{len(exc.problems)}处问题，未导入任何内容。"
                f" {len(exc.problems)} problem(s); nothing imported."
            ) from exc
        if options["dry_run"]:
            self.stdout.write("检查通过（未导入）。")
            return
        report = do_import_catalog(acting_user=None, document=document, source_label=source.name)
        self.stdout.write(report.summary())
