"""Monthly reporting pages: my reports, the entry form, review, the completeness board, locks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, require
from renkou.catalog.models import DataSet
from renkou.http import acting_user, is_htmx
from renkou.reporting import selectors
from renkou.reporting.access import (
    ReportPlace,
    can_edit,
    can_review,
    get_data_set,
    get_lock_unit_for_user,
    get_report_for_user,
    get_unit_for_user,
    lock_from,
    lock_state,
    parse_period_for,
    today,
)
from renkou.reporting.actions import (
    ReportError,
    do_approve_report,
    do_lock_period,
    do_reopen_period,
    do_return_report,
    do_save_report_values,
    do_submit_report,
)
from renkou.reporting.checks import Finding
from renkou.reporting.forms import LockForm, ReopenForm, ReturnForm
from renkou.reporting.models import EDITABLE_STATUSES

NAV_ENTRY = "reporting"
NAV_BOARD = "reporting_board"


def _place_url(place: ReportPlace) -> str:
    return reverse("reporting:form", args=[place.data_set.code, place.period.id, place.unit.code])


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A reporting unit sees its recent reports; units above go to the completeness board."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    unit = user.home_unit
    data_sets = list(DataSet.objects.order_by("code"))
    if unit is None:
        raise Http404(_("您的账号还没有所属单位，请联系系统管理员。"))
    own = [d for d in data_sets if d.reporting_level == unit.level]
    if not own:
        return redirect("reporting:board")
    sections = []
    for data_set in own:
        periods = selectors.recent_periods(data_set)
        reports = selectors.reports_of(unit, data_set, periods)
        locks = selectors.locks_for(data_set, periods)
        items = []
        for period in periods:
            report = reports.get(period.id)
            items.append(
                {
                    "period": period,
                    "report": report,
                    "status": report.status if report else "none",
                    "due": period.due_date(data_set.due_days),
                    "overdue": (report is None or report.status in EDITABLE_STATUSES)
                    and period.due_date(data_set.due_days) < today(),
                    "lock": lock_from(locks.get(period.id, []), data_set, unit.path, period),
                }
            )
        sections.append({"data_set": data_set, "items": items})
    return render(
        request,
        "reporting/home.html",
        {
            "unit": unit,
            "sections": sections,
            "labels": selectors.STATUS_LABELS,
            "nav_active": NAV_ENTRY,
        },
    )


def _form_context(
    user: Any, place: ReportPlace, *, problems: dict[str, str] | None = None
) -> dict[str, Any]:
    lock = lock_state(place.data_set, place.unit, place.period)
    rows = selectors.form_rows(place.data_set, place.unit, place.period)
    findings = [Finding(**f) for f in (place.report.findings if place.report else [])]
    warned = {code: f.message for f in findings for code in f.codes}
    for row in rows:
        row.problem = (problems or {}).get(row.element.code, "")
        row.warning = warned.get(row.element.code, "")
    return {
        "place": place,
        "rows": rows,
        "lock": lock,
        "editable": can_edit(user, place, lock),
        "reviewable": can_review(user, place, lock),
        "findings": findings,
        "return_form": ReturnForm(),
        "status_label": selectors.STATUS_LABELS.get(place.status, place.status),
        "nav_active": NAV_ENTRY,
    }


@login_required
def report_form(request: HttpRequest, data_set: str, period: str, unit: str) -> HttpResponse:
    """The entry form. GET shows it; POST saves every field at once (without JavaScript)."""
    user = acting_user(request)
    place = get_report_for_user(user, data_set, period, unit)
    problems: dict[str, str] = {}
    if request.method == "POST":
        require(user, Cap.ENTER_DATA)
        entries = {
            key.removeprefix("v-"): str(value)
            for key, value in request.POST.items()
            if key.startswith("v-")
        }
        try:
            result = do_save_report_values(acting_user=user, place=place, entries=entries)
        except ReportError as exc:
            messages.error(request, str(exc))
            return redirect(_place_url(place))
        if result.ok:
            messages.success(request, _("已保存草稿。"))
            return redirect(_place_url(place))
        problems = result.problems
        messages.error(
            request, _("有 %(n)d 项填写有误，均未保存，请改正后再保存。") % {"n": len(problems)}
        )
    context = _form_context(user, place, problems=problems)
    status = 400 if problems else 200
    return render(request, "reporting/form.html", context, status=status)


@login_required
@require_POST
def autosave(request: HttpRequest, data_set: str, period: str, unit: str) -> HttpResponse:
    """htmx: save one field as the worker leaves it, and answer with that field."""
    user = acting_user(request)
    place = get_report_for_user(user, data_set, period, unit, Cap.ENTER_DATA)
    code = request.POST.get("code", "")
    raw = request.POST.get(f"v-{code}", request.POST.get("value", ""))
    rows = {
        row.element.code: row
        for row in selectors.form_rows(place.data_set, place.unit, place.period)
    }
    row = rows.get(code)
    if row is None:
        raise Http404(_("没有这个数据项。"))
    saved = False
    try:
        result = do_save_report_values(acting_user=user, place=place, entries={code: raw})
    except ReportError as exc:
        row.problem = str(exc)
        row.value = raw
    else:
        if result.ok:
            saved = True
            row.value = raw.strip()
        else:
            row.problem = result.problems[code]
            row.value = raw
    response = render(
        request,
        "reporting/_partials/field.html",
        {"row": row, "place": place, "editable": True, "saved": saved},
    )
    return response


@login_required
@require_POST
def submit(request: HttpRequest, data_set: str, period: str, unit: str) -> HttpResponse:
    user = acting_user(request)
    place = get_report_for_user(user, data_set, period, unit, Cap.ENTER_DATA)
    entries = {
        key.removeprefix("v-"): str(value)
        for key, value in request.POST.items()
        if key.startswith("v-")
    }
    try:
        outcome = do_submit_report(acting_user=user, place=place, entries=entries)
    except ReportError as exc:
        messages.error(request, str(exc))
        return redirect(_place_url(place))
    if not outcome.submitted:
        context = _form_context(user, place)
        context["findings"] = outcome.findings
        blocked = {code: f.message for f in outcome.findings if f.blocking for code in f.codes}
        typed = {code: entries.get(code, "") for code in blocked}
        for row in context["rows"]:
            if row.element.code in blocked:
                row.problem = blocked[row.element.code]
                if typed.get(row.element.code):
                    row.value = typed[row.element.code]
        context["submit_error"] = _("报表未通过校验，没有提交。请按提示改正后再提交。")
        return render(request, "reporting/form.html", context, status=400)
    findings = outcome.findings
    if findings:
        messages.warning(
            request, _("已提交。有 %(n)d 条提示，已一并转给审核人。") % {"n": len(findings)}
        )
    else:
        messages.success(request, _("已提交，等待乡镇（街道）审核。"))
    return redirect(_place_url(place))


@login_required
@require_POST
def review(request: HttpRequest, data_set: str, period: str, unit: str) -> HttpResponse:
    """Approve, or return with a reason."""
    user = acting_user(request)
    place = get_report_for_user(user, data_set, period, unit, Cap.APPROVE_DATA)
    decision = request.POST.get("decision")
    try:
        if decision == "approve":
            do_approve_report(acting_user=user, place=place)
            messages.success(request, _("已审核通过。"))
        elif decision == "return":
            form = ReturnForm(request.POST)
            if not form.is_valid():
                context = _form_context(user, place)
                context["return_form"] = form
                return render(request, "reporting/form.html", context, status=400)
            do_return_report(acting_user=user, place=place, reason=form.cleaned_data["reason"])
            messages.success(request, _("已退回，填报人会看到退回原因。"))
        else:
            messages.error(request, _("请选择审核通过或退回。"))
    except ReportError as exc:
        messages.error(request, str(exc))
    return redirect(_place_url(place))


@login_required
def history(request: HttpRequest, data_set: str, period: str, unit: str) -> HttpResponse:
    user = acting_user(request)
    place = get_report_for_user(user, data_set, period, unit)
    changes = list(selectors.history_of(place.unit, place.period, place.data_set)[:200])
    return render(
        request,
        "reporting/history.html",
        {"place": place, "changes": changes, "nav_active": NAV_ENTRY},
    )


# -- the completeness board ---------------------------------------------------------------


def _board_place(request: HttpRequest) -> tuple[DataSet, Any, Any]:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    data_sets = list(DataSet.objects.order_by("code"))
    if not data_sets:
        raise Http404(_("还没有定义报表。"))
    code = request.GET.get("data_set") or data_sets[0].code
    data_set = get_data_set(code)
    unit_code = request.GET.get("unit") or (user.home_unit.code if user.home_unit else "")
    unit = get_unit_for_user(user, unit_code)
    period_id = request.GET.get("period")
    if period_id:
        period = parse_period_for(data_set, period_id)
    else:
        recent = selectors.recent_periods(data_set, 1)
        if not recent:
            raise Http404(_("还没有可以报送的报告期。"))
        period = recent[0]
    return data_set, unit, period


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Which units reported, on time, late, missing; with the people to remind."""
    user = acting_user(request)
    data_set, unit, period = _board_place(request)
    result = selectors.build_board(data_set, unit, period)
    context = {
        "board": result,
        "data_sets": DataSet.objects.order_by("code"),
        "periods": selectors.recent_periods(data_set, 24),
        "labels": selectors.STATUS_LABELS,
        "can_lock": has_capability(user, Cap.LOCK_PERIODS),
        "lock_form": LockForm(),
        "reopen_form": ReopenForm(),
        "crumbs": _crumbs(user, unit),
        "nav_active": NAV_BOARD,
    }
    template = (
        "reporting/_partials/board_table.html" if is_htmx(request) else "reporting/board.html"
    )
    return render(request, template, context)


