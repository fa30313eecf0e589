"""Formula syntax: what parses, what it means, its canonical text, and its errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.formula import (
    MAX_LENGTH,
    MAX_NESTING,
    Formula,
    FormulaError,
    Modifier,
    Ref,
    ValueType,
    canonical,
    is_valid_code,
    parse,
)


def value(text: str) -> object:
    return parse(text).evaluate({}).value


class TestOperands:
    def test_a_plain_operand_reads_the_current_period(self) -> None:
        formula = parse("#{births}")
        assert formula.references == {Ref("births", Modifier.CURRENT)}
        assert formula.codes == {"births"}

    def test_modifiers_read_the_previous_period_and_year_to_date(self) -> None:
        formula = parse("#{births}.previous + #{births}.ytd + #{births}")
        assert formula.references == {
            Ref("births", Modifier.PREVIOUS),
            Ref("births", Modifier.YTD),
            Ref("births"),
        }
        assert formula.codes == {"births"}

    def test_modifiers_ignore_case_and_spaces_inside_braces_are_dropped(self) -> None:
        formula = parse("#{ births }.PREVIOUS")
        assert formula.references == {Ref("births", Modifier.PREVIOUS)}
        assert formula.render() == "#{births}.previous"

    @pytest.mark.parametrize("code", ["de.births_m", "DE-01", "出生人数", "a1"])
    def test_codes_may_hold_letters_digits_dots_dashes_and_chinese(self, code: str) -> None:
        assert parse(f"#{{{code}}}").codes == {code}
        assert is_valid_code(code)

    @pytest.mark.parametrize("code", ["", "a b", "a}b", "a+b", "a#"])
    def test_is_valid_code_refuses_what_a_formula_cannot_name(self, code: str) -> None:
        assert not is_valid_code(code)

    def test_references_are_collected_from_every_depth(self) -> None:
        formula = parse("if(#{a} > 0, sum(#{b}, -#{c}.ytd), coalesce(#{d}, abs(#{e})))")
        assert formula.codes == {"a", "b", "c", "d", "e"}
        assert Ref("c", Modifier.YTD) in formula.references


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "rendered"),
        [("12", "12"), ("1.50", "1.50"), (".5", "0.5"), ("5.", "5"), ("007", "7")],
    )
    def test_number_literals(self, text: str, rendered: str) -> None:
        assert parse(text).render() == rendered

    def test_very_small_numbers_render_without_exponents(self) -> None:
        assert parse("0.0000001").render() == "0.0000001"


class TestMeaning:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1 + 2 * 3", 7),
            ("(1 + 2) * 3", 9),
            ("10 - 4 - 3", 3),
            ("10 - (4 - 3)", 9),
            ("8 / 4 / 2", 1),
            ("8 / (4 / 2)", 4),
            ("2 * 3 - 4 / 2", 4),
            ("-2 * 3", -6),
            ("-(2 + 3)", -5),
            ("- -2", 2),
            ("2 - -3", 5),
            ("+2", 2),
            ("0.1 + 0.2", 0.3),
        ],
    )
    def test_arithmetic_precedence_and_associativity(self, text: str, expected: float) -> None:
        assert value(text) == Decimal(str(expected))

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1 < 2", True),
            ("2 < 2", False),
            ("2 <= 2", True),
            ("3 > 2", True),
            ("2 >= 3", False),
            ("2 == 2.0", True),
            ("2 != 2", False),
            ("1 + 1 == 2", True),
        ],
    )
    def test_comparisons(self, text: str, expected: bool) -> None:
        assert value(text) is expected

    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1 < 2 and 2 < 1", False),
            ("1 < 2 && 1 < 2", True),
            ("2 < 1 or 1 < 2", True),
            ("2 < 1 || 2 < 1", False),
            ("not 2 < 1", True),
            ("!(1 < 2)", False),
            ("1 < 2 or 1 < 2 and 2 < 1", True),
            ("(1 < 2 or 1 < 2) and 2 < 1", False),
            ("not 1 < 2 or 1 < 2", True),
            ("(1 < 2) == (2 < 3)", True),
            ("(1 < 2) != (3 < 2)", True),
        ],
    )
    def test_boolean_operators_and_their_precedence(self, text: str, expected: bool) -> None:
        assert value(text) is expected

    def test_keywords_and_function_names_ignore_case(self) -> None:
        assert parse("SUM(1, 2) > 2 AND NOT 1 > 2") == parse("sum(1, 2) > 2 and not 1 > 2")

    def test_full_width_characters_from_a_chinese_keyboard_are_understood(self) -> None:
        assert parse("（#{a}＋１）×２÷sum（#{b}，３）") == parse("(#{a} + 1) * 2 / sum(#{b}, 3)")

    def test_value_type_tells_numbers_from_conditions(self) -> None:
        assert parse("#{a} / #{b}").value_type is ValueType.NUMBER
        assert parse("#{a} <= #{b}").value_type is ValueType.BOOLEAN
        assert parse("if(#{a} > 0, #{a} > 1, #{a} < -1)").value_type is ValueType.BOOLEAN
        assert parse("coalesce(#{a} > 0, 1 < 2)").value_type is ValueType.BOOLEAN


class TestCanonicalText:
    @pytest.mark.parametrize(
        ("text", "rendered"),
        [
            ("#{a}+#{b}*2", "#{a} + #{b} * 2"),
            ("(#{a}+#{b})*2", "(#{a} + #{b}) * 2"),
            ("((#{a}))", "#{a}"),
            ("(#{a} + #{b}) + #{c}", "#{a} + #{b} + #{c}"),
            ("#{a} - (#{b} - #{c})", "#{a} - (#{b} - #{c})"),
            ("#{a} / (#{b} * #{c})", "#{a} / (#{b} * #{c})"),
            ("--#{a}", "-(-#{a})"),
            ("-(#{a} * 2)", "-(#{a} * 2)"),
            ("#{a}>=1&&#{b}<1||!(#{c}==1)", "#{a} >= 1 and #{b} < 1 or not #{c} == 1"),
            ("(#{a} > 1 or #{b} > 1) and #{c} > 1", "(#{a} > 1 or #{b} > 1) and #{c} > 1"),
            ("not (#{a} > 1 and #{b} > 1)", "not (#{a} > 1 and #{b} > 1)"),
            ("(#{a} < 1) == (#{b} < 1)", "(#{a} < 1) == (#{b} < 1)"),
            ("COALESCE( #{a} ,0 )", "coalesce(#{a}, 0)"),
            ("If(#{a}>0,#{a},-1)", "if(#{a} > 0, #{a}, -1)"),
        ],
    )
    def test_render_gives_canonical_text_that_parses_to_the_same_formula(
        self, text: str, rendered: str
    ) -> None:
        formula = parse(text)
        assert formula.render() == rendered
        assert str(formula) == rendered
        assert canonical(text) == rendered
        assert parse(rendered) == formula

    def test_equal_formulas_ignore_spacing_and_hash_alike(self) -> None:
        assert parse("#{a}+1") == parse(" #{a} + 1 ")
        assert hash(parse("#{a}+1")) == hash(parse(" #{a} + 1 "))
        assert parse("#{a} + 1") != parse("1 + #{a}")
        assert parse("#{a}") != "#{a}"

    def test_the_source_text_is_kept(self) -> None:
        assert parse(" #{a}+1").source == " #{a}+1"
        assert repr(parse("#{a}+1")) == "Formula('#{a} + 1')"


class TestExpectedType:
    def test_an_indicator_must_be_a_number(self) -> None:
        with pytest.raises(FormulaError, match="公式的结果应为数值"):
            parse("#{a} > 1", expect=ValueType.NUMBER)
        assert parse("#{a} * 2", expect=ValueType.NUMBER).value_type is ValueType.NUMBER

    def test_a_rule_must_be_a_condition(self) -> None:
        with pytest.raises(FormulaError, match="规则的结果应为条件") as caught:
            parse("#{a} * 2", expect=ValueType.BOOLEAN)
        assert "rule must be a condition" in caught.value.message_en


def test_formula_is_not_python() -> None:
    for text in ["__import__('os').system('true')", "a.__class__", "lambda: 1", "[1][0]"]:
        with pytest.raises(FormulaError):
            parse(text)


# (text, 0-based position, Chinese reason fragment, English reason fragment)
ERRORS = [
    ("(1 + 2", 6, "缺少右括号", "missing closing parenthesis"),
    ("sum(1, 2", 8, "函数 sum 缺少右括号", "missing the closing parenthesis"),
    ("(1 + 2 3)", 7, "缺少运算符或右括号", "missing an operator or a closing"),
    ("1 + 2)", 5, "多余的右括号", "unmatched closing parenthesis"),
    ("1 2", 2, "缺少运算符", "missing an operator"),
    ("1 +", 3, "末尾缺少数值或数据元", "incomplete"),
    ("* 2", 0, "运算符 * 前面缺少", "missing before the operator *"),
    ("()", 1, "此处缺少数值或数据元", "missing here"),
    ("1, 2", 1, "逗号只能用在函数的参数之间", "comma can only separate"),
    ("(1, 2)", 2, "逗号只能用在函数的参数之间", "comma can only separate"),
    ("#{a", 3, "数据元缺少右花括号", "missing its closing }"),
    ("#{a + 1", 4, "数据元代码中不能有字符 '+'", "cannot contain '+'"),
    ("#{a b}", 4, "数据元代码中不能有空格", "cannot contain spaces"),
    ("#a", 0, "# 后面应紧跟 {", "# must be followed by {"),
    ("#{}", 2, "数据元代码为空", "code is empty"),
    ("#{a}.foo", 4, "未知的修饰符 '.foo'", "unknown modifier '.foo'"),
    ("#{a}.", 4, "未知的修饰符 '.'", "unknown modifier '.'"),
    ("births + 1", 0, "未知的名称 'births'：数据元要写成 #{births}", "unknown name 'births'"),
    ("foo(1)", 0, "未知的函数 'foo'", "unknown function 'foo'"),
    ("sum 1", 4, "函数 sum 后面应为左括号", "must be followed by an opening"),
    ("sum()", 0, "函数 sum 需要至少1个参数，实际有0个", "takes at least 1 argument(s), got 0"),
    ("abs(1, 2)", 0, "函数 abs 需要1个参数，实际有2个", "takes 1 argument(s), got 2"),
    ("if(1 > 0, 2)", 0, "函数 if 需要3个参数", "takes 3 argument(s)"),
    ("coalesce(1)", 0, "函数 coalesce 需要至少2个参数", "takes at least 2"),
    ("sum(1 2)", 6, "函数的参数之间应为逗号", "separated by commas"),
    ("sum(1 < 2 < 3)", 10, "比较运算不能连写", "cannot be chained"),
    ("1 < 2 < 3", 6, "比较运算不能连写", "cannot be chained"),
    ("(1 < 2 < 3)", 7, "比较运算不能连写", "cannot be chained"),
    ("#{a} = 1", 5, "单个 = 不是运算符", "single = is not an operator"),
    ("#{a} & #{b}", 5, "单个 & 不是运算符，请用 && 或 and", "use && or and"),
    ("#{a} | #{b}", 5, "单个 | 不是运算符，请用 || 或 or", "use || or or"),
    ("1 + $", 4, "无法识别的字符 '$'", "unexpected character '$'"),
    ("出生 + 1", 0, "无法识别的字符 '出'：数据元要写成 #{代码}", "write data elements as"),
    ("1 + not 2 > 1", 4, "此处不能直接用 not", "not cannot be used here"),
    ("#{a} + (#{b} > 1)", 8, "此处应为数值，却是条件", "expected a number here"),
    ("#{a} and #{b} > 1", 0, "此处应为条件", "expected a condition"),
    ("not #{a}", 4, "此处应为条件", "expected a condition"),
    ("-(1 > 0)", 2, "此处应为数值", "expected a number"),
    ("#{a} < (1 > 0)", 8, "此处应为数值", "expected a number"),
    ("1 == (1 > 0)", 6, "此处应为数值", "expected a number"),
    ("if(#{a}, 1, 2)", 3, "此处应为条件", "expected a condition"),
    ("if(#{a} > 0, 1, 2 > 1)", 16, "此处应为数值", "expected a number"),
    ("coalesce(1, 2 > 1)", 12, "此处应为数值", "expected a number"),
    ("sum(1, 2 > 1)", 7, "此处应为数值", "expected a number"),
]


@pytest.mark.parametrize(("text", "position", "reason", "reason_en"), ERRORS)
def test_parse_errors_give_position_and_chinese_and_english_messages(
    text: str, position: int, reason: str, reason_en: str
) -> None:
    with pytest.raises(FormulaError) as caught:
        parse(text)
    error = caught.value
    assert error.position == position
    assert reason in error.reason
    assert reason_en in error.reason_en
    # Messages count from 1 as people do; the attribute is a 0-based index.
    assert str(error) == f"第{position + 1}个字符处：{error.reason}"
    assert error.message_en == f"at character {position + 1}: {error.reason_en}"


def test_the_documented_example_message() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("(1 + 2")
    assert str(caught.value).startswith("第7个字符处：缺少右括号")


def test_positions_point_into_the_text_as_typed_even_with_full_width_characters() -> None:
    with pytest.raises(FormulaError) as caught:
        parse("（１＋２")
    assert caught.value.position == 4


def test_formula_error_is_a_value_error() -> None:
    assert issubclass(FormulaError, ValueError)


class TestPathologicalInput:
    def test_an_empty_formula(self) -> None:
        for text in ["", "   ", "\n"]:
            with pytest.raises(FormulaError) as caught:
                parse(text)
            assert str(caught.value) == "公式为空"
            assert caught.value.message_en == "the formula is empty"

    def test_text_is_required(self) -> None:
        with pytest.raises(FormulaError, match="公式应为文本"):
            parse(None)  # type: ignore[arg-type]

    def test_nesting_up_to_the_limit_is_fine(self) -> None:
        text = "(" * MAX_NESTING + "1" + ")" * MAX_NESTING
        assert parse(text).render() == "1"

    @pytest.mark.parametrize(
        "text",
        [
            "(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1),
            "(" * 10_000 + "1",
            "-" * 10_000 + "1",
            "not " * 1_000 + "1 > 0",
            "abs(" * 3_000 + "1" + ")" * 3_000,
        ],
    )
    def test_deep_nesting_is_a_clear_error_not_a_recursion_error(self, text: str) -> None:
        with pytest.raises(FormulaError) as caught:
            parse(text)
        assert f"嵌套层数超过 {MAX_NESTING} 层" in str(caught.value)

    def test_overlong_input_is_refused_before_any_parsing(self) -> None:
        with pytest.raises(FormulaError) as caught:
            parse("1" * (MAX_LENGTH + 1))
        assert "公式过长" in str(caught.value)
        assert "too long" in caught.value.message_en

    def test_a_long_flat_sum_stays_shallow(self) -> None:
        text = " + ".join(f"#{{e{i}}}" for i in range(1_500))
        formula = parse(text)
        assert len(formula.references) == 1_500
        assert parse(formula.render()) == formula
        result = formula.evaluate({Ref(f"e{i}"): i for i in range(1_500)})
        assert result.value == sum(range(1_500))


def test_formula_can_be_built_from_a_tree() -> None:
    tree = parse("#{a} + 1").root
    assert Formula(tree) == parse("#{a}+1")
