"""Writing the audit trail. ``record_event`` is the one way rows get in."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone

from renkou.audit import chain
from renkou.audit.models import AuditEvent
from renkou.audit.request_context import current_ip

if TYPE_CHECKING:
    from renkou.accounts.models import User

# Field names whose values never enter the audit trail in clear.
SENSITIVE_FIELDS = frozenset({"password", "id_number", "phone", "digest", "token", "secret", "key"})
MASK = "******"


def mask_value(field: str, value: Any) -> Any:
    if field in SENSITIVE_FIELDS or field.endswith(("_password", "_secret", "_token")):
        return MASK if value not in (None, "") else value
    return value


def _plain(value: Any) -> Any:
    """A JSON-safe rendering of a field value."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff_fields(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str] | None = None
) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed, masked where sensitive."""
    names = list(fields) if fields is not None else sorted(set(before) | set(after))
    changed: dict[str, list[Any]] = {}
    for name in names:
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            changed[name] = [mask_value(name, old), mask_value(name, new)]
    return changed


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def record_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    org_path: str = "",
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    ip: str | None = None,
) -> AuditEvent:
    """Append one audit row. Call it inside the action's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    masked = {
        key: [mask_value(key, part) for part in value]
        if isinstance(value, list) and len(value) == 2
        else mask_value(key, value)
        for key, value in (changes or {}).items()
    }
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "system",
        ip=ip if ip is not None else current_ip(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        org_path=org_path,
        # A JSON round trip now, so the digest covers exactly what the database returns.
        changes=json.loads(json.dumps(masked, default=str)),
        reason=reason,
    )
    with transaction.atomic():
        head = chain.head_for_update()
        event.seq = head.last_seq + 1
        event.prev_digest = head.last_digest
        event.digest = chain.digest_of({name: getattr(event, name) for name in chain.CHAIN_FIELDS})
        event.save(force_insert=True)
        head.last_seq, head.last_digest = event.seq, event.digest
        head.save(update_fields=["last_seq", "last_digest"])
    return event
