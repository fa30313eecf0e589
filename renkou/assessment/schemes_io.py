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

__all__ = ["MAX_UPLOAD_BYTES", "parse_text", "parse_upload", "plain", "to_json", "to_yaml"]

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


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
        raw = json.loads(text, parse_float=Decimal) if kind == "json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        message = " ".join(str(error).split())
        raise SchemeError([("", f"文件格式有误，无法读取：{message}")]) from error
    if not isinstance(raw, Mapping):
        raise SchemeError([("", "方案应是一个映射（以 code:、name:、items: 等开头）。")])
    data = plain(raw)
    load_scheme(data)
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
