"""Rule types: parsing from the scheme, scoring one figure, explaining the score.

Every rule is compiled once, when the scheme is loaded, into a small frozen
object whose ``score`` does only Decimal arithmetic. ``score`` returns the raw
score (the engine clamps it to [0, points] and rounds it), the target it was
measured against, and a tuple of the figures the explanation needs. The
explanation itself is written only when somebody reads it: a province has a
million item scores and most are never looked at one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Final

from .check import Checker, at, join, show, to_decimal
from .conditions import Condition, parse_condition
from .intervals import clopper_pearson
from .text import fmt, pct, tr

__all__ = [
    "RULE_TYPES",
    "Ctx",
    "Missing",
    "Needs",
    "RelativeSpec",
    "Rule",
    "ScoreFn",
    "compile_rule",
]

ZERO: Final = Decimal(0)
ONE: Final = Decimal(1)
TWO: Final = Decimal(2)
HUNDRED: Final = Decimal(100)
UNBOUNDED: Final = Decimal("Infinity")
_SRB_PLACES: Final = Decimal("0.01")

Detail = tuple[Any, ...]
Scored = tuple[Decimal, Decimal | None, Detail]
ScoreFn = Callable[["Ctx", Decimal, Decimal], Scored]

DIRECTIONS: Final = ("higher", "lower")
PARTIALS: Final = ("proportional", "whole", "started")
STATS: Final = ("mean", "median", "best", "worst")
SCOPES: Final = ("all", "class")


class Missing(Exception):
    """A figure the rule needs is absent; the item then scores 0 with a warning."""

    def __init__(self, kind: str, key: str) -> None:
        super().__init__(kind, key)
        self.kind = kind  # "value", "previous", "target" or "peers"
        self.key = key


class Ctx:
    """One unit's figures while it is being scored."""

    __slots__ = ("gaps", "klass", "previous", "stats", "targets", "values")

    def __init__(
        self,
        values: Mapping[str, Decimal],
        targets: Mapping[str, Decimal],
        previous: Mapping[str, Decimal],
        klass: str | None,
        stats: Mapping[int, Mapping[str | None, Decimal]],
    ) -> None:
        self.values = values
        self.targets = targets
        self.previous = previous
        self.klass = klass
        self.stats = stats
        # Conditions that could not be judged for want of a figure: (condition, keys).
        self.gaps: list[tuple[Condition, list[str]]] = []

    def holds(self, condition: Condition) -> bool:
        missing: list[str] = []
        result = condition.holds(self.values, missing)
        if missing:
            self.gaps.append((condition, missing))
        return result


@dataclass
class Needs:
    """Which figures the scheme reads, so units are checked and converted only there."""

    values: set[str] = field(default_factory=set)
    whole: set[str] = field(default_factory=set)
    previous: set[str] = field(default_factory=set)
    targets: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class RelativeSpec:
    """A statistic that has to be computed over all units before any is scored."""

    slot: int
    item: str
    key: str
    stat: str
    over: str
    higher: bool


# --- targets -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OwnTarget:
    code: str

    def value(self, ctx: Ctx) -> Decimal:
        target = ctx.targets.get(self.code)
        if target is None:
            raise Missing("target", self.code)
        return target


@dataclass(frozen=True, slots=True)
class StatTarget:
    slot: int
    by_class: bool

    def value(self, ctx: Ctx) -> Decimal:
        stat = ctx.stats[self.slot].get(ctx.klass if self.by_class else None)
        if stat is None:
            raise Missing("peers", "")
        return stat


Base = OwnTarget | StatTarget


@dataclass(frozen=True, slots=True)
class Target:
    """A fixed number, the unit's own target, or a fraction of it."""

    fixed: Decimal | None
    fraction: Decimal | None
    base: Base

    def resolve(self, ctx: Ctx) -> Decimal:
        if self.fixed is not None:
            return self.fixed
        base = self.base.value(ctx)
        return base if self.fraction is None else base * self.fraction

    @property
    def derived(self) -> bool:
        return self.fixed is None


# --- shared pieces -----------------------------------------------------------


def _count(distance: Decimal, step: Decimal, partial: str) -> Decimal:
    steps = distance / step
    if partial == "whole":
        return steps.to_integral_value(rounding=ROUND_FLOOR)
    if partial == "started":
        return steps.to_integral_value(rounding=ROUND_CEILING)
    return steps


def _partial_note(lang: str, partial: str, step: Decimal) -> str:
    if partial == "whole":
        return tr(lang, "whole_steps", step=fmt(step))
    if partial == "started":
        return tr(lang, "started_steps", step=fmt(step))
    return ""


