"""Pages of schemes, facts, runs and results."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, in_scope, require, scope_q
from renkou.assessment import actions, selectors
from renkou.assessment.access import (
    AssessmentError,
    get_run_for_user,
    get_run_unit_for_user,
    get_scheme_for_user,
    get_unit_for_fact,
    may_run,
    may_see_league,
)
from renkou.assessment.forms_core import FactForm, SchemeReplaceForm, SchemeUploadForm
from renkou.assessment.models import Fact, RunStatus, RunUnit, SchemeStatus
from renkou.assessment.review_context import run_panel, unit_panel
from renkou.assessment.schemes_io import parse_upload, to_yaml
from renkou.http import acting_user, is_htmx, search_text
from renkou.orgunits.models import Level
from renkou.scoring import SchemeError
from renkou.supervision.files import UploadRejected, check_upload

NAV = "assessment"
RUNNING = (RunStatus.QUEUED, RunStatus.RUNNING)
LEAGUE_PAGE = 100


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    if not raw:
        return None
    try:
        year = int(raw)
    except ValueError:
        return None
    return year if 2000 <= year <= 2100 else None


def _problems(error: SchemeError) -> list[tuple[str, str]]:
    return [(path, message) for path, message in error.problems]


# --- home and schemes ----------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    year = _year(request)
    schemes = list(selectors.schemes_for(user, year=year))
    runs = list(selectors.runs_for(user, year=year)[:50])
    years = sorted(
        {s.year for s in selectors.schemes_for(user)} | {r.year for r in runs}, reverse=True
    )
    return render(
        request,
        "assessment/home.html",
        {
            "nav_active": NAV,
            "schemes": schemes,
            "runs": runs,
            "year": year,
            "years": years,
            "may_manage": has_capability(user, Cap.MANAGE_SCHEMES),
            "may_run": has_capability(user, Cap.RUN_ASSESSMENT),
        },
    )


@login_required
def scheme_new(request: HttpRequest) -> HttpResponse:
    """Upload a YAML, JSON or Excel scheme: every problem listed, nothing stored unless valid."""
    user = acting_user(request)
    require(user, Cap.MANAGE_SCHEMES)
    owner = user.home_unit
    if owner is None:
        raise Http404(_("您的账号还没有所属单位，请联系系统管理员。"))
    form = SchemeUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"nav_active": NAV, "form": form, "owner": owner}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        level = form.cleaned_data["level"]
        if level <= owner.level:
            form.add_error("level", _("只能考核本单位下级的单位。"))
            return render(request, "assessment/scheme_new.html", context, status=400)
        try:
            data, source = parse_upload(upload.name or "", upload.read())
            scheme = actions.do_create_scheme(
                acting_user=user,
                owner=owner,
                year=form.cleaned_data["year"],
                level=level,
                data=data,
                source=source,
            )
        except SchemeError as error:
            context["problems"] = _problems(error)
            return render(request, "assessment/scheme_new.html", context, status=400)
        except AssessmentError as error:
            context["problems"] = [("", error.message)]
            return render(request, "assessment/scheme_new.html", context, status=400)
        messages.success(request, _("方案已导入为草稿（第1版），请核对后启用。"))
        return redirect("assessment:scheme", pk=scheme.pk)
    return render(request, "assessment/scheme_new.html", context)


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    scheme = get_scheme_for_user(user, pk)
    writable = has_capability(user, Cap.MANAGE_SCHEMES) and in_scope(user, scheme.owner)
    runs = list(selectors.runs_for(user).filter(scheme=scheme).order_by("-created_at")[:20])
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "nav_active": NAV,
            "scheme": scheme,
            "data": scheme.data,
            "items": scheme.data.get("items") or [],
            "writable": writable and scheme.status != SchemeStatus.RETIRED,
            "may_run": may_run(user, scheme) and scheme.status == SchemeStatus.ACTIVE,
            "runs": runs,
            "replace_form": SchemeReplaceForm(),
            "source": scheme.source or to_yaml(scheme.data),
        },
    )


@login_required
def scheme_replace(request: HttpRequest, pk: int) -> HttpResponse:
    """A new version from an uploaded file."""
    user = acting_user(request)
    scheme = get_scheme_for_user(user, pk, write=True)
    form = SchemeReplaceForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"nav_active": NAV, "scheme": scheme, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            data, source = parse_upload(upload.name or "", upload.read())
            actions.do_update_scheme(acting_user=user, scheme=scheme, data=data, source=source)
        except SchemeError as error:
            context["problems"] = _problems(error)
            return render(request, "assessment/scheme_replace.html", context, status=400)
        except AssessmentError as error:
            context["problems"] = [("", error.message)]
            return render(request, "assessment/scheme_replace.html", context, status=400)
        messages.success(request, _("方案已更新为第%(v)s版。") % {"v": scheme.version})
        return redirect("assessment:scheme", pk=scheme.pk)
    return render(request, "assessment/scheme_replace.html", context)


@login_required
def scheme_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    user = acting_user(request)
    scheme = get_scheme_for_user(user, pk)
    name = f"{scheme.code}-v{scheme.version}"
    if fmt == "yaml":
        response = HttpResponse(
            scheme.source or to_yaml(scheme.data), content_type="application/x-yaml; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
        return response
    if fmt == "xlsx":
        from renkou.assessment.schemes_excel import write_workbook

        response = HttpResponse(
            write_workbook(scheme.data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    raise Http404(_("没有这种格式。"))


@login_required
def scheme_template(request: HttpRequest) -> HttpResponse:
    """The Excel layout with its instructions sheet and an example scheme."""
    require(acting_user(request), Cap.MANAGE_SCHEMES)
    from renkou.assessment.schemes_excel import EXAMPLE, write_workbook

    response = HttpResponse(
        write_workbook(EXAMPLE),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="scheme-template.xlsx"'
    return response


@login_required
@require_POST
def scheme_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    scheme = get_scheme_for_user(user, pk, write=True)
    try:
        actions.do_set_scheme_status(
            acting_user=user, scheme=scheme, status=request.POST.get("status", "")
        )
    except AssessmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("方案状态已改为“%(s)s”。") % {"s": scheme.get_status_display()})
    return redirect("assessment:scheme", pk=scheme.pk)


@login_required
@require_POST
def run_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.RUN_ASSESSMENT)
    scheme = get_scheme_for_user(user, pk)
    if not may_run(user, scheme):
        raise PermissionDenied(_("该方案由上级单位制定，您不能用它组织考核。"))
    if scheme.status != SchemeStatus.ACTIVE:
        messages.error(request, _("请先启用方案，再组织考核。"))
        return redirect("assessment:scheme", pk=scheme.pk)
    try:
        run = actions.do_start_run(acting_user=user, scheme=scheme)
    except AssessmentError as error:
        messages.error(request, error.message)
        return redirect("assessment:scheme", pk=scheme.pk)
    return redirect("assessment:run", pk=run.pk)


# --- facts ---------------------------------------------------------------------------


@login_required
def facts(request: HttpRequest) -> HttpResponse:
    """Assessor-entered facts of a year, and the form to enter one."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    year = _year(request)
    writable = has_capability(user, Cap.RUN_ASSESSMENT)
    form = FactForm(request.POST or None, request.FILES or None, initial={"year": year})
    status = 200
    if request.method == "POST":
        require(user, Cap.RUN_ASSESSMENT)
        if form.is_valid():
            unit = get_unit_for_fact(user, form.cleaned_data["unit"].strip())
            evidence = form.cleaned_data.get("evidence")
            if evidence is not None:
                try:
                    checked = check_upload(evidence)
                except UploadRejected as error:
                    form.add_error("evidence", str(error))
                    evidence = None
                else:
                    evidence.name = f"fact-{uuid.uuid4().hex}{checked.extension}"
            if not form.errors:
                try:
                    fact = actions.do_record_fact(
                        acting_user=user,
                        orgunit=unit,
                        year=form.cleaned_data["year"],
                        code=form.cleaned_data["code"],
                        value=form.cleaned_data["value"],
                        note=form.cleaned_data["note"],
                        evidence=evidence,
                    )
                except AssessmentError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(
                        request,
                        _("已记录：%(unit)s %(code)s") % {"unit": unit.name, "code": fact.code},
                    )
                    return redirect(f"{request.path}?year={fact.year}")
        status = 400
    listed = Fact.objects.filter(scope_q(user, "orgunit__")).select_related("orgunit", "entered_by")
    if year is not None:
        listed = listed.filter(year=year)
    return render(
        request,
        "assessment/facts.html",
        {
            "nav_active": NAV,
            "facts": listed.order_by("-year", "orgunit__path", "code")[:500],
            "form": form,
            "writable": writable,
            "year": year,
        },
        status=status,
    )


