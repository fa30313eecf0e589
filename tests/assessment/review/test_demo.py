"""The demo step on a scored 2025 township run: an approved adjustment, an
upheld appeal from 澄江街道, publication, pay rules and a roster; idempotent."""

from __future__ import annotations

import pytest

from renkou.assessment.demo_review import seed_review
from renkou.assessment.models import (
    AdjustmentReason,
    AppealStatus,
    Cadre,
    DecisionStatus,
    PayRule,
    RunStatus,
)
from renkou.audit.models import AuditEvent
from tests.assessment.review.conftest import CHENGJIANG, unit_of

pytestmark = pytest.mark.django_db


def test_demo_step_without_run_logs_and_skips(personas):
    lines: list[str] = []
    seed_review(lines.append)
    assert any("跳过调整、申诉和发布" in line for line in lines)
    assert PayRule.objects.count() == 4
    assert Cadre.objects.filter(orgunit__parent__code=CHENGJIANG).count() >= 2


def test_demo_step_reviews_and_publishes_once(township_run, personas, reviewer):
    lines: list[str] = []
    seed_review(lines.append)
    township_run.refresh_from_db()
    assert township_run.status == RunStatus.PUBLISHED
    disaster = township_run.adjustments.get(reason=AdjustmentReason.DISASTER)
    assert disaster.status == DecisionStatus.APPROVED
    assert disaster.proposed_by != disaster.decided_by
    appeal = township_run.appeals.get()
    assert (appeal.orgunit.code, appeal.status) == (CHENGJIANG, AppealStatus.UPHELD)
    assert appeal.adjustment is not None
    unit = unit_of(township_run, CHENGJIANG)
    assert unit.total is not None and unit.raw_total is not None
    assert unit.total > unit.raw_total
    assert township_run.publication.commended
    rules = {grade: str(k) for grade, k in PayRule.objects.values_list("grade", "coefficient")}
    assert rules == {"优秀": "1.200", "良好": "1.000", "合格": "0.800", "不合格": "0.500"}
    counts = [
        Cadre.objects.filter(orgunit__code=code).count()
        for code in ("331003006200", "331003006204", "331003006208")
    ]
    assert all(2 <= n <= 3 for n in counts)
    events = AuditEvent.objects.count()
    seed_review(lines.append)
    assert AuditEvent.objects.count() == events
