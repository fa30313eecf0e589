"""Turning a month's inspections into its ranking (read-only; the close action saves it)."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from renkou.orgunits.models import Level
from renkou.supervision.models import (
    Inspection,
    InspectionStatus,
    MonthlyResult,
    Plan,
    PlanStatus,
)
from renkou.supervision.ranking import Scored, rank, repeat_status
from renkou.supervision.scoring import fmt

SCORED = (InspectionStatus.SUBMITTED, InspectionStatus.ACKNOWLEDGED)
LEVEL_WORDS = {Level.TOWNSHIP: "乡镇（街道）", Level.VILLAGE: "抽查村（居）"}


def scored_inspections(plan: Plan) -> list[Inspection]:
    return list(
        Inspection.objects.filter(plan=plan, status__in=SCORED)
        .select_related("unit", "unit__parent")
        .order_by("unit__code")
    )


def earlier_closed_plans(plan: Plan) -> list[Plan]:
    """The same organiser's published months before this one, oldest first."""
    return [
        earlier
        for earlier in Plan.objects.filter(root=plan.root, status=PlanStatus.CLOSED).order_by(
            "year", "month"
        )
        if earlier.month_index < plan.month_index
    ]


def compute_results(plan: Plan) -> list[MonthlyResult]:
    """Unsaved results: the published ranking when the plan closes, a preview before."""
    inspections = scored_inspections(plan)
    earlier = earlier_closed_plans(plan)
    flags: dict[tuple[int, int], bool] = {
        (plan_id, unit_id): bottom
        for plan_id, unit_id, bottom in MonthlyResult.objects.filter(
            plan__in=[p.pk for p in earlier]
        ).values_list("plan_id", "unit_id", "bottom")
    }
    groups: dict[int, list[Inspection]] = defaultdict(list)
    for inspection in inspections:
        groups[inspection.unit.level].append(inspection)
    results: list[MonthlyResult] = []
    for level, group in sorted(groups.items()):
        by_code = {i.unit.code: i for i in group}
        ranked = rank(
            [Scored(i.unit.code, i.total or Decimal(0)) for i in group],
            plan.bottom_n,
        )
        for place in ranked:
            inspection = by_code[place.code]
            unit_id = inspection.unit_id
            history = [flags.get((p.pk, unit_id), False) for p in earlier]
            year_history = [
                flags.get((p.pk, unit_id), False) for p in earlier if p.year == plan.year
            ]
            status = repeat_status(
                history,
                year_history,
                in_bottom=place.bottom,
                consecutive=plan.repeat_consecutive,
                total=plan.repeat_total,
            )
            kind = LEVEL_WORDS.get(Level(level), "单位")
            text = f"得{fmt(place.score)}分，{place.of}个{kind}中第{place.rank}名"
            if place.bottom:
                text += f"，列入后进名单（倒数{plan.bottom_n}名）"
            text += "。" + status.explanation
            results.append(
                MonthlyResult(
                    plan=plan,
                    unit=inspection.unit,
                    inspection=inspection,
                    level=level,
                    score=place.score,
                    rank=place.rank,
                    rank_of=place.of,
                    bottom=place.bottom,
                    streak=status.streak,
                    year_count=status.year_count,
                    repeat=status.repeat,
                    explanation=text[:300],
                )
            )
    return results


def average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
