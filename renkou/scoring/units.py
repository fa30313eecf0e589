"""Units to be scored, and their conversion into exact figures.

Units arrive as plain mappings in the documented JSON shape or as ``Unit``
dataclasses. Only the figures the scheme reads are converted and checked, so a
units file may carry extra columns (remarks, contacts) without failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .check import show, to_decimal
from .errors import UnitsError
from .scheme import Scheme
from .text import tr

__all__ = ["Prepared", "Unit", "prepare_units"]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str = ""
    class_code: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    targets: Mapping[str, Any] = field(default_factory=dict)
    previous: Mapping[str, Any] = field(default_factory=dict)


class Prepared:
    """A unit with its figures as Decimals, ready for the engine."""

    __slots__ = (
        "class_code",
        "code",
        "label",
        "name",
        "plan_class",
        "previous",
        "targets",
        "values",
    )

    def __init__(
        self,
        code: str,
        name: str,
        class_code: str | None,
        plan_class: str | None,
        values: dict[str, Decimal],
        targets: dict[str, Decimal],
        previous: dict[str, Decimal],
        label: str,
    ) -> None:
        self.code = code
        self.name = name
        self.class_code = class_code
        # The class whose version of the scheme applies; None when the scheme has no classes.
        self.plan_class = plan_class
        self.values = values
        self.targets = targets
        self.previous = previous
        self.label = label


def _unit_list(units: Iterable[Mapping[str, Any] | Unit] | Mapping[str, Any]) -> list[Any]:
    if isinstance(units, Mapping):
        listed = units.get("units")
        return list(listed) if isinstance(listed, list | tuple) else [units]
    return list(units)


def _text(raw: object) -> str:
    if type(raw) is str:
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def prepare_units(
    scheme: Scheme,
    units: Iterable[Mapping[str, Any] | Unit] | Mapping[str, Any],
    lang: str,
) -> list[Prepared]:
    """Convert and check every unit; raise UnitsError naming each unit and key at fault."""
    needs = scheme.needs
    value_keys = tuple(sorted(needs.values))
    whole = needs.whole
    previous_keys = tuple(sorted(needs.previous))
    target_codes = tuple(sorted(needs.targets))
    class_codes = [defined.code for defined in scheme.classes]
    problems: list[tuple[str, str, str]] = []
    prepared: list[Prepared] = []
    seen: set[str] = set()

    known_classes = set(class_codes)
    for index, raw in enumerate(_unit_list(units)):
        # type() checks first: isinstance against the Mapping ABC is slow, and a
        # province's units are nearly always plain dicts.
        if type(raw) is dict or (isinstance(raw, Mapping) and not isinstance(raw, Unit)):
            code = _text(raw.get("code"))
            name = _text(raw.get("name"))
            klass = _text(raw.get("class")) or None
            values = raw.get("values") or {}
            targets = raw.get("targets") or {}
            previous = raw.get("previous") or {}
        elif isinstance(raw, Unit):
            code, name = _text(raw.code), _text(raw.name)
            klass = _text(raw.class_code) or None
            values, targets, previous = raw.values, raw.targets, raw.previous
        else:
            problems.append((f"units[{index}]", "", tr(lang, "unit_not_mapping")))
            continue
        label = (f"{code} {name}" if name else code) if code else f"units[{index}]"
        if not code:
            problems.append((label, "code", tr(lang, "required")))
        elif code in seen:
            problems.append((label, "code", tr(lang, "unit_duplicate")))
        seen.add(code)
        plan_class = None
        if class_codes:
            if klass is None:
                problems.append((label, "class", tr(lang, "unit_no_class")))
            elif klass not in known_classes:
                known = "/".join(class_codes)
                message = tr(lang, "unit_unknown_class", got=show(klass), known=known)
                problems.append((label, "class", message))
            else:
                plan_class = klass
        well_formed = True
        for where, given in (("values", values), ("targets", targets), ("previous", previous)):
            if type(given) is not dict and not isinstance(given, Mapping):
                problems.append((label, where, tr(lang, "not_mapping")))
                well_formed = False
        if not well_formed:
            continue
        converted = _convert(values, value_keys, "", label, lang, problems)
        for key in whole:
            number = converted.get(key)
            if number is not None and (number < 0 or number != number.to_integral_value()):
                problems.append((label, key, tr(lang, "unit_not_whole", got=show(values[key]))))
        prepared.append(
            Prepared(
                code,
                name,
                klass,
                plan_class,
                converted,
                _convert(targets, target_codes, "target.", label, lang, problems)
                if target_codes
                else {},
                _convert(previous, previous_keys, "previous.", label, lang, problems)
                if previous_keys
                else {},
                label,
            )
        )
    if problems:
        raise UnitsError(problems)
    return prepared


def _convert(
    given: Mapping[str, Any],
    keys: tuple[str, ...],
    prefix: str,
    label: str,
    lang: str,
    problems: list[tuple[str, str, str]],
) -> dict[str, Decimal]:
    get = given.get
    found = {key: raw for key in keys if (raw := get(key)) is not None}
    # Decimals (what the JSON reader yields) pass as they are; only the rest is
    # looked at one by one, which keeps a province's units quick to prepare.
    odd = [key for key, raw in found.items() if type(raw) is not Decimal or not raw.is_finite()]
    for key in odd:
        raw = found[key]
        if type(raw) is int:
            found[key] = Decimal(raw)
            continue
        number = to_decimal(raw)
        if number is not None:
            found[key] = number
            continue
        del found[key]
        if raw != "":
            problems.append((label, prefix + key, tr(lang, "unit_bad_number", got=show(raw))))
    return found
