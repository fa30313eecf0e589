"""Rectification tasks: the unit uploads evidence and reports done; an inspector
above it verifies or reopens. Files are served only through ``file_view``."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, in_scope, require
from renkou.http import acting_user, is_htmx, search_text
from renkou.supervision import actions, selectors
from renkou.supervision.access import (
    SupervisionError,
    get_attachment_for_user,
    get_task_for_user,
    may_verify,
)
from renkou.supervision.forms import EvidenceForm, NoteForm, ReopenTaskForm, TaskFilterForm
from renkou.supervision.models import TaskStatus
from renkou.supervision.views.common import done, form_errors, refused

PAGE_SIZE = 30
NAV = "supervision"


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    form = TaskFilterForm(request.GET or None)
    status, overdue, q = "", False, ""
    if form.is_valid():
        status = form.cleaned_data["status"]
        overdue = form.cleaned_data["overdue"]
        q = search_text(form.cleaned_data["q"])
    tasks = selectors.tasks_for(user, status=status, overdue=overdue, q=q)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = "&".join(
        part
        for part in (
            f"status={status}" if status else "",
            "overdue=on" if overdue else "",
            f"q={quote(q)}" if q else "",
        )
        if part
    )
    context = {
        "page": page,
        "form": form,
        "counts": selectors.task_counts(user),
        "today": selectors.today(),
        "query": query,
        "nav_active": NAV,
    }
    template = (
        "supervision/_partials/task_rows.html" if is_htmx(request) else "supervision/task_list.html"
    )
    return render(request, template, context)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = get_task_for_user(user, pk)
    is_open = task.status == TaskStatus.OPEN
    can_rectify = has_capability(user, Cap.RECTIFY) and in_scope(user, task.unit)
    return render(
        request,
        "supervision/task_detail.html",
        {
            "task": task,
            "today": selectors.today(),
            "overdue_days": task.days_overdue(selectors.today()),
            "events": selectors.task_timeline(task),
            "evidence": list(task.evidence.order_by("id")),
            "can_rectify": can_rectify and is_open,
            "can_verify": may_verify(user, task.unit) and task.status == TaskStatus.SUBMITTED,
            "evidence_form": EvidenceForm(),
            "note_form": NoteForm(),
            "reopen_form": ReopenTaskForm(),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def task_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = get_task_for_user(user, pk, write=True)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:task", task.pk)
    try:
        actions.do_attach_evidence(
            acting_user=user, task=task, upload=form.cleaned_data["file"], checked=form.checked
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:task", task.pk)
    return done(request, _("已上传佐证材料。"), "supervision:task", task.pk)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = get_task_for_user(user, pk, write=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:task", task.pk)
    try:
        actions.do_mark_task_done(acting_user=user, task=task, note=form.cleaned_data["note"])
    except SupervisionError as error:
        return refused(request, error, "supervision:task", task.pk)
    return done(request, _("已报告整改完成，等待上级核验。"), "supervision:task", task.pk)


@login_required
@require_POST
def task_verify(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = get_task_for_user(user, pk, write=True, capability=Cap.INSPECT)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:task", task.pk)
    try:
        actions.do_verify_task(acting_user=user, task=task, note=form.cleaned_data["note"])
    except SupervisionError as error:
        return refused(request, error, "supervision:task", task.pk)
    return done(request, _("已核验销号。"), "supervision:task", task.pk)


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    task = get_task_for_user(user, pk, write=True, capability=Cap.INSPECT)
    form = ReopenTaskForm(request.POST)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:task", task.pk)
    try:
        actions.do_reopen_task(
            acting_user=user,
            task=task,
            reason=form.cleaned_data["reason"],
            deadline=form.cleaned_data["deadline"],
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:task", task.pk)
    return done(request, _("已退回重新整改。"), "supervision:task", task.pk)


@login_required
def file_view(request: HttpRequest, pk: int) -> FileResponse:
    """A photo or evidence file, to those who may see what it belongs to."""
    user = acting_user(request)
    attachment = get_attachment_for_user(user, pk)
    actions.do_record_attachment_read(acting_user=user, attachment=attachment)
    inline = attachment.is_image or attachment.content_type == "application/pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    # Evidence must not stay in any cache: every opening is a logged read.
    response["Cache-Control"] = "private, no-store"
    return response
