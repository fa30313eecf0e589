"""JSON API of the population app, scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from renkou.accounts.access import Cap, require, scope_q
from renkou.http import acting_user
from renkou.orgunits.models import subtree_q
from renkou.population.access import get_unit_for_user
from renkou.population.models import GROUP_LABELS, PopulationStructure

router = Router(tags=["人口结构 population"])
MAX_UNITS = 5000


class StructureOut(Schema):
    orgunit: str = Field(description="区划代码")
    name: str
    year: int = Field(description="年度（年末人口）")
    groups: list[str] = Field(description="年龄组，0–4 … 85+")
    male: list[int]
    female: list[int]
    total: int
    women_15_49: int
    under_3: int


class YearQuery(Schema):
    year: int = Field(..., ge=1949, le=2100, description="年度")


class ListQuery(Schema):
    year: int = Field(..., ge=1949, le=2100, description="年度")
    under: str | None = Field(None, max_length=12, description="只列出该单位及其下级")


def _out(row: PopulationStructure) -> StructureOut:
    return StructureOut(
        orgunit=row.orgunit.code,
        name=row.orgunit.name,
        year=row.year,
        groups=list(GROUP_LABELS),
        male=list(row.male),
        female=list(row.female),
        total=row.total,
        women_15_49=row.women_15_49,
        under_3=row.under_3,
    )


@router.get(
    "/population",
    response=list[StructureOut],
    summary="人口年龄性别结构（五岁组），管辖范围内",
)
def list_structures(request: HttpRequest, query: Query[ListQuery]) -> Any:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    rows = PopulationStructure.objects.filter(scope_q(user, "orgunit__"), year=query.year)
    if query.under:
        unit = get_unit_for_user(user, query.under)
        rows = rows.filter(subtree_q(unit.path, "orgunit__"))
    return [_out(r) for r in rows.select_related("orgunit").order_by("orgunit__path")[:MAX_UNITS]]


@router.get(
    "/population/{code}",
    response=StructureOut,
    summary="一个单位某年的人口年龄性别结构",
)
def get_structure(request: HttpRequest, code: str, query: Query[YearQuery]) -> Any:
    user = acting_user(request)
    unit = get_unit_for_user(user, code)
    row = (
        PopulationStructure.objects.select_related("orgunit")
        .filter(orgunit=unit, year=query.year)
        .first()
    )
    if row is None:
        raise Http404("该单位该年没有人口结构数据。")
    return _out(row)