def _deduction(lang: str, points: Decimal, shown: Decimal, deduction: Decimal) -> str:
    # The shown deduction is points − shown score, so the two printed figures
    # always add up; only when the deduction swallows everything is it shown raw.
    if deduction > points:
        return tr(lang, "floored", amount=fmt(deduction))
    return tr(lang, "deducted", amount=fmt(points - shown))


class Rule:
    __slots__ = ()
    kind: ClassVar[str] = ""
    reads_value: ClassVar[bool] = True

    @property
    def higher(self) -> bool:
        return True

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        raise NotImplementedError

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        raise NotImplementedError

    def shown_value(self, detail: Detail) -> Decimal | None:
        return None


@dataclass(frozen=True, slots=True)
class Threshold(Rule):
    kind: ClassVar[str] = "threshold"
    target: Target
    is_higher: bool
    otherwise: Decimal

    @property
    def higher(self) -> bool:
        return self.is_higher

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        target = self.target.fixed
        if target is None:
            target = self.target.resolve(ctx)
        met = value >= target if self.is_higher else value <= target
        return (points if met else self.otherwise), target, (target, met)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        target, met = detail
        key = ("met_" if met else "missed_") + ("higher" if self.is_higher else "lower")
        return tr(lang, key, t=fmt(target))


@dataclass(frozen=True, slots=True)
class Band(Rule):
    kind: ClassVar[str] = "band"
    low: Target
    high: Target
    step: Decimal | None
    deduct: Decimal | None
    partial: str
    from_target: bool

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        low = self.low.resolve(ctx)
        high = self.high.resolve(ctx)
        base = self.low.base.value(ctx) if self.from_target else None
        if value < low:
            side, distance = -1, low - value
        elif value > high:
            side, distance = 1, value - high
        else:
            return points, base, (low, high, base, 0, ZERO, ZERO)
        if self.step is None or self.deduct is None:
            deduction = points
        else:
            deduction = _count(distance, self.step, self.partial) * self.deduct
        return points - deduction, base, (low, high, base, side, distance, deduction)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        low, high, base, side, distance, deduction = detail
        text = tr(lang, "band_target", t=fmt(base)) if base is not None else ""
        if side == 0:
            return text + tr(lang, "band_inside", low=fmt(low), high=fmt(high))
        if side < 0:
            text += tr(lang, "band_below", low=fmt(low), d=fmt(distance))
        else:
            text += tr(lang, "band_above", high=fmt(high), d=fmt(distance))
        if self.step is None or self.deduct is None:
            return text
        rate = "rate_below" if side < 0 else "rate_above"
        text += tr(lang, rate, step=fmt(self.step), deduct=fmt(self.deduct))
        text += _partial_note(lang, self.partial, self.step)
        return text + _deduction(lang, points, shown, deduction)


@dataclass(frozen=True, slots=True)
class Shortfall(Rule):
    kind: ClassVar[str] = "shortfall"
    target: Target
    is_higher: bool
    step: Decimal
    deduct: Decimal
    tolerance: Decimal
    partial: str

    @property
    def higher(self) -> bool:
        return self.is_higher

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        target = self.target.fixed
        if target is None:
            target = self.target.resolve(ctx)
        gap = target - value if self.is_higher else value - target
        if gap <= self.tolerance:
            return points, target, (target, gap, ZERO)
        deduction = _count(gap - self.tolerance, self.step, self.partial) * self.deduct
        return points - deduction, target, (target, gap, deduction)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        target, gap, deduction = detail
        if gap <= 0:
            return tr(lang, "met_higher" if self.is_higher else "met_lower", t=fmt(target))
        text = tr(
            lang, "short_higher" if self.is_higher else "short_lower", t=fmt(target), gap=fmt(gap)
        )
        if gap <= self.tolerance:
            return text + tr(lang, "within_tolerance", tol=fmt(self.tolerance))
        if self.tolerance:
            text += tr(
                lang, "beyond_tolerance", tol=fmt(self.tolerance), beyond=fmt(gap - self.tolerance)
            )
        rate = "rate_below" if self.is_higher else "rate_above"
        text += tr(lang, rate, step=fmt(self.step), deduct=fmt(self.deduct))
        text += _partial_note(lang, self.partial, self.step)
        return text + _deduction(lang, points, shown, deduction)


