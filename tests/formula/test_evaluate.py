"""Evaluating formulas: values, missing data, division by zero, functions, logic, rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.formula import (
    EvalResult,
    FormulaError,
    Modifier,
    NoValueKind,
    Ref,
    ValueType,
    parse,
    parse_rule,
)
from renkou.periods import parse as parse_period

A, B, C = Ref("a"), Ref("b"), Ref("c")


def run(text: str, **values: Decimal | int | float | None) -> EvalResult:
    return parse(text).evaluate({Ref(code): v for code, v in values.items()})


class TestValues:
    def test_an_indicator_rate_per_thousand(self) -> None:
        # Crude birth rate: 47 births in a population of 6,120 is 7.68‰.
        result = run("#{births} / #{population} * 1000", births=47, population=6120)
        assert result.value is not None
        assert isinstance(result.value, Decimal)
        assert round(result.value, 2) == Decimal("7.68")
        assert result.reason is None
        assert result.has_value

    def test_decimal_arithmetic_is_exact(self) -> None:
        assert run("#{a} + #{b}", a=Decimal("0.1"), b=Decimal("0.2")).value == Decimal("0.3")

    def test_floats_are_taken_at_their_printed_value(self) -> None:
        assert run("#{a} + #{b}", a=0.1, b=0.2).value == Decimal("0.3")

    def test_integers_and_booleans_from_yes_no_elements(self) -> None:
        assert run("#{a} + #{b}", a=2, b=True).value == 3

    def test_a_function_can_resolve_values(self) -> None:
        seen: list[Ref] = []

        def resolve(ref: Ref) -> Decimal | None:
            seen.append(ref)
            return Decimal(10) if ref.modifier is Modifier.YTD else Decimal(2)

        result = parse("#{a}.ytd / #{a} + #{a} * #{a}").evaluate(resolve)
        assert result.value == Decimal(9)
        # Each operand is read once however often the formula names it.
        assert sorted(seen) == sorted([Ref("a", Modifier.YTD), Ref("a")])

    def test_plain_tuple_keys_work_like_refs(self) -> None:
        formula = parse("#{a}.previous - #{a}")
        values = {("a", "previous"): 5, ("a", "current"): 3}
        assert formula.evaluate(values).value == 2  # type: ignore[arg-type]

    def test_previous_and_ytd_are_separate_inputs(self) -> None:
        values = {Ref("a"): 4, Ref("a", Modifier.PREVIOUS): 2, Ref("a", Modifier.YTD): 30}
        assert parse("#{a} - #{a}.previous").evaluate(values).value == 2
        assert parse("#{a}.ytd").evaluate(values).value == 30

    def test_a_resolver_returning_something_odd_is_a_programming_error(self) -> None:
        with pytest.raises(TypeError, match="must be a Decimal"):
            parse("#{a}").evaluate({A: "5"})  # type: ignore[dict-item]


class TestMissing:
    def test_a_missing_operand_gives_no_value_naming_it(self) -> None:
        result = run("#{a} + 1")
        assert result.value is None
        assert result.kind is NoValueKind.MISSING
        assert result.missing == (A,)
        assert result.reason == "缺少数据：#{a}"
        assert result.reason_en == "no value for #{a}"
        assert not result.has_value

    def test_every_missing_operand_is_named(self) -> None:
        result = run("#{a} * #{b}.ytd + #{c}", c=1)
        assert result.missing == (A, Ref("b", Modifier.YTD))
        assert result.reason == "缺少数据：#{a}、#{b}.ytd"

    @pytest.mark.parametrize(
        "text",
        [
            "-#{a}",
            "#{a} - 1",
            "2 / #{a}",
            "sum(1, #{a})",
            "min(#{a}, 1)",
            "max(1, #{a})",
            "abs(#{a})",
            "#{a} > 1",
            "not #{a} > 1",
            "1 == #{a}",
            "if(#{a} > 0, 1, 2)",
        ],
    )
    def test_no_value_propagates_through_everything_else(self, text: str) -> None:
        result = run(text, b=1)
        assert result.value is None
        assert result.missing == (A,)

    def test_a_mapping_may_hold_none(self) -> None:
        assert parse("#{a}").evaluate({A: None}).kind is NoValueKind.MISSING

    def test_non_finite_values_are_refused_as_invalid(self) -> None:
        for bad in (Decimal("NaN"), Decimal("Infinity"), float("inf"), float("nan")):
            result = run("#{a} + 1", a=bad)
            assert result.value is None
            assert result.kind is NoValueKind.INVALID_INPUT
            assert result.reason == "#{a} 的值不是有效数字"


class TestCoalesceAndIf:
    def test_coalesce_takes_the_first_value(self) -> None:
        assert run("coalesce(#{a}, #{b}, 0)", b=5).value == 5
        assert run("coalesce(#{a}, #{b}, 0)", a=1, b=5).value == 1
        assert run("coalesce(#{a}, 0)").value == 0

    def test_coalesce_of_nothing_names_all_that_is_missing(self) -> None:
        result = run("coalesce(#{a}, #{b})")
        assert result.value is None
        assert result.missing == (A, B)

    def test_coalesce_rescues_a_division_by_zero(self) -> None:
        assert run("coalesce(#{a} / #{b}, 0)", a=1, b=0).value == 0

    def test_if_ignores_the_branch_it_does_not_take(self) -> None:
        assert run("if(#{a} > 0, #{a}, #{b})", a=3).value == 3
        assert run("if(#{a} > 0, #{b}, #{a})", a=-3).value == -3

    def test_if_takes_the_else_branch_when_false(self) -> None:
        assert run("if(#{a} > 0, 1, 2)", a=0).value == 2

    def test_if_without_a_condition_has_no_value(self) -> None:
        result = run("if(#{a} > 0, 1, 2)")
        assert result.value is None
        assert result.missing == (A,)

    def test_if_with_a_zero_denominator(self) -> None:
        text = "if(#{b} == 0, 0, #{a} / #{b})"
        assert run(text, a=1, b=0).value == 0
        assert run(text, a=1, b=4).value == Decimal("0.25")


class TestDivisionByZero:
    @pytest.mark.parametrize(
        ("text", "divisor"),
        [("#{a} / #{b}", "#{b}"), ("0 / 0", "0"), ("1 / (#{b} - #{b})", "#{b} - #{b}")],
    )
    def test_it_is_no_value_with_a_reason_not_an_exception(self, text: str, divisor: str) -> None:
        result = run(text, a=1, b=0)
        assert result.value is None
        assert result.kind is NoValueKind.DIVISION_BY_ZERO
        assert result.reason == f"除数为零：{divisor} 的值是 0"
        assert result.reason_en == f"division by zero: {divisor} is 0"

    def test_it_propagates_through_functions_and_comparisons(self) -> None:
        assert run("sum(#{a} / #{b}, 1)", a=1, b=0).kind is NoValueKind.DIVISION_BY_ZERO
        assert run("#{a} / #{b} > 1", a=1, b=0).kind is NoValueKind.DIVISION_BY_ZERO

    def test_missing_data_is_reported_before_a_division_by_zero(self) -> None:
        assert run("#{a} / #{b} + #{c}", a=1, b=0).missing == (C,)


class TestOutOfRange:
    def test_an_overflow_is_no_value(self) -> None:
        result = run("#{a} * #{a}", a=Decimal("1E+600000"))
        assert result.value is None
        assert result.kind is NoValueKind.OUT_OF_RANGE
        assert result.reason == "计算结果超出可表示的数值范围"

    def test_an_absurd_input_is_invalid(self) -> None:
        assert run("#{a}", a=Decimal("1E+99999999")).kind is NoValueKind.INVALID_INPUT


class TestFunctions:
    def test_sum_min_max_abs(self) -> None:
        values: dict[str, Decimal | int] = {"a": 3, "b": -7, "c": Decimal("2.5")}
        assert run("sum(#{a}, #{b}, #{c})", **values).value == Decimal("-1.5")
        assert run("min(#{a}, #{b}, #{c})", **values).value == -7
        assert run("max(#{a}, #{b}, #{c})", **values).value == 3
        assert run("abs(#{b})", **values).value == 7
        assert run("sum(#{a})", **values).value == 3
        assert run("min(#{c})", **values).value == Decimal("2.5")


class TestLogic:
    # Three-valued logic: None stands for "no value".
    @pytest.mark.parametrize(
        ("a", "b", "conjunction", "disjunction"),
        [
            (True, True, True, True),
            (True, False, False, True),
            (False, False, False, False),
            (True, None, None, True),
            (False, None, False, None),
            (None, None, None, None),
        ],
    )
    def test_and_or_with_missing_operands(
        self,
        a: bool | None,
        b: bool | None,
        conjunction: bool | None,
        disjunction: bool | None,
    ) -> None:
        def as_value(flag: bool | None) -> int | None:
            return None if flag is None else int(flag)

        values = {A: as_value(a), B: as_value(b)}
        for left, right in ((A, B), (B, A)):
            text_and = f"{left} == 1 and {right} == 1"
            text_or = f"{left} == 1 or {right} == 1"
            assert parse(text_and).evaluate(values).value is conjunction
            assert parse(text_or).evaluate(values).value is disjunction

    def test_not(self) -> None:
        assert run("not #{a} > 1", a=0).value is True
        assert run("!(#{a} > 1)", a=2).value is False

    def test_a_chain_of_and_needs_every_operand(self) -> None:
        assert run("#{a} > 0 and #{b} > 0 and #{c} > 0", a=1, b=1, c=1).value is True
        assert run("#{a} > 0 and #{b} > 0 and #{c} > 0", a=1, b=1, c=0).value is False


class TestRules:
    def test_a_rule_is_a_condition(self) -> None:
        rule = parse("#{registered_30d} <= #{registrations}", expect=ValueType.BOOLEAN)
        values = {Ref("registered_30d"): 8, Ref("registrations"): 10}
        assert rule.evaluate(values).value is True
        values[Ref("registered_30d")] = 11
        assert rule.evaluate(values).value is False
        del values[Ref("registrations")]
        assert rule.evaluate(values).value is None

    def test_parse_rule_builds_the_condition_from_left_op_right(self) -> None:
        rule = parse_rule("#{births_male} + #{births_female}", "==", "#{births}")
        assert rule == parse("#{births_male} + #{births_female} == #{births}")
        assert rule.value_type is ValueType.BOOLEAN
        assert rule.codes == {"births_male", "births_female", "births"}
        assert rule.render() == "#{births_male} + #{births_female} == #{births}"
        values = {Ref("births_male"): 3, Ref("births_female"): 4, Ref("births"): 7}
        assert rule.evaluate(values).value is True

    @pytest.mark.parametrize("operator", ["<", "<=", ">", ">=", "==", "!=", " <= "])
    def test_parse_rule_accepts_every_comparison(self, operator: str) -> None:
        assert parse_rule("1", operator, "2").value_type is ValueType.BOOLEAN

    def test_parse_rule_refuses_other_operators(self) -> None:
        with pytest.raises(FormulaError, match="规则的比较运算符 '=' 无效"):
            parse_rule("#{a}", "=", "#{b}")

    def test_parse_rule_says_which_side_is_wrong(self) -> None:
        with pytest.raises(FormulaError) as caught:
            parse_rule("#{a}", "<=", "#{b} +")
        error = caught.value
        assert error.part == "right"
        assert error.position == 6
        assert str(error).startswith("右式第7个字符处：")
        assert error.message_en.startswith("right side, at character 7: ")

    def test_parse_rule_sides_must_be_numbers(self) -> None:
        with pytest.raises(FormulaError) as caught:
            parse_rule("#{a} > 1", "==", "#{b}")
        assert caught.value.part == "left"
        assert str(caught.value).startswith("左式：公式的结果应为数值")


class TestModifierPeriods:
    def test_which_periods_each_modifier_reads(self) -> None:
        march = parse_period("202503")
        assert Modifier.CURRENT.periods(march) == (march,)
        assert Modifier.PREVIOUS.periods(march) == (parse_period("202502"),)
        assert [p.id for p in Modifier.YTD.periods(march)] == ["202501", "202502", "202503"]
        assert Modifier.PREVIOUS.periods(parse_period("2025Q1")) == (parse_period("2024Q4"),)

    def test_nothing_before_the_first_supported_period(self) -> None:
        assert Modifier.PREVIOUS.periods(parse_period("190001")) == ()
