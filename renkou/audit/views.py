from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from renkou.accounts.access import Cap, require
from renkou.audit.actions import record_event
from renkou.audit.forms import AuditFilterForm
from renkou.audit.models import AuditEvent
from renkou.audit.selectors import events_for
from renkou.http import acting_user

PAGE_SIZE = 50
EXPORT_LIMIT = 200_000


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, dict[str, object]]:
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, object] = form.cleaned_data if form.is_valid() else {}
    return form, filters


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_AUDIT)
    form, filters = _filters(request)
    queryset = events_for(user, filters).select_related(None)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "audit/list.html",
        {"form": form, "page": page, "query": query, "nav_active": "audit"},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def event_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV (UTF-8 with BOM, so Excel shows Chinese correctly)."""
    user = acting_user(request)
    require(user, Cap.EXPORT_AUDIT)
    _form, filters = _filters(request)
    queryset = events_for(user, filters)
    record_event(
        actor=user,
        action="audit.export",
        object_type="audit.auditevent",
        changes={"filters": {k: str(v) for k, v in filters.items() if v}},
    )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield "\ufeff"
        yield writer.writerow(
            [
                "编号",
                "时间",
                "操作人",
                "IP",
                "操作",
                "对象类型",
                "对象编号",
                "对象",
                "单位路径",
                "变更",
                "原因",
            ]
        )
        for event in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
            yield writer.writerow(_row(event))

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


def _row(event: AuditEvent) -> list[str]:
    return [
        str(event.pk),
        timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_name,
        event.ip or "",
        event.action,
        event.object_type,
        event.object_id,
        _neutralise(event.object_repr),
        event.org_path,
        _neutralise(json.dumps(event.changes, ensure_ascii=False)),
        _neutralise(event.reason),
    ]


def _neutralise(text: str) -> str:
    # A cell starting with = + - @ would run as a formula when the CSV is opened in Excel.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
