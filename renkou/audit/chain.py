"""The audit hash chain: HMAC-SHA256 over each row's content and its predecessor's digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from renkou.audit.models import AuditChainHead, AuditEvent

CHAIN_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "ip",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "org_path",
    "changes",
    "reason",
    "prev_digest",
)


def _key() -> bytes:
    return str(settings.AUDIT_HMAC_KEY).encode("utf-8")


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes the digest covers; stable across SQLite and PostgreSQL round trips."""
    at = values["at"]
    record = {name: values[name] for name in CHAIN_FIELDS}
    record["at"] = at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    record["ip"] = values["ip"] or ""
    return json.dumps(
        record, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def digest_of(values: dict[str, Any]) -> str:
    return hmac.new(_key(), canonical(values), hashlib.sha256).hexdigest()


def head_for_update() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    first_broken_seq: int | None
    first_broken_id: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def _rows() -> Iterator[dict[str, Any]]:
    fields = ("id", *CHAIN_FIELDS, "digest")
    yield from AuditEvent.objects.order_by("seq").values(*fields).iterator(chunk_size=5000)


def verify_chain() -> VerifyReport:
    """Walk the chain from its anchor; report the first row that does not check out."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_prev = head.anchor_digest if head else ""
    expected_seq = (head.anchor_seq if head else 0) + 1
    checked = 0
    for row in _rows():
        if row["seq"] is None:
            return VerifyReport(checked, 0, row["id"], "该记录没有链序号")
        if row["seq"] != expected_seq:
            return VerifyReport(
                checked, expected_seq, row["id"], f"缺少序号{expected_seq}的记录（可能被删除）"
            )
        if row["prev_digest"] != expected_prev:
            return VerifyReport(checked, row["seq"], row["id"], "与上一条记录的链接不符")
        if not hmac.compare_digest(row["digest"], digest_of(row)):
            return VerifyReport(checked, row["seq"], row["id"], "内容与其校验值不符（记录被修改）")
        checked += 1
        expected_prev = row["digest"]
        expected_seq += 1
    if head is not None and head.last_seq and head.last_seq != expected_seq - 1:
        return VerifyReport(checked, expected_seq, None, f"链尾应为序号{head.last_seq}，实际缺失")
    return VerifyReport(checked, None, None, "")
