"""Monthly supervision (月督查): checklists, plans, inspections, rectification, results.

State changes live in ``actions.py``; nothing here has behaviour beyond
derived read-only properties.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import Level, OrgUnit
from renkou.supervision.scoring import Style


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


TEMPLATE_LEVELS = [(Level.TOWNSHIP.value, _("乡镇/街道")), (Level.VILLAGE.value, _("村/居委会"))]


class ChecklistTemplate(models.Model):
    """A checklist for one year. Once published it never changes: a change is a
    new version, so every score can be traced to the exact rules it used."""

    owner = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("制定单位")
    )
    key = models.SlugField(_("清单标识"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    level = models.PositiveSmallIntegerField(_("适用对象"), choices=TEMPLATE_LEVELS)
    status = models.CharField(
        _("状态"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT
    )
    overdue_deduction = models.DecimalField(
        _("逾期整改每项扣分"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    overdue_cap = models.DecimalField(
        _("逾期整改扣分上限"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    rectify_days = models.PositiveSmallIntegerField(_("整改期限（天）"), default=15)
    notes = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "key", "-version"]
        verbose_name = _("督查清单")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "key", "year", "version"], name="supervision_template_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}年第{self.version}版）"

    @property
    def is_draft(self) -> bool:
        return self.status == TemplateStatus.DRAFT


class ChecklistItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    topic = models.CharField(_("分类"), max_length=60)
    code = models.CharField(_("编号"), max_length=12)
    title = models.CharField(_("检查内容"), max_length=200)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    style = models.CharField(
        _("扣分方式"),
        max_length=12,
        choices=[(Style.OCCURRENCE.value, _("按次扣分")), (Style.YES_NO.value, _("是否符合"))],
    )
    deduction = models.DecimalField(_("扣分标准"), max_digits=6, decimal_places=2)
    cap = models.DecimalField(_("扣分上限"), max_digits=6, decimal_places=2, null=True, blank=True)
    evidence_required = models.BooleanField(_("扣分须附照片"), default=False)
    guidance = models.CharField(_("评分说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("检查项")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="supervision_item_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("编制中")
    ACTIVE = "active", _("督查中")
    CLOSED = "closed", _("结果已发布")


class Weighting(models.TextChoices):
    NONE = "none", _("等概率")
    POOR = "poor", _("向上次得分低的村倾斜")


class Plan(models.Model):
    """One month's supervision of the units under ``root`` (usually a county)."""

    root = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    title = models.CharField(_("标题"), max_length=100)
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇清单")
    )
    village_template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("村（居）清单"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    bottom_n = models.PositiveSmallIntegerField(_("后进名单人数"), default=3)
    repeat_consecutive = models.PositiveSmallIntegerField(_("连续后进月数"), default=3)
    repeat_total = models.PositiveSmallIntegerField(_("年度累计后进次数"), default=5)
    notes = models.TextField(_("说明"), blank=True)
    sample_per_township = models.PositiveSmallIntegerField(_("每乡镇抽查村数"), default=0)
    sample_weighting = models.CharField(
        _("抽样方式"), max_length=10, choices=Weighting.choices, default=Weighting.NONE
    )
    sample_boost = models.DecimalField(
        _("倾斜系数"), max_digits=4, decimal_places=2, default=Decimal(1)
    )
    sample_seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    sample_record = models.JSONField(default=dict, blank=True)
    sample_draws = models.PositiveSmallIntegerField(_("抽取次数"), default=0)
    sample_drawn_at = models.DateTimeField(null=True, blank=True)
    sample_drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    bulletin_no = models.PositiveSmallIntegerField(_("通报期数"), null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-year", "-month", "-id"]
        verbose_name = _("督查计划")
        constraints = [
            models.UniqueConstraint(fields=["root", "year", "month"], name="supervision_plan_month")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def month_label(self) -> str:
        return f"{self.year}年{self.month}月"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def month_index(self) -> int:
        return self.year * 12 + self.month - 1

    def template_for(self, unit: OrgUnit) -> ChecklistTemplate:
        if unit.level == Level.VILLAGE and self.village_template_id:
            assert self.village_template is not None
            return self.village_template
        return self.template


class Team(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("组名"), max_length=40)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervision_teams", verbose_name=_("组员")
    )

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("督查组")

    def __str__(self) -> str:
        return self.name


class UnitSource(models.TextChoices):
    LISTED = "listed", _("计划")
    SAMPLED = "sampled", _("随机抽取")


class PlanUnit(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=10, choices=UnitSource.choices, default=UnitSource.LISTED)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )
    visit_on = models.DateField(_("督查日期"), null=True, blank=True)
    draw_order = models.PositiveSmallIntegerField(null=True, blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["plan", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="supervision_plan_unit")
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.unit.name}"


class InspectionStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("待单位确认")
    ACKNOWLEDGED = "acknowledged", _("单位已确认")


class Inspection(models.Model):
    plan_unit = models.OneToOneField(PlanUnit, on_delete=models.PROTECT, related_name="inspection")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="inspections")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="+")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.DRAFT
    )
    revision = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    visited_on = models.DateField(_("督查日期"))
    representative = models.CharField(_("单位陪同人员"), max_length=50, blank=True)
    remarks = models.TextField(_("总体意见"), blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)
    located_at = models.DateTimeField(null=True, blank=True)
    full_marks = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    overdue_count = models.PositiveIntegerField(default=0)
    overdue_deduction = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal(0))
    overdue_explanation = models.CharField(max_length=300, blank=True)
    overdue_task_ids = models.JSONField(default=list, blank=True)
    explanation = models.CharField(max_length=300, blank=True)
    ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    ack_at = models.DateTimeField(null=True, blank=True)
    ack_objection = models.BooleanField(default=False)
    ack_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-plan__year", "-plan__month", "unit__path"]
        verbose_name = _("督查记录")

    def __str__(self) -> str:
        return f"{self.plan.month_label} {self.unit.name}"

    @property
    def is_draft(self) -> bool:
        return self.status == InspectionStatus.DRAFT

    @property
    def item_deduction(self) -> Decimal:
        if self.full_marks is None or self.total is None:
            return Decimal(0)
        return self.full_marks - self.total - self.overdue_deduction


