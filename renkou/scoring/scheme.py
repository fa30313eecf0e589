"""The scheme: what is assessed, how each figure turns into points, and grades.

``load_scheme`` reads YAML, JSON or an already-parsed mapping, checks all of
it and reports every problem as ``path: message`` in a single SchemeError,
so that nothing is ever scored with a half-valid scheme.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from os import PathLike
from pathlib import Path
from typing import Any, Final

import yaml

from .check import Checker, at, join, show
from .conditions import Condition, parse_condition
from .errors import SchemeError
from .rules import ONE, ZERO, Env, Needs, RelativeSpec, Rule, compile_rule
from .text import check_lang, fmt, tr

__all__ = [
    "Bonus",
    "Ceiling",
    "ClassDef",
    "Grade",
    "Item",
    "Part",
    "Scheme",
    "Veto",
    "load_scheme",
]

KINDS: Final = ("outcome", "process")
MEASURES: Final = ("quantitative", "qualitative")

_TOP: Final = (
    "code",
    "name",
    "precision",
    "points",
    "classes",
    "parts",
    "items",
    "bonuses",
    "vetoes",
    "ceilings",
    "grades",
    "grades_by_class",
    "veto_grade",
    "rescale_skipped",
    "ranking",
    "note",
)
_ITEM: Final = (
    "code",
    "name",
    "part",
    "points",
    "kind",
    "measure",
    "value",
    "rule",
    "by_class",
    "skip_classes",
    "zero_if",
    "multiplier",
    "note",
)
_OVERRIDABLE: Final = (
    "name",
    "points",
    "kind",
    "measure",
    "value",
    "rule",
    "zero_if",
    "multiplier",
    "note",
)
_BONUS: Final = ("code", "name", "value", "rule", "cap", "points", "note")


@dataclass(frozen=True)
class ClassDef:
    code: str
    name: str


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    weight: Decimal


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    part: str | None
    points: Decimal
    kind: str
    measure: str
    value: str | None
    rule: Rule
    zero_if: Condition | None = None
    multiplier: str | None = None
    skip_classes: frozenset[str] = frozenset()
    # Each class's own version of the item, with its overrides already applied.
    by_class: Mapping[str, Item] = field(default_factory=dict)
    note: str | None = None

    def for_class(self, klass: str | None) -> Item:
        if klass is None:
            return self
        return self.by_class.get(klass, self)


@dataclass(frozen=True)
class Bonus:
    code: str
    name: str
    value: str
    rule: Rule
    cap: Decimal | None
    points: Decimal | None
    note: str | None = None


@dataclass(frozen=True)
class Veto:
    code: str
    name: str
    when: Condition


@dataclass(frozen=True)
class Ceiling:
    code: str
    name: str
    when: Condition
    max_grade: str


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal | None


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    precision: int
    classes: tuple[ClassDef, ...]
    parts: tuple[Part, ...]
    items: tuple[Item, ...]
    bonuses: tuple[Bonus, ...]
    vetoes: tuple[Veto, ...]
    ceilings: tuple[Ceiling, ...]
    grades: tuple[Grade, ...]
    grades_by_class: Mapping[str, tuple[Grade, ...]]
    veto_grade: str | None
    rescale_skipped: bool
    rank_within_class: bool
    points: Decimal | None = None
    needs: Needs = field(default_factory=Needs, repr=False, compare=False)
    relatives: tuple[RelativeSpec, ...] = field(default=(), repr=False, compare=False)
    # Compiled per-class scoring plans, filled in by the engine on first use.
    cache: dict[str | None, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def quantum(self) -> Decimal:
        return ONE.scaleb(-self.precision)

    def grades_for(self, klass: str | None) -> tuple[Grade, ...]:
        if klass is None:
            return self.grades
        return self.grades_by_class.get(klass, self.grades)

    def class_name(self, klass: str | None) -> str:
        for defined in self.classes:
            if defined.code == klass:
                return defined.name
        return klass or ""

    def full_points(self, klass: str | None) -> Decimal:
        """Points of every item for the class, whether assessed or not."""
        return sum((item.for_class(klass).points for item in self.items), ZERO)


def load_scheme(source: str | PathLike[str] | Mapping[str, Any], *, lang: str = "zh") -> Scheme:
    """Read and check a scheme from a YAML/JSON file or a parsed mapping.

    Raises SchemeError listing every problem found, each as (path, message).
    """
    check_lang(lang)
    if isinstance(source, Mapping):
        return _build(source, lang)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        message = tr(lang, "bad_extension", ext=suffix or "''", known=".yaml, .yml, .json")
        raise SchemeError([(str(path), message)], source=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        message = tr(lang, "cannot_read", error=error)
        raise SchemeError([(str(path), message)], source=str(path)) from error
    try:
        raw = json.loads(text, parse_float=Decimal) if suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        message = tr(lang, "bad_syntax", error=" ".join(str(error).split()))
        raise SchemeError([(str(path), message)], source=str(path)) from error
    try:
        return _build(raw, lang)
    except SchemeError as error:
        raise SchemeError(error.problems, source=str(path)) from None


class _Codes:
    """Remembers where each code was first defined, to point at duplicates."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.seen: dict[str, str] = {}

    def claim(self, code: str | None, path: str) -> None:
        if code is None:
            return
        if code in self.seen:
            self.checker.add(join(path, "code"), "duplicate", code=code, other=self.seen[code])
        else:
            self.seen[code] = path


