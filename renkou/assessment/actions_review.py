"""State changes of the review half of a run: flexible-assessment adjustments
(four eyes), release, appeals, publication, pay rules and the cadre roster.

Each action runs in one transaction and writes exactly one audit row. Actions
trust that the caller fetched the objects through ``review_context`` (scope and
role); they check what depends on the objects' state and raise ``ReviewError``
with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from renkou.assessment import pay, publication
from renkou.assessment.models import (
    Adjustment,
    AdjustmentReason,
    Appeal,
    AppealStatus,
    Cadre,
    DecisionStatus,
    PayRule,
    Publication,
    Run,
    RunStatus,
    RunUnit,
)
from renkou.assessment.review_context import (
    OPEN_STATUSES,
    ReviewError,
    appeal_open,
    field_choices,
    item_name,
    read_field,
    scheme_items,
)
from renkou.assessment.scoring_service import rescore
from renkou.audit.actions import record_event

if TYPE_CHECKING:
    from renkou.accounts.models import User
    from renkou.orgunits.models import OrgUnit

FROZEN = "该考核结果已发布，不能再调整或申诉。"


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _require_open(run: Run) -> None:
    if run.status == RunStatus.PUBLISHED:
        raise ReviewError(FROZEN)
    if run.status not in OPEN_STATUSES:
        raise ReviewError("考核尚未完成评分，不能调整。")


def _fmt(value: Decimal | None) -> str:
    return "空" if value is None else format(value.normalize(), "f")


# --- flexible assessment (柔性考核) ---------------------------------------------------


@transaction.atomic
def do_propose_adjustment(
    *,
    acting_user: User,
    run_unit: RunUnit,
    item_code: str,
    field: str,
    new_value: Decimal,
    reason: str,
    note: str,
    evidence: UploadedFile[bytes] | None = None,
) -> Adjustment:
    run = Run.objects.select_for_update().get(pk=run_unit.run_id)
    _require_open(run)
    run_unit.run = run
    if item_code not in dict(scheme_items(run)):
        raise ReviewError("考核方案中没有这个考核项目。")
    if field not in dict(field_choices(run_unit, item_code)):
        raise ReviewError("所选数据不是该考核项目使用的数据。")
    if reason not in AdjustmentReason.values or reason == AdjustmentReason.APPEAL:
        raise ReviewError("请选择调整原因（申诉成立的调整由申诉处理产生）。")
    if not note.strip():
        raise ReviewError("请写明调整的理由。")
    current = read_field(run_unit.inputs or run_unit.raw_inputs, field)
    if current is not None and current == new_value:
        raise ReviewError("调整后数值与现有数值相同，无需调整。")
    if Adjustment.objects.filter(
        run=run, orgunit=run_unit.orgunit, field=field, status=DecisionStatus.PROPOSED
    ).exists():
        raise ReviewError("该数据已有一项待审核的调整，请等审核后再提出。")
    adjustment = Adjustment(
        run=run,
        orgunit=run_unit.orgunit,
        item_code=item_code,
        field=field,
        old_value=read_field(run_unit.raw_inputs, field),
        new_value=new_value,
        reason=reason,
        note=note.strip(),
        proposed_by=acting_user,
        proposed_at=timezone.now(),
    )
    if evidence is not None:
        adjustment.evidence.save(evidence.name or "evidence", evidence, save=False)
    adjustment.save()
    record_event(
        actor=acting_user,
        action="assessment.propose_adjustment",
        obj=adjustment,
        org_path=run_unit.orgunit.path,
        changes={
            "field": [None, field],
            "value": [_fmt(current), _fmt(new_value)],
            "reason": [None, reason],
        },
        reason=adjustment.note,
    )
    return adjustment


@transaction.atomic
def do_decide_adjustment(
    *, acting_user: User, adjustment: Adjustment, approve: bool, note: str
) -> Adjustment:
    """Four eyes: the person who proposed an adjustment never decides it."""
    run = Run.objects.select_for_update().get(pk=adjustment.run_id)
    _require_open(run)
    adjustment = Adjustment.objects.select_for_update().get(pk=adjustment.pk)
    if adjustment.status != DecisionStatus.PROPOSED:
        raise ReviewError("该调整已经审核过了。")
    if adjustment.proposed_by_id == acting_user.pk:
        raise ReviewError("提出调整的人不能审核自己的提议，请由另一位有审核权限的同志审核。")
    if not note.strip():
        raise ReviewError("请填写审核意见。")
    adjustment.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    adjustment.decided_by = acting_user
    adjustment.decided_at = timezone.now()
    adjustment.decision_note = note.strip()
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        rescore(run)
    record_event(
        actor=acting_user,
        action="assessment.approve_adjustment" if approve else "assessment.reject_adjustment",
        obj=adjustment,
        org_path=adjustment.orgunit.path,
        changes={"status": [DecisionStatus.PROPOSED.value, adjustment.status]},
        reason=adjustment.decision_note,
    )
    return adjustment


# --- release and appeals ---------------------------------------------------------------


@transaction.atomic
def do_release_run(*, acting_user: User, run: Run, appeal_days: int | None = None) -> Run:
    """Results go to the units; the appeal period starts today."""
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.SCORED:
        raise ReviewError("只有已评分、尚未反馈的考核才能反馈给被考核单位。")
    if appeal_days is not None:
        if not 1 <= appeal_days <= 60:
            raise ReviewError("申诉期应在1到60天之间。")
        run.appeal_days = appeal_days
    today = timezone.localdate()
    run.status = RunStatus.RELEASED
    run.released_at = timezone.now()
    run.released_by = acting_user
    run.appeal_deadline = today + dt.timedelta(days=run.appeal_days)
    run.save(
        update_fields=["status", "released_at", "released_by", "appeal_deadline", "appeal_days"]
    )
    record_event(
        actor=acting_user,
        action="assessment.release_run",
        obj=run,
        org_path=run.root.path,
        changes={
            "status": [RunStatus.SCORED.value, RunStatus.RELEASED.value],
            "appeal_deadline": [None, run.appeal_deadline.isoformat()],
        },
    )
    return run


@transaction.atomic
def do_file_appeal(
    *,
    acting_user: User,
    run_unit: RunUnit,
    item_code: str,
    reason: str,
    evidence: UploadedFile[bytes] | None = None,
) -> Appeal:
    run = Run.objects.select_for_update().get(pk=run_unit.run_id)
    if run.status == RunStatus.PUBLISHED:
        raise ReviewError(FROZEN)
    if run.status != RunStatus.RELEASED:
        raise ReviewError("考核结果尚未反馈，暂不能申诉。")
    if not appeal_open(run):
        assert run.appeal_deadline is not None
        raise ReviewError(
            f"申诉期已于{_date_zh(run.appeal_deadline)}结束，不能再提出申诉。"
            "如有特殊情况，请与考核单位联系。"
        )
    if item_code not in dict(scheme_items(run)):
        raise ReviewError("考核方案中没有这个考核项目。")
    if not reason.strip():
        raise ReviewError("请写明申诉理由。")
    if Appeal.objects.filter(
        run=run, orgunit=run_unit.orgunit, item_code=item_code, status=AppealStatus.FILED
    ).exists():
        raise ReviewError("该项目已有一项待处理的申诉。")
    appeal = Appeal(
        run=run,
        orgunit=run_unit.orgunit,
        item_code=item_code,
        reason=reason.strip(),
        filed_by=acting_user,
        filed_at=timezone.now(),
    )
    if evidence is not None:
        appeal.evidence.save(evidence.name or "evidence", evidence, save=False)
    appeal.save()
    record_event(
        actor=acting_user,
        action="assessment.file_appeal",
        obj=appeal,
        org_path=run_unit.orgunit.path,
        changes={"item": [None, item_code], "status": [None, AppealStatus.FILED.value]},
        reason=appeal.reason,
    )
    return appeal


@transaction.atomic
def do_decide_appeal(
    *,
    acting_user: User,
    appeal: Appeal,
    upheld: bool,
    decision_reason: str,
    field: str = "",
    new_value: Decimal | None = None,
) -> Appeal:
    """Upheld: the corrected figure becomes an approved adjustment (reason: appeal)
    and the run is scored again. Rejected: the reason is recorded."""
    run = Run.objects.select_for_update().get(pk=appeal.run_id)
    if run.status == RunStatus.PUBLISHED:
        raise ReviewError(FROZEN)
    appeal = Appeal.objects.select_for_update().select_related("orgunit").get(pk=appeal.pk)
    if appeal.status != AppealStatus.FILED:
        raise ReviewError("该申诉已经处理过了。")
    if appeal.filed_by_id == acting_user.pk:
        raise ReviewError("申诉人不能处理自己的申诉。")
    if not decision_reason.strip():
        raise ReviewError("请写明处理意见。")
    now = timezone.now()
    if upheld:
        run_unit = RunUnit.objects.select_related("orgunit").get(run=run, orgunit=appeal.orgunit)
        run_unit.run = run
        if field not in dict(field_choices(run_unit, appeal.item_code)):
            raise ReviewError("申诉成立时，请选择要更正的数据。")
        if new_value is None:
            raise ReviewError("申诉成立时，请填写更正后的数值。")
        if read_field(run_unit.inputs or run_unit.raw_inputs, field) == new_value:
            raise ReviewError("更正后的数值与现有数值相同。")
        adjustment = Adjustment.objects.create(
            run=run,
            orgunit=appeal.orgunit,
            item_code=appeal.item_code,
            field=field,
            old_value=read_field(run_unit.raw_inputs, field),
            new_value=new_value,
            reason=AdjustmentReason.APPEAL,
            note=f"申诉成立：{decision_reason.strip()}",
            status=DecisionStatus.APPROVED,
            proposed_by=appeal.filed_by,
            proposed_at=appeal.filed_at,
            decided_by=acting_user,
            decided_at=now,
            decision_note=decision_reason.strip(),
        )
        appeal.adjustment = adjustment
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decided_by = acting_user
    appeal.decided_at = now
    appeal.decision_reason = decision_reason.strip()
    appeal.save(
        update_fields=["status", "decided_by", "decided_at", "decision_reason", "adjustment"]
    )
    if upheld:
        rescore(run)
    changes: dict[str, list[str | None]] = {
        "status": [AppealStatus.FILED.value, appeal.status],
    }
    if upheld:
        changes["field"] = [None, field]
        changes["new_value"] = [None, _fmt(new_value)]
    record_event(
        actor=acting_user,
        action="assessment.uphold_appeal" if upheld else "assessment.reject_appeal",
        obj=appeal,
        org_path=appeal.orgunit.path,
        changes=changes,
        reason=appeal.decision_reason,
    )
    return appeal


# --- publication -------------------------------------------------------------------------


@transaction.atomic
def do_publish_run(
    *, acting_user: User, run: Run, title: str = "", number: str = ""
) -> Publication:
    """Freeze the run and issue its notice (通报) as PDF and Excel."""
    run = (
        Run.objects.select_for_update()
        .select_related("scheme", "scheme__owner", "root")
        .get(pk=run.pk)
    )
    if run.status == RunStatus.PUBLISHED:
        raise ReviewError("该考核结果已经发布。")
    if run.status not in OPEN_STATUSES:
        raise ReviewError("考核尚未完成评分，不能发布。")
    open_appeals = run.appeals.filter(status=AppealStatus.FILED).count()
    if open_appeals:
        raise ReviewError(f"还有{open_appeals}项申诉尚未处理，请处理后再发布。")
    pending = run.adjustments.filter(status=DecisionStatus.PROPOSED).count()
    if pending:
        raise ReviewError(f"还有{pending}项调整尚待审核，请审核后再发布。")
    now = timezone.now()
    run.status = RunStatus.PUBLISHED
    run.published_at = now
    run.published_by = acting_user
    run.save(update_fields=["status", "published_at", "published_by"])
    notice = publication.build_notice(
        run, title=title.strip() or None, number=number.strip(), issued=now
    )
    pdf = publication.render_pdf(notice)
    xlsx = publication.render_xlsx(notice)
    published = Publication.objects.create(
        run=run,
        title=notice.title,
        number=notice.number,
        commended=[row.name for row in notice.commended],
        must_rectify=[row.name for row in notice.must_rectify],
        pdf=pdf,
        xlsx=xlsx,
        sha256=hashlib.sha256(pdf).hexdigest(),
        published_by=acting_user,
        published_at=now,
    )
    record_event(
        actor=acting_user,
        action="assessment.publish_run",
        obj=run,
        org_path=run.root.path,
        changes={
            "status": [None, RunStatus.PUBLISHED.value],
            "title": [None, published.title],
            "sha256": [None, published.sha256],
        },
    )
    return published


# --- pay linkage (绩效挂钩) -----------------------------------------------------------


@transaction.atomic
def do_save_pay_rules(
    *, acting_user: User | None, owner: OrgUnit, year: int, rules: Sequence[pay.RuleRow]
) -> list[PayRule]:
    """Replace the owner's pay rules for the year with ``rules`` (checked first)."""
    problems = pay.rule_problems(rules)
    if problems:
        raise ReviewError("；".join(problems))
    before = [pay.describe(rule) for rule in pay.rules_for(owner, year)]
    PayRule.objects.filter(owner=owner, year=year).delete()
    saved = [
        PayRule.objects.create(
            owner=owner,
            year=year,
            region_class=row.region_class,
            grade=row.grade,
            min_score=row.min_score,
            max_score=row.max_score,
            coefficient=row.coefficient,
            amount=row.amount,
        )
        for row in rules
    ]
    after = [pay.describe(rule) for rule in saved]
    record_event(
        actor=acting_user,
        action="assessment.save_pay_rules",
        object_type="assessment.payrule",
        object_id=f"{owner.code}/{year}",
        object_repr=f"{owner.name}{year}年度绩效挂钩规则",
        org_path=owner.path,
        changes={"rules": ["；".join(before), "；".join(after)]},
    )
    return saved


