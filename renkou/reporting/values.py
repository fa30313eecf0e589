"""Reading one typed-in or imported value against its element, with a Chinese reason when it is bad.

Used by the entry form, the Excel upload and the dataValueSets import alike,
so a value is accepted or refused for the same reason wherever it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from renkou.catalog.models import DataElement, ValueType

YES = frozenset({"是", "yes", "y", "true", "1", "有", "√"})
NO = frozenset({"否", "no", "n", "false", "0", "无", "×"})
MAX_TEXT = 200
# Whole numbers larger than this are almost certainly a pasted ID or phone number.
MAX_ABS = Decimal("1e12")


@dataclass(frozen=True, slots=True)
class ElementRule:
    """What the checks need to know about an element, without a database row."""

    id: int
    code: str
    name: str
    value_type: str
    plausible_min: Decimal | None
    plausible_max: Decimal | None
    options: tuple[str, ...] = ()

    @classmethod
    def of(cls, element: DataElement) -> ElementRule:
        return cls(
            id=element.pk,
            code=element.code,
            name=element.name,
            value_type=element.value_type,
            plausible_min=element.plausible_min,
            plausible_max=element.plausible_max,
            options=tuple(element.options or ()),
        )


@dataclass(frozen=True, slots=True)
class Parsed:
    """A checked value: ``number`` (numeric types) or ``text``; both empty means cleared."""

    number: Decimal | None = None
    text: str = ""
    problem: str | None = None

    @property
    def empty(self) -> bool:
        return self.number is None and not self.text and self.problem is None

    def stored(self) -> str | None:
        """The value as written in files and the history: None when cleared."""
        if self.number is not None:
            return format_number(self.number)
        return self.text or None


def format_number(number: Decimal) -> str:
    normal = number.normalize()
    if normal == normal.to_integral_value():
        return str(int(normal))
    return format(normal, "f")


def _number(raw: str | int | float | Decimal) -> Decimal | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal):
        return raw if raw.is_finite() else None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(repr(raw)) if raw == raw and abs(raw) != float("inf") else None
    text = raw.strip().replace(",", "").replace("，", "").replace(" ", "")
    # Full-width digits from a Chinese input method.
    text = text.translate(str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+"))
    if text.endswith("%"):
        text = text[:-1]
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def parse_value(rule: ElementRule, raw: str | int | float | Decimal | None) -> Parsed:
    """Check one value; ``raw`` None or blank clears the value."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Parsed()
    kind = rule.value_type
    if kind == ValueType.TEXT:
        text = str(raw).strip()
        if len(text) > MAX_TEXT:
            return Parsed(problem=f"超过{MAX_TEXT}个字")
        if rule.options and text not in rule.options:
            return Parsed(problem=f"“{text}”不是可选值（{'、'.join(rule.options)}）")
        return Parsed(text=text)
    if kind == ValueType.YES_NO:
        word = str(raw).strip().lower()
        if isinstance(raw, bool):
            return Parsed(number=Decimal(int(raw)))
        if word in YES:
            return Parsed(number=Decimal(1))
        if word in NO:
            return Parsed(number=Decimal(0))
        return Parsed(problem=f"“{str(raw).strip()[:20]}”应填“是”或“否”")
    number = _number(raw)
    if number is None:
        return Parsed(problem=f"“{str(raw).strip()[:20]}”不是数字")
    if abs(number) >= MAX_ABS:
        return Parsed(problem="数值过大，请检查是否填错")
    if kind == ValueType.INTEGER and number != number.to_integral_value():
        return Parsed(problem=f"{format_number(number)} 不是整数")
    if kind == ValueType.INTEGER:
        number = number.to_integral_value()
    else:
        number = number.quantize(Decimal("0.000001"))
    low, high = rule.plausible_min, rule.plausible_max
    if kind == ValueType.PERCENTAGE:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    if (low is not None and number < low) or (high is not None and number > high):
        shown_low = format_number(low) if low is not None else "…"
        shown_high = format_number(high) if high is not None else "…"
        bounds = f"{shown_low}–{shown_high}"
        return Parsed(problem=f"{format_number(number)} 超出合理范围 {bounds}")
    return Parsed(number=number)


def display(number: Decimal | None, text: str, value_type: str) -> str:
    """A stored value as the form shows it."""
    if value_type == ValueType.TEXT:
        return text
    if number is None:
        return ""
    if value_type == ValueType.YES_NO:
        return "是" if number else "否"
    return format_number(number)
