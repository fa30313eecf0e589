"""State changes of monthly supervision. Each action runs in one transaction and
writes exactly one audit row; actions that would change nothing write none.

Actions trust that the caller fetched objects through ``access`` (scope and
role); they check what depends on the objects' state and raise
``SupervisionError`` with a message for the user.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from renkou.audit.actions import diff_fields, record_event, snapshot
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.supervision import sampling
from renkou.supervision.access import SupervisionError, may_inspect
from renkou.supervision.checklist_io import ChecklistData, ItemData, item_problems
from renkou.supervision.files import Checked
from renkou.supervision.models import (
    Attachment,
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    InspectionStatus,
    MonthlyResult,
    Plan,
    PlanStatus,
    PlanUnit,
    RectificationTask,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    Team,
    TemplateStatus,
    UnitSource,
    Weighting,
)
from renkou.supervision.results import average, compute_results
from renkou.supervision.scoring import (
    Finding,
    ItemRule,
    OverdueRule,
    ScoreSheet,
    Style,
    fmt,
    q2,
    score_sheet,
)

if TYPE_CHECKING:
    from renkou.accounts.models import User

DRAFT_ONLY = "已发布的清单不能修改；如需调整，请复制为新版本。"
CLOSED_PLAN = "该月结果已发布，计划不能再修改。"


def _today() -> dt.date:
    return timezone.localdate()


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- checklists ---------------------------------------------------------------

TEMPLATE_FIELDS = (
    "name",
    "level",
    "overdue_deduction",
    "overdue_cap",
    "rectify_days",
    "notes",
)
ITEM_FIELDS = (
    "topic",
    "code",
    "title",
    "points",
    "style",
    "deduction",
    "cap",
    "evidence_required",
    "guidance",
)


def _next_version(owner: OrgUnit, key: str, year: int) -> int:
    latest = ChecklistTemplate.objects.filter(owner=owner, key=key, year=year).aggregate(
        v=Max("version")
    )["v"]
    return (latest or 0) + 1


def _require_draft(template: ChecklistTemplate) -> None:
    if not template.is_draft:
        raise SupervisionError(DRAFT_ONLY)


def _cents(value: Decimal | None) -> Decimal | None:
    # As the database keeps them, so comparing old and new sees real changes only.
    return None if value is None else q2(value)


def _item_fields(data: ItemData) -> dict[str, Any]:
    return {
        "topic": data.topic,
        "code": data.code,
        "title": data.title,
        "points": _cents(data.points),
        "style": data.style.value,
        "deduction": _cents(data.deduction),
        "cap": _cents(data.cap),
        "evidence_required": data.evidence_required,
        "guidance": data.guidance,
    }


def _check_item(data: ItemData) -> None:
    problems = item_problems(data)
    if problems:
        raise SupervisionError("；".join(f"{column}：{reason}" for column, reason in problems))


@transaction.atomic
def do_create_template(
    *,
    acting_user: User,
    owner: OrgUnit,
    key: str,
    name: str,
    year: int,
    level: int,
    overdue_deduction: Decimal,
    overdue_cap: Decimal | None,
    rectify_days: int,
    notes: str = "",
) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(
        owner=owner,
        key=key,
        name=name,
        year=year,
        version=_next_version(owner, key, year),
        level=level,
        overdue_deduction=q2(overdue_deduction),
        overdue_cap=_cents(overdue_cap),
        rectify_days=rectify_days,
        notes=notes,
        created_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action="supervision.create_template",
        obj=template,
        org_path=owner.path,
        changes={"name": [None, name], "year": [None, year], "version": [None, template.version]},
    )
    return template


@transaction.atomic
def do_update_template(
    *,
    acting_user: User,
    template: ChecklistTemplate,
    name: str,
    level: int,
    overdue_deduction: Decimal,
    overdue_cap: Decimal | None,
    rectify_days: int,
    notes: str,
) -> ChecklistTemplate:
    _require_draft(template)
    before = snapshot(template, TEMPLATE_FIELDS)
    template.name = name
    template.level = level
    template.overdue_deduction = q2(overdue_deduction)
    template.overdue_cap = _cents(overdue_cap)
    template.rectify_days = rectify_days
    template.notes = notes
    changes = diff_fields(before, snapshot(template, TEMPLATE_FIELDS))
    if changes:
        template.save()
        record_event(
            actor=acting_user,
            action="supervision.update_template",
            obj=template,
            org_path=template.owner.path,
            changes=changes,
        )
    return template


def _create_items(template: ChecklistTemplate, items: Sequence[ItemData]) -> None:
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(template=template, position=index, **_item_fields(item))
            for index, item in enumerate(items, start=1)
        ]
    )


@transaction.atomic
def do_import_template(
    *, acting_user: User, owner: OrgUnit, data: ChecklistData, source_name: str
) -> ChecklistTemplate:
    """A new draft version holding the file's checklist."""
    for item in data.items:
        _check_item(item)
    template = ChecklistTemplate.objects.create(
        owner=owner,
        key=data.key,
        name=data.name,
        year=data.year,
        version=_next_version(owner, data.key, data.year),
        level=data.level,
        overdue_deduction=data.overdue_deduction,
        overdue_cap=data.overdue_cap,
        rectify_days=data.rectify_days,
        created_by=acting_user,
        notes=f"由 {source_name} 导入",
    )
    _create_items(template, data.items)
    record_event(
        actor=acting_user,
        action="supervision.import_template",
        obj=template,
        org_path=owner.path,
        changes={
            "source": source_name,
            "items": len(data.items),
            "full_marks": fmt(data.full_marks),
            "version": template.version,
        },
    )
    return template


