"""The run job: assemble every unit's inputs, score them all, store the results."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from renkou.assessment.actions import RUN_KIND
from renkou.assessment.inputs import assemble_inputs
from renkou.assessment.models import Run, RunStatus, RunUnit
from renkou.assessment.scoring_service import score_run_units
from renkou.jobs.models import Job
from renkou.jobs.registry import JobFailed, Outcome, Progress
from renkou.scoring import SchemeError, UnitsError

_BATCH = 500


def execute_run(run: Run, progress: Progress | None = None) -> dict[str, float]:
    """Assemble, score and store; returns the seconds each phase took."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)

    def assembling(done: int, total: int) -> None:
        if progress is not None:
            progress(done // 2, total, "正在汇集各单位数据……")

    assembled = assemble_inputs(
        run.scheme_data,
        year=run.year,
        root=run.root,
        level=run.scheme.level,
        progress=assembling,
    )
    total = len(assembled.units)
    timings["assemble"] = time.perf_counter() - started
    if progress is not None:
        progress(total // 2, total, "正在打分……")
    mark = time.perf_counter()
    run_units = [
        RunUnit(run=run, orgunit_id=unit.orgunit_id, raw_inputs=unit.inputs)
        for unit in assembled.units
    ]
    warnings = score_run_units(run, run_units)
    timings["score"] = time.perf_counter() - mark
    if progress is not None:
        progress(total * 9 // 10, total, "正在保存结果……")
    mark = time.perf_counter()
    with transaction.atomic():
        RunUnit.objects.filter(run=run).delete()
        RunUnit.objects.bulk_create(run_units, batch_size=_BATCH)
        run.status = RunStatus.SCORED
        run.warnings = warnings
        run.message = f"共{total}个单位，已评分。"
        run.scored_at = timezone.now()
        run.revision += 1
        run.save(update_fields=["status", "warnings", "message", "scored_at", "revision"])
    timings["store"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return timings


def _fail(run: Run, message: str) -> JobFailed:
    Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, message=message)
    return JobFailed(message)


def run_assessment(job: Job, progress: Progress) -> Outcome:
    run = Run.objects.select_related("scheme", "root").get(pk=int(str(job.params["run_id"])))
    try:
        timings = execute_run(run, progress)
    except SchemeError as error:
        raise _fail(run, "考核方案有误，未打分：" + "；".join(error.lines()[:5])) from error
    except UnitsError as error:
        problems = [[unit, key, message] for unit, key, message in error.problems]
        failure = _fail(run, f"有{len(problems)}处单位数据无法打分（例如未设置地区类别），未打分。")
        failure.problems = problems
        failure.header = ["单位", "数据", "问题"]
        raise failure from error
    except Exception:
        Run.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, message="计算因内部错误中止，请联系系统管理员。"
        )
        raise
    count = RunUnit.objects.filter(run=run).count()
    return Outcome(
        message=f"已为{count}个单位评分，用时 {timings['total']:.1f} 秒。",
        result={"run_id": run.pk, "units": count, **{k: round(v, 3) for k, v in timings.items()}},
    )


def register() -> None:
    from renkou.jobs.registry import register as register_kind

    register_kind(RUN_KIND)(run_assessment)
