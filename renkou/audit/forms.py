from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("操作人账号"), max_length=150, required=False)
    action = forms.CharField(
        label=_("操作"), max_length=60, required=False, help_text=_("如 accounts.grant_role")
    )
    object_type = forms.CharField(label=_("对象类型"), max_length=60, required=False)
    q = forms.CharField(label=_("对象或原因包含"), max_length=100, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return data