@transaction.atomic
def do_copy_template(
    *, acting_user: User, template: ChecklistTemplate, year: int
) -> ChecklistTemplate:
    """A new draft (next version, or version 1 of another year) with the same items."""
    copy = ChecklistTemplate.objects.create(
        owner=template.owner,
        key=template.key,
        name=template.name,
        year=year,
        version=_next_version(template.owner, template.key, year),
        level=template.level,
        overdue_deduction=template.overdue_deduction,
        overdue_cap=template.overdue_cap,
        rectify_days=template.rectify_days,
        notes=template.notes,
        created_by=acting_user,
    )
    ChecklistItem.objects.bulk_create(
        [
            ChecklistItem(
                template=copy,
                position=item.position,
                **{name: getattr(item, name) for name in ITEM_FIELDS},
            )
            for item in template.items.all()
        ]
    )
    record_event(
        actor=acting_user,
        action="supervision.copy_template",
        obj=copy,
        org_path=template.owner.path,
        changes={"from": str(template.pk), "year": year, "version": copy.version},
    )
    return copy


@transaction.atomic
def do_publish_template(*, acting_user: User, template: ChecklistTemplate) -> ChecklistTemplate:
    _require_draft(template)
    items = list(template.items.all())
    if not items:
        raise SupervisionError("清单还没有检查项，不能发布。")
    template.status = TemplateStatus.PUBLISHED
    template.published_at = timezone.now()
    template.save(update_fields=["status", "published_at"])
    full = sum((item.points for item in items), Decimal(0))
    record_event(
        actor=acting_user,
        action="supervision.publish_template",
        obj=template,
        org_path=template.owner.path,
        changes={"status": ["draft", "published"], "items": len(items), "full_marks": fmt(full)},
    )
    return template


@transaction.atomic
def do_add_item(*, acting_user: User, template: ChecklistTemplate, data: ItemData) -> ChecklistItem:
    _require_draft(template)
    _check_item(data)
    if template.items.filter(code=data.code).exists():
        raise SupervisionError(f"编号 {data.code} 已被其他检查项使用。")
    position = (template.items.aggregate(p=Max("position"))["p"] or 0) + 1
    item = ChecklistItem.objects.create(template=template, position=position, **_item_fields(data))
    record_event(
        actor=acting_user,
        action="supervision.add_item",
        obj=item,
        org_path=template.owner.path,
        changes={name: [None, value] for name, value in snapshot(item, ITEM_FIELDS).items()},
    )
    return item


@transaction.atomic
def do_update_item(*, acting_user: User, item: ChecklistItem, data: ItemData) -> ChecklistItem:
    _require_draft(item.template)
    _check_item(data)
    if item.template.items.filter(code=data.code).exclude(pk=item.pk).exists():
        raise SupervisionError(f"编号 {data.code} 已被其他检查项使用。")
    before = snapshot(item, ITEM_FIELDS)
    for name, value in _item_fields(data).items():
        setattr(item, name, value)
    changes = diff_fields(before, snapshot(item, ITEM_FIELDS))
    if changes:
        item.save()
        record_event(
            actor=acting_user,
            action="supervision.update_item",
            obj=item,
            org_path=item.template.owner.path,
            changes=changes,
        )
    return item


@transaction.atomic
def do_delete_item(*, acting_user: User, item: ChecklistItem) -> None:
    _require_draft(item.template)
    record_event(
        actor=acting_user,
        action="supervision.delete_item",
        obj=item,
        org_path=item.template.owner.path,
        changes={name: [value, None] for name, value in snapshot(item, ITEM_FIELDS).items()},
    )
    item.delete()


# --- plans -----------------------------------------------------------------------

PLAN_FIELDS = (
    "title",
    "template_id",
    "village_template_id",
    "bottom_n",
    "repeat_consecutive",
    "repeat_total",
    "notes",
)


def _require_open(plan: Plan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise SupervisionError(CLOSED_PLAN)


def _require_plan_draft(plan: Plan, what: str) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise SupervisionError(f"计划已发布，不能再{what}。")


def active_townships(root: OrgUnit) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(subtree_q(root.path), level=Level.TOWNSHIP, closed_on__isnull=True)
    )


@transaction.atomic
def do_create_plan(
    *,
    acting_user: User,
    root: OrgUnit,
    year: int,
    month: int,
    title: str,
    template: ChecklistTemplate,
    village_template: ChecklistTemplate | None,
    bottom_n: int,
    repeat_consecutive: int,
    repeat_total: int,
    notes: str = "",
    include_townships: bool = True,
    copy_teams_from: Plan | None = None,
) -> Plan:
    if Plan.objects.filter(root=root, year=year, month=month).exists():
        raise SupervisionError(f"{year}年{month}月已有督查计划。")
    for chosen in (template, village_template):
        if chosen is not None and chosen.status != TemplateStatus.PUBLISHED:
            raise SupervisionError("只能选用已发布的督查清单。")
    plan = Plan.objects.create(
        root=root,
        year=year,
        month=month,
        title=title,
        template=template,
        village_template=village_template,
        bottom_n=bottom_n,
        repeat_consecutive=repeat_consecutive,
        repeat_total=repeat_total,
        notes=notes,
        created_by=acting_user,
    )
    teams: dict[int, Team] = {}
    assignments: dict[int, tuple[int | None, dt.date | None]] = {}
    if copy_teams_from is not None:
        for old in copy_teams_from.teams.prefetch_related("members"):
            team = Team.objects.create(plan=plan, name=old.name)
            team.members.set(old.members.all())
            teams[old.pk] = team
        for unit_id, team_id in copy_teams_from.units.filter(source=UnitSource.LISTED).values_list(
            "unit_id", "team_id"
        ):
            assignments[unit_id] = (teams[team_id].pk if team_id in teams else None, None)
    if include_townships:
        PlanUnit.objects.bulk_create(
            [
                PlanUnit(plan=plan, unit=unit, team_id=assignments.get(unit.pk, (None, None))[0])
                for unit in active_townships(root)
            ]
        )
    record_event(
        actor=acting_user,
        action="supervision.create_plan",
        obj=plan,
        org_path=root.path,
        changes={
            "month": f"{year}{month:02d}",
            "template": str(template.pk),
            "units": plan.units.count(),
            "teams_copied_from": str(copy_teams_from.pk) if copy_teams_from else None,
        },
    )
    return plan


