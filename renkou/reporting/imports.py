"""Checking imported values against the database: scope, locks, report status, element rules.

Shared by the Excel upload and the dataValueSets exchange, so a value is
accepted or refused for the same reason whichever way it arrives. Checking
never writes; the caller writes the valid rows (``writes.write_values``) once
the user confirms, or refuses the whole file.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from renkou.accounts.access import Cap, has_capability, scope_path
from renkou.catalog.models import DataElement, DataSet, DataSetElement, ElementSource
from renkou.orgunits.models import OrgUnit
from renkou.periods import Period
from renkou.reporting.access import lock_from, today
from renkou.reporting.models import EDITABLE_STATUSES, PeriodLock, Report
from renkou.reporting.values import ElementRule

if TYPE_CHECKING:
    from renkou.accounts.models import User

CHUNK = 500
OUT_OF_SCOPE = "单位代码不存在，或不在您的管辖范围内"


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    code: str
    name: str
    level: int
    path: str


@dataclass
class Guard:
    """What one user may write, looked up once per file rather than once per value."""

    user: User | None  # None: a system import (command line), not limited to a scope
    on: dt.date = field(default_factory=today)
    _locks: dict[tuple[int, str], list[PeriodLock]] = field(default_factory=dict)
    _statuses: dict[tuple[int, str], dict[int, str]] = field(default_factory=dict)

    def may_enter(self) -> bool:
        return self.user is None or has_capability(self.user, Cap.ENTER_DATA)

    def units(self, codes: set[str]) -> dict[str, UnitInfo]:
        """The units with these codes that the user may write to (others are simply absent)."""
        scope = scope_path(self.user) if self.user is not None else ""
        if self.user is not None and scope is None:
            return {}
        found: dict[str, UnitInfo] = {}
        ordered = sorted(code for code in codes if code.isdigit() and len(code) <= 12)
        for start in range(0, len(ordered), CHUNK):
            for pk, code, name, level, path in OrgUnit.objects.filter(
                code__in=ordered[start : start + CHUNK]
            ).values_list("id", "code", "name", "level", "path"):
                if scope and not path.startswith(scope):
                    continue
                found[code] = UnitInfo(pk, code, name, level, path)
        return found

    def _prefetch(self, data_set: DataSet, period: Period) -> None:
        key = (data_set.pk, period.id)
        if key in self._locks:
            return
        self._locks[key] = list(
            PeriodLock.objects.filter(data_set=data_set, period=period.id).select_related("orgunit")
        )
        self._statuses[key] = dict(
            Report.objects.filter(data_set=data_set, period=period.id).values_list(
                "orgunit_id", "status"
            )
        )

    def blocked(self, data_set: DataSet, unit: UnitInfo, period: Period) -> str | None:
        """Why values of this unit's report may not change now, or None."""
        self._prefetch(data_set, period)
        key = (data_set.pk, period.id)
        lock = lock_from(self._locks[key], data_set, unit.path, period, self.on)
        if lock.locked:
            return f"{period.label_zh}{lock.label}，不能修改"
        status = self._statuses[key].get(unit.id)
        if status is not None and status not in EDITABLE_STATUSES:
            return "该单位本期报表已提交或已审核，不能修改（如需修改请先退回）"
        return None


@dataclass(frozen=True)
class ElementInfo:
    element: DataElement
    rule: ElementRule
    # (data set, period type, reporting level) of every data set the element is in.
    data_sets: tuple[tuple[DataSet, str, int], ...]

    def data_set_for(self, period: Period, level: int) -> DataSet | None:
        for data_set, period_type, reporting_level in self.data_sets:
            if period_type == period.type.value and reporting_level == level:
                return data_set
        return None


def element_infos(codes: set[str] | None = None) -> dict[str, ElementInfo]:
    """Entered elements (by code) with the data sets they belong to."""
    query = DataElement.objects.filter(source=ElementSource.ENTERED)
    if codes is not None:
        query = query.filter(code__in=codes)
    elements = {e.pk: e for e in query}
    memberships: dict[int, list[tuple[DataSet, str, int]]] = defaultdict(list)
    for member in DataSetElement.objects.filter(element_id__in=list(elements)).select_related(
        "data_set"
    ):
        data_set = member.data_set
        memberships[member.element_id].append(
            (data_set, data_set.period_type, data_set.reporting_level)
        )
    return {
        e.code: ElementInfo(e, ElementRule.of(e), tuple(memberships.get(pk, ())))
        for pk, e in elements.items()
    }
