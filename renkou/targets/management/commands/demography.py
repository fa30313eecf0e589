"""``renkou demography lifetable|project --input FILE.json``: the kernel, for scripts.

The input is a JSON object whose keys are the keyword arguments of
:func:`renkou.demography.life_table` or :func:`renkou.demography.project`
(plus ``ages`` and, for a projection, ``step``); the result is printed as JSON.
``--input -`` reads standard input. Bad input stops the command with a
one-line reason naming the argument.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.demography import DemographyError, leslie, life_table, project

LIFETABLE_KEYS = {
    "ages": True,
    "deaths": False,
    "population": False,
    "mx": False,
    "ax": False,
    "sex": False,
    "radix": False,
    "a0_rule": False,
    "ax_rule": False,
}
PROJECT_KEYS = {
    "ages": True,
    "step": True,
    "female_population": True,
    "female_Lx": True,
    "asfr": True,
    "srb": False,
    "male_population": False,
    "male_Lx": False,
    "radix": False,
    "migration": False,
    "migration_timing": False,
    "steps": False,
}


def _arguments(data: Mapping[str, Any], known: Mapping[str, bool], action: str) -> dict[str, Any]:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise CommandError(
            f"--input: unknown key {unknown[0]!r} for {action} (known: {', '.join(known)})"
        )
    for key, required in known.items():
        if required and key not in data:
            raise CommandError(f"--input: {key!r} is required for {action}")
    return dict(data)


def _lifetable(data: Mapping[str, Any]) -> dict[str, Any]:
    arguments = _arguments(data, LIFETABLE_KEYS, "lifetable")
    ages = arguments.pop("ages")
    return life_table(ages, **arguments).to_dict()


def _migration(value: Any) -> Any:
    # Scripts may name the sexes rather than rely on row order.
    if isinstance(value, Mapping):
        if set(value) != {"female", "male"}:
            raise CommandError("migration: as an object it needs exactly 'female' and 'male'")
        return [value["female"], value["male"]]
    return value


def _project(data: Mapping[str, Any]) -> dict[str, Any]:
    arguments = _arguments(data, PROJECT_KEYS, "project")
    ages = arguments.pop("ages")
    step = arguments.pop("step")
    if "migration" in arguments and arguments["migration"] is not None:
        arguments["migration"] = _migration(arguments["migration"])
    projection = project(ages, step, **arguments)
    matrix = leslie(
        ages,
        step,
        female_Lx=arguments["female_Lx"],
        asfr=arguments["asfr"],
        srb=arguments.get("srb", 105.0),
        male_Lx=arguments.get("male_Lx"),
        radix=arguments.get("radix", 100_000),
    )
    return {"projection": projection.to_dict(), "leslie": matrix.to_dict()}


ACTIONS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "lifetable": _lifetable,
    "project": _project,
}


class Command(BaseCommand):
    help = (
        "Build a life table or run a cohort-component projection from a JSON file "
        "and print the result as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=sorted(ACTIONS), help="what to compute")
        parser.add_argument(
            "--input",
            required=True,
            metavar="FILE.json",
            help="JSON object with the arguments; '-' reads standard input",
        )
        parser.add_argument(
            "--indent", type=int, default=None, help="indent the JSON output by this many spaces"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = self._read(str(options["input"]))
        try:
            result = ACTIONS[options["action"]](data)
        except DemographyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=options["indent"]))

    def _read(self, name: str) -> Mapping[str, Any]:
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"--input: cannot read {name}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"--input: {name} is not UTF-8 text") from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"--input: not valid JSON ({error.msg}, line {error.lineno} column {error.colno})"
            ) from error
        if not isinstance(data, dict):
            raise CommandError("--input: must hold a JSON object of named arguments")
        return data
