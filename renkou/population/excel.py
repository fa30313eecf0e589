"""The population-structure workbook: a template for a scope, and a full check of an upload.

The template has one row per township and village of the scope and one column
per sex and five-year age group (男0–4 … 女85+), with the stored figures
filled in. An upload is checked completely before anything is written; every
problem names its row, column and reason.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from renkou.population.models import GROUP_COUNT, GROUP_LABELS
from renkou.reporting.excel import (
    CellProblem,
    ExcelFileError,
    _check_zip,
    formula_cells,
    neutralise,
)

DATA_SHEET = "人口结构"
META_SHEET = "_meta"
MARKER = "renkou-population"
FORMAT_VERSION = "1"
FIRST_DATA_ROW = 3
FIXED = ("orgunit", "name", "parent")
MAX_ROWS = 100_000
MAX_COUNT = 200_000
COLUMN_CODES: tuple[str, ...] = tuple(f"{sex}{i}" for sex in ("m", "f") for i in range(GROUP_COUNT))
HEAD_FILL = PatternFill("solid", start_color="FFE7F2F2", end_color="FFE7F2F2")
CODE_FONT = Font(color="FF8A949E", size=9)


def column_header(code: str) -> str:
    sex = "男" if code[0] == "m" else "女"
    return f"{sex}{GROUP_LABELS[int(code[1:])]}"


@dataclass(frozen=True)
class TemplateRow:
    code: str
    name: str
    parent_name: str
    male: Sequence[int] | None
    female: Sequence[int] | None


def build_template(
    year: int, scope_code: str, scope_name: str, rows: Sequence[TemplateRow]
) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(DATA_SHEET)
    sheet.freeze_panes = "D3"
    headers = ["单位代码", "单位名称", "上级单位", *(column_header(c) for c in COLUMN_CODES)]
    codes = [*FIXED, *COLUMN_CODES]

    def head(value: str, font: Font | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.fill = HEAD_FILL
        if font is not None:
            cell.font = font
        return cell

    last = FIRST_DATA_ROW + max(len(rows), 1) - 1
    numbers = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(MAX_COUNT),
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="人数有误",
        error="请填写0或正整数（人）。",
    )
    numbers.add(f"D{FIRST_DATA_ROW}:{get_column_letter(len(codes))}{last}")
    sheet.data_validations.dataValidation.append(numbers)
    sheet.append([head(h, Font(bold=True)) for h in headers])
    sheet.append([head(c, CODE_FONT) for c in codes])
    for row in rows:
        code_cell = WriteOnlyCell(sheet, value=row.code)
        code_cell.number_format = "@"
        values: list[Any] = [code_cell, neutralise(row.name), neutralise(row.parent_name)]
        values += list(row.male) if row.male is not None else [None] * GROUP_COUNT
        values += list(row.female) if row.female is not None else [None] * GROUP_COUNT
        sheet.append(values)
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for key, value in ((MARKER, FORMAT_VERSION), ("year", str(year)), ("scope", scope_code)):
        meta.append([key, value])
    notes = workbook.create_sheet("填写说明")
    for line in (
        f"{scope_name} {year}年末常住人口年龄性别结构（五岁组）。",
        "每行一个单位，按性别和年龄组填写人数（整数，没有人填0）；不要修改第1、2行和单位代码。",
        "3岁以下儿童按0–4岁组的五分之三估计；育龄妇女为女性15–49岁各组之和。",
        "上传时先检查全部内容，有任何问题都不会写入，并列出行、列和原因。",
    ):
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class ParsedRow:
    row: int
    unit_code: str
    male: list[int]
    female: list[int]


@dataclass(frozen=True)
class ParsedUpload:
    year: int
    scope_code: str
    rows: list[ParsedRow]
    problems: list[CellProblem]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _count(value: Any) -> tuple[int | None, str]:
    """A head count from a cell, or None and the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "没有填写（没有人请填0）"
    if isinstance(value, bool):
        return None, "应为人数"
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", ""))
        except ValueError:
            return None, f"“{_text(value)[:20]}”不是数字"
    if number != number or number < 0:
        return None, "人数不能为负数"
    if not number.is_integer():
        return None, "人数应为整数"
    if number > MAX_COUNT:
        return None, f"超过{MAX_COUNT}人，请核对"
    return int(number), ""


