"""The divisions import as a background job (uploaded from the web)."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

from renkou.jobs.models import Job
from renkou.jobs.registry import JobFailed, Outcome, Progress, register
from renkou.orgunits.actions import do_import_divisions, plan_divisions
from renkou.orgunits.importer import DivisionFileError

KIND = "orgunits.import_divisions"


def upload_folder(job_key: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / "divisions" / job_key


@register(KIND)
def run_divisions_import(job: Job, progress: Progress) -> Outcome:
    folder = Path(str(job.params["folder"]))
    root = str(job.params.get("root") or "") or None
    source: Path = folder
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    if len(files) == 1 and files[0].name not in {
        "provinces.csv",
        "cities.csv",
        "areas.csv",
        "streets.csv",
        "villages.csv",
    }:
        source = files[0]
    try:
        progress(0, 3, "正在读取并检查文件……")
        try:
            plan = plan_divisions(source, root=root)
        except DivisionFileError as exc:
            raise JobFailed(
                f"文件中有{len(exc.problems)}处问题，未导入任何数据。请下载问题清单，改正后重新上传。",
                problems=[[p.file, str(p.line), p.reason] for p in exc.problems],
                header=["文件", "行号", "问题"],
            ) from exc
        progress(1, 3, f"检查通过，共{len(plan.units)}个单位，正在写入……")
        report = do_import_divisions(
            acting_user=job.created_by,
            plan=plan,
            root=root,
            source_label=str(job.params.get("label", source.name)),
        )
        progress(3, 3, report.summary())
        return Outcome(message=report.summary(), result=report.as_dict())
    finally:
        shutil.rmtree(folder, ignore_errors=True)
