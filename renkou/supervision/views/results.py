"""The supervision home, monthly rankings, the bulletin and the year's trend."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from renkou.accounts.access import Cap, has_capability, require
from renkou.http import acting_user
from renkou.orgunits.models import Level
from renkou.supervision import bulletin, selectors
from renkou.supervision.access import get_plan_for_user, is_planner
from renkou.supervision.forms import YearForm
from renkou.supervision.models import Plan, PlanStatus
from renkou.supervision.results import average, compute_results
from renkou.supervision.scoring import fmt

NAV = "supervision"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Where each role starts: the planner sees the month, the inspector the
    visits, the unit its results and tasks."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    context: dict[str, Any] = {
        "nav_active": NAV,
        "can_plan": has_capability(user, Cap.PLAN_SUPERVISION),
        "can_inspect": has_capability(user, Cap.INSPECT),
        "counts": selectors.task_counts(user),
        "to_acknowledge": selectors.awaiting_acknowledgement(user),
    }
    plans = list(selectors.plans_for(user)[:13])
    context["plans"] = plans
    context["current"] = next((p for p in plans if p.status != PlanStatus.CLOSED), None)
    context["last_closed"] = next((p for p in plans if p.status == PlanStatus.CLOSED), None)
    if context["can_inspect"]:
        context["assignments"] = [
            a
            for a in selectors.assignments_for(user)
            if not hasattr(a, "inspection") or a.inspection.is_draft
        ][:10]
    if user.home_unit is not None and user.home_unit.level >= Level.TOWNSHIP:
        context["my_result"] = selectors.latest_result_for(user.home_unit)
    overdue, overdue_total = selectors.overdue_tasks(user, limit=5)
    context["overdue"] = overdue
    context["overdue_total"] = overdue_total
    return render(request, "supervision/home.html", context)


@login_required
def plan_results(request: HttpRequest, pk: int) -> HttpResponse:
    """The month's ranking: published, or a preview while inspections come in."""
    user = acting_user(request)
    plan = get_plan_for_user(user, pk)
    published = plan.status == PlanStatus.CLOSED
    results = selectors.published_results(plan) if published else compute_results(plan)
    problems = selectors.main_problems(plan)
    for row in results:
        row.problems = problems.get(row.inspection_id, [])[:3]  # type: ignore[attr-defined]
    townships = [r for r in results if r.level == Level.TOWNSHIP]
    villages = [r for r in results if r.level == Level.VILLAGE]
    scores = [r.score for r in townships]
    chart = {
        "labels": [r.unit.name for r in townships],
        "values": [float(r.score) for r in townships],
        "bottom": [r.bottom for r in townships],
        "series": _("得分"),
    }
    return render(
        request,
        "supervision/results.html",
        {
            "plan": plan,
            "published": published,
            "townships": townships,
            "villages": villages,
            "bottom": [r for r in townships if r.bottom],
            # Villages are drawn at random, so "repeat offender" is a township matter.
            "repeat": [r for r in townships if r.repeat],
            "average": fmt(average(scores) or Decimal(0)) if scores else "",
            "chart": chart,
            "planner": is_planner(user, plan),
            "top_deductions": selectors.top_deductions(plan),
            "nav_active": NAV,
        },
    )


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _closed_plan(request: HttpRequest, pk: int) -> Plan | HttpResponse:
    plan = get_plan_for_user(acting_user(request), pk)
    if plan.status != PlanStatus.CLOSED:
        messages.error(request, _("本月结果发布后才能生成督查通报。"))
        return redirect("supervision:results", plan.pk)
    return plan


@login_required
def bulletin_file(request: HttpRequest, pk: int, fmt_name: str) -> HttpResponse:
    found = _closed_plan(request, pk)
    if isinstance(found, HttpResponse):
        return found
    plan = found
    name = f"{plan.root.name}{plan.year}年{plan.month}月督查通报"
    if fmt_name == "pdf":
        return _download(bulletin.render_pdf(plan), "application/pdf", name + ".pdf")
    if fmt_name == "xlsx":
        return _download(
            bulletin.render_xlsx(plan),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            name + ".xlsx",
        )
    raise Http404(_("不支持的格式。"))


@login_required
def year_results(request: HttpRequest) -> HttpResponse:
    """Monthly scores over a year, one row per unit, with the trend chart."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    form = YearForm(request.GET or None)
    year = selectors.today().year
    if form.is_valid() and form.cleaned_data.get("year"):
        year = form.cleaned_data["year"]
    level = Level.VILLAGE if request.GET.get("level") == "village" else Level.TOWNSHIP
    overview = selectors.year_overview(user, year, level)
    return render(
        request,
        "supervision/year.html",
        {
            "form": form,
            "year": year,
            "level": "village" if level == Level.VILLAGE else "township",
            "overview": overview,
            "month_labels": [f"{m}月" for m in overview["months"]],
            "nav_active": NAV,
        },
    )
