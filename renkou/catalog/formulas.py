"""Checks of indicator formulas and validation rules against the catalogue."""

from __future__ import annotations

from collections.abc import Collection

from renkou.formula import FormulaError, ValueType, parse, parse_rule


def formula_problem(text: str, element_codes: Collection[str]) -> str | None:
    """A one-line Chinese reason why ``text`` is not a usable indicator formula, or None."""
    try:
        formula = parse(text, expect=ValueType.NUMBER)
    except FormulaError as error:
        return str(error)
    unknown = sorted(formula.codes - set(element_codes))
    if unknown:
        return "公式引用了不存在的数据项：" + "、".join(unknown)
    return None


def rule_problem(
    left: str, operator: str, right: str, element_codes: Collection[str]
) -> str | None:
    """A one-line reason why the rule cannot be checked, or None.

    A rule may only read elements of its own data set, because it is checked
    against one report.
    """
    try:
        formula = parse_rule(left, operator, right)
    except FormulaError as error:
        return str(error)
    unknown = sorted(formula.codes - set(element_codes))
    if unknown:
        return "规则引用了不属于本报表的数据项：" + "、".join(unknown)
    return None