@dataclass(frozen=True, slots=True)
class Ratio(Rule):
    kind: ClassVar[str] = "ratio"
    target: Target
    is_higher: bool
    cap: Decimal

    @property
    def higher(self) -> bool:
        return self.is_higher

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        target = self.target.fixed
        if target is None:
            target = self.target.resolve(ctx)
        numerator, denominator = (value, target) if self.is_higher else (target, value)
        if denominator <= 0:
            # Any figure meets a zero target, and zero is the best a lower-is-better
            # figure can be: neither deserves a division by zero.
            return points * self.cap, target, (target, None)
        ratio = numerator / denominator
        used = min(self.cap, ratio)
        return points * used, target, (target, ratio)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        target, ratio = detail
        if ratio is None:
            return tr(lang, "ratio_free", t=fmt(target))
        head = "ratio_higher" if self.is_higher else "ratio_lower"
        text = tr(lang, head, t=fmt(target), pct=pct(ratio))
        if ratio > self.cap:
            return text + tr(lang, "ratio_capped", cap=pct(self.cap))
        a, b = (value, target) if self.is_higher else (target, value)
        return text + tr(lang, "ratio_formula", points=fmt(points), a=fmt(a), b=fmt(b))


@dataclass(frozen=True, slots=True)
class PerCase(Rule):
    kind: ClassVar[str] = "per_case"
    amount: Decimal
    double: str | None
    cap: Decimal | None
    bonus: bool

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        if self.bonus:
            gain = self.amount * value
            capped = self.cap is not None and gain > self.cap
            if capped and self.cap is not None:
                gain = self.cap
            return gain, None, (value, ZERO, gain, capped)
        doubled = ZERO
        if self.double is not None:
            found = ctx.values.get(self.double)
            if found is None:
                raise Missing("value", self.double)
            doubled = found
        deduction = self.amount * value + TWO * self.amount * doubled
        capped = self.cap is not None and deduction > self.cap
        if capped and self.cap is not None:
            deduction = self.cap
        return points - deduction, None, (value, doubled, deduction, capped)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        cases, doubled, amount, capped = detail
        if self.bonus:
            text = tr(lang, "cases_bonus", n=fmt(cases), amount=fmt(self.amount))
            if capped and self.cap is not None:
                text += tr(lang, "cap_bonus", cap=fmt(self.cap))
            return text
        if not cases and not doubled:
            return tr(lang, "cases_none")
        text = tr(lang, "cases", n=fmt(cases), amount=fmt(self.amount))
        if doubled:
            text += tr(lang, "cases_double", n=fmt(doubled), amount=fmt(TWO * self.amount))
        if capped and self.cap is not None:
            text += tr(lang, "cases_cap", cap=fmt(self.cap))
        return text + _deduction(lang, points, shown, amount)


@dataclass(frozen=True, slots=True)
class Scaled(Rule):
    kind: ClassVar[str] = "scaled"
    maximum: Decimal

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        return points * value / self.maximum, None, ()

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        return tr(lang, "scaled", max=fmt(self.maximum), v=fmt(value), points=fmt(points))


@dataclass(frozen=True, slots=True)
class Row:
    low: Decimal | None
    high: Decimal | None
    score: Decimal | None
    fraction: Decimal | None

    def text(self, lang: str) -> str:
        if self.low is not None and self.high is not None:
            return tr(lang, "table_between", min=fmt(self.low), max=fmt(self.high))
        if self.low is not None:
            return tr(lang, "table_from", min=fmt(self.low))
        if self.high is not None:
            return tr(lang, "table_below", max=fmt(self.high))
        return tr(lang, "table_any")


@dataclass(frozen=True, slots=True)
class Table(Rule):
    kind: ClassVar[str] = "table"
    rows: tuple[Row, ...]

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        for index, row in enumerate(self.rows):
            if (row.low is None or value >= row.low) and (row.high is None or value < row.high):
                if row.score is not None:
                    return row.score, None, (index,)
                fraction = row.fraction if row.fraction is not None else ZERO
                return points * fraction, None, (index,)
        return ZERO, None, (-1,)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        (index,) = detail
        if index < 0:
            return tr(lang, "table_none")
        row = self.rows[index]
        text = tr(lang, "table_row", row=row.text(lang))
        if row.fraction is not None:
            text += tr(lang, "table_fraction", pct=pct(row.fraction))
        return text


@dataclass(frozen=True, slots=True)
class Excess(Rule):
    kind: ClassVar[str] = "excess"
    target: Target
    is_higher: bool
    step: Decimal
    add: Decimal
    cap: Decimal | None
    partial: str

    @property
    def higher(self) -> bool:
        return self.is_higher

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        target = self.target.fixed
        if target is None:
            target = self.target.resolve(ctx)
        beyond = value - target if self.is_higher else target - value
        if beyond <= 0:
            return ZERO, target, (target, beyond, False)
        gain = _count(beyond, self.step, self.partial) * self.add
        capped = self.cap is not None and gain > self.cap
        if capped and self.cap is not None:
            gain = self.cap
        return gain, target, (target, beyond, capped)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        target, beyond, capped = detail
        if beyond <= 0:
            return tr(lang, "excess_none", t=fmt(target))
        key = "excess_higher" if self.is_higher else "excess_lower"
        text = tr(
            lang, key, t=fmt(target), beyond=fmt(beyond), step=fmt(self.step), add=fmt(self.add)
        )
        text += _partial_note(lang, self.partial, self.step)
        if capped and self.cap is not None:
            text += tr(lang, "cap_bonus", cap=fmt(self.cap))
        return text


