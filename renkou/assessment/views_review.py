"""Pages of the review half of a run: adjustments (four eyes), release and
appeals, publication and the leaders' results page, pay rules, the cadre roster
and the pay list."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, in_scope, require
from renkou.accounts.models import User
from renkou.assessment import actions_review as actions
from renkou.assessment import pay
from renkou.assessment.forms_review import (
    AppealDecisionForm,
    AppealForm,
    CadreFormSet,
    DecisionForm,
    PayRuleFormSet,
    ProposeAdjustmentForm,
    PublishForm,
    ReleaseForm,
    RosterUploadForm,
)
from renkou.assessment.models import (
    Appeal,
    AppealStatus,
    Cadre,
    DecisionStatus,
    Run,
    RunStatus,
    RunUnit,
)
from renkou.assessment.review_context import (
    NOT_FOUND,
    ReviewError,
    appeal_open,
    field_choices,
    get_adjustment_for_user,
    get_appeal_for_user,
    get_pay_run_for_user,
    get_run_for_review,
    get_run_unit_for_review,
    item_name,
    manages,
    may_appeal,
    run_panel,
    scheme_items,
    unit_panel,
    visible_runs,
)
from renkou.http import acting_user
from renkou.orgunits.models import Level, OrgUnit, is_unit_code, subtree_q

NAV = "assessment"
PAY_NAV = "assessment_pay"
PUBLISHED_NAV = "assessment_published"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _errors(form: Any) -> str:
    parts: list[str] = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        parts.extend(f"{label}：{e}" if label else str(e) for e in errors)
    return "；".join(parts)


def _evidence(file: Any) -> FileResponse:
    if not file:
        raise Http404(NOT_FOUND)
    name = Path(file.name).name
    inline = name.lower().endswith((".pdf", ".jpg", ".jpeg", ".png", ".webp"))
    response = FileResponse(file.open("rb"), as_attachment=not inline, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- run and unit pages ------------------------------------------------------------------


def _unit_rows(run: Run) -> list[RunUnit]:
    return list(
        run.units.select_related("orgunit", "orgunit__parent").order_by("rank", "orgunit__path")
    )


@login_required
def run_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Adjustments, appeals, release and publication of one run, with its league table."""
    user = acting_user(request)
    run = get_run_for_review(user, pk)
    context = {
        "run": run,
        "units": _unit_rows(run),
        "release_form": ReleaseForm(initial={"appeal_days": run.appeal_days}),
        "publish_form": PublishForm(
            initial={"title": run_panel(request, run)["review_default_title"]}
        ),
        "nav_active": NAV,
        **run_panel(request, run),
    }
    return render(request, "assessment/review/run.html", context)


@login_required
def unit_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit's raw and adjusted scores side by side, its adjustments and appeals."""
    user = acting_user(request)
    run_unit = get_run_unit_for_review(user, pk)
    return render(
        request,
        "assessment/review/unit.html",
        {
            "run_unit": run_unit,
            "run": run_unit.run,
            "nav_active": NAV,
            **unit_panel(request, run_unit),
        },
    )


# --- adjustments ------------------------------------------------------------------------


def _propose_form(
    run_unit: RunUnit, data: Any = None, files: Any = None, **kw: Any
) -> ProposeAdjustmentForm:
    items = scheme_items(run_unit.run)
    fields = {code: field_choices(run_unit, code) for code, _name in items}
    shown = [(code, f"{code} {name}") for code, name in items if fields.get(code)]
    return ProposeAdjustmentForm(data, files, items=shown, fields_by_item=fields, **kw)


