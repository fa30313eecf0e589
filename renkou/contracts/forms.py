from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from renkou.contracts.actions import SIGNER_MAX, normalize_code

MAX_PDF_BYTES = 20 * 1024 * 1024


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)


class AcknowledgeForm(forms.Form):
    signer_name = forms.CharField(
        label=_("签收人姓名"),
        max_length=SIGNER_MAX,
        error_messages={"required": _("请填写签收人姓名。")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    confirm = forms.BooleanField(
        label=_("我已阅知本责任书的全部内容，代表本单位签收"),
        error_messages={"required": _("请勾选“我已阅知”后再签收。")},
    )

    def clean_signer_name(self) -> str:
        name = " ".join(str(self.cleaned_data["signer_name"]).split())
        if not name:
            raise forms.ValidationError(_("请填写签收人姓名。"))
        return name


class AmendForm(forms.Form):
    reason = forms.CharField(
        label=_("修订理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写修订理由。")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("请填写修订理由。"))
        return reason


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=40,
        error_messages={"required": _("请输入责任书上印的验证码。")},
        widget=forms.TextInput(attrs={"placeholder": "RK-XXXX-XXXX-XXXX", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        code = normalize_code(str(self.cleaned_data["code"]))
        if code is None:
            raise forms.ValidationError(
                _("验证码格式不对：应为 RK- 开头的12位字母和数字，如 RK-7K3M-Q9TZ-2HXA。")
            )
        return code


class PdfCheckForm(forms.Form):
    file = forms.FileField(
        label=_("上传PDF文件核对"),
        error_messages={"required": _("请选择要核对的PDF文件。")},
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PDF_BYTES:
            raise forms.ValidationError(_("文件太大（超过20MB），不是本平台生成的责任书。"))
        data: bytes = upload.read()
        if not data.startswith(b"%PDF"):
            raise forms.ValidationError(_("这不是PDF文件。"))
        return data
