from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from renkou.security.selfcheck import findings


class Command(BaseCommand):
    help = "安全自查：列出当前配置中不安全或需注意之处。Self-check of the running configuration."

    def handle(self, *args: Any, **options: Any) -> None:
        found = findings()
        for finding in found:
            self.stdout.write(f"[{finding.level}] {finding.message}")
        unsafe = [f for f in found if f.level == "危险"]
        if unsafe:
            raise CommandError(f"发现{len(unsafe)}项不安全配置，详见上文。")
        self.stdout.write("未发现不安全配置。")
