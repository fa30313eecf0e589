from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("审计记录只能追加，不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录只能追加，不能删除。")


class AuditEvent(models.Model):
    """One state change, appended by the action that made it, in the same transaction.

    Rows are never updated or deleted through the application (and, on
    PostgreSQL, a trigger refuses it). Each row's ``digest`` is an HMAC over its
    content and the previous row's digest, with a key kept outside the
    database, so ``renkou audit verify`` finds any row changed behind our back.
    """

    # Position in the hash chain; a gap means a row was removed.
    seq = models.PositiveBigIntegerField(_("序号"), unique=True, null=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    # Kept as text so the trail still names the person after an account is removed.
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    org_path = models.CharField(_("所属单位路径"), max_length=255, blank=True, db_index=True)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    prev_digest = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("审计记录只能追加，不能删除。")


class AuditChainHead(models.Model):
    """The end of the hash chain. Writers lock this one row, so appends are
    serialised and every row links to exactly one predecessor."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_digest = models.CharField(max_length=64, blank=True)
    # After pruning, verification starts after this row, from this digest.
    anchor_seq = models.PositiveBigIntegerField(default=0)
    anchor_digest = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit chain head #{self.last_seq}"
