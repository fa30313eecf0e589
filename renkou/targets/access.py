"""Who may see and set targets. Every view and endpoint asks here.

Targets are read by everyone with business access in whose subtree the unit
lies (a village sees its own targets, a township its own and its villages').
They are set by the level above: a county sets its own total and its
townships' and villages' targets; a township officer sets its villages'
targets but not its own township's, which the county gives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from renkou.accounts.access import Cap, has_capability, in_scope, require, scope_q
from renkou.orgunits.models import Level, OrgUnit, is_unit_code
from renkou.targets.models import Target

if TYPE_CHECKING:
    from renkou.accounts.models import User

NOT_FOUND = "没有找到，或不在您的管辖范围内。"
NOT_YOURS = "本单位的目标由上级设定，您只能查看。"


class TargetError(Exception):
    """Input or state that makes a target change impossible; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def may_set_for(user: User, unit: OrgUnit) -> bool:
    """Whether ``user`` may set ``unit``'s targets (role, scope and level)."""
    if not has_capability(user, Cap.SET_TARGETS) or not in_scope(user, unit):
        return False
    home = user.home_unit
    if home is None:
        return False
    if unit.pk == home.pk:
        # Only a county (or higher) sets its own total; a township's comes from above.
        return home.level <= Level.COUNTY
    return True


def get_unit_for_user(user: User, code: str, *, write: bool = False) -> OrgUnit:
    """The unit with ``code`` in the user's subtree (404 outside it); 403 for
    a role that cannot read, or with ``write`` cannot set its targets."""
    require(user, Cap.SET_TARGETS if write else Cap.VIEW_BUSINESS)
    if not is_unit_code(code):
        raise Http404(NOT_FOUND)
    unit = OrgUnit.objects.select_related("parent").filter(scope_q(user), code=code).first()
    if unit is None:
        raise Http404(NOT_FOUND)
    if write and not may_set_for(user, unit):
        raise PermissionDenied(NOT_YOURS)
    return unit


def get_target_for_user(user: User, pk: int, *, write: bool = False) -> Target:
    require(user, Cap.SET_TARGETS if write else Cap.VIEW_BUSINESS)
    target = (
        Target.objects.select_related("orgunit", "orgunit__parent", "set_by", "cascaded_from")
        .filter(scope_q(user, "orgunit__"), pk=pk)
        .first()
    )
    if target is None:
        raise Http404(NOT_FOUND)
    if write and not may_set_for(user, target.orgunit):
        raise PermissionDenied(NOT_YOURS)
    return target
