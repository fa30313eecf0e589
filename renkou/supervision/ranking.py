"""Monthly ranking, the bottom list and repeat offenders (pure: no Django).

- Ranks are "competition" ranks: equal scores share a rank and the next rank
  skips (1, 2, 2, 4), so no unit is placed below another with the same score.
- The bottom list holds the units whose rank is among the last ``n`` places;
  a unit tied with the n-th from the bottom is listed too, because choosing
  between equal scores would be arbitrary. A unit tied with the best is never
  listed: when most units share the top score, "bottom" would otherwise
  reach units that lost nothing.
- A repeat offender is in the bottom list ``consecutive`` months running, or
  ``total`` times in the calendar year (this month included).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Scored:
    code: str
    score: Decimal


@dataclass(frozen=True)
class Ranked:
    code: str
    score: Decimal
    rank: int
    of: int
    bottom: bool


def rank(scores: Sequence[Scored], bottom_n: int) -> list[Ranked]:
    ordered = sorted(scores, key=lambda s: (-s.score, s.code))
    n = len(ordered)
    ranks: list[int] = []
    for index, item in enumerate(ordered):
        if index and item.score == ordered[index - 1].score:
            ranks.append(ranks[-1])
        else:
            ranks.append(index + 1)
    # The score at the n-th place from the bottom; everything at or below it is listed.
    if not ordered:
        return []
    threshold = ordered[max(n - bottom_n, 0)].score if bottom_n > 0 else None
    best = ordered[0].score
    return [
        Ranked(
            code=item.code,
            score=item.score,
            rank=r,
            of=n,
            bottom=threshold is not None and item.score <= threshold and item.score < best,
        )
        for item, r in zip(ordered, ranks, strict=True)
    ]


@dataclass(frozen=True)
class RepeatStatus:
    streak: int  # months in the bottom list running, this month included
    year_count: int  # times in the bottom list this calendar year, this month included
    repeat: bool
    explanation: str


def repeat_status(
    history: Sequence[bool],
    year_history: Sequence[bool],
    *,
    in_bottom: bool,
    consecutive: int,
    total: int,
) -> RepeatStatus:
    """``history``: bottom-list flags of the earlier months, oldest first (any year);
    ``year_history``: the same for the earlier months of this calendar year."""
    if not in_bottom:
        return RepeatStatus(0, sum(year_history), False, "")
    streak = 1
    for flag in reversed(history):
        if not flag:
            break
        streak += 1
    year_count = sum(year_history) + 1
    reasons = []
    if consecutive > 0 and streak >= consecutive:
        reasons.append(f"连续{streak}个月列入后进名单")
    if total > 0 and year_count >= total:
        reasons.append(f"本年度第{year_count}次列入后进名单")
    return RepeatStatus(
        streak=streak,
        year_count=year_count,
        repeat=bool(reasons),
        explanation="，".join(reasons) + "。" if reasons else "",
    )
