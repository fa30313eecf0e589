"""Who may see and change which report. Every reporting view and endpoint asks here.

A report is reached by (data set, unit, period). Outside the user's subtree,
or for a unit that does not report that data set, it does not exist (404);
a role without the capability is refused (403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import Http404
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability, require, scope_q
from renkou.catalog.models import DataSet
from renkou.orgunits.models import OrgUnit
from renkou.periods import Period, PeriodError, parse
from renkou.reporting.models import PeriodLock, Report, ReportStatus

if TYPE_CHECKING:
    from renkou.accounts.models import User

NOT_FOUND = "没有找到该报表，或它不在您的管辖范围内。"


@dataclass(frozen=True)
class LockState:
    locked: bool
    automatic: bool = False
    reason: str = ""
    since: dt.date | None = None

    @property
    def label(self) -> str:
        if not self.locked:
            return ""
        if self.automatic:
            if self.since is None:
                return "已自动锁定"
            return f"已于{self.since.year}年{self.since.month}月{self.since.day}日自动锁定"
        return "县级已锁定"


def today() -> dt.date:
    return timezone.localdate()


def parse_period_for(data_set: DataSet, period_id: str) -> Period:
    """The period, if it is a period of the data set's type; else 404."""
    try:
        period = parse(period_id)
    except PeriodError:
        raise Http404("报告期无效。") from None
    if period.type.value != data_set.period_type:
        raise Http404("该报表没有这样的报告期。")
    return period


def get_unit_for_user(user: User, code: str, cap: Cap = Cap.VIEW_BUSINESS) -> OrgUnit:
    require(user, cap)
    unit = OrgUnit.objects.filter(scope_q(user), code=code).select_related("parent").first()
    if unit is None:
        raise Http404(NOT_FOUND)
    return unit


def get_data_set(code: str) -> DataSet:
    data_set = DataSet.objects.filter(code=code).first()
    if data_set is None:
        raise Http404(NOT_FOUND)
    return data_set


@dataclass
class ReportPlace:
    """One unit's report for one data set and period, found through the scope check."""

    data_set: DataSet
    unit: OrgUnit
    period: Period
    report: Report | None

    @property
    def status(self) -> str:
        return self.report.status if self.report else ReportStatus.DRAFT

    @property
    def due(self) -> dt.date:
        return self.period.due_date(self.data_set.due_days)


def get_report_for_user(
    user: User, data_set_code: str, period_id: str, unit_code: str, cap: Cap = Cap.VIEW_BUSINESS
) -> ReportPlace:
    """The report place if the unit is in the user's subtree and reports the data set."""
    require(user, cap)
    data_set = get_data_set(data_set_code)
    period = parse_period_for(data_set, period_id)
    unit = get_unit_for_user(user, unit_code, cap)
    if unit.level != data_set.reporting_level:
        raise Http404(NOT_FOUND)
    report = (
        Report.objects.filter(data_set=data_set, orgunit=unit, period=period.id)
        .select_related("submitted_by", "reviewed_by")
        .first()
    )
    return ReportPlace(data_set, unit, period, report)


def lock_state(
    data_set: DataSet, unit: OrgUnit, period: Period, on: dt.date | None = None
) -> LockState:
    """Whether the period is locked for the unit: the nearest county decision, else the date."""
    locks = PeriodLock.objects.filter(
        data_set=data_set, period=period.id, orgunit__code__in=[*unit.ancestor_codes, unit.code]
    ).select_related("orgunit")
    return lock_from(list(locks), data_set, unit.path, period, on)


def lock_from(
    locks: list[PeriodLock], data_set: DataSet, path: str, period: Period, on: dt.date | None = None
) -> LockState:
    """Lock state for a unit with ``path`` from the data set's lock rows of that period."""
    relevant = [lock for lock in locks if path.startswith(lock.orgunit.path)]
    if relevant:
        nearest = max(relevant, key=lambda lock: len(lock.orgunit.path))
        return LockState(nearest.locked, reason=nearest.reason)
    if data_set.lock_days:
        since = period.end + dt.timedelta(days=data_set.lock_days)
        if (on or today()) > since:
            return LockState(True, automatic=True, since=since)
    return LockState(False)


def can_edit(user: User, place: ReportPlace, lock: LockState) -> bool:
    return (
        has_capability(user, Cap.ENTER_DATA)
        and not lock.locked
        and place.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)
    )


def can_review(user: User, place: ReportPlace, lock: LockState) -> bool:
    """Reviewers sit above the unit: a township officer reviews its villages, never itself."""
    return (
        has_capability(user, Cap.APPROVE_DATA)
        and not lock.locked
        and user.home_unit is not None
        and place.unit.pk != user.home_unit.pk
        and place.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
    )


def get_lock_unit_for_user(user: User, code: str) -> OrgUnit:
    """A unit at which the user may lock and reopen periods (their own or below)."""
    return get_unit_for_user(user, code, Cap.LOCK_PERIODS)
