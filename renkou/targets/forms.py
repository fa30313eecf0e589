"""Input forms of the target pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renkou.catalog.models import DataElement, Indicator, ValueType
from renkou.targets.models import CascadeBasis, Direction, TargetKind

MIN_YEAR, MAX_YEAR = 2000, 2100


def code_choices() -> list[tuple[str, str]]:
    indicators = [
        (code, f"{name}（{code}）")
        for code, name in Indicator.objects.order_by("order", "code").values_list("code", "name")
    ]
    elements = [
        (code, f"{name}（{code}）")
        for code, name in DataElement.objects.exclude(value_type=ValueType.TEXT)
        .order_by("code")
        .values_list("code", "name")
    ]
    return [(str(_("指标")), indicators), (str(_("数据项")), elements)]  # type: ignore[list-item]


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)


class TargetForm(forms.Form):
    code = forms.ChoiceField(label=_("指标"))
    kind = forms.ChoiceField(label=_("类型"), choices=TargetKind.choices)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)
    value = forms.DecimalField(
        label=_("目标值"),
        required=False,
        max_digits=14,
        decimal_places=4,
        min_value=Decimal("-1e9"),
    )
    low = forms.DecimalField(label=_("下限"), required=False, max_digits=14, decimal_places=4)
    high = forms.DecimalField(label=_("上限"), required=False, max_digits=14, decimal_places=4)
    basis = forms.CharField(
        label=_("依据说明"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    reason = forms.CharField(
        label=_("调整理由"),
        required=False,
        max_length=2000,
        help_text=_("责任状下达后调整目标必须填写。"),
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = code_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("direction") == Direction.WITHIN:
            if data.get("low") is None or data.get("high") is None:
                raise forms.ValidationError(_("方向为“区间内”时请填写下限和上限。"))
            data["value"] = None
        else:
            if data.get("value") is None:
                raise forms.ValidationError(_("请填写目标值。"))
            data["low"] = data["high"] = None
        return data


class CascadeForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("分解依据"), choices=CascadeBasis.choices, initial=CascadeBasis.POPULATION
    )
    reason = forms.CharField(
        label=_("调整理由"),
        required=False,
        max_length=2000,
        help_text=_("下级单位的责任状已下达时必须填写。"),
        widget=forms.Textarea({"rows": 2}),
    )


def parse_adjustments(data: Any, unit_ids: list[int]) -> tuple[dict[int, Decimal], list[str]]:
    """Per-unit adjustments of a copied rate, from fields named ``adj-<unit id>``."""
    found: dict[int, Decimal] = {}
    problems: list[str] = []
    for unit_id in unit_ids:
        raw = str(data.get(f"adj-{unit_id}", "") or "").strip()
        if not raw:
            continue
        try:
            number = Decimal(raw)
        except ArithmeticError:
            problems.append(f"调整值“{raw[:20]}”不是有效的数字。")
            continue
        if not number.is_finite() or abs(number) > 1000:
            problems.append(f"调整值“{raw[:20]}”超出范围。")
            continue
        if number:
            found[unit_id] = number
    return found, problems


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class ConfirmForm(forms.Form):
    reason = forms.CharField(
        label=_("调整理由"),
        required=False,
        max_length=2000,
        help_text=_("有单位的责任状已下达时必须填写。"),
        widget=forms.Textarea({"rows": 2}),
    )
