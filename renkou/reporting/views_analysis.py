"""The pivot page: indicators by unit and period, with trend and comparison charts and Excel."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from renkou.accounts.access import Cap, has_capability, require
from renkou.catalog.models import DataElement, Indicator, ValueType
from renkou.http import acting_user
from renkou.jobs.actions import do_create_job
from renkou.orgunits.models import Level
from renkou.periods import PeriodType, latest_ended
from renkou.reporting.access import get_unit_for_user
from renkou.reporting.analytics import (
    AnalyticsError,
    AnalyticsRequest,
    AnalyticsResult,
    Item,
    run_query,
)
from renkou.reporting.excel import neutralise
from renkou.reporting.jobs import ROLLUP_KIND

NAV = "analysis"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_SERIES = 12


def _presets(month_id: str) -> list[tuple[str, str, str]]:
    """(key, label, pe) choices relative to the latest month that has ended."""
    year = int(month_id[:4])
    first = f"{year - 1}{month_id[4:]}"
    return [
        ("months12", "近12个月", f"{_next_month(first)}:{month_id}"),
        ("year_months", f"{year}年各月", f"{year}01:{month_id}"),
        ("quarters", f"{year - 1}–{year}年各季度", f"{year - 1}Q1:{year}Q4"),
        ("years", f"{year - 2}–{year}年", f"{year - 2};{year - 1};{year}"),
        ("ytd", f"{year}年累计", f"{month_id}YTD" if month_id[4:] != "12" else f"{year}"),
    ]


def _next_month(month_id: str) -> str:
    year, month = int(month_id[:4]), int(month_id[4:])
    return f"{year + 1}01" if month == 12 else f"{year}{month + 1:02d}"


@dataclass
class PivotChoice:
    dx: str
    pe: str
    ou: str
    rows: str  # "ou" or "pe"


def _defaults(user: Any) -> PivotChoice:
    last = latest_ended(PeriodType.MONTH, timezone.localdate())
    month_id = last.id if last else "202501"
    home = user.home_unit
    code = home.code if home else ""
    ou = f"{code}/children" if home is not None and home.level < Level.VILLAGE else code
    codes = list(Indicator.objects.order_by("order", "code").values_list("code", flat=True)[:4])
    return PivotChoice(";".join(codes), _presets(month_id)[0][2], ou, "ou")


def _choice(request: HttpRequest, user: Any) -> PivotChoice:
    defaults = _defaults(user)
    preset = request.GET.get("preset", "")
    pe = request.GET.get("pe") or defaults.pe
    if preset:
        last = latest_ended(PeriodType.MONTH, timezone.localdate())
        for key, _label, value in _presets(last.id if last else "202501"):
            if key == preset:
                pe = value
    unit = request.GET.get("unit", "").strip()
    mode = request.GET.get("mode", "")
    ou = request.GET.get("ou") or defaults.ou
    if unit:
        ou = unit if mode in ("", "self") else f"{unit}/{mode}"
    dx = ";".join(request.GET.getlist("dx")) or defaults.dx
    rows = request.GET.get("rows", "ou")
    return PivotChoice(dx, pe, ou, rows if rows in ("ou", "pe") else "ou")


def _chart(result: AnalyticsResult) -> dict[str, Any] | None:
    if not result.items or not result.units or not result.periods:
        return None
    item = result.items[0]
    units = result.units[:CHART_SERIES]
    trend = [
        {
            "name": unit.name,
            "data": [
                result.rounded(item, result.value(item.code, p, unit.code))
                for p, _ in result.periods
            ],
        }
        for unit in units
    ]
    last_period = result.periods[-1][0]
    compare = [
        (unit.name, result.rounded(item, result.value(item.code, last_period, unit.code)))
        for unit in result.units[:60]
    ]
    return {
        "title": f"{item.name}{'（' + item.unit + '）' if item.unit else ''}",
        "periods": [label for _p, label in result.periods],
        "trend": trend,
        "compare_title": f"{item.name} · {result.periods[-1][1]}",
        "compare": {"labels": [c[0] for c in compare], "values": [c[1] for c in compare]},
    }


def _query(user: Any, choice: PivotChoice) -> AnalyticsResult:
    spec = AnalyticsRequest.parse(choice.dx, choice.pe, choice.ou)
    return run_query(user, spec)


@login_required
def pivot(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    choice = _choice(request, user)
    error = ""
    result: AnalyticsResult | None = None
    try:
        result = _query(user, choice)
    except AnalyticsError as exc:
        error = str(exc)
    last = latest_ended(PeriodType.MONTH, timezone.localdate())
    selected = set(choice.dx.split(";"))
    query = urlencode({"dx": choice.dx, "pe": choice.pe, "ou": choice.ou, "rows": choice.rows})
    unit_code, _sep, mode = choice.ou.partition("/")
    context = {
        "choice": choice,
        "result": result,
        "table": _table(result, choice.rows) if result else None,
        "chart": _chart(result) if result else None,
        "error": error,
        "indicators": Indicator.objects.order_by("order", "code"),
        "elements": DataElement.objects.exclude(value_type=ValueType.TEXT).order_by("code"),
        "selected": selected,
        "presets": _presets(last.id if last else "202501"),
        "unit_code": unit_code,
        "mode": mode or "self",
        "query": query,
        "can_recompute": has_capability(user, Cap.LOCK_PERIODS),
        "nav_active": NAV,
    }
    return render(request, "reporting/analysis.html", context, status=400 if error else 200)


@dataclass
class TableBlock:
    item: Item
    header: list[str]
    rows: list[tuple[str, list[float | None]]]


def _cells(values: list[float]) -> list[float | None]:
    return [None if math.isnan(v) else v for v in values]


def _table(result: AnalyticsResult, rows: str) -> list[TableBlock]:
    blocks = []
    shown = result.rounded_data()
    for index, item in enumerate(result.items):
        grid = shown[index]  # (periods, units)
        if rows == "pe":
            header = [u.name for u in result.units]
            body = [
                (label, _cells(grid[p].tolist())) for p, (_id, label) in enumerate(result.periods)
            ]
        else:
            header = [label for _p, label in result.periods]
            body = [(u.name, _cells(grid[:, n].tolist())) for n, u in enumerate(result.units)]
        blocks.append(TableBlock(item, header, body))
    return blocks


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The same table as the page, as an Excel workbook (one sheet per indicator)."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    choice = _choice(request, user)
    try:
        result = _query(user, choice)
    except AnalyticsError as exc:
        messages.error(request, str(exc))
        return redirect("reporting:analysis")
    workbook = Workbook()
    workbook.remove(workbook.active)
    head = Font(bold=True)
    fill = PatternFill("solid", start_color="FFE7F2F2", end_color="FFE7F2F2")
    for block in _table(result, choice.rows):
        title = neutralise(block.item.name)[:28].replace("/", "-").replace("\\", "-")
        sheet = workbook.create_sheet(title or block.item.code)
        sheet.append(
            [
                neutralise(
                    f"{block.item.name}（{block.item.unit}）"
                    if block.item.unit
                    else block.item.name
                )
            ]
        )
        if block.item.definition:
            sheet.append([neutralise(block.item.definition)])
        sheet.append(["", *[neutralise(h) for h in block.header]])
        for cell in sheet[sheet.max_row]:
            cell.font = head
            cell.fill = fill
            cell.alignment = Alignment(wrap_text=True)
        for label, values in block.rows:
            sheet.append([neutralise(label), *values])
        sheet.column_dimensions["A"].width = 22
        as_of = result.as_of.strftime("%Y-%m-%d %H:%M") if result.as_of else "—"
        sheet.append([])
        sheet.append([f"计算时间：{as_of}"])
    if not workbook.sheetnames:
        workbook.create_sheet("数据")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('数据分析.xlsx')}"
    return response


@login_required
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """Recompute a year for the user's subtree (after the catalogue changed), as a job."""
    user = acting_user(request)
    require(user, Cap.LOCK_PERIODS)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        raise Http404(_("年份无效。")) from None
    if not 1900 <= year <= 2200:
        raise Http404(_("年份无效。"))
    home = user.home_unit
    if home is None:
        raise Http404(_("您的账号还没有所属单位。"))
    unit = get_unit_for_user(user, home.code, Cap.LOCK_PERIODS)
    job = do_create_job(
        acting_user=user,
        kind=ROLLUP_KIND,
        title=_("重新计算%(year)d年指标：%(unit)s") % {"year": year, "unit": unit.name},
        params={"year": year, "scope": unit.code},
    )
    return redirect("jobs:detail", pk=job.pk)