@transaction.atomic
def do_save_roster(
    *, acting_user: User | None, village: OrgUnit, cadres: Sequence[pay.CadreRow]
) -> list[Cadre]:
    """Replace a village's roster: listed cadres are kept or added, others leave (inactive)."""
    problems = pay.roster_problems(cadres)
    if problems:
        raise ReviewError("；".join(problems))
    changed = _sync_roster(village, cadres)
    record_event(
        actor=acting_user,
        action="assessment.save_roster",
        object_type="assessment.cadre",
        object_id=village.code,
        object_repr=f"{village.name}村干部名册",
        org_path=village.path,
        changes={"roster": [None, "；".join(f"{c.name} {c.post} {c.base_pay}" for c in cadres)]},
        reason=f"{changed}处变更",
    )
    return list(Cadre.objects.filter(orgunit=village, active=True))


def _sync_roster(village: OrgUnit, cadres: Sequence[pay.CadreRow]) -> int:
    existing = {c.name: c for c in Cadre.objects.filter(orgunit=village)}
    changed = 0
    listed = set()
    for row in cadres:
        listed.add(row.name)
        base = pay.to_fen(row.base_pay) if row.base_pay is not None else Decimal("0.00")
        cadre = existing.get(row.name)
        if cadre is None:
            Cadre.objects.create(orgunit=village, name=row.name, post=row.post, base_pay=base)
            changed += 1
        elif (cadre.post, cadre.base_pay, cadre.active) != (row.post, base, True):
            cadre.post, cadre.base_pay, cadre.active = row.post, base, True
            cadre.save(update_fields=["post", "base_pay", "active"])
            changed += 1
    for name, cadre in existing.items():
        if name not in listed and cadre.active:
            cadre.active = False
            cadre.save(update_fields=["active"])
            changed += 1
    return changed


