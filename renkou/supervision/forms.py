from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renkou.accounts.models import Role, User
from renkou.orgunits.models import Level, OrgUnit, subtree_q
from renkou.supervision import checklist_io
from renkou.supervision.checklist_io import ChecklistData, ChecklistFileError, ItemData
from renkou.supervision.files import ACCEPT, ACCEPT_IMAGES, Checked, UploadRejected, check_upload
from renkou.supervision.models import (
    TEMPLATE_LEVELS,
    ChecklistTemplate,
    Plan,
    PlanUnit,
    TaskStatus,
    Team,
    Weighting,
)
from renkou.supervision.scoring import Style

IMPORT_SALT = "supervision.checklist-import"
MIN_YEAR, MAX_YEAR = 2000, 2100
DECIMAL_ERRORS = {
    "invalid": _("请填写数字。"),
    "max_digits": _("数字太大。"),
    "max_decimal_places": _("最多两位小数。"),
    "min_value": _("不能小于%(limit_value)s。"),
    "max_value": _("不能大于%(limit_value)s。"),
}


def _year_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("年度"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("请填写四位数的年份。")},
        **kwargs,
    )


def _score_field(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=Decimal(999),
        max_digits=5,
        decimal_places=2,
        help_text=help_text,
        error_messages=DECIMAL_ERRORS,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- checklists ---------------------------------------------------------------


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    key = forms.RegexField(
        label=_("清单标识"),
        regex=r"^[a-z0-9][a-z0-9-]{0,39}$",
        help_text=_("同一清单各年度、各版本共用的标识，如 township、village"),
        error_messages={"invalid": _("只能用小写字母、数字和短横线，如 township。")},
    )
    year = _year_field()
    level = forms.TypedChoiceField(label=_("适用对象"), choices=TEMPLATE_LEVELS, coerce=int)
    overdue_deduction = _score_field(
        _("逾期整改每项扣分"),
        help_text=_("上月及以前的整改任务逾期未完成的，每项从本月得分中扣除；0表示不扣"),
    )
    overdue_cap = _score_field(_("逾期整改扣分上限"), required=False, help_text=_("留空则不设上限"))
    rectify_days = forms.IntegerField(
        label=_("整改期限（天）"),
        min_value=1,
        max_value=365,
        initial=15,
        error_messages={"invalid": _("请填写天数。")},
    )
    notes = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # Key and year name the lineage; a different year is a copy, not an edit.
            del self.fields["key"]
            del self.fields["year"]


class ItemForm(forms.Form):
    topic = forms.CharField(label=_("分类"), max_length=60)
    code = forms.RegexField(
        label=_("编号"),
        regex=r"^[A-Za-z0-9.\-]{1,12}$",
        error_messages={"invalid": _("编号只能用字母、数字、点和短横线，最多12位。")},
    )
    title = forms.CharField(label=_("检查内容"), max_length=200)
    points = _score_field(_("分值"))
    style = forms.ChoiceField(
        label=_("扣分方式"),
        choices=[(Style.OCCURRENCE.value, _("按次扣分")), (Style.YES_NO.value, _("是否符合"))],
        widget=forms.RadioSelect,
    )
    deduction = _score_field(
        _("扣分标准"), help_text=_("按次扣分：每发现一处问题扣的分；是否符合：不符合时扣的分")
    )
    cap = _score_field(
        _("扣分上限"), required=False, help_text=_("仅按次扣分；留空则扣完本项分值为止")
    )
    evidence_required = forms.BooleanField(label=_("扣分须附照片"), required=False)
    guidance = forms.CharField(
        label=_("评分说明"),
        max_length=300,
        required=False,
        help_text=_("写给督查人员和被督查单位看的评分标准，如“台账不全每份扣0.5分”"),
    )

    FIELD_OF_COLUMN = {"分值": "points", "扣分标准": "deduction", "扣分上限": "cap"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        item = self.item_data(data)
        for column, reason in checklist_io.item_problems(item):
            self.add_error(self.FIELD_OF_COLUMN.get(column), reason)
        return data

    @staticmethod
    def item_data(data: dict[str, Any]) -> ItemData:
        return ItemData(
            topic=data["topic"].strip(),
            code=data["code"],
            title=data["title"].strip(),
            points=data["points"],
            style=Style(data["style"]),
            deduction=data["deduction"],
            cap=data.get("cap"),
            evidence_required=bool(data.get("evidence_required")),
            guidance=data.get("guidance", "").strip(),
        )

    @property
    def item(self) -> ItemData:
        return self.item_data(self.cleaned_data)


class ImportForm(forms.Form):
    upload = forms.FileField(
        label=_("清单文件"),
        help_text=_("Excel（.xlsx，格式同“导出Excel”）或 YAML；2 MB以内"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.yaml,.yml"}),
    )

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        name = upload.name or ""
        if not name.lower().endswith((".xlsx", ".yaml", ".yml")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .yaml 文件。"))
        if (upload.size or 0) > checklist_io.MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件超过2 MB。"))
        return upload

    def parse(self) -> ChecklistData:
        """The checklist in the file, or ChecklistFileError listing every problem."""
        upload = self.cleaned_data["upload"]
        return checklist_io.read_file(upload.name or "", upload.read())


def import_token(data: ChecklistData) -> str:
    # The checked content travels back with the confirmation, signed, so the
    # server neither keeps the upload nor trusts a changed one.
    return signing.dumps(checklist_io.to_yaml(data), salt=IMPORT_SALT, compress=True)


class ConfirmImportForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    source = forms.CharField(widget=forms.HiddenInput, max_length=200, required=False)

    def clean_token(self) -> ChecklistData:
        try:
            text = signing.loads(self.cleaned_data["token"], salt=IMPORT_SALT, max_age=3600)
            return checklist_io.read_yaml(str(text).encode("utf-8"))
        except (signing.BadSignature, ChecklistFileError):
            raise forms.ValidationError(_("导入内容已过期或被改动，请重新上传文件。")) from None


class CopyTemplateForm(forms.Form):
    year = _year_field()


# --- plans ---------------------------------------------------------------------------


class PlanForm(forms.Form):
    year = _year_field()
    month = forms.IntegerField(
        label=_("月份"), min_value=1, max_value=12, error_messages={"invalid": _("请填写1至12。")}
    )
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    template = forms.ModelChoiceField(
        label=_("乡镇（街道）督查清单"), queryset=ChecklistTemplate.objects.none()
    )
    village_template = forms.ModelChoiceField(
        label=_("村（居）督查清单"),
        queryset=ChecklistTemplate.objects.none(),
        required=False,
        empty_label=_("（与乡镇相同）"),
    )
    bottom_n = forms.IntegerField(
        label=_("后进名单（倒数几名）"), min_value=0, max_value=20, initial=3
    )
    repeat_consecutive = forms.IntegerField(
        label=_("连续几个月后进列为“屡次后进”"), min_value=0, max_value=12, initial=3
    )
    repeat_total = forms.IntegerField(
        label=_("年内累计几次后进列为“屡次后进”"), min_value=0, max_value=12, initial=5
    )
    notes = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    include_townships = forms.BooleanField(
        label=_("列入全部乡镇（街道）"), required=False, initial=True
    )
    copy_teams = forms.BooleanField(
        label=_("沿用最近一期的督查组和分工"), required=False, initial=True
    )

    def __init__(
        self,
        *args: Any,
        templates: QuerySet[ChecklistTemplate],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates.filter(level=Level.TOWNSHIP)  # type: ignore[attr-defined]
        self.fields["village_template"].queryset = templates.filter(level=Level.VILLAGE)  # type: ignore[attr-defined]
        if editing:
            for name in ("year", "month", "include_townships", "copy_teams"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title") and data.get("year") and data.get("month"):
            data["title"] = f"{data['year']}年{data['month']}月人口家庭工作督查"
        return data


class TeamForm(forms.Form):
    name = forms.CharField(label=_("组名"), max_length=40)
    members = forms.ModelMultipleChoiceField(
        label=_("组员"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一名组员。")},
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inspectors are the county's and the townships' officers under the plan.
        self.fields["members"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            subtree_q(plan.root.path, "home_unit__"),
            role__in=[Role.COUNTY_ASSESSOR, Role.TOWNSHIP_OFFICER],
            is_active=True,
        ).order_by("home_unit__path", "username")
        self.fields["members"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.display_name}（{u.home_unit.name if u.home_unit else ''}）"
        )


class AssignForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("督查单位"),
        queryset=PlanUnit.objects.none(),
        error_messages={"required": _("请勾选要分配的单位。")},
    )
    team = forms.ModelChoiceField(
        label=_("督查组"), queryset=Team.objects.none(), required=False, empty_label=_("（未分配）")
    )
    visit_on = forms.DateField(label=_("督查日期"), required=False, widget=_date_widget())

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = plan.units.select_related("unit")  # type: ignore[attr-defined]
        self.fields["team"].queryset = plan.teams.all()  # type: ignore[attr-defined]
        self.plan = plan

    def clean_visit_on(self) -> dt.date | None:
        day: dt.date | None = self.cleaned_data.get("visit_on")
        if day is not None and (day.year, day.month) != (self.plan.year, self.plan.month):
            raise forms.ValidationError(
                _("督查日期应在%(month)s内。") % {"month": self.plan.month_label}
            )
        return day


class AddUnitsForm(forms.Form):
    townships = forms.ModelMultipleChoiceField(
        label=_("乡镇（街道）"),
        queryset=OrgUnit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    codes = forms.CharField(
        label=_("其他单位的区划代码"),
        required=False,
        max_length=2000,
        help_text=_("如需专门督查某个村（居），填写其12位代码，多个用空格或逗号分隔"),
    )

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        on_plan = plan.units.values("unit_id")
        self.fields["townships"].queryset = OrgUnit.objects.filter(  # type: ignore[attr-defined]
            subtree_q(plan.root.path), level=Level.TOWNSHIP, closed_on__isnull=True
        ).exclude(pk__in=on_plan)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        codes = [c for c in re.split(r"[\s,，、;；]+", data.get("codes") or "") if c]
        found = {
            u.code: u
            for u in OrgUnit.objects.filter(
                subtree_q(self.plan.root.path),
                code__in=codes,
                level__in=[Level.TOWNSHIP, Level.VILLAGE],
            )
        }
        missing = [c for c in codes if c not in found]
        if missing:
            self.add_error(
                "codes",
                _("没有找到这些单位，或它们不在本计划范围内：%(codes)s")
                % {"codes": "、".join(missing[:10])},
            )
        units = list(data.get("townships") or []) + [found[c] for c in codes if c in found]
        if not units and not self.errors:
            raise forms.ValidationError(_("请选择或填写要增加的单位。"))
        data["units"] = list({u.pk: u for u in units}.values())
        return data


class SampleForm(forms.Form):
    per_township = forms.IntegerField(
        label=_("每个乡镇（街道）抽查村（居）数"), min_value=1, max_value=20, initial=2
    )
    weighting = forms.ChoiceField(
        label=_("抽样方式"), choices=Weighting.choices, initial=Weighting.NONE
    )
    boost = forms.DecimalField(
        label=_("倾斜系数"),
        min_value=Decimal(0),
        max_value=Decimal(10),
        max_digits=4,
        decimal_places=2,
        initial=Decimal(1),
        help_text=_("权重 = 1 + 倾斜系数 ×（满分 − 上次得分）÷ 满分"),
        error_messages=DECIMAL_ERRORS,
    )
    seed = forms.IntegerField(
        label=_("随机种子"),
        required=False,
        min_value=0,
        max_value=10**12,
        help_text=_("留空由系统随机生成；也可在抽样会上公开商定一个数，如当日彩票开奖号码"),
        error_messages={"invalid": _("随机种子应为整数。")},
    )


# --- inspections and tasks ---------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AcknowledgeForm(forms.Form):
    objection = forms.TypedChoiceField(
        label=_("确认意见"),
        choices=[("0", _("对督查结果无异议")), ("1", _("有异议"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("有异议时请写明理由"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("objection") and not (data.get("note") or "").strip():
            self.add_error("note", _("有异议时请写明理由。"))
        return data


class _FileForm(forms.Form):
    images_only = False
    checked: Checked

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            self.checked = check_upload(upload, images_only=self.images_only)
        except UploadRejected as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class EvidenceForm(_FileForm):
    file = forms.FileField(
        label=_("佐证材料"),
        help_text=_("照片或PDF，10 MB以内"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("请选择文件。")},
    )


class PhotoForm(_FileForm):
    images_only = True
    file = forms.FileField(
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_IMAGES}),
        error_messages={"required": _("请选择照片。")},
    )
    item = forms.IntegerField(min_value=1)
    uuid = forms.UUIDField(error_messages={"invalid": _("照片编号无效。")})


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


def _default_deadline() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


class ReopenTaskForm(forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("新的整改期限"), initial=_default_deadline, widget=_date_widget()
    )

    def clean_deadline(self) -> dt.date:
        day: dt.date = self.cleaned_data["deadline"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("新的整改期限不能早于今天。"))
        return day


class OpenTaskForm(forms.Form):
    result = forms.IntegerField(widget=forms.HiddenInput)
    deadline = forms.DateField(label=_("整改期限"), widget=_date_widget())
    description = forms.CharField(
        label=_("整改要求"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_deadline(self) -> dt.date:
        day: dt.date = self.cleaned_data["deadline"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("整改期限不能早于今天。"))
        return day


class TaskFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), *TaskStatus.choices],
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)
    q = forms.CharField(label=_("单位或问题"), required=False, max_length=30)


class YearForm(forms.Form):
    year = _year_field(required=False)