@dataclass(frozen=True, slots=True)
class Relative(Rule):
    kind: ClassVar[str] = "relative"
    stat: str
    over: str
    slot: int
    inner: Rule

    @property
    def higher(self) -> bool:
        return self.inner.higher

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        stat = ctx.stats[self.slot].get(ctx.klass if self.over == "class" else None)
        if stat is None:
            raise Missing("peers", "")
        raw, target, detail = self.inner.score(ctx, value, points)
        return raw, target, (stat, detail)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        stat, inner = detail
        text = tr(
            lang,
            "relative",
            scope=tr(lang, f"scope_{self.over}"),
            stat=tr(lang, f"stat_{self.stat}"),
            s=fmt(stat),
        )
        return text + self.inner.explain(lang, inner, value, points, shown)


@dataclass(frozen=True, slots=True)
class Progress(Rule):
    kind: ClassVar[str] = "progress"
    previous: str
    is_higher: bool
    inner: Rule

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        before = ctx.previous.get(self.previous)
        if before is None:
            raise Missing("previous", self.previous)
        change = value - before if self.is_higher else before - value
        raw, target, detail = self.inner.score(ctx, change, points)
        return raw, target, (before, change, detail)

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        before, change, inner = detail
        if change > 0:
            text = tr(lang, "progress_up", prev=fmt(before), d=fmt(change))
        elif change < 0:
            text = tr(lang, "progress_down", prev=fmt(before), d=fmt(-change))
        else:
            text = tr(lang, "progress_same", prev=fmt(before))
        return text + self.inner.explain(lang, inner, change, points, shown)


@dataclass(frozen=True, slots=True)
class BlendPart:
    rule: Rule
    weight: Decimal
    key: str | None


@dataclass(frozen=True, slots=True)
class Blend(Rule):
    kind: ClassVar[str] = "blend"
    parts: tuple[BlendPart, ...]
    choices: tuple[tuple[Condition, tuple[Decimal, ...]], ...]
    quantum: Decimal

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        chosen = -1
        weights = tuple(part.weight for part in self.parts)
        for index, (condition, alternative) in enumerate(self.choices):
            if ctx.holds(condition):
                chosen, weights = index, alternative
                break
        total = ZERO
        shown_target: Decimal | None = None
        pieces = []
        for part, weight in zip(self.parts, weights, strict=True):
            figure = value
            if part.key is not None:
                found = ctx.values.get(part.key)
                if found is None:
                    raise Missing("value", part.key)
                figure = found
            raw, target, detail = part.rule.score(ctx, figure, points)
            # Each part is rounded like an item, so the weighted sum can be
            # checked from the printed part scores.
            if raw < 0:
                raw = ZERO
            elif raw > points:
                raw = points
            part_score = raw.quantize(self.quantum, rounding=ROUND_HALF_UP)
            total += part_score * weight
            if shown_target is None:
                shown_target = target
            pieces.append((figure, part_score, detail))
        return total, shown_target, (chosen, weights, tuple(pieces))

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        chosen, weights, pieces = detail
        text = ""
        if chosen >= 0:
            text = tr(lang, "blend_when", cond=self.choices[chosen][0].text(lang))
        text += tr(lang, "blend_weights", weights="/".join(fmt(weight) for weight in weights))
        parts = []
        for part, (figure, part_score, inner) in zip(self.parts, pieces, strict=True):
            said = part.rule.explain(lang, inner, figure, points, part_score)
            if part.key is not None:
                said = tr(lang, "head", name=part.key, value=fmt(figure)) + tr(lang, "sep") + said
            parts.append(tr(lang, "blend_part", text=said, score=fmt(part_score)))
        text += tr(lang, "blend_join").join(parts)
        expression = " + ".join(
            f"{fmt(part_score)}×{fmt(weight)}"
            for (_, part_score, _), weight in zip(pieces, weights, strict=True)
        )
        return text + tr(lang, "blend_sum", expr=expression)


