"""State changes of schemes, facts and runs. Each action runs in one transaction
and writes exactly one audit row.

Actions trust that the caller fetched objects through ``access`` (scope and
role); they check what depends on the objects' state and raise
``AssessmentError`` (or the kernel's ``SchemeError``) with a message for the user.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from renkou.assessment.access import AssessmentError
from renkou.assessment.models import Fact, Run, RunStatus, Scheme, SchemeStatus
from renkou.assessment.schemes_io import check_scheme, plain, to_yaml
from renkou.audit.actions import record_event
from renkou.jobs.models import Job
from renkou.orgunits.models import OrgUnit

if TYPE_CHECKING:
    from renkou.accounts.models import User

RUN_KIND = "assessment.run"


# --- schemes ------------------------------------------------------------------------


def _checked(data: Mapping[str, Any]) -> dict[str, Any]:
    """The scheme as stored: checked by the kernel (SchemeError lists every problem)."""
    stored: dict[str, Any] = plain(data)
    check_scheme(stored)
    return stored


@transaction.atomic
def do_create_scheme(
    *,
    acting_user: User,
    owner: OrgUnit,
    year: int,
    level: int,
    data: Mapping[str, Any],
    source: str = "",
) -> Scheme:
    stored = _checked(data)
    code = str(stored["code"])
    if Scheme.objects.filter(owner=owner, year=year, level=level, code=code).exists():
        raise AssessmentError(f"{owner.name}{year}年已有编码为 {code} 的考核方案。")
    scheme = Scheme.objects.create(
        owner=owner,
        year=year,
        level=level,
        code=code,
        name=str(stored["name"]),
        data=stored,
        source=source or to_yaml(stored),
        created_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action="assessment.create_scheme",
        obj=scheme,
        org_path=owner.path,
        changes={"code": code, "year": year, "level": level},
    )
    return scheme


@transaction.atomic
def do_update_scheme(
    *, acting_user: User, scheme: Scheme, data: Mapping[str, Any], source: str = ""
) -> Scheme:
    """A new version of the scheme; runs keep the version they were scored with."""
    if scheme.status == SchemeStatus.RETIRED:
        raise AssessmentError("已停用的方案不能修改。")
    stored = _checked(data)
    code = str(stored["code"])
    clash = (
        Scheme.objects.filter(owner=scheme.owner, year=scheme.year, level=scheme.level, code=code)
        .exclude(pk=scheme.pk)
        .exists()
    )
    if clash:
        raise AssessmentError(f"已有编码为 {code} 的考核方案。")
    before = scheme.version
    scheme.data = stored
    scheme.code = code
    scheme.name = str(stored["name"])
    scheme.source = source or to_yaml(stored)
    scheme.version = before + 1
    scheme.save()
    record_event(
        actor=acting_user,
        action="assessment.update_scheme",
        obj=scheme,
        org_path=scheme.owner.path,
        changes={"version": [before, scheme.version]},
    )
    return scheme


@transaction.atomic
def do_set_scheme_status(*, acting_user: User, scheme: Scheme, status: str) -> Scheme:
    if status not in SchemeStatus.values:
        raise AssessmentError("状态无效。")
    if status == scheme.status:
        raise AssessmentError("方案已是该状态。")
    if status == SchemeStatus.DRAFT:
        raise AssessmentError("方案不能退回草稿。")
    before = scheme.status
    scheme.status = status
    scheme.save(update_fields=["status", "updated_at"])
    record_event(
        actor=acting_user,
        action="assessment.set_scheme_status",
        obj=scheme,
        org_path=scheme.owner.path,
        changes={"status": [before, status]},
    )
    return scheme


# --- facts --------------------------------------------------------------------------


@transaction.atomic
def do_record_fact(
    *,
    acting_user: User,
    orgunit: OrgUnit,
    year: int,
    code: str,
    value: Decimal,
    note: str,
    evidence: UploadedFile[bytes] | None = None,
) -> Fact:
    """Enter (or correct) an assessor's figure for a unit and year."""
    code = code.strip()
    note = note.strip()
    if not code or not note:
        raise AssessmentError("事项编码和说明都必须填写。")
    fact = Fact.objects.filter(year=year, orgunit=orgunit, code=code).first()
    before = None if fact is None else fact.value
    if fact is None:
        fact = Fact(year=year, orgunit=orgunit, code=code)
    fact.value = value
    fact.note = note
    fact.entered_by = acting_user
    fact.entered_at = timezone.now()
    if evidence is not None:
        fact.evidence.save(evidence.name or "evidence", evidence, save=False)
    fact.save()
    record_event(
        actor=acting_user,
        action="assessment.record_fact",
        obj=fact,
        org_path=orgunit.path,
        changes={"code": code, "value": [before, value]},
        reason=note,
    )
    return fact


# --- runs ---------------------------------------------------------------------------


@transaction.atomic
def do_start_run(*, acting_user: User, scheme: Scheme, root: OrgUnit | None = None) -> Run:
    """Queue an assessment of the scheme's units under ``root`` (default: its owner).

    The run keeps a snapshot of the scheme; the job assembles the inputs,
    scores them and stores every unit's result.
    """
    from renkou.jobs.tasks import run_job

    root = root or scheme.owner
    if not root.path.startswith(scheme.owner.path):
        raise AssessmentError("考核范围必须在方案制定单位的辖区内。")
    if scheme.status == SchemeStatus.RETIRED:
        raise AssessmentError("已停用的方案不能用于考核。")
    if root.level >= scheme.level:
        raise AssessmentError("考核范围内没有该层级的单位。")
    busy = Run.objects.filter(
        scheme=scheme, root=root, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
    ).exists()
    if busy:
        raise AssessmentError("该方案的考核正在计算中，请等待完成。")
    run = Run.objects.create(
        scheme=scheme,
        year=scheme.year,
        root=root,
        scheme_data=scheme.data,
        created_by=acting_user,
    )
    # One audit row for the whole start: the job is part of the run, not a
    # separate decision, so it is created here rather than through do_create_job.
    job = Job.objects.create(
        kind=RUN_KIND,
        title=f"{scheme.year}年度考核：{scheme.name}（{root.name}）",
        params={"run_id": run.pk},
        created_by=acting_user,
    )
    run.job = job
    run.save(update_fields=["job"])
    record_event(
        actor=acting_user,
        action="assessment.start_run",
        obj=run,
        org_path=root.path,
        changes={"scheme": scheme.code, "version": scheme.version, "root": root.code},
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return run
