from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from renkou.accounts.access import Cap, get_orgunit_for_user, require, scope_q
from renkou.http import acting_user, search_text
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.orgunits.schemas import OrgUnitDetailOut, OrgUnitOut, OrgUnitPage, OrgUnitQuery
from renkou.orgunits.selectors import level_counts

router = Router(tags=["行政区划 org units"])


def _out(unit: OrgUnit) -> OrgUnitOut:
    return OrgUnitOut(
        code=unit.code,
        name=unit.name,
        level=unit.level,
        level_name=str(Level(unit.level).label),
        parent_code=unit.parent.code if unit.parent_id and unit.parent else None,
        region_class=unit.region_class.code if unit.region_class else None,
        closed_on=unit.closed_on,
        successor_code=unit.successor.code if unit.successor else None,
    )


@router.get("/orgunits", response=OrgUnitPage, summary="单位列表（本人管辖范围内，可分页、搜索）")
def list_orgunits(request: HttpRequest, filters: Query[OrgUnitQuery]) -> OrgUnitPage:
    user = acting_user(request)
    require(user, Cap.VIEW_ORGUNITS)
    queryset = OrgUnit.objects.filter(scope_q(user))
    if filters.under:
        top = get_orgunit_for_user(user, filters.under)
        queryset = queryset.filter(subtree_q(top.path))
    text = search_text(filters.q)
    if text:
        queryset = queryset.filter(name__contains=text)
    if filters.level:
        queryset = queryset.filter(level=filters.level)
    count = queryset.count()
    start = (filters.page - 1) * filters.page_size
    units = queryset.select_related("parent", "region_class", "successor").order_by("path")[
        start : start + filters.page_size
    ]
    return OrgUnitPage(
        count=count,
        page=filters.page,
        page_size=filters.page_size,
        items=[_out(unit) for unit in units],
    )


@router.get("/orgunits/{code}", response=OrgUnitDetailOut, summary="单位详情")
def get_orgunit(request: HttpRequest, code: str) -> OrgUnitDetailOut:
    unit = get_orgunit_for_user(acting_user(request), code)
    base = _out(unit)
    counts = dict(level_counts(unit.path))
    return OrgUnitDetailOut(
        **base.model_dump(),
        path=[*unit.ancestor_codes, unit.code],
        child_count=OrgUnit.objects.filter(parent=unit).count(),
        counts_by_level=counts,
    )


@router.get("/orgunits/{code}/children", response=list[OrgUnitOut], summary="直属下级")
def list_children(request: HttpRequest, code: str) -> list[OrgUnitOut]:
    unit = get_orgunit_for_user(acting_user(request), code)
    children = OrgUnit.objects.filter(parent=unit).select_related(
        "parent", "region_class", "successor"
    )
    return [_out(child) for child in children.order_by("code")]
