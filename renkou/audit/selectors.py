from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from renkou.accounts.access import Cap, require, scope_path
from renkou.accounts.models import User
from renkou.audit.models import AuditEvent
from renkou.orgunits.models import path_upper_bound


def events_for(user: User, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Audit rows in the reader's subtree, plus rows that belong to no unit (logins, imports)."""
    require(user, Cap.VIEW_AUDIT)
    path = scope_path(user)
    queryset = AuditEvent.objects.all()
    if path is not None:
        queryset = queryset.filter(
            Q(org_path="") | Q(org_path__gte=path, org_path__lt=path_upper_bound(path))
        )
    else:
        queryset = queryset.filter(org_path="")
    zone = ZoneInfo(settings.TIME_ZONE)
    if filters.get("since"):
        queryset = queryset.filter(at__gte=dt.datetime.combine(filters["since"], dt.time.min, zone))
    if filters.get("until"):
        end = dt.datetime.combine(filters["until"], dt.time.min, zone) + dt.timedelta(days=1)
        queryset = queryset.filter(at__lt=end)
    if filters.get("actor"):
        queryset = queryset.filter(actor_name=filters["actor"])
    if filters.get("action"):
        queryset = queryset.filter(action__startswith=filters["action"])
    if filters.get("object_type"):
        queryset = queryset.filter(object_type=filters["object_type"])
    if filters.get("q"):
        queryset = queryset.filter(
            Q(object_repr__contains=filters["q"]) | Q(reason__contains=filters["q"])
        )
    return queryset.order_by("-id")
