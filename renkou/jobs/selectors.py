from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from renkou.accounts.models import User
from renkou.jobs.models import Job


def jobs_for(user: User) -> QuerySet[Job]:
    """A user sees the jobs they started."""
    return Job.objects.filter(created_by=user)


def get_job_for_user(user: User, pk: int) -> Job:
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404("没有找到该任务。")
    return job
