"""The ``renkou`` console script: Django's management commands, with ours first.

``renkou import-divisions …`` and ``renkou import_divisions …`` are the same
command; ``renkou help`` lists Renkou's own commands, ``renkou help --all``
everything Django offers too.
"""

from __future__ import annotations

import os
import sys

OWN_APPS_PREFIX = "renkou."


def _own_commands() -> list[tuple[str, str]]:
    import django
    from django.core.management import get_commands, load_command_class

    django.setup()
    found: list[tuple[str, str]] = []
    for name, app in sorted(get_commands().items()):
        if not app.startswith(OWN_APPS_PREFIX) and name != "runserver":
            continue
        command = load_command_class(app, name)
        found.append((name.replace("_", "-"), str(command.help).split("\n")[0]))
    return found


def _print_help() -> None:
    print("用法 / usage: renkou <command> [options]\n")
    print("人口家庭工作目标管理平台的命令 / Renkou commands:")
    for name, text in _own_commands():
        print(f"  {name:<20} {text}")
    print("\nrenkou help <command>  查看某个命令的参数 / options of one command")
    print("renkou help --all      同时列出 Django 的全部命令 / every Django command too")


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkou.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) == 1 or args[1:] in (["help"], ["--help"], ["-h"]):
        _print_help()
        return
    if args[1:] == ["help", "--all"]:
        args = [args[0], "help"]
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    if len(args) > 2 and args[1] == "help":
        args[2] = args[2].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
