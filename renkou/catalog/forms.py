"""Forms of the catalogue pages. Each turns its fields into a document entry and
lets the document checks (catalog.document) judge it, so a page and a YAML
file are held to exactly the same rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renkou.catalog.document import (
    CatalogFileError,
    DataSetSpec,
    ElementSpec,
    IndicatorSpec,
    RuleSpec,
    check_document,
)
from renkou.catalog.models import (
    CODE_MAX_LENGTH,
    Aggregation,
    DataElement,
    DataSet,
    DataSetPeriodType,
    Direction,
    ElementSource,
    Factor,
    Importance,
    Operator,
    Severity,
    ValueType,
)
from renkou.catalog.selectors import known_codes
from renkou.orgunits.models import Level

MAX_CATALOG_UPLOAD = 2 * 1024 * 1024


def _plain(value: Any) -> Any:
    # Decimals go to the checks as text so they are read exactly as typed.
    return (
        None
        if value is None
        else str(value)
        if not isinstance(value, bool | int | str | list)
        else value
    )


class _SpecForm(forms.Form):
    """Shared: code on creation only, and the document checks in clean()."""

    section = ""
    code = forms.CharField(label=_("编码"), max_length=CODE_MAX_LENGTH)

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.creating = creating
        if not creating:
            del self.fields["code"]
        self.spec: Any = None

    def raw(self, data: dict[str, Any]) -> dict[str, Any]:
        return {key: _plain(value) for key, value in data.items() if key in self.fields}

    def document(self, entry: dict[str, Any], known: dict[str, str]) -> dict[str, Any]:
        return {self.section: [entry]}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        known = known_codes()
        code = data.get("code") if self.creating else self.initial.get("code", "")
        if self.creating and code in known:
            self.add_error("code", _("编码 %(code)s 已被使用。") % {"code": code})
            return data
        entry = self.raw(data)
        entry["code"] = code
        try:
            checked = check_document(self.document(entry, known), known=known)
        except CatalogFileError as exc:
            for problem in exc.problems:
                name = problem.where.rsplit(".", 1)[-1].split("[")[0]
                self.add_error(name if name in self.fields else None, problem.reason)
            return data
        self.spec = self.pick(checked)
        return data

    def pick(self, checked: Any) -> Any:
        return getattr(checked, {"data_elements": "elements"}.get(self.section, self.section))[0]


class ElementForm(_SpecForm):
    section = "data_elements"
    name = forms.CharField(label=_("名称"), max_length=100)
    unit = forms.CharField(label=_("计量单位"), max_length=20, required=False)
    value_type = forms.ChoiceField(label=_("数据类型"), choices=ValueType.choices)
    aggregation = forms.ChoiceField(
        label=_("汇总方式"),
        choices=Aggregation.choices,
        help_text=_("期末值：取期内最后一期的数（如月末人口）；平均：各期平均、各单位相加"),
    )
    plausible_min = forms.DecimalField(
        label=_("合理下限"), required=False, max_digits=18, decimal_places=4
    )
    plausible_max = forms.DecimalField(
        label=_("合理上限"), required=False, max_digits=18, decimal_places=4
    )
    options = forms.CharField(
        label=_("可选值"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("文本型数据项的下拉选项，每行一个"),
    )
    source = forms.ChoiceField(label=_("来源"), choices=ElementSource.choices, initial="entered")
    source_data_set = forms.ModelChoiceField(
        label=_("统计的报表"),
        queryset=DataSet.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("（填报的数据项不需要）"),
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def raw(self, data: dict[str, Any]) -> dict[str, Any]:
        entry = super().raw(data)
        entry["options"] = [
            line.strip() for line in (data.get("options") or "").splitlines() if line.strip()
        ]
        source_set = data.get("source_data_set")
        entry["source_data_set"] = source_set.code if source_set else ""
        return entry

    def document(self, entry: dict[str, Any], known: dict[str, str]) -> dict[str, Any]:
        return {"data_elements": [entry]}

    @staticmethod
    def initial_for(element: DataElement) -> dict[str, Any]:
        return {
            "code": element.code,
            "name": element.name,
            "unit": element.unit,
            "value_type": element.value_type,
            "aggregation": element.aggregation,
            "plausible_min": element.plausible_min,
            "plausible_max": element.plausible_max,
            "options": "\n".join(element.options or []),
            "source": element.source,
            "source_data_set": element.source_data_set.code if element.source_data_set else None,
            "description": element.description,
        }

    @property
    def element_spec(self) -> ElementSpec:
        spec: ElementSpec = self.spec
        return spec


class IndicatorForm(_SpecForm):
    section = "indicators"
    name = forms.CharField(label=_("名称"), max_length=100)
    numerator = forms.CharField(
        label=_("分子公式"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "code"}),
        help_text=_(
            "用 #{编码} 引用数据项，如 #{births_male} + #{births_female}；"
            "#{编码}.previous 为上期，.ytd 为本年累计"
        ),
    )
    denominator = forms.CharField(
        label=_("分母公式"),
        max_length=2000,
        initial="1",
        widget=forms.Textarea(attrs={"rows": 2, "class": "code"}),
    )
    factor = forms.TypedChoiceField(label=_("倍数"), choices=Factor.choices, coerce=int)
    annualized = forms.BooleanField(
        label=_("按年折算"),
        required=False,
        help_text=_("月、季度和累计期间的比率折算为全年水平"),
    )
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)
    range_low = forms.DecimalField(
        label=_("合理区间下限"), required=False, max_digits=18, decimal_places=4
    )
    range_high = forms.DecimalField(
        label=_("合理区间上限"), required=False, max_digits=18, decimal_places=4
    )
    decimals = forms.IntegerField(label=_("小数位数"), min_value=0, max_value=6, initial=1)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=10_000, initial=0)
    definition = forms.CharField(
        label=_("口径说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @property
    def indicator_spec(self) -> IndicatorSpec:
        spec: IndicatorSpec = self.spec
        return spec


class DataSetForm(_SpecForm):
    section = "data_sets"
    name = forms.CharField(label=_("名称"), max_length=100)
    period_type = forms.ChoiceField(label=_("报告期"), choices=DataSetPeriodType.choices)
    reporting_level = forms.TypedChoiceField(label=_("填报层级"), choices=Level.choices, coerce=int)
    due_days = forms.IntegerField(
        label=_("截止天数"), min_value=0, max_value=365, help_text=_("报告期结束后第几天截止报送")
    )
    lock_days = forms.IntegerField(
        label=_("锁定天数"),
        min_value=0,
        max_value=3650,
        help_text=_("报告期结束后多少天自动锁定；0 表示只由县级手工锁定"),
    )
    elements = forms.ModelMultipleChoiceField(
        label=_("数据项"),
        queryset=DataElement.objects.filter(source=ElementSource.ENTERED).order_by("code"),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    element_order = forms.CharField(
        label=_("数据项顺序"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "code"}),
        help_text=_("可选：按填报表中的顺序列出编码，以空格或换行分隔；未列出的排在后面"),
    )
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def raw(self, data: dict[str, Any]) -> dict[str, Any]:
        entry = super().raw(data)
        chosen = [e.code for e in data.get("elements") or []]
        order = (data.get("element_order") or "").split()
        ordered = [code for code in order if code in chosen]
        entry["elements"] = ordered + [code for code in chosen if code not in ordered]
        entry.pop("element_order", None)
        return entry

    @property
    def data_set_spec(self) -> DataSetSpec:
        spec: DataSetSpec = self.spec
        return spec


class RuleForm(_SpecForm):
    section = "data_sets"
    name = forms.CharField(label=_("名称"), max_length=100)
    left = forms.CharField(
        label=_("左式"), max_length=2000, widget=forms.TextInput(attrs={"class": "code"})
    )
    operator = forms.ChoiceField(label=_("比较"), choices=Operator.choices)
    right = forms.CharField(
        label=_("右式"), max_length=2000, widget=forms.TextInput(attrs={"class": "code"})
    )
    importance = forms.ChoiceField(label=_("重要性"), choices=Importance.choices, initial="medium")
    severity = forms.ChoiceField(label=_("处理方式"), choices=Severity.choices)
    message = forms.CharField(
        label=_("提示信息"), max_length=200, help_text=_("不通过时显示给填报人的一句话")
    )

    def __init__(self, *args: Any, data_set: DataSet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data_set = data_set

    def document(self, entry: dict[str, Any], known: dict[str, str]) -> dict[str, Any]:
        members = [m.element.code for m in self.data_set.members.select_related("element")]
        return {
            "data_sets": [
                {
                    "code": self.data_set.code,
                    "name": self.data_set.name,
                    "elements": members,
                    "rules": [entry],
                }
            ]
        }

    def pick(self, checked: Any) -> Any:
        return checked.data_sets[0].rules[0]

    @property
    def rule_spec(self) -> RuleSpec:
        spec: RuleSpec = self.spec
        return spec


class CatalogUploadForm(forms.Form):
    upload = forms.FileField(
        label=_("指标目录文件"), help_text=_("本系统导出的 YAML（或 JSON）文件")
    )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if (upload.size or 0) > MAX_CATALOG_UPLOAD:
            raise forms.ValidationError(_("文件超过 2 MB，不像是指标目录。"))
        return upload
