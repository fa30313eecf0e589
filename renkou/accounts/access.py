"""Who may do what, and where. Every view and API endpoint asks here.

Two questions, answered in one place:
- the role check: may this role use this capability at all? (``has_capability``)
- the scope check: does the object lie in the user's home subtree? (``in_scope``)
Objects outside the scope are reported as missing (404), so an outsider cannot
even learn that they exist; a capability the role lacks is a 403.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from renkou.accounts.models import Role
from renkou.orgunits.models import OrgUnit, is_unit_code, subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from renkou.accounts.models import User


class Cap(StrEnum):
    VIEW_ORGUNITS = "view_orgunits"
    EDIT_ORGUNITS = "edit_orgunits"
    IMPORT_DIVISIONS = "import_divisions"
    VIEW_BUSINESS = "view_business"
    MANAGE_USERS = "manage_users"
    VIEW_USERS = "view_users"
    GRANT_ROLES = "grant_roles"
    VIEW_AUDIT = "view_audit"
    EXPORT_AUDIT = "export_audit"
    USE_API_TOKENS = "use_api_tokens"
    # Indicators and monthly reporting.
    MANAGE_CATALOG = "manage_catalog"
    ENTER_DATA = "enter_data"
    APPROVE_DATA = "approve_data"
    LOCK_PERIODS = "lock_periods"
    # Monthly supervision.
    PLAN_SUPERVISION = "plan_supervision"
    INSPECT = "inspect"
    RECTIFY = "rectify"
    # Targets, contracts and the annual assessment.
    SET_TARGETS = "set_targets"
    ISSUE_CONTRACTS = "issue_contracts"
    ACKNOWLEDGE_CONTRACTS = "acknowledge_contracts"
    MANAGE_SCHEMES = "manage_schemes"
    RUN_ASSESSMENT = "run_assessment"
    DECIDE_ADJUSTMENTS = "decide_adjustments"
    FILE_APPEALS = "file_appeals"
    MANAGE_PAY = "manage_pay"


BUSINESS_ROLES = frozenset(
    {Role.COUNTY_ASSESSOR, Role.TOWNSHIP_OFFICER, Role.VILLAGE_WORKER, Role.LEADER}
)
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# The role matrix. The three administrators are separated (三员分立): the system
# admin runs users and org units but cannot grant roles or read business data;
# the security admin grants roles but manages no business data or org units;
# the audit admin reads and exports the audit log and nothing else.
CAPABILITIES: dict[str, frozenset[Cap]] = {
    Role.COUNTY_ASSESSOR: frozenset(
        {
            Cap.VIEW_ORGUNITS,
            Cap.VIEW_BUSINESS,
            Cap.USE_API_TOKENS,
            Cap.MANAGE_CATALOG,
            Cap.ENTER_DATA,
            Cap.APPROVE_DATA,
            Cap.LOCK_PERIODS,
            Cap.PLAN_SUPERVISION,
            Cap.INSPECT,
            Cap.SET_TARGETS,
            Cap.ISSUE_CONTRACTS,
            Cap.MANAGE_SCHEMES,
            Cap.RUN_ASSESSMENT,
            Cap.DECIDE_ADJUSTMENTS,
            Cap.MANAGE_PAY,
        }
    ),
    Role.TOWNSHIP_OFFICER: frozenset(
        {
            Cap.VIEW_ORGUNITS,
            Cap.VIEW_BUSINESS,
            Cap.USE_API_TOKENS,
            Cap.ENTER_DATA,
            Cap.APPROVE_DATA,
            Cap.INSPECT,
            Cap.RECTIFY,
            # A township sets and cascades its villages' targets, issues their
            # contracts and assesses them; it signs its own contract with the
            # county and appeals the county's results.
            Cap.SET_TARGETS,
            Cap.ISSUE_CONTRACTS,
            Cap.ACKNOWLEDGE_CONTRACTS,
            Cap.MANAGE_SCHEMES,
            Cap.RUN_ASSESSMENT,
            Cap.DECIDE_ADJUSTMENTS,
            Cap.FILE_APPEALS,
            Cap.MANAGE_PAY,
        }
    ),
    Role.VILLAGE_WORKER: frozenset(
        {
            Cap.VIEW_ORGUNITS,
            Cap.VIEW_BUSINESS,
            Cap.USE_API_TOKENS,
            Cap.ENTER_DATA,
            Cap.RECTIFY,
            Cap.ACKNOWLEDGE_CONTRACTS,
            Cap.FILE_APPEALS,
        }
    ),
    Role.LEADER: frozenset({Cap.VIEW_ORGUNITS, Cap.VIEW_BUSINESS, Cap.USE_API_TOKENS}),
    Role.SYSTEM_ADMIN: frozenset(
        {
            Cap.VIEW_ORGUNITS,
            Cap.EDIT_ORGUNITS,
            Cap.IMPORT_DIVISIONS,
            Cap.MANAGE_USERS,
            Cap.VIEW_USERS,
            Cap.USE_API_TOKENS,
        }
    ),
    Role.SECURITY_ADMIN: frozenset({Cap.VIEW_USERS, Cap.GRANT_ROLES}),
    Role.AUDIT_ADMIN: frozenset({Cap.VIEW_AUDIT, Cap.EXPORT_AUDIT}),
}

# Roles whose home unit must be at a given level (a township officer sits in a
# township, a village worker in a village).
ROLE_LEVELS: dict[str, frozenset[int]] = {
    Role.TOWNSHIP_OFFICER: frozenset({4}),
    Role.VILLAGE_WORKER: frozenset({5}),
    Role.COUNTY_ASSESSOR: frozenset({1, 2, 3}),
}


BREAK_GLASS_EXCLUDED = frozenset({Cap.VIEW_AUDIT, Cap.EXPORT_AUDIT})


def has_capability(user: User | AnonymousUser, cap: Cap) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    role = getattr(user, "role", "")
    if cap in CAPABILITIES.get(role, frozenset()):
        return True
    until = getattr(user, "break_glass_until", None)
    return until is not None and until > timezone.now() and cap not in BREAK_GLASS_EXCLUDED


def require(user: User | AnonymousUser, cap: Cap) -> None:
    """Raise 403 unless the user's role carries ``cap``."""
    if not has_capability(user, cap):
        raise PermissionDenied("您的角色无权进行此操作。")


def scope_path(user: User) -> str | None:
    """The path of the user's home unit, or None when they have no scope."""
    return user.home_unit.path if user.home_unit_id and user.home_unit else None


def scope_q(user: User, prefix: str = "") -> Q:
    """A filter for objects in the user's subtree; ``prefix`` leads to an OrgUnit."""
    path = scope_path(user)
    if path is None:
        return Q(pk__in=[])
    return subtree_q(path, prefix)


def in_scope(user: User, unit: OrgUnit) -> bool:
    path = scope_path(user)
    return path is not None and unit.path.startswith(path)


def get_orgunit_for_user(user: User, code: str, *, write: bool = False) -> OrgUnit:
    """The unit with ``code`` if it lies in the user's subtree and role, else 404/403."""
    require(user, Cap.EDIT_ORGUNITS if write else Cap.VIEW_ORGUNITS)
    if not is_unit_code(code):
        raise Http404("没有找到该单位，或它不在您的管辖范围内。")
    unit = (
        OrgUnit.objects.select_related("parent", "region_class", "successor")
        .filter(scope_q(user), code=code)
        .first()
    )
    if unit is None:
        raise Http404("没有找到该单位，或它不在您的管辖范围内。")
    return unit
