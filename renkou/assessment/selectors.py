"""Reads for the assessment pages: league tables, unit results, comparisons, charts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet

from renkou.accounts.models import User
from renkou.assessment.access import run_visibility_q, scheme_visibility_q
from renkou.assessment.models import Run, RunStatus, RunUnit, Scheme
from renkou.scoring.check import to_decimal
from renkou.scoring.text import fmt

DONE = (RunStatus.SCORED, RunStatus.RELEASED, RunStatus.PUBLISHED)


def schemes_for(
    user: User, *, year: int | None = None, level: int | None = None
) -> QuerySet[Scheme]:
    queryset = Scheme.objects.filter(scheme_visibility_q(user)).select_related("owner")
    if year is not None:
        queryset = queryset.filter(year=year)
    if level is not None:
        queryset = queryset.filter(level=level)
    return queryset


def runs_for(user: User, *, year: int | None = None) -> QuerySet[Run]:
    queryset = Run.objects.filter(run_visibility_q(user)).select_related(
        "scheme", "root", "job", "created_by"
    )
    if year is not None:
        queryset = queryset.filter(year=year)
    return queryset


@dataclass(frozen=True)
class Grades:
    """The scheme's grade names, best first, for colours and filters."""

    names: tuple[str, ...]

    @classmethod
    def of(cls, scheme_data: Mapping[str, Any]) -> Grades:
        names: list[str] = [str(g.get("name")) for g in scheme_data.get("grades") or []]
        for listed in (scheme_data.get("grades_by_class") or {}).values():
            for grade in listed or []:
                if str(grade.get("name")) not in names:
                    names.append(str(grade.get("name")))
        veto = scheme_data.get("veto_grade")
        if veto and veto not in names:
            names.append(str(veto))
        return cls(tuple(names))

    def css(self, grade: str) -> str:
        """g-top for the best grade, g-bottom for the worst, g-mid between."""
        if grade not in self.names:
            return ""
        index = self.names.index(grade)
        if index == 0:
            return "g-top"
        if index == len(self.names) - 1:
            return "g-bottom"
        return "g-mid" if index == 1 else "g-low"


def previous_run(run: Run) -> Run | None:
    """Last year's run of a scheme with the same owner and level (and the same root)."""
    return (
        Run.objects.filter(
            year=run.year - 1,
            scheme__owner_id=run.scheme.owner_id,
            scheme__level=run.scheme.level,
            root_id=run.root_id,
            status__in=DONE,
        )
        .order_by("-created_at")
        .first()
    )


@dataclass
class LeagueRow:
    unit: RunUnit
    grade_css: str
    previous_rank: int | None
    previous_total: Decimal | None
    ceiling: str | None
    vetoes: list[str]
    adjusted: bool

    @property
    def rank_change(self) -> int | None:
        if self.previous_rank is None or self.unit.rank is None:
            return None
        return self.previous_rank - self.unit.rank


@dataclass
class League:
    run: Run
    rows: list[LeagueRow]
    grades: Grades
    classes: list[tuple[str, str]]
    previous: Run | None
    grade_counts: list[tuple[str, int, str]] = field(default_factory=list)
    any_adjusted: bool = False
    page: Page[RunUnit] | None = None
    totals: list[Decimal | None] = field(default_factory=list)


def _names(entries: Sequence[Mapping[str, Any]] | None) -> dict[str, str]:
    return {str(e.get("code")): str(e.get("name", e.get("code"))) for e in entries or []}


