"""Reads for the supervision pages, the home page and the annual assessment.

List selectors return querysets with every relation the page shows already
joined or prefetched, so a page costs the same few queries however long its
list is (the tests pin the counts).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability, scope_q
from renkou.orgunits.models import Level, OrgUnit
from renkou.supervision import sampling
from renkou.supervision.access import template_visibility_q
from renkou.supervision.models import (
    Attachment,
    ChecklistTemplate,
    Inspection,
    InspectionResult,
    InspectionStatus,
    MonthlyResult,
    Plan,
    PlanStatus,
    PlanUnit,
    RectificationTask,
    TaskStatus,
    TemplateStatus,
)
from renkou.supervision.results import average

if TYPE_CHECKING:
    from renkou.accounts.models import User


def today() -> dt.date:
    return timezone.localdate()


# --- checklists ---------------------------------------------------------------


def templates_for(user: User) -> QuerySet[ChecklistTemplate]:
    return (
        ChecklistTemplate.objects.filter(template_visibility_q(user))
        .select_related("owner")
        .annotate(item_count=Count("items"), full=Sum("items__points"))
        .order_by("-year", "key", "-version")
    )


def published_templates(user: User, level: int | None = None) -> QuerySet[ChecklistTemplate]:
    qs = ChecklistTemplate.objects.filter(
        scope_q(user, "owner__"), status=TemplateStatus.PUBLISHED
    ).order_by("-year", "key", "-version")
    return qs.filter(level=level) if level is not None else qs


@dataclass
class Topic:
    name: str
    items: list[Any] = field(default_factory=list)
    points: Decimal = Decimal(0)


def topics_of(items: Iterable[Any], *, item_of: Any = None) -> list[Topic]:
    """Group items (or rows that carry an item) by topic, in checklist order."""
    topics: dict[str, Topic] = {}
    for row in items:
        item = item_of(row) if item_of else row
        topic = topics.setdefault(item.topic, Topic(item.topic))
        topic.items.append(row)
        topic.points += item.points
    return list(topics.values())


# --- plans ---------------------------------------------------------------------


def plans_for(user: User) -> QuerySet[Plan]:
    scored = Q(inspections__status__in=[InspectionStatus.SUBMITTED, InspectionStatus.ACKNOWLEDGED])
    return (
        Plan.objects.filter(scope_q(user, "root__"))
        .select_related("root", "template")
        .annotate(
            unit_count=Count("units", distinct=True),
            done_count=Count("inspections", filter=scored, distinct=True),
        )
        .order_by("-year", "-month")
    )


def plan_units(plan: Plan) -> list[PlanUnit]:
    return list(
        plan.units.select_related(
            "unit", "unit__parent", "team", "inspection", "inspection__inspector"
        ).order_by("unit__path")
    )


def teams_of(plan: Plan) -> list[Any]:
    return list(plan.teams.prefetch_related("members").annotate(unit_count=Count("assignments")))


def assignments_for(user: User) -> list[PlanUnit]:
    """Units this user is to inspect in plans under way (as a team member or planner)."""
    qs = (
        PlanUnit.objects.filter(scope_q(user, "unit__"), plan__status=PlanStatus.ACTIVE)
        .select_related("plan", "unit", "unit__parent", "team", "inspection")
        .order_by("visit_on", "unit__path")
    )
    if not has_capability(user, Cap.PLAN_SUPERVISION):
        qs = qs.filter(team__members=user)
    return list(qs[:200])


@dataclass(frozen=True)
class SampleCheck:
    matches: bool
    seed: int | None
    recorded: dict[str, list[str]]
    redrawn: dict[str, list[str]]
    on_plan: dict[str, list[str]]


def verify_sample(plan: Plan) -> SampleCheck:
    """Draw again from the recorded seed and candidate list, and compare with
    both the recorded draw and the villages actually on the plan."""
    record = plan.sample_record or {}
    seed = record.get("seed")
    strata = {
        code: [sampling.Candidate(c, Decimal(w)) for c, w in candidates]
        for code, candidates in (record.get("strata") or {}).items()
    }
    redrawn = (
        sampling.draw(int(seed), strata, int(record.get("per_township", 0)))
        if seed is not None
        else {}
    )
    on_plan: dict[str, list[str]] = defaultdict(list)
    for code, parent, _order in (
        plan.units.filter(source="sampled")
        .order_by("unit__parent__code", "draw_order")
        .values_list("unit__code", "unit__parent__code", "draw_order")
    ):
        on_plan[parent].append(code)
    recorded = {k: list(v) for k, v in (record.get("drawn") or {}).items()}
    plan_view = {code: on_plan.get(code, []) for code in redrawn}
    return SampleCheck(
        matches=seed is not None and redrawn == recorded == plan_view,
        seed=seed,
        recorded=recorded,
        redrawn=redrawn,
        on_plan=plan_view,
    )


def sample_table(plan: Plan) -> list[dict[str, Any]]:
    """Per township: candidates with weights, the chance of each, and the draw."""
    record = plan.sample_record or {}
    k = int(record.get("per_township", 0))
    names = dict(
        OrgUnit.objects.filter(
            code__in=[c for cands in (record.get("strata") or {}).values() for c, _ in cands]
            + list((record.get("strata") or {}).keys())
        ).values_list("code", "name")
    )
    rows = []
    for code, candidates in sorted((record.get("strata") or {}).items()):
        pool = [sampling.Candidate(c, Decimal(w)) for c, w in candidates]
        # Exact chances need every draw order; skip them where that would be slow.
        feasible = len(pool) ** max(k, 1) <= 200_000
        chances = sampling.inclusion_probabilities(pool, k) if feasible and k else {}
        drawn = (record.get("drawn") or {}).get(code, [])
        rows.append(
            {
                "code": code,
                "name": names.get(code, code),
                "drawn": [(c, names.get(c, c)) for c in drawn],
                "candidates": [
                    {
                        "code": c.code,
                        "name": names.get(c.code, c.code),
                        "weight": c.weight,
                        "chance": round(chances[c.code] * 100, 1) if c.code in chances else None,
                        "drawn": c.code in drawn,
                    }
                    for c in pool
                ],
            }
        )
    return rows


# --- inspections ------------------------------------------------------------------


def inspection_results(inspection: Inspection) -> list[InspectionResult]:
    return list(
        inspection.results.select_related("item", "task")
        .prefetch_related(Prefetch("photos", queryset=Attachment.objects.order_by("id")))
        .order_by("item__position", "item_id")
    )


def inspections_for(user: User, *, year: int | None = None) -> QuerySet[Inspection]:
    qs = (
        Inspection.objects.filter(scope_q(user, "unit__"))
        .exclude(status=InspectionStatus.DRAFT)
        .select_related("plan", "unit", "unit__parent", "inspector")
        .annotate(task_count=Count("tasks"))
        .order_by("-plan__year", "-plan__month", "unit__path")
    )
    return qs.filter(plan__year=year) if year else qs


def awaiting_acknowledgement(user: User) -> list[Inspection]:
    """Submitted results the user's unit still has to acknowledge."""
    if not has_capability(user, Cap.RECTIFY):
        return []
    return list(
        Inspection.objects.filter(scope_q(user, "unit__"), status=InspectionStatus.SUBMITTED)
        .exclude(inspector=user)
        .select_related("plan", "unit")
        .order_by("submitted_at")[:50]
    )


