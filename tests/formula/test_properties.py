"""Hypothesis: generated formulas always parse and evaluate, garbage never crashes."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from renkou.formula import (
    EvalResult,
    Formula,
    FormulaError,
    NoValueKind,
    ValueType,
    parse,
)
from tests.formula.strategies import MAX_DEPTH, formula_text, number_text

input_values = st.one_of(
    st.none(),
    st.just(0),
    st.integers(-1000, 1000),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(),
    st.floats(),
)


def evaluate_with(data: st.DataObject, formula: Formula) -> EvalResult:
    values = {ref: data.draw(input_values) for ref in sorted(formula.references)}
    return formula.evaluate(values)


def assert_well_formed(formula: Formula, result: EvalResult) -> None:
    if result.value is None:
        assert result.kind is not None
        assert result.reason
        assert result.reason_en
        if result.kind is NoValueKind.MISSING:
            assert result.missing
            assert set(result.missing) <= formula.references
    elif formula.value_type is ValueType.NUMBER:
        assert isinstance(result.value, Decimal)
        assert result.value.is_finite()
    else:
        assert isinstance(result.value, bool)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), formula_text)
def test_generated_formulas_parse_and_evaluate_without_raising(
    data: st.DataObject, text: str
) -> None:
    formula = parse(text)
    result = evaluate_with(data, formula)
    assert_well_formed(formula, result)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formula_text)
@example("(#{a} + #{b}) + #{c}")
@example("(#{a} * #{b}) / #{c}")
@example("(#{a} > 0 and #{b} > 0) and #{c} > 0")
@example("(#{a} > 0 or #{b} > 0) or #{c} > 0")
def test_render_round_trips(text: str) -> None:
    formula = parse(text)
    rendered = formula.render()
    again = parse(rendered)
    assert again == formula
    assert again.render() == rendered
    assert again.references == formula.references
    # Values -1, 0, 1, 2 … reach negative numbers and division by zero too.
    values = {ref: Decimal(i - 1) for i, ref in enumerate(sorted(formula.references))}
    assert again.evaluate(values) == formula.evaluate(values)


@settings(max_examples=200, deadline=None)
@given(st.data(), number_text())
def test_without_coalesce_or_if_any_missing_operand_means_no_value(
    data: st.DataObject, text: str
) -> None:
    formula = parse(text)
    rendered = formula.render()
    if not formula.references or "coalesce" in rendered or "if(" in rendered:
        return
    refs = sorted(formula.references)
    gap = data.draw(st.sampled_from(refs))
    values = {ref: None if ref == gap else Decimal(1) for ref in refs}
    result = formula.evaluate(values)
    assert result.value is None
    assert gap in result.missing


@st.composite
def integer_expression(draw: st.DrawFn, depth: int = 0) -> tuple[str, int]:
    """Fully bracketed integer arithmetic, with the answer worked out independently."""
    if depth >= MAX_DEPTH or draw(st.booleans()):
        number = draw(st.integers(0, 999))
        if draw(st.booleans()):
            code = f"v{number}"
            return f"#{{{code}}}", number
        return str(number), number
    left_text, left = draw(integer_expression(depth + 1))
    right_text, right = draw(integer_expression(depth + 1))
    operator = draw(st.sampled_from(["+", "-", "*", "neg", "abs", "max", "min"]))
    if operator == "+":
        return f"({left_text} + {right_text})", left + right
    if operator == "-":
        return f"({left_text} - {right_text})", left - right
    if operator == "*":
        return f"({left_text} * {right_text})", left * right
    if operator == "neg":
        return f"(-{left_text})", -left
    if operator == "abs":
        return f"abs({left_text})", abs(left)
    if operator == "max":
        return f"max({left_text}, {right_text})", max(left, right)
    return f"min({left_text}, {right_text})", min(left, right)


@settings(max_examples=200, deadline=None)
@given(integer_expression())
def test_integer_arithmetic_matches_an_independent_computation(case: tuple[str, int]) -> None:
    text, expected = case
    formula = parse(text)
    values = {ref: int(ref.code[1:]) for ref in formula.references}
    assert formula.evaluate(values).value == expected
    assert parse(formula.render()).evaluate(values).value == expected


token_soup = st.lists(
    st.sampled_from(
        [
            "#{",
            "}",
            "#{a}",
            "#",
            "{",
            ".previous",
            ".ytd",
            ".",
            "(",
            ")",
            ",",
            "+",
            "-",
            "*",
            "/",
            "<",
            "<=",
            ">",
            ">=",
            "==",
            "!=",
            "=",
            "!",
            "&&",
            "||",
            "&",
            "|",
            "and",
            "or",
            "not",
            "sum",
            "min",
            "max",
            "abs",
            "if",
            "coalesce",
            "foo",
            "1",
            "0",
            "2.5",
            ".5",
            " ",
            "（",
            "）",
            "，",
            "出生",
            "\u3000",
        ]
    ),
    max_size=40,
).map("".join)


def assert_parses_or_fails_cleanly(text: str) -> None:
    try:
        formula = parse(text)
    except FormulaError as error:
        problem = error
    else:
        assert parse(formula.render()) == formula
        assert_well_formed(formula, formula.evaluate({}))
        return
    assert 0 <= problem.position <= len(text)
    assert str(problem)
    assert problem.message_en
    assert problem.reason


@settings(max_examples=600, deadline=None)
@given(st.one_of(token_soup, st.text(max_size=60)))
@example("(" * 5_000)
@example("-" * 5_000 + "1")
@example("#{" * 3_000)
@example("\x00")
@example("1" * 20_001)
def test_garbage_only_ever_raises_formula_error(text: str) -> None:
    assert_parses_or_fails_cleanly(text)
