"""Scoring a checklist, checked against examples worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from renkou.supervision.scoring import (
    Finding,
    ItemRule,
    OverdueRule,
    Style,
    fmt,
    score_item,
    score_sheet,
)

D = Decimal


def occurrence(points: str, each: str, cap: str | None = None, code: str = "A1") -> ItemRule:
    return ItemRule(
        code, "台账", D(points), Style.OCCURRENCE, D(each), None if cap is None else D(cap)
    )


def yes_no(points: str, deduction: str, code: str = "B1") -> ItemRule:
    return ItemRule(code, "公示", D(points), Style.YES_NO, D(deduction))


@pytest.mark.parametrize(
    ("rule", "finding", "deduction", "score", "text"),
    [
        # 台账不全每份扣0.5分，最多扣2分: 3 files → 1.5
        (
            occurrence("10", "0.5", "2"),
            Finding(3),
            "1.5",
            "8.5",
            "发现3处问题，每处扣0.5分，共扣1.5分，得8.5分。",
        ),
        # 7 files → 3.5 due, capped at 2
        (
            occurrence("10", "0.5", "2"),
            Finding(7),
            "2",
            "8",
            "发现7处问题，每处扣0.5分，应扣3.5分，超过上限2分，按2分扣，得8分。",
        ),
        # exactly at the cap
        (
            occurrence("10", "0.5", "2"),
            Finding(4),
            "2",
            "8",
            "发现4处问题，每处扣0.5分，共扣2分，得8分。",
        ),
        # no cap: 漏报1人扣2分，扣完为止 — 6 cases on a 10-point item
        (
            occurrence("10", "2"),
            Finding(6),
            "10",
            "0",
            "发现6处问题，每处扣2分，应扣12分，扣完为止，得0分。",
        ),
        (occurrence("10", "2"), Finding(0), "0", "10", "未发现问题，得满分10分。"),
        # a cap above the item's points is the item's points
        (
            occurrence("5", "1", "8"),
            Finding(9),
            "5",
            "0",
            "发现9处问题，每处扣1分，应扣9分，扣完为止，得0分。",
        ),
        # yes/no: the whole item, or a set part of it
        (yes_no("5", "5"), Finding(failed=True), "5", "0", "不符合要求，扣5分，得0分。"),
        (yes_no("5", "3"), Finding(failed=True), "3", "2", "不符合要求，扣3分，得2分。"),
        (yes_no("5", "3"), Finding(failed=False), "0", "5", "符合要求，得满分5分。"),
        # occurrences recorded on a yes/no item do not count, and vice versa
        (yes_no("5", "3"), Finding(occurrences=4), "0", "5", "符合要求，得满分5分。"),
        (occurrence("5", "1"), Finding(failed=True), "0", "5", "未发现问题，得满分5分。"),
        # thirds of a point round half up at the cent
        (
            occurrence("10", "0.33"),
            Finding(3),
            "0.99",
            "9.01",
            "发现3处问题，每处扣0.33分，共扣0.99分，得9.01分。",
        ),
    ],
)
def test_an_item_is_scored_as_worked_out_by_hand(rule, finding, deduction, score, text):
    line = score_item(rule, finding)
    assert line.deduction == D(deduction)
    assert line.score == D(score)
    assert line.explanation == text


def test_a_sheet_adds_its_lines_up_to_the_total_and_explains_it():
    rules = [
        occurrence("10", "2", code="A1"),
        occurrence("10", "0.5", "2", code="A2"),
        yes_no("5", "5", code="B1"),
        yes_no("5", "3", code="B2"),
    ]
    findings = {"A1": Finding(1), "A2": Finding(7), "B2": Finding(failed=True)}
    sheet = score_sheet(rules, findings)
    assert [line.score for line in sheet.lines] == [D(8), D(8), D(5), D(2)]
    assert sheet.full_marks == D(30)
    assert sheet.total == D(23)
    assert sheet.overdue is None
    assert sheet.explanation == "满分30分，3个检查项共扣7分，得23分。"


def test_overdue_tasks_are_their_own_line_with_a_cap():
    rules = [occurrence("10", "2", code="A1")]
    sheet = score_sheet(rules, {}, overdue_rule=OverdueRule(D("0.5"), D("1")), overdue_tasks=3)
    assert sheet.overdue is not None
    assert sheet.overdue.deduction == D(1)
    assert sheet.overdue.explanation == "逾期未完成整改3项，每项扣0.5分，应扣1.5分，按上限1分扣。"
    assert sheet.total == D(9)
    assert sheet.total == sum(line.score for line in sheet.lines) + sheet.overdue.score
    assert sheet.explanation == "满分10分，0个检查项共扣0分，整改逾期扣1分，得9分。"


def test_the_overdue_line_never_takes_the_total_below_zero():
    rules = [yes_no("1", "1")]
    sheet = score_sheet(
        rules, {"B1": Finding(failed=True)}, overdue_rule=OverdueRule(D(2)), overdue_tasks=4
    )
    assert sheet.total == 0
    assert sheet.overdue.deduction == 0
    assert "总分扣至0分为止" in sheet.overdue.explanation


def test_no_overdue_line_when_the_checklist_does_not_count_them():
    sheet = score_sheet([yes_no("5", "5")], {}, overdue_rule=OverdueRule(D(0)), overdue_tasks=3)
    assert sheet.overdue is None
    assert sheet.total == 5
    assert sheet.explanation == "满分5分，各项均未扣分，得5分。"


def test_scores_are_written_the_way_people_write_them():
    assert [fmt(D(x)) for x in ["5.00", "0.50", "92.25", "0", "-1.50", "100"]] == [
        "5",
        "0.5",
        "92.25",
        "0",
        "-1.5",
        "100",
    ]


def _clamp(value: Decimal, *, low: Decimal, high: Decimal) -> Decimal:
    return min(max(value, low), high)


cents = st.integers(min_value=1, max_value=2000).map(lambda n: D(n) / 100)


@st.composite
def rules_and_findings(draw):
    rules, findings = [], {}
    for index in range(draw(st.integers(min_value=1, max_value=8))):
        code = f"X{index}"
        points = draw(cents)
        each = min(draw(cents), points)
        if draw(st.booleans()):
            cap = draw(st.one_of(st.none(), cents.map(partial(_clamp, low=each, high=points))))
            rules.append(ItemRule(code, code, points, Style.OCCURRENCE, each, cap))
            findings[code] = Finding(occurrences=draw(st.integers(min_value=0, max_value=50)))
        else:
            rules.append(ItemRule(code, code, points, Style.YES_NO, each))
            findings[code] = Finding(failed=draw(st.booleans()))
    overdue = draw(st.integers(min_value=0, max_value=10))
    rule = OverdueRule(draw(cents), draw(st.one_of(st.none(), cents)))
    return rules, findings, rule, overdue


@given(rules_and_findings())
def test_item_scores_stay_within_their_points_and_lines_add_up(case):
    rules, findings, overdue_rule, overdue = case
    sheet = score_sheet(rules, findings, overdue_rule=overdue_rule, overdue_tasks=overdue)
    for rule, line in zip(rules, sheet.lines, strict=True):
        assert 0 <= line.score <= rule.points
        assert line.score + line.deduction == line.points
        assert line.explanation
    assert sheet.total >= 0
    assert sheet.total == sum((line.score for line in sheet.lines), D(0)) + (
        sheet.overdue.score if sheet.overdue else 0
    )
    assert sheet.total == sheet.total.quantize(D("0.01"))
