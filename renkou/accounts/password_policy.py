"""Password rules beyond Django's own: character classes and history."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters appear."""
    return sum(
        [
            any(ch in string.ascii_lowercase for ch in password),
            any(ch in string.ascii_uppercase for ch in password),
            any(ch.isdigit() for ch in password),
            any(not (ch.isascii() and ch.isalnum()) for ch in password),
        ]
    )


class CharacterClassesValidator:
    """At least ``min_classes`` of the four character classes (0 turns the rule off)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if self.min_classes and character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须包含小写字母、大写字母、数字、其他符号中的至少{self.min_classes}类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        if not self.min_classes:
            return ""
        return f"密码须包含小写字母、大写字母、数字、其他符号中的至少{self.min_classes}类。"


class PasswordHistoryValidator:
    """Not one of the last ``history`` passwords (the current one included)."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if not self.history or user is None or not getattr(user, "pk", None):
            return
        history = user.password_history.values_list("password", flat=True)[: self.history - 1]
        earlier = [user.password, *history]
        if any(encoded and check_password(password, encoded) for encoded in earlier):
            raise ValidationError(
                f"新密码不能与最近{self.history}次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"不能与最近{self.history}次使用过的密码相同。" if self.history else ""
