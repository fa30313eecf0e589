"""Excel templates and uploads: write with openpyxl, read with calamine, check before writing.

A template has one row per reporting unit in the user's scope and one column
per element, the units' codes stored as text, drop-downs for yes/no and
enumerated answers, the stored values filled in, and a sheet of instructions.
Row 2 holds the element codes, so an upload is read by code however the
columns were moved or renamed.

Text that a spreadsheet would run as a formula (starting with = + - @) is
written with a leading apostrophe, and an uploaded formula is refused, so a
template never carries an instruction to anyone's Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from renkou.catalog.models import DataElement, ValueType
from renkou.reporting.values import format_number

DATA_SHEET = "数据"
HELP_SHEET = "填写说明"
META_SHEET = "_meta"
MARKER = "renkou-template"
FORMAT_VERSION = 1
HEADER_ROW = 1
CODE_ROW = 2
FIRST_DATA_ROW = 3
FIXED_COLUMNS = ("orgunit", "name", "parent")
# An xlsx is a zip; a few megabytes may unpack to gigabytes (a "zip bomb").
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_ROWS = 100_000
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")

BAD_FILL = PatternFill("solid", start_color="FFF4C7C3", end_color="FFF4C7C3")
HEAD_FILL = PatternFill("solid", start_color="FFE7F2F2", end_color="FFE7F2F2")
CODE_FONT = Font(color="FF8A949E", size=9)
HEAD_FONT = Font(bold=True)


def neutralise(text: str) -> str:
    """Text that Excel would treat as a formula, made inert with a leading apostrophe."""
    return "'" + text if text.startswith(DANGEROUS_START) else text


@dataclass(frozen=True)
class TemplateUnit:
    id: int
    code: str
    name: str
    parent_name: str


@dataclass
class Template:
    data_set_code: str
    data_set_name: str
    period_id: str
    period_label: str
    scope_code: str
    scope_name: str
    elements: list[DataElement]
    units: list[TemplateUnit]
    values: dict[tuple[int, int], str | float | int] = field(default_factory=dict)


def _cell(
    ws: Any,
    value: Any,
    *,
    font: Font | None = None,
    fill: PatternFill | None = None,
    text: bool = False,
    wrap: bool = False,
) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if text:
        cell.number_format = "@"
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


def _validation(element: DataElement, column: str, last_row: int) -> DataValidation | None:
    area = f"{column}{FIRST_DATA_ROW}:{column}{last_row}"
    if element.value_type == ValueType.YES_NO:
        dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    elif element.value_type == ValueType.TEXT and element.options:
        options = ",".join(o.replace('"', "") for o in element.options)
        if len(options) > 250:  # Excel's limit for an inline list
            return None
        dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
    elif element.value_type in (ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENTAGE):
        low = element.plausible_min
        high = element.plausible_max
        if element.value_type == ValueType.PERCENTAGE:
            low = Decimal(0) if low is None else low
            high = Decimal(100) if high is None else high
        if low is None and high is None:
            return None
        kind = "whole" if element.value_type == ValueType.INTEGER else "decimal"
        dv = DataValidation(
            type=kind,
            operator="between",
            formula1=format_number(low) if low is not None else str(-(10**12)),
            formula2=format_number(high) if high is not None else str(10**12),
            allow_blank=True,
        )
        dv.error = f"{element.name}应在 {element.plausible_text() or '0–100'} 之间"
        dv.errorTitle = "数值超出合理范围"
        dv.showErrorMessage = True
    else:
        return None
    dv.add(area)
    return dv


def build_template(template: Template) -> bytes:
    """The workbook as bytes. Streams rows, so 25,000 units take seconds."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    columns = len(FIXED_COLUMNS) + len(template.elements)
    ws.freeze_panes = "D3"
    ws.column_dimensions["A"].width = 15
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 16
    for index in range(len(FIXED_COLUMNS) + 1, columns + 1):
        ws.column_dimensions[get_column_letter(index)].width = 12
    last_row = FIRST_DATA_ROW + max(len(template.units), 1) - 1
    for offset, element in enumerate(template.elements):
        dv = _validation(element, get_column_letter(len(FIXED_COLUMNS) + offset + 1), last_row)
        if dv is not None:
            ws.data_validations.append(dv)
    heads = ["单位代码", "单位名称", "所属上级"] + [e.label for e in template.elements]
    ws.append([_cell(ws, neutralise(h), font=HEAD_FONT, fill=HEAD_FILL, wrap=True) for h in heads])
    codes = list(FIXED_COLUMNS) + [e.code for e in template.elements]
    ws.append([_cell(ws, c, font=CODE_FONT) for c in codes])
    for unit in template.units:
        row: list[Any] = [
            _cell(ws, unit.code, text=True),
            neutralise(unit.name),
            neutralise(unit.parent_name),
        ]
        for element in template.elements:
            value = template.values.get((unit.id, element.pk))
            if isinstance(value, str):
                value = neutralise(value)
            row.append(value)
        ws.append(row)

    help_sheet = wb.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 100
    for line in _instructions(template):
        help_sheet.append([neutralise(line)])

    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    meta.append([MARKER, FORMAT_VERSION])
    meta.append(["data_set", template.data_set_code])
    meta.append(["period", template.period_id])
    meta.append(["scope", template.scope_code])
    meta.append(["generated", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _instructions(template: Template) -> list[str]:
    lines = [
        f"{template.data_set_name} · {template.period_label} · {template.scope_name}",
        "",
        "怎样填写：",
        "1. 在“数据”工作表中每个单位一行，每个数据项一列；已填报的数值已经填好。",
        "2. 第1行是数据项名称，第2行是数据项编码（灰色小字），请不要修改或删除第2行。",
        "3. 单位代码是文本，请不要改成数字或删除前面的数字。",
        "4. 只填数字，不要填公式；没有发生的请填 0；留空表示不填（已有的数值会被清除）。",
        "5. 是/否类数据项请从下拉列表中选择。",
        "6. 上传后先看预览：有问题的单元格会逐一列出（行、列、原因），也可下载标红的文件。",
        "7. 确认后只写入没有问题的行；同一文件重复上传不会产生重复数据。",
        "",
        "数据项：",
    ]
    for element in template.elements:
        bounds = element.plausible_text()
        extra = f"，合理范围 {bounds}" if bounds else ""
        lines.append(
            f"{element.code}：{element.label}，{element.get_value_type_display()}{extra}"
            + (f"。{element.description}" if element.description else "")
        )
    return lines


# -- reading an upload -----------------------------------------------------------------


class ExcelFileError(Exception):
    """The file as a whole cannot be read; ``str()`` is the one-line Chinese reason."""


@dataclass(frozen=True)
class CellProblem:
    row: int  # the Excel row number, from 1
    column: str  # the column letter, "" for the whole row
    column_name: str
    reason: str


@dataclass
class UploadRow:
    row: int
    unit_code: str
    cells: dict[str, Any]  # element code → raw cell value


@dataclass
class Upload:
    data_set_code: str
    period_id: str
    scope_code: str
    columns: dict[str, tuple[str, str]]  # element code → (letter, header)
    rows: list[UploadRow]
    problems: list[CellProblem]


def _check_zip(path: Path) -> zipfile.ZipFile:
    with path.open("rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            raise ExcelFileError(
                "文件不是有效的 Excel（.xlsx）文件，请用 Excel 打开后另存为 .xlsx 再上传。"
            )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ExcelFileError("文件已损坏，或不是有效的 Excel（.xlsx）文件。") from None
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise ExcelFileError("文件不是有效的 Excel（.xlsx）文件。")
    if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
        raise ExcelFileError("文件解压后过大，不像是本系统的模板。")
    return archive


_SHEET_TAG = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_TAG = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_TAG_REVERSED = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]+)"[^>]*?>\s*<f[\s>/]')


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8")
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


