"""Who may see and change schemes, facts, runs and results. Every view asks here.

An object outside the user's subtree is reported missing (404); a role
without the capability gets 403.

- A scheme is the published rulebook: its owner's subtree and the units it
  is applied to may read it (so it is visible below and above its owner);
  only schemers at or above the owner change it, a unit it assesses gets 403.
- A run belongs to the assessing unit: the whole league table is seen by
  users whose subtree holds the run's root.
- A unit's result is also seen by the unit itself (and its own subtree)
  once the run has been released to the units for appeal, or published.
- A fact is entered about a unit below the assessor's own unit: nobody
  records a flag against, or for, their own unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from renkou.accounts.access import Cap, has_capability, in_scope, require, scope_path, scope_q
from renkou.assessment.models import Fact, Run, RunStatus, RunUnit, Scheme

if TYPE_CHECKING:
    from renkou.accounts.models import User
    from renkou.orgunits.models import OrgUnit

NOT_FOUND = "没有找到，或不在您的管辖范围内。"
RELEASED = (RunStatus.RELEASED, RunStatus.PUBLISHED)


class AssessmentError(Exception):
    """A request that is understood but not possible in the object's state; the
    message is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def scheme_visibility_q(user: User) -> Q:
    """Schemes owned inside the user's subtree or by one of the user's ancestors."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    ancestors = [code for code in path.split("/") if code]
    return scope_q(user, "owner__") | Q(owner__code__in=ancestors)


def get_scheme_for_user(user: User, pk: int, *, write: bool = False) -> Scheme:
    require(user, Cap.MANAGE_SCHEMES if write else Cap.VIEW_BUSINESS)
    scheme = (
        Scheme.objects.select_related("owner", "created_by")
        .filter(scheme_visibility_q(user), pk=pk)
        .first()
    )
    if scheme is None:
        raise Http404(NOT_FOUND)
    if write and not in_scope(user, scheme.owner):
        raise PermissionDenied("该考核方案由上级单位制定，您只能查看。")
    return scheme


def may_run(user: User, scheme: Scheme) -> bool:
    return has_capability(user, Cap.RUN_ASSESSMENT) and in_scope(user, scheme.owner)


def run_visibility_q(user: User) -> Q:
    """Runs in the user's subtree; readers who do not assess (leaders) see a run
    only once it is published, never a draft league table."""
    visible = scope_q(user, "root__")
    if not has_capability(user, Cap.RUN_ASSESSMENT):
        visible &= Q(status=RunStatus.PUBLISHED)
    return visible


def get_run_for_user(user: User, pk: int, *, write: bool = False) -> Run:
    """``write``: the user means to run or change the assessment."""
    require(user, Cap.RUN_ASSESSMENT if write else Cap.VIEW_BUSINESS)
    run = (
        Run.objects.select_related("scheme", "scheme__owner", "root", "job", "created_by")
        .filter(run_visibility_q(user), pk=pk)
        .first()
    )
    if run is None:
        raise Http404(NOT_FOUND)
    return run


def may_see_league(user: User, run: Run) -> bool:
    if not has_capability(user, Cap.RUN_ASSESSMENT) and run.status != RunStatus.PUBLISHED:
        return False
    return has_capability(user, Cap.VIEW_BUSINESS) and in_scope(user, run.root)


def run_unit_visibility_q(user: User) -> Q:
    """Units of runs the user assesses, and the user's own units once released."""
    assessed = scope_q(user, "run__root__")
    if not has_capability(user, Cap.RUN_ASSESSMENT):
        assessed &= Q(run__status=RunStatus.PUBLISHED)
    return assessed | (scope_q(user, "orgunit__") & Q(run__status__in=RELEASED))


def get_run_unit_for_user(user: User, pk: int, *, write: bool = False) -> RunUnit:
    require(user, Cap.RUN_ASSESSMENT if write else Cap.VIEW_BUSINESS)
    visible = scope_q(user, "run__root__") if write else run_unit_visibility_q(user)
    run_unit = (
        RunUnit.objects.select_related(
            "run", "run__scheme", "run__root", "orgunit", "orgunit__region_class"
        )
        .filter(visible, pk=pk)
        .first()
    )
    if run_unit is None:
        raise Http404(NOT_FOUND)
    return run_unit


def may_record_fact(user: User, unit: OrgUnit) -> bool:
    return (
        has_capability(user, Cap.RUN_ASSESSMENT)
        and in_scope(user, unit)
        and unit.pk != user.home_unit_id
    )


def get_fact_for_user(user: User, pk: int, *, write: bool = False) -> Fact:
    require(user, Cap.RUN_ASSESSMENT if write else Cap.VIEW_BUSINESS)
    fact = (
        Fact.objects.select_related("orgunit", "entered_by")
        .filter(scope_q(user, "orgunit__"), pk=pk)
        .first()
    )
    if fact is None:
        raise Http404(NOT_FOUND)
    if write and fact.orgunit_id == user.home_unit_id:
        raise PermissionDenied("不能为本单位录入或修改考核事项。")
    return fact


def get_unit_for_fact(user: User, code: str) -> OrgUnit:
    """The unit a new fact is about: in the user's subtree (404) and not their own (403)."""
    from renkou.orgunits.models import OrgUnit

    require(user, Cap.RUN_ASSESSMENT)
    unit = OrgUnit.objects.filter(scope_q(user), code=code).first()
    if unit is None:
        raise Http404(NOT_FOUND)
    if unit.pk == user.home_unit_id:
        raise PermissionDenied("不能为本单位录入考核事项。")
    return unit
