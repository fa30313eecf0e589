"""Schemes in and out of the app: YAML/JSON text, and an Excel workbook.

Every scheme read here is checked by ``renkou.scoring.load_scheme``; its
``SchemeError`` problems (``items[2].rule.target: …``) are passed on with
their paths, so pages can show each one next to the field it concerns and
the Excel importer can name the sheet, row and column.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import yaml

from renkou.scoring import SchemeError, load_scheme
from renkou.scoring.results import number

__all__ = [
    "MAX_UPLOAD_BYTES",
    "check_scheme",
    "parse_text",
    "parse_upload",
    "plain",
    "read_json",
    "read_yaml",
    "to_json",
    "to_yaml",
]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# A real scheme has a few hundred values, a few levels deep.
MAX_NODES = 20_000
MAX_DEPTH = 50
TOO_BIG = "内容过大或嵌套过深，不像是考核方案。"
MAX_NUMBER = Decimal("1e12")
NUL_TEXT = "含有不可见的空字符，请删除。"


def _bounded(data: Any) -> Any:
    """``data`` if it is the size of a scheme, else ValueError. YAML aliases let a
    one-kilobyte file stand for billions of values; copying them would exhaust
    the memory, so the walk stops at the first value over the limit."""
    seen = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES or depth > MAX_DEPTH:
            raise ValueError(TOO_BIG)
        if isinstance(node, Mapping):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((value, depth + 1) for value in node)
    return data


def _value_problems(data: Any) -> list[tuple[str, str]]:
    """Values no scheme holds, by path: text with a NUL byte (PostgreSQL refuses
    it) and numbers beyond what a score can be (Decimal cannot even round them)."""
    problems: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            for key, value in node.items():
                where = f"{path}.{key}" if path else str(key)
                if "\x00" in str(key):
                    problems.append((where, NUL_TEXT))
                stack.append((where, value))
        elif isinstance(node, list | tuple):
            stack.extend((f"{path}[{index}]", value) for index, value in enumerate(node))
        elif isinstance(node, str) and "\x00" in node:
            problems.append((path, NUL_TEXT))
        elif isinstance(node, int | float | Decimal) and not isinstance(node, bool):
            number = Decimal(node) if not isinstance(node, Decimal) else node
            if not number.is_finite() or abs(number) > MAX_NUMBER:
                problems.append((path, "数字超出允许范围。"))
    return sorted(problems)


def check_scheme(data: Mapping[str, Any]) -> None:
    """``load_scheme`` on plain data, with values it cannot handle reported as
    problems (SchemeError) rather than raised from deep inside."""
    problems = _value_problems(data)
    if problems:
        raise SchemeError(problems)
    try:
        load_scheme(data)
    except ArithmeticError:
        raise SchemeError([("", "方案中有无法计算的数字（过大或小数位过多）。")]) from None
    # What the scheme's columns hold; PostgreSQL refuses longer text outright.
    too_long = [
        (key, f"不能超过{limit}个字符（现有{len(str(data.get(key) or ''))}个）。")
        for key, limit in (("code", 60), ("name", 200))
        if len(str(data.get(key) or "")) > limit
    ]
    if too_long:
        raise SchemeError(too_long)


def read_json(text: str, **options: Any) -> Any:
    """``json.loads`` of text someone typed or uploaded; ValueError for anything
    that is not JSON of a scheme's size (including nesting too deep to parse)."""
    try:
        return _bounded(json.loads(text, **options))
    except RecursionError:
        raise ValueError(TOO_BIG) from None


def read_yaml(text: str) -> Any:
    """``yaml.safe_load`` with the same limits as ``read_json`` (ValueError)."""
    try:
        return _bounded(yaml.safe_load(text))
    except RecursionError:
        raise ValueError(TOO_BIG) from None


def plain(data: Any) -> Any:
    """JSON-ready copy: Decimals become ints or floats with the same digits."""
    if isinstance(data, Mapping):
        return {str(key): plain(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [plain(value) for value in data]
    if isinstance(data, Decimal):
        return number(data)
    if isinstance(data, float) and data.is_integer():
        return int(data)
    return data


def to_yaml(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(
        plain(data), allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )


def to_json(data: Mapping[str, Any]) -> str:
    return json.dumps(plain(data), ensure_ascii=False, indent=2) + "\n"


def parse_text(text: str, *, kind: str = "yaml") -> dict[str, Any]:
    """A scheme from YAML or JSON text, checked; SchemeError on any problem."""
    try:
        raw = read_json(text, parse_float=Decimal) if kind == "json" else read_yaml(text)
    except (ValueError, yaml.YAMLError) as error:
        message = " ".join(str(error).split())
        raise SchemeError([("", f"文件格式有误，无法读取：{message}")]) from error
    if not isinstance(raw, Mapping):
        raise SchemeError([("", "方案应是一个映射（以 code:、name:、items: 等开头）。")])
    data = plain(raw)
    check_scheme(data)
    return dict(data)


def parse_upload(name: str, content: bytes) -> tuple[dict[str, Any], str]:
    """(data, YAML text to keep) from an uploaded .yaml/.yml/.json/.xlsx file."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise SchemeError([("", "文件过大（上限2MB）。")])
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx":
        from renkou.assessment.schemes_excel import read_workbook

        data = read_workbook(io.BytesIO(content))
        return data, to_yaml(data)
    if suffix not in (".yaml", ".yml", ".json"):
        raise SchemeError([("", "请上传 .yaml、.yml、.json 或 .xlsx 文件。")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SchemeError([("", "文件不是UTF-8编码的文本。")]) from error
    data = parse_text(text, kind="json" if suffix == ".json" else "yaml")
    return data, text if suffix != ".json" else to_yaml(data)
