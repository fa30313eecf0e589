"""Who may see and act on contracts. Every view and endpoint asks here.

A contract belongs to its recipient unit: users whose subtree holds the
recipient see it (outsiders get 404). A draft is the issuer's working copy, so
the recipient's own people do not see it until it is issued. Issuing and
amending are done from the issuer's side (a user whose subtree holds the
issuer); acknowledging only by a user whose home unit is the recipient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from renkou.accounts.access import Cap, get_orgunit_for_user, in_scope, require, scope_q
from renkou.contracts.models import Contract, ContractStatus
from renkou.orgunits.models import Level, is_unit_code

if TYPE_CHECKING:
    from renkou.accounts.models import User
    from renkou.orgunits.models import OrgUnit

NOT_FOUND = "没有找到该责任状，或它不在您的管辖范围内。"


class ContractError(Exception):
    """A request that is understood but not possible in the contract's state;
    the message is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def on_issuer_side(user: User, contract: Contract) -> bool:
    return in_scope(user, contract.issuer)


def get_contract_for_user(user: User, pk: int, *, write: bool = False) -> Contract:
    """``write``: the user means to issue or amend it (the issuer's side)."""
    require(user, Cap.ISSUE_CONTRACTS if write else Cap.VIEW_BUSINESS)
    contract = (
        Contract.objects.select_related("recipient", "issuer", "recipient__region_class")
        .defer("pdf")
        .filter(scope_q(user, "recipient__"), pk=pk)
        .first()
    )
    if contract is None:
        raise Http404(NOT_FOUND)
    issuer_side = on_issuer_side(user, contract)
    if contract.status == ContractStatus.DRAFTED and not issuer_side:
        raise Http404(NOT_FOUND)
    if write and not issuer_side:
        raise PermissionDenied("这份责任状由上级单位下达，您不能下达或修订。")
    return contract


def get_contract_to_acknowledge(user: User, pk: int) -> Contract:
    """Only a user whose home unit is the recipient signs for it."""
    require(user, Cap.ACKNOWLEDGE_CONTRACTS)
    contract = get_contract_for_user(user, pk)
    if user.home_unit_id != contract.recipient_id:
        raise PermissionDenied("只有责任单位（乙方）本单位的人员才能签收。")
    return contract


def get_issuer_for_user(user: User, code: str | None, *, write: bool = False) -> OrgUnit:
    """The unit whose contracts are listed: the user's own by default, or a unit
    in the user's subtree that has units below it."""
    require(user, Cap.ISSUE_CONTRACTS if write else Cap.VIEW_BUSINESS)
    if not code:
        if user.home_unit is None:
            raise Http404(NOT_FOUND)
        code = user.home_unit.code
    if not is_unit_code(code):
        raise Http404(NOT_FOUND)
    unit = get_orgunit_for_user(user, code)
    if unit.level >= Level.VILLAGE:
        raise Http404(NOT_FOUND)
    return unit
