"""Who may see and change supervision objects. Every view asks here.

The foundation's rule holds throughout: an object outside the user's subtree is
reported missing (404); a role without the capability gets 403.

- Checklists are the published rules of the game, so the units they are
  applied to may read them too: a checklist is visible below and above its
  owner's subtree, and editable only by planners at or above its owner.
- Plans (with their sample and teams) are seen by the county level only:
  units should not learn before the visit which villages were drawn.
- Inspections and tasks belong to the inspected unit: visible to users whose
  subtree holds the unit. A draft inspection is visible only to the people
  doing it (team members) and to the planners.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from renkou.accounts.access import Cap, has_capability, in_scope, require, scope_path, scope_q
from renkou.supervision.models import (
    Attachment,
    ChecklistTemplate,
    Inspection,
    InspectionStatus,
    Plan,
    PlanUnit,
    RectificationTask,
)

if TYPE_CHECKING:
    from renkou.accounts.models import User
    from renkou.orgunits.models import OrgUnit

NOT_FOUND = "没有找到，或不在您的管辖范围内。"


class SupervisionError(Exception):
    """A request that is understood but not possible in the object's state; the
    message is shown to the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_planner(user: User, plan: Plan) -> bool:
    return has_capability(user, Cap.PLAN_SUPERVISION) and in_scope(user, plan.root)


def is_team_member(user: User, plan_unit: PlanUnit) -> bool:
    if plan_unit.team_id is None:
        return False
    return plan_unit.team.members.filter(pk=user.pk).exists()  # type: ignore[union-attr]


def may_inspect(user: User, plan_unit: PlanUnit) -> bool:
    """Team members of the unit's team, and the plan's planners, inspect a unit
    (and only a unit in their own subtree)."""
    if not has_capability(user, Cap.INSPECT) or not in_scope(user, plan_unit.unit):
        return False
    return is_planner(user, plan_unit.plan) or is_team_member(user, plan_unit)


def template_visibility_q(user: User) -> Q:
    """Checklists owned inside the user's subtree, or by one of the user's ancestors."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    ancestors = [code for code in path.split("/") if code]
    return scope_q(user, "owner__") | Q(owner__code__in=ancestors)


def get_template_for_user(user: User, pk: int, *, write: bool = False) -> ChecklistTemplate:
    require(user, Cap.PLAN_SUPERVISION if write else Cap.VIEW_BUSINESS)
    visible = scope_q(user, "owner__") if write else template_visibility_q(user)
    template = ChecklistTemplate.objects.select_related("owner").filter(visible, pk=pk).first()
    if template is None:
        raise Http404(NOT_FOUND)
    return template


def get_plan_for_user(user: User, pk: int, *, write: bool = False) -> Plan:
    require(user, Cap.PLAN_SUPERVISION if write else Cap.VIEW_BUSINESS)
    plan = (
        Plan.objects.select_related("root", "template", "village_template", "sample_drawn_by")
        .filter(scope_q(user, "root__"), pk=pk)
        .first()
    )
    if plan is None:
        raise Http404(NOT_FOUND)
    return plan


def get_plan_unit_for_user(user: User, pk: int, *, write: bool = False) -> PlanUnit:
    """``write``: the user means to inspect the unit."""
    require(user, Cap.INSPECT if write else Cap.VIEW_BUSINESS)
    plan_unit = (
        PlanUnit.objects.select_related("plan", "plan__root", "unit", "team")
        .filter(scope_q(user, "unit__"), pk=pk)
        .first()
    )
    if plan_unit is None:
        raise Http404(NOT_FOUND)
    planner = is_planner(user, plan_unit.plan)
    if not planner and not is_team_member(user, plan_unit):
        # Units do not see the plan before the visit.
        raise Http404(NOT_FOUND)
    if write and not may_inspect(user, plan_unit):
        raise PermissionDenied("您不是该单位督查组的成员。")
    return plan_unit


def get_inspection_for_user(user: User, pk: int, *, write: bool = False) -> Inspection:
    """``write``: the user means to fill in the inspection (an inspector of it)."""
    require(user, Cap.INSPECT if write else Cap.VIEW_BUSINESS)
    inspection = (
        Inspection.objects.select_related(
            "plan", "plan__root", "unit", "template", "inspector", "plan_unit", "plan_unit__team"
        )
        .filter(scope_q(user, "unit__"), pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404(NOT_FOUND)
    doing_it = inspection.inspector_id == user.pk or may_inspect(user, inspection.plan_unit)
    if inspection.status == InspectionStatus.DRAFT and not doing_it:
        raise Http404(NOT_FOUND)
    if write and not doing_it:
        raise PermissionDenied("您不是该单位督查组的成员。")
    return inspection


def may_verify(user: User, unit: OrgUnit) -> bool:
    """Verification is done from above: never by the unit that rectified."""
    return (
        has_capability(user, Cap.INSPECT)
        and in_scope(user, unit)
        and user.home_unit_id is not None
        and user.home_unit_id != unit.pk
    )


def get_task_for_user(
    user: User, pk: int, *, write: bool = False, capability: Cap = Cap.RECTIFY
) -> RectificationTask:
    """``write`` with ``capability`` RECTIFY: the unit works on the task;
    with INSPECT: an inspector above the unit verifies or reopens it."""
    require(user, capability if write else Cap.VIEW_BUSINESS)
    task = (
        RectificationTask.objects.select_related("unit", "plan", "inspection", "opened_by")
        .filter(scope_q(user, "unit__"), pk=pk)
        .first()
    )
    if task is None:
        raise Http404(NOT_FOUND)
    if write and capability == Cap.INSPECT and not may_verify(user, task.unit):
        raise PermissionDenied("整改任务由上级核验，不能核验本单位的任务。")
    return task


def get_attachment_for_user(user: User, pk: int) -> Attachment:
    """A file is visible to whoever may see the inspection or task it belongs to."""
    require(user, Cap.VIEW_BUSINESS)
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404(NOT_FOUND)
    if attachment.task_id is not None:
        get_task_for_user(user, attachment.task_id)
    elif attachment.inspection_id is not None:
        get_inspection_for_user(user, attachment.inspection_id)
    else:
        raise Http404(NOT_FOUND)
    return attachment
