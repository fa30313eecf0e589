"""The catalogue pages: lists, edit forms, and YAML import/export."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from renkou.accounts.access import Cap, has_capability
from renkou.catalog import access
from renkou.catalog.actions import (
    CatalogInUse,
    do_delete_data_set,
    do_delete_element,
    do_delete_indicator,
    do_delete_rule,
    do_import_catalog,
    do_save_data_set,
    do_save_element,
    do_save_indicator,
    do_save_rule,
)
from renkou.catalog.document import (
    CatalogDocument,
    CatalogFileError,
    check_document,
    dump_document,
    load_document,
)
from renkou.catalog.forms import (
    CatalogUploadForm,
    DataSetForm,
    ElementForm,
    IndicatorForm,
    RuleForm,
)
from renkou.catalog.models import DataElement, DataSet, Indicator, ValidationRule
from renkou.catalog.selectors import current_document, data_sets_with_members, known_codes
from renkou.http import acting_user

NAV = "catalog"


def _can_manage(request: HttpRequest) -> bool:
    return has_capability(acting_user(request), Cap.MANAGE_CATALOG)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    access.require_catalog(acting_user(request))
    return render(
        request,
        "catalog/index.html",
        {
            "data_sets": list(data_sets_with_members()),
            "elements": list(
                DataElement.objects.select_related("source_data_set").order_by("code")
            ),
            "indicators": list(Indicator.objects.all()),
            "can_manage": _can_manage(request),
            "nav_active": NAV,
        },
    )


def _form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context.setdefault("nav_active", NAV)
    context.setdefault("can_manage", _can_manage(request))
    return render(request, template, context)


# -- elements --------------------------------------------------------------------


@login_required
def element_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access.require_catalog(user, write=True)
    form = ElementForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        element = do_save_element(acting_user=user, spec=form.element_spec)
        messages.success(request, _("已新建数据项 %(name)s。") % {"name": element.name})
        return redirect("catalog:index")
    return _form_page(request, "catalog/element_form.html", {"form": form, "element": None})


@login_required
def element_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    writing = request.method == "POST"
    element = access.get_element_for_user(user, code, write=writing)
    form = ElementForm(
        request.POST or None, creating=False, initial=ElementForm.initial_for(element)
    )
    if writing and form.is_valid():
        do_save_element(acting_user=user, spec=form.element_spec, element=element)
        messages.success(request, _("已保存。"))
        return redirect("catalog:element", code=element.code)
    return _form_page(request, "catalog/element_form.html", {"form": form, "element": element})


@login_required
@require_POST
def element_delete(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    element = access.get_element_for_user(user, code, write=True)
    try:
        do_delete_element(acting_user=user, element=element)
    except CatalogInUse as exc:
        messages.error(request, str(exc))
        return redirect("catalog:element", code=element.code)
    messages.success(request, _("已删除数据项 %(name)s。") % {"name": element.name})
    return redirect("catalog:index")


# -- indicators ------------------------------------------------------------------


def _indicator_initial(indicator: Indicator) -> dict[str, Any]:
    return {
        name: getattr(indicator, name)
        for name in (
            "code",
            "name",
            "numerator",
            "denominator",
            "factor",
            "annualized",
            "unit",
            "direction",
            "range_low",
            "range_high",
            "decimals",
            "order",
            "definition",
        )
    }


@login_required
def indicator_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access.require_catalog(user, write=True)
    form = IndicatorForm(
        request.POST or None, creating=True, initial={"factor": 1, "denominator": "1"}
    )
    if request.method == "POST" and form.is_valid():
        indicator = do_save_indicator(acting_user=user, spec=form.indicator_spec)
        messages.success(request, _("已新建指标 %(name)s。") % {"name": indicator.name})
        return redirect("catalog:index")
    return _form_page(request, "catalog/indicator_form.html", {"form": form, "indicator": None})


@login_required
def indicator_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    writing = request.method == "POST"
    indicator = access.get_indicator_for_user(user, code, write=writing)
    form = IndicatorForm(
        request.POST or None, creating=False, initial=_indicator_initial(indicator)
    )
    if writing and form.is_valid():
        do_save_indicator(acting_user=user, spec=form.indicator_spec, indicator=indicator)
        messages.success(request, _("已保存。"))
        return redirect("catalog:indicator", code=indicator.code)
    return _form_page(
        request, "catalog/indicator_form.html", {"form": form, "indicator": indicator}
    )


@login_required
@require_POST
def indicator_delete(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    indicator = access.get_indicator_for_user(user, code, write=True)
    do_delete_indicator(acting_user=user, indicator=indicator)
    messages.success(request, _("已删除指标 %(name)s。") % {"name": indicator.name})
    return redirect("catalog:index")


# -- data sets and rules ---------------------------------------------------------------


def _data_set_initial(data_set: DataSet) -> dict[str, Any]:
    codes = [
        m.element.code for m in data_set.members.select_related("element").order_by("order", "id")
    ]
    return {
        "code": data_set.code,
        "name": data_set.name,
        "period_type": data_set.period_type,
        "reporting_level": data_set.reporting_level,
        "due_days": data_set.due_days,
        "lock_days": data_set.lock_days,
        "elements": codes,
        "element_order": " ".join(codes),
        "description": data_set.description,
    }


@login_required
def data_set_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    access.require_catalog(user, write=True)
    form = DataSetForm(
        request.POST or None,
        creating=True,
        initial={"period_type": "month", "reporting_level": 5, "due_days": 5, "lock_days": 30},
    )
    if request.method == "POST" and form.is_valid():
        data_set = do_save_data_set(acting_user=user, spec=form.data_set_spec)
        messages.success(request, _("已新建报表 %(name)s。") % {"name": data_set.name})
        return redirect("catalog:data_set", code=data_set.code)
    return _form_page(request, "catalog/data_set_form.html", {"form": form, "data_set": None})


@login_required
def data_set_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    writing = request.method == "POST"
    data_set = access.get_data_set_for_user(user, code, write=writing)
    form = DataSetForm(request.POST or None, creating=False, initial=_data_set_initial(data_set))
    if writing and form.is_valid():
        do_save_data_set(acting_user=user, spec=form.data_set_spec, data_set=data_set)
        messages.success(request, _("已保存。"))
        return redirect("catalog:data_set", code=data_set.code)
    rules = list(ValidationRule.objects.filter(data_set=data_set).order_by("code"))
    return _form_page(
        request,
        "catalog/data_set_form.html",
        {"form": form, "data_set": data_set, "rules": rules},
    )


@login_required
@require_POST
def data_set_delete(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    data_set = access.get_data_set_for_user(user, code, write=True)
    try:
        do_delete_data_set(acting_user=user, data_set=data_set)
    except CatalogInUse as exc:
        messages.error(request, str(exc))
        return redirect("catalog:data_set", code=data_set.code)
    messages.success(request, _("已删除报表 %(name)s。") % {"name": data_set.name})
    return redirect("catalog:index")


def _rule_initial(rule: ValidationRule) -> dict[str, Any]:
    return {
        name: getattr(rule, name)
        for name in (
            "code",
            "name",
            "left",
            "operator",
            "right",
            "importance",
            "severity",
            "message",
        )
    }


@login_required
def rule_new(request: HttpRequest, code: str) -> HttpResponse:
    user = acting_user(request)
    data_set = access.get_data_set_for_user(user, code, write=True)
    form = RuleForm(request.POST or None, creating=True, data_set=data_set)
    if request.method == "POST" and form.is_valid():
        do_save_rule(acting_user=user, data_set=data_set, spec=form.rule_spec)
        messages.success(request, _("已新建校验规则。"))
        return redirect("catalog:data_set", code=data_set.code)
    return _form_page(
        request, "catalog/rule_form.html", {"form": form, "data_set": data_set, "rule": None}
    )


@login_required
def rule_detail(request: HttpRequest, code: str, rule_code: str) -> HttpResponse:
    user = acting_user(request)
    writing = request.method == "POST"
    data_set = access.get_data_set_for_user(user, code, write=writing)
    rule = access.get_rule_for_user(user, data_set, rule_code, write=writing)
    form = RuleForm(
        request.POST or None, creating=False, data_set=data_set, initial=_rule_initial(rule)
    )
    if writing and form.is_valid():
        do_save_rule(acting_user=user, data_set=data_set, spec=form.rule_spec, rule=rule)
        messages.success(request, _("已保存。"))
        return redirect("catalog:data_set", code=data_set.code)
    return _form_page(
        request, "catalog/rule_form.html", {"form": form, "data_set": data_set, "rule": rule}
    )


@login_required
@require_POST
def rule_delete(request: HttpRequest, code: str, rule_code: str) -> HttpResponse:
    user = acting_user(request)
    data_set = access.get_data_set_for_user(user, code, write=True)
    rule = access.get_rule_for_user(user, data_set, rule_code, write=True)
    do_delete_rule(acting_user=user, rule=rule)
    messages.success(request, _("已删除校验规则。"))
    return redirect("catalog:data_set", code=data_set.code)


# -- YAML ------------------------------------------------------------------------------


@login_required
def export_yaml(request: HttpRequest) -> HttpResponse:
    access.require_catalog(acting_user(request))
    response = HttpResponse(
        dump_document(current_document()), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''catalog.yaml"
    return response


def _staging(key: str) -> Path:
    if not key.isalnum() or len(key) != 32:
        raise Http404(_("导入文件已失效，请重新上传。"))
    return Path(settings.MEDIA_ROOT) / "uploads" / "catalog" / f"{key}.yaml"


class _Rollback(Exception):
    pass


def _preview(user: Any, document: CatalogDocument) -> str:
    """What importing would change, found by importing and rolling back."""
    summary = ""
    try:
        with transaction.atomic():
            summary = do_import_catalog(acting_user=user, document=document).summary()
            raise _Rollback
    except _Rollback:
        pass
    return summary


@login_required
def import_yaml(request: HttpRequest) -> HttpResponse:
    """Upload, check and preview; a second POST with the key confirms."""
    user = acting_user(request)
    access.require_catalog(user, write=True)
    context: dict[str, Any] = {"nav_active": NAV}
    key = request.POST.get("key", "")
    if request.method == "POST" and key:
        path = _staging(key)
        if not path.exists():
            raise Http404(_("导入文件已失效，请重新上传。"))
        try:
            document = check_document(load_document(path.read_bytes()), known=known_codes())
        except CatalogFileError as exc:
            context.update({"form": CatalogUploadForm(), "problems": exc.problems})
            return render(request, "catalog/import.html", context)
        report = do_import_catalog(
            acting_user=user, document=document, source_label=request.POST.get("label", "")
        )
        path.unlink(missing_ok=True)
        messages.success(request, _("指标目录已导入：%(summary)s") % {"summary": report.summary()})
        return redirect("catalog:index")
    form = CatalogUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        content = upload.read()
        try:
            document = check_document(load_document(content), known=known_codes())
        except CatalogFileError as exc:
            context.update({"form": form, "problems": exc.problems})
            return render(request, "catalog/import.html", context)
        key = uuid.uuid4().hex
        path = _staging(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        context.update(
            {"form": None, "key": key, "label": upload.name, "summary": _preview(user, document)}
        )
        return render(request, "catalog/import.html", context)
    context["form"] = form
    return render(request, "catalog/import.html", context)