def _entries(raw: Mapping[str, Any], key: str, checker: Checker) -> list[tuple[str, Any]]:
    value = raw.get(key)
    if value is None:
        return []
    listed = checker.sequence(value, key)
    if listed is None:
        return []
    entries = []
    for index, entry in enumerate(listed):
        path = at(key, index)
        if checker.mapping(entry, path) is not None:
            entries.append((path, entry))
    return entries


def _build(raw: Any, lang: str) -> Scheme:
    checker = Checker(lang)
    top = checker.mapping(raw, "")
    if top is None:
        raise SchemeError(checker.problems)
    checker.fields(top, "", _TOP)
    code = checker.text(top, "code", "")
    name = checker.text(top, "name", "")
    precision = checker.integer(top, "precision", "", default=2, ge=0, le=6)
    quantum = ONE.scaleb(-precision)
    points = checker.number(top, "points", "", default=None, gt=0)
    rescale = checker.boolean(top, "rescale_skipped", "", default=True)
    within_class = False
    if top.get("ranking") is not None:
        ranking = checker.mapping(top["ranking"], "ranking")
        if ranking is not None:
            checker.fields(ranking, "ranking", ("within_class",))
            within_class = checker.boolean(ranking, "within_class", "ranking", default=False)

    classes = _classes(top, checker)
    class_codes = [defined.code for defined in classes]
    parts = _parts(top, checker)
    grades = _grades(top.get("grades"), "grades", checker, required=True)
    grades_by_class = _grades_by_class(top, class_codes, checker)
    grade_lists = [grades, *grades_by_class.values()]

    needs = Needs()
    relatives: list[RelativeSpec] = []
    codes = _Codes(checker)
    items = []
    for path, entry in _entries(top, "items", checker):
        item = _item(entry, path, checker, codes, class_codes, parts, quantum, needs, relatives)
        if item is not None:
            items.append(item)
    if top.get("items") is None:
        checker.add("items", "required")
    elif not top["items"]:
        checker.add("items", "empty")
    bonuses = []
    for path, entry in _entries(top, "bonuses", checker):
        bonus = _bonus(entry, path, checker, codes, quantum, needs, relatives)
        if bonus is not None:
            bonuses.append(bonus)

    vetoes = []
    veto_codes = _Codes(checker)
    for path, entry in _entries(top, "vetoes", checker):
        checker.fields(entry, path, ("code", "name", "when", "note"))
        veto_code = checker.text(entry, "code", path)
        veto_codes.claim(veto_code, path)
        veto_name = checker.text(entry, "name", path, required=False) or veto_code or ""
        when = _condition(entry, path, checker, needs)
        if veto_code is not None and when is not None:
            vetoes.append(Veto(veto_code, veto_name, when))

    ceilings = []
    ceiling_codes = _Codes(checker)
    for path, entry in _entries(top, "ceilings", checker):
        checker.fields(entry, path, ("code", "name", "when", "max_grade", "note"))
        ceiling_code = checker.text(entry, "code", path)
        ceiling_codes.claim(ceiling_code, path)
        ceiling_name = checker.text(entry, "name", path, required=False) or ceiling_code or ""
        when = _condition(entry, path, checker, needs)
        max_grade = checker.text(entry, "max_grade", path)
        if max_grade is not None:
            _known_grade(max_grade, join(path, "max_grade"), grade_lists, checker)
        if ceiling_code is not None and when is not None and max_grade is not None:
            ceilings.append(Ceiling(ceiling_code, ceiling_name, when, max_grade))

    veto_grade = checker.text(top, "veto_grade", "", required=False)
    if veto_grade is not None:
        _known_grade(veto_grade, "veto_grade", grade_lists, checker)

    raw_items = top.get("items")
    listed_items: Sequence[Any] = raw_items if isinstance(raw_items, list | tuple) else ()
    used_parts = {entry.get("part") for entry in listed_items if isinstance(entry, Mapping)}
    _check_parts(parts, items, used_parts, class_codes, points, checker)

    if checker.problems:
        raise SchemeError(checker.problems)
    assert code is not None and name is not None  # both were checked as required
    return Scheme(
        code=code,
        name=name,
        precision=precision,
        classes=tuple(classes),
        parts=tuple(parts),
        items=tuple(items),
        bonuses=tuple(bonuses),
        vetoes=tuple(vetoes),
        ceilings=tuple(ceilings),
        grades=grades,
        grades_by_class=grades_by_class,
        veto_grade=veto_grade,
        rescale_skipped=rescale,
        rank_within_class=within_class,
        points=points,
        needs=needs,
        relatives=tuple(relatives),
    )


