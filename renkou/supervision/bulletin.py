"""The monthly bulletin (督查通报) as PDF (WeasyPrint) and Excel.

Both are made from the results frozen when the month was published, so the
same bulletin comes out however often it is downloaded.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from renkou.orgunits.models import Level
from renkou.supervision import selectors
from renkou.supervision.models import (
    InspectionResult,
    MonthlyResult,
    Plan,
    RectificationTask,
)
from renkou.supervision.results import average
from renkou.supervision.scoring import fmt


def _date_zh(value: Any) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def bulletin_context(plan: Plan) -> dict[str, Any]:
    results = selectors.published_results(plan)
    problems = selectors.main_problems(plan)
    townships = [r for r in results if r.level == Level.TOWNSHIP]
    villages = [r for r in results if r.level == Level.VILLAGE]
    for row in results:
        row.problems = problems.get(row.inspection_id, [])[:3]  # type: ignore[attr-defined]
    township_scores = [r.score for r in townships]
    best = townships[0] if townships else None
    worst = townships[-1] if townships else None
    # Overdue as it stood when the bulletin was issued: past the deadline and
    # not handed in by then (whatever happened to the task since).
    issued = plan.closed_at or timezone.now()
    overdue_qs = RectificationTask.objects.filter(
        Q(done_at__isnull=True) | Q(done_at__gt=issued),
        plan__root=plan.root,
        deadline__lt=timezone.localtime(issued).date(),
    )
    overdue = list(
        overdue_qs.select_related("unit", "unit__parent", "plan").order_by("deadline", "id")[:30]
    )
    # 区督查组 / 县督查组: the organiser's own word for itself.
    area = plan.root.name[-1] if plan.root.name[-1:] in {"区", "县", "市", "旗"} else ""
    return {
        "plan": plan,
        "root": plan.root,
        "area": area,
        "issued_on": _date_zh(plan.closed_at),
        "townships": townships,
        "villages": villages,
        "bottom": [r for r in townships if r.bottom],
        "village_bottom": [r for r in villages if r.bottom],
        "repeat": [r for r in townships if r.repeat],
        "average": fmt(average(township_scores) or Decimal(0)) if township_scores else "",
        "village_average": fmt(average([r.score for r in villages]) or Decimal(0))
        if villages
        else "",
        "best": best,
        "worst": worst,
        "top_deductions": selectors.top_deductions(plan),
        "tasks_opened": RectificationTask.objects.filter(plan=plan).count(),
        "overdue": overdue,
        "overdue_total": overdue_qs.count(),
        "summary": plan.summary or {},
        "template": plan.template,
        "village_template": plan.village_template,
    }


def render_pdf(plan: Plan) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string("supervision/bulletin_pdf.html", bulletin_context(plan))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def render_xlsx(plan: Plan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    context = bulletin_context(plan)
    book = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="E7F2F2")
    flagged = PatternFill("solid", fgColor="FDECEC")

    def table(sheet: Any, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        sheet.append(header)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
            cell.fill = fill
        for row in rows:
            sheet.append(row)
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.freeze_panes = sheet.cell(row=2, column=1)

    def ranking_rows(rows: list[MonthlyResult], with_parent: bool) -> list[list[Any]]:
        out = []
        for r in rows:
            line: list[Any] = [r.rank, r.unit.name]
            if with_parent:
                line.append(r.unit.parent.name if r.unit.parent else "")
            line += [
                float(r.score),
                "是" if r.bottom else "",
                "是" if r.repeat else "",
                "；".join(getattr(r, "problems", [])),
                r.explanation,
            ]
            out.append(line)
        return out

    sheet = book.active
    sheet.title = "乡镇排名"
    table(
        sheet,
        ["名次", "乡镇（街道）", "得分", "后进", "屡次后进", "主要问题", "说明"],
        ranking_rows(context["townships"], False),
        [6, 16, 8, 6, 9, 50, 60],
    )
    for row_cells, result in zip(sheet.iter_rows(min_row=2), context["townships"], strict=False):
        if result.bottom:
            for cell in row_cells:
                cell.fill = flagged
    village_sheet = book.create_sheet("抽查村居")
    table(
        village_sheet,
        ["名次", "村（居）", "所属乡镇", "得分", "后进", "屡次后进", "主要问题", "说明"],
        ranking_rows(context["villages"], True),
        [6, 18, 14, 8, 6, 9, 50, 60],
    )
    details = book.create_sheet("扣分明细")
    detail_rows = [
        [
            r.inspection.unit.name,
            r.item.code,
            r.item.topic,
            r.item.title,
            float(r.deduction or 0),
            float(r.score or 0),
            r.explanation,
            r.note,
        ]
        for r in InspectionResult.objects.filter(inspection__plan=plan, deduction__gt=0)
        .select_related("inspection__unit", "item")
        .order_by("inspection__unit__code", "item__position")
    ]
    table(
        details,
        ["单位", "编号", "分类", "检查内容", "扣分", "得分", "扣分说明", "问题描述"],
        detail_rows,
        [16, 6, 14, 36, 6, 6, 50, 40],
    )
    tasks = book.create_sheet("整改任务")
    task_rows = [
        [
            t.unit.name,
            t.title,
            t.deadline.isoformat(),
            t.get_status_display(),
            "是" if t.done_late else "",
        ]
        for t in RectificationTask.objects.filter(plan=plan)
        .select_related("unit")
        .order_by("unit__code", "id")
    ]
    table(tasks, ["单位", "问题", "整改期限", "状态", "逾期完成"], task_rows, [16, 40, 12, 8, 9])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
