"""Checklist templates: list, edit while a draft, publish, copy, import, export."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability, require
from renkou.http import acting_user
from renkou.supervision import actions, checklist_io, selectors
from renkou.supervision.access import SupervisionError, get_template_for_user
from renkou.supervision.checklist_io import ChecklistFileError, ItemData
from renkou.supervision.forms import (
    ConfirmImportForm,
    CopyTemplateForm,
    ImportForm,
    ItemForm,
    TemplateForm,
    import_token,
)
from renkou.supervision.models import ChecklistItem, ChecklistTemplate
from renkou.supervision.scoring import Style
from renkou.supervision.views.common import done, form_errors, refused

PAGE_SIZE = 30
NAV = "supervision"


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    page = Paginator(selectors.templates_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/template_list.html",
        {
            "page": page,
            "can_plan": has_capability(user, Cap.PLAN_SUPERVISION),
            "nav_active": NAV,
        },
    )


@login_required
def template_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.PLAN_SUPERVISION)
    if user.home_unit is None:
        raise Http404(_("您的账号还没有所属单位，请联系系统管理员。"))
    form = TemplateForm(request.POST or None, initial={"year": selectors.today().year})
    if request.method == "POST" and form.is_valid():
        template = actions.do_create_template(
            acting_user=user, owner=user.home_unit, **form.cleaned_data
        )
        return done(
            request, _("已创建清单草稿，请添加检查项。"), "supervision:template", template.pk
        )
    return render(
        request,
        "supervision/template_form.html",
        {"form": form, "title": _("新建督查清单"), "nav_active": NAV},
    )


@login_required
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk)
    items = list(template.items.all())
    can_edit = (
        has_capability(user, Cap.PLAN_SUPERVISION)
        and user.home_unit is not None
        and template.owner.is_within(user.home_unit)
    )
    return render(
        request,
        "supervision/template_detail.html",
        {
            "template": template,
            "topics": selectors.topics_of(items),
            "full_marks": sum((i.points for i in items), Decimal(0)),
            "item_count": len(items),
            "can_edit": can_edit and template.is_draft,
            "can_copy": can_edit,
            "copy_form": CopyTemplateForm(initial={"year": template.year}),
            "occurrence": Style.OCCURRENCE.value,
            "nav_active": NAV,
        },
    )


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk, write=True)
    initial = {
        name: getattr(template, name)
        for name in ("name", "level", "overdue_deduction", "overdue_cap", "rectify_days", "notes")
    }
    form = TemplateForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_template(acting_user=user, template=template, **form.cleaned_data)
        except SupervisionError as error:
            return refused(request, error, "supervision:template", template.pk)
        return done(request, _("已保存。"), "supervision:template", template.pk)
    return render(
        request,
        "supervision/template_form.html",
        {"form": form, "template": template, "title": _("修改清单"), "nav_active": NAV},
    )


def _item_initial(item: ChecklistItem) -> dict[str, object]:
    return {
        name: getattr(item, name)
        for name in (
            "topic",
            "code",
            "title",
            "points",
            "style",
            "deduction",
            "cap",
            "evidence_required",
            "guidance",
        )
    }


@login_required
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk, write=True)
    last = template.items.order_by("-position").first()
    form = ItemForm(
        request.POST or None,
        initial={"topic": last.topic if last else "", "style": Style.OCCURRENCE.value},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_item(acting_user=user, template=template, data=form.item)
        except SupervisionError as error:
            form.add_error(None, error.message)
        else:
            return done(request, _("已添加检查项。"), "supervision:template", template.pk)
    return render(
        request,
        "supervision/item_form.html",
        {"form": form, "template": template, "title": _("添加检查项"), "nav_active": NAV},
    )


def _item_of(template: ChecklistTemplate, item_pk: int) -> ChecklistItem:
    item = template.items.filter(pk=item_pk).first()
    if item is None:
        raise Http404(_("没有找到该检查项。"))
    item.template = template
    return item


@login_required
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk, write=True)
    item = _item_of(template, item_pk)
    form = ItemForm(request.POST or None, initial=_item_initial(item))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_item(acting_user=user, item=item, data=form.item)
        except SupervisionError as error:
            form.add_error(None, error.message)
        else:
            return done(request, _("已保存。"), "supervision:template", template.pk)
    return render(
        request,
        "supervision/item_form.html",
        {
            "form": form,
            "template": template,
            "item": item,
            "title": _("修改检查项"),
            "nav_active": NAV,
        },
    )


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk, write=True)
    item = _item_of(template, item_pk)
    try:
        actions.do_delete_item(acting_user=user, item=item)
    except SupervisionError as error:
        return refused(request, error, "supervision:template", template.pk)
    return done(request, _("已删除检查项。"), "supervision:template", template.pk)


@login_required
@require_POST
def template_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk, write=True)
    try:
        actions.do_publish_template(acting_user=user, template=template)
    except SupervisionError as error:
        return refused(request, error, "supervision:template", template.pk)
    return done(request, _("清单已发布，可用于督查计划。"), "supervision:template", template.pk)


@login_required
@require_POST
def template_copy(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    template = get_template_for_user(user, pk, write=True)
    form = CopyTemplateForm(request.POST)
    if not form.is_valid():
        return refused(request, SupervisionError(form_errors(form)), "supervision:template", pk)
    copy = actions.do_copy_template(
        acting_user=user, template=template, year=form.cleaned_data["year"]
    )
    return done(
        request,
        _("已复制为%(year)s年第%(version)s版草稿。") % {"year": copy.year, "version": copy.version},
        "supervision:template",
        copy.pk,
    )


def _data_of(template: ChecklistTemplate) -> checklist_io.ChecklistData:
    return checklist_io.checklist_data(
        name=template.name,
        key=template.key,
        year=template.year,
        level=template.level,
        overdue_deduction=template.overdue_deduction,
        overdue_cap=template.overdue_cap,
        rectify_days=template.rectify_days,
        items=[
            ItemData(
                topic=i.topic,
                code=i.code,
                title=i.title,
                points=i.points,
                style=Style(i.style),
                deduction=i.deduction,
                cap=i.cap,
                evidence_required=i.evidence_required,
                guidance=i.guidance,
            )
            for i in template.items.all()
        ],
    )


def _attachment(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


@login_required
def template_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    template = get_template_for_user(acting_user(request), pk)
    data = _data_of(template)
    base = f"{template.name}-{template.year}-v{template.version}"
    if fmt == "yaml":
        response = HttpResponse(
            checklist_io.to_yaml(data).encode("utf-8"),
            content_type="application/yaml; charset=utf-8",
        )
        response["Content-Disposition"] = _attachment(base + ".yaml")
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            checklist_io.to_xlsx(data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = _attachment(base + ".xlsx")
        return response
    raise Http404(_("不支持的格式。"))


@login_required
def template_import(request: HttpRequest) -> HttpResponse:
    """Upload → every problem listed, or a preview → confirm → a new draft version."""
    user = acting_user(request)
    require(user, Cap.PLAN_SUPERVISION)
    if user.home_unit is None:
        raise Http404(_("您的账号还没有所属单位，请联系系统管理员。"))
    context: dict[str, object] = {"nav_active": NAV}
    if request.method == "POST" and "token" in request.POST:
        confirm = ConfirmImportForm(request.POST)
        if confirm.is_valid():
            template = actions.do_import_template(
                acting_user=user,
                owner=user.home_unit,
                data=confirm.cleaned_data["token"],
                source_name=confirm.cleaned_data.get("source") or "文件",
            )
            return done(
                request,
                _("已导入为草稿（第%(version)s版），请核对后发布。")
                % {"version": template.version},
                "supervision:template",
                template.pk,
            )
        context["form"] = ImportForm()
        context["confirm_errors"] = form_errors(confirm)
        return render(request, "supervision/template_import.html", context)
    form = ImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        try:
            data = form.parse()
        except ChecklistFileError as error:
            context["problems"] = error.problems
        else:
            context["preview"] = data
            context["topics"] = selectors.topics_of(data.items)
            context["confirm"] = ConfirmImportForm(
                initial={"token": import_token(data), "source": form.cleaned_data["upload"].name}
            )
    return render(request, "supervision/template_import.html", context)
