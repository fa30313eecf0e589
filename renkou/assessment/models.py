"""Assessment schemes stored per year and level, runs and their results,
assessor-entered facts, flexible-assessment adjustments, appeals, publication
and pay linkage.

Every score comes from ``renkou.scoring``: a run stores, per unit, the inputs
in the kernel's documented units shape (``code, name, class, values, targets,
previous``), both as assembled (``raw_inputs``) and after approved
adjustments (``inputs``), and the kernel's result for each. Scoring the stored
``inputs`` with the stored scheme snapshot by ``renkou score`` gives exactly
what the app shows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import Level, OrgUnit

USER = settings.AUTH_USER_MODEL
SCORE: dict[str, Any] = {"max_digits": 12, "decimal_places": 4}


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    RETIRED = "retired", _("停用")


class Scheme(models.Model):
    """An assessment scheme (考核细则) an owner unit applies to its units of one level."""

    owner = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="schemes", verbose_name=_("考核单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.PositiveSmallIntegerField(_("被考核层级"), choices=Level.choices)
    code = models.CharField(_("编码"), max_length=60)
    name = models.CharField(_("名称"), max_length=200)
    # The scheme as the kernel reads it (a mapping) and as YAML text for people.
    data = models.JSONField(_("方案"))
    source = models.TextField(_("YAML"), blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "owner__path", "level", "code"]
        verbose_name = _("考核方案")
        constraints = [
            models.UniqueConstraint(fields=["owner", "year", "level", "code"], name="scheme_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Fact(models.Model):
    """A figure an assessor enters for a unit and year (e.g. proven data fraud,
    a major petition), with a note and evidence. Read into runs as a value."""

    year = models.PositiveSmallIntegerField(_("年度"))
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("事项编码"), max_length=60)
    value = models.DecimalField(_("数值"), **SCORE)
    note = models.TextField(_("说明"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment-evidence/", blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["year", "orgunit__path", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "orgunit", "code"], name="fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.orgunit_id} {self.code}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    FAILED = "failed", _("失败")
    SCORED = "scored", _("已评分")
    RELEASED = "released", _("已反馈（申诉期）")
    PUBLISHED = "published", _("已发布")


class Run(models.Model):
    """One assessment of the units of ``root``'s subtree at the scheme's level."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    year = models.PositiveSmallIntegerField(_("年度"))
    root = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    # The scheme exactly as scored; a later edit of the scheme does not change the run.
    scheme_data = models.JSONField(default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    # Bumped each time the run is scored again (after an adjustment or appeal).
    revision = models.PositiveIntegerField(_("评分次数"), default=0)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=7)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    scored_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    appeal_deadline = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("考核")

    def __str__(self) -> str:
        return f"{self.year} {self.scheme_id} #{self.pk}"


class RunUnit(models.Model):
    """One unit's inputs and result in a run."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="units")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    class_code = models.CharField(max_length=30, blank=True)
    raw_inputs = models.JSONField(default=dict)
    inputs = models.JSONField(default=dict)
    # UnitResult.to_dict() of the raw and the adjusted inputs.
    raw_result = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    raw_total = models.DecimalField(**SCORE, null=True)
    total = models.DecimalField(**SCORE, null=True)
    grade = models.CharField(max_length=30, blank=True)
    rank = models.PositiveIntegerField(null=True)
    class_rank = models.PositiveIntegerField(null=True)
    vetoed = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "rank", "orgunit__path"]
        constraints = [models.UniqueConstraint(fields=["run", "orgunit"], name="run_unit_unique")]

    def __str__(self) -> str:
        return f"{self.run_id} {self.orgunit_id}"


class AdjustmentReason(models.TextChoices):
    DISASTER = "disaster", _("自然灾害")
    BOUNDARY = "boundary", _("区划调整")
    OUTAGE = "outage", _("信息系统故障")
    POLICY = "policy", _("政策调整")
    APPEAL = "appeal", _("申诉成立")
    OTHER = "other", _("其他客观原因")


class DecisionStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    APPROVED = "approved", _("已同意")
    REJECTED = "rejected", _("已驳回")


class Adjustment(models.Model):
    """柔性考核: a change to one input figure of one unit's item, for an objective
    reason, proposed by one person and decided by another (four eyes)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="adjustments")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(_("考核项目"), max_length=60)
    # Which figure changes: a value key, ``target.<code>`` or ``previous.<key>``.
    field = models.CharField(_("调整的数据"), max_length=80)
    old_value = models.DecimalField(**SCORE, null=True, blank=True)
    new_value = models.DecimalField(_("调整后数值"), **SCORE, null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=12, choices=AdjustmentReason.choices)
    note = models.TextField(_("说明"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment-evidence/", blank=True)
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "proposed_at"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.orgunit_id} {self.item_code}"


class AppealStatus(models.TextChoices):
    FILED = "filed", _("待处理")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉不成立")
    WITHDRAWN = "withdrawn", _("已撤回")


class Appeal(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="appeals")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    item_code = models.CharField(_("考核项目"), max_length=60)
    reason = models.TextField(_("申诉理由"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment-evidence/", blank=True)
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.FILED
    )
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(_("处理意见"), blank=True)
    adjustment = models.OneToOneField(
        Adjustment, on_delete=models.SET_NULL, null=True, blank=True, related_name="appeal"
    )

    class Meta:
        ordering = ["run", "filed_at"]

    def __str__(self) -> str:
        return f"{self.run_id} {self.orgunit_id} {self.item_code}"


class Publication(models.Model):
    """The frozen, published result of a run: the notice (通报) as PDF and Excel."""

    run = models.OneToOneField(Run, on_delete=models.PROTECT, related_name="publication")
    title = models.CharField(_("标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=60, blank=True)
    commended = models.JSONField(default=list)
    must_rectify = models.JSONField(default=list)
    pdf = models.BinaryField()
    xlsx = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    published_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.title


class PayRule(models.Model):
    """绩效挂钩: a grade (or a score band) and region class → coefficient or amount."""

    owner = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    region_class = models.ForeignKey(
        "orgunits.RegionClass", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    grade = models.CharField(_("等级"), max_length=30, blank=True)
    min_score = models.DecimalField(_("最低分"), **SCORE, null=True, blank=True)
    max_score = models.DecimalField(_("最高分（不含）"), **SCORE, null=True, blank=True)
    coefficient = models.DecimalField(
        _("绩效系数"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    amount = models.DecimalField(
        _("奖励金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["owner", "year", "region_class", "grade", "min_score"]

    def __str__(self) -> str:
        return f"{self.year} {self.grade or self.min_score}"


class Cadre(models.Model):
    """A village cadre on the pay roster (姓名、职务、基本报酬)."""

    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="cadres")
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("职务"), max_length=50)
    base_pay = models.DecimalField(_("基本报酬（元/年）"), max_digits=12, decimal_places=2)
    active = models.BooleanField(_("在职"), default=True)

    class Meta:
        ordering = ["orgunit__path", "name"]

    def __str__(self) -> str:
        return self.name
