from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from renkou.http import acting_user, is_htmx
from renkou.jobs.selectors import get_job_for_user, jobs_for


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_for(acting_user(request))[:100]
    return render(request, "jobs/list.html", {"jobs": jobs, "nav_active": "jobs"})


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress page. While the job runs, the progress fragment polls itself."""
    job = get_job_for_user(acting_user(request), pk)
    template = "jobs/_partials/progress.html" if is_htmx(request) else "jobs/detail.html"
    return render(request, template, {"job": job, "nav_active": "jobs"})


@login_required
def job_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = get_job_for_user(acting_user(request), pk)
    if not job.error_file:
        raise Http404("该任务没有问题清单。")
    return FileResponse(
        job.error_file.open("rb"),
        as_attachment=True,
        filename=f"问题清单-{job.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )
