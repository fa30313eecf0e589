"""Loading schemes: every problem is reported as ``path: message``, nothing half-loaded."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from renkou.scoring import RULE_TYPES, SchemeError, load_scheme

from .support import GRADES, item, scheme_dict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemes"


def problems(raw: dict[str, Any], lang: str = "en") -> list[tuple[str, str]]:
    with pytest.raises(SchemeError) as caught:
        load_scheme(raw, lang=lang)
    return caught.value.problems


def four_items(rule_of_the_fourth: dict[str, Any]) -> dict[str, Any]:
    items = [
        {**item({"type": "threshold", "target": 1}), "code": f"i{index}"} for index in range(3)
    ]
    items.append({**item(rule_of_the_fourth), "code": "i3"})
    return scheme_dict(items)


def test_the_issue_example_message_for_a_zero_step() -> None:
    raw = four_items({"type": "shortfall", "target": 95, "step": 0, "deduct": 0.3})
    assert problems(raw) == [("items[3].rule.step", "must be greater than 0")]
    with pytest.raises(SchemeError) as caught:
        load_scheme(raw, lang="en")
    assert str(caught.value) == "items[3].rule.step: must be greater than 0"


def test_messages_are_chinese_by_default() -> None:
    raw = four_items({"type": "shortfall", "target": 95, "step": -1, "deduct": 0.3})
    assert problems(raw, lang="zh") == [("items[3].rule.step", "必须大于0")]


def test_every_problem_is_listed_at_once() -> None:
    raw = {
        "code": "x",
        "name": "坏方案",
        "classes": [{"code": "a", "name": "甲"}],
        "parts": [{"code": "p", "weight": 0.6}, {"code": "q", "weight": 0.3}],
        "items": [
            {"code": "i1", "name": "一", "points": 10, "value": "v", "part": "p",
             "rule": {"type": "magic"}},
            {"code": "i1", "name": "二", "points": "ten", "value": "v", "part": "z",
             "rule": {"type": "shortfall", "target": 95, "step": 1}},
            {"code": "i3", "name": "三", "points": 5, "value": "v", "part": "q",
             "rule": {"type": "threshold", "target": 1}, "skip_classes": ["b"]},
        ],
        "grades": [{"name": "优", "min": 80}, {"name": "良", "min": 85}, {"name": "差"}],
    }  # fmt: skip
    found = problems(raw)
    paths = [path for path, _ in found]
    assert paths == [
        "parts",
        "grades[1].min",
        "items[0].rule.type",
        "items[1].code",
        "items[1].part",
        "items[1].points",
        "items[1].rule.deduct",
        "items[2].skip_classes[0]",
    ]
    messages = dict(found)
    assert messages["parts"] == "weights must add up to 1, they add up to 0.9"
    assert messages["grades[1].min"] == "must be lower than the previous grade's min 80"
    assert messages["items[0].rule.type"].startswith('unknown rule type "magic"')
    assert messages["items[1].code"] == "duplicate code i1 (also at items[0])"
    assert messages["items[1].part"] == "unknown part z"
    assert messages["items[1].points"] == 'must be a number, got "ten"'
    assert messages["items[1].rule.deduct"] == "is required"
    assert messages["items[2].skip_classes[0]"] == 'unknown class "b"'


@pytest.mark.parametrize(
    ("rule", "path", "message"),
    [
        ({"type": "band", "low": 107, "high": 103}, "items[0].rule.low",
         "low must not be greater than high"),
        ({"type": "band", "low": 1, "high": 2, "step": 1}, "items[0].rule.deduct",
         "step and deduct go together"),
        ({"type": "threshold"}, "items[0].rule.target", "is required"),
        ({"type": "threshold", "target": "abc"}, "items[0].rule.target",
         "must be a number, target (the unit's own target) or {of_target: fraction}"),
        ({"type": "ratio", "target": 5, "direction": "up"}, "items[0].rule.direction",
         'must be one of higher/lower, got "up"'),
        ({"type": "shortfall", "target": 9, "step": 1, "deduct": 1, "partial": "half"},
         "items[0].rule.partial", 'must be one of proportional/whole/started, got "half"'),
        ({"type": "per_case"}, "items[0].rule.amount", "is required"),
        ({"type": "scaled", "max": 0}, "items[0].rule.max", "must be greater than 0"),
        ({"type": "table", "rows": []}, "items[0].rule.rows", "must not be empty"),
        ({"type": "table", "rows": [{"min": 1, "score": 1, "fraction": 0.5}]},
         "items[0].rule.rows[0]", "give exactly one of score and fraction"),
        ({"type": "table", "rows": [{"min": 5, "max": 5, "score": 1}]},
         "items[0].rule.rows[0].min", "min must be less than max"),
        ({"type": "relative", "rule": {"type": "scaled", "max": 1}}, "items[0].rule.rule.type",
         "a scaled rule cannot be used inside relative"),
        ({"type": "relative", "rule": {"type": "threshold", "target": 5}},
         "items[0].rule.rule.target",
         "a relative rule takes its target from the statistic; "
         "write target or {of_target: fraction}"),
        ({"type": "blend", "parts": [{"rule": {"type": "threshold", "target": 1}, "weight": 0.5},
                                     {"rule": {"type": "scaled", "max": 1}, "weight": 0.4}]},
         "items[0].rule.parts", "weights must add up to 1, they add up to 0.9"),
        ({"type": "blend", "parts": [{"rule": {"type": "threshold", "target": 1}, "weight": 1}],
          "weights_when": [{"when": "x > 1", "weights": [0.5, 0.5]}]},
         "items[0].rule.weights_when[0].weights", "needs 1 weights, one per part"),
        ({"type": "srb_interval", "male": "m", "female": "f", "confidence": 1},
         "items[0].rule.confidence", "must be less than 1"),
        ({"type": "threshold", "target": 1, "tolerance": 2}, "items[0].rule.tolerance",
         "unknown field (known: type, target, direction, else)"),
    ],
)  # fmt: skip
def test_rule_problems(rule: dict[str, Any], path: str, message: str) -> None:
    value = None if rule["type"] == "srb_interval" else "x"
    assert (path, message) in problems(scheme_dict([item(rule, value=value)]))


def test_every_rule_type_is_known() -> None:
    assert set(RULE_TYPES) == {
        "threshold", "band", "shortfall", "ratio", "per_case", "scaled", "table",
        "excess", "relative", "progress", "blend", "srb_interval",
    }  # fmt: skip


def test_an_item_needs_a_value_unless_it_reads_births() -> None:
    assert ("items[0].value", "is required (the key of the figure to score)") in problems(
        scheme_dict([item({"type": "threshold", "target": 1}, value=None)])
    )
    srb = {"type": "srb_interval", "male": "m", "female": "f"}
    assert (
        "items[0].value",
        "srb_interval reads the male and female births; leave value out",
    ) in problems(scheme_dict([item(srb, value="srb")]))


def test_points_must_be_positive() -> None:
    assert ("items[0].points", "must be greater than 0") in problems(
        scheme_dict([item({"type": "threshold", "target": 1}, points=0)])
    )


def test_points_must_fit_the_precision() -> None:
    """At precision 1, 0.05 points could never be shown: 0.05 rounds to 0.1."""
    raw = scheme_dict([item({"type": "threshold", "target": 1}, points="0.05")], precision=1)
    assert problems(raw) == [
        ("items[0].points", "must have at most 1 decimal places, the scheme's precision")
    ]


def test_grades_must_descend_and_the_last_has_no_min() -> None:
    raw = scheme_dict([item({"type": "threshold", "target": 1})])
    raw["grades"] = [{"name": "A", "min": 90}, {"name": "B", "min": 90}, {"name": "C", "min": 1}]
    found = problems(raw)
    assert ("grades[1].min", "must be lower than the previous grade's min 90") in found
    assert ("grades[2].min", "the last grade takes no min") in found


def test_grades_by_class_needs_known_classes_and_the_veto_grade() -> None:
    raw = scheme_dict(
        [item({"type": "threshold", "target": 1})],
        classes=[{"code": "hill", "name": "山区"}],
        grades_by_class={
            "hill": [{"name": "示范", "min": 85}, {"name": "整治"}],
            "sea": [{"name": "X"}],
        },
        veto_grade="不合格",
    )
    found = problems(raw)
    assert ("grades_by_class.sea", 'unknown class "sea"') in found
    assert ("veto_grade", "is not a grade: 不合格 (known: 示范/整治)") in found


def test_ceilings_name_a_known_grade() -> None:
    raw = scheme_dict(
        [item({"type": "threshold", "target": 1})],
        ceilings=[{"code": "c", "when": "p > 0", "max_grade": "很好"}],
    )
    assert ("ceilings[0].max_grade", "is not a grade: 很好 (known: 优秀/良好/合格/不合格)") in (
        problems(raw)
    )


def test_conditions_are_checked() -> None:
    raw = scheme_dict(
        [item({"type": "threshold", "target": 1}, zero_if="total < 3")],
        vetoes=[{"code": "v", "when": "fraud >> 0"}, {"code": "v", "when": {"any": []}}],
    )
    found = problems(raw)
    assert ("items[0].zero_if", "total can only be used in vetoes and ceilings") in found
    assert (
        "vetoes[0].when",
        'cannot read the condition "fraud >> 0"; write NAME OP NUMBER, e.g. total < 60',
    ) in found
    assert ("vetoes[1].code", "duplicate code v (also at vetoes[0])") in found
    assert ("vetoes[1].when.any", "must not be empty") in found


def test_by_class_names_known_classes_and_overridable_fields() -> None:
    raw = scheme_dict(
        [item({"type": "threshold", "target": 1},
              by_class={"hill": {"points": 0}, "sea": {"points": 1}, "town": {"part": "p"}})],
        classes=[{"code": "hill", "name": "山区"}, {"code": "town", "name": "镇"}],
    )  # fmt: skip
    found = problems(raw)
    assert ("items[0].by_class.hill.points", "must be greater than 0") in found
    assert ("items[0].by_class.sea", 'unknown class "sea"') in found
    assert ("items[0].by_class.town.part", "cannot be set per class") in found


def test_parts_need_items_and_a_common_scale() -> None:
    raw = scheme_dict(
        [
            {**item({"type": "threshold", "target": 1}, points=60), "part": "p"},
            {**item({"type": "threshold", "target": 1}, points=100), "code": "b", "part": "q"},
        ],
        parts=[
            {"code": "p", "weight": 0.5},
            {"code": "q", "weight": 0.5},
            {"code": "r", "weight": 0},
        ],
    )
    assert ("parts[2].weight", "must be greater than 0") in problems(raw)
    raw["parts"][2]["weight"] = 0.5
    assert ("parts[2]", "part r has no items") in problems(raw)
    del raw["parts"][2]
    assert problems(raw) == [
        ("parts", "the parts have different points (p 60, q 100); set the scheme's points")
    ]
    raw["points"] = 100
    assert load_scheme(raw).points == D(100)


def test_items_need_a_part_when_the_scheme_has_parts() -> None:
    raw = scheme_dict(
        [item({"type": "threshold", "target": 1})], parts=[{"code": "p", "weight": 1}]
    )
    assert ("items[0].part", "is required because the scheme has parts") in problems(raw)


def test_unknown_top_level_fields_are_refused() -> None:
    raw = scheme_dict([item({"type": "threshold", "target": 1})], grade=GRADES)
    assert problems(raw)[0][0] == "grade"


def test_yes_is_not_a_number() -> None:
    """YAML turns ``yes`` into true; a boolean must not pass as the number 1."""
    assert ("items[0].points", "must be a number, got true") in problems(
        scheme_dict([item({"type": "threshold", "target": 1}, points=True)])
    )


def test_loading_yaml_and_json_files(tmp_path: Path) -> None:
    raw = scheme_dict([item({"type": "band", "low": 103, "high": 107, "step": 1, "deduct": 0.5})])
    as_json = tmp_path / "s.json"
    as_json.write_text(json.dumps(raw), encoding="utf-8")
    as_yaml = tmp_path / "s.yaml"
    as_yaml.write_text(
        "code: t\nname: 测试方案\nitems:\n"
        "  - {code: a, name: 指标, points: 10, value: x,\n"
        "     rule: {type: band, low: 103, high: 107, step: 1, deduct: 0.5}}\n"
        "grades: [{name: 优秀, min: 90}, {name: 良好, min: 80}, {name: 合格, min: 60},"
        " {name: 不合格}]\n",
        encoding="utf-8",
    )
    assert load_scheme(as_json) == load_scheme(as_yaml) == load_scheme(raw)


def test_file_problems_are_scheme_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("items: [\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme(broken, lang="en")
    assert caught.value.problems[0][0] == str(broken)
    assert "is not well formed" in caught.value.problems[0][1]
    with pytest.raises(SchemeError, match=r"unsupported file type \.txt"):
        load_scheme(tmp_path / "scheme.txt", lang="en")
    with pytest.raises(SchemeError, match="cannot be read"):
        load_scheme(tmp_path / "absent.yaml", lang="en")
    listed = tmp_path / "list.json"
    listed.write_text("[1, 2]", encoding="utf-8")
    assert load_scheme_problems(listed) == [("", "must be a mapping (key: value)")]


def load_scheme_problems(path: Path) -> list[tuple[str, str]]:
    with pytest.raises(SchemeError) as caught:
        load_scheme(path, lang="en")
    return caught.value.problems


@pytest.mark.parametrize("name", ["township.yaml", "village.yaml", "county.json"])
def test_the_example_schemes_load(name: str) -> None:
    scheme = load_scheme(EXAMPLES / name)
    assert scheme.items


def test_by_class_overrides_points_and_tweaks_the_rule() -> None:
    raw = scheme_dict(
        [
            item(
                {"type": "ratio", "target": 100},
                by_class={"hill": {"points": 8, "rule": {"target": 80}}},
            )
        ],
        classes=[{"code": "hill", "name": "山区"}, {"code": "town", "name": "镇"}],
    )
    scheme = load_scheme(raw)
    hill = scheme.items[0].for_class("hill")
    assert hill.points == D(8)
    assert hill.rule.target.fixed == D(80)  # type: ignore[attr-defined]
    assert scheme.items[0].for_class("town").points == D(10)