@login_required
def fact_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    from renkou.assessment.access import get_fact_for_user

    fact = get_fact_for_user(acting_user(request), pk)
    if not fact.evidence:
        raise Http404(_("没有佐证材料。"))
    from django.http import FileResponse

    return FileResponse(fact.evidence.open("rb"), as_attachment=True)


# --- runs ----------------------------------------------------------------------------


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    year = _year(request)
    listed = selectors.runs_for(user, year=year)[:200]
    return render(
        request, "assessment/runs.html", {"nav_active": NAV, "runs": listed, "year": year}
    )


def _league_filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "class_code": search_text(request.GET.get("class")),
        "grade": search_text(request.GET.get("grade")),
        "query": search_text(request.GET.get("q")),
        "vetoed": request.GET.get("vetoed") == "1",
        "order": "class" if request.GET.get("order") == "class" else "rank",
    }


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run = get_run_for_user(user, pk)
    context: dict[str, Any] = {"nav_active": NAV, "run": run, "running": run.status in RUNNING}
    if is_htmx(request) and request.GET.get("part") == "progress":
        if run.status in RUNNING:
            return render(request, "assessment/_partials/run_progress.html", context)
        # Finished: the whole page reloads to show the results.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    if run.status not in RUNNING and run.status != RunStatus.FAILED:
        filters = _league_filters(request)
        table = selectors.league(run, **filters, page=request.GET.get("page"), per_page=LEAGUE_PAGE)
        query = urlencode({k: v for k, v in request.GET.items() if k not in ("page", "part") and v})
        context.update(
            {
                "league": table,
                "filters": filters,
                "page": table.page,
                "query": query,
                "histogram": selectors.histogram(table.totals),
                "changes": selectors.rank_changes(table.rows),
                "level_name": Level(run.scheme.level).label,
            }
        )
        if is_htmx(request) and request.GET.get("part") == "table":
            return render(request, "assessment/_partials/league_table.html", context)
    context.update(run_panel(request, run))
    return render(request, "assessment/run_detail.html", context)


