"""Pruning the audit trail past its retention period, keeping the chain verifiable."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from renkou.audit import chain
from renkou.audit.actions import record_event
from renkou.audit.models import AuditEvent


class RetentionError(ValueError):
    pass


def earliest_allowed_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=int(settings.AUDIT_RETENTION_DAYS))


@transaction.atomic
def do_prune_audit(*, before: dt.datetime, reason: str) -> int:
    """Delete rows older than ``before`` (which must be past the retention period).

    The oldest rows go first and the chain's anchor moves to the last deleted
    row, so ``verify`` still checks everything that remains.
    """
    limit = earliest_allowed_cutoff()
    if before > limit:
        raise RetentionError(
            f"审计记录至少保留{settings.AUDIT_RETENTION_DAYS}天："
            f"只能清理{timezone.localtime(limit):%Y年%m月%d日}之前的记录。"
        )
    head = chain.head_for_update()
    last = (
        AuditEvent.objects.filter(at__lt=before, seq__isnull=False)
        .order_by("-seq")
        .values("seq", "digest")
        .first()
    )
    if last is None:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL renkou.audit_prune = 'on'")
        cursor.execute(
            f"DELETE FROM {AuditEvent._meta.db_table} WHERE seq <= %s",  # noqa: S608 - our table name
            [last["seq"]],
        )
        deleted = int(cursor.rowcount)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL renkou.audit_prune = 'off'")
    head.anchor_seq = int(last["seq"] or 0)
    head.anchor_digest = str(last["digest"])
    head.save(update_fields=["anchor_seq", "anchor_digest"])
    record_event(
        actor=None,
        action="audit.prune",
        object_type="audit.auditevent",
        changes={"deleted": deleted, "through_seq": head.anchor_seq},
        reason=reason,
    )
    return deleted
