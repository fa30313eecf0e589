from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from renkou.dashboard import demo
from renkou.orgunits.importer import DivisionFileError


class Command(BaseCommand):
    help = (
        "建立演示县（台州市黄岩区）及各角色演示账号；可重复运行。Seed the demo county (idempotent)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            demo.seed(self.stdout.write)
        except DivisionFileError as exc:
            raise CommandError(f"区划数据有问题，未建立演示县：{exc.problems[0]}") from exc
        except FileNotFoundError as exc:
            raise CommandError(f"找不到区划数据（请先运行 make setup）：{exc}") from exc
        self.stdout.write("")
        self.stdout.write("演示账号 / demo logins（密码相同 / same password）：")
        for username, password, role, unit in demo.login_table():
            self.stdout.write(f"  {username:<12} {password:<12} {role}（{unit}）")
