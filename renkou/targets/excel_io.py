"""The Excel round trip for targets: a template with drop-downs and
instructions, an upload checked cell by cell, a confirmed all-or-nothing write.

One row per unit and indicator. Row 2 holds field codes so the columns may be
moved. Blank target cells mean "leave this target as it is". The upload is
kept in the same staging folder as the reporting imports (readable only by
whoever uploaded it). Nothing is written while any row has a problem; the
user downloads the workbook with the bad cells marked, fixes and uploads it
again. Formulas are refused; text is written back with formula characters
neutralised.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.http import Http404
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineError, CalamineWorkbook

from renkou.catalog.models import DataElement, Indicator, ValueType
from renkou.orgunits.models import OrgUnit
from renkou.reporting.excel import (
    CODE_FONT,
    HEAD_FILL,
    HEAD_FONT,
    CellProblem,
    ExcelFileError,
    _cell,
    _check_zip,
    _text,
    formula_cells,
    mark_workbook,
    neutralise,
)
from renkou.reporting.excel_flow import Staged, get_upload_for_user, save_record, stage_upload
from renkou.targets.access import TargetError, may_set_for
from renkou.targets.actions import _catalogue_codes, _check, do_set_targets
from renkou.targets.board import code_sort_key
from renkou.targets.forms import MAX_YEAR, MIN_YEAR
from renkou.targets.models import Direction, Target, TargetKind, TargetSource
from renkou.targets.types import TargetInput

if TYPE_CHECKING:
    from renkou.accounts.models import User

DATA_SHEET = "数据"  # the name mark_workbook looks for
HELP_SHEET = "填写说明"
LIST_SHEET = "选项"
META_SHEET = "_meta"
MARKER = "renkou-targets"
FORMAT_VERSION = 1
FIELDS = (
    ("orgunit", "单位代码"),
    ("name", "单位名称"),
    ("code", "指标编码"),
    ("code_name", "指标名称"),
    ("kind", "类型"),
    ("direction", "方向"),
    ("value", "目标值"),
    ("low", "下限"),
    ("high", "上限"),
    ("basis", "依据说明"),
)
LETTER = {code: get_column_letter(i + 1) for i, (code, _label) in enumerate(FIELDS)}
HEADER = dict(FIELDS)
FIRST_ROW = 3
KIND_LABEL = {k.value: str(k.label) for k in TargetKind}
DIRECTION_LABEL = {d.value: str(d.label) for d in Direction}
DEFAULT_CODES = (
    "births",
    "prepreg_checks",
    "registration_timeliness",
    "srb",
    "subsidy_payment_rate",
    "special_contact_coverage",
    "report_timeliness",
)
MAX_ROWS = 50_000
UPLOAD_KIND = "targets"


def _names() -> dict[str, str]:
    names = dict(DataElement.objects.exclude(value_type=ValueType.TEXT).values_list("code", "name"))
    names.update(Indicator.objects.values_list("code", "name"))
    return names


def template_units(user: User, scope: OrgUnit) -> list[OrgUnit]:
    """The scope unit and its children, those whose targets the user may set."""
    units = [scope, *OrgUnit.objects.filter(parent=scope, closed_on__isnull=True).order_by("path")]
    return [u for u in units if may_set_for(user, u)]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def build(year: int, scope: OrgUnit, units: Sequence[OrgUnit]) -> bytes:
    """The template: every unit × every code in use (or the usual codes), filled in."""
    existing: dict[tuple[int, str], Target] = {
        (t.orgunit_id, t.code): t
        for t in Target.objects.filter(year=year, orgunit__in=[*units, scope])
    }
    codes = sorted({code for _unit, code in existing} or set(DEFAULT_CODES), key=code_sort_key)
    names = _names()
    parent_targets = {code: t for (unit_id, code), t in existing.items() if unit_id == scope.pk}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(DATA_SHEET)
    ws.freeze_panes = "C3"
    for code, width in (("orgunit", 15), ("name", 20), ("code", 24), ("code_name", 20)):
        ws.column_dimensions[LETTER[code]].width = width
    ws.column_dimensions[LETTER["basis"]].width = 40
    rows = len(units) * len(codes)
    last = FIRST_ROW + max(rows, 1) - 1 + 200  # room for rows the user adds
    lists = wb.create_sheet(LIST_SHEET)
    all_codes = sorted(names)
    for code in all_codes:
        lists.append([code])
    for area, formula in (
        (
            f"{LETTER['code']}{FIRST_ROW}:{LETTER['code']}{last}",
            f"{LIST_SHEET}!$A$1:$A${len(all_codes)}",
        ),
        (
            f"{LETTER['kind']}{FIRST_ROW}:{LETTER['kind']}{last}",
            '"' + ",".join(KIND_LABEL.values()) + '"',
        ),
        (
            f"{LETTER['direction']}{FIRST_ROW}:{LETTER['direction']}{last}",
            '"' + ",".join(DIRECTION_LABEL.values()) + '"',
        ),
    ):
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error = "请从下拉列表中选择"
        dv.add(area)
        ws.data_validations.append(dv)
    numbers = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1000000000",
        formula2="1000000000",
        allow_blank=True,
    )
    numbers.error = "请填写数字"
    numbers.add(f"{LETTER['value']}{FIRST_ROW}:{LETTER['high']}{last}")
    ws.data_validations.append(numbers)
    ws.append([_cell(ws, label, font=HEAD_FONT, fill=HEAD_FILL, wrap=True) for _c, label in FIELDS])
    ws.append([_cell(ws, code, font=CODE_FONT) for code, _label in FIELDS])
    for unit in units:
        for code in codes:
            target = existing.get((unit.pk, code)) or parent_targets.get(code)
            mine = existing.get((unit.pk, code))
            kind = target.kind if target else _default_kind(code)
            direction = target.direction if target else Direction.AT_LEAST
            ws.append(
                [
                    _cell(ws, unit.code, text=True),
                    neutralise(unit.name),
                    code,
                    neutralise(names.get(code, code)),
                    KIND_LABEL[kind],
                    DIRECTION_LABEL[direction],
                    _number(mine.value) if mine else None,
                    _number(mine.low) if mine else None,
                    _number(mine.high) if mine else None,
                    neutralise(mine.basis) if mine else "",
                ]
            )
    help_sheet = wb.create_sheet(HELP_SHEET)
    help_sheet.column_dimensions["A"].width = 100
    for line in _instructions(year, scope, codes, names):
        help_sheet.append([neutralise(line)])
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "veryHidden"
    meta.append([MARKER, FORMAT_VERSION])
    meta.append(["year", year])
    meta.append(["scope", scope.code])
    meta.append(["generated", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")])
    lists.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _default_kind(code: str) -> str:
    return TargetKind.COUNT if code in {"births", "prepreg_checks", "deaths"} else TargetKind.RATE


def _instructions(
    year: int, scope: OrgUnit, codes: Sequence[str], names: dict[str, str]
) -> list[str]:
    lines = [
        f"{scope.name} {year}年目标",
        "",
        "怎样填写：",
        "1. “数据”工作表中每个单位每项指标一行；已设定的目标已经填好，可直接修改。",
        "2. 第1行是列名，第2行是列编码（灰色小字），请不要修改或删除第2行。",
        "3. 单位代码是文本，请不要改成数字；指标编码、类型、方向请从下拉列表中选择。",
        "4. “不低于”“不高于”填写目标值；"
        "“区间内”（如出生人口性别比103–107）填写下限和上限，不填目标值。",
        "5. 数量目标（如出生人数）填不小于0的整数；比率目标填百分数的数字，如95表示95%。",
        "6. 目标值、下限、上限都留空的行不会改变已有目标。只填数字，不要填公式。",
        "7. 责任状已下达的单位调整目标，确认导入时须填写调整理由。",
        "8. 上传后先看预览：有问题的单元格逐一列出（行、列、原因），也可下载标红的文件；"
        "全部没有问题才能确认导入。",
        "",
        "指标：",
    ]
    lines += [f"{code}：{names.get(code, code)}" for code in codes]
    return lines


# -- reading an upload -----------------------------------------------------------------


@dataclass
class Preview:
    year: int = 0
    scope_code: str = ""
    scope_name: str = ""
    rows: list[TargetInput] = field(default_factory=list)
    problems: list[CellProblem] = field(default_factory=list)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    error: str = ""  # the file as a whole cannot be read
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems and (self.new + self.changed) > 0


def _decimal(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    text = str(raw).strip().replace(",", "").removesuffix("%")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _choice(raw: Any, labels: dict[str, str]) -> str | None:
    text = _text(raw)
    for value, label in labels.items():
        if text in (value, label):
            return value
    return None


def _read(path: Path) -> tuple[dict[str, str], list[list[Any]], set[tuple[str, int]]]:
    archive = _check_zip(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, ValueError, OSError):
        raise ExcelFileError("无法读取该 Excel 文件，文件可能已损坏或设有密码。") from None
    names = workbook.sheet_names
    if DATA_SHEET not in names:
        raise ExcelFileError(f"找不到名为“{DATA_SHEET}”的工作表。请使用本系统下载的目标模板。")
    meta: dict[str, str] = {}
    if META_SHEET in names:
        for row in workbook.get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False):
            if len(row) >= 2:
                meta[_text(row[0])] = _text(row[1])
    if meta.get(MARKER) != str(FORMAT_VERSION) or not meta.get("year") or not meta.get("scope"):
        raise ExcelFileError("该文件不是本系统生成的目标模板，请重新下载目标模板后填写。")
    sheet = workbook.get_sheet_by_name(DATA_SHEET)
    if sheet.height > MAX_ROWS:
        raise ExcelFileError(f"“{DATA_SHEET}”工作表超过 {MAX_ROWS} 行，不像是本系统的模板。")
    table = sheet.to_python(skip_empty_area=False)
    return meta, table, set(formula_cells(archive, DATA_SHEET))


def check(user: User, path: Path) -> Preview:
    """Every problem of the upload by row, column and reason; what it would change."""
    preview = Preview()
    try:
        meta, table, formulas = _read(path)
    except ExcelFileError as exc:
        preview.error = str(exc)
        return preview
    try:
        preview.year = int(meta["year"])
    except ValueError:
        preview.year = 0
    if not MIN_YEAR <= preview.year <= MAX_YEAR:
        preview.error = "模板中的年度无效，请重新下载目标模板。"
        return preview
    scope = OrgUnit.objects.filter(code=meta["scope"]).first()
    if scope is None or (
        not may_set_for(user, scope)
        and not any(may_set_for(user, c) for c in OrgUnit.objects.filter(parent=scope)[:1])
    ):
        preview.error = "该模板所属单位不在您的管辖范围内，或您无权设定其目标。"
        return preview
    preview.scope_code, preview.scope_name = scope.code, scope.name
    if len(table) < 2:
        preview.error = f"“{DATA_SHEET}”工作表是空的。"
        return preview
    codes = [_text(c) for c in table[1]]
    missing = [
        label for code, label in FIELDS if code not in codes and code not in ("name", "code_name")
    ]
    if missing:
        preview.error = f"第2行缺少列编码（{'、'.join(missing)}），请不要修改模板的第2行。"
        return preview
    position = {code: codes.index(code) for code, _label in FIELDS if code in codes}
    letter = {code: get_column_letter(i + 1) for code, i in position.items()}
    units = {
        u.code: u
        for u in OrgUnit.objects.filter(
            code__in={
                _text(r[position["orgunit"]]) for r in table[2:] if len(r) > position["orgunit"]
            }
        )
    }
    catalogue = _catalogue_codes()
    seen: dict[tuple[int, str], int] = {}

    def problem(row: int, code: str, reason: str) -> None:
        preview.problems.append(
            CellProblem(row, letter.get(code, ""), HEADER.get(code, ""), reason)
        )

    for offset, record in enumerate(table[FIRST_ROW - 1 :]):
        number = FIRST_ROW + offset

        def cell(code: str, record: list[Any] = record) -> Any:
            index = position.get(code)
            return record[index] if index is not None and index < len(record) else None

        if all(cell(c) in (None, "") for c in ("orgunit", "code", "value", "low", "high")):
            continue
        if any((letter[c], number) in formulas for c in letter):
            for c in letter:
                if (letter[c], number) in formulas:
                    problem(number, c, "单元格含公式，请改为直接填写")
            continue
        if all(cell(c) in (None, "") for c in ("value", "low", "high")):
            continue  # no target given: leave it as it is
        before = len(preview.problems)
        unit = units.get(_text(cell("orgunit")))
        if unit is None:
            problem(number, "orgunit", "单位代码不存在")
        elif not unit.is_within(scope) or not may_set_for(user, unit):
            problem(number, "orgunit", "该单位不在本模板范围内，或您无权设定其目标")
        code = _text(cell("code"))
        if code not in catalogue:
            problem(number, "code", f"指标编码“{code[:30]}”不在指标目录中")
        kind = _choice(cell("kind"), KIND_LABEL)
        if kind is None:
            problem(number, "kind", "类型应从下拉列表选择“数量”或“比率”")
        direction = _choice(cell("direction"), DIRECTION_LABEL)
        if direction is None:
            problem(number, "direction", "方向应从下拉列表选择“不低于”“不高于”或“区间内”")
        numbers: dict[str, Decimal | None] = {}
        for c in ("value", "low", "high"):
            try:
                numbers[c] = _decimal(cell(c))
            except ValueError:
                problem(number, c, "不是有效的数字")
        basis = _text(cell("basis"))
        if len(preview.problems) > before:
            continue
        assert unit is not None and kind is not None and direction is not None
        key = (unit.pk, code)
        if key in seen:
            problem(number, "code", f"与第{seen[key]}行重复（同一单位同一指标）")
            continue
        seen[key] = number
        data = TargetInput(
            unit.pk, code, kind, direction, numbers["value"], numbers["low"], numbers["high"], basis
        )
        try:
            checked = _check(data, f"{unit.name} {code}", catalogue)
        except TargetError as exc:
            reason = exc.message.split("：", 1)[-1].rstrip("。")
            column = "low" if "下限" in reason or "区间" in reason else "value"
            problem(number, column, reason)
            continue
        preview.rows.append(checked)
    _compare(preview)
    return preview


def _compare(preview: Preview) -> None:
    existing = {
        (t.orgunit_id, t.code): t
        for t in Target.objects.filter(
            year=preview.year, orgunit_id__in={r.orgunit_id for r in preview.rows}
        ).select_related("orgunit")
    }
    names = {
        u.pk: u.name for u in OrgUnit.objects.filter(pk__in={r.orgunit_id for r in preview.rows})
    }
    for row in preview.rows:
        old = existing.get((row.orgunit_id, row.code))
        if old is None:
            preview.new += 1
            status = "new"
        elif (old.kind, old.direction, old.value, old.low, old.high, old.basis) == (
            row.kind,
            row.direction,
            row.value,
            row.low,
            row.high,
            row.basis,
        ) and old.source == TargetSource.IMPORTED:
            preview.unchanged += 1
            continue
        else:
            preview.changed += 1
            status = "changed"
        preview.changes.append(
            {
                "unit": names.get(row.orgunit_id, ""),
                "code": row.code,
                "status": status,
                "old": _shown(old.value, old.low, old.high) if old else "",
                "new": _shown(row.value, row.low, row.high),
            }
        )


def _shown(value: Decimal | None, low: Decimal | None, high: Decimal | None) -> str:
    def fmt(number: Decimal | None) -> str:
        return "" if number is None else format(number.normalize(), "f")

    return fmt(value) if value is not None else f"{fmt(low)}–{fmt(high)}"


def stage(user: User, upload: Any) -> Staged:
    staged = stage_upload(user, upload)
    staged.record["kind"] = UPLOAD_KIND
    save_record(staged)
    return staged


def get_staged(user: User, key: str) -> Staged:
    staged = get_upload_for_user(user, key)
    if staged.record.get("kind") != UPLOAD_KIND:
        raise Http404("没有找到该上传文件，或它已过期。")
    return staged


def confirm(user: User, staged: Staged, reason: str) -> list[Target]:
    """Check the file again against the database as it is now, then write it all."""
    preview = check(user, staged.path)
    if preview.error or preview.problems:
        raise TargetError(preview.error or "文件中还有问题，请修改后重新上传。")
    return do_set_targets(
        acting_user=user,
        year=preview.year,
        rows=preview.rows,
        source=TargetSource.IMPORTED,
        reason=reason,
    )


def marked(path: Path, preview: Preview) -> bytes:
    return mark_workbook(path, preview.problems)
