"""Annual targets per unit and indicator, with every version kept.

A target names a catalogue code (a data element such as ``births_male`` or an
indicator such as ``srb``) for one unit and year. It is either a single value
or a band (``low``–``high``, e.g. SRB 103–107). Count targets can be cascaded
(split over the children of a unit so the parts add up to the whole); rate
targets are copied or adjusted, never split.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.orgunits.models import OrgUnit


class TargetKind(models.TextChoices):
    COUNT = "count", _("数量")
    RATE = "rate", _("比率")


class TargetSource(models.TextChoices):
    MANUAL = "manual", _("手工设定")
    CASCADED = "cascaded", _("分解下达")
    SUGGESTED = "suggested", _("测算建议")
    IMPORTED = "imported", _("Excel导入")


class Direction(models.TextChoices):
    """Which side of the target is good: it colours progress and explains it."""

    AT_LEAST = "at_least", _("不低于")
    AT_MOST = "at_most", _("不高于")
    WITHIN = "within", _("区间内")


class CascadeBasis(models.TextChoices):
    POPULATION = "population", _("按常住人口")
    WOMEN_15_49 = "women_15_49", _("按育龄妇女（15–49岁）")
    LAST_YEAR_BIRTHS = "last_year_births", _("按上年出生数")
    EQUAL = "equal", _("平均分配")


class Target(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="targets", verbose_name=_("单位")
    )
    code = models.CharField(_("指标编码"), max_length=50)
    kind = models.CharField(_("类型"), max_length=10, choices=TargetKind.choices)
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST
    )
    value = models.DecimalField(_("目标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    low = models.DecimalField(_("下限"), max_digits=14, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(_("上限"), max_digits=14, decimal_places=4, null=True, blank=True)
    source = models.CharField(
        _("来源"), max_length=12, choices=TargetSource.choices, default=TargetSource.MANUAL
    )
    basis = models.TextField(_("依据说明"), blank=True)
    # The target of the parent unit this one was cascaded from, if any.
    cascaded_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("分解自"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    set_at = models.DateTimeField(_("设定时间"))

    class Meta:
        ordering = ["year", "orgunit__path", "code"]
        verbose_name = _("目标")
        constraints = [
            models.UniqueConstraint(fields=["year", "orgunit", "code"], name="target_unique")
        ]
        indexes = [models.Index(fields=["year", "code"])]

    def __str__(self) -> str:
        return f"{self.year} {self.orgunit_id} {self.code}"


class TargetVersion(models.Model):
    """A target as it stood at one version; the current version is stored too."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    low = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    high = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    source = models.CharField(max_length=12, choices=TargetSource.choices)
    basis = models.TextField(blank=True)
    # Required once the unit's contract for the year has been issued.
    reason = models.TextField(_("调整理由"), blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["target", "version"]
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="target_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.target_id} v{self.version}"
