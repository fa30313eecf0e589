"""JSON API: dataValueSets exchange and analytics, scoped like the pages."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status

from renkou.accounts.access import Cap, require
from renkou.http import acting_user
from renkou.jobs.actions import do_create_job
from renkou.periods import Period, PeriodError, period_range
from renkou.periods import parse as parse_period
from renkou.reporting.access import get_data_set, get_unit_for_user
from renkou.reporting.analytics import AnalyticsError, AnalyticsRequest, run_query
from renkou.reporting.exchange import (
    ExchangeFileError,
    export_rows,
    import_values,
    kind_of,
    to_csv,
    to_json,
)
from renkou.reporting.jobs import KIND as IMPORT_KIND
from renkou.reporting.jobs import upload_path

router = Router(tags=["月报数据 reporting"])

# Larger bodies are imported by a background job with a progress page.
SYNC_LIMIT_BYTES = 5 * 1024 * 1024


class ConflictOut(Schema):
    line: int
    field: str
    value: str
    reason: str


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    unchanged: int
    deleted: int


class ImportSummaryOut(Schema):
    status: str = Field(description="SUCCESS、WARNING（部分行被跳过）或 ERROR（未写入）")
    dryRun: bool
    importCount: ImportCountOut
    conflictCount: int
    conflicts: list[ConflictOut]
    description: str


class JobOut(Schema):
    job: int
    status: str
    progress_url: str


class ImportQuery(Schema):
    dryRun: bool = Field(False, description="只检查，不写入")
    skipInvalid: bool = Field(False, description="跳过有问题的行，写入其余的行")
    background: bool = Field(False, description="作为后台任务运行（大文件自动如此）")


@router.post(
    "/dataValueSets",
    response={200: ImportSummaryOut, 202: JobOut, 409: ImportSummaryOut, 400: dict[str, str]},
    summary="导入数据值（dataValueSets，CSV 或 JSON，以编码标识）",
)
def post_data_values(request: HttpRequest, options: Query[ImportQuery]) -> Any:
    """Body: CSV ``dataelement,period,orgunit,value[,comment]`` or JSON ``{"dataValues": [...]}``;
    or a multipart upload in the field ``file``. Any conflict writes nothing unless skipInvalid."""
    user = acting_user(request)
    require(user, Cap.ENTER_DATA)
    upload = request.FILES.get("file")
    if upload is not None:
        if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
            return Status(400, {"detail": "文件过大。"})
        kind = kind_of(upload.name or upload.content_type or "")
        data = b"".join(upload.chunks())
        label = upload.name or "upload"
    else:
        kind = kind_of(request.content_type or "")
        data = request.body
        label = f"API {kind.upper()}"
    if options.background or len(data) > SYNC_LIMIT_BYTES:
        key = uuid.uuid4().hex
        path = upload_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        job = do_create_job(
            acting_user=user,
            kind=IMPORT_KIND,
            title=f"导入数据值：{label}",
            params={
                "path": str(path),
                "kind": kind,
                "dry_run": options.dryRun,
                "skip_invalid": options.skipInvalid,
                "label": label,
            },
        )
        return Status(202, JobOut(job=job.pk, status=job.status, progress_url=f"/jobs/{job.pk}/"))
    try:
        summary = import_values(
            acting_user=user,
            data=data,
            kind=kind,
            dry_run=options.dryRun,
            skip_invalid=options.skipInvalid,
            source_label=label,
        )
    except ExchangeFileError as exc:
        return Status(400, {"detail": str(exc)})
    status = 409 if summary.status == "ERROR" else 200
    return Status(status, summary.as_dict())


class ExportQuery(Schema):
    dataSet: str = Field(..., max_length=50, description="报表编码")
    period: str = Field(
        ..., max_length=60, description="报告期，如 202501；多个用分号，范围用冒号：202501:202512"
    )
    orgUnit: str = Field(..., pattern=r"^\d{2,12}$", description="单位代码")
    children: bool = Field(True, description="包括全部下级单位")
    format: str = Field("json", pattern="^(json|csv)$")


def parse_periods(text: str) -> list[Period]:
    found: list[Period] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        if ":" in part:
            first, last = part.split(":", 1)
            found.extend(period_range(parse_period(first), parse_period(last)))
        else:
            found.append(parse_period(part))
    return found


@router.get("/dataValueSets", summary="导出数据值（dataValueSets）")
def get_data_values(request: HttpRequest, query: Query[ExportQuery]) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    root = get_unit_for_user(user, query.orgUnit)
    data_set = get_data_set(query.dataSet)
    try:
        periods = parse_periods(query.period)
    except PeriodError as exc:
        raise Http404(str(exc)) from None
    if not periods or len(periods) > 120:
        raise Http404("请给出1至120个报告期。")
    rows = export_rows(data_set, periods, root, children=query.children)
    if query.format == "csv":
        response = HttpResponse(to_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = "attachment; filename=dataValueSets.csv"
        return response
    return HttpResponse(
        json.dumps(to_json(rows), ensure_ascii=False), content_type="application/json"
    )


class AnalyticsQuery(Schema):
    dx: str = Field(..., max_length=2000, description="指标或数据项编码，分号分隔")
    pe: str = Field(
        ...,
        max_length=500,
        description="期间，分号分隔：202501、2025Q1、2025、202506YTD；范围 202501:202512",
    )
    ou: str = Field(
        ...,
        max_length=500,
        description="单位，分号分隔：331003（本身）、331003/children（直属下级）、331003/level-5（其下某一层级）",
    )


class AnalyticsMetaItem(Schema):
    code: str
    name: str


class AnalyticsOut(Schema):
    headers: list[str]
    rows: list[list[Any]]
    as_of: str | None = Field(description="数据计算时间（最早的一个）")
    stale: bool = Field(description="指标目录修改后尚未重新计算")
    dx: list[AnalyticsMetaItem]
    pe: list[AnalyticsMetaItem]
    ou: list[AnalyticsMetaItem]


@router.get(
    "/analytics",
    response={200: AnalyticsOut, 400: dict[str, str]},
    summary="指标与数据项分析（各级各期）",
)
def analytics(request: HttpRequest, query: Query[AnalyticsQuery]) -> Any:
    """Units outside the caller's subtree are 404, like every other object."""
    user = acting_user(request)
    require(user, Cap.VIEW_BUSINESS)
    try:
        spec = AnalyticsRequest.parse(query.dx, query.pe, query.ou)
        result = run_query(user, spec)
    except AnalyticsError as exc:
        return Status(400, {"detail": str(exc)})
    # Serialised directly: validating thousands of rows against the schema
    # would cost more than the query. The schema above documents the shape.
    return HttpResponse(
        json.dumps(result.as_api(), ensure_ascii=False, separators=(",", ":")),
        content_type="application/json",
    )
