"""Totals, re-scaling, parts, bonuses, vetoes, ceilings, grades and ranks."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from renkou.scoring import SchemeError, Unit, UnitsError, load_scheme, score_units

from .support import scheme_dict

SCALED = {"type": "scaled", "max": 100}


def scaled_item(code: str, points: Any, **extra: Any) -> dict[str, Any]:
    """An item worth ``points`` that scores points × figure / 100."""
    return {"code": code, "name": code, "points": points, "value": code, "rule": SCALED, **extra}


def run(raw: dict[str, Any], units: list[dict[str, Any]], **options: Any):
    return score_units(load_scheme(raw), units, **options)


def u(code: str, cls: str | None = None, **values: Any) -> dict[str, Any]:
    unit: dict[str, Any] = {"code": code, "name": code, "values": values}
    if cls is not None:
        unit["class"] = cls
    return unit


# --- totals and rounding -----------------------------------------------------


def test_total_is_the_sum_of_rounded_item_scores() -> None:
    """Three items of 10 at 33.35%: each 3.335 → 3.34 (half up); the total is
    3 × 3.34 = 10.02, not round(10.005) = 10.01, so the printed items add up."""
    raw = scheme_dict([scaled_item(code, 10) for code in ("a", "b", "c")])
    result = run(raw, [u("1", a=33.35, b=33.35, c=33.35)]).results[0]
    assert [item.score for item in result.items] == [D("3.34")] * 3
    assert result.raw_total == result.total == D("10.02")


def test_scores_round_half_up_not_to_even() -> None:
    """Precision 1: 10 × 12.5 / 100 = 1.25 → 1.3 (half-even would give 1.2)."""
    raw = scheme_dict([scaled_item("a", 10)], precision=1)
    assert run(raw, [u("1", a=12.5)]).results[0].items[0].score == D("1.3")


def test_precision_zero_gives_whole_points() -> None:
    """10 × 44.5 / 100 = 4.45 → 4 at precision 0."""
    raw = scheme_dict([scaled_item("a", 10)], precision=0)
    assert run(raw, [u("1", a=44.5)]).results[0].total == D(4)


def test_bonus_is_added_after_the_items() -> None:
    """Items 8.7; bonus 3 innovations × 0.5 = 1.5; total 10.2."""
    raw = scheme_dict(
        [scaled_item("a", 10)],
        bonuses=[
            {
                "code": "b",
                "name": "创新",
                "value": "n",
                "rule": {"type": "per_case", "amount": 0.5},
                "cap": 2,
            }
        ],
    )
    result = run(raw, [u("1", a=87, n=3)]).results[0]
    assert (result.raw_total, result.bonus, result.total) == (D("8.7"), D("1.5"), D("10.2"))
    assert result.bonuses[0].explanation == "创新3，3例，每例加0.5分，加1.5分"


# --- classes: skipping and re-scaling ----------------------------------------

CLASSES = [{"code": "street", "name": "街道"}, {"code": "hill", "name": "山区乡"}]


def test_skipped_items_rescale_the_total() -> None:
    """Items 60 + 40 = 100; the hill township skips the 40. It earns 45 of the
    60 assessed: 45 × 100 / 60 = 75. The street earns 45 + 20 = 65 of 100."""
    raw = scheme_dict(
        [scaled_item("a", 60), scaled_item("b", 40, skip_classes=["hill"])], classes=CLASSES
    )
    results = run(raw, [u("s", "street", a=75, b=50), u("h", "hill", a=75)])
    hill = results.unit("h")
    assert hill.items[1].skipped is True
    assert hill.items[1].score is None
    assert hill.items[1].explanation == "山区乡不考核此项"
    assert (hill.raw_total, hill.total) == (D(45), D(75))
    assert results.unit("s").total == D(65)


def test_rescaling_can_be_turned_off() -> None:
    """Without rescaling the hill township keeps its 45."""
    raw = scheme_dict(
        [scaled_item("a", 60), scaled_item("b", 40, skip_classes=["hill"])],
        classes=CLASSES,
        rescale_skipped=False,
    )
    assert run(raw, [u("h", "hill", a=75)]).unit("h").total == D(45)


def test_rescaled_total_is_rounded_half_up() -> None:
    """Items 30 + 70, hill skips 70: 10 of 30 → 10 × 100 / 30 = 33.333… → 33.33."""
    raw = scheme_dict(
        [scaled_item("a", 30), scaled_item("b", 70, skip_classes=["hill"])], classes=CLASSES
    )
    assert run(raw, [u("h", "hill", a=D(100) / 3)]).unit("h").total == D("33.33")


def test_by_class_points_change_the_scale_for_that_class() -> None:
    """Hill: a is worth 20 (not 60), b 40: 60 in all. 50% of each → 10 + 20 = 30."""
    raw = scheme_dict(
        [scaled_item("a", 60, by_class={"hill": {"points": 20}}), scaled_item("b", 40)],
        classes=CLASSES,
    )
    hill = run(raw, [u("h", "hill", a=50, b=50)]).unit("h")
    assert hill.items[0].points == D(20)
    assert hill.total == D(30)


# --- parts -------------------------------------------------------------------


def test_parts_are_weighted_on_their_own_points() -> None:
    """Daily part (weight 0.3): 80 of 100. Annual (0.7): 90 of 100.
    0.3 × 80 + 0.7 × 90 = 24 + 63 = 87; raw_total is the items' sum, 170."""
    raw = scheme_dict(
        [scaled_item("d", 100, part="daily"), scaled_item("y", 100, part="annual")],
        parts=[{"code": "daily", "weight": 0.3}, {"code": "annual", "weight": 0.7}],
    )
    result = run(raw, [u("1", d=80, y=90)]).results[0]
    assert (result.raw_total, result.total) == (D(170), D(87))


