"""Who may see and change population structures and the assistant's scopes.

A scope is an org unit: it must lie in the user's subtree (else 404). Viewing
needs VIEW_BUSINESS, importing ENTER_DATA and accepting suggestions
SET_TARGETS (else 403). Suggestions are accepted for the units below a scope,
never for the scope itself: a township officer sets its villages' targets,
not its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from renkou.accounts.access import Cap, require, scope_q
from renkou.orgunits.models import Level, OrgUnit, is_unit_code

if TYPE_CHECKING:
    from renkou.accounts.models import User

NOT_FOUND = "没有找到该单位，或它不在您的管辖范围内。"


class PopulationError(Exception):
    """A request that cannot be carried out; the message is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get_unit_for_user(user: User, code: str, *, write: bool = False) -> OrgUnit:
    """The unit with ``code`` if it lies in the user's subtree, else 404 (403 without the role)."""
    require(user, Cap.ENTER_DATA if write else Cap.VIEW_BUSINESS)
    if not is_unit_code(code):
        raise Http404(NOT_FOUND)
    unit = (
        OrgUnit.objects.select_related("parent", "region_class")
        .filter(scope_q(user), code=code, level__gte=Level.COUNTY)
        .first()
    )
    if unit is None:
        raise Http404(NOT_FOUND)
    return unit


def get_scope_for_user(user: User, code: str | None, *, accept: bool = False) -> OrgUnit:
    """The assistant's scope: ``code`` or the user's home unit."""
    require(user, Cap.SET_TARGETS if accept else Cap.VIEW_BUSINESS)
    if not code:
        if user.home_unit is None or user.home_unit.level < Level.COUNTY:
            raise Http404(NOT_FOUND)
        code = user.home_unit.code
    return get_unit_for_user(user, code) if not accept else _accept_scope(user, code)


def _accept_scope(user: User, code: str) -> OrgUnit:
    if not is_unit_code(code):
        raise Http404(NOT_FOUND)
    unit = (
        OrgUnit.objects.select_related("parent", "region_class")
        .filter(scope_q(user), code=code, level__gte=Level.COUNTY, level__lt=Level.VILLAGE)
        .first()
    )
    if unit is None:
        raise Http404(NOT_FOUND)
    return unit
