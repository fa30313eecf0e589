"""State changes of reports: saving the form, submitting, returning, approving, locking.

Approval runs bottom-up: the village submits, the township approves or
returns it with a reason, the county accepts by locking the period; only the
county reopens a locked period, and only with a reason. Each action checks
that the step is allowed now, writes its audit row, and keeps the rollups
current.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability
from renkou.audit.actions import record_event
from renkou.catalog.models import DataSet, Severity
from renkou.catalog.selectors import data_set_elements
from renkou.orgunits.models import OrgUnit, subtree_q
from renkou.periods import Period
from renkou.reporting.access import ReportPlace, can_edit, can_review, lock_state
from renkou.reporting.checks import Finding, check_report
from renkou.reporting.models import PeriodLock, Report, ReportStatus
from renkou.reporting.values import ElementRule, parse_value
from renkou.reporting.writes import ValueRow, WriteSummary, plan_writes, write_values

if TYPE_CHECKING:
    from renkou.accounts.models import User


class ReportError(Exception):
    """The step is not possible now; ``str()`` is the Chinese reason."""

    def __init__(self, message: str, findings: list[Finding] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


def _title(place: ReportPlace) -> str:
    return f"{place.unit.name} {place.period.label_zh} {place.data_set.name}"


def _report_for_update(place: ReportPlace) -> Report:
    report, _created = Report.objects.select_for_update().get_or_create(
        data_set=place.data_set, orgunit=place.unit, period=place.period.id
    )
    place.report = report
    return report


def _refresh(place: ReportPlace) -> None:
    from renkou.reporting.rollups import refresh_units

    refresh_units({place.period.year: {place.unit.pk}})


@dataclass
class SaveResult:
    summary: WriteSummary | None
    problems: dict[str, str]

    @property
    def ok(self) -> bool:
        return not self.problems


@transaction.atomic
def do_save_report_values(
    *, acting_user: User, place: ReportPlace, entries: dict[str, str]
) -> SaveResult:
    """Save typed values (element code → text) as a draft; nothing is written if any is bad."""
    lock = lock_state(place.data_set, place.unit, place.period)
    if not can_edit(acting_user, place, lock):
        raise ReportError(_not_editable(place, lock.label))
    elements = {e.code: e for e in data_set_elements(place.data_set)}
    problems: dict[str, str] = {}
    rows: list[ValueRow] = []
    for code, raw in entries.items():
        element = elements.get(code)
        if element is None:
            problems[code] = "该数据项不属于本报表"
            continue
        parsed = parse_value(ElementRule.of(element), raw)
        if parsed.problem:
            problems[code] = parsed.problem
            continue
        rows.append(
            ValueRow(element.pk, place.unit.pk, place.period.id, parsed.number, parsed.text)
        )
    if problems:
        return SaveResult(None, problems)
    names = {e.pk: e.code for e in elements.values()}
    summary = write_values(
        acting_user=acting_user,
        plan=plan_writes(rows),
        action="reporting.save_values",
        object_repr=_title(place),
        org_path=place.unit.path,
        label=lambda row: names.get(row.element_id, str(row.element_id)),
    )
    if place.report is None:
        place.report = Report.objects.filter(
            data_set=place.data_set, orgunit=place.unit, period=place.period.id
        ).first()
    return SaveResult(summary, {})


def _not_editable(place: ReportPlace, lock_label: str) -> str:
    if lock_label:
        return f"该报告期{lock_label}，不能修改。"
    if place.status == ReportStatus.SUBMITTED:
        return "报表已提交，等待乡镇审核，不能修改；如需修改请联系审核人退回。"
    if place.status in (ReportStatus.APPROVED, ReportStatus.ACCEPTED):
        return "报表已审核，不能修改；如需修改请联系审核人退回。"
    return "您的角色不能填报数据。"


@dataclass
class SubmitOutcome:
    submitted: bool
    findings: list[Finding]


@transaction.atomic
def do_submit_report(
    *, acting_user: User, place: ReportPlace, entries: dict[str, str] | None = None
) -> SubmitOutcome:
    """Save the form's last values (if given), then submit for review.

    A badly typed value saves nothing and submits nothing. Blocking findings
    keep the values as a draft and leave the report unsubmitted; warnings
    travel with the submitted report to its reviewer.
    """
    lock = lock_state(place.data_set, place.unit, place.period)
    report = _report_for_update(place)
    if not can_edit(acting_user, place, lock):
        raise ReportError(_not_editable(place, lock.label))
    if entries:
        saved = do_save_report_values(acting_user=acting_user, place=place, entries=entries)
        if not saved.ok:
            problems = [
                Finding("input", Severity.BLOCKING, message, (code,))
                for code, message in saved.problems.items()
            ]
            return SubmitOutcome(False, problems)
    findings = check_report(place.data_set, place.unit, place.period)
    if any(f.blocking for f in findings):
        return SubmitOutcome(False, findings)
    now = timezone.now()
    old_status = report.status
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = acting_user
    report.first_submitted_at = report.first_submitted_at or now
    report.return_reason = ""
    report.findings = [f.as_dict() for f in findings]
    report.save()
    record_event(
        actor=acting_user,
        action="reporting.submit",
        obj=report,
        object_repr=_title(place),
        org_path=place.unit.path,
        changes={"status": [old_status, report.status], "warnings": len(findings)},
    )
    _refresh(place)
    return SubmitOutcome(True, findings)


@transaction.atomic
def do_return_report(*, acting_user: User, place: ReportPlace, reason: str) -> None:
    reason = reason.strip()
    if not reason:
        raise ReportError("退回时请写明原因。")
    lock = lock_state(place.data_set, place.unit, place.period)
    report = _report_for_update(place)
    if not can_review(acting_user, place, lock):
        raise ReportError(_not_reviewable(place, lock.label))
    old_status = report.status
    report.status = ReportStatus.RETURNED
    report.return_reason = reason[:200]
    report.reviewed_at = timezone.now()
    report.reviewed_by = acting_user
    report.save()
    record_event(
        actor=acting_user,
        action="reporting.return",
        obj=report,
        object_repr=_title(place),
        org_path=place.unit.path,
        changes={"status": [old_status, report.status]},
        reason=reason,
    )


@transaction.atomic
def do_approve_report(*, acting_user: User, place: ReportPlace) -> None:
    lock = lock_state(place.data_set, place.unit, place.period)
    report = _report_for_update(place)
    if not can_review(acting_user, place, lock) or report.status != ReportStatus.SUBMITTED:
        raise ReportError(_not_reviewable(place, lock.label))
    report.status = ReportStatus.APPROVED
    report.reviewed_at = timezone.now()
    report.reviewed_by = acting_user
    report.save()
    record_event(
        actor=acting_user,
        action="reporting.approve",
        obj=report,
        object_repr=_title(place),
        org_path=place.unit.path,
        changes={"status": [ReportStatus.SUBMITTED, report.status]},
    )


def _not_reviewable(place: ReportPlace, lock_label: str) -> str:
    if lock_label:
        return f"该报告期{lock_label}，不能再审核。"
    if place.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        return "报表尚未提交，不能审核。"
    if place.status == ReportStatus.ACCEPTED:
        return "报表已由县级验收。"
    return "您不能审核这份报表。"


@dataclass
class LockResult:
    accepted: int
    not_approved: int


@transaction.atomic
def do_lock_period(
    *, acting_user: User, data_set: DataSet, unit: OrgUnit, period: Period, reason: str = ""
) -> LockResult:
    """The county accepts the period: approved reports below ``unit`` become accepted and
    nothing under ``unit`` can be changed for that period any more."""
    if not has_capability(acting_user, Cap.LOCK_PERIODS):
        raise ReportError("您的角色不能锁定报告期。")
    lock, _created = PeriodLock.objects.select_for_update().get_or_create(
        data_set=data_set,
        orgunit=unit,
        period=period.id,
        defaults={"changed_at": timezone.now(), "changed_by": acting_user, "locked": False},
    )
    if lock.locked and not _created:
        raise ReportError("该报告期已锁定。")
    lock.locked = True
    lock.reason = reason.strip()[:200]
    lock.changed_at = timezone.now()
    lock.changed_by = acting_user
    lock.save()
    below = Report.objects.filter(data_set=data_set, period=period.id).filter(
        subtree_q(unit.path, "orgunit__")
    )
    accepted = below.filter(status=ReportStatus.APPROVED).update(
        status=ReportStatus.ACCEPTED, accepted_at=timezone.now()
    )
    not_approved = below.exclude(status=ReportStatus.ACCEPTED).count()
    record_event(
        actor=acting_user,
        action="reporting.lock_period",
        obj=lock,
        object_repr=f"{unit.name} {period.label_zh} {data_set.name}",
        org_path=unit.path,
        changes={"locked": [False, True], "accepted": accepted, "not_approved": not_approved},
        reason=lock.reason,
    )
    return LockResult(accepted, not_approved)


@transaction.atomic
def do_reopen_period(
    *, acting_user: User, data_set: DataSet, unit: OrgUnit, period: Period, reason: str
) -> None:
    """Reopen a locked period (also one locked automatically by date); a reason is required."""
    reason = reason.strip()
    if not reason:
        raise ReportError("重新开放报告期时请写明原因。")
    if not has_capability(acting_user, Cap.LOCK_PERIODS):
        raise ReportError("您的角色不能重新开放报告期。")
    state = lock_state(data_set, unit, period)
    if not state.locked:
        raise ReportError("该报告期没有锁定。")
    PeriodLock.objects.update_or_create(
        data_set=data_set,
        orgunit=unit,
        period=period.id,
        defaults={
            "locked": False,
            "reason": reason[:200],
            "changed_at": timezone.now(),
            "changed_by": acting_user,
        },
    )
    Report.objects.filter(
        subtree_q(unit.path, "orgunit__"),
        data_set=data_set,
        period=period.id,
        status=ReportStatus.ACCEPTED,
    ).update(status=ReportStatus.APPROVED, accepted_at=None)
    record_event(
        actor=acting_user,
        action="reporting.reopen_period",
        object_type="reporting.periodlock",
        object_repr=f"{unit.name} {period.label_zh} {data_set.name}",
        org_path=unit.path,
        changes={"locked": [True, False]},
        reason=reason,
    )