# --- tasks -----------------------------------------------------------------------------


def tasks_for(
    user: User, *, status: str = "", overdue: bool = False, q: str = ""
) -> QuerySet[RectificationTask]:
    qs = (
        RectificationTask.objects.filter(scope_q(user, "unit__"))
        .select_related("unit", "unit__parent", "plan")
        .annotate(evidence_count=Count("evidence"))
        .order_by("status", "deadline", "id")
    )
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=TaskStatus.OPEN, deadline__lt=today())
    if q:
        qs = qs.filter(Q(unit__name__contains=q) | Q(title__contains=q))
    return qs


def task_counts(user: User) -> dict[str, int]:
    rows = RectificationTask.objects.filter(scope_q(user, "unit__")).aggregate(
        open=Count("id", filter=Q(status=TaskStatus.OPEN)),
        overdue=Count("id", filter=Q(status=TaskStatus.OPEN, deadline__lt=today())),
        submitted=Count("id", filter=Q(status=TaskStatus.SUBMITTED)),
        verified=Count("id", filter=Q(status=TaskStatus.VERIFIED)),
    )
    return {key: int(value or 0) for key, value in rows.items()}


@dataclass(frozen=True)
class OverdueRow:
    task: RectificationTask
    days: int


def overdue_tasks(user: User, *, limit: int = 10) -> tuple[list[OverdueRow], int]:
    """The most overdue open tasks in the user's subtree, and how many there are.

    Escalation: a village's overdue task shows on its township's home page
    and on the county's; a township's on the county's.
    """
    day = today()
    qs = RectificationTask.objects.filter(
        scope_q(user, "unit__"), status=TaskStatus.OPEN, deadline__lt=day
    )
    rows = [
        OverdueRow(task, (day - task.deadline).days)
        for task in qs.select_related("unit", "unit__parent").order_by("deadline", "id")[:limit]
    ]
    return rows, qs.count()


