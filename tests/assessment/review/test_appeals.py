"""Release and appeals: a unit appeals within the deadline; the assessor decides;
an upheld appeal becomes an approved adjustment and the run is re-scored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from renkou.assessment.actions_review import do_decide_appeal, do_file_appeal, do_release_run
from renkou.assessment.models import (
    Adjustment,
    AdjustmentReason,
    Appeal,
    AppealStatus,
    DecisionStatus,
    RunStatus,
)
from renkou.assessment.review_context import ReviewError
from renkou.audit.models import AuditEvent
from tests.assessment.review.conftest import CHENGJIANG, unit_of

pytestmark = pytest.mark.django_db

RELEASE_DAY = dt.datetime(2026, 2, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def release(run, user, days=7):
    with time_machine.travel(RELEASE_DAY, tick=False):
        return do_release_run(acting_user=user, run=run, appeal_days=days)


def appeal(run, user, when):
    with time_machine.travel(when, tick=False):
        return do_file_appeal(
            acting_user=user,
            run_unit=unit_of(run, CHENGJIANG),
            item_code="births",
            reason="12月出生数据因系统迁移未同步，少计10人",
        )


def test_release_sets_deadline(township_run, personas):
    run = release(township_run, personas.county, days=7)
    assert run.status == RunStatus.RELEASED
    assert run.appeal_deadline == dt.date(2026, 2, 9)
    assert run.released_by == personas.county
    with pytest.raises(ReviewError, match="只有已评分"):
        do_release_run(acting_user=personas.county, run=run)


def test_appeal_on_last_day_accepted_and_next_day_refused(township_run, personas):
    run = release(township_run, personas.county, days=7)
    filed = appeal(run, personas.chengjiang, RELEASE_DAY + dt.timedelta(days=7, hours=14))
    assert filed.status == AppealStatus.FILED
    Appeal.objects.all().delete()
    with pytest.raises(ReviewError, match="申诉期已于2026年2月9日结束"):
        appeal(run, personas.chengjiang, RELEASE_DAY + dt.timedelta(days=8))
    assert not Appeal.objects.exists()


def test_appeal_before_release_refused(township_run, personas):
    with pytest.raises(ReviewError, match="尚未反馈"):
        appeal(township_run, personas.chengjiang, RELEASE_DAY)


def test_upheld_appeal_becomes_adjustment_and_rescores(township_run, personas):
    run = release(township_run, personas.county)
    filed = appeal(run, personas.chengjiang, RELEASE_DAY + dt.timedelta(days=1))
    with time_machine.travel(RELEASE_DAY + dt.timedelta(days=2), tick=False):
        decided = do_decide_appeal(
            acting_user=personas.county,
            appeal=filed,
            upheld=True,
            decision_reason="核对台账属实",
            field="births",
            new_value=Decimal("50"),
        )
    assert decided.status == AppealStatus.UPHELD
    adjustment = Adjustment.objects.get()
    assert decided.adjustment == adjustment
    assert (adjustment.reason, adjustment.status) == (
        AdjustmentReason.APPEAL,
        DecisionStatus.APPROVED,
    )
    assert (adjustment.proposed_by, adjustment.decided_by) == (
        personas.chengjiang,
        personas.county,
    )
    unit = unit_of(run, CHENGJIANG)
    assert (unit.raw_total, unit.total) == (Decimal("92"), Decimal("100"))
    births = next(i for i in unit.result["items"] if i["code"] == "births")
    assert "申诉成立" in births["explanation"]


def test_rejected_appeal_is_recorded(township_run, personas):
    run = release(township_run, personas.county)
    filed = appeal(run, personas.chengjiang, RELEASE_DAY + dt.timedelta(days=1))
    decided = do_decide_appeal(
        acting_user=personas.county, appeal=filed, upheld=False, decision_reason="数据已按时锁定"
    )
    assert decided.status == AppealStatus.REJECTED
    assert decided.decision_reason == "数据已按时锁定"
    assert not Adjustment.objects.exists()
    assert unit_of(run, CHENGJIANG).total == Decimal("92")
    with pytest.raises(ReviewError, match="已经处理过"):
        do_decide_appeal(
            acting_user=personas.county, appeal=decided, upheld=False, decision_reason="再次"
        )


def test_every_step_audited(township_run, personas):
    start = AuditEvent.objects.count()
    run = release(township_run, personas.county)
    filed = appeal(run, personas.chengjiang, RELEASE_DAY + dt.timedelta(days=1))
    do_decide_appeal(
        acting_user=personas.county,
        appeal=filed,
        upheld=True,
        decision_reason="属实",
        field="births",
        new_value=Decimal("45"),
    )
    actions = list(
        AuditEvent.objects.filter(seq__gt=start).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        "assessment.release_run",
        "assessment.file_appeal",
        "assessment.uphold_appeal",
    ]


def test_unit_files_appeal_on_page_and_sees_outcome(township_run, personas):
    run = release(township_run, personas.county)
    unit = unit_of(run, CHENGJIANG)
    officer = personas.client(personas.chengjiang)
    with time_machine.travel(RELEASE_DAY + dt.timedelta(days=1), tick=False):
        page = officer.get(f"/assessment/run-units/{unit.pk}/review/").content.decode()
        assert "提出申诉" in page and "申诉期至2026年2月9日" in page
        response = officer.post(
            f"/assessment/run-units/{unit.pk}/appeal/",
            {"item_code": "births", "reason": "少计10人"},
        )
    filed = Appeal.objects.get()
    assert response["Location"] == f"/assessment/appeals/{filed.pk}/"
    county = personas.client(personas.county)
    county.post(
        f"/assessment/appeals/{filed.pk}/decide/",
        {
            "decision": "uphold",
            "field": "births",
            "new_value": "50",
            "decision_reason": "核对台账属实",
        },
    )
    # A new session: the one above was last seen on the travelled-to day.
    shown = personas.client(personas.chengjiang).get(f"/assessment/appeals/{filed.pk}/")
    shown = shown.content.decode()
    assert "申诉成立" in shown and "核对台账属实" in shown and "已重新计分" in shown


def test_appeal_page_after_deadline_says_so(township_run, personas):
    run = release(township_run, personas.county)
    unit = unit_of(run, CHENGJIANG)
    officer = personas.client(personas.chengjiang)
    with time_machine.travel(RELEASE_DAY + dt.timedelta(days=10), tick=False):
        page = officer.get(f"/assessment/run-units/{unit.pk}/appeal/").content.decode()
        assert "申诉期已于2026年2月9日结束" in page
        response = officer.post(
            f"/assessment/run-units/{unit.pk}/appeal/", {"item_code": "births", "reason": "晚了"}
        )
    assert response.status_code == 200
    assert "申诉期已于2026年2月9日结束" in response.content.decode()
    assert not Appeal.objects.exists()


def test_upheld_without_figure_refused_on_page(township_run, personas):
    run = release(township_run, personas.county)
    filed = appeal(run, personas.chengjiang, RELEASE_DAY + dt.timedelta(days=1))
    response = personas.client(personas.county).post(
        f"/assessment/appeals/{filed.pk}/decide/",
        {"decision": "uphold", "decision_reason": "属实"},
        follow=True,
    )
    assert "请选择要更正的数据" in response.content.decode()
    filed.refresh_from_db()
    assert filed.status == AppealStatus.FILED
