"""Re-encrypting every encrypted field with the current key (key rotation)."""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models, transaction

from renkou.audit.actions import record_event
from renkou.security import crypto
from renkou.security.fields import EncryptedTextField


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    found: list[tuple[type[models.Model], EncryptedTextField]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                found.append((model, field))
    return found


@transaction.atomic
def do_rotate_keys(*, batch: int = 1000) -> dict[str, int]:
    """Re-encrypt values written with an older key or algorithm (or still clear)."""
    counts: dict[str, int] = {}
    for model, field in encrypted_fields():
        table, column = model._meta.db_table, str(field.column)
        pk_column = str(model._meta.pk.column) if model._meta.pk else "id"
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(pk_column)}, {quote(column)} FROM {quote(table)}"  # noqa: S608
                f" WHERE {quote(column)} <> ''"
            )
            stale = [pk for pk, stored in cursor.fetchall() if crypto.needs_rotation(stored)]
        for start in range(0, len(stale), batch):
            for obj in model._default_manager.filter(pk__in=stale[start : start + batch]):
                # Saving encrypts with the current key (EncryptedTextField.get_prep_value).
                model._default_manager.filter(pk=obj.pk).update(
                    **{field.name: getattr(obj, field.name)}
                )
        counts[f"{model._meta.label_lower}.{field.name}"] = len(stale)
    record_event(
        actor=None,
        action="security.rotate_keys",
        object_type="security.keys",
        object_repr=f"当前密钥 {crypto.keyring().current_id}",
        changes=counts,
    )
    return counts
