"""The catalogue as a document (YAML or JSON), checked completely before anything is written.

A county shares its catalogue as one YAML file::

    version: 1
    data_elements:
      - {code: births_male, name: 出生人数（男）, unit: 人, value_type: integer,
         aggregation: sum, plausible_min: 0, plausible_max: 60}
    indicators:
      - {code: srb, name: 出生人口性别比, numerator: "#{births_male}",
         denominator: "#{births_female}", factor: 100, direction: within_range,
         range_low: 103, range_high: 107, decimals: 1}
    data_sets:
      - code: village_monthly
        name: 村（居）人口家庭工作月报
        period_type: month
        reporting_level: 5
        due_days: 5
        lock_days: 30
        elements: [births_male, births_female]
        rules:
          - {code: r_births, name: …, left: "#{births_male}", operator: "<=",
             right: "#{births_male} + #{births_female}", message: …}

Every problem is reported with where it is (``data_elements[3].code``) and a
one-line Chinese reason; a document with any problem is not imported at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from renkou.catalog.formulas import formula_problem, rule_problem
from renkou.catalog.models import (
    CODE_MAX_LENGTH,
    Aggregation,
    DataSetPeriodType,
    Direction,
    ElementSource,
    Factor,
    Importance,
    Operator,
    Severity,
    ValueType,
)
from renkou.formula import is_valid_code

FORMAT_VERSION = 1
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_OPTIONS = 50


@dataclass(frozen=True, slots=True)
class Problem:
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}" if self.where else self.reason


class CatalogFileError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class ElementSpec:
    code: str
    name: str
    unit: str = ""
    value_type: str = ValueType.INTEGER
    aggregation: str = Aggregation.SUM
    plausible_min: Decimal | None = None
    plausible_max: Decimal | None = None
    options: list[str] = field(default_factory=list)
    source: str = ElementSource.ENTERED
    source_data_set: str = ""
    description: str = ""


@dataclass(slots=True)
class IndicatorSpec:
    code: str
    name: str
    numerator: str
    denominator: str = "1"
    factor: int = 1
    annualized: bool = False
    unit: str = ""
    direction: str = Direction.HIGHER_BETTER
    range_low: Decimal | None = None
    range_high: Decimal | None = None
    decimals: int = 1
    definition: str = ""
    order: int = 0


@dataclass(slots=True)
class RuleSpec:
    code: str
    name: str
    left: str
    operator: str
    right: str
    message: str
    importance: str = Importance.MEDIUM
    severity: str = Severity.BLOCKING


@dataclass(slots=True)
class DataSetSpec:
    code: str
    name: str
    period_type: str = DataSetPeriodType.MONTH
    reporting_level: int = 5
    due_days: int = 5
    lock_days: int = 30
    description: str = ""
    elements: list[str] = field(default_factory=list)
    rules: list[RuleSpec] = field(default_factory=list)


@dataclass(slots=True)
class CatalogDocument:
    elements: list[ElementSpec] = field(default_factory=list)
    indicators: list[IndicatorSpec] = field(default_factory=list)
    data_sets: list[DataSetSpec] = field(default_factory=list)


class _Reader:
    """Reads one mapping, collecting a problem per bad field instead of stopping."""

    def __init__(self, raw: Any, where: str, problems: list[Problem]) -> None:
        self.where = where
        self.problems = problems
        self.ok = isinstance(raw, dict)
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if not self.ok:
            problems.append(Problem(where, "应为一组“名称: 值”"))

    def bad(self, key: str, reason: str) -> None:
        self.problems.append(Problem(f"{self.where}.{key}", reason))

    def text(
        self, key: str, *, required: bool = False, max_length: int = 100, default: str = ""
    ) -> str:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.bad(key, "不能为空")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.bad(key, "应为文字")
            return default
        text = str(value).strip()
        if len(text) > max_length:
            self.bad(key, f"超过{max_length}个字")
            return text[:max_length]
        return text

    def code(self, key: str = "code") -> str:
        text = self.text(key, required=True, max_length=CODE_MAX_LENGTH)
        if text and not (is_valid_code(text) and text[0].isalpha() and text.isascii()):
            self.bad(key, f"编码“{text}”无效：应以英文字母开头，只含字母、数字、_ . -")
        return text

    def choice(self, key: str, choices: list[str], default: str) -> str:
        value = self.raw.get(key)
        if value is None or value == "":
            return default
        text = str(value).strip()
        if text not in choices:
            self.bad(key, f"“{text}”无效，应为 {' / '.join(choices)} 之一")
            return default
        return text

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.raw.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.bad(key, "应为整数")
            return default
        try:
            number = int(str(value).strip())
        except ValueError:
            self.bad(key, "应为整数")
            return default
        if not low <= number <= high:
            self.bad(key, f"应在 {low}–{high} 之间")
            return default
        return number

    def decimal(self, key: str) -> Decimal | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.bad(key, "应为数值")
            return None
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.bad(key, "应为数值")
            return None
        if not number.is_finite() or abs(number) >= Decimal("1e14"):
            self.bad(key, "数值超出范围")
            return None
        return number

    def boolean(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.bad(key, "应为 true 或 false")
            return default
        return value

    def text_list(self, key: str, *, max_items: int = 500, max_length: int = 100) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > max_items:
            self.bad(key, f"应为不超过{max_items}项的列表")
            return []
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.bad(key, "列表中应为文字")
                return []
            text = str(item).strip()
            if not text or len(text) > max_length:
                self.bad(key, f"列表中有空项或超过{max_length}个字的项")
                return []
            items.append(text)
        return items


def _range_problem(
    reader: _Reader, low: Decimal | None, high: Decimal | None, names: tuple[str, str]
) -> None:
    if low is not None and high is not None and low > high:
        reader.bad(names[1], "上限小于下限")


def _element(raw: Any, where: str, problems: list[Problem]) -> ElementSpec | None:
    r = _Reader(raw, where, problems)
    if not r.ok:
        return None
    spec = ElementSpec(
        code=r.code(),
        name=r.text("name", required=True),
        unit=r.text("unit", max_length=20),
        value_type=r.choice("value_type", list(ValueType.values), ValueType.INTEGER),
        aggregation=r.choice("aggregation", list(Aggregation.values), Aggregation.SUM),
        plausible_min=r.decimal("plausible_min"),
        plausible_max=r.decimal("plausible_max"),
        options=r.text_list("options", max_items=MAX_OPTIONS, max_length=50),
        source=r.choice("source", list(ElementSource.values), ElementSource.ENTERED),
        source_data_set=r.text("source_data_set", max_length=CODE_MAX_LENGTH),
        description=r.text("description", max_length=1000),
    )
    _range_problem(r, spec.plausible_min, spec.plausible_max, ("plausible_min", "plausible_max"))
    if spec.source != ElementSource.ENTERED and not spec.source_data_set:
        r.bad("source_data_set", "系统计算的数据项须指明统计哪张报表")
    return spec


def _indicator(raw: Any, where: str, problems: list[Problem]) -> IndicatorSpec | None:
    r = _Reader(raw, where, problems)
    if not r.ok:
        return None
    factor = r.integer("factor", 1, 1, 1000)
    if factor not in Factor.values:
        r.bad("factor", "倍数应为 1、100 或 1000")
    spec = IndicatorSpec(
        code=r.code(),
        name=r.text("name", required=True),
        numerator=r.text("numerator", required=True, max_length=2000),
        denominator=r.text("denominator", max_length=2000, default="1"),
        factor=factor,
        annualized=r.boolean("annualized"),
        unit=r.text("unit", max_length=20),
        direction=r.choice("direction", list(Direction.values), Direction.HIGHER_BETTER),
        range_low=r.decimal("range_low"),
        range_high=r.decimal("range_high"),
        decimals=r.integer("decimals", 1, 0, 6),
        definition=r.text("definition", max_length=2000),
        order=r.integer("order", 0, 0, 10_000),
    )
    _range_problem(r, spec.range_low, spec.range_high, ("range_low", "range_high"))
    if spec.direction == Direction.WITHIN_RANGE and (
        spec.range_low is None or spec.range_high is None
    ):
        r.bad("range_low", "“在区间内为好”的指标须给出区间上下限")
    return spec


def _rule(raw: Any, where: str, problems: list[Problem]) -> RuleSpec | None:
    r = _Reader(raw, where, problems)
    if not r.ok:
        return None
    return RuleSpec(
        code=r.code(),
        name=r.text("name", required=True),
        left=r.text("left", required=True, max_length=2000),
        operator=r.choice("operator", list(Operator.values), Operator.LE),
        right=r.text("right", required=True, max_length=2000),
        message=r.text("message", required=True, max_length=200),
        importance=r.choice("importance", list(Importance.values), Importance.MEDIUM),
        severity=r.choice("severity", list(Severity.values), Severity.BLOCKING),
    )


def _data_set(raw: Any, where: str, problems: list[Problem]) -> DataSetSpec | None:
    r = _Reader(raw, where, problems)
    if not r.ok:
        return None
    spec = DataSetSpec(
        code=r.code(),
        name=r.text("name", required=True),
        period_type=r.choice("period_type", list(DataSetPeriodType.values), "month"),
        reporting_level=r.integer("reporting_level", 5, 1, 5),
        due_days=r.integer("due_days", 5, 0, 365),
        lock_days=r.integer("lock_days", 30, 0, 3650),
        description=r.text("description", max_length=2000),
        elements=r.text_list("elements", max_length=CODE_MAX_LENGTH),
    )
    rules = r.raw.get("rules") or []
    if not isinstance(rules, list):
        r.bad("rules", "应为列表")
        rules = []
    for index, item in enumerate(rules):
        rule = _rule(item, f"{where}.rules[{index}]", problems)
        if rule is not None:
            spec.rules.append(rule)
    return spec


def _sequence(data: dict[str, Any], key: str, problems: list[Problem]) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(key, "应为列表"))
        return []
    return value


def _duplicates(codes: list[tuple[str, str]], problems: list[Problem]) -> None:
    seen: dict[str, str] = {}
    for where, code in codes:
        if code and code in seen:
            problems.append(Problem(where, f"编码 {code} 重复（与 {seen[code]} 相同）"))
        elif code:
            seen[code] = where


def load_document(content: bytes | str) -> dict[str, Any]:
    """Parse YAML (JSON is YAML too) into a mapping, with a clear error for anything else."""
    if isinstance(content, bytes):
        if len(content) > MAX_DOCUMENT_BYTES:
            raise CatalogFileError([Problem("", "文件超过 2 MB，不像是指标目录")])
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CatalogFileError([Problem("", "文件不是 UTF-8 编码的文本")]) from None
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise CatalogFileError([Problem(where, "不是有效的 YAML/JSON 格式")]) from None
    if not isinstance(data, dict):
        raise CatalogFileError(
            [Problem("", "文件内容应为包含 data_elements、indicators、data_sets 的 YAML")]
        )
    return data


def check_document(data: dict[str, Any], *, known: dict[str, str]) -> CatalogDocument:
    """Validate a loaded document; ``known`` maps codes already in the database to their kind.

    Kinds are "element", "indicator", "data_set", "rule". Raises
    CatalogFileError listing every problem.
    """
    problems: list[Problem] = []
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        problems.append(Problem("version", f"不支持的格式版本 {version!r}，应为 {FORMAT_VERSION}"))
    unknown = sorted(set(data) - {"version", "data_elements", "indicators", "data_sets"})
    if unknown:
        problems.append(Problem("", f"无法识别的部分：{'、'.join(map(str, unknown))}"))
    document = CatalogDocument()
    for index, raw in enumerate(_sequence(data, "data_elements", problems)):
        element = _element(raw, f"data_elements[{index}]", problems)
        if element is not None:
            document.elements.append(element)
    for index, raw in enumerate(_sequence(data, "indicators", problems)):
        indicator = _indicator(raw, f"indicators[{index}]", problems)
        if indicator is not None:
            document.indicators.append(indicator)
    for index, raw in enumerate(_sequence(data, "data_sets", problems)):
        data_set = _data_set(raw, f"data_sets[{index}]", problems)
        if data_set is not None:
            document.data_sets.append(data_set)

    _duplicates(
        [(f"data_elements[{i}].code", e.code) for i, e in enumerate(document.elements)], problems
    )
    _duplicates(
        [(f"indicators[{i}].code", x.code) for i, x in enumerate(document.indicators)], problems
    )
    _duplicates(
        [(f"data_sets[{i}].code", d.code) for i, d in enumerate(document.data_sets)], problems
    )
    _duplicates(
        [
            (f"data_sets[{i}].rules[{j}].code", rule.code)
            for i, d in enumerate(document.data_sets)
            for j, rule in enumerate(d.rules)
        ],
        problems,
    )
    # A code names one kind of thing, here and in the database.
    sections: list[tuple[str, list[str], str]] = [
        ("element", [e.code for e in document.elements], "data_elements"),
        ("indicator", [x.code for x in document.indicators], "indicators"),
        ("data_set", [d.code for d in document.data_sets], "data_sets"),
    ]
    for kind, codes, label in sections:
        for index, code in enumerate(codes):
            existing = known.get(code)
            if existing is not None and existing != kind:
                problems.append(
                    Problem(f"{label}[{index}].code", f"编码 {code} 已被其他类型的对象使用")
                )

    element_codes = {code for code, kind in known.items() if kind == "element"}
    element_codes |= {e.code for e in document.elements}
    data_set_codes = {code for code, kind in known.items() if kind == "data_set"}
    data_set_codes |= {d.code for d in document.data_sets}
    for index, element in enumerate(document.elements):
        if element.source_data_set and element.source_data_set not in data_set_codes:
            problems.append(
                Problem(
                    f"data_elements[{index}].source_data_set",
                    f"报表 {element.source_data_set} 不存在",
                )
            )
    for index, indicator in enumerate(document.indicators):
        for part in ("numerator", "denominator"):
            reason = formula_problem(getattr(indicator, part), element_codes)
            if reason:
                problems.append(Problem(f"indicators[{index}].{part}", reason))
    for index, data_set in enumerate(document.data_sets):
        members = set()
        for code in data_set.elements:
            if code not in element_codes:
                problems.append(Problem(f"data_sets[{index}].elements", f"数据项 {code} 不存在"))
            if code in members:
                problems.append(Problem(f"data_sets[{index}].elements", f"数据项 {code} 重复"))
            members.add(code)
        for j, rule in enumerate(data_set.rules):
            reason = rule_problem(rule.left, rule.operator, rule.right, members)
            if reason:
                problems.append(Problem(f"data_sets[{index}].rules[{j}]", reason))
    if problems:
        raise CatalogFileError(problems)
    return document


def _plain_decimal(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else float(normal)


def dump_document(document: CatalogDocument) -> str:
    """The document as YAML, with the defaults left out so files stay short."""

    def element(e: ElementSpec) -> dict[str, Any]:
        out: dict[str, Any] = {"code": e.code, "name": e.name}
        if e.unit:
            out["unit"] = e.unit
        out["value_type"] = e.value_type
        out["aggregation"] = e.aggregation
        if e.plausible_min is not None:
            out["plausible_min"] = _plain_decimal(e.plausible_min)
        if e.plausible_max is not None:
            out["plausible_max"] = _plain_decimal(e.plausible_max)
        if e.options:
            out["options"] = list(e.options)
        if e.source != ElementSource.ENTERED:
            out["source"] = e.source
            out["source_data_set"] = e.source_data_set
        if e.description:
            out["description"] = e.description
        return out

    def indicator(x: IndicatorSpec) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": x.code,
            "name": x.name,
            "numerator": x.numerator,
            "denominator": x.denominator,
            "factor": x.factor,
        }
        if x.annualized:
            out["annualized"] = True
        if x.unit:
            out["unit"] = x.unit
        out["direction"] = x.direction
        if x.range_low is not None:
            out["range_low"] = _plain_decimal(x.range_low)
        if x.range_high is not None:
            out["range_high"] = _plain_decimal(x.range_high)
        out["decimals"] = x.decimals
        if x.definition:
            out["definition"] = x.definition
        if x.order:
            out["order"] = x.order
        return out

    def data_set(d: DataSetSpec) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": d.code,
            "name": d.name,
            "period_type": d.period_type,
            "reporting_level": d.reporting_level,
            "due_days": d.due_days,
            "lock_days": d.lock_days,
        }
        if d.description:
            out["description"] = d.description
        out["elements"] = list(d.elements)
        if d.rules:
            out["rules"] = [
                {
                    "code": r.code,
                    "name": r.name,
                    "left": r.left,
                    "operator": r.operator,
                    "right": r.right,
                    "importance": r.importance,
                    "severity": r.severity,
                    "message": r.message,
                }
                for r in d.rules
            ]
        return out

    body = {
        "version": FORMAT_VERSION,
        "data_elements": [element(e) for e in document.elements],
        "indicators": [indicator(x) for x in document.indicators],
        "data_sets": [data_set(d) for d in document.data_sets],
    }
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
