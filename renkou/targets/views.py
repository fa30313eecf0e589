"""Target pages: the progress board, a unit's targets and charts, setting,
history, cascading and the Excel round trip."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from renkou.accounts.access import Cap, has_capability, in_scope, require
from renkou.accounts.models import User
from renkou.http import acting_user
from renkou.orgunits.models import Level, OrgUnit
from renkou.targets import excel_io
from renkou.targets.access import (
    TargetError,
    get_target_for_user,
    get_unit_for_user,
    may_set_for,
)
from renkou.targets.actions import do_cascade_target, do_set_target, plan_cascade
from renkou.targets.board import build_board, code_sort_key
from renkou.targets.forms import (
    CascadeForm,
    ConfirmForm,
    TargetForm,
    UploadForm,
    YearForm,
    parse_adjustments,
)
from renkou.targets.models import Target, TargetKind
from renkou.targets.progress import progress_for
from renkou.targets.selectors import history, targets_for, targets_of_unit

NAV = "targets"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    form = YearForm(request.GET or None)
    if form.is_valid() and form.cleaned_data.get("year"):
        return int(form.cleaned_data["year"])
    return timezone.localdate().year


def _home(user: User) -> OrgUnit:
    if user.home_unit is None:
        raise PermissionDenied(_("您的账号没有所属单位。"))
    return user.home_unit


def _ancestors_in_scope(user: User, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors the user may see, for the breadcrumbs."""
    codes = unit.ancestor_codes
    found = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found and in_scope(user, found[c])]


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """Every unit below the chosen one × every target, coloured by progress."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    year = _year(request)
    code = request.GET.get("unit", "")[:12]
    root = get_unit_for_user(user, code) if code else _home(user)
    if root.level >= Level.VILLAGE:
        return redirect(f"{reverse('targets:unit', args=[root.code])}?year={year}")
    today = timezone.localdate()
    context: dict[str, Any] = {
        "nav_active": NAV,
        "board": build_board(root, year, today),
        "year": year,
        "years": [year - 1, year, year + 1],
        "crumbs": _ancestors_in_scope(user, root),
        "can_set": has_capability(user, Cap.SET_TARGETS),
        "may_set_children": any(
            may_set_for(user, c) for c in OrgUnit.objects.filter(parent=root)[:1]
        ),
    }
    return render(request, "targets/board.html", context)


@login_required
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    """A unit's targets with their progress, trend charts and links to edit."""
    user = acting_user(request)
    unit = get_unit_for_user(user, code)
    year = _year(request)
    targets = targets_for(year, [unit.pk])
    progress = progress_for(year, targets, timezone.localdate()).get(unit.pk, {})
    rows = sorted(progress.values(), key=lambda p: code_sort_key(p.code))
    charts = [
        {
            "id": f"chart-{p.code}",
            "title": p.name,
            "unit": p.unit,
            "kind": p.target.kind,
            "actual": p.actual_line,
            "target": p.target_line,
            "band": p.band_line,
            "months": [f"{m}月" for m in range(1, 13)],
        }
        for p in rows
    ]
    context = {
        "nav_active": NAV,
        "unit": unit,
        "year": year,
        "years": [year - 1, year, year + 1],
        "rows": rows,
        "charts": charts,
        "crumbs": _ancestors_in_scope(user, unit),
        "may_set": may_set_for(user, unit),
        "has_children": OrgUnit.objects.filter(parent=unit).exists(),
        "can_set": has_capability(user, Cap.SET_TARGETS),
        "may_set_children": any(
            may_set_for(user, c) for c in OrgUnit.objects.filter(parent=unit)[:1]
        ),
        "today": timezone.localdate(),
    }
    return render(request, "targets/unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request: HttpRequest, code: str) -> HttpResponse:
    """Set a target of a unit (a new one, or a new version of an existing one)."""
    user = acting_user(request)
    unit = get_unit_for_user(user, code, write=True)
    year = _year(request)
    initial = {"code": request.GET.get("code", "births")}
    form = TargetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = do_set_target(
                acting_user=user,
                orgunit=unit,
                year=year,
                code=data["code"],
                kind=data["kind"],
                direction=data["direction"],
                value=data["value"],
                low=data["low"],
                high=data["high"],
                basis=data["basis"],
                reason=data["reason"],
            )
        except TargetError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("目标已保存（第%(v)s版）。") % {"v": target.version})
            return redirect("targets:target", target.pk)
    context = {
        "nav_active": NAV,
        "unit": unit,
        "year": year,
        "form": form,
        "existing": targets_of_unit(year, unit.pk),
        "crumbs": _ancestors_in_scope(user, unit),
    }
    return render(request, "targets/target_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A target, its history and (for those who may) a form to change it."""
    user = acting_user(request)
    target = get_target_for_user(user, pk)
    may_set = may_set_for(user, target.orgunit)
    form: TargetForm | None = None
    if may_set:
        initial = {
            "code": target.code,
            "kind": target.kind,
            "direction": target.direction,
            "value": target.value,
            "low": target.low,
            "high": target.high,
            "basis": target.basis,
        }
        form = TargetForm(request.POST or None, initial=initial)
        form.fields["code"].disabled = True
    elif request.method == "POST":
        raise PermissionDenied(_("本单位的目标由上级设定，您只能查看。"))
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            changed = do_set_target(
                acting_user=user,
                orgunit=target.orgunit,
                year=target.year,
                code=target.code,
                kind=data["kind"],
                direction=data["direction"],
                value=data["value"],
                low=data["low"],
                high=data["high"],
                basis=data["basis"],
                reason=data["reason"],
            )
        except TargetError as exc:
            form.add_error(None, exc.message)
        else:
            if changed.version == target.version:
                messages.info(request, _("目标没有变化。"))
            else:
                messages.success(request, _("目标已保存（第%(v)s版）。") % {"v": changed.version})
            return redirect("targets:target", target.pk)
    children = OrgUnit.objects.filter(parent=target.orgunit)
    context = {
        "nav_active": NAV,
        "target": target,
        "unit": target.orgunit,
        "versions": history(target),
        "parts": target.parts.select_related("orgunit").order_by("orgunit__path"),
        "form": form,
        "may_cascade": has_capability(user, Cap.SET_TARGETS)
        and any(may_set_for(user, c) for c in children[:1]),
        "crumbs": _ancestors_in_scope(user, target.orgunit),
    }
    return render(request, "targets/target_detail.html", context)


def _get_cascadable(user: User, pk: int) -> Target:
    require(user, Cap.SET_TARGETS)
    target = get_target_for_user(user, pk)
    child = OrgUnit.objects.filter(parent=target.orgunit).first()
    if child is not None and not may_set_for(user, child):
        raise PermissionDenied(_("您无权设定下级单位的目标。"))
    return target


@login_required
@require_http_methods(["GET", "POST"])
def cascade(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose a basis, preview the split with its sum, confirm."""
    user = acting_user(request)
    target = _get_cascadable(user, pk)
    data = request.POST if request.method == "POST" else request.GET
    form = CascadeForm(data or None)
    children_ids = list(OrgUnit.objects.filter(parent=target.orgunit).values_list("pk", flat=True))
    adjustments, adj_problems = parse_adjustments(data, children_ids)
    plan = None
    problem = ""
    if form.is_valid():
        if adj_problems:
            problem = adj_problems[0]
        else:
            try:
                plan = plan_cascade(target, form.cleaned_data["basis"], adjustments)
            except TargetError as exc:
                problem = exc.message
    if request.method == "POST" and plan is not None and form.is_valid():
        try:
            changed = do_cascade_target(
                acting_user=user,
                target=target,
                basis=form.cleaned_data["basis"],
                adjustments=adjustments,
                reason=form.cleaned_data["reason"],
            )
        except TargetError as exc:
            problem = exc.message
        else:
            messages.success(
                request,
                _("已分解到%(n)s个下级单位（%(c)s个有变化）。")
                % {"n": len(plan.rows), "c": len(changed)},
            )
            return redirect("targets:target", target.pk)
    rows = []
    if plan is not None:
        current = targets_for(target.year, children_ids)
        for child, row in zip(plan.children, plan.rows, strict=True):
            old = current.get(child.pk, {}).get(target.code)
            rows.append(
                {
                    "unit": child,
                    "row": row,
                    "weight": plan.weights.get(child.pk),
                    "old": old,
                    "adjustment": adjustments.get(child.pk, ""),
                }
            )
    context = {
        "nav_active": NAV,
        "target": target,
        "unit": target.orgunit,
        "form": form,
        "plan": plan,
        "rows": rows,
        "problem": problem,
        "is_rate": target.kind == TargetKind.RATE,
        "crumbs": _ancestors_in_scope(user, target.orgunit),
    }
    return render(request, "targets/cascade.html", context)


def _download(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def excel_template(request: HttpRequest, code: str) -> HttpResponse:
    """The Excel template of a unit's (and its children's) targets for a year."""
    user = acting_user(request)
    unit = get_unit_for_user(user, code)
    require(user, Cap.SET_TARGETS)
    year = _year(request)
    units = excel_io.template_units(user, unit)
    if not units:
        raise PermissionDenied(_("您无权设定该单位及其下级单位的目标。"))
    content = excel_io.build(year, unit, units)
    return _download(content, f"{unit.name}{year}年目标.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def excel_upload(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.SET_TARGETS)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        staged = excel_io.stage(user, form.cleaned_data["file"])
        return redirect("targets:excel_preview", staged.key)
    home = _home(user)
    return render(
        request,
        "targets/excel_upload.html",
        {"nav_active": NAV, "form": form, "unit": home, "year": _year(request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def excel_preview(request: HttpRequest, key: str) -> HttpResponse:
    """What the upload would change, or its problems by row and column; confirm writes."""
    user = acting_user(request)
    require(user, Cap.SET_TARGETS)
    staged = excel_io.get_staged(user, key)
    preview = excel_io.check(user, staged.path)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and preview.ok:
        try:
            written = excel_io.confirm(user, staged, form.cleaned_data["reason"])
        except TargetError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已导入%(n)s项目标。") % {"n": len(written)})
            query = urlencode({"year": preview.year})
            return redirect(f"{reverse('targets:unit', args=[preview.scope_code])}?{query}")
    return render(
        request,
        "targets/excel_preview.html",
        {"nav_active": NAV, "preview": preview, "staged": staged, "form": form},
    )


@login_required
def excel_marked(request: HttpRequest, key: str) -> HttpResponse:
    """The upload with every bad cell marked red and commented with its reason."""
    user = acting_user(request)
    require(user, Cap.SET_TARGETS)
    staged = excel_io.get_staged(user, key)
    preview = excel_io.check(user, staged.path)
    return _download(excel_io.marked(staged.path, preview), "目标导入问题标注.xlsx")
