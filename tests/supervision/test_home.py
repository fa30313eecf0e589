"""The supervision overview per role, and the cost of the pages that list
overdue tasks (the supervision home and the dashboard)."""

from __future__ import annotations

import datetime as dt

import pytest

from renkou.orgunits.models import OrgUnit
from renkou.supervision.models import PlanUnit, RectificationTask
from tests.supervision.conftest import count_queries, inspect

pytestmark = pytest.mark.django_db


def test_each_role_starts_where_its_work_is(personas, world):
    PlanUnit.objects.create(
        plan=world.plan, unit=OrgUnit.objects.get(code="331003006200"), team=world.team
    )
    inspect(world, personas.county, "331003006", {"A1": 1})
    inspect(world, personas.county, "331003006200", {"B1": True})
    county = personas.client(personas.county).get("/supervision/").content.decode()
    assert "新建月度计划" in county and "待督查单位" in county and "已提交 2 / 5 个单位" in county
    township = personas.client(personas.chengjiang).get("/supervision/").content.decode()
    assert "待确认的督查结果" in township and "新建月度计划" not in township
    assert "澄江街道 · " in township  # its own inspection, waiting for its acknowledgement
    village = personas.client(personas.village).get("/supervision/").content.decode()
    assert "东岙里村委会" in village and "澄江街道 · " not in village
    leader = personas.client(personas.leader).get("/supervision/").content.decode()
    assert "新建月度计划" not in leader and "待督查单位" not in leader


def test_overdue_lists_cost_the_same_queries_however_many_tasks(personas, world):
    inspect(world, personas.county, "331003006", {"A1": 1})
    RectificationTask.objects.update(deadline=dt.date(2020, 1, 1))
    client = personas.client(personas.county)
    client.get("/")
    home = count_queries(client, "/")
    hub = count_queries(client, "/supervision/")
    for code in ["331003001", "331003101", "331003200"]:
        inspect(world, personas.county, code, {"A1": 2, "B1": True, "B2": True})
    RectificationTask.objects.update(deadline=dt.date(2020, 1, 1))
    assert RectificationTask.objects.count() == 10
    assert count_queries(client, "/") == home
    assert count_queries(client, "/supervision/") == hub
    assert "逾期未整改任务（10 项）" in client.get("/").content.decode()
