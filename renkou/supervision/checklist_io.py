"""Checklists as files: YAML and Excel, both ways.

Reading checks everything first and reports each problem with its place
(sheet, row, column) and reason; a file with any problem yields nothing to
import. The Excel layout is the one :func:`to_xlsx` writes, so the usual way
to make a file is to export a checklist and edit it.

YAML layout::

    name: 乡镇（街道）月度督查清单
    key: township
    year: 2026
    level: township            # or village
    overdue_deduction: 0.5     # per overdue rectification task, 0 = not counted
    overdue_cap: 2             # optional
    rectify_days: 15
    items:
      - topic: 生育登记服务
        code: A1
        title: 生育登记按规定办理
        points: 5
        style: occurrence      # 按次扣分; or yes_no (是否符合)
        deduction: 1           # per occurrence, or for a "no"
        cap: 5                 # optional, per-occurrence items only
        evidence: true         # a deduction needs a photo
        guidance: 抽查10份档案，每份不合规扣1分
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from renkou.supervision.scoring import Style, fmt

MAX_ITEMS = 300
MAX_FILE_BYTES = 2 * 1024 * 1024
ITEMS_SHEET = "督查清单"
META_SHEET = "说明"
LEVEL_WORDS = {"township": 4, "village": 5, "乡镇": 4, "乡镇/街道": 4, "村": 5, "村/居委会": 5}
LEVEL_NAMES = {4: "township", 5: "village"}
LEVEL_LABELS = {4: "乡镇/街道", 5: "村/居委会"}
STYLE_WORDS = {
    "occurrence": Style.OCCURRENCE,
    "按次扣分": Style.OCCURRENCE,
    "按次": Style.OCCURRENCE,
    "yes_no": Style.YES_NO,
    "是否符合": Style.YES_NO,
    "是否": Style.YES_NO,
}
STYLE_LABELS = {Style.OCCURRENCE: "按次扣分", Style.YES_NO: "是否符合"}
YES = {"是", "true", "yes", "1", "y", "需要", "√"}
NO = {"否", "false", "no", "0", "n", "不需要", ""}
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
CODE_RE = re.compile(r"^[A-Za-z0-9.\-]{1,12}$")

# (column header, field) in the order of the Excel sheet.
COLUMNS = [
    ("分类", "topic"),
    ("编号", "code"),
    ("检查内容", "title"),
    ("分值", "points"),
    ("扣分方式", "style"),
    ("扣分标准", "deduction"),
    ("扣分上限", "cap"),
    ("扣分须附照片", "evidence"),
    ("评分说明", "guidance"),
]
META_ROWS = [
    ("名称", "name"),
    ("清单标识", "key"),
    ("年度", "year"),
    ("适用对象", "level"),
    ("逾期整改每项扣分", "overdue_deduction"),
    ("逾期整改扣分上限", "overdue_cap"),
    ("整改期限（天）", "rectify_days"),
]


@dataclass(frozen=True)
class ItemData:
    topic: str
    code: str
    title: str
    points: Decimal
    style: Style
    deduction: Decimal
    cap: Decimal | None
    evidence_required: bool
    guidance: str


@dataclass(frozen=True)
class ChecklistData:
    name: str
    key: str
    year: int
    level: int
    overdue_deduction: Decimal
    overdue_cap: Decimal | None
    rectify_days: int
    items: tuple[ItemData, ...]

    @property
    def full_marks(self) -> Decimal:
        return sum((item.points for item in self.items), Decimal(0))


@dataclass(frozen=True)
class Problem:
    where: str
    column: str
    reason: str


@dataclass
class ChecklistFileError(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "；".join(f"{p.where} {p.column}：{p.reason}" for p in self.problems[:5])


def item_problems(item: ItemData) -> list[tuple[str, str]]:
    """(column, reason) for an item whose numbers do not fit together.

    Shared by the item form and the importers, so both accept the same things.
    """
    problems: list[tuple[str, str]] = []
    if item.points <= 0:
        problems.append(("分值", "分值应大于0。"))
    if item.deduction <= 0:
        problems.append(("扣分标准", "扣分标准应大于0。"))
    elif item.deduction > item.points:
        problems.append(("扣分标准", "扣分标准不能超过本项分值。"))
    if item.cap is not None:
        if item.style is Style.YES_NO:
            problems.append(("扣分上限", "“是否符合”项不设扣分上限，请留空。"))
        elif item.cap <= 0 or item.cap > item.points:
            problems.append(("扣分上限", "扣分上限应大于0且不超过本项分值。"))
        elif item.cap < item.deduction:
            problems.append(("扣分上限", "扣分上限不能小于每次扣分。"))
    return problems


def _decimal(value: Any, *, allow_blank: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if allow_blank:
            return None
        raise ValueError("不能为空。")
    if isinstance(value, bool):
        raise ValueError("应为数字。")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字。") from None
    if not number.is_finite() or number < 0 or number >= 1000:
        raise ValueError("应为0至999之间的数字。")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("最多两位小数。")
    return number.quantize(Decimal("0.01"))


def _text(value: Any, limit: int, *, required: bool) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValueError("不能为空。")
    if len(text) > limit:
        raise ValueError(f"不能超过{limit}个字。")
    return text


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = "" if value is None else str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"“{value}”应填“是”或“否”。")


def _style(value: Any) -> Style:
    text = "" if value is None else str(value).strip()
    if text not in STYLE_WORDS:
        raise ValueError("应填“按次扣分”或“是否符合”。")
    return STYLE_WORDS[text]


def _int(value: Any, low: int, high: int) -> int:
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except (InvalidOperation, AttributeError):
        raise ValueError(f"“{value}”不是整数。") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"“{value}”不是整数。")
    if not low <= number <= high:
        raise ValueError(f"应在{low}至{high}之间。")
    return int(number)


def _level(value: Any) -> int:
    if isinstance(value, int | float) and int(value) in (4, 5):
        return int(value)
    text = "" if value is None else str(value).strip()
    if text not in LEVEL_WORDS:
        raise ValueError("应填“乡镇/街道”或“村/居委会”。")
    return LEVEL_WORDS[text]


def _read_item(raw: Mapping[str, Any], where: str, problems: list[Problem]) -> ItemData | None:
    values: dict[str, Any] = {}
    readers: list[tuple[str, str, Any]] = [
        ("分类", "topic", lambda v: _text(v, 60, required=True)),
        ("编号", "code", lambda v: _text(v, 12, required=True)),
        ("检查内容", "title", lambda v: _text(v, 200, required=True)),
        ("分值", "points", lambda v: _decimal(v)),
        ("扣分方式", "style", _style),
        ("扣分标准", "deduction", lambda v: _decimal(v)),
        ("扣分上限", "cap", lambda v: _decimal(v, allow_blank=True)),
        ("扣分须附照片", "evidence", _bool),
        ("评分说明", "guidance", lambda v: _text(v, 300, required=False)),
    ]
    ok = True
    for column, name, reader in readers:
        try:
            values[name] = reader(raw.get(name))
        except ValueError as exc:
            problems.append(Problem(where, column, str(exc)))
            ok = False
    if ok and not CODE_RE.match(values["code"]):
        problems.append(Problem(where, "编号", "编号只能用字母、数字、点和短横线，最多12位。"))
        ok = False
    if not ok:
        return None
    item = ItemData(
        topic=values["topic"],
        code=values["code"],
        title=values["title"],
        points=values["points"],
        style=values["style"],
        deduction=values["deduction"],
        cap=values["cap"],
        evidence_required=values["evidence"],
        guidance=values["guidance"],
    )
    found = item_problems(item)
    problems.extend(Problem(where, column, reason) for column, reason in found)
    return None if found else item


def _read_meta(
    raw: Mapping[str, Any], place: Mapping[str, str], problems: list[Problem]
) -> dict[str, Any] | None:
    readers: dict[str, Any] = {
        "name": lambda v: _text(v, 100, required=True),
        "key": lambda v: _text(v, 40, required=True),
        "year": lambda v: _int(v, 2000, 2100),
        "level": _level,
        "overdue_deduction": lambda v: _decimal(v, allow_blank=True) or Decimal("0.00"),
        "overdue_cap": lambda v: _decimal(v, allow_blank=True),
        "rectify_days": lambda v: 15 if v in (None, "") else _int(v, 1, 365),
    }
    labels = {name: label for label, name in META_ROWS}
    meta: dict[str, Any] = {}
    for name, reader in readers.items():
        try:
            meta[name] = reader(raw.get(name))
        except ValueError as exc:
            problems.append(Problem(place.get(name, META_SHEET), labels[name], str(exc)))
    if "key" in meta and not KEY_RE.match(meta["key"]):
        problems.append(
            Problem(
                place.get("key", META_SHEET),
                "清单标识",
                "清单标识只能用小写字母、数字和短横线，如 township。",
            )
        )
        return None
    return meta if len(meta) == len(readers) else None


def _assemble(
    meta: dict[str, Any] | None,
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    problems: list[Problem],
) -> ChecklistData:
    items: list[ItemData] = []
    seen: dict[str, str] = {}
    count = 0
    for where, raw in rows:
        count += 1
        if count > MAX_ITEMS:
            problems.append(Problem(where, "", f"检查项超过{MAX_ITEMS}个，请拆分清单。"))
            break
        item = _read_item(raw, where, problems)
        if item is None:
            continue
        if item.code in seen:
            problems.append(Problem(where, "编号", f"编号 {item.code} 与{seen[item.code]}重复。"))
            continue
        seen[item.code] = where
        items.append(item)
    if count == 0:
        problems.append(Problem(ITEMS_SHEET, "", "文件中没有检查项。"))
    if problems or meta is None:
        raise ChecklistFileError(problems)
    return ChecklistData(items=tuple(items), **meta)


def read_yaml(content: bytes) -> ChecklistData:
    problems: list[Problem] = []
    if len(content) > MAX_FILE_BYTES:
        raise ChecklistFileError([Problem("文件", "", "文件超过2 MB。")])
    try:
        data = yaml.safe_load(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"第{line + 1}行" if line is not None else "文件"
        raise ChecklistFileError([Problem(where, "", "不是有效的UTF-8 YAML文件。")]) from None
    if not isinstance(data, dict):
        raise ChecklistFileError(
            [Problem("文件", "", "文件顶层应为键值对（name、year、items…）。")]
        )
    meta = _read_meta(data, {}, problems)
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        problems.append(Problem("items", "", "缺少 items 列表。"))
        raise ChecklistFileError(problems)
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for index, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(f"第{index}项", "", "每个检查项应为键值对。"))
            continue
        rows.append((f"第{index}项", raw))
    return _assemble(meta, rows, problems)


def read_xlsx(content: bytes) -> ChecklistData:
    from python_calamine import CalamineWorkbook

    if len(content) > MAX_FILE_BYTES:
        raise ChecklistFileError([Problem("文件", "", "文件超过2 MB。")])
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = list(book.sheet_names)
    except Exception:  # calamine raises its own types for every kind of broken file
        raise ChecklistFileError([Problem("文件", "", "无法读取，请上传 .xlsx 文件。")]) from None
    problems: list[Problem] = []
    if ITEMS_SHEET not in names:
        raise ChecklistFileError([Problem("文件", "", f"缺少“{ITEMS_SHEET}”工作表。")])
    meta: dict[str, Any] | None = None
    if META_SHEET in names:
        raw_meta: dict[str, Any] = {}
        place: dict[str, str] = {}
        labels = dict(META_ROWS)
        for number, row in enumerate(book.get_sheet_by_name(META_SHEET).to_python(), start=1):
            if len(row) >= 2 and str(row[0]).strip() in labels:
                name = labels[str(row[0]).strip()]
                raw_meta[name] = row[1]
                place[name] = f"“{META_SHEET}”第{number}行"
        meta = _read_meta(raw_meta, place, problems)
    else:
        problems.append(Problem("文件", "", f"缺少“{META_SHEET}”工作表。"))
    table = book.get_sheet_by_name(ITEMS_SHEET).to_python()
    if not table:
        problems.append(Problem(ITEMS_SHEET, "", "工作表是空的。"))
        raise ChecklistFileError(problems)
    header = [str(cell).strip() for cell in table[0]]
    index: dict[str, int] = {}
    for label, name in COLUMNS:
        if label in header:
            index[name] = header.index(label)
        elif name not in {"cap", "guidance", "evidence"}:
            problems.append(Problem(f"“{ITEMS_SHEET}”第1行", label, "缺少这一列。"))
    if problems and not index:
        raise ChecklistFileError(problems)
    rows: list[tuple[str, Mapping[str, Any]]] = []
    for number, row in enumerate(table[1:], start=2):
        if all(str(cell).strip() == "" for cell in row):
            continue
        raw = {name: (row[i] if i < len(row) else None) for name, i in index.items()}
        rows.append((f"“{ITEMS_SHEET}”第{number}行", raw))
    return _assemble(meta, rows, problems)


def read_file(name: str, content: bytes) -> ChecklistData:
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return read_yaml(content)
    if lower.endswith(".xlsx"):
        return read_xlsx(content)
    raise ChecklistFileError([Problem("文件", "", "请上传 .xlsx 或 .yaml 文件。")])


def _number(value: Decimal | None) -> str | None:
    return None if value is None else fmt(value)


def to_yaml(data: ChecklistData) -> str:
    document = {
        "name": data.name,
        "key": data.key,
        "year": data.year,
        "level": LEVEL_NAMES[data.level],
        "overdue_deduction": _number(data.overdue_deduction),
        "overdue_cap": _number(data.overdue_cap),
        "rectify_days": data.rectify_days,
        "items": [
            {
                "topic": item.topic,
                "code": item.code,
                "title": item.title,
                "points": _number(item.points),
                "style": item.style.value,
                "deduction": _number(item.deduction),
                "cap": _number(item.cap),
                "evidence": item.evidence_required,
                "guidance": item.guidance,
            }
            for item in data.items
        ],
    }
    header = f"# {data.name}（{data.year}年） 满分{fmt(data.full_marks)}分\n"
    return header + yaml.safe_dump(
        document, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000
    )


def to_xlsx(data: ChecklistData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = ITEMS_SHEET
    sheet.append([label for label, _ in COLUMNS])
    for item in data.items:
        sheet.append(
            [
                item.topic,
                item.code,
                item.title,
                float(item.points),
                STYLE_LABELS[item.style],
                float(item.deduction),
                None if item.cap is None else float(item.cap),
                "是" if item.evidence_required else "否",
                item.guidance,
            ]
        )
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E7F2F2")
    for cell in sheet[1]:
        cell.font = bold
        cell.fill = fill
    for letter, width in zip("ABCDEFGHI", [16, 8, 40, 8, 12, 10, 10, 14, 40], strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in (row[2], row[8]):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    last = max(len(data.items) + 200, 300)
    style = DataValidation(type="list", formula1='"按次扣分,是否符合"', allow_blank=False)
    evidence = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    numbers = DataValidation(type="decimal", operator="between", formula1="0", formula2="999")
    for validation in (style, evidence, numbers):
        sheet.add_data_validation(validation)
    style.add(f"E2:E{last}")
    evidence.add(f"H2:H{last}")
    numbers.add(f"D2:D{last}")
    numbers.add(f"F2:G{last}")

    meta = book.create_sheet(META_SHEET)
    values: dict[str, Any] = {
        "name": data.name,
        "key": data.key,
        "year": data.year,
        "level": LEVEL_LABELS[data.level],
        "overdue_deduction": float(data.overdue_deduction),
        "overdue_cap": None if data.overdue_cap is None else float(data.overdue_cap),
        "rectify_days": data.rectify_days,
    }
    meta.append(["项目", "值"])
    for label, name in META_ROWS:
        meta.append([label, values[name]])
    meta.append([])
    meta.append(
        ["填写说明", "“扣分方式”填“按次扣分”或“是否符合”。按次扣分：每发现一处问题扣“扣分标准”分，"]
    )
    meta.append(
        ["", "最多扣“扣分上限”分（留空则扣完本项分值为止）；是否符合：不符合时扣“扣分标准”分。"]
    )
    meta.append(["", "“逾期整改每项扣分”为0时，上月逾期未完成的整改任务不计入本月得分。"])
    meta.column_dimensions["A"].width = 20
    meta.column_dimensions["B"].width = 60
    for cell in meta[1]:
        cell.font = bold
        cell.fill = fill
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def checklist_data(
    *,
    name: str,
    key: str,
    year: int,
    level: int,
    overdue_deduction: Decimal,
    overdue_cap: Decimal | None,
    rectify_days: int,
    items: Sequence[ItemData],
) -> ChecklistData:
    return ChecklistData(
        name=name,
        key=key,
        year=year,
        level=level,
        overdue_deduction=overdue_deduction,
        overdue_cap=overdue_cap,
        rectify_days=rectify_days,
        items=tuple(items),
    )