def _classes(top: Mapping[str, Any], checker: Checker) -> list[ClassDef]:
    classes = []
    codes = _Codes(checker)
    for path, entry in _entries(top, "classes", checker):
        checker.fields(entry, path, ("code", "name", "note"))
        code = checker.text(entry, "code", path)
        codes.claim(code, path)
        name = checker.text(entry, "name", path, required=False)
        if code is not None:
            classes.append(ClassDef(code, name or code))
    return classes


def _parts(top: Mapping[str, Any], checker: Checker) -> list[Part]:
    parts = []
    codes = _Codes(checker)
    complete = True
    for path, entry in _entries(top, "parts", checker):
        checker.fields(entry, path, ("code", "name", "weight", "note"))
        code = checker.text(entry, "code", path)
        codes.claim(code, path)
        name = checker.text(entry, "name", path, required=False)
        weight = checker.number(entry, "weight", path, gt=0, le=1)
        if code is None or weight is None:
            complete = False
            continue
        parts.append(Part(code, name or code, weight))
    if parts and complete:
        total = sum((part.weight for part in parts), ZERO)
        if total != ONE:
            checker.add("parts", "weights_sum", total=fmt(total))
    return parts


def _grades(raw: Any, path: str, checker: Checker, *, required: bool) -> tuple[Grade, ...]:
    if raw is None:
        if required:
            checker.add(path, "required")
        return ()
    listed = checker.sequence(raw, path)
    if listed is None:
        return ()
    if not listed:
        checker.add(path, "empty")
        return ()
    grades = []
    names: dict[str, str] = {}
    previous: Decimal | None = None
    for index, entry in enumerate(listed):
        where = at(path, index)
        grade = checker.mapping(entry, where)
        if grade is None:
            continue
        checker.fields(grade, where, ("name", "min", "note"))
        name = checker.text(grade, "name", where)
        if name is not None:
            if name in names:
                checker.add(join(where, "name"), "duplicate", code=name, other=names[name])
            names.setdefault(name, where)
        last = index == len(listed) - 1
        if last:
            if grade.get("min") is not None:
                checker.add(join(where, "min"), "grade_last_min")
            minimum = None
        else:
            minimum = checker.number(grade, "min", where)
            if minimum is not None and previous is not None and minimum >= previous:
                checker.add(join(where, "min"), "grade_order", prev=fmt(previous))
            if minimum is not None:
                previous = minimum
        if name is not None:
            grades.append(Grade(name, minimum))
    return tuple(grades)


def _grades_by_class(
    top: Mapping[str, Any], class_codes: Sequence[str], checker: Checker
) -> dict[str, tuple[Grade, ...]]:
    raw = top.get("grades_by_class")
    if raw is None:
        return {}
    table = checker.mapping(raw, "grades_by_class")
    if table is None:
        return {}
    result = {}
    for klass, listed in table.items():
        path = join("grades_by_class", str(klass))
        if klass not in class_codes:
            checker.add(path, "unknown_class", code=show(klass))
            continue
        result[str(klass)] = _grades(listed, path, checker, required=True)
    return result


def _known_grade(
    name: str, path: str, grade_lists: Sequence[tuple[Grade, ...]], checker: Checker
) -> None:
    for grades in grade_lists:
        known = [grade.name for grade in grades]
        if known and name not in known:
            checker.add(path, "unknown_grade", name=name, known="/".join(known))
            return


