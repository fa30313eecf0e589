"""Reports, the values in them, their approval, period locks, and stored rollups.

A value belongs to (data element, org unit, period), not to a report: the same
figure is what the form shows, what Excel and dataValueSets exchange, and
what the rollups read. A report is the workflow around one unit's form for
one data set and period.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.catalog.models import DataElement, DataSet
from renkou.orgunits.models import OrgUnit

PERIOD_MAX_LENGTH = 7


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交待审核")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("乡镇已审核")
    ACCEPTED = "accepted", _("县级已验收")


# Reports the reporting unit may still change.
EDITABLE_STATUSES = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
# Reports counted as reported on the completeness board.
REPORTED_STATUSES = frozenset(
    {ReportStatus.SUBMITTED, ReportStatus.APPROVED, ReportStatus.ACCEPTED}
)


class Report(models.Model):
    data_set = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="reports")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="reports")
    period = models.CharField(_("报告期"), max_length=PERIOD_MAX_LENGTH)
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    first_submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    accepted_at = models.DateTimeField(_("验收时间"), null=True, blank=True)
    # Rule warnings and outlier flags found at the last submission, for reviewers.
    findings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报表")
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "orgunit", "period"], name="reporting_report_unique"
            )
        ]
        indexes = [models.Index(fields=["data_set", "period", "status"])]

    def __str__(self) -> str:
        return f"{self.orgunit.name} {self.period} {self.data_set.name}"


class DataValue(models.Model):
    # The unique index (orgunit, period, element) serves every lookup the app
    # makes; separate foreign-key indexes would only slow imports of millions
    # of values. For the same reason the references are kept by the
    # application rather than by database constraints: every write path
    # resolves element and unit through the catalogue and the scope check,
    # and PROTECT still stops an element or unit with values from being
    # deleted, while checking three constraints per row at commit would cost
    # more than the rest of importing a province's year.
    element = models.ForeignKey(
        DataElement,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    orgunit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    period = models.CharField(_("报告期"), max_length=PERIOD_MAX_LENGTH)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=6, null=True, blank=True)
    text = models.CharField(_("文本"), max_length=200, blank=True)
    comment = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("修改时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("数据值")
        constraints = [
            models.UniqueConstraint(
                fields=["orgunit", "period", "element"], name="reporting_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.element_id}@{self.orgunit_id}@{self.period}"


class ValueChange(models.Model):
    """The history of a value: one row per change of an existing value (or its removal).

    New values are recorded by the audit event of the action that wrote them;
    ``event_id`` links each row to that event. Rows are only ever appended.
    """

    element = models.ForeignKey(
        DataElement, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    period = models.CharField(max_length=PERIOD_MAX_LENGTH)
    old_value = models.CharField(max_length=200, null=True, blank=True)
    new_value = models.CharField(max_length=200, null=True, blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["orgunit", "period"])]

    def __str__(self) -> str:
        return (
            f"{self.element_id}@{self.orgunit_id}@{self.period}: {self.old_value}→{self.new_value}"
        )


class PeriodLock(models.Model):
    """The county's decision about one period of one data set for its whole subtree.

    ``locked`` False records a reopening, which also overrides the automatic
    lock after ``DataSet.lock_days``.
    """

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="locks")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=PERIOD_MAX_LENGTH)
    locked = models.BooleanField(default=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["data_set", "period", "orgunit"], name="reporting_lock_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} {'locked' if self.locked else 'open'}"


class RollupLayout(models.Model):
    """Which figure sits in which slot of a stored cube, under one catalogue fingerprint."""

    fingerprint = models.CharField(max_length=32, db_index=True)
    slots = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.fingerprint


class RollupCube(models.Model):
    """Every element total and indicator value of one unit for one year, as one array.

    ``data`` holds float64 values shaped (periods of the year, slots of the
    layout); NaN means no value. See renkou.rollup for the period order.
    """

    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField()
    layout = models.ForeignKey(
        RollupLayout, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    data = models.BinaryField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["orgunit", "year"], name="reporting_cube_unique")
        ]

    def __str__(self) -> str:
        return f"{self.orgunit_id}/{self.year}"


class RollupRun(models.Model):
    """One computation of rollups, full or following a change, with how long it took."""

    class Kind(models.TextChoices):
        FULL = "full", _("全部重算")
        CHANGE = "change", _("随数据更新")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    scope = models.ForeignKey(
        OrgUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    units = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    as_of = models.DateTimeField()
    fingerprint = models.CharField(max_length=32)

    class Meta:
        ordering = ["-as_of", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.year} {self.seconds:.1f}s"
