"""Scoring every unit: items, totals, bonuses, vetoes, grades and ranks.

The scheme is turned, once per class, into a flat plan of items with their
class overrides applied, so the loop over a province's units does nothing but
look up figures and call the compiled rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Any, Final

from .conditions import Condition
from .errors import UnitsError
from .results import ItemResult, Results, UnitResult, paused_collector
from .rules import ONE, UNBOUNDED, ZERO, Ctx, Missing, Rule, ScoreFn
from .scheme import Grade, Scheme
from .text import check_lang, fmt, tr
from .units import Prepared, Unit, prepare_units

__all__ = ["score_units"]

# Enough digits that a mean or a rescaling never rounds before the final
# ROUND_HALF_UP, whatever decimal context the caller has set.
ARITHMETIC: Final = Context(prec=28, rounding=ROUND_HALF_EVEN)

_SKIPPED: Final = ("skip",)
_ZEROED: Final = ("zero",)
_TWO: Final = Decimal(2)


@dataclass(frozen=True, slots=True)
class ItemPlan:
    """One item as it applies to one class."""

    code: str
    name: str
    points: Decimal
    key: str | None
    rule: Rule
    zero_if: Condition | None
    multiplier: str | None
    part: int
    skipped: bool
    class_name: str
    quantum: Decimal

    def explain(self, item: ItemResult) -> str:
        lang, why = item.lang, item.why
        if why[0] == "skip":
            return tr(lang, "skipped", cls=self.class_name)
        if why[0] == "miss":
            return _missing_text(lang, why[1], why[2], self.key)
        value = item.value
        head = self.name if value is None else tr(lang, "head", name=self.name, value=fmt(value))
        if why[0] == "zero":
            assert self.zero_if is not None
            return head + tr(lang, "sep") + tr(lang, "zeroed", cond=self.zero_if.text(lang))
        _, given, raw, detail, factor = why
        shown = max(ZERO, min(raw, self.points)).quantize(self.quantum, ROUND_HALF_UP)
        said = self.rule.explain(lang, detail, given, self.points, shown)
        text = head + tr(lang, "sep") + said + tr(lang, "tail_score", score=fmt(shown))
        if factor is None or factor == 1:
            return text
        product = shown * factor
        if product > self.points:
            return text + tr(
                lang,
                "multiplied_capped",
                key=self.multiplier,
                m=fmt(factor),
                raw=fmt(product),
                points=fmt(self.points),
            )
        score = item.score if item.score is not None else ZERO
        return text + tr(lang, "multiplied", key=self.multiplier, m=fmt(factor), score=fmt(score))


@dataclass(frozen=True, slots=True)
class BonusPlan:
    code: str
    name: str
    points: Decimal | None
    cap: Decimal | None
    key: str
    rule: Rule

    def explain(self, item: ItemResult) -> str:
        lang, why = item.lang, item.why
        if why[0] == "miss":
            return _missing_text(lang, why[1], why[2], self.key)
        _, detail, before_cap, capped = why
        value = item.value if item.value is not None else ZERO
        head = tr(lang, "head", name=self.name, value=fmt(value))
        points = self.points if self.points is not None else self.cap or UNBOUNDED
        said = self.rule.explain(lang, detail, value, points, before_cap)
        text = head + tr(lang, "sep") + said
        if capped and self.cap is not None:
            text += tr(lang, "bonus_capped", cap=fmt(self.cap))
        score = item.score if item.score is not None else ZERO
        return text + tr(lang, "tail_bonus", score=fmt(score))


def _missing_text(lang: str, kind: str, key: str, own_key: str | None) -> str:
    if kind == "target":
        return tr(lang, "missing_target")
    if kind == "peers":
        return tr(lang, "no_peers")
    if kind == "value" and key == own_key:
        return tr(lang, "missing")
    return tr(lang, "missing_key", key=f"previous.{key}" if kind == "previous" else key)


# What the scoring loop unpacks for each item (points, value key, rule, zero_if,
# multiplier, skipped): a tuple is unpacked faster than attributes are read, and
# per item that difference is most of the loop's own cost.
Row = tuple[Decimal, str, ScoreFn, Condition | None, str | None, bool]


@dataclass(frozen=True, slots=True)
class ClassPlan:
    items: tuple[ItemPlan, ...]
    rows: tuple[Row, ...]
    parts: tuple[int, ...]
    bonuses: tuple[BonusPlan, ...]
    skipped: frozenset[str]
    # Per part (a single entry when the scheme has no parts): weight, full points and
    # the points actually assessed, which depend only on the class. Items zeroed or
    # not reported still count as assessed: they were assessed and earned nothing.
    weights: tuple[Decimal, ...]
    full: tuple[Decimal, ...]
    assessed: tuple[Decimal, ...]
    scale: Decimal
    grades: tuple[Grade, ...]
    quantum: Decimal


def _plan(scheme: Scheme, klass: str | None) -> ClassPlan:
    cached: ClassPlan | None = scheme.cache.get(klass)
    if cached is not None:
        return cached
    part_index = {part.code: index for index, part in enumerate(scheme.parts)}
    class_name = scheme.class_name(klass)
    items = []
    for item in scheme.items:
        variant = item.for_class(klass)
        items.append(
            ItemPlan(
                code=item.code,
                name=variant.name,
                points=variant.points,
                key=variant.value,
                rule=variant.rule,
                zero_if=variant.zero_if,
                multiplier=variant.multiplier,
                part=part_index.get(item.part or "", 0),
                skipped=klass is not None and klass in item.skip_classes,
                class_name=class_name,
                quantum=scheme.quantum,
            )
        )
    bonuses = tuple(
        BonusPlan(bonus.code, bonus.name, bonus.points, bonus.cap, bonus.value, bonus.rule)
        for bonus in scheme.bonuses
    )
    weights = tuple(part.weight for part in scheme.parts) or (ONE,)
    full = tuple(
        sum((plan.points for plan in items if plan.part == index), ZERO)
        for index in range(len(weights))
    )
    assessed = tuple(
        sum((plan.points for plan in items if plan.part == index and not plan.skipped), ZERO)
        for index in range(len(weights))
    )
    # Parts share one scale unless the scheme states its total (load_scheme checks).
    scale = scheme.points if scheme.points is not None else full[0]
    rows = tuple(
        # "" for a rule that reads its own figures: no unit has a figure named "".
        (plan.points, plan.key or "", plan.rule.score, plan.zero_if, plan.multiplier, plan.skipped)
        for plan in items
    )
    plan = ClassPlan(
        items=tuple(items),
        rows=rows,
        parts=tuple(plan.part for plan in items),
        bonuses=bonuses,
        skipped=frozenset(plan.code for plan in items if plan.skipped),
        weights=weights,
        full=full,
        assessed=assessed,
        scale=scale,
        grades=scheme.grades_for(klass),
        quantum=scheme.quantum,
    )
    scheme.cache[klass] = plan
    return plan


def _statistic(kind: str, higher: bool, values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    if kind == "mean":
        return sum(values, ZERO) / len(values)
    if kind == "median":
        ordered = sorted(values)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return ordered[middle]
        return (ordered[middle - 1] + ordered[middle]) / _TWO
    best = max(values) if higher else min(values)
    worst = min(values) if higher else max(values)
    return best if kind == "best" else worst


def _statistics(scheme: Scheme, units: Sequence[Prepared]) -> dict[int, dict[str | None, Decimal]]:
    stats: dict[int, dict[str | None, Decimal]] = {}
    for spec in scheme.relatives:
        everyone: list[Decimal] = []
        by_class: dict[str | None, list[Decimal]] = {}
        for unit in units:
            if spec.item in _plan(scheme, unit.plan_class).skipped:
                continue
            value = unit.values.get(spec.key)
            if value is None:
                continue
            everyone.append(value)
            by_class.setdefault(unit.plan_class, []).append(value)
        found: dict[str | None, Decimal] = {}
        if spec.over == "class":
            for klass, values in by_class.items():
                stat = _statistic(spec.stat, spec.higher, values)
                if stat is not None:
                    found[klass] = stat
        else:
            stat = _statistic(spec.stat, spec.higher, everyone)
            if stat is not None:
                found[None] = stat
        stats[spec.slot] = found
    return stats


class _Log:
    """Gaps in the data: warnings normally, errors with ``strict``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entries: list[tuple[str, str, str, str, str]] = []

    def missing(self, unit: Prepared, kind: str, key: str, item: str) -> None:
        self.entries.append((unit.label, kind, key, item, ""))

    def condition(self, unit: Prepared, condition: Condition, keys: Iterable[str]) -> None:
        for key in keys:
            self.entries.append((unit.label, "condition", key, "", condition.text(self.lang)))

    def warnings(self) -> list[str]:
        lines = []
        for label, kind, key, item, cond in self.entries:
            if kind == "target":
                lines.append(tr(self.lang, "warn_no_target", unit=label, item=item))
            elif kind == "peers":
                lines.append(tr(self.lang, "warn_no_peers", unit=label, item=item))
            elif kind == "condition":
                lines.append(tr(self.lang, "warn_condition", unit=label, key=key, cond=cond))
            elif kind == "multiplier":
                lines.append(tr(self.lang, "warn_multiplier", unit=label, key=key))
            else:
                shown = f"previous.{key}" if kind == "previous" else key
                lines.append(tr(self.lang, "warn_missing", unit=label, key=shown, item=item))
        return lines

    def errors(self) -> UnitsError:
        problems = []
        for label, kind, key, item, _ in self.entries:
            if kind == "target":
                problems.append((label, f"target.{key}", tr(self.lang, "unit_no_target")))
            elif kind == "peers":
                problems.append((label, item, tr(self.lang, "no_peers")))
            else:
                shown = f"previous.{key}" if kind == "previous" else key
                problems.append((label, shown, tr(self.lang, "unit_missing")))
        return UnitsError(problems)


