from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from renkou.accounts.actions import do_grant_role
from renkou.accounts.models import Role, User


class Command(BaseCommand):
    help = (
        "授予或撤销角色（须以安全管理员身份，三员分立）。"
        " Grant or clear a role, acting as a security admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", help="角色代码，或 none 表示撤销：" + ", ".join(Role.values))
        parser.add_argument("--by", required=True, help="执行操作的安全管理员账号")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        target = User.objects.filter(username=options["username"]).first()
        if actor is None or target is None:
            raise CommandError("账号不存在或已停用。")
        role = "" if options["role"] == "none" else options["role"]
        try:
            do_grant_role(acting_user=actor, user=target, role=role, reason=options["reason"])
        except (PermissionDenied, ValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(f"{message}（只有安全管理员可以授予角色）") from exc
        self.stdout.write(f"{target.username} 的角色：{target.get_role_display() or '无'}")
