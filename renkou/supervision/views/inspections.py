"""Inspections: the phone form (works offline, syncs JSON), the result page,
the unit's acknowledgement, and rectification tasks opened from a result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, require
from renkou.accounts.models import User
from renkou.http import acting_user
from renkou.supervision import actions, selectors
from renkou.supervision.access import (
    NOT_FOUND,
    SupervisionError,
    get_inspection_for_user,
    get_plan_for_user,
    is_planner,
    may_inspect,
)
from renkou.supervision.forms import AcknowledgeForm, OpenTaskForm, PhotoForm, ReasonForm
from renkou.supervision.models import (
    Inspection,
    InspectionResult,
    InspectionStatus,
    PlanStatus,
)
from renkou.supervision.schemas import DraftIn, ValidationError, to_draft
from renkou.supervision.scoring import Style, fmt
from renkou.supervision.views.common import done, form_errors, refused

NAV = "supervision"


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """What this user has to do: units to inspect, results to acknowledge."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    return render(
        request,
        "supervision/mine.html",
        {
            "assignments": selectors.assignments_for(user)
            if has_capability(user, Cap.INSPECT)
            else [],
            "to_acknowledge": selectors.awaiting_acknowledgement(user),
            "recent": list(selectors.inspections_for(user)[:20]),
            "can_inspect": has_capability(user, Cap.INSPECT),
            "nav_active": NAV,
        },
    )


def _file_url(pk: int) -> str:
    return reverse("supervision:file", args=[pk])


def _form_state(inspection: Inspection, results: list[InspectionResult]) -> dict[str, Any]:
    """Everything the phone page needs, as JSON (the page keeps its draft from it)."""
    template = inspection.template
    overdue_ids = actions.overdue_tasks_for_score(
        inspection.unit, inspection.plan, selectors.today()
    )
    return {
        "id": inspection.pk,
        "revision": inspection.revision,
        "storageKey": f"renkou:inspection:{inspection.pk}",
        "syncUrl": reverse("supervision:inspection_sync", args=[inspection.pk]),
        "photoUrl": reverse("supervision:inspection_photo", args=[inspection.pk]),
        "doneUrl": reverse("supervision:inspection", args=[inspection.pk]),
        "representative": inspection.representative,
        "remarks": inspection.remarks,
        "located": inspection.latitude is not None,
        "overdue": {
            "count": len(overdue_ids),
            "perTask": str(template.overdue_deduction),
            "cap": None if template.overdue_cap is None else str(template.overdue_cap),
        }
        if template.overdue_deduction > 0
        else None,
        "items": [
            {
                "id": r.item_id,
                "code": r.item.code,
                "title": r.item.title,
                "style": r.item.style,
                "points": str(r.item.points),
                "deduction": str(r.item.deduction),
                "cap": None if r.item.cap is None else str(r.item.cap),
                "evidence": r.item.evidence_required,
                "occurrences": r.occurrences,
                "failed": r.failed,
                "note": r.note,
                "rectify": r.rectify,
                "photos": [
                    {"uuid": str(p.client_uuid), "url": _file_url(p.pk), "name": p.original_name}
                    for p in r.photos.all()
                    if p.client_uuid
                ],
            }
            for r in results
        ],
    }


def _may_acknowledge(user: User, inspection: Inspection) -> bool:
    return (
        inspection.status == InspectionStatus.SUBMITTED
        and has_capability(user, Cap.RECTIFY)
        and inspection.inspector_id != user.pk
        and not may_inspect(user, inspection.plan_unit)
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    inspection = get_inspection_for_user(user, pk)
    results = selectors.inspection_results(inspection)
    doing_it = inspection.inspector_id == user.pk or may_inspect(user, inspection.plan_unit)
    if inspection.is_draft:
        return render(
            request,
            "supervision/inspection_form.html",
            {
                "inspection": inspection,
                "topics": selectors.topics_of(results, item_of=lambda r: r.item),
                "state": _form_state(inspection, results),
                "occurrence": Style.OCCURRENCE.value,
                "nav_active": NAV,
            },
        )
    planner = is_planner(user, inspection.plan)
    plan_open = inspection.plan.status != PlanStatus.CLOSED
    default_deadline = max(
        inspection.visited_on + dt.timedelta(days=inspection.template.rectify_days),
        selectors.today() + dt.timedelta(days=7),
    )
    return render(
        request,
        "supervision/inspection_result.html",
        {
            "inspection": inspection,
            "results": results,
            "topics": selectors.topics_of(results, item_of=lambda r: r.item),
            "tasks": list(inspection.tasks.select_related("unit").order_by("id")),
            "can_acknowledge": _may_acknowledge(user, inspection),
            "ack_form": AcknowledgeForm(),
            "can_reopen": planner and plan_open,
            "reopen_form": ReasonForm(),
            "can_open_tasks": doing_it or planner,
            "default_deadline": default_deadline.isoformat(),
            "nav_active": NAV,
        },
    )


def _json_error(message: str, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message, **extra}, status=status)


