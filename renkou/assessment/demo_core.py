"""Demo data of the assessment: a township and a village scheme of 黄岩区 for
2025 and 2026, an assessor's fact, and a completed 2025 run of each scheme.

Idempotent: a scheme or run that exists is left as it is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from renkou.accounts.models import User
from renkou.assessment.actions import do_create_scheme, do_set_scheme_status, do_start_run
from renkou.assessment.models import Fact, Run, RunStatus, Scheme, SchemeStatus
from renkou.assessment.runs import execute_run
from renkou.audit.actions import record_event
from renkou.orgunits.models import Level, OrgUnit

DEMO_COUNTY = "331003"
ASSESSOR = "county"

TOWNSHIP_SCHEME: dict[str, Any] = {
    "code": "hy-township",
    "name": "黄岩区乡镇（街道）人口家庭工作目标管理责任制考核细则",
    "precision": 2,
    "classes": [
        {"code": "street", "name": "街道"},
        {"code": "town", "name": "平原镇"},
        {"code": "mountain", "name": "山区乡"},
    ],
    "items": [
        {
            "code": "registration",
            "name": "生育登记及时率（%）",
            "kind": "process",
            "points": 20,
            "value": "registration_timeliness",
            "rule": {"type": "shortfall", "target": 95, "step": 1, "deduct": 1},
        },
        {
            "code": "srb",
            "name": "出生人口性别比",
            "points": 15,
            "rule": {
                "type": "srb_interval",
                "male": "births_male",
                "female": "births_female",
                "low": 103,
                "high": 107,
                "confidence": 0.95,
                "step": 1,
                "deduct": 1,
                "min_births": 30,
            },
        },
        {
            "code": "births",
            "name": "出生人数完成率",
            "points": 20,
            "value": "births",
            "rule": {"type": "ratio", "target": "target"},
        },
        {
            "code": "reports",
            "name": "月报及时率（%）",
            "kind": "process",
            "points": 15,
            "value": "report_timeliness",
            "rule": {"type": "threshold", "target": 95, "else": 8},
        },
        {
            "code": "subsidy",
            "name": "育儿补贴发放率（%）",
            "points": 10,
            "value": "subsidy_payment_rate",
            "rule": {"type": "shortfall", "target": 100, "step": 1, "deduct": 0.5},
        },
        {
            "code": "supervision",
            "name": "月度督查平均得分",
            "kind": "process",
            "measure": "qualitative",
            "points": 20,
            "value": "supervision_avg",
            "rule": {"type": "scaled", "max": 100},
        },
    ],
    "vetoes": [{"code": "fraud", "name": "统计数据弄虚作假", "when": "data_fraud > 0"}],
    "ceilings": [
        {
            "code": "petition",
            "name": "发生重大信访事件",
            "when": "major_petition > 0",
            "max_grade": "良好",
        }
    ],
    # Cut-offs set so that the demo county has units to commend and to rectify.
    "grades": [
        {"name": "优秀", "min": 86},
        {"name": "良好", "min": 80},
        {"name": "合格", "min": 75},
        {"name": "不合格"},
    ],
    "ranking": {"within_class": True},
}

VILLAGE_SCHEME: dict[str, Any] = {
    "code": "hy-village",
    "name": "黄岩区村（居）人口家庭工作考核细则",
    "precision": 1,
    "items": [
        {
            "code": "srb",
            "name": "出生人口性别比",
            "points": 20,
            "rule": {
                "type": "srb_interval",
                "male": "births_male",
                "female": "births_female",
                "low": 103,
                "high": 107,
                "confidence": 0.95,
                "step": 2,
                "deduct": 2,
                "min_births": 20,
            },
        },
        {
            "code": "registration",
            "name": "生育登记及时率（%）",
            "kind": "process",
            "points": 30,
            "value": "registration_timeliness",
            "rule": {"type": "shortfall", "target": 95, "step": 5, "deduct": 3},
        },
        {
            "code": "births",
            "name": "出生人数完成率",
            "points": 20,
            "value": "births",
            "rule": {"type": "ratio", "target": "target"},
        },
        {
            "code": "subsidy",
            "name": "育儿补贴发放率（%）",
            "points": 15,
            "value": "subsidy_payment_rate",
            "rule": {"type": "threshold", "target": 95, "else": 8},
        },
        {
            "code": "contacts",
            "name": "特殊家庭联系人走访覆盖率（%）",
            "kind": "process",
            "points": 15,
            "value": "special_contact_coverage",
            "rule": {"type": "threshold", "target": 90, "else": 5},
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


def _for_year(data: dict[str, Any], year: int) -> dict[str, Any]:
    scheme = copy.deepcopy(data)
    scheme["code"] = f"{data['code']}-{year}"
    scheme["name"] = f"{year}年度{data['name']}"
    return scheme


def _scheme(user: User, county: OrgUnit, data: dict[str, Any], year: int, level: int,
            log: Callable[[str], None]) -> Scheme:  # fmt: skip
    wanted = _for_year(data, year)
    found = Scheme.objects.filter(owner=county, year=year, level=level, code=wanted["code"]).first()
    if found is not None:
        return found
    scheme = do_create_scheme(acting_user=user, owner=county, year=year, level=level, data=wanted)
    do_set_scheme_status(acting_user=user, scheme=scheme, status=SchemeStatus.ACTIVE)
    log(f"考核方案：{scheme.name}")
    return scheme


def _fact(user: User) -> None:
    township = (
        OrgUnit.objects.filter(parent__code=DEMO_COUNTY, level=Level.TOWNSHIP, name__endswith="镇")
        .order_by("code")
        .first()
    )
    if township is None or Fact.objects.filter(year=2025, orgunit=township).exists():
        return
    fact = Fact.objects.create(
        year=2025,
        orgunit=township,
        code="major_petition",
        value=Decimal(1),
        note="2025年8月发生因生育登记服务引发的群体性信访一起，经区信访局认定为重大信访事件。",
        entered_by=user,
        entered_at=timezone.now(),
    )
    record_event(
        actor=user,
        action="assessment.record_fact",
        obj=fact,
        org_path=township.path,
        changes={"code": fact.code, "value": [None, fact.value]},
        reason=fact.note,
    )


def _run(user: User, scheme: Scheme, log: Callable[[str], None]) -> None:
    if Run.objects.filter(scheme=scheme).exclude(status=RunStatus.FAILED).exists():
        return
    run = do_start_run(acting_user=user, scheme=scheme)
    job_id = run.job_id
    assert job_id is not None
    run.refresh_from_db()
    if run.status != RunStatus.QUEUED:
        return  # a worker running jobs at once has scored it already
    # Scored here and now rather than by the worker: the demo opens with results.
    from renkou.jobs.models import Job

    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING, started_at=timezone.now())
    timings = execute_run(run)
    count = run.units.count()
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE,
        processed=count,
        total=count,
        message=f"已为{count}个单位评分。",
        finished_at=timezone.now(),
    )
    log(f"{scheme.name}：{count}个单位已评分（{timings['total']:.1f} 秒）")


def seed_assessment(log: Callable[[str], None]) -> None:
    county = OrgUnit.objects.filter(code=DEMO_COUNTY).first()
    user = User.objects.filter(username=ASSESSOR).first()
    if county is None or user is None:
        log("没有黄岩区或演示考核账号，跳过年度考核演示数据。")
        return
    schemes = {}
    for year in (2025, 2026):
        schemes[(year, 4)] = _scheme(user, county, TOWNSHIP_SCHEME, year, Level.TOWNSHIP, log)
        schemes[(year, 5)] = _scheme(user, county, VILLAGE_SCHEME, year, Level.VILLAGE, log)
    _fact(user)
    _run(user, schemes[(2025, 4)], log)
    _run(user, schemes[(2025, 5)], log)
