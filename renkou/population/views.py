"""Pages of the target-setting assistant: suggestions, a unit's pyramids, back-testing, import."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, require, scope_q
from renkou.http import acting_user
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.population import assistant
from renkou.population.access import (
    PopulationError,
    get_scope_for_user,
    get_unit_for_user,
)
from renkou.population.actions import StructureRow, do_import_population_structures
from renkou.population.excel import (
    ParsedUpload,
    TemplateRow,
    build_template,
    read_upload,
)
from renkou.population.models import GROUP_LABELS, PopulationStructure
from renkou.population.selectors import years_with_data
from renkou.reporting.excel import CellProblem, ExcelFileError

NAV = "population"
MIN_YEAR, MAX_YEAR = 2000, 2100
BACKTEST_YEAR = 2025


def _year(raw: str | None, default: int) -> int:
    try:
        year = int(raw or default)
    except ValueError:
        return default
    return year if MIN_YEAR <= year <= MAX_YEAR else default


def _default_year(scope: OrgUnit) -> int:
    years = years_with_data([scope.pk])
    return (years[-1] if years else BACKTEST_YEAR) + 1


def _base(user: Any, scope_code: str, tab: str, **extra: Any) -> dict[str, Any]:
    return {
        "nav_active": NAV,
        "scope_code": scope_code,
        "pp_tab": tab,
        "can_import": has_capability(user, Cap.ENTER_DATA),
        **extra,
    }


def _chart(suggestion: assistant.Suggestion) -> dict[str, Any]:
    return {
        "groups": list(GROUP_LABELS),
        "male": suggestion.pyramid_start[0],
        "female": suggestion.pyramid_start[1],
        "male_end": suggestion.pyramid_end[0],
        "female_end": suggestion.pyramid_end[1],
    }


def _may_accept(request_user: Any, unit_id: int, units: dict[int, OrgUnit]) -> bool:
    from renkou.targets.access import may_set_for

    unit = units.get(unit_id)
    return unit is not None and may_set_for(request_user, unit)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The assistant: the scope's units with their suggested targets and bases."""
    user = acting_user(request)
    scope = get_scope_for_user(user, request.GET.get("scope"))
    year = _year(request.GET.get("year"), _default_year(scope))
    context = _base(user, scope.code, "home", scope=scope, year=year)
    try:
        result = assistant.run(scope, year)
    except PopulationError as error:
        context["error"] = error.message
        return render(request, "population/home.html", context)
    own = result.for_unit(scope.pk)
    rows = result.children(scope) or ([own] if own else [])
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[r.unit.id for r in rows])}
    can_set = has_capability(user, Cap.SET_TARGETS)
    acceptable = [r for r in rows if can_set and _may_accept(user, r.unit.id, units)]
    crumbs = []
    if scope.level > Level.COUNTY:
        crumbs = list(
            OrgUnit.objects.filter(
                scope_q(user), code__in=scope.ancestor_codes, level__gte=Level.COUNTY
            ).order_by("level")
        )
    townships = []
    if scope.level == Level.COUNTY:
        townships = [r.unit for r in rows]
    context.update(
        {
            "result": result,
            "own": own,
            "rows": rows,
            "acceptable_ids": {r.unit.id for r in acceptable},
            "can_accept_all": bool(acceptable),
            "crumbs": crumbs,
            "townships": townships,
            "years": [y + 1 for y in years_with_data([result.county.id])],
            "chart": _chart(own) if own else None,
        }
    )
    return render(request, "population/home.html", context)


