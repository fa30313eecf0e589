"""``renkou score``: score units under an assessment scheme from the command line.

A thin shell over ``renkou.scoring``: it reads the files, calls the kernel and
writes the results. Bad input ends with exit status 2 and every problem named.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from renkou.scoring import (
    SchemeError,
    UnitsError,
    dump_results,
    load_scheme,
    read_units,
    score_units,
    write_results,
)

BAD_INPUT = 2

_HEADINGS = {
    "zh": {
        "scheme": "考核方案 {path} 有 {count} 处问题，未打分：",
        "units": "单位数据有 {count} 处问题，未打分：",
        "write": "无法写入 {path}：{error}",
    },
    "en": {
        "scheme": "the scheme {path} has {count} problem(s); nothing was scored:",
        "units": "the units have {count} problem(s); nothing was scored:",
        "write": "cannot write {path}: {error}",
    },
}


class Command(BaseCommand):
    help = (
        "按考核方案为各单位打分并说明每一分 / "
        "Score units under an assessment scheme, explaining every point."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--scheme", required=True, help="YAML or JSON scheme file")
        parser.add_argument("--units", required=True, help="units as JSON, CSV or XLSX")
        parser.add_argument(
            "--out", help="results file (.json, .csv or .xlsx); JSON to stdout if absent"
        )
        parser.add_argument(
            "--lang", choices=("zh", "en"), default="zh", help="language of explanations"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="treat a missing figure as an error, not a warning",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lang: str = options["lang"]
        headings = _HEADINGS[lang]
        scheme_path: str = options["scheme"]
        try:
            scheme = load_scheme(scheme_path, lang=lang)
        except SchemeError as error:
            heading = headings["scheme"].format(path=scheme_path, count=len(error.problems))
            raise CommandError(
                "\n".join([heading, *error.lines()]), returncode=BAD_INPUT
            ) from error
        try:
            units = read_units(options["units"], lang=lang)
            results = score_units(scheme, units, lang=lang, strict=options["strict"])
        except UnitsError as error:
            heading = headings["units"].format(count=len(error.problems))
            raise CommandError(f"{heading}\n{error.describe()}", returncode=BAD_INPUT) from error
        for warning in results.warnings:
            self.stderr.write(warning)
        out: str | None = options["out"]
        if out is None:
            self.stdout.write(dump_results(results), ending="")
            return
        try:
            write_results(results, out)
        except (UnitsError, OSError) as error:
            message = headings["write"].format(path=out, error=error)
            raise CommandError(message, returncode=BAD_INPUT) from error