@transaction.atomic
def do_update_plan(
    *,
    acting_user: User,
    plan: Plan,
    title: str,
    template: ChecklistTemplate,
    village_template: ChecklistTemplate | None,
    bottom_n: int,
    repeat_consecutive: int,
    repeat_total: int,
    notes: str,
) -> Plan:
    _require_open(plan)
    before = snapshot(plan, PLAN_FIELDS)
    if plan.status != PlanStatus.DRAFT and (
        template.pk != plan.template_id
        or (village_template.pk if village_template else None) != plan.village_template_id
    ):
        raise SupervisionError("计划已发布，不能再更换督查清单。")
    plan.title = title
    plan.template = template
    plan.village_template = village_template
    plan.bottom_n = bottom_n
    plan.repeat_consecutive = repeat_consecutive
    plan.repeat_total = repeat_total
    plan.notes = notes
    changes = diff_fields(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        plan.save()
        record_event(
            actor=acting_user,
            action="supervision.update_plan",
            obj=plan,
            org_path=plan.root.path,
            changes=changes,
        )
    return plan


@transaction.atomic
def do_add_team(*, acting_user: User, plan: Plan, name: str, members: Iterable[User]) -> Team:
    _require_open(plan)
    team = Team.objects.create(plan=plan, name=name)
    people = list(members)
    team.members.set(people)
    record_event(
        actor=acting_user,
        action="supervision.add_team",
        obj=team,
        org_path=plan.root.path,
        changes={"name": [None, name], "members": [None, sorted(p.username for p in people)]},
    )
    return team


@transaction.atomic
def do_update_team(*, acting_user: User, team: Team, name: str, members: Iterable[User]) -> Team:
    _require_open(team.plan)
    people = list(members)
    before = {"name": team.name, "members": sorted(u.username for u in team.members.all())}
    after = {"name": name, "members": sorted(p.username for p in people)}
    if before == after:
        return team
    team.name = name
    team.save(update_fields=["name"])
    team.members.set(people)
    record_event(
        actor=acting_user,
        action="supervision.update_team",
        obj=team,
        org_path=team.plan.root.path,
        changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return team


@transaction.atomic
def do_delete_team(*, acting_user: User, team: Team) -> None:
    _require_open(team.plan)
    plan = team.plan
    record_event(
        actor=acting_user,
        action="supervision.delete_team",
        obj=team,
        org_path=plan.root.path,
        changes={"name": [team.name, None]},
    )
    team.delete()


@transaction.atomic
def do_assign_units(
    *,
    acting_user: User,
    plan: Plan,
    units: Sequence[OrgUnit],
    team: Team | None,
    visit_on: dt.date | None,
) -> list[PlanUnit]:
    """Put units on the plan (if not yet there) and give them a team and a date."""
    _require_open(plan)
    if team is not None and team.plan_id != plan.pk:
        raise SupervisionError("督查组不属于本计划。")
    for unit in units:
        if not unit.is_within(plan.root) or unit.level not in (Level.TOWNSHIP, Level.VILLAGE):
            raise SupervisionError(f"{unit.name}不是本计划范围内的乡镇或村（居）。")
    existing = {pu.unit_id: pu for pu in plan.units.filter(unit__in=units)}
    added: list[str] = []
    changed: list[PlanUnit] = []
    for unit in units:
        plan_unit = existing.get(unit.pk)
        if plan_unit is None:
            if plan.status != PlanStatus.DRAFT:
                raise SupervisionError("计划已发布，不能再增加督查单位。")
            plan_unit = PlanUnit.objects.create(plan=plan, unit=unit, team=team, visit_on=visit_on)
            added.append(unit.code)
        else:
            plan_unit.team = team
            plan_unit.visit_on = visit_on
            changed.append(plan_unit)
        existing[unit.pk] = plan_unit
    PlanUnit.objects.bulk_update(changed, ["team", "visit_on"])
    if added or changed:
        record_event(
            actor=acting_user,
            action="supervision.assign_units",
            obj=plan,
            org_path=plan.root.path,
            changes={
                "added": added,
                "assigned": [u.code for u in units],
                "team": team.name if team else None,
                "visit_on": visit_on.isoformat() if visit_on else None,
            },
        )
    return [existing[unit.pk] for unit in units]


@transaction.atomic
def do_remove_plan_unit(*, acting_user: User, plan_unit: PlanUnit) -> None:
    _require_plan_draft(plan_unit.plan, "删除督查单位")
    if Inspection.objects.filter(plan_unit=plan_unit).exists():
        raise SupervisionError("该单位已有督查记录，不能删除。")
    record_event(
        actor=acting_user,
        action="supervision.remove_plan_unit",
        obj=plan_unit.plan,
        org_path=plan_unit.plan.root.path,
        changes={"removed": plan_unit.unit.code},
    )
    plan_unit.delete()


def last_scores(units: Sequence[OrgUnit], before: Plan) -> dict[int, tuple[Decimal, Decimal]]:
    """Each unit's latest published (score, full marks) before ``before``'s month."""
    found: dict[int, tuple[Decimal, Decimal]] = {}
    rows = (
        MonthlyResult.objects.filter(unit__in=units, plan__status=PlanStatus.CLOSED)
        .filter(
            Q(plan__year__lt=before.year) | Q(plan__year=before.year, plan__month__lt=before.month)
        )
        .order_by("-plan__year", "-plan__month")
        .values_list("unit_id", "score", "inspection__full_marks")
    )
    for unit_id, score, full in rows:
        found.setdefault(unit_id, (score, full or Decimal(100)))
    return found


@transaction.atomic
def do_draw_sample(
    *,
    acting_user: User,
    plan: Plan,
    per_township: int,
    weighting: str,
    boost: Decimal,
    seed: int | None,
) -> dict[str, list[str]]:
    """Draw villages under each township on the plan, replacing an earlier draw.

    Every draw is audited with its seed, so redrawing until a liked sample
    comes up would be visible in the trail and in the plan's draw count.
    """
    _require_plan_draft(plan, "重新抽样")
    if seed is None:
        seed = secrets.randbelow(10**9)
    townships = [
        pu.unit
        for pu in plan.units.filter(source=UnitSource.LISTED, unit__level=Level.TOWNSHIP)
        .select_related("unit")
        .order_by("unit__code")
    ]
    assignments = {
        pu.unit_id: pu for pu in plan.units.filter(unit__in=townships).select_related("unit")
    }
    # Villages already named on the plan (a targeted visit) are not drawn again.
    villages = list(
        OrgUnit.objects.filter(parent__in=townships, level=Level.VILLAGE, closed_on__isnull=True)
        .exclude(pk__in=plan.units.filter(source=UnitSource.LISTED).values("unit_id"))
        .order_by("code")
    )
    scores = last_scores(villages, plan) if weighting == Weighting.POOR else {}
    strata: dict[str, list[sampling.Candidate]] = {t.code: [] for t in townships}
    parent_code = {t.pk: t.code for t in townships}
    for village in villages:
        last = scores.get(village.pk)
        weight = sampling.weight_for(last[0], last[1], boost) if last is not None else sampling.ONE
        strata[parent_code[village.parent_id]].append(  # type: ignore[index]
            sampling.Candidate(village.code, weight)
        )
    drawn = sampling.draw(seed, strata, per_township)
    PlanUnit.objects.filter(plan=plan, source=UnitSource.SAMPLED).delete()
    by_code = {v.code: v for v in villages}
    weights = {c.code: c.weight for cands in strata.values() for c in cands}
    new_units = []
    for township in townships:
        parent = assignments[township.pk]
        for order, code in enumerate(drawn.get(township.code, []), start=1):
            new_units.append(
                PlanUnit(
                    plan=plan,
                    unit=by_code[code],
                    source=UnitSource.SAMPLED,
                    team_id=parent.team_id,
                    visit_on=parent.visit_on,
                    draw_order=order,
                    weight=weights[code],
                )
            )
    PlanUnit.objects.bulk_create(new_units)
    plan.sample_per_township = per_township
    plan.sample_weighting = weighting
    plan.sample_boost = boost
    plan.sample_seed = seed
    plan.sample_draws += 1
    plan.sample_drawn_at = timezone.now()
    plan.sample_drawn_by = acting_user
    plan.sample_record = {
        "algorithm": sampling.ALGORITHM,
        "seed": seed,
        "per_township": per_township,
        "weighting": weighting,
        "boost": str(boost),
        "strata": {
            code: [[c.code, str(c.weight)] for c in cands] for code, cands in strata.items()
        },
        "drawn": drawn,
    }
    plan.save()
    record_event(
        actor=acting_user,
        action="supervision.draw_sample",
        obj=plan,
        org_path=plan.root.path,
        changes={
            "seed": seed,
            "per_township": per_township,
            "weighting": weighting,
            "boost": str(boost),
            "draw_number": plan.sample_draws,
            "drawn": drawn,
        },
    )
    return drawn


@transaction.atomic
def do_publish_plan(*, acting_user: User, plan: Plan) -> Plan:
    _lock(plan)
    _require_plan_draft(plan, "发布")
    units = list(plan.units.select_related("unit"))
    if not units:
        raise SupervisionError("计划中还没有督查单位。")
    without_team = [pu.unit.name for pu in units if pu.team_id is None]
    if without_team:
        names = "、".join(without_team[:5]) + ("等" if len(without_team) > 5 else "")
        raise SupervisionError(f"还有{len(without_team)}个单位没有分配督查组：{names}。")
    plan.status = PlanStatus.ACTIVE
    plan.published_at = timezone.now()
    plan.save(update_fields=["status", "published_at"])
    record_event(
        actor=acting_user,
        action="supervision.publish_plan",
        obj=plan,
        org_path=plan.root.path,
        changes={"status": ["draft", "active"], "units": len(units)},
    )
    return plan


@transaction.atomic
def do_close_plan(*, acting_user: User, plan: Plan) -> list[MonthlyResult]:
    """Publish the month's results: the ranking is computed once and kept."""
    _lock(plan)
    if plan.status != PlanStatus.ACTIVE:
        raise SupervisionError("只有督查中的计划才能发布结果。")
    drafts = Inspection.objects.filter(plan=plan, status=InspectionStatus.DRAFT).count()
    if drafts:
        raise SupervisionError(f"还有{drafts}份督查记录未提交，请提交后再发布结果。")
    results = compute_results(plan)
    if not results:
        raise SupervisionError("本月还没有已提交的督查记录。")
    MonthlyResult.objects.bulk_create(results)
    inspected = {r.unit_id for r in results}
    missing = [
        pu.unit.name
        for pu in plan.units.select_related("unit").order_by("unit__code")
        if pu.unit_id not in inspected
    ]
    township_scores = [r.score for r in results if r.level == Level.TOWNSHIP]
    village_scores = [r.score for r in results if r.level == Level.VILLAGE]
    plan.status = PlanStatus.CLOSED
    plan.closed_at = timezone.now()
    plan.closed_by = acting_user
    plan.bulletin_no = (
        Plan.objects.filter(root=plan.root, year=plan.year, status=PlanStatus.CLOSED).count() + 1
    )
    township_avg = average(township_scores)
    village_avg = average(village_scores)
    plan.summary = {
        "township_count": len(township_scores),
        "village_count": len(village_scores),
        "township_average": str(township_avg) if township_avg is not None else None,
        "village_average": str(village_avg) if village_avg is not None else None,
        "not_inspected": missing,
        "tasks_opened": RectificationTask.objects.filter(plan=plan).count(),
        "overdue_at_close": RectificationTask.objects.filter(
            plan__root=plan.root, status=TaskStatus.OPEN, deadline__lt=_today()
        ).count(),
    }
    plan.save()
    record_event(
        actor=acting_user,
        action="supervision.close_plan",
        obj=plan,
        org_path=plan.root.path,
        changes={
            "status": ["active", "closed"],
            "bulletin_no": plan.bulletin_no,
            "bottom": [r.unit.code for r in results if r.bottom],
            "repeat": [r.unit.code for r in results if r.repeat],
        },
    )
    return results


# --- inspections -------------------------------------------------------------


@dataclass(frozen=True)
class ResultDraft:
    item_id: int
    occurrences: int = 0
    failed: bool = False
    note: str = ""
    rectify: bool = True
    photos: tuple[uuid.UUID, ...] | None = None  # None: keep the photos as they are


@dataclass(frozen=True)
class Location:
    latitude: Decimal
    longitude: Decimal
    accuracy_m: int | None
    at: dt.datetime | None


@dataclass(frozen=True)
class InspectionDraft:
    representative: str = ""
    remarks: str = ""
    location: Location | None = None
    results: tuple[ResultDraft, ...] = ()


@transaction.atomic
def do_start_inspection(*, acting_user: User, plan_unit: PlanUnit) -> Inspection:
    # Lock the unit's row: two inspectors pressing "start" at once get one inspection.
    PlanUnit.objects.select_for_update().filter(pk=plan_unit.pk).exists()
    existing = Inspection.objects.filter(plan_unit=plan_unit).first()
    if existing is not None:
        return existing
    plan = plan_unit.plan
    if plan.status != PlanStatus.ACTIVE:
        raise SupervisionError("计划发布后才能开始督查；结果发布后不能再新增督查。")
    template = plan.template_for(plan_unit.unit)
    inspection = Inspection.objects.create(
        plan_unit=plan_unit,
        plan=plan,
        unit=plan_unit.unit,
        template=template,
        inspector=acting_user,
        visited_on=_today(),
    )
    InspectionResult.objects.bulk_create(
        [InspectionResult(inspection=inspection, item=item) for item in template.items.all()]
    )
    record_event(
        actor=acting_user,
        action="supervision.start_inspection",
        obj=inspection,
        org_path=plan_unit.unit.path,
        changes={"unit": plan_unit.unit.code, "plan": str(plan.pk), "template": str(template.pk)},
    )
    return inspection


def _lock(obj: Inspection | RectificationTask | Plan) -> None:
    """Re-read the status under a row lock, so two devices (or a double tap)
    acting on the same object at once are serialised and the second sees the
    first one's result instead of acting on a stale status."""
    obj.status = (
        type(obj).objects.select_for_update().values_list("status", flat=True).get(pk=obj.pk)
    )


def _require_inspection_draft(inspection: Inspection) -> None:
    _lock(inspection)
    if inspection.status != InspectionStatus.DRAFT:
        raise SupervisionError("该督查记录已提交，不能再修改。")


def _delete_files_after_commit(names: list[str]) -> None:
    def remove() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(remove)


def _apply_draft(inspection: Inspection, draft: InspectionDraft) -> dict[str, Any]:
    """Write the draft onto the inspection; returns what changed (for the audit row)."""
    results = {r.item_id: r for r in inspection.results.select_related("item")}
    unknown = [d.item_id for d in draft.results if d.item_id not in results]
    if unknown:
        raise SupervisionError("草稿中有不属于本清单的检查项，请刷新页面后重试。")
    changed_items: list[str] = []
    to_update: list[InspectionResult] = []
    for entry in draft.results:
        result = results[entry.item_id]
        occurrences = entry.occurrences if result.item.style == Style.OCCURRENCE else 0
        failed = entry.failed if result.item.style == Style.YES_NO else False
        new = (occurrences, failed, entry.note.strip(), entry.rectify)
        if new != (result.occurrences, result.failed, result.note, result.rectify):
            result.occurrences, result.failed, result.note, result.rectify = new
            to_update.append(result)
            changed_items.append(result.item.code)
    InspectionResult.objects.bulk_update(to_update, ["occurrences", "failed", "note", "rectify"])
    removed: list[str] = []
    keep = {
        uid: entry.item_id
        for entry in draft.results
        if entry.photos is not None
        for uid in entry.photos
    }
    listed_items = {entry.item_id for entry in draft.results if entry.photos is not None}
    stale = [
        photo
        for photo in Attachment.objects.filter(
            inspection=inspection, result__isnull=False
        ).select_related("result")
        if photo.result is not None
        and photo.result.item_id in listed_items
        and photo.client_uuid not in keep
    ]
    if stale:
        removed = [str(p.client_uuid or p.pk) for p in stale]
        names = [p.file.name for p in stale if p.file.name]
        Attachment.objects.filter(pk__in=[p.pk for p in stale]).delete()
        _delete_files_after_commit(names)
    before = snapshot(inspection, ("representative", "remarks", "latitude", "longitude"))
    inspection.representative = draft.representative.strip()[:50]
    inspection.remarks = draft.remarks.strip()
    if draft.location is not None:
        inspection.latitude = draft.location.latitude
        inspection.longitude = draft.location.longitude
        inspection.accuracy_m = draft.location.accuracy_m
        inspection.located_at = draft.location.at or timezone.now()
    changes: dict[str, Any] = diff_fields(
        before, snapshot(inspection, ("representative", "remarks", "latitude", "longitude"))
    )
    if changed_items:
        changes["items"] = changed_items
    if removed:
        changes["photos_removed"] = removed
    return changes


@transaction.atomic
def do_save_inspection(
    *, acting_user: User, inspection: Inspection, draft: InspectionDraft
) -> Inspection:
    """Save a draft sent by the phone page (typed on or off line)."""
    _require_inspection_draft(inspection)
    changes = _apply_draft(inspection, draft)
    if not changes:
        return inspection
    inspection.revision += 1
    inspection.updated_at = timezone.now()
    inspection.save()
    record_event(
        actor=acting_user,
        action="supervision.save_inspection",
        obj=inspection,
        org_path=inspection.unit.path,
        changes={**changes, "revision": inspection.revision},
    )
    return inspection


@transaction.atomic
def do_attach_photo(
    *,
    acting_user: User,
    inspection: Inspection,
    result: InspectionResult,
    upload: UploadedFile[bytes],
    checked: Checked,
    client_uuid: uuid.UUID,
) -> Attachment:
    """Keep a photo of a finding. Sending the same photo twice (a retried sync)
    returns the photo already kept."""
    existing = Attachment.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.inspection_id != inspection.pk:
            raise SupervisionError("照片编号冲突，请重新拍摄。")
        return existing
    _require_inspection_draft(inspection)
    if result.inspection_id != inspection.pk:
        raise SupervisionError("检查项不属于本次督查。")
    attachment = Attachment(
        inspection=inspection,
        result=result,
        original_name=(upload.name or "photo")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        client_uuid=client_uuid,
        uploaded_by=acting_user,
    )
    attachment.file.save(f"photo{checked.extension}", upload, save=False)
    attachment.save()
    record_event(
        actor=acting_user,
        action="supervision.attach_photo",
        obj=attachment,
        org_path=inspection.unit.path,
        changes={
            "inspection": str(inspection.pk),
            "item": result.item.code,
            "type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
        },
    )
    return attachment


def overdue_tasks_for_score(unit: OrgUnit, plan: Plan, on: dt.date) -> list[int]:
    """Earlier months' tasks of the unit still not reported done after their deadline."""
    return list(
        RectificationTask.objects.filter(unit=unit, status=TaskStatus.OPEN, deadline__lt=on)
        .filter(Q(plan__year__lt=plan.year) | Q(plan__year=plan.year, plan__month__lt=plan.month))
        .order_by("id")
        .values_list("id", flat=True)
    )


def score_inspection(
    inspection: Inspection, results: Sequence[InspectionResult], overdue_ids: Sequence[int]
) -> ScoreSheet:
    template = inspection.template
    rules = [
        ItemRule(
            code=r.item.code,
            title=r.item.title,
            points=r.item.points,
            style=Style(r.item.style),
            deduction=r.item.deduction,
            cap=r.item.cap,
        )
        for r in results
    ]
    findings = {r.item.code: Finding(occurrences=r.occurrences, failed=r.failed) for r in results}
    overdue_rule = (
        OverdueRule(per_task=template.overdue_deduction, cap=template.overdue_cap)
        if template.overdue_deduction > 0
        else None
    )
    return score_sheet(rules, findings, overdue_rule=overdue_rule, overdue_tasks=len(overdue_ids))


def apply_sheet(
    inspection: Inspection,
    results: Sequence[InspectionResult],
    sheet: ScoreSheet,
    overdue_ids: Sequence[int],
) -> None:
    """Copy the computed scores onto the rows (not saved)."""
    for result, line in zip(results, sheet.lines, strict=True):
        result.deduction = line.deduction
        result.score = line.score
        result.explanation = line.explanation[:300]
    inspection.full_marks = sheet.full_marks
    inspection.total = sheet.total
    inspection.overdue_count = len(overdue_ids)
    inspection.overdue_task_ids = list(overdue_ids)
    inspection.overdue_deduction = sheet.overdue.deduction if sheet.overdue else Decimal(0)
    inspection.overdue_explanation = sheet.overdue.explanation[:300] if sheet.overdue else ""
    inspection.explanation = sheet.explanation[:300]


def new_task(
    inspection: Inspection, result: InspectionResult, *, by: User, deadline: dt.date, text: str
) -> RectificationTask:
    return RectificationTask(
        inspection=inspection,
        result=result,
        plan_id=inspection.plan_id,
        unit_id=inspection.unit_id,
        title=result.item.title[:200],
        description=text,
        deadline=deadline,
        first_deadline=deadline,
        opened_by=by,
    )


@transaction.atomic
def do_submit_inspection(
    *, acting_user: User, inspection: Inspection, draft: InspectionDraft | None = None
) -> Inspection:
    """Save the last draft, compute the score and open the rectification tasks."""
    _require_inspection_draft(inspection)
    if draft is not None:
        _apply_draft(inspection, draft)
    results = list(inspection.results.select_related("item").order_by("item__position", "item_id"))
    with_photos = set(
        Attachment.objects.filter(inspection=inspection, result__isnull=False).values_list(
            "result_id", flat=True
        )
    )
    missing = [
        r.item.code
        for r in results
        if r.item.evidence_required and r.has_finding and r.pk not in with_photos
    ]
    if missing:
        raise SupervisionError(
            f"以下扣分项须附照片：{'、'.join(missing)}。请拍照后再提交（草稿已保存）。"
        )
    overdue_ids = overdue_tasks_for_score(inspection.unit, inspection.plan, inspection.visited_on)
    sheet = score_inspection(inspection, results, overdue_ids)
    apply_sheet(inspection, results, sheet, overdue_ids)
    InspectionResult.objects.bulk_update(results, ["deduction", "score", "explanation"])
    deadline = inspection.visited_on + dt.timedelta(days=inspection.template.rectify_days)
    tasks = [
        new_task(
            inspection,
            r,
            by=acting_user,
            deadline=deadline,
            text=(r.note or r.explanation)[:2000],
        )
        for r in results
        if r.deduction and r.deduction > 0 and r.rectify
    ]
    created = RectificationTask.objects.bulk_create(tasks)
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(
                task=task,
                kind=TaskEventKind.OPENED,
                by=acting_user,
                note=f"督查扣分，整改期限{_date_zh(task.deadline)}",
            )
            for task in created
        ]
    )
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.updated_at = inspection.submitted_at
    inspection.revision += 1
    inspection.save()
    record_event(
        actor=acting_user,
        action="supervision.submit_inspection",
        obj=inspection,
        org_path=inspection.unit.path,
        changes={
            "status": ["draft", "submitted"],
            "total": fmt(sheet.total),
            "full_marks": fmt(sheet.full_marks),
            "overdue_tasks": list(overdue_ids),
            "tasks": [str(t.pk) for t in created],
        },
    )
    return inspection