def score_units(
    scheme: Scheme,
    units: Iterable[Mapping[str, Any] | Unit] | Mapping[str, Any],
    *,
    lang: str = "zh",
    strict: bool = False,
) -> Results:
    """Score every unit under the scheme.

    ``units`` are mappings in the documented JSON shape (or the whole
    ``{"units": [...]}`` document) or ``Unit`` dataclasses. Raises UnitsError
    for units that cannot be read, and with ``strict`` for any missing figure.
    """
    check_lang(lang)
    with paused_collector():
        with localcontext(ARITHMETIC):
            prepared = prepare_units(scheme, units, lang)
            stats = _statistics(scheme, prepared)
            log = _Log(lang)
            scored = [_score_unit(scheme, unit, stats, log, lang) for unit in prepared]
        if strict and log.entries:
            raise log.errors()
        _rank(scored, [unit.plan_class for unit in prepared], scheme.rank_within_class)
        columns = [(item.code, item.name) for item in scheme.items]
        columns += [(bonus.code, bonus.name) for bonus in scheme.bonuses]
        return Results(scheme.code, scored, log.warnings(), lang, columns)


def _score_unit(
    scheme: Scheme,
    unit: Prepared,
    stats: Mapping[int, Mapping[str | None, Decimal]],
    log: _Log,
    lang: str,
) -> UnitResult:
    plan = _plan(scheme, unit.plan_class)
    quantum = plan.quantum
    values = unit.values
    get = values.get
    ctx = Ctx(values, unit.targets, unit.previous, unit.plan_class, stats)
    # Only the scores are kept. Figures, targets and explanations are worked out
    # again, by the same pure rules, when somebody reads the items: a province
    # has a million item scores and building an object for each costs more than
    # scoring them.
    scores: list[Decimal | None] = []
    add = scores.append
    marks: dict[int, tuple[Any, ...]] = {}
    zero, half_up = ZERO, ROUND_HALF_UP  # locals are read faster than globals

    for points, key, score_with, zero_if, multiplier, skipped in plan.rows:
        if skipped:
            add(None)
            continue
        if zero_if is not None and ctx.holds(zero_if):
            marks[len(scores)] = _ZEROED
            add(ZERO)
            continue
        value = get(key)
        if value is None:
            if key:
                marks[len(scores)] = ("miss", "value", key)
                log.missing(unit, "value", key, plan.items[len(scores)].name)
                add(ZERO)
                continue
            value = ZERO  # a rule that reads its own figures, such as the births
        try:
            raw = score_with(ctx, value, points)[0]
        except Missing as gap:
            marks[len(scores)] = ("miss", gap.kind, gap.key)
            log.missing(unit, gap.kind, gap.key, plan.items[len(scores)].name)
            add(ZERO)
            continue
        if raw < zero:
            raw = zero
        elif raw > points:
            raw = points
        score = raw.quantize(quantum, half_up)
        if multiplier is not None:
            factor = get(multiplier)
            if factor is None:
                log.missing(unit, "multiplier", multiplier, plan.items[len(scores)].name)
            else:
                # The rounded rule score is multiplied, as a cadre would on paper.
                product = score * factor
                score = max(ZERO, min(points, product)).quantize(quantum, ROUND_HALF_UP)
        add(score)

    # Zeros and skipped items add nothing, so filter(None, …) may drop them.
    raw_total = sum(filter(None, scores), ZERO)
    if len(plan.weights) > 1:
        part_raw = [ZERO] * len(plan.weights)
        for part, earned in zip(plan.parts, scores, strict=True):
            if earned:
                part_raw[part] += earned
    else:
        part_raw = [raw_total]
    items_total = _items_total(scheme, plan, raw_total, part_raw, quantum)
    bonuses, bonus = _bonuses(scheme, plan, unit, ctx, log, lang, quantum)
    total = items_total + bonus

    vetoes: list[str] = []
    ceiling_code = None
    grade = _grade(plan.grades, total)
    if scheme.vetoes or scheme.ceilings:
        scope = dict(values)
        scope["total"] = total
        for veto in scheme.vetoes:
            if _holds(veto.when, scope, unit, log):
                vetoes.append(veto.code)
        names = [each.name for each in plan.grades]
        worst = -1
        for ceiling in scheme.ceilings:
            if _holds(ceiling.when, scope, unit, log):
                allowed = names.index(ceiling.max_grade)
                if allowed > worst:
                    worst, ceiling_code = allowed, ceiling.code
        if worst >= 0 and names.index(grade) < worst:
            grade = names[worst]
        if vetoes:
            grade = scheme.veto_grade or names[-1]
    for condition, keys in ctx.gaps:
        log.condition(unit, condition, keys)

    return UnitResult(
        code=unit.code,
        name=unit.name,
        class_code=unit.class_code,
        bonuses=bonuses,
        bonus=bonus,
        raw_total=raw_total,
        total=total,
        grade=grade,
        vetoes=vetoes,
        ceiling=ceiling_code,
        lazy_items=_Items(plan, ctx, scores, marks, lang),
    )