def test_parts_with_different_points_use_the_scheme_total() -> None:
    """points 1000. Daily 60 of 100 (0.6), annual 450 of 500 (0.9):
    1000 × (0.3 × 0.6 + 0.7 × 0.9) = 1000 × 0.81 = 810."""
    raw = scheme_dict(
        [scaled_item("d", 100, part="daily"), scaled_item("y", 500, part="annual")],
        parts=[{"code": "daily", "weight": 0.3}, {"code": "annual", "weight": 0.7}],
        points=1000,
        grades=[{"name": "好", "min": 800}, {"name": "差"}],
    )
    result = run(raw, [u("1", d=60, y=90)]).results[0]
    assert result.total == D(810)
    assert result.grade == "好"


def test_a_part_with_nothing_assessed_hands_its_weight_on() -> None:
    """Hill skips the whole daily part; annual 90 of 100 carries all the
    weight: 100 × 0.9 = 90."""
    raw = scheme_dict(
        [
            scaled_item("d", 100, part="daily", skip_classes=["hill"]),
            scaled_item("y", 100, part="annual"),
        ],
        parts=[{"code": "daily", "weight": 0.3}, {"code": "annual", "weight": 0.7}],
        classes=CLASSES,
    )
    assert run(raw, [u("h", "hill", y=90)]).unit("h").total == D(90)


# --- grades, vetoes, ceilings ------------------------------------------------


def one_item(**extra: Any) -> dict[str, Any]:
    return scheme_dict([scaled_item("a", 100)], **extra)


@pytest.mark.parametrize(
    ("figure", "grade"),
    [(90, "优秀"), (89.99, "良好"), (80, "良好"), (60, "合格"), (59.99, "不合格"), (0, "不合格")],
)
def test_grade_cut_offs_are_inclusive(figure: float, grade: str) -> None:
    """min is inclusive: exactly 90 is 优秀, 89.99 is 良好."""
    assert run(one_item(), [u("1", a=figure)]).results[0].grade == grade


