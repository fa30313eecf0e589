"""Demo data: a year of monthly supervision of 黄岩区's townships.

The twelve months before the current one are published (rankings, bulletins);
the current month is under way: some units inspected, one inspection being
filled in, the rest still to visit. Tasks exist in every state: open, overdue,
handed in and waiting for verification, verified, handed in late, reopened.

Plans, teams, samples and checklists go through the real actions (so the
samples can be re-drawn from their seeds); the several thousand inspection
rows are written in bulk with the same scoring functions the actions use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import random
import struct
import zlib
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from renkou.accounts.models import Role, User
from renkou.audit.actions import record_event
from renkou.dashboard.demo import DEMO_COUNTY, DEMO_PASSWORD, DEMO_TOWNSHIP
from renkou.orgunits.models import Level, OrgUnit
from renkou.supervision import actions, checklist_io
from renkou.supervision.models import (
    Attachment,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    InspectionStatus,
    Plan,
    PlanUnit,
    RectificationTask,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    UnitSource,
    Weighting,
)
from renkou.supervision.scoring import Style

CHECKLISTS = Path(__file__).parent / "checklists"
RANDOM_SEED = 20260105
# Townships that do poorly month after month, so the bottom list has repeat offenders.
WEAK = {"331003204", "331003200", "331003203"}
INSPECTORS = [("inspector1", "吴督查"), ("inspector2", "郑督查")]
TEAMS = ["第一督查组", "第二督查组", "第三督查组"]
LAT, LON = Decimal("28.6451"), Decimal("121.2613")

Log = Callable[[str], None]


def _aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _month_add(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain coloured PNG (a stand-in photo), written without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height, 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _inspectors(county: OrgUnit) -> list[User]:
    people = []
    for username, full_name in INSPECTORS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                full_name=full_name,
                role=Role.COUNTY_ASSESSOR,
                home_unit=county,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        people.append(user)
    return people


def _templates(
    planner: User, county: OrgUnit, years: list[int]
) -> dict[int, tuple[ChecklistTemplate, ChecklistTemplate]]:
    out = {}
    for year in years:
        pair = []
        for name in ("township", "village"):
            data = checklist_io.read_yaml((CHECKLISTS / f"{name}.yaml").read_bytes())
            data = dataclasses.replace(data, year=year)
            template = actions.do_import_template(
                acting_user=planner, owner=county, data=data, source_name=f"{name}.yaml"
            )
            actions.do_publish_template(acting_user=planner, template=template)
            pair.append(template)
        out[year] = (pair[0], pair[1])
    return out


class _TaskBook:
    """The demo's tasks per unit, to count what is overdue on a given day."""

    def __init__(self) -> None:
        self.by_unit: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)

    def add(self, unit_id: int, task_id: int, deadline: dt.date, handed_in: dt.date | None) -> None:
        self.by_unit[unit_id].append((task_id, deadline, handed_in))

    def overdue_on(self, unit_id: int, day: dt.date) -> list[int]:
        return [
            task_id
            for task_id, deadline, handed_in in self.by_unit[unit_id]
            if deadline < day and (handed_in is None or handed_in > day)
        ]


def _findings(rng: random.Random, quality: float, item_style: str) -> tuple[int, bool]:
    if rng.random() < quality:
        return 0, False
    if item_style == Style.YES_NO:
        return 0, True
    count = 1
    while rng.random() < 0.35 and count < 6:
        count += 1
    return count, False


NOTES = [
    "台账记录不完整",
    "抽查档案中有材料缺失",
    "部分记录未按时更新",
    "现场核对发现信息不一致",
    "工作人员对政策掌握不熟练",
]


