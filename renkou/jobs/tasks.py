from __future__ import annotations

from django_tasks import task

from renkou.jobs.actions import run_job_now


@task()
def run_job(job_id: int) -> None:
    run_job_now(job_id)