def test_grades_by_class() -> None:
    """Hill villages: 示范 from 85. Plain villages: 示范 from 90. Both score 86."""
    raw = one_item(
        classes=[{"code": "hill", "name": "山区村"}, {"code": "plain", "name": "平原村"}],
        grades=[{"name": "示范", "min": 90}, {"name": "合格", "min": 70}, {"name": "整治"}],
        grades_by_class={
            "hill": [{"name": "示范", "min": 85}, {"name": "合格", "min": 65}, {"name": "整治"}]
        },
    )
    results = run(raw, [u("h", "hill", a=86), u("p", "plain", a=86)])
    assert results.unit("h").grade == "示范"
    assert results.unit("p").grade == "合格"


VETOES = [
    {"code": "fraud", "name": "弄虚作假", "when": "data_fraud > 0"},
    {"code": "low", "name": "总分低于60分", "when": "total < 60"},
]


def test_a_veto_sets_the_veto_grade_whatever_the_score() -> None:
    result = run(one_item(vetoes=VETOES), [u("1", a=99, data_fraud=1)]).results[0]
    assert result.vetoes == ["fraud"]
    assert result.grade == "不合格"
    assert result.total == D(99)


def test_total_below_sixty_is_a_veto_and_sixty_is_not() -> None:
    results = run(one_item(vetoes=VETOES), [u("1", a=59.99, data_fraud=0), u("2", a=60)])
    assert results.unit("1").vetoes == ["low"]
    assert results.unit("2").vetoes == []


def test_veto_grade_defaults_to_the_last_grade() -> None:
    raw = one_item(vetoes=VETOES[:1], grades=[{"name": "示范", "min": 90}, {"name": "整治"}])
    assert run(raw, [u("1", a=95, data_fraud=2)]).results[0].grade == "整治"


def test_any_and_all_conditions() -> None:
    raw = one_item(vetoes=[{"code": "v", "when": {"any": ["p > 0", {"all": ["q > 1", "r <= 2"]}]}}])
    results = run(
        raw,
        [
            u("1", a=90, p=1, q=0, r=0),
            u("2", a=90, p=0, q=2, r=2),
            u("3", a=90, p=0, q=2, r=3),
        ],
    )
    assert [unit.vetoes for unit in results.results] == [["v"], ["v"], []]


CEILINGS = [
    {"code": "petitions", "name": "信访突出", "when": "petitions > 0", "max_grade": "良好"},
    {"code": "accident", "name": "安全事故", "when": "accidents > 0", "max_grade": "合格"},
]


def test_a_ceiling_lowers_the_grade_but_never_raises_it() -> None:
    results = run(
        one_item(ceilings=CEILINGS),
        [u("top", a=95, petitions=1, accidents=0), u("low", a=70, petitions=1, accidents=0)],
    )
    assert (results.unit("top").grade, results.unit("top").ceiling) == ("良好", "petitions")
    assert results.unit("low").grade == "合格"


def test_the_strictest_ceiling_wins() -> None:
    result = run(one_item(ceilings=CEILINGS), [u("1", a=95, petitions=1, accidents=1)])
    assert (result.results[0].grade, result.results[0].ceiling) == ("合格", "accident")


# --- ranks -------------------------------------------------------------------


def test_competition_ranking_with_ties() -> None:
    """Totals 90, 80, 80, 70 rank 1, 2, 2, 4."""
    results = run(one_item(), [u("a", a=90), u("b", a=80), u("c", a=80), u("d", a=70)])
    assert [unit.rank for unit in results.results] == [1, 2, 2, 4]
    assert [unit.class_rank for unit in results.results] == [None] * 4


def test_vetoed_units_rank_after_all_others() -> None:
    """The vetoed 99 ranks after the unvetoed 50; vetoed units rank among
    themselves by total (99 before 30)."""
    results = run(
        one_item(vetoes=VETOES[:1]),
        [u("a", a=99, data_fraud=1), u("b", a=50, data_fraud=0), u("c", a=30, data_fraud=1)],
    )
    assert [unit.rank for unit in results.results] == [2, 1, 3]