def _condition(
    entry: Mapping[str, Any], path: str, checker: Checker, needs: Needs
) -> Condition | None:
    if entry.get("when") is None:
        checker.add(join(path, "when"), "required")
        return None
    condition = parse_condition(entry["when"], join(path, "when"), checker, allow_total=True)
    if condition is not None:
        needs.values.update(condition.names() - {"total"})
    return condition


def _item(
    entry: Mapping[str, Any],
    path: str,
    checker: Checker,
    codes: _Codes,
    class_codes: Sequence[str],
    parts: Sequence[Part],
    quantum: Decimal,
    needs: Needs,
    relatives: list[RelativeSpec],
) -> Item | None:
    checker.fields(entry, path, _ITEM)
    count = len(checker.problems)
    code = checker.text(entry, "code", path)
    codes.claim(code, path)
    part = checker.text(entry, "part", path, required=False)
    part_codes = [defined.code for defined in parts]
    if parts and part is None:
        checker.add(join(path, "part"), "part_required")
    elif part is not None and not parts:
        checker.add(join(path, "part"), "no_parts")
    elif part is not None and part not in part_codes:
        checker.add(join(path, "part"), "unknown_part", code=part)

    skip: set[str] = set()
    if entry.get("skip_classes") is not None:
        where = join(path, "skip_classes")
        listed = checker.sequence(entry["skip_classes"], where)
        for index, klass in enumerate(listed or ()):
            if klass not in class_codes:
                checker.add(at(where, index), "unknown_class", code=show(klass))
            else:
                skip.add(str(klass))

    body = _item_body(entry, path, checker, code or "", quantum, needs, relatives, None)
    variants: dict[str, dict[str, Any]] = {}
    if entry.get("by_class") is not None:
        where = join(path, "by_class")
        table = checker.mapping(entry["by_class"], where)
        for klass, raw_override in (table or {}).items():
            class_path = join(where, str(klass))
            if klass not in class_codes:
                checker.add(class_path, "unknown_class", code=show(klass))
                continue
            override = checker.mapping(raw_override, class_path)
            if override is None:
                continue
            for key in override:
                if key not in _OVERRIDABLE:
                    known = key in _ITEM
                    problem = "not_overridable" if known else "unknown_field"
                    checker.add(join(class_path, str(key)), problem, known=", ".join(_OVERRIDABLE))
            merged = dict(entry)
            merged.update({key: value for key, value in override.items() if key in _OVERRIDABLE})
            if isinstance(override.get("rule"), Mapping) and "type" not in override["rule"]:
                # A rule override without a type tweaks the item's rule rather than replacing it.
                base_rule = entry.get("rule")
                inherited = dict(base_rule) if isinstance(base_rule, Mapping) else {}
                merged["rule"] = {**inherited, **override["rule"]}
            changed = {key for key in override if key in _OVERRIDABLE}
            if "value" in changed:
                changed.add("rule")  # a relative or progress rule depends on the value key
            variants[str(klass)] = _item_body(
                merged, class_path, checker, code or "", quantum, needs, relatives, changed
            )
    if len(checker.problems) != count or code is None:
        return None

    def make(fields: Mapping[str, Any], by_class: Mapping[str, Item]) -> Item:
        return Item(
            code=code,
            name=fields["name"],
            part=part,
            points=fields["points"],
            kind=fields["kind"],
            measure=fields["measure"],
            value=fields["value"],
            rule=fields["rule"],
            zero_if=fields["zero_if"],
            multiplier=fields["multiplier"],
            skip_classes=frozenset(skip),
            by_class=by_class,
            note=fields["note"],
        )

    return make(body, {klass: make({**body, **fields}, {}) for klass, fields in variants.items()})


