"""Scoring a run's stored inputs with renkou.scoring and storing the results.

Ranks are relative, so every unit of the run is scored together, both on the
figures as assembled (``raw_inputs``) and on the figures after approved
adjustments (``inputs``). The adjusted result is what the app shows; the raw
one stays beside it so that nobody has to take an adjustment on trust.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from renkou.assessment.models import Adjustment, DecisionStatus, Run, RunUnit
from renkou.scoring import Results, load_scheme, score_units
from renkou.scoring.check import to_decimal
from renkou.scoring.results import number
from renkou.scoring.text import fmt

__all__ = ["apply_adjustments", "field_label", "names_of_fields", "rescore", "score_run_units"]

# SQLite allows a bounded number of variables per statement; 500 rows of a
# dozen fields stay well inside it and keep the number of statements small.
_BATCH = 500

RESULT_FIELDS = (
    "class_code",
    "inputs",
    "raw_result",
    "result",
    "raw_total",
    "total",
    "grade",
    "rank",
    "class_rank",
    "vetoed",
)


def field_section(field: str) -> tuple[str, str]:
    """``target.births`` → ("targets", "births"); a bare key is a value."""
    if field.startswith("target."):
        return "targets", field.removeprefix("target.")
    if field.startswith("previous."):
        return "previous", field.removeprefix("previous.")
    return "values", field


def field_label(field: str, names: Mapping[str, str] | None = None) -> str:
    """A figure's name as a cadre reads it: 出生登记数, 出生登记数目标, 上年出生登记数."""
    section, key = field_section(field)
    name = (names or {}).get(key, key)
    if section == "targets":
        return f"{name}目标"
    if section == "previous":
        return f"上年{name}"
    return name


def apply_adjustments(raw: Mapping[str, Any], adjustments: Iterable[Adjustment]) -> dict[str, Any]:
    """A copy of ``raw`` (the kernel's unit mapping) with each adjustment's new
    figure in place, in the order given (a later one wins on the same figure)."""
    adjusted = copy.deepcopy(dict(raw))
    for adjustment in adjustments:
        section, key = field_section(adjustment.field)
        figures = dict(adjusted.get(section) or {})
        if adjustment.new_value is None:
            figures.pop(key, None)
        else:
            figures[key] = number(adjustment.new_value)
        adjusted[section] = figures
    return adjusted


def _citation(adjustment: Adjustment, raw: Mapping[str, Any], names: Mapping[str, str]) -> str:
    section, key = field_section(adjustment.field)
    before = adjustment.old_value
    if before is None:
        before = to_decimal((raw.get(section) or {}).get(key))
    before_text = fmt(before) if before is not None else "空"
    after_text = fmt(adjustment.new_value) if adjustment.new_value is not None else "空"
    decider = adjustment.decided_by.display_name if adjustment.decided_by is not None else ""
    return (
        f"（柔性考核调整#{adjustment.pk}：{adjustment.get_reason_display()}，"
        f"{field_label(adjustment.field, names)}由{before_text}调整为{after_text}，"
        f"经{decider}审核同意）"
    )


def _cite(
    result: dict[str, Any],
    adjustments: Sequence[Adjustment],
    raw: Mapping[str, Any],
    names: Mapping[str, str],
) -> None:
    entries = [*result.get("items", []), *result.get("bonuses", [])]
    for adjustment in adjustments:
        cited = [entry for entry in entries if entry.get("code") == adjustment.item_code]
        # An adjustment named against no item still changes the figures: cite it
        # on every item, so that the change is never silent.
        for entry in cited or entries:
            entry["explanation"] = (
                f"{entry.get('explanation', '')}{_citation(adjustment, raw, names)}"
            )


def _approved(run: Run) -> dict[int, list[Adjustment]]:
    found: dict[int, list[Adjustment]] = {}
    queryset = (
        Adjustment.objects.filter(run=run, status=DecisionStatus.APPROVED)
        .select_related("decided_by")
        .order_by("decided_at", "pk")
    )
    for adjustment in queryset:
        found.setdefault(adjustment.orgunit_id, []).append(adjustment)
    return found


def _names(adjustments: Mapping[int, list[Adjustment]]) -> dict[str, str]:
    return names_of_fields(
        [adjustment.field for listed in adjustments.values() for adjustment in listed]
    )


def names_of_fields(fields: Iterable[str]) -> dict[str, str]:
    """Catalogue names of the figures that adjustments change, by code."""
    from renkou.catalog.models import DataElement, Indicator

    keys = {field_section(field)[1] for field in fields}
    if not keys:
        return {}
    names = dict(Indicator.objects.filter(code__in=keys).values_list("code", "name"))
    names.update(DataElement.objects.filter(code__in=keys).values_list("code", "name"))
    return names


def _score(run: Run, units: Sequence[Mapping[str, Any]]) -> Results:
    scheme = load_scheme(run.scheme_data)
    return score_units(scheme, units, lang="zh")


def score_run_units(run: Run, run_units: Sequence[RunUnit]) -> list[str]:
    """Fill in ``inputs`` and every result field of ``run_units`` (not saved).

    Returns the warnings of the adjusted scoring (missing figures and the like).
    """
    approved = _approved(run) if run.pk is not None else {}
    names = _names(approved)
    adjusted_inputs = [
        apply_adjustments(unit.raw_inputs, approved[unit.orgunit_id])
        if unit.orgunit_id in approved
        else unit.raw_inputs
        for unit in run_units
    ]
    raw_results = _score(run, [unit.raw_inputs for unit in run_units])
    adjusted = _score(run, adjusted_inputs) if approved else raw_results
    for unit, inputs, raw, result in zip(
        run_units, adjusted_inputs, raw_results.results, adjusted.results, strict=True
    ):
        raw_dict = raw.to_dict()
        result_dict = raw_dict if result is raw else result.to_dict()
        if unit.orgunit_id in approved:
            result_dict = copy.deepcopy(result_dict)
            _cite(result_dict, approved[unit.orgunit_id], unit.raw_inputs, names)
        unit.inputs = inputs
        unit.class_code = result.class_code or ""
        unit.raw_result = raw_dict
        unit.result = result_dict
        unit.raw_total = raw.total
        unit.total = result.total
        unit.grade = result.grade
        unit.rank = result.rank
        unit.class_rank = result.class_rank
        unit.vetoed = bool(result.vetoes)
    return list(adjusted.warnings)


@transaction.atomic
def rescore(run: Run) -> None:
    """Score the run again: ``inputs`` = ``raw_inputs`` with the run's approved
    adjustments applied; both raw and adjusted results are stored per unit; the
    run's revision goes up by one. Explanations of adjusted items cite the adjustment."""
    run_units = list(RunUnit.objects.filter(run=run).order_by("orgunit__path"))
    warnings = score_run_units(run, run_units)
    RunUnit.objects.bulk_update(run_units, RESULT_FIELDS, batch_size=_BATCH)
    run.warnings = warnings
    run.scored_at = timezone.now()
    Run.objects.filter(pk=run.pk).update(
        revision=F("revision") + 1, warnings=warnings, scored_at=run.scored_at
    )
    run.refresh_from_db(fields=["revision"])


def total_of(value: Decimal | None) -> str:
    """A stored total as shown on the pages (``87.5``, not ``87.5000``)."""
    return fmt(value) if value is not None else ""
