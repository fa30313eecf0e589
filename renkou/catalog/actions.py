"""State changes of the catalogue. Each writes its audit row in the same transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import ProtectedError

from renkou.audit.actions import diff_fields, record_event
from renkou.catalog.document import (
    CatalogDocument,
    DataSetSpec,
    ElementSpec,
    IndicatorSpec,
    RuleSpec,
)
from renkou.catalog.models import (
    DataElement,
    DataSet,
    DataSetElement,
    Indicator,
    ValidationRule,
)
from renkou.formula import parse

if TYPE_CHECKING:
    from renkou.accounts.models import User


class CatalogInUse(Exception):
    """The object is still referenced; ``str()`` says by what, in Chinese."""


ELEMENT_FIELDS = (
    "name",
    "unit",
    "value_type",
    "aggregation",
    "plausible_min",
    "plausible_max",
    "options",
    "source",
    "description",
)
INDICATOR_FIELDS = (
    "name",
    "numerator",
    "denominator",
    "factor",
    "annualized",
    "unit",
    "direction",
    "range_low",
    "range_high",
    "decimals",
    "definition",
    "order",
)
DATA_SET_FIELDS = ("name", "period_type", "reporting_level", "due_days", "lock_days", "description")
RULE_FIELDS = ("name", "left", "operator", "right", "importance", "severity", "message")


def _values(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    # Decimal('5') and Decimal('5.0000') are the same bound; compare them as such.
    out = {}
    for key, value in values.items():
        if hasattr(value, "normalize"):
            value = value.normalize()
        out[key] = value
    return out


def _apply(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    before = _normalise(_values(obj, tuple(values)))
    for name, value in values.items():
        setattr(obj, name, value)
    return diff_fields(before, _normalise(values))


# -- data elements -----------------------------------------------------------------
# Each _save_* returns the object and what happened ("created", "updated" or
# "unchanged"); the public do_* actions wrap them in a transaction.


def _element_values(spec: ElementSpec) -> dict[str, Any]:
    values = {name: getattr(spec, name) for name in ELEMENT_FIELDS}
    values["options"] = list(spec.options)
    return values


def _save_element(
    acting_user: User | None, spec: ElementSpec, element: DataElement | None
) -> tuple[DataElement, str]:
    source_set = DataSet.objects.get(code=spec.source_data_set) if spec.source_data_set else None
    if element is None:
        element = DataElement(code=spec.code, source_data_set=source_set, **_element_values(spec))
        element.save()
        record_event(
            actor=acting_user,
            action="catalog.create_element",
            obj=element,
            changes={"code": [None, element.code], "name": [None, element.name]},
        )
        return element, "created"
    old_source = (
        element.source_data_set.code
        if element.source_data_set_id and element.source_data_set
        else None
    )
    changes = _apply(element, _element_values(spec))
    if old_source != (spec.source_data_set or None):
        changes["source_data_set"] = [old_source, spec.source_data_set or None]
        element.source_data_set = source_set
    if not changes:
        return element, "unchanged"
    element.save()
    record_event(actor=acting_user, action="catalog.update_element", obj=element, changes=changes)
    return element, "updated"


@transaction.atomic
def do_save_element(
    *, acting_user: User | None, spec: ElementSpec, element: DataElement | None = None
) -> DataElement:
    """Create an element, or update one (its code never changes)."""
    return _save_element(acting_user, spec, element)[0]


def formula_users(code: str) -> list[str]:
    """Names of the indicators and rules whose formulas read element ``code``."""
    users = []
    for indicator in Indicator.objects.all():
        codes = parse(indicator.numerator).codes | parse(indicator.denominator).codes
        if code in codes:
            users.append(f"指标“{indicator.name}”")
    for rule in ValidationRule.objects.all():
        if code in parse(f"({rule.left}) - ({rule.right})").codes:
            users.append(f"校验规则“{rule.name}”")
    return users


@transaction.atomic
def do_delete_element(*, acting_user: User | None, element: DataElement) -> None:
    users = formula_users(element.code)
    users += [f"报表“{m.data_set.name}”" for m in element.memberships.select_related("data_set")]
    if users:
        raise CatalogInUse("该数据项仍被使用：" + "、".join(users))
    try:
        with transaction.atomic():
            record_event(
                actor=acting_user,
                action="catalog.delete_element",
                obj=element,
                changes={"code": [element.code, None]},
            )
            element.delete()
    except ProtectedError:
        raise CatalogInUse("该数据项已有填报数据，不能删除。") from None


# -- indicators --------------------------------------------------------------------


def _save_indicator(
    acting_user: User | None, spec: IndicatorSpec, indicator: Indicator | None
) -> tuple[Indicator, str]:
    values = {name: getattr(spec, name) for name in INDICATOR_FIELDS}
    if indicator is None:
        indicator = Indicator.objects.create(code=spec.code, **values)
        record_event(
            actor=acting_user,
            action="catalog.create_indicator",
            obj=indicator,
            changes={"code": [None, indicator.code], "numerator": [None, indicator.numerator]},
        )
        return indicator, "created"
    changes = _apply(indicator, values)
    if not changes:
        return indicator, "unchanged"
    indicator.save()
    record_event(
        actor=acting_user, action="catalog.update_indicator", obj=indicator, changes=changes
    )
    return indicator, "updated"


@transaction.atomic
def do_save_indicator(
    *, acting_user: User | None, spec: IndicatorSpec, indicator: Indicator | None = None
) -> Indicator:
    return _save_indicator(acting_user, spec, indicator)[0]


@transaction.atomic
def do_delete_indicator(*, acting_user: User | None, indicator: Indicator) -> None:
    record_event(
        actor=acting_user,
        action="catalog.delete_indicator",
        obj=indicator,
        changes={"code": [indicator.code, None]},
    )
    indicator.delete()


# -- data sets and their rules -------------------------------------------------------


def _set_members(data_set: DataSet, codes: list[str]) -> list[Any] | None:
    """Replace the element list; [old, new] codes when it changed, else None."""
    before = [
        m.element.code for m in data_set.members.select_related("element").order_by("order", "id")
    ]
    if before == codes:
        return None
    by_code = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    DataSetElement.objects.filter(data_set=data_set).delete()
    DataSetElement.objects.bulk_create(
        DataSetElement(data_set=data_set, element=by_code[code], order=index)
        for index, code in enumerate(codes)
    )
    return [before, codes]


def _save_data_set(
    acting_user: User | None,
    spec: DataSetSpec,
    data_set: DataSet | None,
    *,
    members: bool = True,
) -> tuple[DataSet, str]:
    values = {name: getattr(spec, name) for name in DATA_SET_FIELDS}
    if data_set is None:
        data_set = DataSet.objects.create(code=spec.code, **values)
        if members:
            _set_members(data_set, list(spec.elements))
        record_event(
            actor=acting_user,
            action="catalog.create_data_set",
            obj=data_set,
            changes={"code": [None, data_set.code], "elements": [None, list(spec.elements)]},
        )
        return data_set, "created"
    changes = _apply(data_set, values)
    if changes:
        data_set.save()
    if members:
        member_change = _set_members(data_set, list(spec.elements))
        if member_change is not None:
            changes["elements"] = member_change
    if not changes:
        return data_set, "unchanged"
    record_event(actor=acting_user, action="catalog.update_data_set", obj=data_set, changes=changes)
    return data_set, "updated"


@transaction.atomic
def do_save_data_set(
    *, acting_user: User | None, spec: DataSetSpec, data_set: DataSet | None = None
) -> DataSet:
    """Create or update a data set and its element list (rules are saved separately)."""
    return _save_data_set(acting_user, spec, data_set)[0]


@transaction.atomic
def do_delete_data_set(*, acting_user: User | None, data_set: DataSet) -> None:
    try:
        with transaction.atomic():
            record_event(
                actor=acting_user,
                action="catalog.delete_data_set",
                obj=data_set,
                changes={"code": [data_set.code, None]},
            )
            data_set.delete()
    except ProtectedError:
        raise CatalogInUse("该报表已有报告或被数据项引用，不能删除。") from None


def _save_rule(
    acting_user: User | None, data_set: DataSet, spec: RuleSpec, rule: ValidationRule | None
) -> tuple[ValidationRule, str]:
    values = {name: getattr(spec, name) for name in RULE_FIELDS}
    if rule is None:
        rule = ValidationRule.objects.create(data_set=data_set, code=spec.code, **values)
        record_event(
            actor=acting_user,
            action="catalog.create_rule",
            obj=rule,
            changes={"code": [None, rule.code], "expression": [None, rule.expression]},
        )
        return rule, "created"
    changes = _apply(rule, values)
    if rule.data_set_id != data_set.pk:
        changes["data_set"] = [rule.data_set.code, data_set.code]
        rule.data_set = data_set
    if not changes:
        return rule, "unchanged"
    rule.save()
    record_event(actor=acting_user, action="catalog.update_rule", obj=rule, changes=changes)
    return rule, "updated"


@transaction.atomic
def do_save_rule(
    *,
    acting_user: User | None,
    data_set: DataSet,
    spec: RuleSpec,
    rule: ValidationRule | None = None,
) -> ValidationRule:
    return _save_rule(acting_user, data_set, spec, rule)[0]


@transaction.atomic
def do_delete_rule(*, acting_user: User | None, rule: ValidationRule) -> None:
    record_event(
        actor=acting_user,
        action="catalog.delete_rule",
        obj=rule,
        changes={"code": [rule.code, None]},
    )
    rule.delete()


# -- the whole catalogue -------------------------------------------------------------


@dataclass
class CatalogImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def add(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def summary(self) -> str:
        labels = {"element": "数据项", "indicator": "指标", "data_set": "报表", "rule": "校验规则"}
        parts = []
        for kind, label in labels.items():
            total = self.created[kind] + self.updated[kind] + self.unchanged[kind]
            if total:
                parts.append(
                    f"{label}{total}个（新增{self.created[kind]}，修改{self.updated[kind]}，"
                    f"未变{self.unchanged[kind]}）"
                )
        return "；".join(parts) + "。" if parts else "文件中没有内容。"

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
        }


@transaction.atomic
def do_import_catalog(
    *, acting_user: User | None, document: CatalogDocument, source_label: str = ""
) -> CatalogImportReport:
    """Create or update everything in a checked document, by code, in one transaction.

    Data sets come first so elements derived from reports can name them;
    their element lists are set once the elements exist. Importing the same
    document twice changes nothing the second time.
    """
    report = CatalogImportReport()
    sets = {d.code: d for d in DataSet.objects.all()}
    outcomes: dict[str, str] = {}
    for spec in document.data_sets:
        data_set, outcome = _save_data_set(acting_user, spec, sets.get(spec.code), members=False)
        sets[spec.code] = data_set
        outcomes[spec.code] = outcome
    elements = {e.code: e for e in DataElement.objects.all()}
    for element_spec in document.elements:
        report.add(
            "element", _save_element(acting_user, element_spec, elements.get(element_spec.code))[1]
        )
    indicators = {x.code: x for x in Indicator.objects.all()}
    for indicator_spec in document.indicators:
        outcome = _save_indicator(acting_user, indicator_spec, indicators.get(indicator_spec.code))[
            1
        ]
        report.add("indicator", outcome)
    rules = {r.code: r for r in ValidationRule.objects.select_related("data_set")}
    for spec in document.data_sets:
        data_set = sets[spec.code]
        member_change = _set_members(data_set, list(spec.elements))
        if member_change is not None:
            record_event(
                actor=acting_user,
                action="catalog.update_data_set",
                obj=data_set,
                changes={"elements": member_change},
            )
            if outcomes[spec.code] == "unchanged":
                outcomes[spec.code] = "updated"
        report.add("data_set", outcomes[spec.code])
        for rule_spec in spec.rules:
            report.add(
                "rule", _save_rule(acting_user, data_set, rule_spec, rules.get(rule_spec.code))[1]
            )
    record_event(
        actor=acting_user,
        action="catalog.import",
        object_type="catalog.catalog",
        object_repr=source_label[:200],
        changes=report.as_dict(),
    )
    return report
