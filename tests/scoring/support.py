"""Small builders so each test states only the rule it is about."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from renkou.scoring import ItemResult, Results, load_scheme, score_units

GRADES: list[dict[str, Any]] = [
    {"name": "优秀", "min": 90},
    {"name": "良好", "min": 80},
    {"name": "合格", "min": 60},
    {"name": "不合格"},
]


def scheme_dict(items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"code": "t", "name": "测试方案", "items": items, "grades": GRADES, **extra}


def item(
    rule: dict[str, Any], *, points: Any = 10, value: str | None = "x", **extra: Any
) -> dict[str, Any]:
    spec: dict[str, Any] = {"code": "a", "name": "指标", "points": points, "rule": rule, **extra}
    if value is not None:
        spec["value"] = value
    return spec


def unit(code: str = "u1", **values: Any) -> dict[str, Any]:
    return {"code": code, "name": f"单位{code}", "values": values}


def score_rule(
    rule: dict[str, Any],
    values: dict[str, Any] | None = None,
    *,
    points: Any = 10,
    targets: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
    lang: str = "zh",
    value: str | None = "x",
    **item_extra: Any,
) -> ItemResult:
    """Score one unit on a one-item scheme and return that item's result."""
    scheme = load_scheme(scheme_dict([item(rule, points=points, value=value, **item_extra)]))
    one = {
        "code": "u1",
        "name": "单位",
        "values": values or {},
        "targets": targets or {},
        "previous": previous or {},
    }
    return score_units(scheme, [one], lang=lang).results[0].items[0]


def score(results: Results, code: str) -> Decimal:
    return results.unit(code).total


D = Decimal
