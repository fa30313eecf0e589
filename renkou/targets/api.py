"""JSON API of the targets app, scoped like the pages: a unit outside the
caller's subtree is 404, a role without business access 403."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from renkou.http import acting_user
from renkou.targets.access import get_unit_for_user
from renkou.targets.board import code_sort_key
from renkou.targets.models import Target
from renkou.targets.progress import Progress, progress_for
from renkou.targets.selectors import targets_for, targets_of_unit

router = Router(tags=["目标 targets"])


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度，默认今年")


class TargetOut(Schema):
    code: str
    kind: str
    direction: str
    value: float | None
    low: float | None
    high: float | None
    source: str
    basis: str
    version: int
    set_at: str
    cascaded_from: str | None = Field(description="分解自哪个单位（单位代码）")


class UnitTargetsOut(Schema):
    unit: str
    unit_name: str
    year: int
    targets: list[TargetOut]


class ProgressOut(Schema):
    code: str
    name: str
    unit: str
    months: int
    actual: float | None
    expected: float | None = Field(description="数量目标：按进度应达到的数")
    percent: int | None
    status: str = Field(description="green、amber、red 或 none")
    method: str = Field(description="seasonal（按往年季节规律）、linear（按时间进度）或空")
    explanation: str


class UnitProgressOut(Schema):
    unit: str
    unit_name: str
    year: int
    progress: list[ProgressOut]


def _num(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _target(t: Target) -> TargetOut:
    parent = t.cascaded_from
    return TargetOut(
        code=t.code,
        kind=t.kind,
        direction=t.direction,
        value=_num(t.value),
        low=_num(t.low),
        high=_num(t.high),
        source=t.source,
        basis=t.basis,
        version=t.version,
        set_at=t.set_at.isoformat(),
        cascaded_from=parent.orgunit.code if parent is not None else None,
    )


def _progress(p: Progress) -> ProgressOut:
    return ProgressOut(
        code=p.code,
        name=p.name,
        unit=p.unit,
        months=p.months,
        actual=p.actual,
        expected=None if p.expected is None else round(p.expected, 1),
        percent=p.percent,
        status=p.status,
        method=p.method,
        explanation=p.explanation,
    )


@router.get("/targets/{code}", response=UnitTargetsOut, summary="单位的年度目标")
def unit_targets(request: HttpRequest, code: str, query: Query[YearQuery]) -> UnitTargetsOut:
    user = acting_user(request)
    unit = get_unit_for_user(user, code)
    year = query.year or timezone.localdate().year
    targets = targets_of_unit(year, unit.pk).select_related("cascaded_from__orgunit")
    return UnitTargetsOut(
        unit=unit.code, unit_name=unit.name, year=year, targets=[_target(t) for t in targets]
    )


@router.get("/targets/{code}/progress", response=UnitProgressOut, summary="单位目标完成进度")
def unit_progress(request: HttpRequest, code: str, query: Query[YearQuery]) -> UnitProgressOut:
    user = acting_user(request)
    unit = get_unit_for_user(user, code)
    year = query.year or timezone.localdate().year
    found = progress_for(year, targets_for(year, [unit.pk]), timezone.localdate()).get(unit.pk, {})
    rows = sorted(found.values(), key=lambda p: code_sort_key(p.code))
    return UnitProgressOut(
        unit=unit.code, unit_name=unit.name, year=year, progress=[_progress(p) for p in rows]
    )
