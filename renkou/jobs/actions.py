from __future__ import annotations

import csv
import io
import logging
import time
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from renkou.audit.actions import record_event
from renkou.jobs.models import Job
from renkou.jobs.registry import JobFailed, handler_for

if TYPE_CHECKING:
    from renkou.accounts.models import User

logger = logging.getLogger(__name__)
# Progress writes are throttled: a job reporting every row would spend its time
# updating its own row.
PROGRESS_INTERVAL_SECONDS = 0.5


@transaction.atomic
def do_create_job(*, acting_user: User, kind: str, title: str, params: dict[str, object]) -> Job:
    """Queue a job; the worker picks it up once this transaction commits."""
    from renkou.jobs.tasks import run_job

    job = Job.objects.create(kind=kind, title=title, params=params, created_by=acting_user)
    record_event(actor=acting_user, action="jobs.create", obj=job, changes={"kind": kind})
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def run_job_now(job_id: int) -> None:
    """Claim the job and run it. Claiming is a conditional UPDATE, so two workers
    given the same job cannot both run it."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job = Job.objects.get(pk=job_id)
    last = 0.0

    def progress(processed: int, total: int, message: str = "") -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_INTERVAL_SECONDS and processed < total:
            return
        last = now
        fields: dict[str, object] = {"processed": processed, "total": total}
        if message:
            fields["message"] = message
        Job.objects.filter(pk=job.pk).update(**fields)

    try:
        outcome = handler_for(job.kind)(job, progress)
    except JobFailed as failure:
        _finish_failed(job, failure.message, failure.header, failure.problems)
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish_failed(job, "任务因内部错误中止，未写入任何数据。请联系系统管理员。", [], [])
        return
    job.refresh_from_db(fields=["total"])
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        processed=max(job.total, 1),
        total=max(job.total, 1),
        message=outcome.message,
        result=outcome.result,
        finished_at=timezone.now(),
    )


def _finish_failed(job: Job, message: str, header: list[str], problems: list[list[str]]) -> None:
    job.refresh_from_db()
    job.status = Job.Status.FAILED
    job.message = message
    job.finished_at = timezone.now()
    if problems:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if header:
            writer.writerow(header)
        writer.writerows(problems)
        # A BOM so Excel opens the Chinese text correctly.
        job.error_file.save(
            f"job-{job.pk}-problems.csv",
            ContentFile(("\ufeff" + buffer.getvalue()).encode("utf-8")),
            save=False,
        )
    job.save(update_fields=["status", "message", "finished_at", "error_file"])