@login_required
def adjustment_propose(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.RUN_ASSESSMENT)
    run_unit = get_run_unit_for_review(user, pk)
    run = run_unit.run
    if not manages(user, run):
        raise Http404(NOT_FOUND)
    initial = {"item_code": request.GET.get("item", "")}
    if request.method == "POST":
        form = _propose_form(run_unit, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                adjustment = actions.do_propose_adjustment(
                    acting_user=user,
                    run_unit=run_unit,
                    item_code=data["item_code"],
                    field=data["field"],
                    new_value=data["new_value"],
                    reason=data["reason"],
                    note=data["note"],
                    evidence=data.get("evidence"),
                )
            except ReviewError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已提出调整，请另一位有审核权限的同志审核。"))
                return redirect("assessment:adjustment", adjustment.pk)
    else:
        form = _propose_form(run_unit, initial=initial)
    return render(
        request,
        "assessment/review/adjustment_form.html",
        {
            "run_unit": run_unit,
            "run": run,
            "form": form,
            "frozen": run.status == RunStatus.PUBLISHED,
            "field_map": {
                code: [f for f, _l in choices] for code, choices in form.fields_by_item.items()
            },
            "nav_active": NAV,
        },
    )


@login_required
def adjustment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    adjustment = get_adjustment_for_user(user, pk)
    run = adjustment.run
    may_decide = (
        adjustment.status == DecisionStatus.PROPOSED
        and manages(user, run, Cap.DECIDE_ADJUSTMENTS)
        and run.status in (RunStatus.SCORED, RunStatus.RELEASED)
    )
    run_unit = RunUnit.objects.filter(run=run, orgunit=adjustment.orgunit).first()
    return render(
        request,
        "assessment/review/adjustment.html",
        {
            "adjustment": adjustment,
            "run": run,
            "run_unit": run_unit,
            "item_name": item_name(run, adjustment.item_code),
            "summary": actions.decision_summary(adjustment),
            "may_decide": may_decide,
            "own_proposal": adjustment.proposed_by_id == user.pk,
            "form": DecisionForm(),
            "appeal": Appeal.objects.filter(adjustment=adjustment).first(),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    adjustment = get_adjustment_for_user(user, pk, write=True)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("assessment:adjustment", adjustment.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        actions.do_decide_adjustment(
            acting_user=user, adjustment=adjustment, approve=approve, note=form.cleaned_data["note"]
        )
    except ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("已同意调整，考核结果已重新计分。") if approve else _("已驳回该调整。")
        )
    return redirect("assessment:adjustment", adjustment.pk)


@login_required
def adjustment_evidence(request: HttpRequest, pk: int) -> FileResponse:
    adjustment = get_adjustment_for_user(acting_user(request), pk)
    return _evidence(adjustment.evidence)


# --- release and appeals ---------------------------------------------------------------


@login_required
@require_POST
def run_release(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run = get_run_for_review(user, pk, cap=Cap.RUN_ASSESSMENT)
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("assessment:run_review", run.pk)
    try:
        run = actions.do_release_run(
            acting_user=user, run=run, appeal_days=form.cleaned_data["appeal_days"]
        )
    except ReviewError as error:
        messages.error(request, error.message)
    else:
        assert run.appeal_deadline is not None
        deadline = run.appeal_deadline
        messages.success(
            request,
            _("考核结果已反馈各单位，申诉期至%(d)s。")
            % {"d": f"{deadline.year}年{deadline.month}月{deadline.day}日"},
        )
    return redirect("assessment:run_review", run.pk)


@login_required
def appeal_file(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.FILE_APPEALS)
    run_unit = get_run_unit_for_review(user, pk)
    if not may_appeal(user, run_unit):
        raise PermissionDenied(_("只有被考核单位本单位的人员可以申诉。"))
    run = run_unit.run
    items = [(code, f"{code} {name}") for code, name in scheme_items(run)]
    if request.method == "POST":
        form = AppealForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            try:
                appeal = actions.do_file_appeal(
                    acting_user=user,
                    run_unit=run_unit,
                    item_code=form.cleaned_data["item_code"],
                    reason=form.cleaned_data["reason"],
                    evidence=form.cleaned_data.get("evidence"),
                )
            except ReviewError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("申诉已提交，考核单位处理后会在此显示结果。"))
                return redirect("assessment:appeal", appeal.pk)
    else:
        form = AppealForm(items=items, initial={"item_code": request.GET.get("item", "")})
    return render(
        request,
        "assessment/review/appeal_form.html",
        {
            "run_unit": run_unit,
            "run": run,
            "form": form,
            "is_open": appeal_open(run),
            "rows": unit_panel(request, run_unit).get("review_rows", []),
            "nav_active": NAV,
        },
    )


@login_required
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    appeal = get_appeal_for_user(user, pk)
    run = appeal.run
    run_unit = RunUnit.objects.select_related("run").filter(run=run, orgunit=appeal.orgunit).first()
    may_decide = (
        appeal.status == AppealStatus.FILED
        and manages(user, run)
        and run.status != RunStatus.PUBLISHED
        and run_unit is not None
    )
    fields = field_choices(run_unit, appeal.item_code) if run_unit is not None else []
    item_row = None
    if run_unit is not None:
        item_row = next(
            (
                row
                for row in unit_panel(request, run_unit).get("review_rows", [])
                if row["code"] == appeal.item_code
            ),
            None,
        )
    return render(
        request,
        "assessment/review/appeal.html",
        {
            "appeal": appeal,
            "run": run,
            "run_unit": run_unit,
            "item_name": item_name(run, appeal.item_code),
            "item_row": item_row,
            "may_decide": may_decide,
            "form": AppealDecisionForm(fields=fields),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    appeal = get_appeal_for_user(user, pk, write=True)
    run_unit = RunUnit.objects.filter(run=appeal.run, orgunit=appeal.orgunit).first()
    if run_unit is None:
        raise Http404(NOT_FOUND)
    form = AppealDecisionForm(request.POST, fields=field_choices(run_unit, appeal.item_code))
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("assessment:appeal", appeal.pk)
    upheld = form.cleaned_data["decision"] == "uphold"
    try:
        actions.do_decide_appeal(
            acting_user=user,
            appeal=appeal,
            upheld=upheld,
            decision_reason=form.cleaned_data["decision_reason"],
            field=form.cleaned_data.get("field") or "",
            new_value=form.cleaned_data.get("new_value"),
        )
    except ReviewError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("申诉成立，已更正数据并重新计分。") if upheld else _("已答复：申诉不成立。"),
        )
    return redirect("assessment:appeal", appeal.pk)


@login_required
def appeal_evidence(request: HttpRequest, pk: int) -> FileResponse:
    appeal = get_appeal_for_user(acting_user(request), pk)
    return _evidence(appeal.evidence)


# --- publication ------------------------------------------------------------------------


@login_required
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run = get_run_for_review(user, pk, cap=Cap.RUN_ASSESSMENT)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("assessment:run_review", run.pk)
    try:
        actions.do_publish_run(
            acting_user=user,
            run=run,
            title=form.cleaned_data["title"],
            number=form.cleaned_data["number"],
        )
    except ReviewError as error:
        messages.error(request, error.message)
        return redirect("assessment:run_review", run.pk)
    messages.success(request, _("考核结果已发布，通报已生成。"))
    return redirect("assessment:published", run.pk)


def _published_run(request: HttpRequest, pk: int) -> Run:
    run = get_run_for_review(acting_user(request), pk)
    if run.status != RunStatus.PUBLISHED or not hasattr(run, "publication"):
        raise Http404(NOT_FOUND)
    return run


@login_required
def notice_file(request: HttpRequest, pk: int, fmt_name: str) -> HttpResponse:
    run = _published_run(request, pk)
    publication = run.publication
    if fmt_name == "pdf":
        return _download(bytes(publication.pdf), "application/pdf", publication.title + ".pdf")
    if fmt_name == "xlsx":
        return _download(bytes(publication.xlsx), XLSX, publication.title + ".xlsx")
    raise Http404(_("不支持的格式。"))


@login_required
def published_list(request: HttpRequest) -> HttpResponse:
    """Published results in the user's subtree (what leaders read)."""
    user = acting_user(request)
    return render(
        request,
        "assessment/review/published_list.html",
        {"runs": visible_runs(user), "nav_active": PUBLISHED_NAV},
    )


@login_required
def published_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen ranking of a published run, read-only, with the notice."""
    run = _published_run(request, pk)
    units = _unit_rows(run)
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit.grade] = counts.get(unit.grade, 0) + 1
    grades = [str(g.get("name")) for g in (run.scheme_data or {}).get("grades", [])]
    return render(
        request,
        "assessment/review/published.html",
        {
            "run": run,
            "publication": run.publication,
            "units": units,
            "grade_counts": [(g, counts.get(g, 0)) for g in grades],
            "has_classes": any(u.class_rank is not None and u.class_code for u in units),
            "chart_data": {
                "labels": grades,
                "values": [counts.get(g, 0) for g in grades],
                "series": _("单位数"),
            },
            "nav_active": PUBLISHED_NAV,
        },
    )


# --- pay linkage ---------------------------------------------------------------------


def _pay_owner(user: User) -> OrgUnit:
    require(user, Cap.MANAGE_PAY)
    if user.home_unit is None:
        raise Http404(NOT_FOUND)
    return user.home_unit


def _year(raw: str | None) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return timezone.localdate().year - 1
    return year if 2000 <= year <= 2100 else timezone.localdate().year - 1


def _pay_runs(user: User) -> list[Run]:
    """Village-level runs whose pay list the user may see."""
    runs = Run.objects.select_related("scheme", "scheme__owner", "root").filter(
        scheme__level=Level.VILLAGE,
        status__in=[RunStatus.SCORED, RunStatus.RELEASED, RunStatus.PUBLISHED],
    )
    home = user.home_unit
    if home is None:
        return []
    return [
        r
        for r in runs.order_by("-year", "-created_at")
        if in_scope(user, r.scheme.owner)
        or home.path.startswith(r.root.path)
        or in_scope(user, r.root)
    ]


@login_required
def pay_home(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    owner = _pay_owner(user)
    year = _year(request.GET.get("year"))
    villages = pay.villages_under(owner)
    counts: dict[int, int] = {}
    for orgunit_id in Cadre.objects.filter(orgunit__in=villages, active=True).values_list(
        "orgunit_id", flat=True
    ):
        counts[orgunit_id] = counts.get(orgunit_id, 0) + 1
    return render(
        request,
        "assessment/review/pay_home.html",
        {
            "owner": owner,
            "year": year,
            "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1)),
            "rules": pay.rules_for(owner, year),
            "runs": _pay_runs(user),
            "villages": [(v, counts.get(v.pk, 0)) for v in villages],
            "upload_form": RosterUploadForm(),
            "nav_active": PAY_NAV,
        },
    )


def _rule_rows(formset: Any) -> list[pay.RuleRow]:
    rows = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        values = [data.get(k) for k in ("grade", "min_score", "max_score", "coefficient", "amount")]
        if not any(v not in (None, "") for v in values):
            continue
        rows.append(
            pay.RuleRow(
                region_class=data.get("region_class"),
                grade=(data.get("grade") or "").strip(),
                min_score=data.get("min_score"),
                max_score=data.get("max_score"),
                coefficient=data.get("coefficient"),
                amount=data.get("amount"),
            )
        )
    return rows


@login_required
def pay_rules(request: HttpRequest, year: int) -> HttpResponse:
    user = acting_user(request)
    owner = _pay_owner(user)
    if not 2000 <= year <= 2100:
        raise Http404(NOT_FOUND)
    problems: list[str] = []
    if request.method == "POST":
        formset = PayRuleFormSet(request.POST, prefix="rules")
        if formset.is_valid():
            rows = _rule_rows(formset)
            try:
                actions.do_save_pay_rules(acting_user=user, owner=owner, year=year, rules=rows)
            except ReviewError as error:
                problems = error.message.split("；")
            else:
                messages.success(request, _("绩效挂钩规则已保存。"))
                return redirect(f"{request.path}")
        else:
            problems = [_("请检查标出的内容。")]
    else:
        initial = [
            {
                "region_class": r.region_class,
                "grade": r.grade,
                "min_score": r.min_score,
                "max_score": r.max_score,
                "coefficient": r.coefficient,
                "amount": r.amount,
            }
            for r in pay.rules_for(owner, year)
        ]
        formset = PayRuleFormSet(initial=initial, prefix="rules")
    return render(
        request,
        "assessment/review/pay_rules.html",
        {
            "owner": owner,
            "year": year,
            "formset": formset,
            "problems": problems,
            "nav_active": PAY_NAV,
        },
    )


def _village_for(user: User, code: str) -> OrgUnit:
    owner = _pay_owner(user)
    if not is_unit_code(code):
        raise Http404(NOT_FOUND)
    village = (
        OrgUnit.objects.filter(subtree_q(owner.path), code=code, level=Level.VILLAGE)
        .select_related("parent")
        .first()
    )
    if village is None:
        raise Http404(NOT_FOUND)
    return village


@login_required
def roster(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    village = _village_for(user, code)
    problems: list[str] = []
    if request.method == "POST":
        formset = CadreFormSet(request.POST, prefix="cadres")
        if formset.is_valid():
            rows = [
                pay.CadreRow(
                    (f.cleaned_data.get("name") or "").strip(),
                    (f.cleaned_data.get("post") or "").strip(),
                    f.cleaned_data.get("base_pay"),
                )
                for f in formset.forms
                if f.cleaned_data
                and any(
                    f.cleaned_data.get(k) not in (None, "") for k in ("name", "post", "base_pay")
                )
            ]
            try:
                actions.do_save_roster(acting_user=user, village=village, cadres=rows)
            except ReviewError as error:
                problems = error.message.split("；")
            else:
                messages.success(request, _("村干部名册已保存。"))
                return redirect("assessment:roster", village.code)
        else:
            problems = [_("请检查标出的内容。")]
    else:
        formset = CadreFormSet(
            initial=[
                {"name": c.name, "post": c.post, "base_pay": c.base_pay}
                for c in Cadre.objects.filter(orgunit=village, active=True).order_by("pk")
            ],
            prefix="cadres",
        )
    return render(
        request,
        "assessment/review/roster.html",
        {
            "village": village,
            "formset": formset,
            "problems": problems,
            "posts": pay.POSTS,
            "nav_active": PAY_NAV,
        },
    )


@login_required
def roster_template(request: HttpRequest) -> HttpResponse:
    owner = _pay_owner(acting_user(request))
    return _download(pay.roster_template(owner), XLSX, f"{owner.name}村干部名册.xlsx")


@login_required
def roster_import(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    owner = _pay_owner(user)
    if request.method != "POST":
        return redirect("assessment:pay")
    form = RosterUploadForm(request.POST, request.FILES)
    context: dict[str, Any] = {"owner": owner, "nav_active": PAY_NAV, "form": form}
    if not form.is_valid():
        context["file_error"] = _errors(form)
        return render(request, "assessment/review/roster_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    folder = Path(settings.MEDIA_ROOT) / "uploads" / "roster"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.xlsx"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        rows, problems = pay.read_roster(path, owner)
    except pay.RosterFileError as error:
        context["file_error"] = str(error)
        return render(request, "assessment/review/roster_import.html", context, status=400)
    finally:
        path.unlink(missing_ok=True)
    context["problems"] = problems
    context["rows"] = rows
    if problems:
        return render(request, "assessment/review/roster_import.html", context, status=400)
    changed = actions.do_import_roster(
        acting_user=user, scope=owner, rows=rows, file_name=str(upload.name)[:100]
    )
    messages.success(
        request,
        _("已导入%(n)s名村干部（%(c)s处变更）。") % {"n": len(rows), "c": changed},
    )
    return redirect("assessment:pay")


@login_required
def pay_list_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run, within = get_pay_run_for_user(user, pk)
    pays = pay.pay_list(run, within=within)
    return render(
        request,
        "assessment/review/pay_list.html",
        {"run": run, "pays": pays, "within": within, "nav_active": PAY_NAV},
    )


@login_required
def pay_list_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    run, within = get_pay_run_for_user(user, pk)
    pays = pay.pay_list(run, within=within)
    actions.do_record_pay_export(acting_user=user, run=run, within=within)
    name = f"{run.year}年度村级绩效报酬发放表{'-' + within.name if within else ''}.xlsx"
    return _download(pay.render_pay_xlsx(pays), XLSX, name)