def formula_cells(archive: zipfile.ZipFile, sheet: str) -> list[tuple[str, int]]:
    """(column, row) of every cell holding a formula in the named sheet."""
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    targets = dict(_REL_TAG.findall(rels))
    targets.update({rid: target for target, rid in _REL_TAG_REVERSED.findall(rels)})
    for name, rid in _SHEET_TAG.findall(workbook):
        if _unescape(name) != sheet:
            continue
        target = targets.get(rid, b"").decode("utf-8").lstrip("/")
        member = target if target.startswith("xl/") else f"xl/{target}"
        try:
            xml = archive.read(member)
        except KeyError:
            return []
        return [(col.decode(), int(row)) for col, row in _FORMULA_CELL.findall(xml)]
    return []


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_upload(path: Path) -> Upload:
    """Read and shape-check an uploaded template; cell values are checked later (excel_flow)."""
    archive = _check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError):
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏或设有密码。") from None
    names = workbook.sheet_names
    if DATA_SHEET not in names:
        shown = "、".join(names[:5])
        raise ExcelFileError(
            f"找不到名为“{DATA_SHEET}”的工作表（文件中的工作表：{shown}）。请使用本系统下载的模板。"
        )
    meta: dict[str, str] = {}
    if META_SHEET in names:
        for row in workbook.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
            if len(row) >= 2:
                meta[_text(row[0])] = _text(row[1])
    if (
        meta.get(MARKER) != str(FORMAT_VERSION)
        or not meta.get("data_set")
        or not meta.get("period")
    ):
        raise ExcelFileError("该文件不是本系统生成的模板（缺少模板信息），请重新下载模板后填写。")
    sheet = workbook.get_sheet_by_name(DATA_SHEET)
    if sheet.height > MAX_ROWS:
        raise ExcelFileError(f"“{DATA_SHEET}”工作表超过 {MAX_ROWS} 行，不像是本系统的模板。")
    table = sheet.to_python(skip_empty_area=False)
    if len(table) < CODE_ROW:
        raise ExcelFileError(f"“{DATA_SHEET}”工作表是空的。")
    headers = [_text(h) for h in table[HEADER_ROW - 1]]
    codes = [_text(c) for c in table[CODE_ROW - 1]]
    if "orgunit" not in codes:
        raise ExcelFileError("第2行缺少“orgunit”（单位代码）列的编码，请不要修改模板的第2行。")
    unit_index = codes.index("orgunit")
    columns: dict[str, tuple[str, str]] = {}
    positions: dict[str, int] = {}
    problems: list[CellProblem] = []
    for index, code in enumerate(codes):
        if not code or code in FIXED_COLUMNS:
            continue
        letter = get_column_letter(index + 1)
        if code in columns:
            problems.append(CellProblem(CODE_ROW, letter, code, f"编码 {code} 的列重复"))
            continue
        columns[code] = (letter, headers[index] if index < len(headers) else code)
        positions[code] = index
    formulas = {(c, r) for c, r in formula_cells(archive, DATA_SHEET)}
    rows: list[UploadRow] = []
    for offset, record in enumerate(table[FIRST_DATA_ROW - 1 :]):
        number = FIRST_DATA_ROW + offset
        cells = {code: record[i] if i < len(record) else None for code, i in positions.items()}
        unit_code = _text(record[unit_index]) if unit_index < len(record) else ""
        if not unit_code and all(v is None or v == "" for v in cells.values()):
            continue
        for letter, header in columns.values():
            if (letter, number) in formulas:
                problems.append(
                    CellProblem(number, letter, header, "单元格含公式，请改为直接填写数值")
                )
        if (get_column_letter(unit_index + 1), number) in formulas:
            problems.append(
                CellProblem(number, "A", "单位代码", "单元格含公式，请直接填写单位代码")
            )
        rows.append(UploadRow(number, unit_code, cells))
    return Upload(
        data_set_code=meta["data_set"],
        period_id=meta["period"],
        scope_code=meta.get("scope", ""),
        columns=columns,
        rows=rows,
        problems=problems,
    )


def mark_workbook(path: Path, problems: Sequence[CellProblem]) -> bytes:
    """A copy of the upload with every bad cell filled red and commented with its reason."""
    workbook = load_workbook(path)
    sheet = workbook[DATA_SHEET] if DATA_SHEET in workbook.sheetnames else workbook.active
    by_cell: dict[tuple[str, int], list[str]] = {}
    for problem in problems:
        by_cell.setdefault((problem.column or "A", problem.row), []).append(problem.reason)
    for (column, row), reasons in by_cell.items():
        cell = sheet[f"{column}{row}"]
        cell.fill = BAD_FILL
        cell.comment = Comment("\n".join(reasons), "人口系统", width=260, height=90)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
