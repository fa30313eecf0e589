"""Excel pages: download a template, upload it back, preview, confirm."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, require
from renkou.catalog.models import DataSet
from renkou.http import acting_user
from renkou.reporting.access import get_unit_for_user
from renkou.reporting.excel import CellProblem, ExcelFileError, build_template, mark_workbook
from renkou.reporting.excel_flow import (
    check_upload,
    confirm_upload,
    discard,
    get_upload_for_user,
    save_record,
    stage_upload,
    template_for,
)
from renkou.reporting.forms import ExcelUploadForm, PlaceForm
from renkou.reporting.selectors import recent_periods

NAV = "reporting"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROBLEMS_PAGE = 100


def _attachment(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def excel_home(request: HttpRequest) -> HttpResponse:
    """Choose a template to download, or upload a filled one (which is checked, not written)."""
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    upload_form = ExcelUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and upload_form.is_valid():
        staged = stage_upload(user, upload_form.cleaned_data["upload"])
        try:
            preview = check_upload(user, staged.path)
        except ExcelFileError as exc:
            discard(staged)
            upload_form.add_error("upload", str(exc))
        else:
            staged.record["preview"] = preview.summary()
            save_record(staged)
            return redirect("reporting:excel_preview", key=staged.key)
    data_sets = list(DataSet.objects.order_by("code"))
    first = data_sets[0] if data_sets else None
    periods = recent_periods(first) if first else []
    place_form = PlaceForm(
        initial={
            "data_set": first.code if first else None,
            "period": periods[0].id if periods else "",
            "unit": user.home_unit.code if user.home_unit else "",
        }
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "reporting/excel.html",
        {
            "upload_form": upload_form,
            "place_form": place_form,
            "periods": periods,
            "nav_active": NAV,
        },
        status=status,
    )


@login_required
def template(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    form = PlaceForm(request.GET)
    if not form.is_valid():
        messages.error(
            request, "；".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return redirect("reporting:excel")
    unit_code = form.cleaned_data["unit"] or (user.home_unit.code if user.home_unit else "")
    scope = get_unit_for_user(user, unit_code, Cap.ENTER_DATA)
    data_set = form.cleaned_data["data_set"]
    period = form.cleaned_data["period_obj"]
    content = build_template(template_for(data_set, period, scope))
    return _attachment(content, f"{data_set.name}-{period.id}-{scope.name}.xlsx")


@login_required
def preview(request: HttpRequest, key: str) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    staged = get_upload_for_user(user, key)
    summary = staged.record.get("preview", {})
    problems = [CellProblem(**p) for p in summary.get("problems", [])]
    page = Paginator(problems, PROBLEMS_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/excel_preview.html",
        {"staged": staged, "summary": summary, "page": page, "nav_active": NAV},
    )


@login_required
def marked(request: HttpRequest, key: str) -> HttpResponse:
    """The uploaded workbook with every bad cell in red, commented with its reason."""
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    staged = get_upload_for_user(user, key)
    problems = [CellProblem(**p) for p in staged.record.get("preview", {}).get("problems", [])]
    stem = staged.name.rsplit(".", 1)[0] or "upload"
    return _attachment(mark_workbook(staged.path, problems), f"{stem}-问题已标红.xlsx")


@login_required
@require_POST
def confirm(request: HttpRequest, key: str) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    staged = get_upload_for_user(user, key)
    try:
        summary = confirm_upload(user, staged)
    except ExcelFileError as exc:
        messages.error(request, str(exc))
        return redirect("reporting:excel")
    discard(staged)
    if summary.changes:
        messages.success(request, _("已写入：%(text)s") % {"text": summary.text()})
    else:
        messages.info(request, _("没有需要写入的变化：文件中的数值与系统一致。"))
    return redirect("reporting:excel")