def _inspection_for_json(request: HttpRequest, pk: int) -> Inspection | JsonResponse:
    """The access helper, with its refusals as JSON for the phone page's script."""
    try:
        return get_inspection_for_user(acting_user(request), pk, write=True)
    except Http404:
        return _json_error(NOT_FOUND, 404)
    except PermissionDenied as exc:
        return _json_error(str(exc) or _("您的角色无权进行此操作。"), 403)


@login_required
@require_POST
def inspection_sync(request: HttpRequest, pk: int) -> JsonResponse:
    """Save a draft sent by the phone page, or submit the saved draft."""
    user = acting_user(request)
    found = _inspection_for_json(request, pk)
    if isinstance(found, JsonResponse):
        return found
    inspection = found
    try:
        payload = DraftIn.model_validate_json(request.body)
    except ValidationError as exc:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", [])), "message": str(e.get("msg", ""))}
            for e in exc.errors()[:10]
        ]
        return _json_error(_("草稿格式有误，请刷新页面后重试。"), 400, problems=problems)
    try:
        if payload.submit:
            actions.do_submit_inspection(acting_user=user, inspection=inspection)
        else:
            actions.do_save_inspection(
                acting_user=user, inspection=inspection, draft=to_draft(payload)
            )
    except SupervisionError as error:
        return _json_error(error.message, 409, state=inspection.status)
    body: dict[str, Any] = {
        "ok": True,
        "revision": inspection.revision,
        "status": inspection.status,
    }
    if inspection.status != InspectionStatus.DRAFT:
        body["total"] = fmt(inspection.total) if inspection.total is not None else None
        body["redirect"] = reverse("supervision:inspection", args=[inspection.pk])
    return JsonResponse(body)


@login_required
@require_POST
def inspection_photo(request: HttpRequest, pk: int) -> JsonResponse:
    user = acting_user(request)
    found = _inspection_for_json(request, pk)
    if isinstance(found, JsonResponse):
        return found
    inspection = found
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _json_error(form_errors(form), 400)
    result = (
        inspection.results.select_related("item").filter(item_id=form.cleaned_data["item"]).first()
    )
    if result is None:
        return _json_error(_("检查项不属于本次督查。"), 400)
    try:
        photo = actions.do_attach_photo(
            acting_user=user,
            inspection=inspection,
            result=result,
            upload=form.cleaned_data["file"],
            checked=form.checked,
            client_uuid=form.cleaned_data["uuid"],
        )
    except SupervisionError as error:
        return _json_error(error.message, 409)
    return JsonResponse(
        {
            "ok": True,
            "uuid": str(photo.client_uuid),
            "url": _file_url(photo.pk),
            "name": photo.original_name,
        }
    )


@login_required
@require_POST
def inspection_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    inspection = get_inspection_for_user(user, pk)
    require(user, Cap.RECTIFY)
    if not _may_acknowledge(user, inspection) and inspection.status == InspectionStatus.SUBMITTED:
        raise PermissionDenied(_("督查人员不能代替被督查单位确认结果。"))
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        return refused(
            request, SupervisionError(form_errors(form)), "supervision:inspection", inspection.pk
        )
    try:
        actions.do_acknowledge_inspection(
            acting_user=user,
            inspection=inspection,
            objection=form.cleaned_data["objection"],
            note=form.cleaned_data["note"],
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:inspection", inspection.pk)
    return done(request, _("已确认督查结果。"), "supervision:inspection", inspection.pk)


@login_required
@require_POST
def inspection_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    inspection = get_inspection_for_user(user, pk)
    get_plan_for_user(user, inspection.plan_id, write=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return refused(
            request, SupervisionError(form_errors(form)), "supervision:inspection", inspection.pk
        )
    try:
        actions.do_reopen_inspection(
            acting_user=user, inspection=inspection, reason=form.cleaned_data["reason"]
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:inspection", inspection.pk)
    return done(request, _("已退回督查人员修改。"), "supervision:inspection", inspection.pk)


@login_required
@require_POST
def open_task(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a rectification task for a deducted item that has none yet."""
    user = acting_user(request)
    inspection = get_inspection_for_user(user, pk)
    if not (
        inspection.inspector_id == user.pk
        or may_inspect(user, inspection.plan_unit)
        or is_planner(user, inspection.plan)
    ):
        raise PermissionDenied(_("只有督查人员可以开具整改任务。"))
    form = OpenTaskForm(request.POST)
    if not form.is_valid():
        return refused(
            request, SupervisionError(form_errors(form)), "supervision:inspection", inspection.pk
        )
    result = (
        inspection.results.select_related("item").filter(pk=form.cleaned_data["result"]).first()
    )
    if result is None:
        raise Http404(_("没有找到该检查项。"))
    result.inspection = inspection
    try:
        task = actions.do_open_task(
            acting_user=user,
            result=result,
            deadline=form.cleaned_data["deadline"],
            description=form.cleaned_data["description"],
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:inspection", inspection.pk)
    return done(request, _("已开具整改任务。"), "supervision:task", task.pk)