class _Items:
    """Builds a unit's ItemResult list from its scores, re-reading the figures."""

    __slots__ = ("ctx", "lang", "marks", "plan", "scores")

    def __init__(
        self,
        plan: ClassPlan,
        ctx: Ctx,
        scores: list[Decimal | None],
        marks: dict[int, tuple[Any, ...]],
        lang: str,
    ) -> None:
        self.plan = plan
        self.ctx = ctx
        self.scores = scores
        self.marks = marks
        self.lang = lang

    def __call__(self) -> list[ItemResult]:
        unit = self.ctx
        built = []
        with localcontext(ARITHMETIC):
            for index, (item, score) in enumerate(zip(self.plan.items, self.scores, strict=True)):
                why = _SKIPPED if item.skipped else self.marks.get(index)
                value = unit.values.get(item.key) if item.key is not None else None
                target = None
                if why is None:
                    # A fresh context, so conditions judged again leave no second trace.
                    ctx = Ctx(unit.values, unit.targets, unit.previous, unit.klass, unit.stats)
                    given = value if value is not None else ZERO
                    raw, target, detail = item.rule.score(ctx, given, item.points)
                    if item.key is None:
                        value = item.rule.shown_value(detail)
                    factor = unit.values.get(item.multiplier) if item.multiplier else None
                    why = ("rule", given, raw, detail, factor)
                elif why[0] == "skip":
                    value = None
                built.append(
                    ItemResult(
                        item.code, item.points, value, target, score, item.skipped, why, item,
                        self.lang,
                    )
                )  # fmt: skip
        return built