def _crumbs(user: Any, unit: Any) -> list[Any]:
    from renkou.orgunits.selectors import ancestors_within

    home = user.home_unit
    return ancestors_within(unit, home.path) if home is not None else []


@login_required
@require_POST
def lock(request: HttpRequest, data_set: str, period: str, unit: str) -> HttpResponse:
    """The county locks (accepts) or reopens a period for its whole subtree."""
    user = acting_user(request)
    lock_unit = get_lock_unit_for_user(user, unit)
    data_set_obj = get_data_set(data_set)
    period_obj = parse_period_for(data_set_obj, period)
    url = (
        reverse("reporting:board")
        + f"?data_set={data_set_obj.code}&period={period_obj.id}&unit={lock_unit.code}"
    )
    try:
        if request.POST.get("decision") == "reopen":
            form = ReopenForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("重新开放报告期时请写明原因。"))
                return redirect(url)
            do_reopen_period(
                acting_user=user,
                data_set=data_set_obj,
                unit=lock_unit,
                period=period_obj,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("已重新开放该报告期。"))
        else:
            form_lock = LockForm(request.POST)
            reason = form_lock.cleaned_data["reason"] if form_lock.is_valid() else ""
            result = do_lock_period(
                acting_user=user,
                data_set=data_set_obj,
                unit=lock_unit,
                period=period_obj,
                reason=reason,
            )
            messages.success(
                request,
                _("已锁定。%(accepted)d 份报表验收通过；%(other)d 份未经审核，已一并锁定。")
                % {"accepted": result.accepted, "other": result.not_approved},
            )
    except ReportError as exc:
        messages.error(request, str(exc))
    return redirect(url)
