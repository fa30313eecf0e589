from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from renkou.catalog.models import DataSet
from renkou.periods import PeriodError, parse

# A 25,000-row template is about 3 MB; anything near this limit is not one.
EXCEL_MAX_BYTES = 20 * 1024 * 1024


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("退回原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("退回时请写明原因。")},
    )


class LockForm(forms.Form):
    reason = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("重新开放的原因"),
        max_length=200,
        error_messages={"required": _("重新开放报告期时请写明原因。")},
    )


class PlaceForm(forms.Form):
    """Data set, period and unit chosen on the board, the Excel page and the pivot."""

    data_set = forms.ModelChoiceField(
        label=_("报表"), queryset=DataSet.objects.order_by("code"), to_field_name="code"
    )
    period = forms.CharField(label=_("报告期"), max_length=10, help_text=_("如 202510"))
    unit = forms.RegexField(
        label=_("单位代码"),
        regex=r"^\d{2,12}$",
        required=False,
        error_messages={"invalid": _("请填写2至12位数字的区划代码")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data_set = data.get("data_set")
        text = data.get("period")
        if data_set is not None and text:
            try:
                period = parse(text)
            except PeriodError as exc:
                self.add_error("period", str(exc))
                return data
            if period.type.value != data_set.period_type:
                self.add_error(
                    "period",
                    _("“%(name)s”是%(kind)s，报告期应为%(kind)s期间。")
                    % {"name": data_set.name, "kind": data_set.get_period_type_display()},
                )
                return data
            data["period_obj"] = period
        return data


class ExcelUploadForm(forms.Form):
    upload = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("从本系统下载的模板（.xlsx），填好后上传；先预览，确认后才写入。"),
    )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        limit = min(EXCEL_MAX_BYTES, settings.UPLOAD_MAX_BYTES)
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB 的上限。模板每村一行，通常只有几 MB，请检查是否选错了文件。")
                % {"mb": limit // (1024 * 1024)}
            )
        if not (upload.name or "").lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("请上传 .xlsx 格式的 Excel 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。")
            )
        return upload
