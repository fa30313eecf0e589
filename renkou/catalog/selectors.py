"""Reads of the catalogue."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Prefetch, QuerySet

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
    ElementSource,
    Indicator,
    ValidationRule,
)


def known_codes() -> dict[str, str]:
    """Every code in use, mapped to its kind (element, indicator, data_set, rule)."""
    found: dict[str, str] = {}
    for kind, model in (
        ("rule", ValidationRule),
        ("data_set", DataSet),
        ("indicator", Indicator),
        ("element", DataElement),
    ):
        for code in model.objects.values_list("code", flat=True):
            found[code] = kind
    return found


def element_spec(e: DataElement) -> ElementSpec:
    return ElementSpec(
        code=e.code,
        name=e.name,
        unit=e.unit,
        value_type=e.value_type,
        aggregation=e.aggregation,
        plausible_min=e.plausible_min,
        plausible_max=e.plausible_max,
        options=list(e.options or []),
        source=e.source,
        source_data_set=e.source_data_set.code if e.source_data_set else "",
        description=e.description,
    )


def indicator_spec(x: Indicator) -> IndicatorSpec:
    return IndicatorSpec(
        code=x.code,
        name=x.name,
        numerator=x.numerator,
        denominator=x.denominator,
        factor=x.factor,
        annualized=x.annualized,
        unit=x.unit,
        direction=x.direction,
        range_low=x.range_low,
        range_high=x.range_high,
        decimals=x.decimals,
        definition=x.definition,
        order=x.order,
    )


def rule_spec(r: ValidationRule) -> RuleSpec:
    return RuleSpec(
        code=r.code,
        name=r.name,
        left=r.left,
        operator=r.operator,
        right=r.right,
        message=r.message,
        importance=r.importance,
        severity=r.severity,
    )


def data_sets_with_members() -> QuerySet[DataSet]:
    return DataSet.objects.prefetch_related(
        Prefetch(
            "members",
            queryset=DataSetElement.objects.select_related("element").order_by("order", "id"),
        ),
        Prefetch("rules", queryset=ValidationRule.objects.order_by("code")),
    ).order_by("code")


def data_set_spec(d: DataSet) -> DataSetSpec:
    return DataSetSpec(
        code=d.code,
        name=d.name,
        period_type=d.period_type,
        reporting_level=d.reporting_level,
        due_days=d.due_days,
        lock_days=d.lock_days,
        description=d.description,
        elements=[m.element.code for m in d.members.all()],
        rules=[rule_spec(r) for r in d.rules.all()],
    )


def current_document() -> CatalogDocument:
    """The whole catalogue, as it would be exported."""
    return CatalogDocument(
        elements=[element_spec(e) for e in DataElement.objects.select_related("source_data_set")],
        indicators=[indicator_spec(x) for x in Indicator.objects.all()],
        data_sets=[data_set_spec(d) for d in data_sets_with_members()],
    )


def data_set_elements(data_set: DataSet) -> list[DataElement]:
    """The elements typed into a report of ``data_set``, in form order."""
    return [
        m.element
        for m in data_set.members.select_related("element").order_by("order", "id")
        if m.element.source == ElementSource.ENTERED
    ]


def rollup_fingerprint() -> str:
    """A digest of everything that changes computed figures: aggregation and formulas.

    Stored rollups computed under another fingerprint are out of date.
    """
    elements = list(
        DataElement.objects.order_by("code").values_list(
            "code", "aggregation", "value_type", "source", "source_data_set__code"
        )
    )
    indicators = list(
        Indicator.objects.order_by("code").values_list(
            "code", "numerator", "denominator", "factor", "annualized"
        )
    )
    sets = list(
        DataSet.objects.order_by("code").values_list(
            "code", "period_type", "reporting_level", "due_days"
        )
    )
    text = json.dumps([elements, indicators, sets], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
