"""Fair, reproducible sampling of villages (pure: no Django, no database).

The method is written out on every plan page, so anyone can re-draw a sample
from the recorded seed and see that nobody picked the villages by hand:

1. Each township is drawn on its own. Its random-number generator is Python's
   ``random.Random`` (Mersenne Twister) seeded with the text
   ``"<seed>:<township code>"``; adding or removing another township therefore
   never changes this township's draw.
2. The township's villages are sorted by their division code.
3. Villages are drawn one at a time without replacement, like lots from a box:
   ``r = random() × (sum of the remaining weights)``; walking down the sorted
   list adding up weights, the first village whose running sum exceeds ``r``
   is drawn and leaves the box.

With equal weights every village has the same chance. Weighted toward poor
results, a village's weight is ``1 + boost × (full − last score) ÷ full``,
rounded to two decimals, so a village that lost 20 of 100 points last time,
with boost 2, has weight 1.40 against 1.00 for a perfect one. A village with no
earlier result has weight 1.

Only ``Random.random()`` is used: its output for a given seed is the same on
every Python version and platform, unlike ``sample``/``choices`` whose
implementations have changed between versions.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ALGORITHM = "renkou-sample-v1"
ONE = Decimal("1.00")


@dataclass(frozen=True)
class Candidate:
    code: str
    weight: Decimal = ONE


def weight_for(last_score: Decimal | None, full_marks: Decimal, boost: Decimal) -> Decimal:
    """The weight of a village given its last score (None: never scored)."""
    if last_score is None or full_marks <= 0 or boost <= 0:
        return ONE
    shortfall = max(full_marks - last_score, Decimal(0)) / full_marks
    return (ONE + boost * min(shortfall, ONE)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rng_for(seed: int, stratum: str) -> random.Random:
    return random.Random(f"{seed}:{stratum}")


def draw_stratum(seed: int, stratum: str, candidates: Sequence[Candidate], k: int) -> list[str]:
    """Draw ``k`` codes (or all, when fewer) in the order they were drawn."""
    for candidate in candidates:
        if candidate.weight <= 0:
            raise ValueError(f"weight of {candidate.code} must be positive")
    rng = rng_for(seed, stratum)
    box = sorted(candidates, key=lambda c: c.code)
    drawn: list[str] = []
    while box and len(drawn) < k:
        weights = [float(c.weight) for c in box]
        r = rng.random() * sum(weights)
        running = 0.0
        pick = len(box) - 1  # rounding can leave r a hair above the last running sum
        for index, weight in enumerate(weights):
            running += weight
            if r < running:
                pick = index
                break
        drawn.append(box.pop(pick).code)
    return drawn


def draw(
    seed: int, strata: Mapping[str, Sequence[Candidate]], per_stratum: int
) -> dict[str, list[str]]:
    """Draw every stratum (township) with the same seed."""
    return {
        stratum: draw_stratum(seed, stratum, candidates, per_stratum)
        for stratum, candidates in sorted(strata.items())
    }


def inclusion_probabilities(candidates: Sequence[Candidate], k: int) -> dict[str, float]:
    """Each candidate's exact chance of being in a sample of ``k`` drawn as above.

    Enumerates the draw sequences, so only for small boxes (tests and the plan
    page's "chance of each village" column).
    """
    result = {c.code: 0.0 for c in candidates}

    def walk(box: list[Candidate], chance: float, depth: int) -> None:
        if depth == 0 or not box:
            return
        total = sum(float(c.weight) for c in box)
        for index, candidate in enumerate(box):
            p = chance * float(candidate.weight) / total
            result[candidate.code] += p
            walk(box[:index] + box[index + 1 :], p, depth - 1)

    walk(list(candidates), 1.0, k)
    return result
