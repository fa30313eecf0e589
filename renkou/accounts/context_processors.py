from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from renkou.accounts.access import Cap, has_capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    key: str


def nav_items(request: HttpRequest) -> list[NavItem]:
    """The navigation a role may use; each link is checked by the view as well."""
    user = request.user
    if not user.is_authenticated:
        return []
    items = [NavItem(_("首页"), reverse("dashboard:home"), "home")]
    if has_capability(user, Cap.VIEW_ORGUNITS):
        items.append(NavItem(_("行政区划"), reverse("orgunits:tree"), "orgunits"))
    if has_capability(user, Cap.VIEW_USERS):
        items.append(NavItem(_("用户与角色"), reverse("accounts:users"), "users"))
    if has_capability(user, Cap.IMPORT_DIVISIONS):
        items.append(NavItem(_("导入区划"), reverse("orgunits:import"), "import"))
    if has_capability(user, Cap.VIEW_AUDIT):
        items.append(NavItem(_("审计日志"), reverse("audit:events"), "audit"))
    items.append(NavItem(_("后台任务"), reverse("jobs:list"), "jobs"))
    if has_capability(user, Cap.USE_API_TOKENS):
        items.append(NavItem(_("API令牌"), reverse("accounts:tokens"), "tokens"))
    return items


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"nav_items": nav_items(request)}