def _item_body(
    entry: Mapping[str, Any],
    path: str,
    checker: Checker,
    code: str,
    quantum: Decimal,
    needs: Needs,
    relatives: list[RelativeSpec],
    only: set[str] | None,
) -> dict[str, Any]:
    """Parse the overridable fields; with ``only``, just those a class overrides."""

    def wanted(key: str) -> bool:
        return only is None or key in only

    fields: dict[str, Any] = {}
    # Problems in fields a class merely inherits are reported once, at the item.
    if wanted("name"):
        fields["name"] = checker.text(entry, "name", path) or code
    if wanted("points"):
        fields["points"] = _points(entry, "points", path, checker, quantum, required=True)
    if wanted("kind"):
        fields["kind"] = checker.choice(entry, "kind", path, KINDS, "outcome")
    if wanted("measure"):
        fields["measure"] = checker.choice(entry, "measure", path, MEASURES, "quantitative")
    if wanted("note"):
        fields["note"] = checker.text(entry, "note", path, required=False)
    if wanted("value"):
        fields["value"] = checker.text(entry, "value", path, required=False)
        if fields["value"] is not None:
            needs.values.add(fields["value"])
    if wanted("multiplier"):
        fields["multiplier"] = checker.text(entry, "multiplier", path, required=False)
        if fields["multiplier"] is not None:
            needs.values.add(fields["multiplier"])
    if wanted("zero_if"):
        fields["zero_if"] = None
        if entry.get("zero_if") is not None:
            condition = parse_condition(
                entry["zero_if"], join(path, "zero_if"), checker, allow_total=False
            )
            if condition is not None:
                needs.values.update(condition.names())
            fields["zero_if"] = condition
    if wanted("rule"):
        inherited = entry.get("value")
        key = (
            fields["value"]
            if "value" in fields
            else (str(inherited) if isinstance(inherited, str | int) and inherited != "" else None)
        )
        where = join(path, "rule")
        if entry.get("rule") is None:
            checker.add(where, "required")
            fields["rule"] = None
        else:
            env = Env(checker, code, False, True, quantum, needs, relatives, key)
            fields["rule"] = rule = compile_rule(entry["rule"], where, env)
            raw_rule = entry["rule"]
            kind = raw_rule.get("type") if isinstance(raw_rule, Mapping) else None
            reads_value = rule.reads_value if rule is not None else kind != "srb_interval"
            if reads_value and key is None:
                checker.add(join(path, "value"), "value_required")
            if not reads_value and key is not None:
                checker.add(join(path, "value"), "srb_no_value")
    return fields


def _points(
    entry: Mapping[str, Any],
    key: str,
    path: str,
    checker: Checker,
    quantum: Decimal,
    *,
    required: bool,
) -> Decimal | None:
    """Points on the scheme's grid: 0.05 points at precision 1 would round to 0.1."""
    if required:
        points = checker.number(entry, key, path, gt=0)
    else:
        points = checker.number(entry, key, path, default=None, gt=0)
    if points is not None and points != points.quantize(quantum):
        checker.add(join(path, key), "too_precise", n=-quantum.adjusted())
        return None
    return points


def _bonus(
    entry: Mapping[str, Any],
    path: str,
    checker: Checker,
    codes: _Codes,
    quantum: Decimal,
    needs: Needs,
    relatives: list[RelativeSpec],
) -> Bonus | None:
    checker.fields(entry, path, _BONUS)
    count = len(checker.problems)
    code = checker.text(entry, "code", path)
    codes.claim(code, path)
    name = checker.text(entry, "name", path, required=False)
    value = checker.text(entry, "value", path)
    if value is not None:
        needs.values.add(value)
    cap = _points(entry, "cap", path, checker, quantum, required=False)
    points = _points(entry, "points", path, checker, quantum, required=False)
    rule: Rule | None = None
    if entry.get("rule") is None:
        checker.add(join(path, "rule"), "required")
    else:
        has_points = entry.get("cap") is not None or entry.get("points") is not None
        env = Env(checker, code or "", True, has_points, quantum, needs, relatives, value)
        rule = compile_rule(entry["rule"], join(path, "rule"), env)
        if rule is not None and not rule.reads_value:
            where = join(join(path, "rule"), "type")
            checker.add(where, "nested", outer="bonuses", inner=rule.kind)
    note = checker.text(entry, "note", path, required=False)
    if len(checker.problems) != count or code is None or value is None or rule is None:
        return None
    return Bonus(code, name or code, value, rule, cap, points, note)


def _check_parts(
    parts: Sequence[Part],
    items: Sequence[Item],
    used: set[Any],
    class_codes: Sequence[str],
    points: Decimal | None,
    checker: Checker,
) -> None:
    if not parts:
        return
    for index, part in enumerate(parts):
        if part.code not in used:
            checker.add(at("parts", index), "part_empty", code=part.code)
    if points is not None or checker.problems:
        # Comparing part totals is only meaningful once every item has been read.
        return
    # Without a scheme total, parts are combined on their own common scale.
    for klass in [None, *class_codes]:
        sums = {
            part.code: sum(
                (item.for_class(klass).points for item in items if item.part == part.code), ZERO
            )
            for part in parts
        }
        if len(set(sums.values())) > 1:
            listing = ", ".join(f"{code} {fmt(value)}" for code, value in sums.items())
            checker.add("parts", "parts_points", points=listing)
            return
