"""Monthly plans: teams, units, dates, the village sample, publishing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, require
from renkou.http import acting_user
from renkou.supervision import actions, selectors
from renkou.supervision.access import (
    SupervisionError,
    get_plan_for_user,
    get_plan_unit_for_user,
    is_planner,
)
from renkou.supervision.forms import (
    AddUnitsForm,
    AssignForm,
    PlanForm,
    SampleForm,
    TeamForm,
)
from renkou.supervision.models import Plan, PlanStatus, Team
from renkou.supervision.views.common import done, form_errors, refused

NAV = "supervision"


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    plans = list(selectors.plans_for(user)[:60])
    return render(
        request,
        "supervision/plan_list.html",
        {
            "plans": plans,
            "can_plan": has_capability(user, Cap.PLAN_SUPERVISION),
            "nav_active": NAV,
        },
    )


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.PLAN_SUPERVISION)
    if user.home_unit is None:
        raise Http404(_("您的账号还没有所属单位，请联系系统管理员。"))
    today = selectors.today()
    latest = Plan.objects.filter(root=user.home_unit).order_by("-year", "-month").first()
    initial: dict[str, object] = {"year": today.year, "month": today.month}
    if latest is not None:
        initial.update(
            template=latest.template_id,
            village_template=latest.village_template_id,
            bottom_n=latest.bottom_n,
            repeat_consecutive=latest.repeat_consecutive,
            repeat_total=latest.repeat_total,
        )
        if (latest.year, latest.month) >= (today.year, today.month):
            nxt = latest.month_index + 1
            initial.update(year=nxt // 12, month=nxt % 12 + 1)
    form = PlanForm(
        request.POST or None,
        initial=initial,
        templates=selectors.published_templates(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = actions.do_create_plan(
                acting_user=user,
                root=user.home_unit,
                year=data["year"],
                month=data["month"],
                title=data["title"],
                template=data["template"],
                village_template=data["village_template"],
                bottom_n=data["bottom_n"],
                repeat_consecutive=data["repeat_consecutive"],
                repeat_total=data["repeat_total"],
                notes=data["notes"],
                include_townships=data["include_townships"],
                copy_teams_from=latest if data["copy_teams"] else None,
            )
        except SupervisionError as error:
            form.add_error(None, error.message)
        else:
            return done(request, _("已创建督查计划。"), "supervision:plan", plan.pk)
    return render(
        request,
        "supervision/plan_form.html",
        {"form": form, "title": _("新建月度督查计划"), "nav_active": NAV},
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk)
    planner = is_planner(user, plan)
    units = selectors.plan_units(plan)
    open_plan = plan.status != PlanStatus.CLOSED
    context: dict[str, object] = {
        "plan": plan,
        "units": units,
        "listed": [u for u in units if u.source == "listed"],
        "sampled": [u for u in units if u.source == "sampled"],
        "teams": selectors.teams_of(plan),
        "planner": planner,
        "editable": planner and open_plan,
        "draft": plan.status == PlanStatus.DRAFT,
        "sample_rows": selectors.sample_table(plan) if plan.sample_seed is not None else [],
        "nav_active": NAV,
    }
    if planner and open_plan:
        context["assign_form"] = AssignForm(plan=plan)
        context["team_form"] = TeamForm(plan=plan)
        if plan.status == PlanStatus.DRAFT:
            context["add_form"] = AddUnitsForm(plan=plan)
            context["sample_form"] = SampleForm(
                initial={
                    "per_township": plan.sample_per_township or 2,
                    "weighting": plan.sample_weighting,
                    "boost": plan.sample_boost,
                }
            )
    return render(request, "supervision/plan_detail.html", context)


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    initial = {
        "title": plan.title,
        "template": plan.template_id,
        "village_template": plan.village_template_id,
        "bottom_n": plan.bottom_n,
        "repeat_consecutive": plan.repeat_consecutive,
        "repeat_total": plan.repeat_total,
        "notes": plan.notes,
    }
    form = PlanForm(
        request.POST or None,
        initial=initial,
        templates=selectors.published_templates(user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_plan(
                acting_user=user,
                plan=plan,
                title=data["title"] or plan.title,
                template=data["template"],
                village_template=data["village_template"],
                bottom_n=data["bottom_n"],
                repeat_consecutive=data["repeat_consecutive"],
                repeat_total=data["repeat_total"],
                notes=data["notes"],
            )
        except SupervisionError as error:
            form.add_error(None, error.message)
        else:
            return done(request, _("已保存。"), "supervision:plan", plan.pk)
    return render(
        request,
        "supervision/plan_form.html",
        {"form": form, "plan": plan, "title": _("修改督查计划"), "nav_active": NAV},
    )


@login_required
def team_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    form = TeamForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_team(
                acting_user=user,
                plan=plan,
                name=form.cleaned_data["name"],
                members=form.cleaned_data["members"],
            )
        except SupervisionError as error:
            return refused(request, error, "supervision:plan", plan.pk)
        return done(request, _("已添加督查组。"), "supervision:plan", plan.pk)
    return render(
        request,
        "supervision/team_form.html",
        {"form": form, "plan": plan, "title": _("添加督查组"), "nav_active": NAV},
    )


def _team_of(plan: Plan, team_pk: int) -> Team:
    team = plan.teams.filter(pk=team_pk).first()
    if team is None:
        raise Http404(_("没有找到该督查组。"))
    team.plan = plan
    return team


@login_required
def team_edit(request: HttpRequest, pk: int, team_pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    team = _team_of(plan, team_pk)
    form = TeamForm(
        request.POST or None,
        plan=plan,
        initial={"name": team.name, "members": list(team.members.values_list("pk", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_team(
                acting_user=user,
                team=team,
                name=form.cleaned_data["name"],
                members=form.cleaned_data["members"],
            )
        except SupervisionError as error:
            return refused(request, error, "supervision:plan", plan.pk)
        return done(request, _("已保存。"), "supervision:plan", plan.pk)
    return render(
        request,
        "supervision/team_form.html",
        {"form": form, "plan": plan, "team": team, "title": _("修改督查组"), "nav_active": NAV},
    )


@login_required
@require_POST
def team_delete(request: HttpRequest, pk: int, team_pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    team = _team_of(plan, team_pk)
    try:
        actions.do_delete_team(acting_user=user, team=team)
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    return done(request, _("已删除督查组。"), "supervision:plan", plan.pk)


@login_required
@require_POST
def units_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    form = AddUnitsForm(request.POST, plan=plan)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:plan", plan.pk)
    try:
        actions.do_assign_units(
            acting_user=user, plan=plan, units=form.cleaned_data["units"], team=None, visit_on=None
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    return done(request, _("已增加督查单位。"), "supervision:plan", plan.pk)


@login_required
@require_POST
def units_assign(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    form = AssignForm(request.POST, plan=plan)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:plan", plan.pk)
    try:
        actions.do_assign_units(
            acting_user=user,
            plan=plan,
            units=[pu.unit for pu in form.cleaned_data["units"]],
            team=form.cleaned_data["team"],
            visit_on=form.cleaned_data["visit_on"],
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    return done(request, _("已分配。"), "supervision:plan", plan.pk)


@login_required
@require_POST
def unit_remove(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    plan_unit = plan.units.select_related("unit").filter(pk=unit_pk).first()
    if plan_unit is None:
        raise Http404(_("没有找到该督查单位。"))
    plan_unit.plan = plan
    try:
        actions.do_remove_plan_unit(acting_user=user, plan_unit=plan_unit)
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    return done(request, _("已从计划中删除。"), "supervision:plan", plan.pk)


@login_required
@require_POST
def sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    form = SampleForm(request.POST)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:plan", plan.pk)
    try:
        drawn = actions.do_draw_sample(
            acting_user=user,
            plan=plan,
            per_township=form.cleaned_data["per_township"],
            weighting=form.cleaned_data["weighting"],
            boost=form.cleaned_data["boost"],
            seed=form.cleaned_data["seed"],
        )
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    count = sum(len(codes) for codes in drawn.values())
    return done(
        request,
        _("已用随机种子 %(seed)s 抽取%(count)s个村（居）。")
        % {"seed": plan.sample_seed, "count": count},
        "supervision:plan",
        plan.pk,
    )


@login_required
def sample_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw again from the recorded seed and show that it is the same sample."""
    plan = get_plan_for_user(acting_user(request), pk)
    if plan.sample_seed is None:
        raise Http404(_("本计划没有抽样。"))
    return render(
        request,
        "supervision/sample_verify.html",
        {
            "plan": plan,
            "check": selectors.verify_sample(plan),
            "rows": selectors.sample_table(plan),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def plan_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    try:
        actions.do_publish_plan(acting_user=user, plan=plan)
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    return done(request, _("计划已发布，督查组可以开始督查。"), "supervision:plan", plan.pk)


@login_required
@require_POST
def plan_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    plan = get_plan_for_user(user, pk, write=True)
    try:
        actions.do_close_plan(acting_user=user, plan=plan)
    except SupervisionError as error:
        return refused(request, error, "supervision:plan", plan.pk)
    return done(request, _("本月结果已发布。"), "supervision:results", plan.pk)


@login_required
@require_POST
def start_inspection(request: HttpRequest, pk: int) -> HttpResponse:
    """Start (or continue) inspecting one unit of a plan."""
    user = acting_user(request)
    plan_unit = get_plan_unit_for_user(user, pk, write=True)
    try:
        inspection = actions.do_start_inspection(acting_user=user, plan_unit=plan_unit)
    except SupervisionError as error:
        return refused(request, error, "supervision:mine")
    return redirect("supervision:inspection", inspection.pk)
