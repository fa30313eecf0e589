from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.accounts.actions import do_break_glass, do_end_break_glass
from renkou.accounts.models import User


class Command(BaseCommand):
    help = (
        "应急授权（break-glass）：在有限时间内给一个账号全部权限（审计日志除外），全程审计。"
        " Time-limited, audited emergency access."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--hours", type=float, default=2.0, help="时长（最多4小时）")
        parser.add_argument("--reason", default="", help="应急原因（必填，结束时可省略）")
        parser.add_argument("--end", action="store_true", help="提前结束应急授权")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError("账号不存在或已停用。")
        operator = getpass.getuser()
        if options["end"]:
            do_end_break_glass(user=user, operator=operator)
            self.stdout.write(f"已结束 {user.username} 的应急授权。")
            return
        try:
            do_break_glass(
                user=user, hours=options["hours"], reason=options["reason"], operator=operator
            )
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        self.stdout.write(
            f"{user.username} 获得应急授权至 {user.break_glass_until:%Y-%m-%d %H:%M}（已审计）。"
        )
