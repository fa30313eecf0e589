"""The league table as an Excel workbook, for the office that files it."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from renkou.reporting.excel import neutralise
from renkou.scoring.check import to_decimal

if TYPE_CHECKING:
    from renkou.assessment.selectors import League

HEAD_FILL = PatternFill("solid", start_color="FFE7F2F2", end_color="FFE7F2F2")
GRADE_FILLS = {
    "g-top": PatternFill("solid", start_color="FFD8F0DE", end_color="FFD8F0DE"),
    "g-mid": PatternFill("solid", start_color="FFE3EEF9", end_color="FFE3EEF9"),
    "g-low": PatternFill("solid", start_color="FFFFF1D6", end_color="FFFFF1D6"),
    "g-bottom": PatternFill("solid", start_color="FFF9DADA", end_color="FFF9DADA"),
}


def _number(value: object) -> float | int | None:
    number = to_decimal(value)
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def league_workbook(table: League) -> bytes:
    run = table.run
    items = [(str(i.get("code")), str(i.get("name"))) for i in run.scheme_data.get("items") or []]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "考核结果"
    sheet.append([f"{run.year}年度{run.scheme.name}考核结果（{run.root.name}）"])
    sheet["A1"].font = Font(bold=True, size=14)
    head = [
        "名次",
        "类别内名次",
        "区划代码",
        "单位",
        "类别",
        "总分",
        "调整前总分",
        "等级",
        "否决",
        "等级封顶",
    ]
    head += [name for _code, name in items]
    sheet.append(head)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    classes = dict(table.classes)
    for row in table.rows:
        unit = row.unit
        scores = {
            str(e.get("code")): e.get("score") for e in (unit.result or {}).get("items") or []
        }
        sheet.append(
            [
                unit.rank,
                unit.class_rank,
                unit.orgunit.code,
                neutralise(unit.orgunit.name),
                classes.get(unit.class_code, unit.class_code),
                _number(unit.total),
                _number(unit.raw_total) if row.adjusted else None,
                unit.grade,
                "、".join(row.vetoes),
                row.ceiling or "",
                *[_number(scores.get(code)) for code, _name in items],
            ]
        )
        fill = GRADE_FILLS.get(row.grade_css)
        if fill is not None:
            sheet.cell(row=sheet.max_row, column=8).fill = fill
    widths = {"A": 6, "B": 8, "C": 15, "D": 22, "E": 10, "F": 8, "G": 10, "H": 8, "I": 18, "J": 12}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "E3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
