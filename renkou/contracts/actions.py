"""State changes of responsibility contracts. Each action runs in one
transaction and writes exactly one audit row.

Actions trust that the caller fetched objects through ``access`` (scope and
role); they check what depends on the contract's state and raise
``ContractError`` with a message for the user.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability
from renkou.audit.actions import record_event
from renkou.contracts import document
from renkou.contracts.access import ContractError
from renkou.contracts.models import Contract, ContractStatus
from renkou.orgunits.models import Level, OrgUnit
from renkou.targets.models import Target

if TYPE_CHECKING:
    from renkou.accounts.models import User

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper
# cannot be mistaken.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
SIGNER_MAX = 50


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"RK-{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def normalize_code(text: str) -> str | None:
    """``rk-ab12 cd34-ef56`` → ``RK-AB12-CD34-EF56``; None when it cannot be a code."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_\t")
    if cleaned.startswith("RK"):
        cleaned = cleaned[2:]
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return f"RK-{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _targets_of(year: int, units: Iterable[OrgUnit]) -> dict[int, dict[str, Target]]:
    ids = [u.pk for u in units]
    found: dict[int, dict[str, Target]] = {pk: {} for pk in ids}
    for target in Target.objects.filter(year=year, orgunit_id__in=ids):
        found[target.orgunit_id][target.code] = target
    return found


def _unique_code() -> str:
    while True:
        code = new_code()
        if not Contract.objects.filter(code=code).exists():
            return code


@dataclass(frozen=True)
class DraftSummary:
    created: int
    refreshed: int
    skipped: int


@transaction.atomic
def do_draft_contracts(*, acting_user: User | None, issuer: OrgUnit, year: int) -> DraftSummary:
    """Draft a contract for every unit directly below ``issuer``: from its targets
    and the issuer's active scheme for the year and that level. Drafts already
    there are brought up to date; issued contracts are left alone (change them
    by amendment)."""
    if issuer.level >= Level.VILLAGE:
        raise ContractError("村（居）没有下级单位，不需要下达责任状。")
    units = list(
        OrgUnit.objects.filter(parent=issuer, closed_on__isnull=True)
        .select_related("region_class", "parent")
        .order_by("code")
    )
    if not units:
        raise ContractError(f"{issuer.name}没有下级单位。")
    schemes = {
        level: document.active_scheme(issuer, year, level) for level in {u.level for u in units}
    }
    targets = _targets_of(year, units)
    current = {
        c.recipient_id: c
        for c in Contract.objects.filter(year=year, recipient__in=units).exclude(
            status=ContractStatus.SUPERSEDED
        )
    }
    now = timezone.now()
    created = refreshed = skipped = 0
    for unit in units:
        scheme = schemes[unit.level]
        content = document.build_content(
            year=year, recipient=unit, issuer=issuer, scheme=scheme, targets=targets[unit.pk]
        )
        existing = current.get(unit.pk)
        if existing is None:
            Contract.objects.create(
                year=year,
                recipient=unit,
                issuer=issuer,
                scheme=scheme,
                version=1,
                content=content,
                drafted_by=acting_user,
                drafted_at=now,
            )
            created += 1
        elif existing.status == ContractStatus.DRAFTED:
            existing.content = content
            existing.scheme = scheme
            existing.drafted_by = acting_user
            existing.drafted_at = now
            existing.save(update_fields=["content", "scheme", "drafted_by", "drafted_at"])
            refreshed += 1
        else:
            skipped += 1
    record_event(
        actor=acting_user,
        action="contracts.draft",
        obj=issuer,
        object_repr=f"{issuer.name}{year}年度目标责任状",
        org_path=issuer.path,
        changes={"year": year, "created": created, "refreshed": refreshed, "skipped": skipped},
    )
    return DraftSummary(created, refreshed, skipped)


def _issue(contract: Contract, acting_user: User | None, render: bool) -> Contract | None:
    """Issue one draft; returns the version it supersedes, if any."""
    if contract.status != ContractStatus.DRAFTED:
        raise ContractError("只有草拟状态的责任状可以下达。")
    contract.status = ContractStatus.ISSUED
    contract.issued_by = acting_user
    contract.issued_at = timezone.now()
    contract.code = _unique_code()
    fields = ["status", "issued_by", "issued_at", "code"]
    if render:
        contract.pdf = document.render_pdf(contract)
        contract.sha256 = sha256(contract.pdf)
        fields += ["pdf", "sha256"]
    contract.save(update_fields=fields)
    old = contract.supersedes
    if old is not None and old.status != ContractStatus.SUPERSEDED:
        old.status = ContractStatus.SUPERSEDED
        old.save(update_fields=["status"])
    return old


@transaction.atomic
def do_issue_contract(
    *, acting_user: User | None, contract: Contract, render: bool = True
) -> Contract:
    """Issue a draft: fix its verification code and render and fingerprint its
    PDF (``render=False`` leaves the PDF to its first download)."""
    old = _issue(contract, acting_user, render)
    record_event(
        actor=acting_user,
        action="contracts.issue",
        obj=contract,
        object_repr=f"{contract.recipient.name}{contract.year}年度目标责任状（第{contract.version}版）",
        org_path=contract.recipient.path,
        changes={
            "status": [ContractStatus.DRAFTED, ContractStatus.ISSUED],
            "code": contract.code,
            "sha256": contract.sha256,
            "supersedes": old.pk if old else None,
        },
    )
    return contract


