"""The completeness board: who reported, on time, late, missing, and whom to remind."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkou.accounts.models import Role
from renkou.catalog.models import DataSet
from renkou.orgunits.models import OrgUnit
from renkou.reporting.models import Report
from tests.conftest import make_user
from tests.reporting.conftest import OTHER_VILLAGE, PERIOD, SHANGHAI, VILLAGE, full_form

pytestmark = pytest.mark.django_db

BOARD = f"/reporting/board/?data_set=village_monthly&period={PERIOD}"


def submit_as(client, unit: str):
    return client.post(f"/reporting/village_monthly/{PERIOD}/{unit}/submit/", full_form())


def test_on_time_late_and_missing_per_township_and_village(personas, catalog):
    other = make_user("other", Role.VILLAGE_WORKER, OTHER_VILLAGE)
    other.phone = "13800000001"
    other.save()
    with time_machine.travel(dt.datetime(2026, 10, 4, 9, tzinfo=SHANGHAI), tick=True):
        assert submit_as(personas.client(personas.village), VILLAGE).status_code == 302
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, tzinfo=SHANGHAI), tick=True):
        assert submit_as(personas.client(other), OTHER_VILLAGE).status_code == 302
        county = personas.client(personas.county).get(BOARD).content.decode()
        # 5 villages in the county: 1 on time, 1 late, 3 missing (2 of them in 东城).
        assert '<div class="num">5</div><div class="lbl">应报</div>' in county
        assert '<div class="num">1</div><div class="lbl">按时报送</div>' in county
        assert '<div class="num">1</div><div class="lbl">逾期报送</div>' in county
        assert '<div class="num">3</div><div class="lbl">未报</div>' in county
        assert "澄江街道" in county and "东城街道" in county
        township = personas.client(personas.chengjiang).get(BOARD).content.decode()
        assert "东岙里村委会" in township and "按时" in township and "逾期" in township
        assert "石柜岙村委会" in township and "催报名单" in township
        assert "东城街道" not in township and "百花社区居委会" not in township


def test_the_reminder_list_names_the_workers_and_their_phones(personas, catalog):
    worker = make_user("shigui", Role.VILLAGE_WORKER, "331003006208")
    worker.full_name = "石专干"
    worker.phone = "13900000002"
    worker.save()
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, tzinfo=SHANGHAI), tick=True):
        html = personas.client(personas.chengjiang).get(BOARD).content.decode()
    assert "石专干" in html and 'href="tel:13900000002"' in html


def test_a_township_drills_down_only_inside_its_scope(personas, october):
    client = personas.client(personas.chengjiang)
    assert client.get(BOARD + "&unit=331003001").status_code == 404
    assert client.get(BOARD + "&unit=331003").status_code == 404
    assert client.get(BOARD + "&unit=331003006").status_code == 200


def test_the_board_query_count_does_not_grow_with_units(personas, october):
    client = personas.client(personas.county)
    with CaptureQueriesContext(connection) as before:
        client.get(BOARD)
    township = OrgUnit.objects.get(code="331003006")
    for n in range(20):
        unit = OrgUnit.objects.create(
            code=f"331003006{300 + n}",
            name=f"新村{n}",
            level=5,
            parent=township,
            path=f"{township.path}331003006{300 + n}/",
        )
        Report.objects.create(
            data_set=DataSet.objects.get(), orgunit=unit, period=PERIOD, status="submitted"
        )
    with CaptureQueriesContext(connection) as after:
        client.get(BOARD)
    assert len(after) == len(before)


def test_administrators_and_outsiders_cannot_see_a_board(personas, october):
    for user in (personas.sysadmin, personas.auditadmin, personas.norole):
        assert personas.client(user).get(BOARD).status_code == 403
    assert personas.client(personas.dongcheng).get(BOARD + "&unit=331003006").status_code == 404