class InspectionResult(models.Model):
    """The finding and score of one checklist item in one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="+")
    occurrences = models.PositiveIntegerField(default=0)
    failed = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    rectify = models.BooleanField(default=True)
    deduction = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    explanation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["inspection", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="supervision_result_item")
        ]

    def __str__(self) -> str:
        return f"{self.inspection} · {self.item.code}"

    @property
    def has_finding(self) -> bool:
        return self.occurrences > 0 or self.failed


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待核验")
    VERIFIED = "verified", _("已销号")


class RectificationTask(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="tasks")
    result = models.OneToOneField(
        InspectionResult, on_delete=models.PROTECT, related_name="task", null=True, blank=True
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="tasks")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("问题"), max_length=200)
    description = models.TextField(_("问题说明"), blank=True)
    deadline = models.DateField(_("整改期限"))
    first_deadline = models.DateField(_("原定期限"))
    status = models.CharField(
        _("状态"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    done_late = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reopened_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改任务")
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"{self.unit.name}：{self.title}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == TaskStatus.OPEN and self.deadline < today

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.deadline).days if self.is_overdue(today) else 0


class TaskEventKind(models.TextChoices):
    OPENED = "opened", _("开具整改任务")
    EVIDENCE = "evidence", _("上传佐证")
    DONE = "done", _("报告整改完成")
    VERIFIED = "verified", _("核验销号")
    REOPENED = "reopened", _("退回重新整改")


class TaskEvent(models.Model):
    """The task's own timeline, shown on its page (the audit log holds the same facts)."""

    task = models.ForeignKey(RectificationTask, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=TaskEventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the uploaded name is kept only as text, so no
    # user-chosen string ever becomes part of a path.
    now = timezone.localtime()
    ext = PurePosixPath(filename).suffix.lower()[:6]
    return f"supervision/{now:%Y}/{now:%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    """A photo of a finding or a piece of rectification evidence.

    Files live under MEDIA_ROOT and are only ever served by the scoped view.
    """

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    result = models.ForeignKey(
        InspectionResult,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
    )
    task = models.ForeignKey(
        RectificationTask,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/") and self.content_type != "image/heic"


class MonthlyResult(models.Model):
    """A unit's place in a month's published ranking. Written once, when the
    plan's results are published, so later changes never rewrite a bulletin."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, related_name="monthly_result"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    score = models.DecimalField(max_digits=7, decimal_places=2)
    rank = models.PositiveSmallIntegerField()
    rank_of = models.PositiveSmallIntegerField()
    bottom = models.BooleanField(default=False)
    streak = models.PositiveSmallIntegerField(default=0)
    year_count = models.PositiveSmallIntegerField(default=0)
    repeat = models.BooleanField(default=False)
    explanation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "level", "rank", "unit__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="supervision_result_unit")
        ]

    def __str__(self) -> str:
        return f"{self.plan.month_label} {self.unit.name} 第{self.rank}名"

    @property
    def repeat_reason(self) -> str:
        """Why the unit is a repeat offender, in a few words (empty when it is not)."""
        reasons = []
        if self.repeat and self.streak >= self.plan.repeat_consecutive:
            reasons.append(f"连续{self.streak}个月列入后进名单")
        if self.repeat and self.year_count >= self.plan.repeat_total:
            reasons.append(f"本年度第{self.year_count}次列入后进名单")
        return "，".join(reasons)