@transaction.atomic
def do_issue_contracts(
    *, acting_user: User | None, issuer: OrgUnit, year: int, render: bool = False
) -> int:
    """Issue every draft the issuer has for the year. PDFs are rendered on first
    download unless ``render`` (a county has a few hundred of them)."""
    drafts = list(
        Contract.objects.filter(issuer=issuer, year=year, status=ContractStatus.DRAFTED)
        .select_related("recipient", "issuer", "supersedes")
        .order_by("recipient__code")
    )
    if not drafts:
        raise ContractError("没有待下达的草拟责任状。")
    for contract in drafts:
        _issue(contract, acting_user, render)
    record_event(
        actor=acting_user,
        action="contracts.issue_all",
        obj=issuer,
        object_repr=f"{issuer.name}{year}年度目标责任状",
        org_path=issuer.path,
        changes={"year": year, "issued": [c.recipient.code for c in drafts]},
    )
    return len(drafts)


@transaction.atomic
def do_store_contract_pdf(*, acting_user: User | None, contract: Contract) -> Contract:
    """Render and fingerprint the PDF of an issued contract that has none yet
    (issued in bulk). Once stored, the PDF never changes."""
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    if locked.status == ContractStatus.DRAFTED:
        raise ContractError("草拟的责任状还没有正式文本。")
    if locked.sha256:
        return locked
    locked.pdf = document.render_pdf(locked)
    locked.sha256 = sha256(bytes(locked.pdf))
    locked.save(update_fields=["pdf", "sha256"])
    record_event(
        actor=acting_user,
        action="contracts.store_pdf",
        obj=locked,
        object_repr=f"{locked.recipient.name}{locked.year}年度目标责任状（第{locked.version}版）",
        org_path=locked.recipient.path,
        changes={"sha256": locked.sha256},
    )
    return locked


@transaction.atomic
def do_acknowledge_contract(
    *, acting_user: User, contract: Contract, signer_name: str, ip: str | None
) -> Contract:
    """The recipient unit signs for its contract (我已阅知并签收)."""
    if not has_capability(acting_user, Cap.ACKNOWLEDGE_CONTRACTS):
        raise ContractError("您的角色不能签收责任状。")
    if acting_user.home_unit_id != contract.recipient_id:
        raise ContractError("只有责任单位（乙方）本单位的人员才能签收。")
    name = " ".join(signer_name.split())
    if not name:
        raise ContractError("请填写签收人姓名。")
    if len(name) > SIGNER_MAX:
        raise ContractError(f"签收人姓名不能超过{SIGNER_MAX}个字。")
    if contract.status == ContractStatus.ACKNOWLEDGED:
        raise ContractError("这份责任状已经签收过了。")
    if contract.status != ContractStatus.ISSUED:
        raise ContractError("这份责任状不是待签收状态（可能已有新版本）。")
    contract.status = ContractStatus.ACKNOWLEDGED
    contract.acknowledged_by = acting_user
    contract.signer_name = name
    contract.acknowledged_at = timezone.now()
    contract.acknowledged_ip = ip or None
    contract.save(
        update_fields=[
            "status",
            "acknowledged_by",
            "signer_name",
            "acknowledged_at",
            "acknowledged_ip",
        ]
    )
    record_event(
        actor=acting_user,
        action="contracts.acknowledge",
        obj=contract,
        object_repr=f"{contract.recipient.name}{contract.year}年度目标责任状（第{contract.version}版）",
        org_path=contract.recipient.path,
        changes={
            "status": [ContractStatus.ISSUED, ContractStatus.ACKNOWLEDGED],
            "signer_name": name,
        },
        ip=ip,
    )
    return contract


@transaction.atomic
def do_amend_contract(*, acting_user: User | None, contract: Contract, reason: str) -> Contract:
    """Start a new version of an issued or acknowledged contract, drafted from
    the current targets and scheme. The old version stays in force (and
    downloadable) until the new one is issued."""
    reason = reason.strip()
    if not reason:
        raise ContractError("请填写修订理由。")
    if contract.status not in (ContractStatus.ISSUED, ContractStatus.ACKNOWLEDGED):
        raise ContractError("只有已下达或已签收的责任状可以修订。")
    if Contract.objects.filter(supersedes=contract).exists():
        raise ContractError("这份责任状已有修订稿，请先下达或修改该修订稿。")
    recipient = OrgUnit.objects.select_related("region_class", "parent").get(
        pk=contract.recipient_id
    )
    latest = Contract.objects.filter(year=contract.year, recipient=recipient).aggregate(
        v=Max("version")
    )["v"]
    scheme = document.active_scheme(contract.issuer, contract.year, recipient.level)
    content = document.build_content(
        year=contract.year,
        recipient=recipient,
        issuer=contract.issuer,
        scheme=scheme,
        targets=_targets_of(contract.year, [recipient])[recipient.pk],
    )
    amended = Contract.objects.create(
        year=contract.year,
        recipient=recipient,
        issuer=contract.issuer,
        scheme=scheme,
        version=(latest or 0) + 1,
        content=content,
        drafted_by=acting_user,
        drafted_at=timezone.now(),
        amendment_reason=reason,
        supersedes=contract,
    )
    record_event(
        actor=acting_user,
        action="contracts.amend",
        obj=amended,
        object_repr=f"{recipient.name}{contract.year}年度目标责任状（第{amended.version}版）",
        org_path=recipient.path,
        changes={"supersedes": contract.pk, "version": amended.version},
        reason=reason,
    )
    return amended