@dataclass(frozen=True, slots=True)
class SrbInterval(Rule):
    kind: ClassVar[str] = "srb_interval"
    reads_value: ClassVar[bool] = False
    male: str
    female: str
    low: Decimal
    high: Decimal
    confidence: Decimal
    step: Decimal
    deduct: Decimal | None
    min_births: Decimal
    partial: str

    def score(self, ctx: Ctx, value: Decimal, points: Decimal) -> Scored:
        boys = ctx.values.get(self.male)
        if boys is None:
            raise Missing("value", self.male)
        girls = ctx.values.get(self.female)
        if girls is None:
            raise Missing("value", self.female)
        ratio = (boys * HUNDRED / girls).quantize(_SRB_PLACES, ROUND_HALF_UP) if girls else None
        births = boys + girls
        if births == 0:
            return points, None, ("none", ratio, births)
        if births < self.min_births:
            return points, None, ("few", ratio, births)
        lower, upper = clopper_pearson(int(boys), int(births), float(self.confidence))
        low_ratio = _sex_ratio(lower)
        high_ratio = None if upper >= 1.0 else _sex_ratio(upper)
        if low_ratio > self.high:
            side, gap = 1, low_ratio - self.high
        elif high_ratio is not None and high_ratio < self.low:
            side, gap = -1, self.low - high_ratio
        else:
            return points, None, ("ci", ratio, boys, girls, low_ratio, high_ratio, 0, ZERO, ZERO)
        if self.deduct is None:
            deduction = points
        else:
            deduction = _count(gap, self.step, self.partial) * self.deduct
        detail = ("ci", ratio, boys, girls, low_ratio, high_ratio, side, gap, deduction)
        return points - deduction, None, detail

    def shown_value(self, detail: Detail) -> Decimal | None:
        ratio: Decimal | None = detail[1]
        return ratio

    def explain(
        self, lang: str, detail: Detail, value: Decimal, points: Decimal, shown: Decimal
    ) -> str:
        if detail[0] == "none":
            return tr(lang, "srb_none")
        if detail[0] == "few":
            return tr(lang, "srb_few", n=fmt(detail[2]), min=fmt(self.min_births))
        _, _, boys, girls, low_ratio, high_ratio, side, gap, deduction = detail
        text = tr(
            lang,
            "srb_ci",
            m=fmt(boys),
            f=fmt(girls),
            conf=pct(self.confidence),
            lo=fmt(low_ratio),
            hi="∞" if high_ratio is None else fmt(high_ratio),
        )
        if side == 0:
            return text + tr(lang, "srb_overlap", low=fmt(self.low), high=fmt(self.high))
        if side > 0:
            text += tr(lang, "srb_above", high=fmt(self.high), gap=fmt(gap))
        else:
            text += tr(lang, "srb_below", low=fmt(self.low), gap=fmt(gap))
        if self.deduct is None:
            return text
        rate = "srb_rate_above" if side > 0 else "srb_rate_below"
        text += tr(lang, rate, step=fmt(self.step), deduct=fmt(self.deduct))
        text += _partial_note(lang, self.partial, self.step)
        return text + _deduction(lang, points, shown, deduction)


def _sex_ratio(boys_share: float) -> Decimal:
    # Rounded to the 0.01 it is shown with, so the printed gap is the one used.
    ratio = 100.0 * boys_share / (1.0 - boys_share)
    return Decimal(repr(ratio)).quantize(_SRB_PLACES, rounding=ROUND_HALF_UP)


# --- compiling ---------------------------------------------------------------


@dataclass
class Env:
    """What a rule being compiled needs to know about where it sits."""

    checker: Checker
    code: str
    bonus: bool
    has_points: bool
    quantum: Decimal
    needs: Needs
    relatives: list[RelativeSpec]
    key: str | None
    outer: str | None = None
    base: Base | None = None


_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "threshold": ("target", "direction", "else"),
    "band": ("low", "high", "step", "deduct", "partial"),
    "shortfall": ("target", "direction", "step", "deduct", "tolerance", "partial"),
    "ratio": ("target", "direction", "cap"),
    "per_case": ("amount", "double", "cap"),
    "scaled": ("max",),
    "table": ("rows",),
    "excess": ("target", "direction", "step", "add", "cap", "partial"),
    "relative": ("stat", "over", "rule"),
    "progress": ("previous", "direction", "rule"),
    "blend": ("parts", "weights_when"),
    "srb_interval": (
        "male",
        "female",
        "low",
        "high",
        "confidence",
        "step",
        "deduct",
        "min_births",
        "partial",
    ),
}

RULE_TYPES: Final = tuple(_FIELDS)

