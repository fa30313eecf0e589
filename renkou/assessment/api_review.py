"""JSON API of the review half of a run (adjustments, appeals, pay), scoped like the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from renkou.accounts.access import Cap, require, scope_q
from renkou.assessment import actions_review as actions
from renkou.assessment import pay
from renkou.assessment.models import Adjustment, Appeal, RunUnit
from renkou.assessment.review_context import (
    NOT_FOUND,
    ReviewError,
    get_adjustment_for_user,
    get_appeal_for_user,
    get_pay_run_for_user,
    get_run_for_review,
    get_run_unit_for_review,
    manages,
    may_appeal,
    may_see_run,
)
from renkou.http import acting_user

router = Router(tags=["考核复核 assessment review"])


class AdjustmentOut(Schema):
    id: int
    unit: str
    unit_name: str
    item: str
    field: str
    old_value: Decimal | None
    new_value: Decimal | None
    reason: str
    note: str
    status: str
    proposed_by: str
    proposed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class AppealOut(Schema):
    id: int
    unit: str
    unit_name: str
    item: str
    reason: str
    status: str
    filed_by: str
    filed_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_reason: str
    adjustment: int | None


class ProposeIn(Schema):
    item: str = Field(max_length=60)
    field: str = Field(max_length=80, description="值的键、target.<项目> 或 previous.<键>")
    new_value: Decimal = Field(max_digits=12, decimal_places=4)
    reason: Literal["disaster", "boundary", "outage", "policy", "other"]
    note: str = Field(min_length=1, max_length=2000)


class DecisionIn(Schema):
    approve: bool
    note: str = Field(min_length=1, max_length=2000)


class AppealIn(Schema):
    item: str = Field(max_length=60)
    reason: str = Field(min_length=1, max_length=4000)


class AppealDecisionIn(Schema):
    upheld: bool
    decision_reason: str = Field(min_length=1, max_length=4000)
    field: str = Field("", max_length=80)
    new_value: Decimal | None = Field(None, max_digits=12, decimal_places=4)


class Problem(Schema):
    detail: str


class CadrePayOut(Schema):
    name: str
    post: str
    base_pay: Decimal
    pay: Decimal


class VillagePayOut(Schema):
    code: str
    name: str
    township: str
    total_score: Decimal | None
    grade: str
    rule: str
    cadres: list[CadrePayOut]
    total: Decimal


class PayListOut(Schema):
    run: int
    year: int
    villages: list[VillagePayOut]
    total: Decimal


def _adjustment(a: Adjustment) -> AdjustmentOut:
    return AdjustmentOut(
        id=a.pk,
        unit=a.orgunit.code,
        unit_name=a.orgunit.name,
        item=a.item_code,
        field=a.field,
        old_value=a.old_value,
        new_value=a.new_value,
        reason=a.reason,
        note=a.note,
        status=a.status,
        proposed_by=a.proposed_by.get_username(),
        proposed_at=a.proposed_at,
        decided_by=a.decided_by.get_username() if a.decided_by else None,
        decided_at=a.decided_at,
        decision_note=a.decision_note,
    )


def _appeal(a: Appeal) -> AppealOut:
    return AppealOut(
        id=a.pk,
        unit=a.orgunit.code,
        unit_name=a.orgunit.name,
        item=a.item_code,
        reason=a.reason,
        status=a.status,
        filed_by=a.filed_by.get_username(),
        filed_at=a.filed_at,
        decided_by=a.decided_by.get_username() if a.decided_by else None,
        decided_at=a.decided_at,
        decision_reason=a.decision_reason,
        adjustment=a.adjustment_id,
    )


@router.get(
    "/assessment/runs/{pk}/adjustments", response=list[AdjustmentOut], summary="柔性考核调整"
)
def list_adjustments(request: HttpRequest, pk: int) -> list[AdjustmentOut]:
    user = acting_user(request)
    run = get_run_for_review(user, pk, units_too=True)
    rows = run.adjustments.select_related("orgunit", "proposed_by", "decided_by")
    if not may_see_run(user, run):
        rows = rows.filter(scope_q(user, "orgunit__"), status="approved")
    return [_adjustment(a) for a in rows.order_by("proposed_at")]


@router.post(
    "/assessment/run-units/{pk}/adjustments",
    response={201: AdjustmentOut, 400: Problem},
    summary="提出柔性考核调整",
)
def propose_adjustment(request: HttpRequest, pk: int, body: ProposeIn) -> Any:
    user = acting_user(request)
    require(user, Cap.RUN_ASSESSMENT)
    run_unit = get_run_unit_for_review(user, pk)
    if not manages(user, run_unit.run):
        raise Http404(NOT_FOUND)
    try:
        adjustment = actions.do_propose_adjustment(
            acting_user=user,
            run_unit=run_unit,
            item_code=body.item,
            field=body.field,
            new_value=body.new_value,
            reason=body.reason,
            note=body.note,
        )
    except ReviewError as error:
        return Status(400, Problem(detail=error.message))
    return Status(201, _adjustment(adjustment))


@router.post(
    "/assessment/adjustments/{pk}/decision",
    response={200: AdjustmentOut, 400: Problem},
    summary="审核柔性考核调整（提出人不能审核）",
)
def decide_adjustment(request: HttpRequest, pk: int, body: DecisionIn) -> Any:
    user = acting_user(request)
    adjustment = get_adjustment_for_user(user, pk, write=True)
    try:
        adjustment = actions.do_decide_adjustment(
            acting_user=user, adjustment=adjustment, approve=body.approve, note=body.note
        )
    except ReviewError as error:
        return Status(400, Problem(detail=error.message))
    return Status(200, _adjustment(adjustment))


@router.get("/assessment/runs/{pk}/appeals", response=list[AppealOut], summary="申诉")
def list_appeals(request: HttpRequest, pk: int) -> list[AppealOut]:
    user = acting_user(request)
    run = get_run_for_review(user, pk, units_too=True)
    rows = run.appeals.select_related("orgunit", "filed_by", "decided_by")
    if not may_see_run(user, run):
        rows = rows.filter(scope_q(user, "orgunit__"))
    return [_appeal(a) for a in rows.order_by("filed_at")]


@router.post(
    "/assessment/run-units/{pk}/appeals",
    response={201: AppealOut, 400: Problem},
    summary="被考核单位提出申诉（申诉期内）",
)
def file_appeal(request: HttpRequest, pk: int, body: AppealIn) -> Any:
    user = acting_user(request)
    require(user, Cap.FILE_APPEALS)
    run_unit: RunUnit = get_run_unit_for_review(user, pk)
    if not may_appeal(user, run_unit):
        raise PermissionDenied
    try:
        appeal = actions.do_file_appeal(
            acting_user=user, run_unit=run_unit, item_code=body.item, reason=body.reason
        )
    except ReviewError as error:
        return Status(400, Problem(detail=error.message))
    return Status(201, _appeal(appeal))


@router.post(
    "/assessment/appeals/{pk}/decision",
    response={200: AppealOut, 400: Problem},
    summary="处理申诉（成立则更正数据并重新计分）",
)
def decide_appeal(request: HttpRequest, pk: int, body: AppealDecisionIn) -> Any:
    user = acting_user(request)
    appeal = get_appeal_for_user(user, pk, write=True)
    try:
        appeal = actions.do_decide_appeal(
            acting_user=user,
            appeal=appeal,
            upheld=body.upheld,
            decision_reason=body.decision_reason,
            field=body.field,
            new_value=body.new_value,
        )
    except ReviewError as error:
        return Status(400, Problem(detail=error.message))
    return Status(200, _appeal(appeal))


@router.get("/assessment/runs/{pk}/pay", response=PayListOut, summary="村干部绩效报酬清单")
def get_pay_list(request: HttpRequest, pk: int) -> PayListOut:
    user = acting_user(request)
    run, within = get_pay_run_for_user(user, pk)
    pays = pay.pay_list(run, within=within)
    return PayListOut(
        run=run.pk,
        year=run.year,
        villages=[
            VillagePayOut(
                code=v.unit.orgunit.code,
                name=v.unit.orgunit.name,
                township=t.name,
                total_score=v.unit.total,
                grade=v.unit.grade,
                rule=v.rule_text,
                cadres=[
                    CadrePayOut(
                        name=line.cadre.name,
                        post=line.cadre.post,
                        base_pay=line.base_pay,
                        pay=line.pay,
                    )
                    for line in v.lines
                ],
                total=v.total,
            )
            for t in pays.townships
            for v in t.villages
        ],
        total=pays.total,
    )
