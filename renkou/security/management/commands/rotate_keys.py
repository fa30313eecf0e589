from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from renkou.security.crypto import CryptoError
from renkou.security.rotation import do_rotate_keys


class Command(BaseCommand):
    help = (
        "用当前密钥重新加密所有加密字段（密钥轮换）。"
        " Re-encrypt sensitive fields with the current key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = do_rotate_keys()
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in counts.items():
            self.stdout.write(f"{name}: 重新加密{count}条")
