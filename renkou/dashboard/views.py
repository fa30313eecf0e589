from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from renkou.accounts.access import Cap, has_capability, scope_q
from renkou.accounts.models import Role, User
from renkou.accounts.views import LoginView
from renkou.audit.models import AuditEvent
from renkou.http import acting_user
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.orgunits.selectors import children_of, level_counts
from renkou.reporting.dashboard import home_block
from renkou.supervision.selectors import overdue_tasks


def _child_chart(home: OrgUnit) -> dict[str, Any] | None:
    """For a county or above: how many villages each child unit has."""
    if home.level >= Level.TOWNSHIP:
        return None
    if home.level == Level.COUNTY:
        # A township's children are its villages.
        rows = [(c.name, c.child_count) for c in children_of(home)]  # type: ignore[attr-defined]
    else:
        # Above a county the villages lie deeper; a dozen children, one count each.
        rows = [
            (c.name, OrgUnit.objects.filter(subtree_q(c.path), level=Level.VILLAGE).count())
            for c in children_of(home)
        ]
    return {
        "labels": [name for name, _ in rows],
        "values": [n for _, n in rows],
        "series": "村（居）数",
    }


def home(request: HttpRequest) -> HttpResponseBase:
    """The home page; visitors who have not signed in get the sign-in form here."""
    if not request.user.is_authenticated:
        return LoginView.as_view()(request)
    user = acting_user(request)
    unit = user.home_unit
    context: dict[str, Any] = {"nav_active": "home", "unit": unit}
    if unit is not None and has_capability(user, Cap.VIEW_ORGUNITS):
        context["counts"] = level_counts(unit.path)
        context["children"] = list(children_of(unit)[:60]) if unit.level >= Level.TOWNSHIP else []
        context["chart"] = _child_chart(unit)
    # Monthly supervision: overdue rectification tasks escalate to the home page
    # of the township and of the county (a village sees its own on the tasks page).
    if (
        unit is not None
        and unit.level <= Level.TOWNSHIP
        and has_capability(user, Cap.VIEW_BUSINESS)
    ):
        context["overdue"], context["overdue_total"] = overdue_tasks(user, limit=8)
    # Monthly reporting: live indicators for the user's scope and last month's reporting.
    if unit is not None and has_capability(user, Cap.VIEW_BUSINESS):
        context["reporting"] = home_block(user, unit)
    if has_capability(user, Cap.VIEW_USERS):
        users = User.objects.filter(scope_q(user, "home_unit__"))
        by_role = dict(users.values_list("role").annotate(n=Count("id")).values_list("role", "n"))
        context["role_counts"] = [(label, by_role.get(value, 0)) for value, label in Role.choices]
        context["pending_roles"] = by_role.get("", 0)
    if has_capability(user, Cap.VIEW_AUDIT):
        today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        context["audit_today"] = AuditEvent.objects.filter(at__gte=today).count()
        context["audit_failed_logins"] = AuditEvent.objects.filter(
            at__gte=today, action="accounts.login_failed"
        ).count()
        context["recent_events"] = list(AuditEvent.objects.order_by("-id")[:10])
    return render(request, "dashboard/home.html", context)