@login_required
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    """One unit: its pyramid now and a year on, its suggestions against last year's figures."""
    user = acting_user(request)
    unit = get_unit_for_user(user, code)
    year = _year(request.GET.get("year"), _default_year(unit))
    scope_code = (
        unit.code if unit.level < Level.VILLAGE or unit.parent is None else unit.parent.code
    )
    context = _base(user, scope_code, "", unit=unit, year=year)
    try:
        result = assistant.run(unit, year)
    except PopulationError as error:
        context["error"] = error.message
        return render(request, "population/unit.html", context)
    suggestion = result.for_unit(unit.pk)
    if suggestion is None:
        context["error"] = _("该单位及其下级都没有%(year)s年末的人口结构，无法测算。") % {
            "year": year - 1
        }
        return render(request, "population/unit.html", context)
    last = suggestion.last
    comparison = [
        {
            "label": _("出生人数"),
            "suggested": f"{suggestion.births:.1f}",
            "range": f"{suggestion.births_80[0]}–{suggestion.births_80[1]}",
            "last": _fmt(last.births, 0),
            "basis": suggestion.basis["births"],
        },
        {
            "label": _("死亡人数"),
            "suggested": f"{suggestion.deaths:.1f}",
            "range": f"{suggestion.deaths_80[0]}–{suggestion.deaths_80[1]}",
            "last": _fmt(last.deaths, 0),
            "basis": suggestion.basis["deaths"],
        },
        {
            "label": _("自然增长率（‰）"),
            "suggested": f"{suggestion.ngr:.2f}",
            "range": "",
            "last": _fmt(last.ngr, 2),
            "basis": suggestion.basis["ngr"],
        },
        {
            "label": _("出生人口性别比"),
            "suggested": f"{suggestion.srb_low:.0f}–{suggestion.srb_high:.0f}",
            "range": "",
            "last": _srb_text(last),
            "basis": suggestion.basis["srb"],
        },
        {
            "label": _("育龄妇女（15–49岁）"),
            "suggested": f"{suggestion.women_15_49:.0f}",
            "range": "",
            "last": f"{suggestion.women_15_49_start:.0f}",
            "basis": suggestion.basis["women_15_49"],
        },
        {
            "label": _("3岁以下儿童"),
            "suggested": f"{suggestion.under_3:.0f}",
            "range": "",
            "last": "",
            "basis": suggestion.basis["under_3"],
        },
    ]
    context.update(
        {
            "result": result,
            "s": suggestion,
            "chart": _chart(suggestion),
            "comparison": comparison,
        }
    )
    return render(request, "population/unit.html", context)


def _fmt(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _srb_text(last: assistant.Actuals) -> str:
    if last.male_births is None or last.female_births is None:
        return ""
    text = f"{last.srb:.1f}" if last.srb is not None else "—"
    if last.srb_low is not None:
        high = f"{last.srb_high:.0f}" if last.srb_high is not None else "∞"
        text += _("（95%%区间 %(low)s–%(high)s）") % {"low": f"{last.srb_low:.0f}", "high": high}
    return text


@login_required
@require_POST
def accept(request: HttpRequest) -> HttpResponse:
    """Accept the suggestions of one unit, or of every unit below the scope, into targets."""
    from renkou.targets.access import TargetError
    from renkou.targets.actions import do_set_targets
    from renkou.targets.models import TargetSource

    user = acting_user(request)
    scope = get_scope_for_user(user, request.POST.get("scope"), accept=True)
    year = _year(request.POST.get("year"), _default_year(scope))
    back = reverse("population:home") + f"?scope={scope.code}&year={year}"
    try:
        result = assistant.run(scope, year)
    except PopulationError as error:
        messages.error(request, error.message)
        return redirect(back)
    unit_code = request.POST.get("unit", "")
    chosen = result.children(scope)
    if unit_code:
        chosen = [s for s in chosen if s.unit.code == unit_code]
        if not chosen:
            raise Http404(_("该单位不在本次测算范围内。"))
    from renkou.targets.access import may_set_for

    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[s.unit.id for s in chosen])}
    allowed = [s for s in chosen if s.unit.id in units and may_set_for(user, units[s.unit.id])]
    if not allowed:
        require(user, Cap.SET_TARGETS)
        messages.error(request, _("没有您可以设定目标的单位。"))
        return redirect(back)
    rows = [row for s in allowed for row in assistant.target_rows(s)]
    reason = request.POST.get("reason", "").strip()[:500]
    try:
        changed = do_set_targets(
            acting_user=user, year=year, rows=rows, source=TargetSource.SUGGESTED, reason=reason
        )
    except TargetError as error:
        messages.error(request, error.message)
        return redirect(back)
    messages.success(
        request,
        _("已采纳%(units)s个单位的测算建议，写入%(count)s项目标（来源：测算建议）。")
        % {"units": len(allowed), "count": len(changed)},
    )
    return redirect(back)


