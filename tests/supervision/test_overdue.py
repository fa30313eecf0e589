"""Overdue rectification escalates: on the township's and the county's home
pages, and into the next month's score when the checklist says so. The clock
is frozen and moved by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from renkou.orgunits.models import OrgUnit
from renkou.supervision import actions, selectors
from renkou.supervision.files import check_upload
from renkou.supervision.models import PlanUnit, RectificationTask, TaskStatus
from tests.supervision.conftest import World, inspect, make_checklist, make_plan, photo

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def january(time_machine, personas) -> World:
    time_machine.move_to(at(1, 5), tick=False)
    template = make_checklist(personas.county, 2026)
    plan = make_plan(personas.county, template, 2026, 1)
    team = plan.teams.get()
    PlanUnit.objects.create(plan=plan, unit=OrgUnit.objects.get(code="331003006200"), team=team)
    world = World(template=template, plan=plan, team=team)
    inspect(world, personas.county, "331003006", {"A1": 1, "B2": True})  # two tasks, due 1月20日
    inspect(world, personas.county, "331003006200", {"B1": True})  # the village's task
    inspect(world, personas.county, "331003001", {})
    return world


def _home(personas, who: str) -> str:
    return str(personas.client(getattr(personas, who)).get("/").content.decode())


def test_nothing_is_overdue_on_the_deadline_day(time_machine, personas, january):
    time_machine.move_to(at(1, 20), tick=False)
    assert "逾期未整改任务" not in _home(personas, "county")
    assert selectors.overdue_tasks(personas.county) == ([], 0)


def test_the_day_after_the_deadline_tasks_show_on_township_and_county_home_pages(
    time_machine, personas, january
):
    time_machine.move_to(at(1, 21), tick=False)
    county = _home(personas, "county")
    assert "逾期未整改任务（3 项）" in county and "逾期1天" in county
    assert "澄江街道 · 东岙里村委会：检查项B1" in county
    township = _home(personas, "chengjiang")
    assert "逾期未整改任务（3 项）" in township  # its own two and its village's one
    assert "逾期未整改任务" not in _home(personas, "dongcheng")
    assert "逾期未整改任务" not in _home(
        personas, "village"
    )  # a village is not escalated to itself
    time_machine.move_to(at(2, 1), tick=False)
    assert "逾期12天" in _home(personas, "county")
    task_page = personas.client(personas.chengjiang).get(
        f"/supervision/tasks/{RectificationTask.objects.earliest('id').pk}/"
    )
    assert "已逾期 12 天" in task_page.content.decode()
    listed = personas.client(personas.county).get("/supervision/tasks/?overdue=on").content.decode()
    assert listed.count("已逾期</span>") == 3


def test_a_task_handed_in_in_time_is_not_escalated(time_machine, personas, january):
    task = RectificationTask.objects.filter(unit__code="331003006").earliest("id")
    time_machine.move_to(at(1, 19), tick=False)
    upload = photo()
    actions.do_attach_evidence(
        acting_user=personas.chengjiang, task=task, upload=upload, checked=check_upload(upload)
    )
    actions.do_mark_task_done(acting_user=personas.chengjiang, task=task, note="")
    time_machine.move_to(at(1, 25), tick=False)
    rows, total = selectors.overdue_tasks(personas.county)
    assert total == 2 and task.pk not in [r.task.pk for r in rows]
    task.refresh_from_db()
    assert (task.status, task.done_late) == (TaskStatus.SUBMITTED, False)


def test_overdue_tasks_cost_points_in_the_next_months_score(time_machine, personas, january):
    # One of 澄江's two tasks is handed in late, on 2月3日; the other is still open.
    first, second = RectificationTask.objects.filter(unit__code="331003006").order_by("id")
    time_machine.move_to(at(2, 3), tick=False)
    upload = photo()
    actions.do_attach_evidence(
        acting_user=personas.chengjiang, task=first, upload=upload, checked=check_upload(upload)
    )
    actions.do_mark_task_done(acting_user=personas.chengjiang, task=first, note="补齐台账")
    first.refresh_from_db()
    assert first.done_late is True
    actions.do_close_plan(acting_user=personas.county, plan=january.plan)
    time_machine.move_to(at(2, 10), tick=False)
    february = make_plan(personas.county, january.template, 2026, 2)
    world = World(template=january.template, plan=february, team=february.teams.get())
    inspection = inspect(world, personas.county, "331003006", {})
    assert inspection.overdue_count == 1
    assert inspection.overdue_task_ids == [second.pk]
    assert inspection.overdue_deduction == Decimal("0.5")
    assert inspection.total == Decimal("29.5")
    assert inspection.overdue_explanation == "逾期未完成整改1项，每项扣0.5分，共扣0.5分。"
    assert inspection.explanation == "满分30分，0个检查项共扣0分，整改逾期扣0.5分，得29.5分。"
    page = (
        personas.client(personas.county)
        .get(f"/supervision/inspections/{inspection.pk}/")
        .content.decode()
    )
    assert "整改任务逾期" in page and "-0.5" in page and "29.5" in page
    # 东城 had no tasks: no deduction.
    assert inspect(world, personas.county, "331003001", {}).total == Decimal(30)


def test_the_overdue_deduction_respects_the_cap(time_machine, personas, january):
    # A third overdue task for 澄江: 3 × 0.5 = 1.5, capped at 1.
    extra = RectificationTask.objects.filter(unit__code="331003006").earliest("id")
    extra.pk = None
    extra.result = None
    extra.save()
    time_machine.move_to(at(2, 10), tick=False)
    february = make_plan(personas.county, january.template, 2026, 2)
    world = World(template=january.template, plan=february, team=february.teams.get())
    inspection = inspect(world, personas.county, "331003006", {})
    assert (inspection.overdue_count, inspection.overdue_deduction, inspection.total) == (
        3,
        Decimal(1),
        Decimal(29),
    )
    assert (
        inspection.overdue_explanation == "逾期未完成整改3项，每项扣0.5分，应扣1.5分，按上限1分扣。"
    )


def test_a_checklist_that_does_not_count_overdue_tasks_deducts_nothing(
    time_machine, personas, january
):
    january.template.__class__.objects.filter(pk=january.template.pk).update(overdue_deduction=0)
    time_machine.move_to(at(2, 10), tick=False)
    february = make_plan(personas.county, january.template, 2026, 2)
    world = World(template=january.template, plan=february, team=february.teams.get())
    inspection = inspect(world, personas.county, "331003006", {})
    assert (inspection.overdue_deduction, inspection.total, inspection.overdue_explanation) == (
        Decimal(0),
        Decimal(30),
        "",
    )


def test_a_reopened_task_gets_a_new_deadline_and_escalates_again_after_it(
    time_machine, personas, january
):
    task = RectificationTask.objects.filter(unit__code="331003006").earliest("id")
    time_machine.move_to(at(1, 15), tick=False)
    upload = photo()
    actions.do_attach_evidence(
        acting_user=personas.chengjiang, task=task, upload=upload, checked=check_upload(upload)
    )
    actions.do_mark_task_done(acting_user=personas.chengjiang, task=task, note="")
    time_machine.move_to(at(1, 22), tick=False)
    actions.do_reopen_task(
        acting_user=personas.county, task=task, reason="照片看不清", deadline=dt.date(2026, 1, 31)
    )
    assert task.pk not in [r.task.pk for r in selectors.overdue_tasks(personas.county)[0]]
    time_machine.move_to(at(2, 2), tick=False)
    rows = selectors.overdue_tasks(personas.county)[0]
    assert {r.task.pk: r.days for r in rows}[task.pk] == 2
