"""Reads for the reporting pages: form rows, the completeness board, reminders."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from renkou.accounts.models import Role, User
from renkou.catalog.models import DataElement, DataSet
from renkou.catalog.selectors import data_set_elements
from renkou.orgunits.models import OrgUnit, subtree_q
from renkou.periods import Period, latest_ended
from renkou.reporting.access import LockState, lock_from, today
from renkou.reporting.models import (
    REPORTED_STATUSES,
    DataValue,
    PeriodLock,
    Report,
    ReportStatus,
    ValueChange,
)
from renkou.reporting.values import display


@dataclass
class FormRow:
    element: DataElement
    value: str
    previous: str
    comment: str = ""
    problem: str = ""
    warning: str = ""


def form_rows(data_set: DataSet, unit: OrgUnit, period: Period) -> list[FormRow]:
    """One row per element of the form, with this period's and the previous period's value."""
    elements = data_set_elements(data_set)
    previous = period.previous()
    stored = DataValue.objects.filter(
        orgunit=unit, period__in=[period.id, previous.id], element__in=elements
    ).values_list("element_id", "period", "value", "text", "comment")
    current: dict[int, tuple[Decimal | None, str, str]] = {}
    before: dict[int, tuple[Decimal | None, str]] = {}
    for element_id, period_id, value, text, comment in stored:
        if period_id == period.id:
            current[element_id] = (value, text, comment)
        else:
            before[element_id] = (value, text)
    rows = []
    for element in elements:
        value, text, comment = current.get(element.pk, (None, "", ""))
        old_value, old_text = before.get(element.pk, (None, ""))
        rows.append(
            FormRow(
                element=element,
                value=display(value, text, element.value_type),
                previous=display(old_value, old_text, element.value_type),
                comment=comment,
            )
        )
    return rows


def recent_periods(data_set: DataSet, count: int = 12) -> list[Period]:
    """The last ``count`` periods that have ended, newest first: what units report now."""
    last = latest_ended(data_set.period_type_enum, today())
    return [] if last is None else [last.shift(-i) for i in range(count)]


def reports_of(unit: OrgUnit, data_set: DataSet, periods: list[Period]) -> dict[str, Report]:
    return {
        r.period: r
        for r in Report.objects.filter(
            data_set=data_set, orgunit=unit, period__in=[p.id for p in periods]
        )
    }


def locks_for(data_set: DataSet, periods: list[Period]) -> dict[str, list[PeriodLock]]:
    found: dict[str, list[PeriodLock]] = defaultdict(list)
    for lock in PeriodLock.objects.filter(
        data_set=data_set, period__in=[p.id for p in periods]
    ).select_related("orgunit"):
        found[lock.period].append(lock)
    return found


def history_of(unit: OrgUnit, period: Period, data_set: DataSet) -> QuerySet[ValueChange]:
    elements = data_set_elements(data_set)
    return (
        ValueChange.objects.filter(orgunit=unit, period=period.id, element__in=elements)
        .select_related("element", "changed_by")
        .order_by("-changed_at", "-id")
    )


# -- the completeness board ------------------------------------------------------------


@dataclass
class BoardRow:
    unit: OrgUnit
    expected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    report: Report | None = None  # when the row is itself a reporting unit

    @property
    def reported(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> int | None:
        return round(self.reported * 100 / self.expected) if self.expected else None

    @property
    def on_time_percent(self) -> int | None:
        return round(self.on_time * 100 / self.expected) if self.expected else None

    @property
    def status(self) -> str:
        return self.report.status if self.report else "none"


@dataclass
class Board:
    data_set: DataSet
    unit: OrgUnit
    period: Period
    due: dt.date
    past_due: bool
    rows: list[BoardRow]
    total: BoardRow
    lock: LockState
    reminders: list[tuple[OrgUnit, str, list[User], str]]
    leaf: bool  # rows are the reporting units themselves


def _classify(report: Report | None, due: dt.date, past_due: bool) -> str:
    if report is not None and report.status in REPORTED_STATUSES:
        first = report.first_submitted_at or report.submitted_at
        if first is not None and timezone.localtime(first).date() <= due:
            return "on_time"
        return "late"
    return "missing" if past_due else "pending"


def build_board(data_set: DataSet, unit: OrgUnit, period: Period) -> Board:
    """Who reported, on time, late, missing, per child of ``unit``, in a fixed number of queries."""
    due = period.due_date(data_set.due_days)
    past_due = today() > due
    level = data_set.reporting_level
    reporting = list(
        OrgUnit.objects.filter(subtree_q(unit.path), level=level, closed_on__isnull=True)
        .order_by("path")
        .only("id", "code", "name", "path", "parent_id", "level")
    )
    reports = {
        r.orgunit_id: r
        for r in Report.objects.filter(data_set=data_set, period=period.id).filter(
            subtree_q(unit.path, "orgunit__")
        )
    }
    leaf = unit.level + 1 >= level
    if unit.level >= level:
        groups = [unit]
    elif leaf:
        groups = reporting
    else:
        groups = list(OrgUnit.objects.filter(parent=unit).order_by("code"))
    rows = {g.pk: BoardRow(g) for g in groups}
    by_code = {g.code: rows[g.pk] for g in groups}
    depth = unit.path.count("/")
    total = BoardRow(unit)
    unreported: list[OrgUnit] = []
    for member in reporting:
        report = reports.get(member.pk)
        outcome = _classify(report, due, past_due)
        # The row a member counts in: the unit's child on the way down to it.
        parts = member.path.split("/")
        row = rows[unit.pk] if unit.level >= level else by_code.get(parts[depth])
        if row is not None:
            _count(row, outcome, report)
            if leaf:
                row.report = report
        _count(total, outcome, report)
        if outcome in ("missing", "pending"):
            unreported.append(member)
    workers = defaultdict(list)
    for worker in User.objects.filter(
        home_unit__in=unreported, role=Role.VILLAGE_WORKER, is_active=True
    ).order_by("username"):
        if worker.home_unit_id is not None:
            workers[worker.home_unit_id].append(worker)
    # For a county, each unit to remind is shown with the township it belongs to.
    group_names = {g.code: g.name for g in groups} if not leaf else {}
    reminders = [
        (
            member,
            reports[member.pk].status if member.pk in reports else "none",
            workers[member.pk],
            group_names.get(member.path.split("/")[depth], ""),
        )
        for member in unreported
    ]
    locks = list(
        PeriodLock.objects.filter(data_set=data_set, period=period.id).select_related("orgunit")
    )
    return Board(
        data_set=data_set,
        unit=unit,
        period=period,
        due=due,
        past_due=past_due,
        rows=[rows[g.pk] for g in groups],
        total=total,
        lock=lock_from(locks, data_set, unit.path, period),
        reminders=reminders,
        leaf=leaf,
    )


def _count(row: BoardRow, outcome: str, report: Report | None) -> None:
    row.expected += 1
    if outcome == "on_time":
        row.on_time += 1
    elif outcome == "late":
        row.late += 1
    elif outcome == "missing":
        row.missing += 1
    row.statuses[report.status if report else "none"] += 1


STATUS_LABELS: dict[str, Any] = {
    **dict(ReportStatus.choices),
    "none": "未填报",
}
