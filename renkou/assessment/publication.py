"""The notice (通报) of a published run, as PDF (WeasyPrint) and Excel.

Both are made once, when the run is published, from the frozen results, and
stored with the publication; downloads return exactly those bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from renkou.assessment.models import Adjustment, AppealStatus, DecisionStatus, Run
from renkou.assessment.review_context import default_title

COMMENDED_GRADE = "优秀"
FAILING_GRADE = "不合格"
LEVEL_WORDS = {4: "乡镇（街道）", 5: "村（居）"}


def _date_zh(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日"


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class NoticeRow:
    rank: int | None
    class_rank: int | None
    code: str
    name: str
    parent: str
    class_name: str
    raw_total: Decimal | None
    total: Decimal | None
    grade: str
    vetoed: bool
    vetoes: list[str]
    adjusted: bool

    @property
    def total_text(self) -> str:
        return _num(self.total)

    @property
    def raw_total_text(self) -> str:
        return _num(self.raw_total)


@dataclass
class Notice:
    run: Run
    title: str
    number: str
    issuer: str
    issued_on: str
    level_word: str
    rows: list[NoticeRow]
    commended: list[NoticeRow]
    must_rectify: list[NoticeRow]
    grade_counts: list[tuple[str, int]]
    adjustments: list[Adjustment] = field(default_factory=list)
    appeals_total: int = 0
    appeals_upheld: int = 0

    @property
    def has_classes(self) -> bool:
        return any(row.class_name for row in self.rows)

    @property
    def context(self) -> dict[str, Any]:
        return {"notice": self, "run": self.run}


def default_number(run: Run, issued: dt.date | dt.datetime) -> str:
    owner = run.scheme.owner.name
    short = owner[:2] if len(owner) > 2 else owner
    return f"{short}人口考〔{issued.year}〕{run.pk}号"


def build_notice(
    run: Run,
    *,
    title: str | None = None,
    number: str = "",
    issued: dt.datetime | None = None,
) -> Notice:
    issued = issued or run.published_at or timezone.now()
    classes = {
        str(c.get("code")): str(c.get("name", c.get("code")))
        for c in (run.scheme_data or {}).get("classes", [])
    }
    veto_names = {
        str(v.get("code")): str(v.get("name", v.get("code")))
        for v in (run.scheme_data or {}).get("vetoes", [])
    }
    rows: list[NoticeRow] = []
    for unit in run.units.select_related("orgunit", "orgunit__parent").order_by(
        "rank", "orgunit__path"
    ):
        rows.append(
            NoticeRow(
                rank=unit.rank,
                class_rank=unit.class_rank,
                code=unit.orgunit.code,
                name=unit.orgunit.name,
                parent=unit.orgunit.parent.name if unit.orgunit.parent else "",
                class_name=classes.get(unit.class_code, unit.class_code),
                raw_total=unit.raw_total,
                total=unit.total,
                grade=unit.grade,
                vetoed=unit.vetoed,
                vetoes=[
                    veto_names.get(str(code), str(code))
                    for code in (unit.result or {}).get("vetoes") or []
                ],
                adjusted=unit.raw_total != unit.total,
            )
        )
    order = [str(g.get("name")) for g in (run.scheme_data or {}).get("grades", [])]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.grade] = counts.get(row.grade, 0) + 1
    grade_counts = [(g, counts.get(g, 0)) for g in order] or sorted(counts.items())
    owner = run.scheme.owner
    return Notice(
        run=run,
        title=title or default_title(run),
        number=number or default_number(run, issued),
        issuer=f"{owner.name}人口家庭工作领导小组",
        issued_on=_date_zh(issued),
        level_word=LEVEL_WORDS.get(run.scheme.level, "单位"),
        rows=rows,
        commended=[r for r in rows if r.grade == COMMENDED_GRADE and not r.vetoed],
        must_rectify=[r for r in rows if r.grade == FAILING_GRADE or r.vetoed],
        grade_counts=grade_counts,
        adjustments=list(
            run.adjustments.filter(status=DecisionStatus.APPROVED)
            .select_related("orgunit")
            .order_by("orgunit__path", "decided_at")
        ),
        appeals_total=run.appeals.exclude(status=AppealStatus.WITHDRAWN).count(),
        appeals_upheld=run.appeals.filter(status=AppealStatus.UPHELD).count(),
    )


def render_pdf(notice: Notice) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string("assessment/review/notice_pdf.html", notice.context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def render_xlsx(notice: Notice) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E7F2F2")
    good = PatternFill("solid", fgColor="E6F4EA")
    bad = PatternFill("solid", fgColor="FDECEC")

    def table(sheet: Any, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
        sheet.append([notice.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append([f"{notice.number}　{notice.issuer}　{notice.issued_on}"])
        sheet.append(header)
        for cell in sheet[3]:
            cell.font = bold
            cell.fill = head_fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            sheet.append(row)
        for index, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + index)].width = width
        sheet.freeze_panes = sheet.cell(row=4, column=1)

    sheet = book.active
    sheet.title = "考核排名"
    village = notice.run.scheme.level == 5
    header = ["名次", notice.level_word]
    if village:
        header.append("所属乡镇（街道）")
    header += ["类别", "类内名次", "原始得分", "最终得分", "等级", "一票否决"]
    rows = []
    for r in notice.rows:
        line: list[Any] = [r.rank, r.name]
        if village:
            line.append(r.parent)
        line += [
            r.class_name,
            r.class_rank,
            float(r.raw_total) if r.raw_total is not None else None,
            float(r.total) if r.total is not None else None,
            r.grade,
            "、".join(r.vetoes) if r.vetoed else "",
        ]
        rows.append(line)
    widths = [6, 18] + ([16] if village else []) + [10, 9, 10, 10, 8, 20]
    table(sheet, header, rows, widths)
    for cells, r in zip(sheet.iter_rows(min_row=4), notice.rows, strict=False):
        fill = good if r in notice.commended else bad if r in notice.must_rectify else None
        if fill is not None:
            for cell in cells:
                cell.fill = fill

    def listing(name: str, members: list[NoticeRow]) -> None:
        part = book.create_sheet(name)
        table(
            part,
            [notice.level_word, "最终得分", "等级", "说明"],
            [
                [
                    r.name,
                    float(r.total) if r.total is not None else None,
                    r.grade,
                    "一票否决：" + "、".join(r.vetoes) if r.vetoed else "",
                ]
                for r in members
            ],
            [18, 10, 8, 40],
        )

    listing("通报表扬", notice.commended)
    listing("限期整改", notice.must_rectify)
    adjusted = book.create_sheet("柔性考核调整")
    table(
        adjusted,
        ["单位", "考核项目", "调整的数据", "原数值", "调整后", "原因", "说明"],
        [
            [
                a.orgunit.name,
                a.item_code,
                a.field,
                float(a.old_value) if a.old_value is not None else None,
                float(a.new_value) if a.new_value is not None else None,
                a.get_reason_display(),
                a.note,
            ]
            for a in notice.adjustments
        ],
        [16, 14, 20, 10, 10, 12, 50],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
