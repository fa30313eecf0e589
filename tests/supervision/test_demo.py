"""The demo step: a year of supervision with tasks in every state."""

from __future__ import annotations

import pytest

from renkou.supervision import selectors
from renkou.supervision.demo import seed_supervision
from renkou.supervision.models import (
    Inspection,
    InspectionStatus,
    MonthlyResult,
    Plan,
    PlanStatus,
    RectificationTask,
    TaskStatus,
)

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_year_of_supervision_once(personas):
    lines: list[str] = []
    seed_supervision(lines.append)
    assert Plan.objects.filter(status=PlanStatus.CLOSED).count() == 12
    assert Plan.objects.filter(status=PlanStatus.ACTIVE).count() == 1
    assert MonthlyResult.objects.filter(repeat=True).exists()
    statuses = set(Inspection.objects.values_list("status", flat=True))
    assert statuses == {
        InspectionStatus.DRAFT,
        InspectionStatus.SUBMITTED,
        InspectionStatus.ACKNOWLEDGED,
    }
    tasks = RectificationTask.objects.all()
    today = selectors.today()
    assert tasks.filter(status=TaskStatus.OPEN, deadline__lt=today).exists()  # overdue
    assert tasks.filter(status=TaskStatus.OPEN, deadline__gte=today).exists()  # in hand
    assert tasks.filter(status=TaskStatus.SUBMITTED).exists()  # waiting for verification
    assert tasks.filter(status=TaskStatus.VERIFIED, done_late=False).exists()
    assert tasks.filter(done_late=True).exists()
    assert tasks.filter(reopened_count__gt=0).exists()
    # The demo logins have something to do: 澄江 acknowledges, the village rectifies.
    assert selectors.awaiting_acknowledgement(personas.chengjiang)
    assert selectors.tasks_for(personas.village).exists()
    # Every sample can be re-drawn from its seed.
    for plan in Plan.objects.all():
        assert selectors.verify_sample(plan).matches, plan
    assert "月度督查：13个月计划" in lines[-1]
    count = Inspection.objects.count()
    seed_supervision(lines.append)
    assert Inspection.objects.count() == count
    assert lines[-1] == "月度督查演示数据已存在，跳过。"


def test_the_demo_skips_without_a_county(db):
    lines: list[str] = []
    seed_supervision(lines.append)
    assert lines == ["没有演示县或县级账号，跳过月度督查演示数据。"]