def task_timeline(task: RectificationTask) -> list[Any]:
    return list(task.events.select_related("by").order_by("at", "id"))


# --- results -----------------------------------------------------------------------


def published_results(plan: Plan) -> list[MonthlyResult]:
    return list(
        plan.results.select_related("unit", "unit__parent", "inspection").order_by(
            "level", "rank", "unit__code"
        )
    )


def top_deductions(plan: Plan, limit: int = 8) -> list[dict[str, Any]]:
    """The checklist items most often deducted this month, for the bulletin."""
    rows = (
        InspectionResult.objects.filter(
            inspection__plan=plan,
            inspection__status__in=[InspectionStatus.SUBMITTED, InspectionStatus.ACKNOWLEDGED],
            deduction__gt=0,
        )
        .values("item__code", "item__title", "item__topic", "item__template__level")
        .annotate(units=Count("inspection", distinct=True), points=Sum("deduction"))
        .order_by("-units", "-points", "item__code")[:limit]
    )
    return [dict(row) for row in rows]


def main_problems(plan: Plan) -> dict[int, list[str]]:
    """Per inspection: the titles of its deducted items, largest deduction first."""
    found: dict[int, list[str]] = defaultdict(list)
    for inspection_id, title in (
        InspectionResult.objects.filter(inspection__plan=plan, deduction__gt=0)
        .order_by("inspection_id", "-deduction", "item__position")
        .values_list("inspection_id", "item__title")
    ):
        found[inspection_id].append(title)
    return found


@dataclass
class TrendRow:
    unit: OrgUnit
    scores: list[Decimal | None]
    average: Decimal | None
    bottom_count: int
    repeat: bool
    cells: list[Decimal | None] = field(default_factory=list)


def year_overview(user: User, year: int, level: int = Level.TOWNSHIP) -> dict[str, Any]:
    """Each unit's published monthly score over a year (rows) by month (columns)."""
    results = (
        MonthlyResult.objects.filter(
            scope_q(user, "unit__"), plan__year=year, plan__status=PlanStatus.CLOSED, level=level
        )
        .select_related("unit", "plan")
        .order_by("unit__code", "plan__month")
    )
    by_unit: dict[int, TrendRow] = {}
    month_scores: dict[int, list[Decimal]] = defaultdict(list)
    for result in results:
        row = by_unit.setdefault(result.unit_id, TrendRow(result.unit, [None] * 12, None, 0, False))
        row.scores[result.plan.month - 1] = result.score
        row.bottom_count += int(result.bottom)
        row.repeat = row.repeat or result.repeat
        month_scores[result.plan.month].append(result.score)
    rows = list(by_unit.values())
    for row in rows:
        row.average = average([s for s in row.scores if s is not None])
    rows.sort(key=lambda r: (-(r.average or Decimal(0)), r.unit.code))
    months = [m for m in range(1, 13) if month_scores.get(m)]
    for row in rows:
        row.cells = [row.scores[m - 1] for m in months]
    chart = {
        "months": [f"{m}月" for m in months],
        "series": [
            {
                "name": "平均",
                "data": [float(average(month_scores[m]) or 0) for m in months],
            }
        ]
        + [
            {
                "name": row.unit.name,
                "data": [None if cell is None else float(cell) for cell in row.cells],
            }
            for row in rows
        ],
        # The weakest units are shown at first; the rest are one click away in the legend.
        "selected": ["平均"] + [row.unit.name for row in rows[-3:]],
    }
    return {"rows": rows, "months": months, "chart": chart}


