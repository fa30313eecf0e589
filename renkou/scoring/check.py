"""Reading untrusted scheme data while collecting every problem with its path.

A checker never raises on bad input: it records ``(path, message)`` and hands
back ``None`` so that validation can carry on and report everything at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from .text import tr

__all__ = ["Checker", "at", "join", "show", "to_decimal"]

_MISSING: Final = object()


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def at(path: str, index: int) -> str:
    return f"{path}[{index}]"


def show(raw: object) -> str:
    """A value as it appeared in the file, short enough for a one-line message."""
    if isinstance(raw, str):
        text = json.dumps(raw, ensure_ascii=False)
    elif isinstance(raw, bool) or raw is None:
        text = json.dumps(raw)
    elif isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        try:
            text = json.dumps(raw, ensure_ascii=False, default=str)
        except ValueError:
            text = repr(raw)
    return text if len(text) <= 40 else text[:39] + "…"


def to_decimal(raw: object) -> Decimal | None:
    """A finite Decimal from a number or numeric text, else ``None``.

    Floats go through their shortest repr so that ``108.3`` read from YAML or
    Excel is 108.3, not the binary 108.299999…; booleans are refused although
    Python counts them as ints, because ``yes`` in YAML is a slip, not a 1.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    if isinstance(raw, str):
        try:
            number = Decimal(raw.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


class Checker:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.problems: list[tuple[str, str]] = []

    def add(self, path: str, key: str, **values: object) -> None:
        self.problems.append((path, tr(self.lang, key, **values)))

    def mapping(self, raw: object, path: str) -> Mapping[str, Any] | None:
        if isinstance(raw, Mapping):
            return raw
        self.add(path, "not_mapping")
        return None

    def sequence(self, raw: object, path: str) -> Sequence[Any] | None:
        if isinstance(raw, list | tuple):
            return raw
        self.add(path, "not_list")
        return None

    def fields(self, raw: Mapping[str, Any], path: str, allowed: Iterable[str]) -> None:
        known = list(allowed)
        for key in raw:
            if key not in known:
                self.add(join(path, str(key)), "unknown_field", known=", ".join(known))

    def number(
        self,
        raw: Mapping[str, Any],
        key: str,
        path: str,
        *,
        default: Decimal | object | None = _MISSING,
        gt: Decimal | int | None = None,
        ge: Decimal | int | None = None,
        lt: Decimal | int | None = None,
        le: Decimal | int | None = None,
    ) -> Decimal | None:
        where = join(path, key)
        value = raw.get(key)
        if value is None:
            if default is _MISSING:
                self.add(where, "required")
                return None
            return default if isinstance(default, Decimal) else None
        number = to_decimal(value)
        if number is None:
            self.add(where, "not_number", got=show(value))
            return None
        if gt is not None and not number > gt:
            self.add(where, "gt", n=gt)
            return None
        if ge is not None and not number >= ge:
            self.add(where, "ge", n=ge)
            return None
        if lt is not None and not number < lt:
            self.add(where, "lt", n=lt)
            return None
        if le is not None and not number <= le:
            self.add(where, "le", n=le)
            return None
        return number

    def integer(
        self, raw: Mapping[str, Any], key: str, path: str, *, default: int, ge: int, le: int
    ) -> int:
        where = join(path, key)
        value = raw.get(key)
        if value is None:
            return default
        number = to_decimal(value)
        if number is None or number != number.to_integral_value():
            self.add(where, "not_integer", got=show(value))
            return default
        if number < ge:
            self.add(where, "ge", n=ge)
            return default
        if number > le:
            self.add(where, "le", n=le)
            return default
        return int(number)

    def text(
        self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                self.add(join(path, key), "required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.add(join(path, key), "not_text", got=show(value))
            return None
        # Codes such as 331003006 are often written unquoted and arrive as ints.
        return str(value)

    def choice(
        self, raw: Mapping[str, Any], key: str, path: str, choices: Sequence[str], default: str
    ) -> str:
        value = raw.get(key)
        if value is None:
            return default
        if value not in choices:
            self.add(join(path, key), "choice", choices="/".join(choices), got=show(value))
            return default
        return str(value)

    def boolean(self, raw: Mapping[str, Any], key: str, path: str, *, default: bool) -> bool:
        value = raw.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(join(path, key), "not_bool")
            return default
        return value