# What may sit inside what. Deeper nesting would make explanations unreadable
# and, for relative, would need statistics of derived figures.
_INNER: Final[dict[str, tuple[str, ...]]] = {
    "relative": ("threshold", "band", "shortfall", "ratio", "excess"),
    "progress": ("threshold", "band", "shortfall", "ratio", "excess", "scaled", "table"),
    "blend": (
        "threshold",
        "band",
        "shortfall",
        "ratio",
        "per_case",
        "scaled",
        "table",
        "excess",
        "relative",
        "progress",
    ),
}

# Rules whose score is a share of the points need points even as a bonus.
_NEED_POINTS: Final = ("threshold", "band", "shortfall", "ratio", "scaled", "blend", "srb_interval")


def _target(raw: Mapping[str, Any], key: str, path: str, env: Env) -> Target | None:
    checker = env.checker
    where = join(path, key)
    value = raw.get(key)
    base = env.base if env.base is not None else OwnTarget(env.code)
    relative = isinstance(env.base, StatTarget)
    if value is None:
        if relative:
            return Target(None, None, base)
        checker.add(where, "required")
        return None
    if value == "target":
        if not relative:
            env.needs.targets.add(env.code)
        return Target(None, None, base)
    if isinstance(value, Mapping):
        if set(value) != {"of_target"}:
            checker.add(where, "bad_target")
            return None
        fraction = checker.number(value, "of_target", where, gt=0)
        if fraction is None:
            return None
        if not relative:
            env.needs.targets.add(env.code)
        return Target(None, fraction, base)
    number = to_decimal(value)
    if number is None:
        checker.add(where, "bad_target")
        return None
    if relative:
        checker.add(where, "fixed_in_relative")
        return None
    return Target(number, None, base)


def _key(raw: Mapping[str, Any], key: str, path: str, env: Env, *, required: bool) -> str | None:
    name = env.checker.text(raw, key, path, required=required)
    if name is not None:
        env.needs.values.add(name)
    return name


def compile_rule(raw: Any, path: str, env: Env) -> Rule | None:
    """Check one ``rule:`` mapping and build its rule; ``None`` after recording problems."""
    checker = env.checker
    spec = checker.mapping(raw, path)
    if spec is None:
        return None
    kind = spec.get("type")
    if kind is None:
        checker.add(join(path, "type"), "required")
        return None
    if kind not in _FIELDS:
        checker.add(join(path, "type"), "unknown_rule", got=show(kind), known=", ".join(_FIELDS))
        return None
    if env.outer is not None and kind not in _INNER[env.outer]:
        checker.add(join(path, "type"), "nested", outer=env.outer, inner=kind)
        return None
    if env.bonus and not env.has_points and kind in _NEED_POINTS:
        checker.add(join(path, "type"), "bonus_points", type=kind)
        return None
    checker.fields(spec, path, ("type", *_FIELDS[kind]))
    count = len(checker.problems)
    rule = _BUILDERS[kind](spec, path, env)
    return rule if len(checker.problems) == count else None


def _direction(spec: Mapping[str, Any], path: str, env: Env) -> bool:
    return env.checker.choice(spec, "direction", path, DIRECTIONS, "higher") == "higher"


def _partial(spec: Mapping[str, Any], path: str, env: Env) -> str:
    return env.checker.choice(spec, "partial", path, PARTIALS, "proportional")


