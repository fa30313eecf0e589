"""JSON API of the contracts app, scoped like the pages."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from renkou.accounts.access import Cap, require, scope_q
from renkou.accounts.middleware import client_ip
from renkou.contracts import actions, selectors
from renkou.contracts.access import (
    ContractError,
    get_contract_for_user,
    get_contract_to_acknowledge,
)
from renkou.contracts.models import Contract, ContractStatus
from renkou.http import acting_user

router = Router(tags=["目标责任状 contracts"])


class ContractOut(Schema):
    id: int
    year: int
    version: int
    status: str
    status_name: str
    title: str
    issuer: str
    issuer_name: str
    recipient: str
    recipient_name: str
    code: str | None
    sha256: str
    issued_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    signer_name: str
    supersedes: int | None


class ContractListQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    status: ContractStatus | None = Field(None, description="状态")


class AcknowledgeIn(Schema):
    signer_name: str = Field(..., min_length=1, max_length=50, description="签收人姓名")


class ErrorOut(Schema):
    detail: str


def _out(contract: Contract) -> ContractOut:
    return ContractOut(
        id=contract.pk,
        year=contract.year,
        version=contract.version,
        status=contract.status,
        status_name=str(contract.get_status_display()),
        title=contract.title,
        issuer=contract.issuer.code,
        issuer_name=contract.issuer.name,
        recipient=contract.recipient.code,
        recipient_name=contract.recipient.name,
        code=contract.code,
        sha256=contract.sha256,
        issued_at=contract.issued_at,
        acknowledged_at=contract.acknowledged_at,
        signer_name=contract.signer_name,
        supersedes=contract.supersedes_id,
    )


@router.get("/contracts", response=list[ContractOut], summary="责任状列表（本辖区）")
def contract_list(request: HttpRequest, query: Query[ContractListQuery]) -> list[ContractOut]:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    qs = selectors.visible_contracts(user).select_related("issuer", "recipient")
    if query.year is not None:
        qs = qs.filter(year=query.year)
    if query.status is not None:
        qs = qs.filter(status=query.status)
    # Drafts are the issuer's working copies: only users above the recipient see them.
    qs = qs.filter(~Q(status=ContractStatus.DRAFTED) | scope_q(user, "issuer__"))
    return [_out(c) for c in qs.order_by("-year", "recipient__code", "-version")[:2000]]


@router.get("/contracts/{pk}", response=ContractOut, summary="一份责任状")
def contract_detail(request: HttpRequest, pk: int) -> ContractOut:
    contract = get_contract_for_user(acting_user(request), pk)
    return _out(contract)


@router.post(
    "/contracts/{pk}/acknowledge",
    response={200: ContractOut, 409: ErrorOut},
    summary="签收责任状（乙方本单位人员）",
)
def contract_acknowledge(
    request: HttpRequest, pk: int, payload: AcknowledgeIn
) -> ContractOut | Status[ErrorOut]:
    user = acting_user(request)
    contract = get_contract_to_acknowledge(user, pk)
    try:
        actions.do_acknowledge_contract(
            acting_user=user,
            contract=contract,
            signer_name=payload.signer_name,
            ip=client_ip(request),
        )
    except ContractError as error:
        return Status(409, ErrorOut(detail=error.message))
    return _out(contract)