@login_required
def backtest(request: HttpRequest) -> HttpResponse:
    """The suggestions for a past year beside what happened: an honest calibration figure."""
    user = acting_user(request)
    scope = get_scope_for_user(user, request.GET.get("scope"))
    year = _year(request.GET.get("year"), BACKTEST_YEAR)
    context = _base(user, scope.code, "backtest", scope=scope, year=year)
    try:
        found = assistant.backtest(scope, year)
    except PopulationError as error:
        context["error"] = error.message
        return render(request, "population/backtest.html", context)
    inside = [r for r in found.rows if r.suggestion.unit.path.startswith(scope.path)]
    context.update(
        {
            "bt": found,
            "rows": inside,
            "townships": [
                r for r in found.townships if r.suggestion.unit.path.startswith(scope.path)
            ],
            "share_80": _share(found.births_80.share),
            "share_95": _share(found.births_95.share),
            "share_deaths": _share(found.deaths_80.share),
        }
    )
    return render(request, "population/backtest.html", context)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


# --- Excel --------------------------------------------------------------------------


@login_required
def template(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    scope = get_unit_for_user(user, request.GET.get("scope") or _home_code(user), write=True)
    year = _year(request.GET.get("year"), BACKTEST_YEAR)
    units = list(
        OrgUnit.objects.filter(
            subtree_q(scope.path), level__in=[Level.TOWNSHIP, Level.VILLAGE], closed_on__isnull=True
        )
        .select_related("parent")
        .order_by("path")
    )
    stored = {
        s.orgunit_id: s for s in PopulationStructure.objects.filter(year=year, orgunit__in=units)
    }
    rows = [
        TemplateRow(
            u.code,
            u.name,
            u.parent.name if u.parent else "",
            stored[u.pk].male if u.pk in stored else None,
            stored[u.pk].female if u.pk in stored else None,
        )
        for u in units
    ]
    content = build_template(year, scope.code, scope.name, rows)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="population-{scope.code}-{year}.xlsx"'
    return response


def _home_code(user: Any) -> str:
    return user.home_unit.code if user.home_unit else ""


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a filled template: every row is checked; anything wrong and nothing is written."""
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    scope = get_unit_for_user(user, request.GET.get("scope") or _home_code(user), write=True)
    year = _year(request.GET.get("year"), BACKTEST_YEAR)
    context = _base(user, scope.code, "import", scope=scope, year=year)
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = _("请选择要上传的 Excel 文件。")
        elif upload.size is not None and upload.size > settings.UPLOAD_MAX_BYTES:
            context["file_error"] = _("文件过大。")
        else:
            context.update(_check_and_write(request, user, scope, upload))
            if context.get("summary"):
                messages.success(request, context["summary"])
                return redirect(reverse("population:import") + f"?scope={scope.code}")
    return render(request, "population/import.html", context)


def _check_and_write(
    request: HttpRequest, user: Any, scope: OrgUnit, upload: Any
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        try:
            parsed = read_upload(Path(handle.name))
        except ExcelFileError as error:
            return {"file_error": str(error)}
    problems, rows = _resolve_units(user, scope, parsed)
    if problems:
        return {"problems": problems, "checked_rows": len(parsed.rows)}
    summary = do_import_population_structures(
        acting_user=user, year=parsed.year, rows=rows, scope=scope
    )
    return {
        "summary": _("%(year)s年人口结构已导入：%(summary)s。")
        % {"year": parsed.year, "summary": str(summary)}
    }


def _resolve_units(
    user: Any, scope: OrgUnit, parsed: ParsedUpload
) -> tuple[list[CellProblem], list[StructureRow]]:
    problems = list(parsed.problems)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        problems.append(CellProblem(0, "", "", _("模板中的年度无效，请重新下载模板。")))
    codes = [r.unit_code for r in parsed.rows]
    known = {
        u.code: u
        for u in OrgUnit.objects.filter(
            subtree_q(scope.path), code__in=codes, level__in=[Level.TOWNSHIP, Level.VILLAGE]
        ).filter(scope_q(user))
    }
    rows: list[StructureRow] = []
    for row in parsed.rows:
        unit = known.get(row.unit_code)
        if unit is None:
            problems.append(
                CellProblem(
                    row.row,
                    "A",
                    _("单位代码"),
                    _("单位代码“%(code)s”不存在，或不是%(scope)s下的乡镇、村。")
                    % {"code": row.unit_code[:20], "scope": scope.name},
                )
            )
            continue
        rows.append(StructureRow(unit.pk, row.male, row.female))
    problems.sort(key=lambda p: (p.row, p.column))
    return problems, rows
