"""Province scale: a full assessment run for every village of Zhejiang (25,547).

Uses the reporting bench's year of monthly values (generated and imported
here when the database does not hold them yet, with their rollups), a target
per village and a few assessor facts, then times one run end to end:

- assemble: every village's figures from the rollup cubes, targets and facts,
- score: the scoring engine over all villages (ranks are relative),
- store: the run's units with their inputs and results.

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection

from bench.bench_reporting import YEAR, bench_import, ensure_catalogue, ensure_zhejiang, write_csv

SCHEME: dict[str, Any] = {
    "code": "bench-village",
    "name": "浙江省村（居）人口家庭工作考核（基准测试）",
    "precision": 1,
    "items": [
        {
            "code": "births",
            "name": "出生完成率",
            "points": 20,
            "value": "bench_e02",
            "rule": {"type": "ratio", "target": "target"},
        },
        {
            "code": "rate",
            "name": "测试指标01",
            "points": 20,
            "value": "bench_i01",
            "rule": {"type": "shortfall", "target": 200, "step": 10, "deduct": 2},
        },
        {
            "code": "cases",
            "name": "按件扣分",
            "kind": "process",
            "points": 15,
            "value": "bench_e03",
            "rule": {"type": "per_case", "amount": 0.01, "cap": 15},
        },
        {
            "code": "level",
            "name": "达标",
            "points": 15,
            "value": "bench_e01",
            "rule": {"type": "threshold", "target": 1000, "else": 5},
        },
        {
            "code": "srb",
            "name": "出生人口性别比",
            "points": 30,
            "rule": {
                "type": "srb_interval",
                "male": "bench_e06",
                "female": "bench_e07",
                "low": 103,
                "high": 107,
                "confidence": 0.95,
                "step": 2,
                "deduct": 3,
                "min_births": 20,
            },
        },
    ],
    "vetoes": [{"code": "fraud", "name": "统计数据弄虚作假", "when": "data_fraud > 0"}],
    "grades": [
        {"name": "优秀", "min": 90},
        {"name": "良好", "min": 80},
        {"name": "合格", "min": 60},
        {"name": "不合格"},
    ],
}


def ensure_values() -> None:
    from renkou.reporting.models import RollupCube

    if RollupCube.objects.filter(year=YEAR).count() > 25_000:
        return
    ensure_catalogue()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "values.csv"
        started = time.perf_counter()
        rows = write_csv(path)
        print(f"   wrote {rows:,} rows of values in {time.perf_counter() - started:.1f} s")
        bench_import(path)


def ensure_targets_and_facts(province: Any, user: Any) -> None:
    from django.utils import timezone

    from renkou.assessment.models import Fact
    from renkou.orgunits.models import Level, OrgUnit
    from renkou.targets.models import Target, TargetKind

    villages = list(
        OrgUnit.objects.filter(level=Level.VILLAGE, path__startswith=province.path)
        .order_by("path")
        .values_list("id", flat=True)
    )
    now = timezone.now()
    if not Target.objects.filter(year=YEAR, code="bench_e02").exists():
        Target.objects.bulk_create(
            [
                Target(
                    year=YEAR,
                    orgunit_id=unit,
                    code="bench_e02",
                    kind=TargetKind.COUNT,
                    value=Decimal(600 + index % 400),
                    set_at=now,
                )
                for index, unit in enumerate(villages)
            ],
            batch_size=2000,
        )
    if not Fact.objects.filter(year=YEAR, code="data_fraud").exists():
        Fact.objects.bulk_create(
            [
                Fact(
                    year=YEAR,
                    orgunit_id=unit,
                    code="data_fraud",
                    value=Decimal(1),
                    note="基准测试",
                    entered_by=user,
                    entered_at=now,
                )
                for unit in villages[::5000]
            ]
        )
    print(f"   {len(villages):,} villages, each with a target; a few with facts")


def main() -> None:
    from renkou.accounts.models import Role, User
    from renkou.assessment.actions import do_create_scheme, do_set_scheme_status, do_start_run
    from renkou.assessment.models import Run, RunUnit, Scheme
    from renkou.assessment.runs import execute_run
    from renkou.orgunits.models import Level, OrgUnit

    if not ensure_zhejiang():
        return
    print(f"   database: {connection.vendor}")
    ensure_values()
    province = OrgUnit.objects.get(code="33")
    user = User.objects.filter(username="bench-assessor").first()
    if user is None:
        user = User.objects.create(
            username="bench-assessor", role=Role.COUNTY_ASSESSOR, home_unit=province
        )
    ensure_targets_and_facts(province, user)
    scheme = Scheme.objects.filter(owner=province, year=YEAR, code=SCHEME["code"]).first()
    if scheme is None:
        scheme = do_create_scheme(
            acting_user=user, owner=province, year=YEAR, level=Level.VILLAGE, data=SCHEME
        )
        do_set_scheme_status(acting_user=user, scheme=scheme, status="active")
    started = time.perf_counter()
    run = do_start_run(acting_user=user, scheme=scheme)
    run = Run.objects.select_related("scheme", "root").get(pk=run.pk)
    timings = execute_run(run)
    wall = time.perf_counter() - started
    count = RunUnit.objects.filter(run=run).count()
    print(
        f"   full run over {count:,} villages: assemble {timings['assemble']:.1f} s, "
        f"score {timings['score']:.1f} s, store {timings['store']:.1f} s; "
        f"{wall:.1f} s end to end [target ≤ 60 s]"
    )
    vetoed = RunUnit.objects.filter(run=run, vetoed=True).count()
    grades: dict[str, int] = {}
    for grade in RunUnit.objects.filter(run=run).values_list("grade", flat=True):
        grades[grade] = grades.get(grade, 0) + 1
    print(f"   grades {grades}, vetoed {vetoed}, warnings {len(run.warnings):,}")
