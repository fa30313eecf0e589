"""Demo data of the review half: on the 2025 township run, one approved
adjustment (natural disaster), one upheld appeal from 澄江街道, release and
publication; the 2025 pay rules and a cadre roster for 澄江街道's villages.

Idempotent: each part is skipped when its data is there already.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from renkou.accounts.models import User
from renkou.assessment import actions_review as actions
from renkou.assessment import pay
from renkou.assessment.models import (
    AdjustmentReason,
    Cadre,
    PayRule,
    Run,
    RunStatus,
    RunUnit,
)
from renkou.assessment.review_context import field_choices, read_field
from renkou.orgunits.models import Level, OrgUnit
from renkou.scoring import load_scheme, score_units

YEAR = 2025
COUNTY = "331003"
TOWNSHIP = "331003006"  # 澄江街道
PAY_RULES = [("优秀", "1.2"), ("良好", "1.0"), ("合格", "0.8"), ("不合格", "0.5")]

# Plausible names and posts; base pay in yuan a year.
SURNAMES = "王李张陈林黄吴周徐郑金叶蒋潘"
GIVEN = [
    "建国",
    "秀英",
    "海燕",
    "志强",
    "丽华",
    "国平",
    "晓红",
    "伟明",
    "玲芳",
    "永刚",
    "春燕",
    "建华",
]
POSTS = [
    ("村党组织书记", Decimal("68000")),
    ("村委会主任", Decimal("62000")),
    ("村计生专干", Decimal("43200")),
]

Log = Callable[[str], None]


def seed_review(log: Log) -> None:
    seed_pay_rules(log)
    seed_roster(log)
    run = (
        Run.objects.filter(
            year=YEAR, scheme__level=Level.TOWNSHIP, root__code=COUNTY, scheme__owner__code=COUNTY
        )
        .exclude(status__in=[RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.FAILED])
        .select_related("scheme", "scheme__owner", "root")
        .order_by("-created_at")
        .first()
    )
    if run is None:
        log("没有找到2025年度乡镇考核结果，跳过调整、申诉和发布的演示数据。")
        return
    if run.status == RunStatus.PUBLISHED:
        log("2025年度乡镇考核已发布，跳过调整、申诉和发布。")
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["county", "reviewer", "chengjiang"])
    }
    if len(users) < 3:
        log("缺少演示账号 county、reviewer 或 chengjiang，跳过调整、申诉和发布。")
        return
    _seed_adjustment(run, users["county"], users["reviewer"], log)
    run.refresh_from_db()
    if run.status == RunStatus.SCORED:
        actions.do_release_run(acting_user=users["county"], run=run)
        run.refresh_from_db()
        log("已向各乡镇（街道）反馈2025年度考核结果。")
    _seed_appeal(run, users["chengjiang"], users["county"], log)
    run.refresh_from_db()
    published = actions.do_publish_run(acting_user=users["county"], run=run)
    log(f"已发布：{published.title}（{published.number}）。")


def _candidates(run_unit: RunUnit) -> Iterator[tuple[str, str, Decimal]]:
    """(item, field, new value) changes worth trying on a unit, items below full marks first."""
    items = [
        i
        for i in (run_unit.result or {}).get("items", [])
        if i.get("score") is not None and i.get("points") and i["score"] < i["points"]
    ]
    for item in items:
        for field, _label in field_choices(run_unit, item["code"]):
            old = read_field(run_unit.inputs or run_unit.raw_inputs, field)
            if old is None:
                continue
            for factor in (Decimal("1.05"), Decimal("0.95"), Decimal("1.1"), Decimal("0.9")):
                yield item["code"], field, (old * factor).quantize(Decimal("0.1"))


def _better(run: Run, run_unit: RunUnit) -> tuple[str, str, Decimal] | None:
    """The first candidate change that raises the unit's total, scored with the kernel."""
    scheme = load_scheme(run.scheme_data)
    units = [dict(u.inputs or u.raw_inputs) for u in run.units.all()]
    index = next(i for i, u in enumerate(units) if u.get("code") == run_unit.orgunit.code)
    before = Decimal(str(score_units(scheme, units).unit(run_unit.orgunit.code).total))
    for item, field, value in _candidates(run_unit):
        changed = [dict(u) for u in units]
        changed[index] = _with(units[index], field, value)
        after = score_units(scheme, changed).unit(run_unit.orgunit.code).total
        if after > before:
            return item, field, value
    return None