def test_class_ranks() -> None:
    raw = one_item(classes=CLASSES, ranking={"within_class": True})
    results = run(
        raw,
        [
            u("s1", "street", a=70),
            u("h1", "hill", a=80),
            u("s2", "street", a=90),
            u("h2", "hill", a=80),
        ],
    )
    assert [unit.rank for unit in results.results] == [4, 2, 1, 2]
    assert [unit.class_rank for unit in results.results] == [2, 1, 1, 1]


# --- missing figures, zero_if, multiplier ------------------------------------


def test_a_missing_value_scores_zero_with_a_warning() -> None:
    results = run(one_item(), [{"code": "1", "name": "甲村", "values": {}}])
    item = results.results[0].items[0]
    assert (item.score, item.value, item.explanation) == (0, None, "未上报")
    assert results.warnings == ["1 甲村：a未上报，a得0分"]


def test_empty_and_null_figures_are_missing() -> None:
    results = run(one_item(), [u("1", a=""), u("2", a=None)])
    assert [unit.items[0].explanation for unit in results.results] == ["未上报", "未上报"]


def test_strict_makes_a_missing_value_an_error_naming_unit_and_key() -> None:
    with pytest.raises(UnitsError) as caught:
        run(one_item(), [{"code": "1", "name": "甲村", "values": {}}], strict=True)
    assert caught.value.problems == [("1 甲村", "a", "未上报")]


def test_zero_if_zeroes_the_item() -> None:
    raw = scheme_dict([scaled_item("a", 10, zero_if="fraud > 0")])
    results = run(raw, [u("1", a=90, fraud=1), u("2", a=90, fraud=0)])
    zeroed = results.unit("1").items[0]
    assert zeroed.score == 0
    assert zeroed.explanation == "a90，因fraud > 0，本项得0分"
    assert results.unit("2").items[0].score == D(9)


def test_a_condition_on_an_unreported_figure_does_not_hold_and_warns() -> None:
    raw = scheme_dict([scaled_item("a", 10, zero_if="fraud > 0")])
    results = run(raw, [u("1", a=90)])
    assert results.results[0].items[0].score == D(9)
    assert results.warnings == ["1 1：条件fraud > 0中的fraud未上报，按不成立处理"]


def test_multiplier_scales_the_rounded_score_and_caps_at_points() -> None:
    """8.95 × 1.1 = 9.845 → 9.85; 9.5 × 1.1 = 10.45 → capped at 10."""
    raw = scheme_dict([scaled_item("a", 10, multiplier="k")])
    results = run(raw, [u("1", a=89.5, k=1.1), u("2", a=95, k=1.1)])
    first = results.unit("1").items[0]
    assert first.score == D("9.85")
    assert first.explanation.endswith("得8.95分，乘系数1.1（k）为9.85分")
    capped = results.unit("2").items[0]
    assert capped.score == D(10)
    assert capped.explanation.endswith("乘系数1.1（k）为10.45分，以满分10分为限")


def test_missing_multiplier_counts_as_one_with_a_warning() -> None:
    raw = scheme_dict([scaled_item("a", 10, multiplier="k")])
    results = run(raw, [u("1", a=50)])
    assert results.results[0].items[0].score == D(5)
    assert results.warnings == ["1 1：系数k未上报，按1计"]


# --- units -------------------------------------------------------------------


def test_units_as_dataclasses_or_a_document() -> None:
    scheme = load_scheme(one_item())
    as_unit = score_units(scheme, [Unit("1", "甲", values={"a": D(70)})])
    as_document = score_units(scheme, {"units": [u("1", a=70)]})
    assert as_unit.results[0].total == as_document.results[0].total == D(70)


