"""One test per rule type and option; each expected score is worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from renkou.scoring import Results, SchemeError, load_scheme, score_units

from .support import item, scheme_dict, score_rule, unit

# --- threshold ---------------------------------------------------------------


def test_threshold_gives_full_points_exactly_on_the_target() -> None:
    """95 >= 95: the target is met, so 10 of 10."""
    result = score_rule({"type": "threshold", "target": 95}, {"x": 95})
    assert result.score == D(10)
    assert result.target == D(95)
    assert result.explanation == "指标95，达到目标95，得10分"


def test_threshold_just_below_the_target_scores_zero_by_default() -> None:
    """94.99 < 95 and no ``else``: 0."""
    assert score_rule({"type": "threshold", "target": 95}, {"x": 94.99}).score == 0


def test_threshold_else_gives_partial_points_when_missed() -> None:
    """Missed, ``else: 3``: 3 points instead of 0."""
    result = score_rule({"type": "threshold", "target": 95, "else": 3}, {"x": 94})
    assert result.score == D(3)
    assert result.explanation == "指标94，低于目标95，得3分"


def test_threshold_lower_is_better() -> None:
    """direction lower, target 5: 5 meets it (10), 5.01 does not (0)."""
    rule = {"type": "threshold", "target": 5, "direction": "lower"}
    assert score_rule(rule, {"x": 5}).score == D(10)
    assert score_rule(rule, {"x": 5.01}).score == 0


def test_threshold_against_the_units_own_target() -> None:
    """target: target reads targets[a] = 90; 89 < 90 gives 0, 90 gives 10."""
    rule = {"type": "threshold", "target": "target"}
    assert score_rule(rule, {"x": 89}, targets={"a": 90}).score == 0
    met = score_rule(rule, {"x": 90}, targets={"a": 90})
    assert met.score == D(10)
    assert met.target == D(90)


def test_threshold_against_a_fraction_of_the_units_target() -> None:
    """of_target 0.9 of 100 is 90: 90 meets it, 89.9 does not."""
    rule = {"type": "threshold", "target": {"of_target": 0.9}}
    assert score_rule(rule, {"x": 90}, targets={"a": 100}).score == D(10)
    assert score_rule(rule, {"x": 89.9}, targets={"a": 100}).score == 0


def test_missing_own_target_scores_zero_with_its_own_explanation() -> None:
    """No targets[a]: nothing to compare with, 0 and "未下达目标"."""
    result = score_rule({"type": "threshold", "target": "target"}, {"x": 99})
    assert result.score == 0
    assert result.explanation == "未下达目标"


# --- band --------------------------------------------------------------------

SRB_BAND = {"type": "band", "low": 103, "high": 107, "step": 1, "deduct": 0.5}


def test_band_matches_the_issue_example() -> None:
    """112.3 is 5.3 above 107; 5.3 / 1 × 0.5 = 2.65 off; 10 − 2.65 = 7.35."""
    result = score_rule(SRB_BAND, {"x": 112.3}, points=10)
    assert result.score == D("7.35")
    assert result.explanation == "指标112.3，高于上限107共5.3，每高1扣0.5分，扣2.65分，得7.35分"


def test_band_names_the_item_in_its_explanation() -> None:
    scheme = load_scheme(scheme_dict([{**item(SRB_BAND, value="srb"), "name": "出生人口性别比"}]))
    result = score_units(scheme, [unit(srb=112.3)]).results[0].items[0]
    assert result.explanation == (
        "出生人口性别比112.3，高于上限107共5.3，每高1扣0.5分，扣2.65分，得7.35分"
    )


def test_band_gives_full_points_on_both_bounds() -> None:
    """[103, 107] is inclusive at both ends."""
    assert score_rule(SRB_BAND, {"x": 103}).score == D(10)
    assert score_rule(SRB_BAND, {"x": 107}).score == D(10)


def test_band_deducts_below_the_low_bound() -> None:
    """100 is 3 below 103: 3 × 0.5 = 1.5 off, 8.5."""
    result = score_rule(SRB_BAND, {"x": 100})
    assert result.score == D("8.5")
    assert "低于下限103共3，每低1扣0.5分，扣1.5分" in result.explanation


def test_band_without_step_scores_zero_outside() -> None:
    """No step/deduct: anything outside [103, 107] scores 0, 107.01 included."""
    rule = {"type": "band", "low": 103, "high": 107}
    assert score_rule(rule, {"x": 107.01}).score == 0
    assert score_rule(rule, {"x": 105}).score == D(10)


def test_band_is_floored_at_zero() -> None:
    """130 is 23 above: 23 × 0.5 = 11.5 > 10, so 0 ("扣完为止")."""
    result = score_rule(SRB_BAND, {"x": 130})
    assert result.score == 0
    assert "应扣11.5分，扣完为止" in result.explanation


def test_band_bounds_as_fractions_of_the_target() -> None:
    """Target 420: [0.85 × 420, 420] = [357, 420]. 357 → full; 356 is 1 below,
    step 5 deduct 0.5 → 1/5 × 0.5 = 0.1 off → 9.9; the output target is 420."""
    rule = {
        "type": "band",
        "low": {"of_target": 0.85},
        "high": "target",
        "step": 5,
        "deduct": 0.5,
    }
    assert score_rule(rule, {"x": 357}, targets={"a": 420}).score == D(10)
    below = score_rule(rule, {"x": 356}, targets={"a": 420})
    assert below.score == D("9.9")
    assert below.target == D(420)


@pytest.mark.parametrize(
    ("partial", "expected"),
    [("proportional", "8.85"), ("whole", "9"), ("started", "8.5")],
)
def test_band_partial_steps(partial: str, expected: str) -> None:
    """109.3 is 2.3 above 107. proportional: 2.3 × 0.5 = 1.15 → 8.85;
    whole: 2 steps → 1 → 9; started: 3 steps → 1.5 → 8.5."""
    rule = {**SRB_BAND, "partial": partial}
    assert score_rule(rule, {"x": 109.3}).score == D(expected)


# --- shortfall ---------------------------------------------------------------

PER_TENTH = {"type": "shortfall", "target": 95, "step": 0.1, "deduct": 0.3}


def test_shortfall_full_points_exactly_on_target() -> None:
    assert score_rule(PER_TENTH, {"x": 95}).score == D(10)


def test_shortfall_one_step_short() -> None:
    """每低0.1个百分点扣0.3分: 94.9 is one step short → 9.7."""
    assert score_rule(PER_TENTH, {"x": 94.9}).score == D("9.7")


@pytest.mark.parametrize(
    ("partial", "expected"),
    [("proportional", "5.35"), ("whole", "5.5"), ("started", "5.2")],
)
def test_shortfall_partial_steps(partial: str, expected: str) -> None:
    """93.45 is 1.55 short = 15.5 steps of 0.1.
    proportional 15.5 × 0.3 = 4.65 → 5.35; whole 15 × 0.3 = 4.5 → 5.5;
    started 16 × 0.3 = 4.8 → 5.2."""
    result = score_rule({**PER_TENTH, "partial": partial}, {"x": 93.45})
    assert result.score == D(expected)


def test_shortfall_is_floored_at_zero() -> None:
    """80 is 15 short: 150 steps × 0.3 = 45 > 10 → 0, "扣完为止"."""
    result = score_rule(PER_TENTH, {"x": 80})
    assert result.score == 0
    assert result.explanation == (
        "指标80，低于目标95共15，每低0.1扣0.3分，应扣45分，扣完为止，得0分"
    )


def test_shortfall_tolerance() -> None:
    """Tolerance 1, 2 points per 1: 94 (1 short) is within it → 10;
    93.5 (1.5 short) is 0.5 beyond → 1 off → 9."""
    rule = {"type": "shortfall", "target": 95, "step": 1, "deduct": 2, "tolerance": 1}
    assert score_rule(rule, {"x": 94}).score == D(10)
    beyond = score_rule(rule, {"x": 93.5})
    assert beyond.score == D(9)
    assert "扣除允许差1后为0.5" in beyond.explanation


def test_shortfall_lower_is_better() -> None:
    """direction lower, target 5: 7 is 2 over, 1 per 1 → 8; 4 is fine → 10."""
    rule = {"type": "shortfall", "target": 5, "direction": "lower", "step": 1, "deduct": 1}
    assert score_rule(rule, {"x": 7}).score == D(8)
    assert score_rule(rule, {"x": 4}).score == D(10)


# --- ratio -------------------------------------------------------------------


def test_ratio_scales_by_completion() -> None:
    """10 × 350 / 420 = 8.333… → 8.33."""
    result = score_rule({"type": "ratio", "target": "target"}, {"x": 350}, targets={"a": 420})
    assert result.score == D("8.33")
    assert result.explanation == "指标350，目标420，完成率83.33%，按10×350÷420计，得8.33分"


def test_ratio_is_capped_at_full_points() -> None:
    """450 / 420 > 1: capped at 1 → 10."""
    result = score_rule({"type": "ratio", "target": 420}, {"x": 450})
    assert result.score == D(10)
    assert "以100%为限" in result.explanation


def test_ratio_with_a_lower_cap() -> None:
    """cap 0.9: even 450 / 420 counts as 0.9 → 9."""
    assert score_rule({"type": "ratio", "target": 420, "cap": 0.9}, {"x": 450}).score == D(9)


def test_ratio_lower_is_better() -> None:
    """direction lower: 10 × target / value = 10 × 2 / 2.5 = 8."""
    rule = {"type": "ratio", "target": 2, "direction": "lower"}
    assert score_rule(rule, {"x": 2.5}).score == D(8)


def test_ratio_with_a_zero_target_counts_as_met() -> None:
    assert score_rule({"type": "ratio", "target": 0}, {"x": 3}).score == D(10)


def test_ratio_cap_above_one_is_refused_for_an_item() -> None:
    with pytest.raises(SchemeError) as caught:
        load_scheme(scheme_dict([item({"type": "ratio", "target": 1, "cap": 1.2})]), lang="en")
    assert ("items[0].rule.cap", "must be at most 1") in caught.value.problems


# --- per_case ----------------------------------------------------------------


def test_per_case_deducts_per_case() -> None:
    """漏统1人扣0.5分: 3 cases → 1.5 off → 8.5."""
    assert score_rule({"type": "per_case", "amount": 0.5}, {"x": 3}).score == D("8.5")


def test_per_case_doubles_cases_found_by_the_upper_level() -> None:
    """3 × 0.5 + 2 found × 1 = 3.5 off → 6.5."""
    rule = {"type": "per_case", "amount": 0.5, "double": "found"}
    result = score_rule(rule, {"x": 3, "found": 2})
    assert result.score == D("6.5")
    assert result.explanation == (
        "指标3，3例，每例扣0.5分；上级查实2例，每例加倍扣1分，扣3.5分，得6.5分"
    )


def test_per_case_is_floored_at_zero() -> None:
    """5 × 3 = 15 > 10 → 0."""
    assert score_rule({"type": "per_case", "amount": 3}, {"x": 5}).score == 0


def test_per_case_cap_limits_the_deduction() -> None:
    """5 × 0.5 = 2.5, but at most 2 off → 8."""
    result = score_rule({"type": "per_case", "amount": 0.5, "cap": 2}, {"x": 5})
    assert result.score == D(8)
    assert "最多扣2分" in result.explanation


def test_per_case_with_no_cases_gives_full_points() -> None:
    result = score_rule({"type": "per_case", "amount": 0.5}, {"x": 0})
    assert result.score == D(10)
    assert result.explanation == "指标0，无扣分情形，得10分"


# --- scaled ------------------------------------------------------------------


def test_scaled_converts_a_checklist_score() -> None:
    """87 of 100 on a 10-point item: 10 × 87 / 100 = 8.7."""
    assert score_rule({"type": "scaled", "max": 100}, {"x": 87}).score == D("8.7")


def test_scaled_never_exceeds_the_points() -> None:
    assert score_rule({"type": "scaled", "max": 100}, {"x": 104}).score == D(10)


# --- table -------------------------------------------------------------------

TABLE = {
    "type": "table",
    "rows": [
        {"min": 95, "score": 10},
        {"min": 85, "max": 95, "fraction": 0.6},
        {"max": 85, "score": 0},
    ],
}


def test_table_min_is_inclusive_and_max_exclusive() -> None:
    """95 falls in the first row (min 95 inclusive) → 10; 94.99 in the second
    ([85, 95)) → 0.6 × 10 = 6; 85 also in the second → 6; 84.9 in the last → 0."""
    assert score_rule(TABLE, {"x": 95}).score == D(10)
    assert score_rule(TABLE, {"x": 94.99}).score == D(6)
    assert score_rule(TABLE, {"x": 85}).score == D(6)
    assert score_rule(TABLE, {"x": 84.9}).score == 0


def test_table_fraction_row_is_explained() -> None:
    result = score_rule(TABLE, {"x": 90})
    assert result.explanation == "指标90，属于85≤值<95档，得满分的60%，得6分"


def test_table_with_no_matching_row_scores_zero() -> None:
    rule = {"type": "table", "rows": [{"min": 90, "score": 10}]}
    result = score_rule(rule, {"x": 50})
    assert result.score == 0
    assert "不在任何档内" in result.explanation


# --- excess (bonuses) --------------------------------------------------------


def _bonus_scheme(rule: dict[str, Any], *, cap: float | None = None) -> dict[str, Any]:
    bonus: dict[str, Any] = {"code": "b", "name": "加分", "value": "y", "rule": rule}
    if cap is not None:
        bonus["cap"] = cap
    return scheme_dict(
        [item({"type": "threshold", "target": 0})], bonuses=[bonus], rescale_skipped=False
    )


def _bonus(rule: dict[str, Any], y: float, *, cap: float | None = None) -> D:
    scheme = load_scheme(_bonus_scheme(rule, cap=cap))
    return score_units(scheme, [unit(x=1, y=y)]).results[0].bonus


def test_excess_adds_per_step_beyond_the_target() -> None:
    """103 is 3 above 100: 3 × 0.5 = 1.5."""
    assert _bonus({"type": "excess", "target": 100, "step": 1, "add": 0.5}, 103) == D("1.5")


def test_excess_is_capped() -> None:
    """110 → 10 × 0.5 = 5, capped at 2."""
    rule = {"type": "excess", "target": 100, "step": 1, "add": 0.5, "cap": 2}
    assert _bonus(rule, 110) == D(2)


def test_excess_at_or_below_the_target_adds_nothing() -> None:
    assert _bonus({"type": "excess", "target": 100, "step": 1, "add": 0.5}, 100) == 0


def test_excess_whole_steps_only() -> None:
    """2.9 above with whole steps: 2 × 0.5 = 1."""
    rule = {"type": "excess", "target": 100, "step": 1, "add": 0.5, "partial": "whole"}
    assert _bonus(rule, 102.9) == D(1)


def test_per_case_as_a_bonus_adds_up_to_the_cap() -> None:
    """5 innovations × 0.5 = 2.5, bonus cap 2 → 2; 3 × 0.5 = 1.5 stays 1.5."""
    rule = {"type": "per_case", "amount": 0.5}
    assert _bonus(rule, 5, cap=2) == D(2)
    assert _bonus(rule, 3, cap=2) == D("1.5")


# --- relative ----------------------------------------------------------------


def _relative(
    rule: dict[str, Any], figures: dict[str, float], classes: dict[str, str] | None = None
) -> Results:
    extra: dict[str, Any] = {}
    if classes:
        extra["classes"] = [{"code": code, "name": code} for code in sorted(set(classes.values()))]
    scheme = load_scheme(scheme_dict([item(rule)], **extra))
    units = [
        {"code": code, "name": code, "values": {"x": x}, "class": (classes or {}).get(code)}
        for code, x in figures.items()
    ]
    return score_units(scheme, units)


def test_relative_to_the_mean_of_all_units() -> None:
    """Mean of 80, 90, 100 is 90. Ratio: 80 → 10 × 80/90 = 8.888… → 8.89;
    90 → 10; 100 → capped at 10."""
    rule = {"type": "relative", "stat": "mean", "rule": {"type": "ratio"}}
    results = _relative(rule, {"a": 80, "b": 90, "c": 100})
    assert results.unit("a").items[0].score == D("8.89")
    assert results.unit("a").items[0].target == D(90)
    assert results.unit("b").items[0].score == D(10)
    assert "全部单位平均值为90，以此为目标" in results.unit("a").items[0].explanation


def test_relative_to_the_median() -> None:
    """Median of 1, 2, 3, 10 is (2 + 3) / 2 = 2.5; threshold: 2 < 2.5 → 0, 3 → 10."""
    rule = {"type": "relative", "stat": "median", "rule": {"type": "threshold"}}
    results = _relative(rule, {"a": 1, "b": 2, "c": 3, "d": 10})
    assert results.unit("b").items[0].score == 0
    assert results.unit("c").items[0].score == D(10)


def test_relative_to_the_best_unit_when_lower_is_better() -> None:
    """Lower is better, so the best of 2, 4, 5 is 2. Ratio lower: 10 × 2 / 4 = 5."""
    rule = {"type": "relative", "stat": "best", "rule": {"type": "ratio", "direction": "lower"}}
    results = _relative(rule, {"a": 2, "b": 4, "c": 5})
    assert results.unit("b").items[0].score == D(5)
    assert results.unit("a").items[0].score == D(10)


def test_relative_to_the_worst_unit() -> None:
    """Higher is better, worst of 70, 80, 90 is 70: all meet threshold 70."""
    rule = {"type": "relative", "stat": "worst", "rule": {"type": "threshold"}}
    results = _relative(rule, {"a": 70, "b": 80, "c": 90})
    assert all(unit.items[0].score == D(10) for unit in results.results)


def test_relative_within_the_class() -> None:
    """Class p: mean of 60 and 80 is 70; class q: mean of 90 and 100 is 95.
    Shortfall 1 per 1: 60 → 10 short → 0; 90 → 5 short → 5."""
    rule = {
        "type": "relative",
        "stat": "mean",
        "over": "class",
        "rule": {"type": "shortfall", "step": 1, "deduct": 1},
    }
    results = _relative(
        rule, {"a": 60, "b": 80, "c": 90, "d": 100}, {"a": "p", "b": "p", "c": "q", "d": "q"}
    )
    assert results.unit("a").items[0].target == D(70)
    assert results.unit("a").items[0].score == 0
    assert results.unit("c").items[0].target == D(95)
    assert results.unit("c").items[0].score == D(5)


def test_relative_of_target_uses_a_share_of_the_statistic() -> None:
    """Mean 100, of_target 0.9 → threshold 90: 90 meets it."""
    rule = {
        "type": "relative",
        "stat": "mean",
        "rule": {"type": "threshold", "target": {"of_target": 0.9}},
    }
    results = _relative(rule, {"a": 90, "b": 110})
    assert results.unit("a").items[0].score == D(10)


# --- progress ----------------------------------------------------------------


def test_progress_scores_the_improvement() -> None:
    """78 → 80 is +2; threshold 0 on the improvement → 10. 80 → 78 is −2 → 0."""
    rule = {"type": "progress", "rule": {"type": "threshold", "target": 0}}
    up = score_rule(rule, {"x": 80}, previous={"x": 78})
    assert up.score == D(10)
    assert up.explanation == "指标80，上年78，改善2，达到目标0，得10分"
    assert score_rule(rule, {"x": 78}, previous={"x": 80}).score == 0


def test_progress_lower_is_better() -> None:
    """SRB 110.2 → 108.3 is an improvement of 1.9 when lower is better;
    table: ≥ 1 → full."""
    rule = {
        "type": "progress",
        "direction": "lower",
        "rule": {"type": "table", "rows": [{"min": 1, "fraction": 1}, {"score": 0}]},
    }
    assert score_rule(rule, {"x": 108.3}, previous={"x": 110.2}).score == D(10)
    assert score_rule(rule, {"x": 110.2}, previous={"x": 108.3}).score == 0


def test_progress_reads_a_named_previous_key() -> None:
    """previous: old → improvement 5 − 3 = 2; scaled max 4 → 10 × 2 / 4 = 5."""
    rule = {"type": "progress", "previous": "old", "rule": {"type": "scaled", "max": 4}}
    assert score_rule(rule, {"x": 5}, previous={"old": 3}).score == D(5)


def test_progress_without_last_years_figure_scores_zero() -> None:
    result = score_rule({"type": "progress", "rule": {"type": "threshold", "target": 0}}, {"x": 1})
    assert result.score == 0
    assert result.explanation == "未上报previous.x"


# --- blend -------------------------------------------------------------------

BLEND = {
    "type": "blend",
    "parts": [
        {"rule": {"type": "threshold", "target": 90}, "weight": 0.7},
        {"rule": {"type": "progress", "rule": {"type": "scaled", "max": 10}}, "weight": 0.3},
    ],
    "weights_when": [{"when": "x < 85", "weights": [0.3, 0.7]}],
}


def test_blend_weighs_level_and_progress() -> None:
    """92 ≥ 90 → level 10; 92 − 88 = 4, progress 10 × 4 / 10 = 4.
    Not below 85, so 7:3 → 10 × 0.7 + 4 × 0.3 = 8.2."""
    result = score_rule(BLEND, {"x": 92}, previous={"x": 88})
    assert result.score == D("8.2")


def test_blend_switches_weights_on_a_condition() -> None:
    """80 < 85, so 3:7. Level 0 (80 < 90); progress 80 − 74 = 6 → 6.
    0 × 0.3 + 6 × 0.7 = 4.2."""
    result = score_rule(BLEND, {"x": 80}, previous={"x": 74})
    assert result.score == D("4.2")
    assert result.explanation.startswith("指标80，因x < 85，按权重0.3/0.7：")
    assert result.explanation.endswith("合计0×0.3 + 6×0.7，得4.2分")


def test_blend_part_can_read_another_figure() -> None:
    """Part 2 reads y = 50 on scaled max 100 → 5; part 1: x = 95 ≥ 90 → 10.
    0.5 × 10 + 0.5 × 5 = 7.5."""
    rule = {
        "type": "blend",
        "parts": [
            {"rule": {"type": "threshold", "target": 90}, "weight": 0.5},
            {"rule": {"type": "scaled", "max": 100}, "weight": 0.5, "value": "y"},
        ],
    }
    assert score_rule(rule, {"x": 95, "y": 50}).score == D("7.5")


# --- srb_interval ------------------------------------------------------------

SRB = {
    "type": "srb_interval",
    "male": "m",
    "female": "f",
    "deduct": 0.5,
    "min_births": 20,
}


def test_srb_interval_overlapping_the_band_gets_full_points() -> None:
    """160 boys, 148 girls: SRB 108.11 is above 107, but the exact 95% interval
    [85.91, 136.12] overlaps [103, 107], so chance cannot be ruled out → 10.
    (Interval: see test_intervals for p = 160/308.)"""
    result = score_rule(SRB, {"m": 160, "f": 148}, value=None)
    assert result.score == D(10)
    assert result.value == D("108.11")
    assert result.explanation == (
        "指标108.11，男160女148，95%置信区间85.91–136.12，与正常范围103–107有重叠，得10分"
    )


def test_srb_interval_wholly_above_the_band_is_deducted_from_the_nearer_bound() -> None:
    """150 boys of 250: exact lower bound of p is 0.536382 (checked against
    binomial tail sums in test_intervals), so the SRB interval starts at
    100 × 0.536382 / 0.463618 = 115.69. Gap to 107: 8.69; 8.69 × 0.5 = 4.345
    off → 5.655 → 5.66 (half up)."""
    result = score_rule(SRB, {"m": 150, "f": 100}, value=None)
    assert result.score == D("5.66")
    assert "下限高于上限107共8.69，每高1扣0.5分" in result.explanation


def test_srb_interval_wholly_below_the_band() -> None:
    """100 boys of 250 (SRB 66.67): by symmetry the upper bound of p is
    1 − 0.536382 = 0.463618, SRB 100 × 0.463618 / 0.536382 = 86.43; the gap to
    103 is 16.57, × 0.5 = 8.285 off → 1.715 → 1.72."""
    result = score_rule(SRB, {"m": 100, "f": 150}, value=None)
    assert result.score == D("1.72")
    assert "上限低于下限103共16.57" in result.explanation


def test_srb_interval_with_too_few_births_is_not_judged() -> None:
    """15 births < min_births 20: full points, explained as too few to judge."""
    result = score_rule(SRB, {"m": 12, "f": 3}, value=None)
    assert result.score == D(10)
    assert "出生15人，少于20人，样本太少不作判断" in result.explanation


def test_srb_interval_with_no_births() -> None:
    result = score_rule({**SRB, "min_births": 0}, {"m": 0, "f": 0}, value=None)
    assert result.score == D(10)
    assert result.value is None


def test_srb_interval_in_english() -> None:
    result = score_rule(SRB, {"m": 160, "f": 148}, value=None, lang="en")
    assert result.explanation == (
        "指标 108.11: 160 boys and 148 girls, 95% confidence interval 85.91–136.12, "
        "which overlaps the normal range 103–107; score 10"
    )


def test_excess_lower_is_better() -> None:
    """direction lower, target 10: 7 is 3 below, 3 × 0.5 = 1.5."""
    rule = {"type": "excess", "target": 10, "direction": "lower", "step": 1, "add": 0.5}
    assert _bonus(rule, 7) == D("1.5")


def test_srb_interval_confidence_widens_the_interval() -> None:
    """30 boys, 12 girls at 95%: interval 124.3–536.17, 17.3 above 107 → 8.65
    off → 1.35. At 99.9% the interval reaches below 107 and overlaps → 10."""
    assert score_rule(SRB, {"m": 30, "f": 12}, value=None).score == D("1.35")
    wide = score_rule({**SRB, "confidence": 0.999}, {"m": 30, "f": 12}, value=None)
    assert wide.score == D(10)
    assert "99.9%置信区间" in wide.explanation


def test_srb_interval_step_and_partial() -> None:
    """Gap 17.3 with step 5: proportional 17.3 / 5 × 0.5 = 1.73 off → 8.27;
    whole steps: 3 × 0.5 = 1.5 → 8.5; started: 4 × 0.5 = 2 → 8."""
    rule = {**SRB, "step": 5}
    assert score_rule(rule, {"m": 30, "f": 12}, value=None).score == D("8.27")
    whole = {**rule, "partial": "whole"}
    assert score_rule(whole, {"m": 30, "f": 12}, value=None).score == D("8.5")
    started = {**rule, "partial": "started"}
    assert score_rule(started, {"m": 30, "f": 12}, value=None).score == D(8)


def test_srb_interval_with_a_custom_band() -> None:
    """Band 100–130 instead of 103–107: 124.3–536.17 overlaps it → 10."""
    rule = {**SRB, "low": 100, "high": 130}
    assert score_rule(rule, {"m": 30, "f": 12}, value=None).score == D(10)


def test_srb_interval_without_deduct_scores_zero_outside() -> None:
    rule = {key: value for key, value in SRB.items() if key != "deduct"}
    assert score_rule(rule, {"m": 30, "f": 12}, value=None).score == 0


def test_srb_interval_missing_births_score_zero() -> None:
    result = score_rule(SRB, {"m": 30}, value=None)
    assert result.score == 0
    assert result.explanation == "未上报f"
