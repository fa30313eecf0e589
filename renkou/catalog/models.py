"""The indicator catalogue: what is reported, how it adds up, and what is computed from it.

Everything here is identified by a ``code`` that files, formulas and the API
use; codes never change once created, so a shared catalogue file, a formula
and an exchanged dataValueSet keep meaning the same thing.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.formula import is_valid_code
from renkou.orgunits.models import Level
from renkou.periods import PeriodType

CODE_MAX_LENGTH = 50


def validate_code(value: str) -> None:
    if not is_valid_code(value) or not value[0].isalpha() or not value.isascii():
        raise ValidationError(
            _("编码只能由英文字母开头，包含字母、数字、下划线、点或短横线，如 births_male。")
        )


class ValueType(models.TextChoices):
    INTEGER = "integer", _("整数")
    DECIMAL = "decimal", _("小数")
    PERCENTAGE = "percentage", _("百分比")
    YES_NO = "yes_no", _("是/否")
    TEXT = "text", _("文本")


class Aggregation(models.TextChoices):
    """How values add up over units and over time.

    ``average`` averages over time and sums over units (a count such as
    "families visited this month" stays a count for a township), except for
    percentages, which are averaged over units too.
    """

    SUM = "sum", _("求和")
    AVERAGE = "average", _("平均")
    LAST = "last", _("期末值")
    MIN = "min", _("最小值")
    MAX = "max", _("最大值")


class ElementSource(models.TextChoices):
    """Where an element's values come from. Report-derived elements are never typed in."""

    ENTERED = "entered", _("填报")
    REPORTS_EXPECTED = "reports_expected", _("应报报表数（系统计算）")
    REPORTS_ON_TIME = "reports_on_time", _("按时报送数（系统计算）")


class Direction(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("越高越好")
    LOWER_BETTER = "lower_better", _("越低越好")
    WITHIN_RANGE = "within_range", _("在区间内为好")


class Factor(models.IntegerChoices):
    ONE = 1, _("×1")
    PERCENT = 100, _("×100（%）")
    PER_MILLE = 1000, _("×1000（‰）")


class DataSetPeriodType(models.TextChoices):
    MONTH = PeriodType.MONTH.value, _("月报")
    QUARTER = PeriodType.QUARTER.value, _("季报")
    HALF_YEAR = PeriodType.HALF_YEAR.value, _("半年报")
    YEAR = PeriodType.YEAR.value, _("年报")


class DataSet(models.Model):
    code = models.CharField(_("编码"), max_length=CODE_MAX_LENGTH, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    period_type = models.CharField(
        _("报告期"), max_length=10, choices=DataSetPeriodType.choices, default="month"
    )
    reporting_level = models.PositiveSmallIntegerField(
        _("填报层级"), choices=Level.choices, default=Level.VILLAGE
    )
    due_days = models.PositiveSmallIntegerField(
        _("截止天数"), default=5, help_text=_("报告期结束后第几天截止报送")
    )
    lock_days = models.PositiveSmallIntegerField(
        _("锁定天数"),
        default=30,
        help_text=_("报告期结束后多少天自动锁定；0 表示只由县级手工锁定"),
    )
    description = models.TextField(_("说明"), blank=True)
    elements: models.ManyToManyField[DataElement, DataSetElement] = models.ManyToManyField(
        "DataElement", through="DataSetElement", related_name="data_sets", blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("报表")

    def __str__(self) -> str:
        return self.name

    @property
    def period_type_enum(self) -> PeriodType:
        return PeriodType(self.period_type)


class DataElement(models.Model):
    code = models.CharField(
        _("编码"), max_length=CODE_MAX_LENGTH, unique=True, validators=[validate_code]
    )
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    value_type = models.CharField(
        _("数据类型"), max_length=12, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation = models.CharField(
        _("汇总方式"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    plausible_min = models.DecimalField(
        _("合理下限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    plausible_max = models.DecimalField(
        _("合理上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    options = models.JSONField(
        _("可选值"), default=list, blank=True, help_text=_("文本型指标的可选值（下拉选择）")
    )
    source = models.CharField(
        _("来源"), max_length=20, choices=ElementSource.choices, default=ElementSource.ENTERED
    )
    source_data_set = models.ForeignKey(
        DataSet,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived_elements",
        verbose_name=_("统计的报表"),
    )
    description = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据项")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_numeric(self) -> bool:
        return self.value_type != ValueType.TEXT

    @property
    def is_entered(self) -> bool:
        return self.source == ElementSource.ENTERED

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    def plausible_text(self) -> str:
        low, high = self.plausible_min, self.plausible_max
        if low is None and high is None:
            return ""
        return f"{_fmt(low) if low is not None else '…'}–{_fmt(high) if high is not None else '…'}"


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class DataSetElement(models.Model):
    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="members")
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="memberships")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["data_set", "element"], name="catalog_dse_unique")
        ]

    def __str__(self) -> str:
        return f"{self.data_set_id}:{self.element_id}"


class Indicator(models.Model):
    code = models.CharField(
        _("编码"), max_length=CODE_MAX_LENGTH, unique=True, validators=[validate_code]
    )
    name = models.CharField(_("名称"), max_length=100)
    numerator = models.TextField(_("分子公式"))
    denominator = models.TextField(_("分母公式"), default="1")
    factor = models.PositiveIntegerField(_("倍数"), choices=Factor.choices, default=Factor.ONE)
    annualized = models.BooleanField(
        _("按年折算"),
        default=False,
        help_text=_("月、季度和累计期间的比率折算为全年水平，便于与年度值比较"),
    )
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    direction = models.CharField(
        _("方向"), max_length=15, choices=Direction.choices, default=Direction.HIGHER_BETTER
    )
    range_low = models.DecimalField(
        _("合理区间下限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    range_high = models.DecimalField(
        _("合理区间上限"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=1)
    definition = models.TextField(_("口径说明"), blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("指标")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class Operator(models.TextChoices):
    EQ = "==", "="
    NE = "!=", "≠"
    LT = "<", "<"
    LE = "<=", "≤"
    GT = ">", ">"
    GE = ">=", "≥"


class Importance(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class Severity(models.TextChoices):
    BLOCKING = "blocking", _("不通过则不能提交")
    WARNING = "warning", _("仅提示")


class ValidationRule(models.Model):
    """``left operator right``, checked when a report is submitted."""

    data_set = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="rules")
    code = models.CharField(
        _("编码"), max_length=CODE_MAX_LENGTH, unique=True, validators=[validate_code]
    )
    name = models.CharField(_("名称"), max_length=100)
    left = models.TextField(_("左式"))
    operator = models.CharField(_("比较"), max_length=2, choices=Operator.choices)
    right = models.TextField(_("右式"))
    importance = models.CharField(
        _("重要性"), max_length=6, choices=Importance.choices, default=Importance.MEDIUM
    )
    severity = models.CharField(
        _("处理方式"), max_length=8, choices=Severity.choices, default=Severity.BLOCKING
    )
    message = models.CharField(_("提示信息"), max_length=200)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["data_set", "code"]
        verbose_name = _("校验规则")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def expression(self) -> str:
        return f"{self.left} {self.operator} {self.right}"
