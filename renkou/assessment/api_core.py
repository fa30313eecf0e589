"""JSON API of the assessment app, scoped like the pages."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from renkou.assessment import selectors
from renkou.assessment.access import get_run_for_user, get_run_unit_for_user
from renkou.assessment.models import RunStatus
from renkou.http import acting_user
from renkou.scoring.check import to_decimal

router = Router(tags=["assessment"])


class UnitRowOut(Schema):
    id: int
    code: str
    name: str
    class_code: str
    total: str | None
    raw_total: str | None
    grade: str
    rank: int | None
    class_rank: int | None
    vetoed: bool


class RunResultsOut(Schema):
    id: int
    year: int
    scheme: str
    status: str
    revision: int
    units: list[UnitRowOut]


class ItemOut(Schema):
    code: str
    points: str | None
    value: str | None
    target: str | None
    score: str | None
    skipped: bool
    explanation: str


class UnitResultOut(Schema):
    id: int
    run: int
    code: str
    name: str
    total: str | None
    raw_total: str | None
    grade: str
    rank: int | None
    items: list[ItemOut]
    bonuses: list[ItemOut]
    vetoes: list[str]


def _text(value: object) -> str | None:
    number = to_decimal(value)
    return None if number is None else format(number.normalize(), "f")


@router.get("/assessment/runs/{run_id}/results", response=RunResultsOut, summary="考核排名")
def run_results(request: HttpRequest, run_id: int) -> RunResultsOut:
    run = get_run_for_user(acting_user(request), run_id)
    rows = []
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.FAILED):
        rows = selectors.league(run).rows
    return RunResultsOut(
        id=run.pk,
        year=run.year,
        scheme=run.scheme.code,
        status=run.status,
        revision=run.revision,
        units=[
            UnitRowOut(
                id=row.unit.pk,
                code=row.unit.orgunit.code,
                name=row.unit.orgunit.name,
                class_code=row.unit.class_code,
                total=_text(row.unit.total),
                raw_total=_text(row.unit.raw_total),
                grade=row.unit.grade,
                rank=row.unit.rank,
                class_rank=row.unit.class_rank,
                vetoed=row.unit.vetoed,
            )
            for row in rows
        ],
    )


def _items(entries: list[dict[str, object]]) -> list[ItemOut]:
    return [
        ItemOut(
            code=str(e.get("code")),
            points=_text(e.get("points")),
            value=_text(e.get("value")),
            target=_text(e.get("target")),
            score=_text(e.get("score")),
            skipped=bool(e.get("skipped")),
            explanation=str(e.get("explanation", "")),
        )
        for e in entries
    ]


@router.get("/assessment/results/{unit_id}", response=UnitResultOut, summary="单位考核结果")
def unit_result(request: HttpRequest, unit_id: int) -> UnitResultOut:
    run_unit = get_run_unit_for_user(acting_user(request), unit_id)
    result = run_unit.result or {}
    return UnitResultOut(
        id=run_unit.pk,
        run=run_unit.run_id,
        code=run_unit.orgunit.code,
        name=run_unit.orgunit.name,
        total=_text(run_unit.total),
        raw_total=_text(run_unit.raw_total),
        grade=run_unit.grade,
        rank=run_unit.rank,
        items=_items(list(result.get("items") or [])),
        bonuses=_items(list(result.get("bonuses") or [])),
        vetoes=[str(v) for v in result.get("vetoes") or []],
    )
