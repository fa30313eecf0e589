from __future__ import annotations

from typing import Any

from django.db import models

from renkou.security import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text kept encrypted in the database and clear in Python.

    Values written before encryption was configured (clear text) are read as
    they are and encrypted by the next save or by ``renkou rotate-keys``.
    """

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return crypto.decrypt(value) if crypto.is_encrypted(value) else str(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        text = str(value)
        return text if crypto.is_encrypted(text) else crypto.encrypt(text)