def _holds(condition: Condition, scope: Mapping[str, Decimal], unit: Prepared, log: _Log) -> bool:
    missing: list[str] = []
    result = condition.holds(scope, missing)
    if missing:
        log.condition(unit, condition, missing)
    return result


def _items_total(
    scheme: Scheme,
    plan: ClassPlan,
    raw_total: Decimal,
    part_raw: Sequence[Decimal],
    quantum: Decimal,
) -> Decimal:
    rescale = scheme.rescale_skipped
    if not scheme.parts:
        base = plan.assessed[0] if rescale else plan.full[0]
        if base == plan.scale:
            return raw_total
        if base == 0:
            return ZERO
        return (raw_total * plan.scale / base).quantize(quantum, ROUND_HALF_UP)
    # Each part counts as the share of its own points that the unit earned.
    share = ZERO
    weight_used = ZERO
    for index, weight in enumerate(plan.weights):
        base = plan.assessed[index] if rescale else plan.full[index]
        if base == 0:
            continue
        share += weight * part_raw[index] / base
        weight_used += weight
    if weight_used == 0:
        return ZERO
    if rescale and weight_used != ONE:
        # A part with nothing assessed hands its weight to the others.
        share /= weight_used
    return (plan.scale * share).quantize(quantum, ROUND_HALF_UP)


