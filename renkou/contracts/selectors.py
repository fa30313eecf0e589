"""Reads of contracts for other apps and pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from renkou.accounts.access import scope_q
from renkou.contracts.models import ISSUED_STATES, Contract, ContractStatus
from renkou.orgunits.models import Level, OrgUnit

if TYPE_CHECKING:
    from renkou.accounts.models import User


def contract_issued(orgunit_id: int, year: int) -> bool:
    """Whether the unit's responsibility contract for the year has been issued
    (so that a change of its targets needs a reason)."""
    return Contract.objects.filter(
        recipient_id=orgunit_id, year=year, status__in=ISSUED_STATES
    ).exists()


def current_contracts(year: int, issuer: OrgUnit) -> QuerySet[Contract]:
    """The newest version of each contract the issuer wrote for the year."""
    return (
        Contract.objects.filter(year=year, issuer=issuer)
        .exclude(status=ContractStatus.SUPERSEDED)
        .select_related("recipient", "recipient__region_class", "issued_by", "acknowledged_by")
        .defer("pdf")
        .order_by("recipient__code", "-version")
    )


def visible_contracts(user: User) -> QuerySet[Contract]:
    """Contracts whose recipient lies in the user's subtree."""
    return Contract.objects.filter(scope_q(user, "recipient__")).defer("pdf")


def versions_of(contract: Contract) -> list[Contract]:
    return list(
        Contract.objects.filter(year=contract.year, recipient=contract.recipient)
        .select_related("drafted_by", "issued_by", "acknowledged_by")
        .defer("pdf")
        .order_by("-version")
    )


def my_contracts(user: User) -> list[Contract]:
    """Contracts addressed to the user's own unit (what it signs)."""
    if user.home_unit_id is None:
        return []
    return list(
        Contract.objects.filter(recipient_id=user.home_unit_id)
        .exclude(status=ContractStatus.DRAFTED)
        .select_related("issuer", "recipient")
        .defer("pdf")
        .order_by("-year", "-version")
    )


def contract_years(user: User) -> list[int]:
    years = set(visible_contracts(user).values_list("year", flat=True).distinct())
    home = user.home_unit
    if home is not None:
        years |= set(Contract.objects.filter(issuer=home).values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


@dataclass
class Pending:
    contract: Contract
    days: int


@dataclass
class BoardRow:
    """One unit that issues contracts (the county, a township) and how many of
    its contracts have been signed."""

    unit: OrgUnit
    total: int = 0
    drafted: int = 0
    issued: int = 0
    acknowledged: int = 0
    pending: list[Pending] = field(default_factory=list)

    @property
    def percent(self) -> int:
        sent = self.issued + self.acknowledged
        return round(100 * self.acknowledged / sent) if sent else 0


def acknowledgement_board(user: User, year: int, *, today: dt.date | None = None) -> list[BoardRow]:
    """Who has not yet acknowledged, grouped by issuing unit (the user's own unit
    first, then each township below it), oldest pending first."""
    today = today or timezone.localdate()
    rows: dict[int, BoardRow] = {}
    contracts = (
        Contract.objects.filter(scope_q(user, "issuer__"), year=year)
        .exclude(status=ContractStatus.SUPERSEDED)
        .select_related("issuer", "recipient")
        .defer("pdf", "content")
        .order_by("issuer__path", "recipient__code")
    )
    for contract in contracts:
        row = rows.setdefault(contract.issuer_id, BoardRow(unit=contract.issuer))
        row.total += 1
        if contract.status == ContractStatus.DRAFTED:
            row.drafted += 1
        elif contract.status == ContractStatus.ACKNOWLEDGED:
            row.acknowledged += 1
        else:
            row.issued += 1
            issued_on = (
                timezone.localtime(contract.issued_at).date() if contract.issued_at else today
            )
            row.pending.append(Pending(contract, (today - issued_on).days))
    for row in rows.values():
        row.pending.sort(key=lambda p: (-p.days, p.contract.recipient.code))
    return sorted(rows.values(), key=lambda r: (r.unit.level, r.unit.code))


def child_units(issuer: OrgUnit) -> QuerySet[OrgUnit]:
    """The units an issuer writes contracts for: its open children."""
    return OrgUnit.objects.filter(
        parent=issuer, closed_on__isnull=True, level__lte=Level.VILLAGE
    ).order_by("code")
