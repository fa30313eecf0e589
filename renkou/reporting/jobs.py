"""Large dataValueSets imports as background jobs, with progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from renkou.jobs.models import Job
from renkou.jobs.registry import JobFailed, Outcome, Progress, register
from renkou.reporting.exchange import ExchangeFileError, import_values

KIND = "reporting.import_values"


def upload_path(key: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / "values" / key


@register(KIND)
def run_values_import(job: Job, progress: Progress) -> Outcome:
    path = Path(str(job.params["path"]))
    try:
        data = path.read_bytes()
        try:
            summary = import_values(
                acting_user=job.created_by,
                data=data,
                kind=str(job.params.get("kind", "csv")),
                dry_run=bool(job.params.get("dry_run", False)),
                skip_invalid=bool(job.params.get("skip_invalid", False)),
                source_label=str(job.params.get("label", path.name)),
                progress=progress,
            )
        except ExchangeFileError as exc:
            raise JobFailed(str(exc)) from exc
        if summary.status == "ERROR":
            raise JobFailed(
                f"文件中有{summary.conflict_count}处问题，未写入任何数据。请下载问题清单，改正后重新导入。",
                problems=[[str(c.line), c.field, c.value, c.reason] for c in summary.conflicts],
                header=["行号", "字段", "值", "问题"],
            )
        return Outcome(message=summary.text(), result=summary.as_dict())
    finally:
        path.unlink(missing_ok=True)


ROLLUP_KIND = "reporting.rollup"


@register(ROLLUP_KIND)
def run_rollup(job: Job, progress: Progress) -> Outcome:
    from renkou.orgunits.models import OrgUnit
    from renkou.reporting.rollups import recompute_year

    year = int(str(job.params["year"]))
    scope = OrgUnit.objects.filter(code=str(job.params.get("scope", ""))).first()
    progress(0, 1, "正在重新计算……")
    run = recompute_year(year=year, root=scope)
    message = f"{year}年：{run.units}个单位、{run.values}个数值，用时 {run.seconds:.1f} 秒。"
    return Outcome(message=message, result={"units": run.units, "seconds": run.seconds})
