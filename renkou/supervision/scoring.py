"""Scoring one inspection against its checklist (pure: no Django, no database).

An item is worth ``points``. Two deduction styles exist:

- **per occurrence** (按次扣分): each problem found costs ``deduction`` points,
  and the item loses at most ``cap`` points (or all of its points when no cap
  is set), e.g. "台账不全每份扣0.5分，最多扣2分";
- **yes/no** (是否符合): the item either meets the requirement, or loses
  ``deduction`` points (usually all of them).

An item never goes below zero. Overdue rectification tasks from earlier months
can cost a further deduction when the checklist says so; that deduction is its
own line, so the item scores and that line add up to the total exactly. Every
line carries a sentence a township cadre can check by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
ZERO = Decimal("0")


class Style(StrEnum):
    OCCURRENCE = "occurrence"
    YES_NO = "yes_no"


def q2(value: Decimal) -> Decimal:
    """Round to hundredths the way officials do it by hand (half up)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A score as people write it: 5 not 5.00, 0.5 not 0.50."""
    text = f"{q2(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


@dataclass(frozen=True)
class ItemRule:
    code: str
    title: str
    points: Decimal
    style: Style
    deduction: Decimal
    cap: Decimal | None = None

    @property
    def max_deduction(self) -> Decimal:
        """What the item can lose at most: its cap, never more than its points."""
        if self.style is Style.YES_NO:
            return min(self.deduction, self.points)
        return self.points if self.cap is None else min(self.cap, self.points)


@dataclass(frozen=True)
class Finding:
    """What the inspector recorded for one item."""

    occurrences: int = 0
    failed: bool = False


@dataclass(frozen=True)
class LineScore:
    code: str
    title: str
    points: Decimal
    deduction: Decimal
    score: Decimal
    explanation: str


@dataclass(frozen=True)
class OverdueRule:
    """Overdue rectification tasks counted into this month's score."""

    per_task: Decimal
    cap: Decimal | None = None


@dataclass(frozen=True)
class ScoreSheet:
    lines: tuple[LineScore, ...]
    overdue: LineScore | None
    full_marks: Decimal
    total: Decimal
    explanation: str

    @property
    def deduction(self) -> Decimal:
        return self.full_marks - self.total


def score_item(rule: ItemRule, finding: Finding) -> LineScore:
    points = q2(rule.points)
    if rule.style is Style.YES_NO:
        if not finding.failed:
            return _line(rule, ZERO, f"符合要求，得满分{fmt(points)}分。")
        deduction = q2(rule.max_deduction)
        return _line(
            rule,
            deduction,
            f"不符合要求，扣{fmt(deduction)}分，得{fmt(points - deduction)}分。",
        )
    count = max(finding.occurrences, 0)
    if count == 0:
        return _line(rule, ZERO, f"未发现问题，得满分{fmt(points)}分。")
    raw = q2(rule.deduction * count)
    limit = q2(rule.max_deduction)
    head = f"发现{count}处问题，每处扣{fmt(rule.deduction)}分"
    if raw <= limit:
        return _line(rule, raw, f"{head}，共扣{fmt(raw)}分，得{fmt(points - raw)}分。")
    if limit == points:
        tail = f"应扣{fmt(raw)}分，扣完为止，得0分。"
    else:
        tail = (
            f"应扣{fmt(raw)}分，超过上限{fmt(limit)}分，"
            f"按{fmt(limit)}分扣，得{fmt(points - limit)}分。"
        )
    return _line(rule, limit, f"{head}，{tail}")


def _line(rule: ItemRule, deduction: Decimal, explanation: str) -> LineScore:
    points = q2(rule.points)
    return LineScore(
        code=rule.code,
        title=rule.title,
        points=points,
        deduction=deduction,
        score=points - deduction,
        explanation=explanation,
    )


def score_overdue(rule: OverdueRule, overdue_tasks: int) -> LineScore:
    """The deduction for rectification tasks from earlier months still overdue."""
    per = q2(rule.per_task)
    raw = q2(per * overdue_tasks)
    limit = None if rule.cap is None else q2(rule.cap)
    deduction = raw if limit is None else min(raw, limit)
    if overdue_tasks == 0:
        text = "没有逾期未完成的整改任务，不扣分。"
    elif deduction < raw:
        text = (
            f"逾期未完成整改{overdue_tasks}项，每项扣{fmt(per)}分，应扣{fmt(raw)}分，"
            f"按上限{fmt(deduction)}分扣。"
        )
    else:
        text = f"逾期未完成整改{overdue_tasks}项，每项扣{fmt(per)}分，共扣{fmt(deduction)}分。"
    return LineScore(
        code="逾期",
        title="整改任务逾期",
        points=ZERO,
        deduction=deduction,
        score=-deduction,
        explanation=text,
    )


def score_sheet(
    rules: Sequence[ItemRule],
    findings: dict[str, Finding],
    *,
    overdue_rule: OverdueRule | None = None,
    overdue_tasks: int = 0,
) -> ScoreSheet:
    """Score every item (a missing finding means nothing was found) and the total.

    The total is floored at zero; when the overdue line would take it below
    zero, the line is shortened so that the lines still add up to the total.
    """
    lines = tuple(score_item(rule, findings.get(rule.code, Finding())) for rule in rules)
    full = sum((line.points for line in lines), ZERO)
    subtotal = sum((line.score for line in lines), ZERO)
    overdue: LineScore | None = None
    if overdue_rule is not None and overdue_rule.per_task > 0:
        overdue = score_overdue(overdue_rule, overdue_tasks)
        if overdue.deduction > subtotal:
            overdue = LineScore(
                code=overdue.code,
                title=overdue.title,
                points=ZERO,
                deduction=subtotal,
                score=-subtotal,
                explanation=overdue.explanation.rstrip("。")
                + f"，总分扣至0分为止，实扣{fmt(subtotal)}分。",
            )
    total = subtotal + (overdue.score if overdue else ZERO)
    item_deduction = full - subtotal
    problems = sum(1 for line in lines if line.deduction > 0)
    if item_deduction == 0 and (overdue is None or overdue.deduction == 0):
        explanation = f"满分{fmt(full)}分，各项均未扣分，得{fmt(total)}分。"
    else:
        parts = [f"满分{fmt(full)}分，{problems}个检查项共扣{fmt(item_deduction)}分"]
        if overdue is not None and overdue.deduction > 0:
            parts.append(f"整改逾期扣{fmt(overdue.deduction)}分")
        explanation = "，".join(parts) + f"，得{fmt(total)}分。"
    return ScoreSheet(
        lines=lines, overdue=overdue, full_marks=full, total=total, explanation=explanation
    )