def _with(unit: dict[str, Any], field: str, value: Decimal) -> dict[str, Any]:
    copy = {k: (dict(v) if isinstance(v, dict) else v) for k, v in unit.items()}
    if field.startswith("target."):
        copy.setdefault("targets", {})[field.removeprefix("target.")] = float(value)
    elif field.startswith("previous."):
        copy.setdefault("previous", {})[field.removeprefix("previous.")] = float(value)
    else:
        copy.setdefault("values", {})[field] = float(value)
    return copy


def _seed_adjustment(run: Run, proposer: User, reviewer: User, log: Log) -> None:
    if run.adjustments.exclude(reason=AdjustmentReason.APPEAL).exists():
        log("已有柔性考核调整，跳过。")
        return
    for run_unit in (
        run.units.select_related("orgunit", "run")
        .exclude(orgunit__code=TOWNSHIP)
        .order_by("-orgunit__code")
    ):
        found = _better(run, run_unit)
        if found is None:
            continue
        item, field, value = found
        adjustment = actions.do_propose_adjustment(
            acting_user=proposer,
            run_unit=run_unit,
            item_code=item,
            field=field,
            new_value=value,
            reason=AdjustmentReason.DISASTER,
            note=(
                "2025年7月台风“竹节草”过境，辖区山塘水库泄洪，部分村民临时转移安置两周，"
                "入户服务和登记工作中断。按县考核办柔性考核规定，以灾前三个月的实际进度推算全年数据。"
            ),
        )
        actions.do_decide_adjustment(
            acting_user=reviewer,
            adjustment=adjustment,
            approve=True,
            note="经核对气象灾害预警记录和乡镇转移安置台账，情况属实，同意调整。",
        )
        log(f"柔性考核调整：{run_unit.orgunit.name} {item}（{field}）已审核同意并重新计分。")
        return
    log("没有找到可演示的柔性考核调整。")


def _seed_appeal(run: Run, appellant: User, assessor: User, log: Log) -> None:
    if run.appeals.exists():
        log("已有申诉，跳过。")
        return
    run_unit = (
        RunUnit.objects.select_related("orgunit", "run")
        .filter(run=run, orgunit__code=TOWNSHIP)
        .first()
    )
    if run_unit is None:
        log("2025年度乡镇考核中没有澄江街道，跳过申诉。")
        return
    found = _better(run, run_unit)
    if found is None:
        log("澄江街道各项均为满分，跳过申诉。")
        return
    item, field, value = found
    appeal = actions.do_file_appeal(
        acting_user=appellant,
        run_unit=run_unit,
        item_code=item,
        reason=(
            "本街道11月、12月的数据因系统迁移未能按时同步，考核采用的数据少计。"
            "现附街道台账和系统迁移通知，请予核实更正。"
        ),
    )
    actions.do_decide_appeal(
        acting_user=assessor,
        appeal=appeal,
        upheld=True,
        decision_reason="经核对街道台账和系统日志，11月、12月数据确未同步，申诉成立，按台账数据更正。",
        field=field,
        new_value=value,
    )
    log(f"澄江街道申诉（{item}）成立，已更正并重新计分。")


def seed_pay_rules(log: Log) -> None:
    county = OrgUnit.objects.filter(code=COUNTY).first()
    if county is None:
        return
    if PayRule.objects.filter(owner=county, year=YEAR).exists():
        log("2025年度绩效挂钩规则已存在，跳过。")
        return
    rows = [pay.RuleRow(None, grade, None, None, Decimal(k), None) for grade, k in PAY_RULES]
    actions.do_save_pay_rules(acting_user=None, owner=county, year=YEAR, rules=rows)
    log("设定2025年度绩效挂钩规则：优秀1.2、良好1.0、合格0.8、不合格0.5。")


def seed_roster(log: Log) -> None:
    villages = list(
        OrgUnit.objects.filter(parent__code=TOWNSHIP, level=Level.VILLAGE).order_by("code")
    )
    if not villages:
        return
    if Cadre.objects.filter(orgunit__in=villages).exists():
        log("澄江街道村干部名册已存在，跳过。")
        return
    for number, village in enumerate(villages):
        size = 3 if number % 3 != 2 else 2
        rows = []
        for slot in range(size):
            surname = SURNAMES[(number * 3 + slot) % len(SURNAMES)]
            given = GIVEN[(number * 5 + slot * 7) % len(GIVEN)]
            post, base = POSTS[slot]
            # Bigger villages pay a little more: 0–3,000 yuan on top, by position.
            rows.append(pay.CadreRow(surname + given, post, base + Decimal(number % 4) * 1000))
        actions.do_save_roster(acting_user=None, village=village, cadres=rows)
    log(f"为澄江街道{len(villages)}个村（居）建立村干部名册。")