def _bonuses(
    scheme: Scheme,
    plan: ClassPlan,
    unit: Prepared,
    ctx: Ctx,
    log: _Log,
    lang: str,
    quantum: Decimal,
) -> tuple[list[ItemResult], Decimal]:
    results: list[ItemResult] = []
    total = ZERO
    for bonus in plan.bonuses:
        shown_points = bonus.cap if bonus.cap is not None else bonus.points
        value = unit.values.get(bonus.key)
        if value is None:
            log.missing(unit, "value", bonus.key, bonus.name)
            why: tuple[Any, ...] = ("miss", "value", bonus.key)
            results.append(
                ItemResult(bonus.code, shown_points, None, None, ZERO, False, why, bonus, lang)
            )
            continue
        points = bonus.points if bonus.points is not None else bonus.cap or UNBOUNDED
        try:
            raw, target, detail = bonus.rule.score(ctx, value, points)
        except Missing as gap:
            log.missing(unit, gap.kind, gap.key, bonus.name)
            why = ("miss", gap.kind, gap.key)
            results.append(
                ItemResult(bonus.code, shown_points, value, None, ZERO, False, why, bonus, lang)
            )
            continue
        raw = max(ZERO, raw)
        before_cap = raw.quantize(quantum, ROUND_HALF_UP)
        capped = bonus.cap is not None and raw > bonus.cap
        if capped and bonus.cap is not None:
            raw = bonus.cap
        if bonus.points is not None and raw > bonus.points:
            raw = bonus.points
        score = raw.quantize(quantum, ROUND_HALF_UP)
        why = ("rule", detail, before_cap, capped)
        results.append(
            ItemResult(bonus.code, shown_points, value, target, score, False, why, bonus, lang)
        )
        total += score
    return results, total


def _grade(grades: Sequence[Grade], total: Decimal) -> str:
    for grade in grades:
        if grade.min is None or total >= grade.min:
            return grade.name
    return grades[-1].name


def _rank(results: list[UnitResult], classes: list[str | None], within_class: bool) -> None:
    """Standard competition ranking (1, 2, 2, 4); vetoed units after all others."""

    def ranks(members: list[UnitResult]) -> list[int]:
        keys = [(bool(unit.vetoes), -unit.total) for unit in members]
        first: dict[tuple[bool, Decimal], int] = {}
        for position, key in enumerate(sorted(keys), start=1):
            first.setdefault(key, position)
        return [first[key] for key in keys]

    for unit, rank in zip(results, ranks(results), strict=True):
        unit.rank = rank
    if not within_class:
        return
    groups: dict[str | None, list[UnitResult]] = {}
    for unit, klass in zip(results, classes, strict=True):
        groups.setdefault(klass if klass is not None else unit.class_code, []).append(unit)
    for members in groups.values():
        for unit, rank in zip(members, ranks(members), strict=True):
            unit.class_rank = rank