def test_bad_units_name_the_unit_and_the_key() -> None:
    raw = one_item(classes=CLASSES)
    with pytest.raises(UnitsError) as caught:
        run(
            raw,
            [
                {"code": "1", "name": "甲", "class": "street", "values": {"a": "很多"}},
                {"code": "1", "name": "乙", "class": "street", "values": {"a": 1}},
                {"code": "3", "name": "丙", "class": "moon", "values": {"a": 1}},
                {"code": "4", "name": "丁", "values": {"a": 1}},
                {"name": "无编码", "class": "street", "values": {"a": 1}},
            ],
            lang="en",
        )
    assert caught.value.problems == [
        ("1 甲", "a", '"很多" is not a number'),
        ("1 乙", "code", "duplicate unit code"),
        ("3 丙", "class", 'class "moon" is not in the scheme (known: street/hill)'),
        ("4 丁", "class", "the scheme assesses by class, so class is required"),
        ("units[4]", "code", "is required"),
    ]


def test_births_must_be_whole_numbers() -> None:
    raw = scheme_dict(
        [
            {
                "code": "srb",
                "name": "性别比",
                "points": 10,
                "rule": {"type": "srb_interval", "male": "m", "female": "f"},
            }
        ]
    )
    with pytest.raises(UnitsError) as caught:
        run(raw, [u("1", m=10.5, f=9)], lang="en")
    assert caught.value.problems == [("1 1", "m", "must be a whole number of at least 0, got 10.5")]


def test_only_figures_the_scheme_reads_are_checked() -> None:
    results = run(one_item(), [u("1", a=50, remark="村委会换届")])
    assert results.results[0].total == D(50)


def test_english_explanations_and_warnings() -> None:
    results = run(one_item(), [u("1", a=87), {"code": "2", "name": "乙", "values": {}}], lang="en")
    assert results.unit("1").items[0].explanation == "a 87: 87 out of 100, 100 × 87 ÷ 100; score 87"
    assert results.unit("2").items[0].explanation == "not reported"
    assert results.warnings == ["2 乙: a not reported, a scores 0"]


def test_output_shape() -> None:
    raw = one_item(classes=CLASSES, vetoes=VETOES[:1], ranking={"within_class": True})
    document = run(raw, [u("1", "street", a=87.5, data_fraud=0)]).to_dict()
    assert document == {
        "scheme": "t",
        "results": [
            {
                "code": "1",
                "name": "1",
                "class": "street",
                "items": [
                    {
                        "code": "a",
                        "points": 100,
                        "value": 87.5,
                        "target": None,
                        "score": 87.5,
                        "skipped": False,
                        "explanation": "a87.5，满分100得87.5，折合100×87.5÷100，得87.5分",
                    }
                ],
                "bonus": 0,
                "bonuses": [],
                "raw_total": 87.5,
                "total": 87.5,
                "grade": "良好",
                "vetoes": [],
                "ceiling": None,
                "rank": 1,
                "class_rank": 1,
            }
        ],
        "warnings": [],
    }


def test_strict_names_a_missing_target_by_its_column() -> None:
    raw = scheme_dict(
        [{"code": "a", "name": "甲", "points": 10, "value": "a",
          "rule": {"type": "threshold", "target": "target"}}]
    )  # fmt: skip
    with pytest.raises(UnitsError) as caught:
        run(raw, [u("1", a=5)], strict=True)
    assert caught.value.problems == [("1 1", "target.a", "未下达目标")]
    relaxed = run(raw, [u("1", a=5)])
    assert relaxed.warnings == ["1 1：甲未下达目标，得0分"]


def test_kind_and_measure_are_kept_and_checked() -> None:
    raw = scheme_dict([scaled_item("a", 10, kind="process", measure="qualitative")])
    item = load_scheme(raw).items[0]
    assert (item.kind, item.measure) == ("process", "qualitative")
    defaults = load_scheme(scheme_dict([scaled_item("a", 10)])).items[0]
    assert (defaults.kind, defaults.measure) == ("outcome", "quantitative")
    with pytest.raises(SchemeError, match=r"items\[0\]\.kind"):
        load_scheme(scheme_dict([scaled_item("a", 10, kind="result")]))