@login_required
def run_league_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from renkou.assessment.excel import league_workbook

    user = acting_user(request)
    run = get_run_for_user(user, pk)
    if run.status in RUNNING or run.status == RunStatus.FAILED:
        raise Http404(_("该考核还没有结果。"))
    table = selectors.league(run, **_league_filters(request))
    response = HttpResponse(
        league_workbook(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="assessment-{run.year}-{run.pk}.xlsx"'
    return response


@login_required
def unit_result(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run_unit = get_run_unit_for_user(user, pk)
    run = run_unit.run
    previous = selectors.previous_unit(run_unit)
    items, bonuses = selectors.unit_lines(run_unit, previous)
    grades = selectors.Grades.of(run.scheme_data)
    vetoes = {str(v.get("code")): v.get("name") for v in run.scheme_data.get("vetoes") or []}
    ceilings = {str(c.get("code")): c.get("name") for c in run.scheme_data.get("ceilings") or []}
    result = run_unit.result or {}
    siblings = RunUnit.objects.filter(run=run).count()
    context: dict[str, Any] = {
        "nav_active": NAV,
        "run": run,
        "ru": run_unit,
        "items": items,
        "bonuses": bonuses,
        "result": result,
        "grade_css": grades.css(run_unit.grade),
        "vetoes": [vetoes.get(code, code) for code in result.get("vetoes") or []],
        "ceiling": ceilings.get(str(result.get("ceiling"))) if result.get("ceiling") else None,
        "previous": previous,
        "units_count": siblings,
        "adjusted": run_unit.raw_total is not None and run_unit.total != run_unit.raw_total,
        "league_visible": may_see_league(user, run),
        "radar": {
            "labels": [line.name for line in items if line.share is not None],
            "values": [line.share for line in items if line.share is not None],
        },
    }
    context.update(unit_panel(request, run_unit))
    return render(request, "assessment/unit_result.html", context)