def league(
    run: Run,
    *,
    class_code: str = "",
    grade: str = "",
    query: str = "",
    vetoed: bool = False,
    order: str = "rank",
    page: int | str | None = None,
    per_page: int | None = None,
) -> League:
    """The run's units in rank order with the filters applied; one page of them
    when ``per_page`` is given (the totals for the charts cover every unit)."""
    scheme_data = run.scheme_data
    grades = Grades.of(scheme_data)
    classes = list(_names(scheme_data.get("classes")).items())
    vetoes = _names(scheme_data.get("vetoes"))
    ceilings = _names(scheme_data.get("ceilings"))
    units = RunUnit.objects.filter(run=run).select_related("orgunit", "orgunit__parent")
    counts: dict[str, int] = {}
    for name in units.values_list("grade", flat=True):
        counts[name] = counts.get(name, 0) + 1
    if class_code:
        units = units.filter(class_code=class_code)
    if grade:
        units = units.filter(grade=grade)
    if query:
        units = units.filter(Q(orgunit__name__contains=query) | Q(orgunit__code__startswith=query))
    if vetoed:
        units = units.filter(vetoed=True)
    ordering = ("class_code", "class_rank") if order == "class" else ("rank",)
    units = units.order_by(*ordering, "orgunit__path")
    totals = list(units.values_list("total", flat=True))
    listed: Any = units.defer("raw_inputs", "inputs", "raw_result")
    pager = None
    if per_page is not None:
        pager = Paginator(listed, per_page).get_page(page)
        listed = pager.object_list
    listed = list(listed)
    previous = previous_run(run)
    before: dict[int, tuple[int | None, Decimal | None]] = {}
    if previous is not None:
        before = {
            unit_id: (rank, total)
            for unit_id, rank, total in RunUnit.objects.filter(
                run=previous, orgunit_id__in=[u.orgunit_id for u in listed]
            ).values_list("orgunit_id", "rank", "total")
        }
    rows = []
    any_adjusted = RunUnit.objects.filter(run=run).exclude(total=F("raw_total")).exists()
    for unit in listed:
        result = unit.result or {}
        adjusted = unit.raw_total is not None and unit.total != unit.raw_total
        last = before.get(unit.orgunit_id, (None, None))
        rows.append(
            LeagueRow(
                unit=unit,
                grade_css=grades.css(unit.grade),
                previous_rank=last[0],
                previous_total=last[1],
                ceiling=ceilings.get(str(result.get("ceiling"))) if result.get("ceiling") else None,
                vetoes=[vetoes.get(code, code) for code in result.get("vetoes") or []],
                adjusted=adjusted,
            )
        )
    grade_counts = [(name, counts.get(name, 0), grades.css(name)) for name in grades.names]
    return League(run, rows, grades, classes, previous, grade_counts, any_adjusted, pager, totals)


def histogram(totals: Sequence[Decimal | None], *, width: int = 5) -> dict[str, Any]:
    """Counts of totals in bins of ``width`` points, for the distribution chart."""
    numbers = [float(t) for t in totals if t is not None]
    if not numbers:
        return {"labels": [], "counts": []}
    low = int(min(numbers) // width * width)
    high = int(max(numbers) // width * width)
    labels = []
    counts = []
    for start in range(low, high + 1, width):
        labels.append(f"{start}–{start + width}")
        counts.append(sum(1 for n in numbers if start <= n < start + width))
    return {"labels": labels, "counts": counts}


def rank_changes(rows: Sequence[LeagueRow], limit: int = 60) -> dict[str, Any]:
    changed = [row for row in rows if row.rank_change is not None]
    changed.sort(key=lambda row: row.unit.rank or 0)
    changed = changed[:limit]
    return {
        "labels": [row.unit.orgunit.name for row in changed],
        "values": [row.rank_change for row in changed],
    }


@dataclass
class ItemLine:
    code: str
    name: str
    points: str
    value: str
    target: str
    score: str
    raw_score: str
    explanation: str
    skipped: bool
    previous_score: str
    share: float | None
    adjusted: bool


def _show(value: Any) -> str:
    number = to_decimal(value)
    return "" if number is None else fmt(number)


def unit_lines(
    run_unit: RunUnit, previous: RunUnit | None
) -> tuple[list[ItemLine], list[ItemLine]]:
    """(items, bonuses) of a unit's result, with the raw score and last year's score."""
    scheme_items = {
        str(item.get("code")): item for item in run_unit.run.scheme_data.get("items") or []
    }
    scheme_bonuses = {
        str(item.get("code")): item for item in run_unit.run.scheme_data.get("bonuses") or []
    }
    result = run_unit.result or {}
    raw = run_unit.raw_result or {}
    last = previous.result if previous is not None else {}

    def lines(key: str, names: Mapping[str, Mapping[str, Any]]) -> list[ItemLine]:
        raw_scores = {str(e.get("code")): e.get("score") for e in raw.get(key) or []}
        last_scores = {str(e.get("code")): e.get("score") for e in (last or {}).get(key) or []}
        found = []
        for entry in result.get(key) or []:
            code = str(entry.get("code"))
            points = to_decimal(entry.get("points"))
            score = to_decimal(entry.get("score"))
            share = None
            if points and score is not None and points > 0:
                share = float(round(score / points * 100, 1))
            raw_score = _show(raw_scores.get(code))
            found.append(
                ItemLine(
                    code=code,
                    name=str(names.get(code, {}).get("name", code)),
                    points=_show(entry.get("points")),
                    value=_show(entry.get("value")),
                    target=_show(entry.get("target")),
                    score=_show(entry.get("score")),
                    raw_score=raw_score,
                    explanation=str(entry.get("explanation", "")),
                    skipped=bool(entry.get("skipped")),
                    previous_score=_show(last_scores.get(code)),
                    share=share,
                    adjusted=raw_score != _show(entry.get("score")),
                )
            )
        return found

    return lines("items", scheme_items), lines("bonuses", scheme_bonuses)


def previous_unit(run_unit: RunUnit) -> RunUnit | None:
    previous = previous_run(run_unit.run)
    if previous is None:
        return None
    return RunUnit.objects.filter(run=previous, orgunit_id=run_unit.orgunit_id).first()
