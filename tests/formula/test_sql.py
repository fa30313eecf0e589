"""The SQL translation gives what the Python evaluator gives, checked in DuckDB."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renkou.formula import MAX_SQL_LENGTH, Formula, FormulaError, Ref, parse
from tests.formula.strategies import exact_formula_text

duckdb = pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def connection() -> Any:
    con = duckdb.connect()
    yield con
    con.close()


def sql_value(connection: Any, formula: Formula, values: dict[Ref, int | None]) -> object:
    refs = sorted(formula.references)
    names = {ref: f'"c{i}"' for i, ref in enumerate(refs)}
    select = formula.to_sql(lambda ref: names[ref])
    if not refs:
        return connection.execute(f"SELECT {select}").fetchone()[0]
    columns = ", ".join(f"CAST(? AS DOUBLE) AS {names[ref]}" for ref in refs)
    # Built from the kernel's own output, which is what is under test;
    # the values themselves are bound as parameters.
    query = f"SELECT {select} FROM (SELECT {columns})"  # noqa: S608
    return connection.execute(query, [values[ref] for ref in refs]).fetchone()[0]


def same(kernel: Decimal | bool | None, sql: object) -> bool:
    if kernel is None or isinstance(kernel, bool):
        return sql is kernel or (sql is not None and kernel is not None and sql == kernel)
    return isinstance(sql, float) and math.isclose(sql, float(kernel), rel_tol=1e-9)


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("#{a} / #{b}", {"a": 1, "b": 0}, None),
        ("0 / 0", {}, None),
        ("#{a} / #{b} * 1000", {"a": 47, "b": 6120}, 47 / 6120 * 1000),
        ("#{a} + 1", {"a": None}, None),
        ("coalesce(#{a} / #{b}, 0)", {"a": 1, "b": 0}, 0.0),
        ("coalesce(#{a}, #{b}, 7)", {"a": None, "b": None}, 7.0),
        ("min(#{a}, #{b})", {"a": 1, "b": None}, None),
        ("max(#{a}, #{b}, 3)", {"a": 1, "b": 5}, 5.0),
        ("min(#{a})", {"a": 4}, 4.0),
        ("sum(#{a}, #{b})", {"a": 1, "b": None}, None),
        ("abs(#{a})", {"a": -3}, 3.0),
        ("if(#{a} > 0, 1, 2)", {"a": None}, None),
        ("if(#{a} > 0, 1, #{b})", {"a": 5, "b": None}, 1.0),
        ("if(#{a} > 0, 1, 2)", {"a": 0}, 2.0),
        ("#{a} > 0 and #{b} > 0", {"a": 0, "b": None}, False),
        ("#{a} > 0 or #{b} > 0", {"a": 1, "b": None}, True),
        ("#{a} > 0 and #{b} > 0", {"a": 1, "b": None}, None),
        ("not #{a} > 0", {"a": None}, None),
        ("#{a} != #{b}", {"a": 1, "b": 2}, True),
        ("(#{a} > 0) == (#{b} > 0)", {"a": 1, "b": -1}, False),
        ("100000 * 100000 * 100000", {}, 1e15),
        ("-#{a} - -2", {"a": 3}, -1.0),
    ],
)
def test_sql_follows_the_kernel_rules(
    connection: Any, text: str, values: dict[str, int | None], expected: object
) -> None:
    formula = parse(text)
    refs = {Ref(code): value for code, value in values.items()}
    assert sql_value(connection, formula, refs) == expected
    kernel = formula.evaluate(refs).value
    assert kernel == expected or (kernel is not None and math.isclose(kernel, expected))  # type: ignore[arg-type]


def test_operands_come_from_the_caller() -> None:
    sql = parse("#{a}.ytd + #{b}").to_sql(lambda ref: f"{ref.code}_{ref.modifier.value}")
    assert sql == "(a_ytd + b_current)"


def test_hostile_nesting_of_min_is_refused_rather_than_exploding() -> None:
    text = "min(" * 30 + "#{a}, 1" + "), 1" * 29 + ")"
    formula = parse(text)
    with pytest.raises(FormulaError, match="无法转换为 SQL"):
        formula.to_sql(lambda ref: "a")
    assert MAX_SQL_LENGTH > 10_000


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), exact_formula_text)
def test_sql_and_python_agree_on_generated_formulas(
    connection: Any, data: st.DataObject, text: str
) -> None:
    formula = parse(text)
    values = {ref: data.draw(st.none() | st.integers(-9, 9)) for ref in sorted(formula.references)}
    kernel = formula.evaluate(values).value
    assert same(kernel, sql_value(connection, formula, values)), formula.render()