def _threshold(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    target = _target(spec, "target", path, env)
    higher = _direction(spec, path, env)
    otherwise = env.checker.number(spec, "else", path, default=ZERO, ge=0)
    if target is None or otherwise is None:
        return None
    return Threshold(target, higher, otherwise)


def _band(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    low = _target(spec, "low", path, env)
    high = _target(spec, "high", path, env)
    step = checker.number(spec, "step", path, default=None, gt=0)
    deduct = checker.number(spec, "deduct", path, default=None, ge=0)
    partial = _partial(spec, path, env)
    if (spec.get("step") is None) != (spec.get("deduct") is None):
        checker.add(join(path, "step" if spec.get("step") is None else "deduct"), "step_pair")
        return None
    if low is None or high is None:
        return None
    same_kind = (low.fixed is None) == (high.fixed is None)
    if same_kind:
        if low.fixed is not None and high.fixed is not None and low.fixed > high.fixed:
            checker.add(join(path, "low"), "low_high")
        if low.fixed is None and (low.fraction or ONE) > (high.fraction or ONE):
            checker.add(join(path, "low"), "low_high")
    return Band(low, high, step, deduct, partial, low.derived or high.derived)


def _shortfall(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    target = _target(spec, "target", path, env)
    higher = _direction(spec, path, env)
    step = checker.number(spec, "step", path, gt=0)
    deduct = checker.number(spec, "deduct", path, ge=0)
    tolerance = checker.number(spec, "tolerance", path, default=ZERO, ge=0)
    partial = _partial(spec, path, env)
    if target is None or step is None or deduct is None or tolerance is None:
        return None
    return Shortfall(target, higher, step, deduct, tolerance, partial)


def _ratio(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    target = _target(spec, "target", path, env)
    higher = _direction(spec, path, env)
    # An item can never score above its points, so a cap above 1 would be a
    # promise the engine silently breaks; bonuses are capped on their own.
    cap = env.checker.number(spec, "cap", path, default=ONE, gt=0, le=None if env.bonus else 1)
    if target is None or cap is None:
        return None
    return Ratio(target, higher, cap)


def _per_case(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    amount = checker.number(spec, "amount", path, gt=0)
    cap = checker.number(spec, "cap", path, default=None, gt=0)
    double = None
    if spec.get("double") is not None:
        if env.bonus:
            checker.add(join(path, "double"), "double_in_bonus")
            return None
        double = _key(spec, "double", path, env, required=True)
    if amount is None:
        return None
    return PerCase(amount, double, cap, env.bonus)


def _scaled(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    maximum = env.checker.number(spec, "max", path, gt=0)
    return None if maximum is None else Scaled(maximum)


def _table(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    where = join(path, "rows")
    if spec.get("rows") is None:
        checker.add(where, "required")
        return None
    listed = checker.sequence(spec["rows"], where)
    if listed is None:
        return None
    if not listed:
        checker.add(where, "empty")
        return None
    rows = []
    for index, raw_row in enumerate(listed):
        row_path = at(where, index)
        row = checker.mapping(raw_row, row_path)
        if row is None:
            continue
        checker.fields(row, row_path, ("min", "max", "score", "fraction"))
        low = checker.number(row, "min", row_path, default=None)
        high = checker.number(row, "max", row_path, default=None)
        score = checker.number(row, "score", row_path, default=None, ge=0)
        fraction = checker.number(row, "fraction", row_path, default=None, ge=0, le=1)
        if (row.get("score") is None) == (row.get("fraction") is None):
            checker.add(row_path, "row_one_of")
        if low is not None and high is not None and low >= high:
            checker.add(join(row_path, "min"), "row_min_max")
        rows.append(Row(low, high, score, fraction))
    return Table(tuple(rows))


def _excess(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    target = _target(spec, "target", path, env)
    higher = _direction(spec, path, env)
    step = checker.number(spec, "step", path, gt=0)
    add = checker.number(spec, "add", path, gt=0)
    cap = checker.number(spec, "cap", path, default=None, gt=0)
    partial = _partial(spec, path, env)
    if target is None or step is None or add is None:
        return None
    return Excess(target, higher, step, add, cap, partial)


def _relative(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    stat = checker.choice(spec, "stat", path, STATS, "mean")
    over = checker.choice(spec, "over", path, SCOPES, "all")
    if spec.get("rule") is None:
        checker.add(join(path, "rule"), "required")
        return None
    slot = len(env.relatives)
    inner_env = Env(
        checker,
        env.code,
        env.bonus,
        env.has_points,
        env.quantum,
        env.needs,
        env.relatives,
        env.key,
        outer="relative",
        base=StatTarget(slot, over == "class"),
    )
    # Reserve the slot before compiling the inner rule so that numbering is stable.
    env.relatives.append(RelativeSpec(slot, env.code, env.key or "", stat, over, True))
    inner = compile_rule(spec["rule"], join(path, "rule"), inner_env)
    if inner is None:
        return None
    env.relatives[slot] = RelativeSpec(slot, env.code, env.key or "", stat, over, inner.higher)
    return Relative(stat, over, slot, inner)


def _progress(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    previous = checker.text(spec, "previous", path, required=False) or env.key
    higher = _direction(spec, path, env)
    if spec.get("rule") is None:
        checker.add(join(path, "rule"), "required")
        return None
    if previous is None:
        checker.add(join(path, "previous"), "required")
        return None
    env.needs.previous.add(previous)
    inner_env = Env(
        checker,
        env.code,
        env.bonus,
        env.has_points,
        env.quantum,
        env.needs,
        env.relatives,
        env.key,
        outer="progress",
        base=env.base,
    )
    inner = compile_rule(spec["rule"], join(path, "rule"), inner_env)
    return None if inner is None else Progress(previous, higher, inner)


def _weights(raw: Any, path: str, count: int, checker: Checker) -> tuple[Decimal, ...] | None:
    listed = checker.sequence(raw, path)
    if listed is None:
        return None
    if len(listed) != count:
        checker.add(path, "weights_len", n=count)
        return None
    weights = []
    for index, value in enumerate(listed):
        weight = to_decimal(value)
        if weight is None:
            checker.add(at(path, index), "not_number", got=show(value))
            return None
        if weight < 0:
            checker.add(at(path, index), "ge", n=0)
            return None
        weights.append(weight)
    total = sum(weights, ZERO)
    if total != ONE:
        checker.add(path, "weights_sum", total=fmt(total))
        return None
    return tuple(weights)


def _blend(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    where = join(path, "parts")
    if spec.get("parts") is None:
        checker.add(where, "required")
        return None
    listed = checker.sequence(spec["parts"], where)
    if listed is None:
        return None
    if not listed:
        checker.add(where, "empty")
        return None
    parts: list[BlendPart | None] = []
    for index, raw_part in enumerate(listed):
        part_path = at(where, index)
        part = checker.mapping(raw_part, part_path)
        if part is None:
            parts.append(None)
            continue
        checker.fields(part, part_path, ("rule", "weight", "value"))
        key = _key(part, "value", part_path, env, required=False)
        weight = checker.number(part, "weight", part_path, ge=0, le=1)
        if part.get("rule") is None:
            checker.add(join(part_path, "rule"), "required")
            parts.append(None)
            continue
        inner_env = Env(
            checker,
            env.code,
            env.bonus,
            env.has_points,
            env.quantum,
            env.needs,
            env.relatives,
            key or env.key,
            outer="blend",
            base=env.base,
        )
        rule = compile_rule(part["rule"], join(part_path, "rule"), inner_env)
        if rule is None or weight is None:
            parts.append(None)
            continue
        parts.append(BlendPart(rule, weight, key))
    built = tuple(part for part in parts if part is not None)
    if len(built) == len(parts):
        total = sum((part.weight for part in built), ZERO)
        if total != ONE:
            checker.add(where, "weights_sum", total=fmt(total))
    choices: list[tuple[Condition, tuple[Decimal, ...]]] = []
    if spec.get("weights_when") is not None:
        when_path = join(path, "weights_when")
        cases = checker.sequence(spec["weights_when"], when_path)
        for index, raw_case in enumerate(cases or ()):
            case_path = at(when_path, index)
            case = checker.mapping(raw_case, case_path)
            if case is None:
                continue
            checker.fields(case, case_path, ("when", "weights"))
            condition = None
            if case.get("when") is None:
                checker.add(join(case_path, "when"), "required")
            else:
                condition = parse_condition(
                    case["when"], join(case_path, "when"), checker, allow_total=False
                )
            if condition is not None:
                env.needs.values.update(condition.names())
            if case.get("weights") is None:
                checker.add(join(case_path, "weights"), "required")
                continue
            weights = _weights(case["weights"], join(case_path, "weights"), len(listed), checker)
            if condition is not None and weights is not None:
                choices.append((condition, weights))
    if len(built) != len(parts):
        return None
    return Blend(built, tuple(choices), env.quantum)


def _srb_interval(spec: Mapping[str, Any], path: str, env: Env) -> Rule | None:
    checker = env.checker
    male = _key(spec, "male", path, env, required=True)
    female = _key(spec, "female", path, env, required=True)
    low = checker.number(spec, "low", path, default=Decimal(103), gt=0)
    high = checker.number(spec, "high", path, default=Decimal(107), gt=0)
    confidence = checker.number(spec, "confidence", path, default=Decimal("0.95"), gt=0, lt=1)
    step = checker.number(spec, "step", path, default=ONE, gt=0)
    deduct = checker.number(spec, "deduct", path, default=None, ge=0)
    min_births = checker.number(spec, "min_births", path, default=ZERO, ge=0)
    partial = _partial(spec, path, env)
    if male is not None:
        env.needs.whole.add(male)
    if female is not None:
        env.needs.whole.add(female)
    if low is not None and high is not None and low > high:
        checker.add(join(path, "low"), "low_high")
        return None
    if (
        male is None
        or female is None
        or low is None
        or high is None
        or confidence is None
        or step is None
        or min_births is None
    ):
        return None
    return SrbInterval(male, female, low, high, confidence, step, deduct, min_births, partial)


_BUILDERS: Final[dict[str, Callable[[Mapping[str, Any], str, Env], Rule | None]]] = {
    "threshold": _threshold,
    "band": _band,
    "shortfall": _shortfall,
    "ratio": _ratio,
    "per_case": _per_case,
    "scaled": _scaled,
    "table": _table,
    "excess": _excess,
    "relative": _relative,
    "progress": _progress,
    "blend": _blend,
    "srb_interval": _srb_interval,
}
