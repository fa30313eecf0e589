"""Splitting a target over the units below: pure arithmetic, no Django.

A count target (births, pre-pregnancy checks …) is split in proportion to
weights (population, women 15–49, last year's births, or equal) with the
largest-remainder (Hamilton) method, so the parts are whole numbers that add
up exactly to the whole. A rate target (a percentage, a ratio, a band such as
SRB 103–107) is never split: each unit gets the same value, optionally with
its own adjustment.

Hand-worked examples (the same ones are tests):

>>> split_count(10, [1, 1, 1])
[4, 3, 3]

Quotas 3⅓ each; every unit gets 3 and the one left over goes to the first
unit (equal weights, so order decides).

>>> split_count(100, [1234, 5678, 3088])
[12, 57, 31]

Quotas 12.34, 56.78, 30.88 → floors 12, 56, 30 (sum 98); the two largest
remainders are .88 and .78, so the third and the second unit get one more.

>>> split_count(7, [0, 0])
[4, 3]

All weights zero: an equal split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = ["CascadeError", "Part", "copy_band", "copy_rate", "split", "split_count"]

Weight = int | Decimal | Fraction | float


class CascadeError(ValueError):
    """Input that cannot be split; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Part:
    """One unit's share of the whole."""

    index: int  # position in the input
    weight: Fraction
    share: Fraction  # weight / total weight (1/n for an equal split)
    quota: Fraction  # the exact, unrounded part: whole × share
    value: int  # the whole-number part the method gives


def _fraction(weight: Weight) -> Fraction:
    if isinstance(weight, float):
        if weight != weight or weight in (float("inf"), float("-inf")):
            raise CascadeError("分解权重必须是有限的数字。")
        return Fraction(Decimal(repr(weight)))
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise CascadeError("分解权重必须是有限的数字。")
    return Fraction(weight)


def split(whole: int, weights: Sequence[Weight]) -> list[Part]:
    """Split ``whole`` over ``len(weights)`` parts in proportion to the weights.

    Each part is its quota rounded down, and the units left over go one each
    to the parts with the largest remainders; equal remainders go to the
    larger weight first, then to the earlier part. Zero weights (all of them)
    mean an equal split. Negative weights and a negative or fractional whole
    are refused.

    >>> [p.value for p in split(5, [2, 1, 1])]
    [3, 1, 1]
    """
    if isinstance(whole, bool) or not isinstance(whole, int):
        raise CascadeError("只有整数目标才能分解。")
    if whole < 0:
        raise CascadeError("要分解的目标不能是负数。")
    if not weights:
        raise CascadeError("没有可分解的下级单位。")
    exact = [_fraction(w) for w in weights]
    negative = [i for i, w in enumerate(exact) if w < 0]
    if negative:
        raise CascadeError(f"分解权重不能为负数（第{negative[0] + 1}个单位）。")
    total = sum(exact, Fraction(0))
    if total == 0:
        exact = [Fraction(1)] * len(exact)
        total = Fraction(len(exact))
    shares = [w / total for w in exact]
    quotas = [whole * s for s in shares]
    values = [q.numerator // q.denominator for q in quotas]
    left = whole - sum(values)
    order = sorted(
        range(len(quotas)),
        key=lambda i: (-(quotas[i] - values[i]), -exact[i], i),
    )
    for i in order[:left]:
        values[i] += 1
    return [
        Part(index=i, weight=exact[i], share=shares[i], quota=quotas[i], value=values[i])
        for i in range(len(quotas))
    ]


def split_count(whole: int, weights: Sequence[Weight]) -> list[int]:
    """The whole-number parts of :func:`split`, in input order."""
    return [part.value for part in split(whole, weights)]


def copy_rate(
    value: Decimal, keys: Sequence[int], adjustments: Mapping[int, Decimal] | None = None
) -> dict[int, Decimal]:
    """The same rate for every key, plus the key's adjustment if it has one.

    >>> copy_rate(Decimal("95"), [1, 2], {2: Decimal("-2")})
    {1: Decimal('95'), 2: Decimal('93')}
    """
    adjust = adjustments or {}
    unknown = sorted(set(adjust) - set(keys))
    if unknown:
        raise CascadeError("调整只能针对本次分解的下级单位。")
    return {key: value + adjust.get(key, Decimal(0)) for key in keys}


def copy_band(
    low: Decimal,
    high: Decimal,
    keys: Sequence[int],
    adjustments: Mapping[int, Decimal] | None = None,
) -> dict[int, tuple[Decimal, Decimal]]:
    """The same band for every key, shifted by the key's adjustment if it has one.

    >>> copy_band(Decimal("103"), Decimal("107"), [1], {1: Decimal("1")})
    {1: (Decimal('104'), Decimal('108'))}
    """
    if low > high:
        raise CascadeError("区间下限不能大于上限。")
    lows = copy_rate(low, keys, adjustments)
    return {key: (lows[key], high + (adjustments or {}).get(key, Decimal(0))) for key in keys}
