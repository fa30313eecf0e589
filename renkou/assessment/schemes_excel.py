"""A scheme as an Excel workbook, and back.

One sheet per part of the scheme. Row 1 holds the column titles people read,
row 2 the field names the importer reads (so columns may be moved), data
start on row 3. A rule's parameters other than its type are one JSON object
in one cell (``{"target": 100, "step": 1, "deduct": 0.5}``), so every rule
type of the kernel fits without a column per parameter. The 说明 sheet says
all this in Chinese.

A problem found by the kernel at ``items[2].rule.target`` is reported at the
cell it came from: 「项目」表第5行 rule_params 列.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook

from renkou.assessment.schemes_io import plain, read_json
from renkou.reporting.excel import neutralise
from renkou.scoring import SchemeError, load_scheme

__all__ = ["EXAMPLE", "read_workbook", "write_workbook"]

HELP_SHEET: Final = "说明"
HEAD_FILL = PatternFill("solid", start_color="FFE7F2F2", end_color="FFE7F2F2")
KEY_FONT = Font(color="FF8A949E", size=9)
FIRST_ROW: Final = 3
MAX_ROWS: Final = 2000


@dataclass(frozen=True)
class Sheet:
    title: str
    section: str  # the scheme key the rows become
    columns: tuple[tuple[str, str], ...]  # (field, title)


SETTINGS = Sheet(
    "方案",
    "",
    (("field", "字段"), ("value", "值"), ("help", "说明")),
)
SETTING_FIELDS: Final = (
    ("code", "方案编码（字母、数字、下划线、短横线）"),
    ("name", "方案名称"),
    ("precision", "得分保留小数位数（0–4）"),
    ("points", "总分（各部分分值不同时填写，可空）"),
    ("veto_grade", "被一票否决时的等级（可空，默认最低等级）"),
    ("rescale_skipped", "不考核项目按实际考核分值折算为满分：是/否"),
    ("within_class", "同时在类别内排名：是/否"),
    ("note", "备注"),
)
SHEETS: Final = (
    Sheet(
        "项目",
        "items",
        (
            ("code", "项目编码"),
            ("name", "项目名称"),
            ("part", "所属部分"),
            ("points", "分值"),
            ("kind", "类型 outcome/process"),
            ("measure", "性质 quantitative/qualitative"),
            ("value", "数据编码"),
            ("rule_type", "计分规则"),
            ("rule_params", "规则参数（JSON）"),
            ("skip_classes", "不考核的类别（逗号分隔）"),
            ("zero_if", "得0分条件"),
            ("multiplier", "系数数据编码"),
            ("by_class", "分类别设置（JSON）"),
            ("note", "备注"),
        ),
    ),
    Sheet("分部", "parts", (("code", "部分编码"), ("name", "部分名称"), ("weight", "权重"))),
    Sheet(
        "加分",
        "bonuses",
        (
            ("code", "加分项编码"),
            ("name", "加分项名称"),
            ("value", "数据编码"),
            ("rule_type", "计分规则"),
            ("rule_params", "规则参数（JSON）"),
            ("cap", "封顶分"),
            ("points", "分值"),
            ("note", "备注"),
        ),
    ),
    Sheet("类别", "classes", (("code", "类别编码"), ("name", "类别名称"))),
    Sheet("否决", "vetoes", (("code", "否决项编码"), ("name", "否决项名称"), ("when", "条件"))),
    Sheet(
        "封顶",
        "ceilings",
        (("code", "编码"), ("name", "名称"), ("when", "条件"), ("max_grade", "最高等级")),
    ),
    Sheet(
        "等级", "grades", (("class", "适用类别（空=全部）"), ("name", "等级"), ("min", "最低分"))
    ),
)
JSON_FIELDS: Final = ("rule_params", "by_class")
YES: Final = ("是", "yes", "true", "1", "y")
NO: Final = ("否", "no", "false", "0", "n", "")

HELP_LINES: Final = (
    "考核方案Excel模板",
    "",
    "每个工作表的第1行是列标题，第2行（灰色）是字段名，导入时按字段名读取，列的顺序可以调整；数据从第3行开始。",
    "「方案」表：方案编码、名称、小数位数等基本设置。",
    "「项目」表：每行一个考核项目。计分规则填规则类型，如 threshold（达标得分）、band（区间得分）、"
    "shortfall（每低一档扣分）、ratio（完成率）、per_case（按件扣分）、scaled（折算）、table（分档）、"
    "excess、relative、progress、blend、srb_interval（出生人口性别比置信区间）。",
    '规则参数填一个JSON对象，例如 {"target": 100, "step": 1, "deduct": 0.5}；'
    '用下达目标时写 {"target": "target"}。',
    "「分部」表：方案分几个部分（如结果考核、过程考核）时填写各部分的权重，否则留空。",
    "「加分」表：加分项目，可设封顶分。",
    "「类别」表：地区类别（分类指导），编码须与单位的地区类别一致。",
    "「否决」表：一票否决条件，如 data_fraud > 0。",
    "「封顶」表：满足条件时最高只能评到的等级，如重大信访最高“良好”。",
    "「等级」表：从高到低填写等级和最低分，最后一个等级的最低分留空；某一类别另设分数线时在第一列填类别编码。",
    "",
    "导入时先由考核引擎全面检查，有任何问题都不保存，并指出问题所在的工作表、行和列。",
)

EXAMPLE: Final[dict[str, Any]] = {
    "code": "example-township",
    "name": "乡镇（街道）人口家庭工作考核细则（示例）",
    "precision": 2,
    "items": [
        {
            "code": "registration",
            "name": "生育登记及时率",
            "points": 40,
            "value": "registration_timeliness",
            "rule": {"type": "shortfall", "target": 100, "step": 1, "deduct": 2},
        },
        {
            "code": "reports",
            "name": "月报及时率",
            "kind": "process",
            "points": 30,
            "value": "report_timeliness",
            "rule": {"type": "threshold", "target": 95, "else": 10},
        },
        {
            "code": "births",
            "name": "出生人数完成情况",
            "points": 30,
            "value": "births",
            "rule": {"type": "ratio", "target": "target"},
        },
    ],
    "vetoes": [{"code": "fraud", "name": "统计数据弄虚作假", "when": "data_fraud > 0"}],
    "grades": [
        {"name": "优秀", "min": 90},
        {"name": "良好", "min": 80},
        {"name": "合格", "min": 60},
        {"name": "不合格"},
    ],
}


# --- writing -------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Mapping | list):
        return json.dumps(plain(value), ensure_ascii=False)
    return neutralise(str(value))


def _rows(data: Mapping[str, Any], sheet: Sheet) -> list[dict[str, Any]]:
    if sheet.section == "grades":
        rows = [{"class": None, **grade} for grade in data.get("grades") or []]
        for klass, grades in (data.get("grades_by_class") or {}).items():
            rows += [{"class": klass, **grade} for grade in grades or []]
        return rows
    rows = []
    for entry in data.get(sheet.section) or []:
        row = dict(entry)
        rule = row.pop("rule", None)
        if isinstance(rule, Mapping):
            row["rule_type"] = rule.get("type")
            params = {k: v for k, v in rule.items() if k != "type"}
            row["rule_params"] = params or None
        if isinstance(row.get("skip_classes"), list):
            row["skip_classes"] = ",".join(str(c) for c in row["skip_classes"])
        rows.append(row)
    return rows


def _head(ws: Any, columns: Sequence[tuple[str, str]]) -> None:
    ws.append([title for _field, title in columns])
    ws.append([field for field, _title in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for cell in ws[2]:
        cell.font = KEY_FONT
    for index, _column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    ws.freeze_panes = "A3"


def write_workbook(data: Mapping[str, Any]) -> bytes:
    data = plain(data)
    book = Workbook()
    help_sheet = book.active
    assert help_sheet is not None
    help_sheet.title = HELP_SHEET
    for line in HELP_LINES:
        help_sheet.append([line])
    help_sheet["A1"].font = Font(bold=True, size=14)
    help_sheet.column_dimensions["A"].width = 120

    settings = book.create_sheet(SETTINGS.title)
    _head(settings, SETTINGS.columns)
    settings.column_dimensions["B"].width = 40
    settings.column_dimensions["C"].width = 40
    values = {
        "code": data.get("code"),
        "name": data.get("name"),
        "precision": data.get("precision"),
        "points": data.get("points"),
        "veto_grade": data.get("veto_grade"),
        "rescale_skipped": data.get("rescale_skipped"),
        "within_class": (data.get("ranking") or {}).get("within_class"),
        "note": data.get("note"),
    }
    for field, help_text in SETTING_FIELDS:
        settings.append([field, _cell(values[field]), help_text])

    for sheet in SHEETS:
        ws = book.create_sheet(sheet.title)
        _head(ws, sheet.columns)
        for row in _rows(data, sheet):
            ws.append([_cell(row.get(field)) for field, _title in sheet.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- reading -------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.found: list[tuple[str, str]] = []
        # scheme path prefix ("items[2]") → (sheet title, row number, {field: column letter})
        self.where: dict[str, tuple[str, int, dict[str, str]]] = {}

    def add(self, sheet: str, row: int, column: str, message: str) -> None:
        place = f"「{sheet}」表第{row}行" + (f" {column}列" if column else "")
        self.found.append((place, message))

    def locate(self, path: str) -> str:
        """A kernel path as the sheet, row and column it was read from."""
        head, _, rest = path.partition(".")
        if head.startswith("grades_by_class"):
            head = head.split(".")[0]
        found = self.where.get(head)
        if found is None:
            return path
        sheet, row, columns = found
        field = rest.split(".")[0].split("[")[0] if rest else ""
        if field == "rule":
            field = "rule_type" if rest in ("rule", "rule.type") else "rule_params"
        if field and field not in columns and head.startswith("items"):
            field = "by_class" if field == "by_class" else field
        letter = columns.get(field, "")
        return f"「{sheet}」表第{row}行" + (f" {letter}列（{field}）" if letter else "")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return text  # the kernel names the problem
        return int(number) if number.is_integer() else number
    return value


def _table(book: CalamineWorkbook, title: str) -> list[list[Any]] | None:
    if title not in book.sheet_names:
        return None
    rows: list[list[Any]] = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
    return rows[: MAX_ROWS + FIRST_ROW]


def _boolean(raw: Any, sheet: str, row: int, problems: _Problems) -> bool | None:
    text = (_text(raw) or "").lower()
    if text in YES:
        return True
    if text in NO:
        return None
    problems.add(sheet, row, "B", f"应填“是”或“否”，而不是“{text}”")
    return None


def read_workbook(stream: IO[bytes]) -> dict[str, Any]:
    """The scheme in a workbook, checked; SchemeError naming sheet, row and column."""
    try:
        book = CalamineWorkbook.from_filelike(stream)
    except (CalamineError, ValueError, OSError) as error:
        raise SchemeError([("", f"无法读取Excel文件：{error}")]) from error
    problems = _Problems()
    data: dict[str, Any] = {}
    settings = _table(book, SETTINGS.title)
    if settings is None:
        raise SchemeError([("", f"缺少「{SETTINGS.title}」工作表，请使用本系统导出的模板。")])
    for number, row in enumerate(settings[FIRST_ROW - 1 :], start=FIRST_ROW):
        if not row:
            continue
        field = _text(row[0])
        value = row[1] if len(row) > 1 else None
        if field is None:
            continue
        if field in ("rescale_skipped", "within_class"):
            flag = _boolean(value, SETTINGS.title, number, problems)
            if flag:
                if field == "within_class":
                    data["ranking"] = {"within_class": True}
                else:
                    data[field] = True
        elif field in ("precision", "points"):
            if _number(value) is not None:
                data[field] = _number(value)
        elif field in ("code", "name", "veto_grade", "note"):
            if _text(value) is not None:
                data[field] = _text(value)
        else:
            problems.add(SETTINGS.title, number, "A", f"未知的字段“{field}”")
            continue
        problems.where[field] = (SETTINGS.title, number, {field: "B"})

    for sheet in SHEETS:
        rows = _table(book, sheet.title)
        if rows is None:
            if sheet.section == "items":
                problems.found.append(("", f"缺少「{sheet.title}」工作表。"))
            continue
        if len(rows) < 2:
            continue
        keys = [_text(cell) for cell in rows[1]]
        letters = {key: get_column_letter(i + 1) for i, key in enumerate(keys) if key}
        known = {field for field, _title in sheet.columns}
        for key in letters:
            if key not in known:
                problems.add(sheet.title, 2, letters[key], f"未知的字段“{key}”")
        counters: dict[str, int] = {}
        for number, raw in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
            cells = {key: raw[i] for i, key in enumerate(keys) if key in known and i < len(raw)}
            if all(_text(v) is None for v in cells.values()):
                continue
            entry = _entry(sheet, cells, number, letters, problems)
            if sheet.section == "grades":
                klass = _text(cells.get("class"))
                if klass is None:
                    target = data.setdefault("grades", [])
                    path = f"grades[{len(target)}]"
                else:
                    by_class = data.setdefault("grades_by_class", {})
                    target = by_class.setdefault(klass, [])
                    path = f"grades_by_class.{klass}[{len(target)}]"
                target.append(entry)
            else:
                target = data.setdefault(sheet.section, [])
                path = f"{sheet.section}[{len(target)}]"
                target.append(entry)
            counters[sheet.section] = counters.get(sheet.section, 0) + 1
            problems.where[path] = (sheet.title, number, letters)
    if problems.found:
        raise SchemeError(problems.found)
    try:
        load_scheme(data)
    except SchemeError as error:
        raise SchemeError(
            [(problems.locate(path) if path else "", message) for path, message in error.problems]
        ) from None
    return data


def _entry(
    sheet: Sheet,
    row: Mapping[str, Any],
    number: int,
    letters: Mapping[str, str],
    problems: _Problems,
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    rule: dict[str, Any] = {}
    for field, raw in row.items():
        if field == "class":
            continue
        if field in JSON_FIELDS:
            text = _text(raw)
            if text is None:
                continue
            try:
                parsed = read_json(text)
            except ValueError:
                problems.add(
                    sheet.title, number, letters[field], '不是有效的JSON，例如 {"target": 100}'
                )
                continue
            if not isinstance(parsed, dict):
                problems.add(sheet.title, number, letters[field], "应是一个JSON对象 {…}")
                continue
            if field == "rule_params":
                rule.update(plain(parsed))
            else:
                entry[field] = plain(parsed)
        elif field == "rule_type":
            text = _text(raw)
            if text is not None:
                rule["type"] = text
        elif field == "skip_classes":
            text = _text(raw)
            if text is not None:
                entry[field] = [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
        elif field in ("points", "weight", "cap", "min"):
            value = _number(raw)
            if value is not None:
                entry[field] = value
        else:
            text = _text(raw)
            if text is None:
                continue
            if field in ("when", "zero_if") and text.startswith(("{", "[")):
                # A compound condition ({"all": [...]}) is written as JSON.
                try:
                    entry[field] = plain(read_json(text))
                    continue
                except ValueError:
                    pass
            entry[field] = text
    if rule:
        entry["rule"] = {"type": rule.pop("type", None), **rule} if "type" in rule else rule
    return entry
