"""What is checked when a report is submitted: completeness, validation rules, outliers.

Every finding is one line of Chinese a village worker can act on. Blocking
findings stop the submission; warnings travel with the report to its reviewer.

Outliers are judged against the unit's own history: the median of its last
twelve periods and the median absolute deviation (MAD), which one odd month
cannot drag around the way it drags a mean. A value is flagged when it lies
further from the median than 3.5 robust standard deviations (1.4826 × MAD),
half the median, and 5 — the last two so that small villages, whose counts
jump from 0 to 2 by chance, are not flagged all the time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from decimal import Decimal
from statistics import median
from typing import Any

from renkou.catalog.models import Aggregation, DataElement, DataSet, Severity, ValidationRule
from renkou.catalog.selectors import data_set_elements
from renkou.formula import FormulaError, Modifier, Ref, parse_rule
from renkou.orgunits.models import OrgUnit
from renkou.periods import Period
from renkou.reporting.models import DataValue
from renkou.reporting.values import format_number

HISTORY = 12
MIN_HISTORY = 6
MAD_SCALE = Decimal("1.4826")
OUTLIER_Z = Decimal("3.5")
MIN_DEVIATION = Decimal(5)


@dataclass(frozen=True)
class Finding:
    kind: str  # "missing", "rule" or "outlier"
    severity: str  # Severity.BLOCKING or Severity.WARNING
    message: str
    codes: tuple[str, ...] = ()

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.BLOCKING

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["codes"] = list(self.codes)
        return data


def _aggregate(values: list[Decimal], how: str) -> Decimal | None:
    if not values:
        return None
    if how == Aggregation.SUM:
        return sum(values, Decimal(0))
    if how == Aggregation.AVERAGE:
        return sum(values, Decimal(0)) / len(values)
    if how == Aggregation.MIN:
        return min(values)
    if how == Aggregation.MAX:
        return max(values)
    return values[-1]


class UnitValues:
    """One unit's values around a period, read once, for rules and outliers."""

    def __init__(self, unit: OrgUnit, period: Period, elements: list[DataElement]) -> None:
        self.period = period
        self.elements = {e.code: e for e in elements}
        first = period.shift(-HISTORY)
        start_of_year = Period(period.type, period.year, 1)
        periods = {p.id: p for p in (first.shift(i) for i in range(HISTORY + 1))}
        periods.update({p.id: p for p in (start_of_year.shift(i) for i in range(period.index))})
        rows = DataValue.objects.filter(
            orgunit=unit, period__in=list(periods), element__in=elements, value__isnull=False
        ).values_list("element__code", "period", "value")
        self.by_code: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for code, period_id, value in rows:
            if value is not None:
                self.by_code[code][period_id] = value
        self.ytd_ids = [start_of_year.shift(i).id for i in range(period.index)]

    def current(self, code: str) -> Decimal | None:
        return self.by_code.get(code, {}).get(self.period.id)

    def resolve(self, ref: Ref) -> Decimal | None:
        series = self.by_code.get(ref.code, {})
        if ref.modifier == Modifier.CURRENT:
            return series.get(self.period.id)
        if ref.modifier == Modifier.PREVIOUS:
            return series.get(self.period.previous().id)
        element = self.elements.get(ref.code)
        how = element.aggregation if element else Aggregation.SUM
        return _aggregate([series[p] for p in self.ytd_ids if p in series], how)

    def history(self, code: str) -> list[Decimal]:
        series = self.by_code.get(code, {})
        ids = [self.period.shift(-i).id for i in range(HISTORY, 0, -1)]
        return [series[p] for p in ids if p in series]


def missing_findings(data_set: DataSet, values: UnitValues) -> list[Finding]:
    elements = data_set_elements(data_set)
    missing = [e for e in elements if e.is_numeric and values.current(e.code) is None]
    if not missing:
        return []
    names = "、".join(e.name for e in missing)
    return [
        Finding(
            "missing",
            Severity.BLOCKING,
            f"以下数据项未填写（没有发生请填 0）：{names}",
            tuple(e.code for e in missing),
        )
    ]


def rule_findings(data_set: DataSet, values: UnitValues) -> list[Finding]:
    found = []
    for rule in ValidationRule.objects.filter(data_set=data_set).order_by("code"):
        try:
            formula = parse_rule(rule.left, rule.operator, rule.right)
        except FormulaError:
            continue  # a rule the catalogue could not parse was refused when saved
        result = formula.evaluate(values.resolve)
        if result.value is False:
            found.append(Finding("rule", rule.severity, rule.message, tuple(sorted(formula.codes))))
    return found


def outlier_findings(data_set: DataSet, values: UnitValues) -> list[Finding]:
    found = []
    for element in data_set_elements(data_set):
        if not element.is_numeric:
            continue
        value = values.current(element.code)
        history = values.history(element.code)
        if value is None or len(history) < MIN_HISTORY:
            continue
        center = Decimal(median(history))
        mad = Decimal(median([abs(h - center) for h in history]))
        limit = max(OUTLIER_Z * MAD_SCALE * mad, abs(center) / 2, MIN_DEVIATION)
        if abs(value - center) > limit:
            low = min(history)
            high = max(history)
            found.append(
                Finding(
                    "outlier",
                    Severity.WARNING,
                    f"{element.name}本期为 {format_number(value)}，"
                    f"本单位过去{len(history)}期中位数为 {format_number(center)}"
                    f"（在 {format_number(low)}–{format_number(high)} 之间），偏离明显，请核实。",
                    (element.code,),
                )
            )
    return found


def check_report(data_set: DataSet, unit: OrgUnit, period: Period) -> list[Finding]:
    """Every finding for one unit's report: blocking ones first."""
    values = UnitValues(unit, period, data_set_elements(data_set))
    findings = missing_findings(data_set, values)
    findings += rule_findings(data_set, values)
    findings += outlier_findings(data_set, values)
    return sorted(findings, key=lambda f: (not f.blocking, f.kind))
