"""Invariants that must hold for any scheme and any figures."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from renkou.scoring import load_scheme, score_units

from .support import GRADES

figures = st.decimals(
    min_value=-200, max_value=1200, places=2, allow_nan=False, allow_infinity=False
)
positive = st.decimals(min_value="0.01", max_value=100, places=2)
fractions = st.decimals(min_value="0.05", max_value=1, places=2)
directions = st.sampled_from(["higher", "lower"])
partials = st.sampled_from(["proportional", "whole", "started"])
targets = st.one_of(
    st.integers(min_value=-50, max_value=500),
    st.just("target"),
    fractions.map(lambda share: {"of_target": str(share)}),
)


@st.composite
def simple_rules(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["threshold", "band", "shortfall", "ratio", "per_case", "scaled", "table", "excess"]
        )
    )
    if kind == "threshold":
        return {
            "type": kind,
            "target": draw(targets),
            "direction": draw(directions),
            "else": str(draw(positive)),
        }
    if kind == "band":
        low = draw(st.integers(min_value=-50, max_value=500))
        rule: dict[str, Any] = {
            "type": kind,
            "low": low,
            "high": low + draw(st.integers(min_value=0, max_value=100)),
        }
        if draw(st.booleans()):
            rule |= {
                "step": str(draw(positive)),
                "deduct": str(draw(positive)),
                "partial": draw(partials),
            }
        return rule
    if kind == "shortfall":
        return {
            "type": kind,
            "target": draw(targets),
            "direction": draw(directions),
            "step": str(draw(positive)),
            "deduct": str(draw(positive)),
            "tolerance": draw(st.integers(min_value=0, max_value=5)),
            "partial": draw(partials),
        }
    if kind == "ratio":
        return {
            "type": kind,
            "target": draw(targets),
            "direction": draw(directions),
            "cap": str(draw(fractions)),
        }
    if kind == "per_case":
        rule = {"type": kind, "amount": str(draw(positive))}
        if draw(st.booleans()):
            rule["double"] = "d"
        if draw(st.booleans()):
            rule["cap"] = str(draw(positive))
        return rule
    if kind == "scaled":
        return {"type": kind, "max": str(draw(positive))}
    if kind == "table":
        cuts = sorted(draw(st.lists(st.integers(-50, 500), min_size=1, max_size=4, unique=True)))
        rows = [
            {"min": cut, "score": str(draw(positive))}
            if draw(st.booleans())
            else {"min": cut, "fraction": str(draw(fractions))}
            for cut in reversed(cuts)
        ]
        return {"type": kind, "rows": rows}
    return {
        "type": kind,
        "target": draw(targets),
        "direction": draw(directions),
        "step": str(draw(positive)),
        "add": str(draw(positive)),
        "partial": draw(partials),
    }


@st.composite
def rules(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["simple", "simple", "relative", "progress", "blend", "srb"]))
    if kind == "simple":
        return draw(simple_rules())
    if kind == "relative":
        inner = draw(
            simple_rules().filter(
                lambda rule: rule["type"] in ("threshold", "shortfall", "ratio", "excess")
            )
        )
        inner.pop("target", None)
        return {
            "type": "relative",
            "stat": draw(st.sampled_from(["mean", "median", "best", "worst"])),
            "over": draw(st.sampled_from(["all", "class"])),
            "rule": inner,
        }
    if kind == "progress":
        inner = draw(simple_rules().filter(lambda rule: rule["type"] != "per_case"))
        return {"type": "progress", "direction": draw(directions), "rule": inner}
    if kind == "blend":
        share = draw(st.integers(min_value=0, max_value=10))
        return {
            "type": "blend",
            "parts": [
                {"rule": draw(simple_rules()), "weight": str(Decimal(share) / 10)},
                {"rule": draw(simple_rules()), "weight": str(Decimal(10 - share) / 10)},
            ],
            "weights_when": [{"when": "x0 < 100", "weights": ["0.5", "0.5"]}],
        }
    return {
        "type": "srb_interval",
        "male": "m",
        "female": "f",
        "min_births": draw(st.integers(0, 30)),
        "deduct": str(draw(positive)),
    }


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, Any]:
    precision = draw(st.integers(min_value=0, max_value=3))
    points = st.decimals(min_value=1, max_value=100, places=precision)
    items = []
    for index, rule in enumerate(draw(st.lists(rules(), min_size=1, max_size=5))):
        entry: dict[str, Any] = {
            "code": f"i{index}",
            "name": f"指标{index}",
            "points": str(draw(points)),
            "rule": rule,
        }
        if rule["type"] != "srb_interval":
            entry["value"] = f"x{index}"
        if draw(st.booleans()):
            entry["skip_classes"] = ["hill"]
        if draw(st.booleans()):
            entry["multiplier"] = "k"
        items.append(entry)
    return {
        "code": "p",
        "name": "性质测试",
        "precision": precision,
        "classes": [{"code": "town", "name": "镇"}, {"code": "hill", "name": "山区"}],
        "items": items,
        "bonuses": [
            {
                "code": "b",
                "name": "加分",
                "value": "x0",
                "rule": {"type": "per_case", "amount": "0.5"},
                "cap": 2,
            }
        ],
        "vetoes": [
            {"code": "fraud", "name": "造假", "when": "fraud > 0"},
            {"code": "low", "name": "低分", "when": "total < 10"},
        ],
        "grades": GRADES,
        "rescale_skipped": draw(st.booleans()),
        "ranking": {"within_class": True},
    }


@st.composite
def unit_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=1, max_value=7))
    units = []
    for index in range(count):
        values: dict[str, Any] = {f"x{n}": draw(figures) for n in range(5)}
        values |= {
            "d": draw(st.integers(0, 3)),
            "m": draw(st.integers(0, 60)),
            "f": draw(st.integers(0, 60)),
            "fraud": draw(st.sampled_from([0, 0, 1])),
            "k": draw(st.decimals(min_value="0.5", max_value="1.5", places=2)),
        }
        if draw(st.booleans()):
            del values[f"x{draw(st.integers(0, 4))}"]
        units.append(
            {
                "code": f"u{index}",
                "name": f"单位{index}",
                "class": draw(st.sampled_from(["town", "hill"])),
                "values": values,
                "targets": {f"i{n}": draw(figures) for n in range(5)},
                "previous": {f"x{n}": draw(figures) for n in range(5)},
            }
        )
    return units


@settings(max_examples=150, deadline=None)
@given(schemes(), unit_lists())
def test_item_scores_stay_within_zero_and_the_items_points(
    raw: dict[str, Any], units: list[dict[str, Any]]
) -> None:
    results = score_units(load_scheme(raw), units)
    for unit in results.results:
        for item in unit.items:
            if item.skipped:
                assert item.score is None
            else:
                assert item.score is not None and item.points is not None
                assert 0 <= item.score <= item.points
            assert item.explanation


@settings(max_examples=150, deadline=None)
@given(schemes(), unit_lists())
def test_displayed_items_sum_to_the_raw_total(
    raw: dict[str, Any], units: list[dict[str, Any]]
) -> None:
    document = score_units(load_scheme(raw), units).to_dict()
    for unit in document["results"]:
        shown = sum(
            (Decimal(str(item["score"])) for item in unit["items"] if item["score"] is not None),
            Decimal(0),
        )
        assert shown == Decimal(str(unit["raw_total"]))


@settings(max_examples=150, deadline=None)
@given(schemes(), unit_lists())
def test_vetoed_units_rank_after_every_other_unit(
    raw: dict[str, Any], units: list[dict[str, Any]]
) -> None:
    results = score_units(load_scheme(raw), units).results
    vetoed = [unit.rank for unit in results if unit.vetoes]
    clean = [unit.rank for unit in results if not unit.vetoes]
    if vetoed and clean:
        assert min(vetoed) > max(clean)
    for unit in results:
        assert unit.rank == 1 + sum(
            (bool(other.vetoes), -other.total) < (bool(unit.vetoes), -unit.total)
            for other in results
        )


@settings(max_examples=100, deadline=None)
@given(schemes(), unit_lists(), st.randoms(use_true_random=False))
def test_scoring_is_deterministic_and_independent_of_unit_order(
    raw: dict[str, Any], units: list[dict[str, Any]], shuffler: Any
) -> None:
    scheme = load_scheme(raw)
    first = score_units(scheme, units).to_dict()
    again = score_units(load_scheme(raw), units).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    shuffled = list(units)
    shuffler.shuffle(shuffled)
    by_code = {unit["code"]: unit for unit in score_units(scheme, shuffled).to_dict()["results"]}
    assert {unit["code"]: unit for unit in first["results"]} == by_code
    assert sorted(first["warnings"]) == sorted(score_units(scheme, shuffled).to_dict()["warnings"])