@transaction.atomic
def do_acknowledge_inspection(
    *, acting_user: User, inspection: Inspection, objection: bool, note: str
) -> Inspection:
    _lock(inspection)
    if inspection.status != InspectionStatus.SUBMITTED:
        raise SupervisionError("该督查记录不在待确认状态。")
    if inspection.inspector_id == acting_user.pk or may_inspect(acting_user, inspection.plan_unit):
        raise SupervisionError("督查人员不能代替被督查单位确认结果。")
    if objection and not note.strip():
        raise SupervisionError("有异议时请写明理由。")
    inspection.status = InspectionStatus.ACKNOWLEDGED
    inspection.ack_by = acting_user
    inspection.ack_at = timezone.now()
    inspection.ack_objection = objection
    inspection.ack_note = note.strip()
    inspection.save(update_fields=["status", "ack_by", "ack_at", "ack_objection", "ack_note"])
    record_event(
        actor=acting_user,
        action="supervision.acknowledge_inspection",
        obj=inspection,
        org_path=inspection.unit.path,
        changes={"status": ["submitted", "acknowledged"], "objection": objection},
        reason=note.strip(),
    )
    return inspection


@transaction.atomic
def do_reopen_inspection(*, acting_user: User, inspection: Inspection, reason: str) -> Inspection:
    """Return a submitted inspection to its inspector for correction (e.g. after
    the unit objected). Possible only while no task has been worked on."""
    _require_open(inspection.plan)
    if inspection.status == InspectionStatus.DRAFT:
        raise SupervisionError("该督查记录尚未提交。")
    tasks = list(inspection.tasks.all())
    if (
        any(t.status != TaskStatus.OPEN or t.reopened_count for t in tasks)
        or Attachment.objects.filter(task__in=tasks).exists()
    ):
        raise SupervisionError("已有整改任务在办理中，不能退回修改。")
    old_status = inspection.status
    TaskEvent.objects.filter(task__in=tasks).delete()
    RectificationTask.objects.filter(pk__in=[t.pk for t in tasks]).delete()
    inspection.status = InspectionStatus.DRAFT
    inspection.total = None
    inspection.submitted_at = None
    inspection.ack_by = None
    inspection.ack_at = None
    inspection.ack_objection = False
    inspection.ack_note = ""
    inspection.revision += 1
    inspection.save()
    record_event(
        actor=acting_user,
        action="supervision.reopen_inspection",
        obj=inspection,
        org_path=inspection.unit.path,
        changes={"status": [old_status, "draft"], "tasks_removed": [str(t.pk) for t in tasks]},
        reason=reason,
    )
    return inspection


