"""Input of the review half: adjustments, appeals, release, publication, pay."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from renkou.assessment.models import AdjustmentReason
from renkou.orgunits.models import RegionClass
from renkou.supervision.files import ACCEPT, UploadRejected, check_upload


class EvidenceField(forms.FileField):
    """A picture or PDF, checked by its first bytes (never by its name)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("佐证材料"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("照片或PDF，不超过10 MB"))
        super().__init__(widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}), **kwargs)

    def clean(self, data: Any, initial: Any = None) -> UploadedFile[bytes] | None:
        upload = super().clean(data, initial)
        if upload:
            try:
                check_upload(upload)
            except UploadRejected as error:
                raise ValidationError(str(error)) from None
        return upload or None


class _ChoicesForm(forms.Form):
    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class ProposeAdjustmentForm(_ChoicesForm):
    item_code = forms.ChoiceField(label=_("考核项目"))
    field = forms.ChoiceField(label=_("调整的数据"))
    new_value = forms.DecimalField(label=_("调整后数值"), max_digits=12, decimal_places=4)
    reason = forms.ChoiceField(
        label=_("调整原因"),
        choices=[c for c in AdjustmentReason.choices if c[0] != AdjustmentReason.APPEAL],
    )
    note = forms.CharField(
        label=_("情况说明"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明客观原因、影响范围和调整依据"),
    )
    evidence = EvidenceField()

    def __init__(
        self,
        *args: Any,
        items: list[tuple[str, str]],
        fields_by_item: dict[str, list[tuple[str, str]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choices("item_code", items)
        self.fields_by_item = fields_by_item
        every = [choice for choices in fields_by_item.values() for choice in choices]
        self._choices("field", list(dict(every).items()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        item, field = data.get("item_code"), data.get("field")
        if item and field and field not in dict(self.fields_by_item.get(item, [])):
            self.add_error("field", _("所选数据不是该考核项目使用的数据。"))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=[("approve", _("同意调整")), ("reject", _("驳回"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审核意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(_ChoicesForm):
    item_code = forms.ChoiceField(label=_("申诉的考核项目"))
    reason = forms.CharField(
        label=_("申诉理由"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明对哪项数据或评分有异议，以及事实依据"),
    )
    evidence = EvidenceField()

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("item_code", items)


class AppealDecisionForm(_ChoicesForm):
    decision = forms.ChoiceField(
        label=_("处理结论"),
        choices=[("uphold", _("申诉成立，更正数据并重新计分")), ("reject", _("申诉不成立"))],
        widget=forms.RadioSelect,
    )
    field = forms.ChoiceField(label=_("更正的数据"), required=False)
    new_value = forms.DecimalField(
        label=_("更正后数值"), required=False, max_digits=12, decimal_places=4
    )
    decision_reason = forms.CharField(
        label=_("处理意见"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, fields: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._choices("field", [("", "—"), *fields])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "uphold":
            if not data.get("field"):
                self.add_error("field", _("申诉成立时，请选择要更正的数据。"))
            if data.get("new_value") is None:
                self.add_error("new_value", _("申诉成立时，请填写更正后的数值。"))
        return data


class ReleaseForm(forms.Form):
    appeal_days = forms.IntegerField(label=_("申诉期（天）"), min_value=1, max_value=60)


class PublishForm(forms.Form):
    title = forms.CharField(label=_("通报标题"), max_length=200)
    number = forms.CharField(
        label=_("文号"), max_length=60, required=False, help_text=_("不填则自动编号")
    )


class PayRuleForm(forms.Form):
    region_class = forms.ModelChoiceField(
        label=_("地区类别"),
        queryset=RegionClass.objects.order_by("code"),
        required=False,
        empty_label=_("全部"),
    )
    grade = forms.CharField(label=_("等级"), max_length=30, required=False)
    min_score = forms.DecimalField(
        label=_("最低分（含）"), required=False, max_digits=12, decimal_places=4
    )
    max_score = forms.DecimalField(
        label=_("最高分（不含）"), required=False, max_digits=12, decimal_places=4
    )
    coefficient = forms.DecimalField(
        label=_("绩效系数"), required=False, max_digits=6, decimal_places=3, min_value=Decimal(0)
    )
    amount = forms.DecimalField(
        label=_("奖励金额（元）"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
    )
    DELETE = forms.BooleanField(label=_("删除"), required=False)


PayRuleFormSet = forms.formset_factory(PayRuleForm, extra=2, max_num=60, validate_max=True)


class CadreForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    post = forms.CharField(label=_("职务"), max_length=50, required=False)
    base_pay = forms.DecimalField(
        label=_("基本报酬（元/年）"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal("999999.99"),
    )


CadreFormSet = forms.formset_factory(CadreForm, extra=2, max_num=40, validate_max=True)


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("村干部名册（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