@transaction.atomic
def seed_supervision(log: Log) -> None:
    county = OrgUnit.objects.filter(code=DEMO_COUNTY).first()
    planner = User.objects.filter(username="county").first()
    if county is None or planner is None:
        log("没有演示县或县级账号，跳过月度督查演示数据。")
        return
    if Plan.objects.filter(root=county).exists():
        log("月度督查演示数据已存在，跳过。")
        return
    rng = random.Random(RANDOM_SEED)
    _OFFICERS.clear()
    today = timezone.localdate()
    inspectors = _inspectors(county)
    months = [_month_add(today.year, today.month, -delta) for delta in range(12, -1, -1)]
    templates = _templates(planner, county, sorted({y for y, _ in months}))
    townships = list(OrgUnit.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code"))
    quality = {t.pk: (0.55 if t.code in WEAK else 0.72 + 0.2 * rng.random()) for t in townships}
    focus_village = (
        OrgUnit.objects.filter(parent__code=DEMO_TOWNSHIP, level=Level.VILLAGE)
        .order_by("code")
        .first()
    )
    book = _TaskBook()
    previous: Plan | None = None
    counts: dict[str, int] = defaultdict(int)
    for position, (year, month) in enumerate(months):
        current = position == len(months) - 1
        township_template, village_template = templates[year]
        plan = actions.do_create_plan(
            acting_user=planner,
            root=county,
            year=year,
            month=month,
            title=f"{year}年{month}月人口家庭工作督查",
            template=township_template,
            village_template=village_template,
            bottom_n=3,
            repeat_consecutive=3,
            repeat_total=5,
            copy_teams_from=previous,
        )
        if previous is None:
            members = [[planner, inspectors[0]], [inspectors[1]], [inspectors[0], inspectors[1]]]
            teams = [
                actions.do_add_team(acting_user=planner, plan=plan, name=name, members=people)
                for name, people in zip(TEAMS, members, strict=True)
            ]
            for index, unit in enumerate(townships):
                PlanUnit.objects.filter(plan=plan, unit=unit).update(team=teams[index % 3])
        # A targeted visit to the demo village in the last months (a complaint came in).
        if focus_village is not None and position >= len(months) - 3:
            actions.do_assign_units(
                acting_user=planner,
                plan=plan,
                units=[focus_village],
                team=plan.teams.order_by("name").first(),
                visit_on=None,
            )
        first = dt.date(year, month, 1)
        for index, plan_unit in enumerate(plan.units.select_related("unit").order_by("unit__code")):
            plan_unit.visit_on = first + dt.timedelta(days=4 + (index * 3) % 20)
            if current and (
                plan_unit.unit.code == DEMO_TOWNSHIP
                or (plan_unit.source == UnitSource.LISTED and plan_unit.unit.level == Level.VILLAGE)
            ):
                plan_unit.visit_on = today
            plan_unit.save(update_fields=["visit_on"])
        actions.do_draw_sample(
            acting_user=planner,
            plan=plan,
            per_township=2,
            weighting=Weighting.POOR if position else Weighting.NONE,
            boost=Decimal(2),
            seed=rng.randrange(10**8),
        )
        actions.do_publish_plan(acting_user=planner, plan=plan)
        Plan.objects.filter(pk=plan.pk).update(
            created_at=_aware(first - dt.timedelta(days=5)),
            published_at=_aware(first - dt.timedelta(days=3)),
            sample_drawn_at=_aware(first - dt.timedelta(days=4)),
        )
        _inspect_month(plan, rng, quality, book, today, current, counts)
        if not current:
            actions.do_close_plan(acting_user=planner, plan=plan)
            next_year, next_month = _month_add(year, month, 1)
            closed = _aware(dt.date(next_year, next_month, 3), 16)
            Plan.objects.filter(pk=plan.pk).update(closed_at=closed, closed_by=planner)
        previous = plan
    record_event(
        actor=None,
        action="demo.seed_supervision",
        object_type="supervision.plan",
        object_repr="月度督查演示数据",
        org_path=county.path,
        changes=dict(counts),
    )
    log(
        f"月度督查：{len(months)}个月计划，{counts['inspections']}份督查记录，"
        f"{counts['tasks']}项整改任务；督查员账号 inspector1、inspector2（密码同上）。"
    )


def _inspect_month(
    plan: Plan,
    rng: random.Random,
    quality: dict[int, float],
    book: _TaskBook,
    today: dt.date,
    current: bool,
    counts: dict[str, int],
) -> None:
    plan_units = list(
        plan.units.select_related("unit", "team")
        .prefetch_related("team__members")
        .order_by("unit__code")
    )
    items = {
        template.pk: list(template.items.all())
        for template in {plan.template, plan.village_template or plan.template}
    }
    drafts_left = 1 if current else 0
    for plan_unit in plan_units:
        unit = plan_unit.unit
        visit = plan_unit.visit_on or plan.first_day
        if visit > today:
            continue
        team_members = list(plan_unit.team.members.all()) if plan_unit.team else []
        inspector = team_members[0] if team_members else plan.created_by
        assert inspector is not None
        template = plan.template_for(unit)
        base = (
            quality.get(unit.parent_id or 0, 0.8)
            if unit.level == Level.VILLAGE
            else quality[unit.pk]
        )
        base = min(0.97, max(0.4, base + rng.uniform(-0.08, 0.08)))
        draft = (
            current and drafts_left and unit.code != DEMO_TOWNSHIP and unit.level == Level.TOWNSHIP
        )
        inspection = Inspection.objects.create(
            plan_unit=plan_unit,
            plan=plan,
            unit=unit,
            template=template,
            inspector=inspector,
            visited_on=visit,
            started_at=_aware(visit, 9, rng.randrange(60)),
            updated_at=_aware(visit, 11),
            representative=rng.choice(["王主任", "李站长", "陈委员", "张专干", "刘书记"]),
            latitude=LAT + Decimal(rng.randrange(-3000, 3000)) / 10000,
            longitude=LON + Decimal(rng.randrange(-3000, 3000)) / 10000,
            accuracy_m=rng.randrange(8, 60),
            located_at=_aware(visit, 9, 30),
        )
        counts["inspections"] += 1
        results = []
        for item in items[template.pk]:
            occurrences, failed = _findings(rng, base, item.style)
            results.append(
                InspectionResult(
                    inspection=inspection,
                    item=item,
                    occurrences=occurrences,
                    failed=failed,
                    note=rng.choice(NOTES) if occurrences or failed else "",
                )
            )
        if draft:
            drafts_left -= 1
            InspectionResult.objects.bulk_create(results)
            continue
        overdue = book.overdue_on(unit.pk, visit)
        sheet = actions.score_inspection(inspection, results, overdue)
        actions.apply_sheet(inspection, results, sheet, overdue)
        InspectionResult.objects.bulk_create(results)
        inspection.status = InspectionStatus.SUBMITTED
        inspection.submitted_at = _aware(visit, 16)
        targeted = plan_unit.source == UnitSource.LISTED and unit.level == Level.VILLAGE
        awaiting = current and (unit.code == DEMO_TOWNSHIP or targeted or rng.random() < 0.4)
        if not awaiting:
            inspection.status = InspectionStatus.ACKNOWLEDGED
            inspection.ack_at = _aware(
                min(visit + dt.timedelta(days=rng.randrange(0, 3)), today), 17
            )
            inspection.ack_by = _officer_for(unit)
            if rng.random() < 0.05:
                inspection.ack_objection = True
                inspection.ack_note = "对E1项扣分有异议：漏报人员系外地分娩，已补报。"
        inspection.save()
        _demo_photos(inspection, results, inspector, rng, current and unit.code == DEMO_TOWNSHIP)
        _tasks(inspection, results, inspector, rng, book, today, counts)


def _demo_photos(
    inspection: Inspection,
    results: list[InspectionResult],
    inspector: User,
    rng: random.Random,
    wanted: bool,
) -> None:
    if not wanted:
        return
    for result in results:
        if result.deduction and result.item.evidence_required:
            photo = Attachment(
                inspection=inspection,
                result=result,
                original_name="现场照片.png",
                content_type="image/png",
                size=0,
                sha256="",
                uploaded_by=inspector,
            )
            content = _png(320, 240, (rng.randrange(120, 220), rng.randrange(120, 220), 200))
            photo.size = len(content)
            photo.sha256 = hashlib.sha256(content).hexdigest()
            photo.file.save("photo.png", ContentFile(content), save=False)
            photo.save()


def _tasks(
    inspection: Inspection,
    results: list[InspectionResult],
    inspector: User,
    rng: random.Random,
    book: _TaskBook,
    today: dt.date,
    counts: dict[str, int],
) -> None:
    deadline = inspection.visited_on + dt.timedelta(days=inspection.template.rectify_days)
    unit = inspection.unit
    officer = _officer_for(unit)
    focus = unit.code == DEMO_TOWNSHIP or (
        unit.parent_id and unit.parent and unit.parent.code == DEMO_TOWNSHIP
    )
    created: list[tuple[RectificationTask, list[TaskEvent]]] = []
    for index, result in enumerate(r for r in results if r.deduction and r.deduction > 0):
        task = actions.new_task(
            inspection,
            result,
            by=inspector,
            deadline=deadline,
            text=result.note or result.explanation,
        )
        task.opened_at = inspection.submitted_at or _aware(inspection.visited_on)
        events = [
            TaskEvent(
                kind=TaskEventKind.OPENED,
                by=inspector,
                at=task.opened_at,
                note="督查扣分，开具整改任务",
            )
        ]
        # Old tasks are mostly done by now; recent ones are still in hand.
        age = (today - deadline).days
        stuck = 0.015 if age > 90 else 0.05 if age > 30 else 0.15
        roll = rng.random()
        outcome = (
            "reopened"
            if roll < 0.03
            else "stuck"
            if roll < 0.03 + stuck
            else "late"
            if roll < 0.18 + stuck
            else "on_time"
        )
        # The demo logins' own recent tasks show every state; older ones run their course.
        if focus and deadline < today and age <= 75:
            outcome = ["stuck", "on_time", "late", "reopened"][index % 4]
        done_day: dt.date | None = None
        if outcome == "on_time":
            done_day = deadline - dt.timedelta(days=rng.randrange(0, 8))
        elif outcome == "late":
            done_day = deadline + dt.timedelta(days=rng.randrange(2, 20))
        elif outcome == "stuck":
            done_day = None
        else:
            first_done = deadline - dt.timedelta(days=2)
            if first_done < today:
                events.append(
                    TaskEvent(
                        kind=TaskEventKind.DONE,
                        by=officer,
                        at=_aware(first_done, 15),
                        note="已整改",
                    )
                )
                events.append(
                    TaskEvent(
                        kind=TaskEventKind.REOPENED,
                        by=inspector,
                        at=_aware(first_done + dt.timedelta(days=1), 10),
                        note="佐证材料不能说明问题已整改，请补充（新期限顺延10天）",
                    )
                )
                task.reopened_count = 1
                task.deadline = deadline + dt.timedelta(days=10)
                done_day = deadline + dt.timedelta(days=6)
        if done_day is not None and done_day <= today:
            task.status = TaskStatus.SUBMITTED
            task.done_at = _aware(done_day, 15)
            task.done_by = officer
            task.done_late = done_day > task.deadline
            events.append(
                TaskEvent(
                    kind=TaskEventKind.EVIDENCE,
                    by=officer,
                    at=_aware(done_day, 14),
                    note="整改照片.png",
                )
            )
            events.append(
                TaskEvent(kind=TaskEventKind.DONE, by=officer, at=task.done_at, note="已按要求整改")
            )
            verify_day = done_day + dt.timedelta(days=rng.randrange(1, 6))
            if verify_day <= today and not (
                focus and index % 4 == 1 and verify_day > today - dt.timedelta(days=40)
            ):
                task.status = TaskStatus.VERIFIED
                task.verified_at = _aware(verify_day, 11)
                task.verified_by = inspector
                events.append(
                    TaskEvent(
                        kind=TaskEventKind.VERIFIED,
                        by=inspector,
                        at=task.verified_at,
                        note="核验属实，予以销号",
                    )
                )
        else:
            done_day = None
        created.append((task, events))
    RectificationTask.objects.bulk_create([task for task, _ in created])
    TaskEvent.objects.bulk_create(
        [_bind(event, task) for task, events in created for event in events]
    )
    for task, _events in created:
        handed_in = timezone.localtime(task.done_at).date() if task.done_at else None
        book.add(unit.pk, task.pk, task.deadline, handed_in)
        if focus and task.done_at is not None:
            _evidence(task, rng)
    counts["tasks"] += len(created)


_OFFICERS: dict[int, User] = {}


def _officer_for(unit: OrgUnit) -> User:
    """Who speaks for the unit: its own worker, else its township's officer.

    Townships without a demo login get an officer account that cannot sign in,
    so acknowledgements and reports carry a plausible name.
    """
    if unit.pk in _OFFICERS:
        return _OFFICERS[unit.pk]
    own = User.objects.filter(
        home_unit=unit, role__in=[Role.TOWNSHIP_OFFICER, Role.VILLAGE_WORKER]
    ).first()
    if own is None and unit.level == Level.VILLAGE and unit.parent is not None:
        own = _officer_for(unit.parent)
    if own is None:
        own = User(
            username=f"zg{unit.code}",
            full_name=f"{unit.name}专干",
            role=Role.TOWNSHIP_OFFICER,
            home_unit=unit,
        )
        own.set_unusable_password()
        own.save()
    _OFFICERS[unit.pk] = own
    return own


def _evidence(task: RectificationTask, rng: random.Random) -> None:
    content = _png(320, 240, (120, rng.randrange(150, 230), 140))
    evidence = Attachment(
        task=task,
        original_name="整改照片.png",
        content_type="image/png",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=task.done_by or task.opened_by,
        uploaded_at=task.done_at or timezone.now(),
    )
    evidence.file.save("evidence.png", ContentFile(content), save=False)
    evidence.save()


def _bind(event: TaskEvent, task: RectificationTask) -> TaskEvent:
    event.task = task
    return event