# --- rectification tasks ------------------------------------------------------


@transaction.atomic
def do_open_task(
    *, acting_user: User, result: InspectionResult, deadline: dt.date, description: str
) -> RectificationTask:
    inspection = result.inspection
    if inspection.status == InspectionStatus.DRAFT:
        raise SupervisionError("督查记录提交后才能开具整改任务。")
    if not result.deduction or result.deduction <= 0:
        raise SupervisionError("该检查项没有扣分，无需整改。")
    if RectificationTask.objects.filter(result=result).exists():
        raise SupervisionError("该扣分项已有整改任务。")
    if deadline < _today():
        raise SupervisionError("整改期限不能早于今天。")
    task = new_task(
        inspection,
        result,
        by=acting_user,
        deadline=deadline,
        text=(description.strip() or result.note or result.explanation)[:2000],
    )
    task.save()
    TaskEvent.objects.create(
        task=task,
        kind=TaskEventKind.OPENED,
        by=acting_user,
        note=f"整改期限{_date_zh(deadline)}",
    )
    record_event(
        actor=acting_user,
        action="supervision.open_task",
        obj=task,
        org_path=inspection.unit.path,
        changes={"item": result.item.code, "deadline": deadline.isoformat()},
    )
    return task


@transaction.atomic
def do_attach_evidence(
    *, acting_user: User, task: RectificationTask, upload: UploadedFile[bytes], checked: Checked
) -> Attachment:
    _lock(task)
    if task.status != TaskStatus.OPEN:
        raise SupervisionError("任务已报告完成，不能再上传佐证；如需补充，请等待核验结果。")
    attachment = Attachment(
        task=task,
        original_name=(upload.name or "evidence")[:200],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=acting_user,
    )
    attachment.file.save(f"evidence{checked.extension}", upload, save=False)
    attachment.save()
    TaskEvent.objects.create(
        task=task, kind=TaskEventKind.EVIDENCE, by=acting_user, note=attachment.original_name
    )
    record_event(
        actor=acting_user,
        action="supervision.attach_evidence",
        obj=attachment,
        org_path=task.unit.path,
        changes={
            "task": str(task.pk),
            "type": checked.content_type,
            "size": checked.size,
            "sha256": checked.sha256,
        },
    )
    return attachment


