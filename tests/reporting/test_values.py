"""One value against its element: the same verdict for the form, Excel and imports."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.reporting.values import ElementRule, display, format_number, parse_value

COUNT = ElementRule(1, "births", "出生人数", "integer", Decimal(0), Decimal(30))
RATE = ElementRule(2, "share", "比例", "percentage", None, None)
AMOUNT = ElementRule(3, "money", "金额", "decimal", None, None)
FLAG = ElementRule(4, "flag", "是否", "yes_no", None, None)
CHOICE = ElementRule(5, "kind", "类型", "text", None, None, ("甲", "乙"))


@pytest.mark.parametrize(
    ("raw", "number"),
    [("3", 3), (" 12 ", 12), ("１２", 12), (7, 7), (7.0, 7), ("1,0", 10), ("0", 0)],
)
def test_whole_numbers_in_range_are_accepted(raw, number):
    assert parse_value(COUNT, raw).number == number


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "不是数字"),
        ("2.5", "不是整数"),
        ("31", "超出合理范围 0–30"),
        ("-1", "超出合理范围"),
        ("1e13", "数值过大"),
        ("NaN", "不是数字"),
        (True, "不是数字"),
    ],
)
def test_bad_numbers_get_a_chinese_reason(raw, reason):
    assert reason in (parse_value(COUNT, raw).problem or "")


def test_blank_clears_the_value():
    assert parse_value(COUNT, "  ").empty and parse_value(COUNT, None).empty


def test_percentages_default_to_0_to_100_and_keep_decimals():
    assert parse_value(RATE, "99.5%").number == Decimal("99.5")
    assert "超出合理范围 0–100" in (parse_value(RATE, "101").problem or "")
    assert parse_value(AMOUNT, "12.3456789").number == Decimal("12.345679")


def test_yes_no_and_enumerated_text():
    assert parse_value(FLAG, "是").number == 1 and parse_value(FLAG, "否").number == 0
    assert parse_value(FLAG, "yes").number == 1
    assert "是" in (parse_value(FLAG, "也许").problem or "")
    assert parse_value(CHOICE, "甲").text == "甲"
    assert "不是可选值" in (parse_value(CHOICE, "丙").problem or "")


def test_display_and_format():
    assert format_number(Decimal("12.500000")) == "12.5"
    assert format_number(Decimal("3.000000")) == "3"
    assert display(Decimal(1), "", "yes_no") == "是"
    assert display(None, "", "integer") == ""