def latest_result_for(unit: OrgUnit) -> MonthlyResult | None:
    return (
        MonthlyResult.objects.filter(unit=unit)
        .select_related("plan")
        .order_by("-plan__year", "-plan__month")
        .first()
    )


# --- annual assessment -----------------------------------------------------------


def assessment_inputs(
    year: int, units: Iterable[str | OrgUnit], *, as_of: dt.date | None = None
) -> dict[str, dict[str, Decimal]]:
    """Monthly supervision as input values of the annual assessment.

    For each unit code, a dict of named values (all ``Decimal``):

    - ``supervision_avg``: the mean of the unit's published monthly scores in
      ``year`` (closed plans only), rounded half up to 0.01. Absent when the
      unit was not scored in the year; a sampled village is averaged over the
      months it was drawn.
    - ``supervision_months``: how many months were scored.
    - ``supervision_min``: the lowest monthly score (absent with no months).
    - ``supervision_bottom``: times in the monthly bottom list.
    - ``supervision_repeat``: 1 when the unit was flagged a repeat offender
      (bottom list N months running or M times in the year), else 0.
    - ``rectification_total``: rectification tasks opened for the unit by
      the year's plans.
    - ``rectification_overdue``: of those, tasks handed in after their
      deadline, plus tasks still not handed in whose deadline lies before
      ``as_of`` (default: today, but never later than 31 December of ``year``
      for the still-open ones to count against that year).
    - ``rectification_on_time_rate``: percent of tasks due by ``as_of`` that
      were handed in on time (0–100, two decimals); absent when none was due.

    Only the unit's own tasks count (a township's villages have their own).
    A scheme weights these as it likes, e.g. ``supervision_avg`` × 30%.
    Query count is fixed (two queries) whatever the number of units.
    """
    from decimal import ROUND_HALF_UP

    codes = [u.code if isinstance(u, OrgUnit) else str(u) for u in units]
    cutoff = min(as_of or today(), dt.date(year, 12, 31))
    out: dict[str, dict[str, Decimal]] = {code: {} for code in codes}
    scores: dict[str, list[Decimal]] = defaultdict(list)
    bottoms: dict[str, int] = defaultdict(int)
    repeats: dict[str, bool] = defaultdict(bool)
    for code, score, bottom, repeat in MonthlyResult.objects.filter(
        unit__code__in=codes, plan__year=year, plan__status=PlanStatus.CLOSED
    ).values_list("unit__code", "score", "bottom", "repeat"):
        scores[code].append(score)
        bottoms[code] += int(bottom)
        repeats[code] = repeats[code] or repeat
    totals: dict[str, int] = defaultdict(int)
    overdue: dict[str, int] = defaultdict(int)
    due: dict[str, int] = defaultdict(int)
    on_time: dict[str, int] = defaultdict(int)
    for code, status, deadline, done_late in RectificationTask.objects.filter(
        unit__code__in=codes, plan__year=year
    ).values_list("unit__code", "status", "deadline", "done_late"):
        totals[code] += 1
        handed_in = status != TaskStatus.OPEN
        late = done_late or (not handed_in and deadline < cutoff)
        overdue[code] += int(late)
        if handed_in or deadline < cutoff:
            due[code] += 1
            on_time[code] += int(handed_in and not done_late)
    for code in codes:
        values = out[code]
        months = scores.get(code, [])
        values["supervision_months"] = Decimal(len(months))
        if months:
            values["supervision_avg"] = average(months) or Decimal(0)
            values["supervision_min"] = min(months)
        values["supervision_bottom"] = Decimal(bottoms.get(code, 0))
        values["supervision_repeat"] = Decimal(int(repeats.get(code, False)))
        values["rectification_total"] = Decimal(totals.get(code, 0))
        values["rectification_overdue"] = Decimal(overdue.get(code, 0))
        if due.get(code):
            values["rectification_on_time_rate"] = (
                Decimal(on_time[code] * 100) / Decimal(due[code])
            ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return out