@transaction.atomic
def do_mark_task_done(
    *, acting_user: User, task: RectificationTask, note: str
) -> RectificationTask:
    _lock(task)
    if task.status != TaskStatus.OPEN:
        raise SupervisionError("该任务不在待整改状态。")
    if not task.evidence.exists():
        raise SupervisionError("请先上传整改佐证材料（照片或PDF），再报告完成。")
    today = _today()
    task.status = TaskStatus.SUBMITTED
    task.done_at = timezone.now()
    task.done_by = acting_user
    # Sticky: a task once handed in late stays late after a reopen.
    task.done_late = task.done_late or today > task.deadline
    task.save(update_fields=["status", "done_at", "done_by", "done_late"])
    TaskEvent.objects.create(task=task, kind=TaskEventKind.DONE, by=acting_user, note=note.strip())
    record_event(
        actor=acting_user,
        action="supervision.mark_task_done",
        obj=task,
        org_path=task.unit.path,
        changes={"status": ["open", "submitted"], "late": task.done_late},
        reason=note.strip(),
    )
    return task


@transaction.atomic
def do_verify_task(*, acting_user: User, task: RectificationTask, note: str) -> RectificationTask:
    _lock(task)
    if task.status != TaskStatus.SUBMITTED:
        raise SupervisionError("只有待核验的任务才能核验销号。")
    if task.done_by_id == acting_user.pk:
        raise SupervisionError("不能核验自己报告完成的任务。")
    task.status = TaskStatus.VERIFIED
    task.verified_at = timezone.now()
    task.verified_by = acting_user
    task.save(update_fields=["status", "verified_at", "verified_by"])
    TaskEvent.objects.create(
        task=task, kind=TaskEventKind.VERIFIED, by=acting_user, note=note.strip()
    )
    record_event(
        actor=acting_user,
        action="supervision.verify_task",
        obj=task,
        org_path=task.unit.path,
        changes={"status": ["submitted", "verified"]},
        reason=note.strip(),
    )
    return task