@transaction.atomic
def do_import_roster(
    *, acting_user: User, scope: OrgUnit, rows: Sequence[pay.ImportedCadre], file_name: str
) -> int:
    """Write a checked roster upload: each village in the file gets exactly its rows."""
    by_village: dict[int, tuple[OrgUnit, list[pay.CadreRow]]] = {}
    for row in rows:
        by_village.setdefault(row.village.pk, (row.village, []))[1].append(row.cadre)
    changed = sum(_sync_roster(village, cadres) for village, cadres in by_village.values())
    record_event(
        actor=acting_user,
        action="assessment.import_roster",
        object_type="assessment.cadre",
        object_id=scope.code,
        object_repr=f"{scope.name}村干部名册导入",
        org_path=scope.path,
        changes={"rows": [None, len(rows)], "villages": [None, len(by_village)]},
        reason=f"{file_name}：{changed}处变更",
    )
    return changed


def decision_summary(adjustment: Adjustment) -> str:
    """One line a township cadre can read: what changed, why, and who decided."""
    name = item_name(adjustment.run, adjustment.item_code)
    return (
        f"{name}：{adjustment.field} 由 {_fmt(adjustment.old_value)} 调整为 "
        f"{_fmt(adjustment.new_value)}（{adjustment.get_reason_display()}）"
    )


@transaction.atomic
def do_record_pay_export(*, acting_user: User, run: Run, within: OrgUnit | None) -> None:
    """The pay list names people and their pay: each export is logged."""
    scope = within or run.root
    record_event(
        actor=acting_user,
        action="assessment.export_pay_list",
        obj=run,
        org_path=scope.path,
        changes={"scope": [None, scope.code]},
    )