def read_upload(path: Path) -> ParsedUpload:
    """Read an uploaded workbook and check each cell's shape (units are checked by the caller)."""
    archive = _check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError):
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏或设有密码。") from None
    names = workbook.sheet_names
    if DATA_SHEET not in names or META_SHEET not in names:
        raise ExcelFileError(
            f"找不到“{DATA_SHEET}”工作表或模板信息。请使用本系统下载的人口结构模板。"
        )
    meta: dict[str, str] = {}
    for record in workbook.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
        if len(record) >= 2:
            meta[_text(record[0])] = _text(record[1])
    year_text = meta.get("year", "")
    # isdigit() alone lets through "²" and other digits int() refuses.
    plain_year = year_text.isascii() and year_text.isdigit() and len(year_text) <= 4
    if meta.get(MARKER) != FORMAT_VERSION or not plain_year:
        raise ExcelFileError("该文件不是本系统生成的人口结构模板，请重新下载模板后填写。")
    sheet = workbook.get_sheet_by_name(DATA_SHEET)
    if sheet.height > MAX_ROWS:
        raise ExcelFileError(f"“{DATA_SHEET}”工作表超过{MAX_ROWS}行，不像是本系统的模板。")
    table = sheet.to_python(skip_empty_area=False)
    if len(table) < 2:
        raise ExcelFileError(f"“{DATA_SHEET}”工作表是空的。")
    codes = [_text(c) for c in table[1]]
    expected = [*FIXED, *COLUMN_CODES]
    if codes[: len(expected)] != expected:
        raise ExcelFileError("第2行的列编码被改动了，请不要修改模板的第1、2行，重新下载模板填写。")
    formulas = set(formula_cells(archive, DATA_SHEET))
    problems: list[CellProblem] = []
    rows: list[ParsedRow] = []
    seen: dict[str, int] = {}
    for offset, record in enumerate(table[FIRST_DATA_ROW - 1 :]):
        number = FIRST_DATA_ROW + offset
        cells = list(record) + [None] * (len(expected) - len(record))
        unit_code = _text(cells[0])
        values = cells[len(FIXED) : len(expected)]
        if not unit_code and all(_text(v) == "" for v in values):
            continue
        if not unit_code:
            problems.append(CellProblem(number, "A", "单位代码", "没有填写单位代码"))
            continue
        if unit_code in seen:
            problems.append(CellProblem(number, "A", "单位代码", f"与第{seen[unit_code]}行重复"))
            continue
        seen[unit_code] = number
        counts: list[int] = []
        ok = True
        for index, value in enumerate(values):
            letter = get_column_letter(len(FIXED) + index + 1)
            header = column_header(COLUMN_CODES[index])
            if (letter, number) in formulas:
                problems.append(CellProblem(number, letter, header, "单元格含公式，请直接填写人数"))
                ok = False
                continue
            count, reason = _count(value)
            if count is None:
                problems.append(CellProblem(number, letter, header, reason))
                ok = False
                continue
            counts.append(count)
        if ok:
            if sum(counts) == 0:
                problems.append(CellProblem(number, "", "", "全部为0，请填写该单位的人口"))
                continue
            rows.append(ParsedRow(number, unit_code, counts[:GROUP_COUNT], counts[GROUP_COUNT:]))
    if not rows and not problems:
        problems.append(CellProblem(FIRST_DATA_ROW, "", "", "没有任何数据行"))
    return ParsedUpload(int(year_text), meta.get("scope", ""), rows, problems)