@transaction.atomic
def do_reopen_task(
    *, acting_user: User, task: RectificationTask, reason: str, deadline: dt.date
) -> RectificationTask:
    _lock(task)
    if task.status != TaskStatus.SUBMITTED:
        raise SupervisionError("只有待核验的任务才能退回。")
    if not reason.strip():
        raise SupervisionError("请写明退回理由。")
    if deadline < _today():
        raise SupervisionError("新的整改期限不能早于今天。")
    old_deadline = task.deadline
    task.status = TaskStatus.OPEN
    task.deadline = deadline
    task.reopened_count += 1
    task.save(update_fields=["status", "deadline", "reopened_count"])
    TaskEvent.objects.create(
        task=task,
        kind=TaskEventKind.REOPENED,
        by=acting_user,
        note=f"{reason.strip()}（新期限{_date_zh(deadline)}）",
    )
    record_event(
        actor=acting_user,
        action="supervision.reopen_task",
        obj=task,
        org_path=task.unit.path,
        changes={
            "status": ["submitted", "open"],
            "deadline": [old_deadline.isoformat(), deadline.isoformat()],
        },
        reason=reason.strip(),
    )
    return task


@transaction.atomic
def do_record_attachment_read(*, acting_user: User, attachment: Attachment) -> None:
    """Opening a photo or a piece of evidence is logged like a change (PIPL):
    evidence often shows people, homes and family documents."""
    owner = attachment.task or attachment.inspection
    unit = owner.unit if owner is not None else None
    record_event(
        actor=acting_user,
        action="supervision.read_file",
        obj=attachment,
        object_repr=attachment.original_name[:200],
        org_path=unit.path if unit is not None else "",
        changes={"sha256": attachment.sha256},
    )
