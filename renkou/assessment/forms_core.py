"""Input of the scheme, fact and run pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import Level

LEVELS = [(Level.TOWNSHIP.value, _("乡镇（街道）")), (Level.VILLAGE.value, _("村（居）"))]


class SchemeUploadForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    level = forms.TypedChoiceField(label=_("被考核层级"), choices=LEVELS, coerce=int)
    upload = forms.FileField(
        label=_("方案文件（YAML、JSON 或 Excel）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json,.xlsx"}),
    )


class SchemeReplaceForm(forms.Form):
    upload = forms.FileField(
        label=_("新版方案文件（YAML、JSON 或 Excel）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json,.xlsx"}),
    )


class FactForm(forms.Form):
    unit = forms.CharField(label=_("单位区划代码"), max_length=12)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    code = forms.SlugField(
        label=_("事项编码"),
        max_length=60,
        help_text=_("方案中引用的编码，如 data_fraud（数据造假）、major_petition（重大信访）"),
    )
    value = forms.DecimalField(label=_("数值"), max_digits=12, decimal_places=4, initial=Decimal(1))
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    evidence = forms.FileField(label=_("佐证材料（图片或PDF）"), required=False)

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()
