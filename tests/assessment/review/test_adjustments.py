"""柔性考核: proposed by one assessor, decided by another (four eyes); approval
re-scores the run and the explanation cites the adjustment."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.assessment.actions_review import do_decide_adjustment, do_propose_adjustment
from renkou.assessment.models import Adjustment, DecisionStatus, RunStatus
from renkou.assessment.review_context import ReviewError, field_choices
from renkou.audit.models import AuditEvent
from tests.assessment.review.conftest import CHENGJIANG, unit_of

pytestmark = pytest.mark.django_db


def propose(run, user, *, code=CHENGJIANG, value="50") -> Adjustment:
    return do_propose_adjustment(
        acting_user=user,
        run_unit=unit_of(run, code),
        item_code="births",
        field="target.births",
        new_value=Decimal(value),
        reason="disaster",
        note="台风期间两个村整体转移安置，出生登记顺延",
    )


def test_item_fields_are_the_figures_it_reads(township_run):
    choices = dict(field_choices(unit_of(township_run, CHENGJIANG), "births"))
    assert set(choices) == {"births", "target.births"}
    assert choices["target.births"] == "目标 births（50）"


def test_proposer_cannot_approve_own_adjustment(township_run, personas):
    adjustment = propose(township_run, personas.county, value="40")
    with pytest.raises(ReviewError, match="不能审核自己的提议"):
        do_decide_adjustment(
            acting_user=personas.county, adjustment=adjustment, approve=True, note="同意"
        )
    adjustment.refresh_from_db()
    assert adjustment.status == DecisionStatus.PROPOSED
    unit = unit_of(township_run, CHENGJIANG)
    assert unit.total == unit.raw_total


def test_second_person_approves_and_run_is_rescored(township_run, personas, reviewer):
    before = unit_of(township_run, CHENGJIANG)
    assert before.total == Decimal("92")  # 40/50 births → 32 of 40, plus 30 + 30
    revision = township_run.revision
    adjustment = propose(township_run, personas.county, value="40")
    do_decide_adjustment(acting_user=reviewer, adjustment=adjustment, approve=True, note="属实")
    after = unit_of(township_run, CHENGJIANG)
    assert after.raw_total == Decimal("92")
    assert after.total == Decimal("100")
    births = next(i for i in after.result["items"] if i["code"] == "births")
    raw_births = next(i for i in after.raw_result["items"] if i["code"] == "births")
    assert (raw_births["score"], births["score"]) == (32, 40)
    assert f"柔性考核调整#{adjustment.pk}" in births["explanation"]
    assert "自然灾害" in births["explanation"]
    township_run.refresh_from_db()
    assert township_run.revision == revision + 1
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decided_by) == (DecisionStatus.APPROVED, reviewer)
    assert adjustment.old_value == Decimal("50")


def test_rejected_adjustment_changes_no_score(township_run, personas, reviewer):
    adjustment = propose(township_run, personas.county, value="40")
    do_decide_adjustment(
        acting_user=reviewer, adjustment=adjustment, approve=False, note="证据不足"
    )
    adjustment.refresh_from_db()
    assert adjustment.status == DecisionStatus.REJECTED
    assert unit_of(township_run, CHENGJIANG).total == Decimal("92")


def test_adjustment_refused_when_published(township_run, personas):
    township_run.status = RunStatus.PUBLISHED
    township_run.save()
    with pytest.raises(ReviewError, match="已发布"):
        propose(township_run, personas.county)
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quality", "99", "不是该考核项目使用的数据"),
        ("target.births", "50", "与现有数值相同"),
    ],
)
def test_bad_proposals_refused(township_run, personas, field, value, message):
    with pytest.raises(ReviewError, match=message):
        do_propose_adjustment(
            acting_user=personas.county,
            run_unit=unit_of(township_run, CHENGJIANG),
            item_code="births",
            field=field,
            new_value=Decimal(value),
            reason="disaster",
            note="说明",
        )
    assert not Adjustment.objects.exists()


def test_actions_write_one_audit_row_each(township_run, personas, reviewer):
    start = AuditEvent.objects.count()
    adjustment = propose(township_run, personas.county, value="40")
    assert AuditEvent.objects.count() == start + 1
    event = AuditEvent.objects.latest("seq")
    assert event.action == "assessment.propose_adjustment"
    assert event.object_id == str(adjustment.pk)
    do_decide_adjustment(acting_user=reviewer, adjustment=adjustment, approve=True, note="属实")
    assert AuditEvent.objects.count() == start + 2
    assert AuditEvent.objects.latest("seq").action == "assessment.approve_adjustment"


def test_pages_propose_and_decide(township_run, personas, reviewer):
    unit = unit_of(township_run, CHENGJIANG)
    county = personas.client(personas.county)
    page = county.get(f"/assessment/run-units/{unit.pk}/adjust/")
    assert page.status_code == 200
    assert "提出柔性考核调整" in page.content.decode()
    response = county.post(
        f"/assessment/run-units/{unit.pk}/adjust/",
        {
            "item_code": "births",
            "field": "target.births",
            "new_value": "40",
            "reason": "disaster",
            "note": "台风",
        },
    )
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessment/adjustments/{adjustment.pk}/"
    own = county.get(f"/assessment/adjustments/{adjustment.pk}/").content.decode()
    assert "须由另一位有审核权限的同志审核" in own
    refused = county.post(
        f"/assessment/adjustments/{adjustment.pk}/decide/",
        {"decision": "approve", "note": "同意"},
        follow=True,
    )
    assert "不能审核自己的提议" in refused.content.decode()
    adjustment.refresh_from_db()
    assert adjustment.status == DecisionStatus.PROPOSED
    other = personas.client(reviewer)
    done = other.post(
        f"/assessment/adjustments/{adjustment.pk}/decide/",
        {"decision": "approve", "note": "属实"},
        follow=True,
    )
    assert "已重新计分" in done.content.decode()
    page = other.get(f"/assessment/run-units/{unit.pk}/review/").content.decode()
    assert "已调整" in page and f"柔性考核调整#{adjustment.pk}" in page


def test_bad_form_input_shows_message_and_writes_nothing(township_run, personas):
    unit = unit_of(township_run, CHENGJIANG)
    response = personas.client(personas.county).post(
        f"/assessment/run-units/{unit.pk}/adjust/",
        {"item_code": "births", "field": "quality", "new_value": "abc", "reason": "x", "note": ""},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Adjustment.objects.exists()
