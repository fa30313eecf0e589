"""Approval bottom-up: submit, return with a reason, approve, lock, reopen with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from renkou.audit.models import AuditEvent
from renkou.catalog.models import DataElement
from renkou.orgunits.models import OrgUnit
from renkou.reporting.models import DataValue, PeriodLock, Report
from tests.reporting.conftest import PERIOD, SHANGHAI, VILLAGE, full_form

pytestmark = pytest.mark.django_db

BASE = f"/reporting/village_monthly/{PERIOD}/{VILLAGE}/"
LOCK = f"/reporting/lock/village_monthly/{PERIOD}/331003/"


def report() -> Report:
    return Report.objects.get(orgunit__code=VILLAGE, period=PERIOD)


def submit(client, **overrides):
    return client.post(BASE + "submit/", full_form(**overrides))


def test_the_whole_flow_from_village_to_county(personas, october):
    village = personas.client(personas.village)
    township = personas.client(personas.chengjiang)
    county = personas.client(personas.county)

    assert submit(village).status_code == 302
    assert report().status == "submitted" and report().first_submitted_at is not None
    # Submitted: the worker can no longer change it.
    response = village.post(BASE + "autosave/", {"code": "deaths", "v-deaths": "9"})
    assert "等待乡镇审核，不能修改" in response.content.decode()
    assert DataValue.objects.get(element__code="deaths").value == 3

    # A return needs a reason.
    assert township.post(BASE + "review/", {"decision": "return", "reason": " "}).status_code == 400
    assert report().status == "submitted"
    township.post(BASE + "review/", {"decision": "return", "reason": "死亡人数请与派出所核对"})
    assert report().status == "returned"
    event = AuditEvent.objects.get(action="reporting.return")
    assert event.reason == "死亡人数请与派出所核对" and event.actor == personas.chengjiang
    assert "死亡人数请与派出所核对" in village.get(BASE).content.decode()

    # Fixed and resubmitted, then approved.
    assert submit(village, deaths="2").status_code == 302
    assert report().status == "submitted"
    township.post(BASE + "review/", {"decision": "approve"})
    assert report().status == "approved"

    # The county locks the month: accepted, and nobody can edit any more.
    response = county.post(LOCK, {"decision": "lock", "reason": "9月验收"}, follow=True)
    assert "1 份报表验收通过" in response.content.decode()
    assert report().status == "accepted"
    assert PeriodLock.objects.get().locked
    html = village.get(BASE).content.decode()
    assert "县级已锁定" in html and "hx-post" not in html
    response = village.post(BASE + "autosave/", {"code": "deaths", "v-deaths": "1"})
    assert "不能修改" in response.content.decode()
    assert DataValue.objects.get(element__code="deaths").value == 2


def test_submission_is_refused_while_values_are_missing_or_break_a_blocking_rule(personas, october):
    village = personas.client(personas.village)
    form = full_form()
    del form["v-population"]
    html = village.post(BASE + "submit/", form).content.decode()
    assert "以下数据项未填写（没有发生请填 0）：月末常住人口" in html
    assert report().status == "draft"
    html = village.post(BASE + "submit/", full_form(registered_30d="9")).content.decode()
    assert "30天内办理的生育登记数不能多于生育登记总数" in html
    assert report().status == "draft"
    # The values typed were kept as a draft.
    assert DataValue.objects.get(element__code="registered_30d").value == 9


def test_warnings_do_not_block_and_travel_to_the_reviewer(personas, october):
    village = personas.client(personas.village)
    submit(village, subsidy_paid="30", subsidy_applied="3")
    assert report().status == "submitted"
    assert any("育儿补贴发放数明显多于受理数" in f["message"] for f in report().findings)
    html = personas.client(personas.chengjiang).get(BASE).content.decode()
    assert "请核实" in html and "育儿补贴发放数明显多于受理数" in html
    assert "审核通过" in html


def test_an_outlier_against_the_villages_own_history_is_flagged(personas, october):
    births = DataElement.objects.get(code="births_male")
    unit = OrgUnit.objects.get(code=VILLAGE)
    for month in range(1, 9):
        DataValue.objects.create(
            element=births,
            orgunit=unit,
            period=f"2026{month:02d}",
            value=month % 3,
            updated_at=dt.datetime(2026, month, 28, tzinfo=SHANGHAI),
        )
    submit(personas.client(personas.village), births_male="25")
    messages = [f["message"] for f in report().findings]
    assert any("出生人数（男）本期为 25" in m and "中位数为 1" in m for m in messages)


def test_a_small_jump_in_a_small_village_is_not_an_outlier(personas, october):
    births = DataElement.objects.get(code="births_male")
    unit = OrgUnit.objects.get(code=VILLAGE)
    for month in range(1, 9):
        DataValue.objects.create(
            element=births,
            orgunit=unit,
            period=f"2026{month:02d}",
            value=1,
            updated_at=dt.datetime(2026, month, 28, tzinfo=SHANGHAI),
        )
    submit(personas.client(personas.village), births_male="4")
    assert not [f for f in report().findings if f["kind"] == "outlier"]


def test_the_village_cannot_review_and_the_township_cannot_lock(personas, october):
    submit(personas.client(personas.village))
    response = personas.client(personas.village).post(BASE + "review/", {"decision": "approve"})
    assert response.status_code == 403
    response = personas.client(personas.chengjiang).post(LOCK, {"decision": "lock"})
    assert response.status_code == 403
    assert report().status == "submitted" and not PeriodLock.objects.exists()


def test_an_outsider_township_cannot_lock_the_county(personas, october):
    response = personas.client(personas.dongcheng).post(LOCK, {"decision": "lock"})
    assert response.status_code in (403, 404)
    assert not PeriodLock.objects.exists()


def test_reopening_needs_a_reason_and_lets_the_township_return_again(personas, october):
    village = personas.client(personas.village)
    township = personas.client(personas.chengjiang)
    county = personas.client(personas.county)
    submit(village)
    township.post(BASE + "review/", {"decision": "approve"})
    county.post(LOCK, {"decision": "lock"})
    county.post(LOCK, {"decision": "reopen", "reason": ""})
    assert PeriodLock.objects.get().locked
    county.post(LOCK, {"decision": "reopen", "reason": "发现漏报出生1人"})
    assert not PeriodLock.objects.get().locked
    assert report().status == "approved"
    assert AuditEvent.objects.get(action="reporting.reopen_period").reason == "发现漏报出生1人"
    township.post(BASE + "review/", {"decision": "return", "reason": "补报漏报出生"})
    assert report().status == "returned"


def test_a_period_locks_itself_after_its_lock_days(personas, catalog):
    # village_monthly locks 40 days after the month ends: 2026-09 on 10 November.
    with time_machine.travel(dt.datetime(2026, 11, 12, 9, tzinfo=SHANGHAI), tick=False):
        village = personas.client(personas.village)
        html = village.get(BASE).content.decode()
        assert "已于2026年11月9日自动锁定" in html
        village.post(BASE + "autosave/", {"code": "deaths", "v-deaths": "1"})
        assert not DataValue.objects.exists()
        # The county may reopen it, with a reason.
        county = personas.client(personas.county)
        county.post(LOCK, {"decision": "reopen", "reason": "补录"})
        village.post(BASE + "autosave/", {"code": "deaths", "v-deaths": "1"})
        assert DataValue.objects.get().value == 1
