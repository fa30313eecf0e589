"""Inspections: the phone page's state, JSON sync (save, then submit), photos,
scoring with explanations, acknowledgement by the unit, correction."""

from __future__ import annotations

import json
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from renkou.audit.models import AuditEvent
from renkou.supervision import actions
from renkou.supervision.access import SupervisionError
from renkou.supervision.files import check_upload
from renkou.supervision.models import (
    Attachment,
    Inspection,
    InspectionStatus,
    RectificationTask,
    TaskStatus,
)
from tests.supervision.conftest import JPEG, PDF, PNG, inspect, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(personas, world):
    client = personas.client(personas.county)
    response = client.post(f"/supervision/visits/{world.unit('331003006').pk}/start/")
    inspection = Inspection.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/supervision/inspections/{inspection.pk}/"
    )
    return inspection


def _sync(client, inspection, body):
    return client.post(
        f"/supervision/inspections/{inspection.pk}/sync/",
        data=json.dumps(body),
        content_type="application/json",
    )


def _state(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script id="inspection-state" type="application/json">(.*?)</script>', html, re.S
    )
    assert found is not None
    state: dict[str, Any] = json.loads(found.group(1))
    return state


def test_starting_twice_continues_the_same_inspection(personas, world, started):
    client = personas.client(personas.county)
    client.post(f"/supervision/visits/{world.unit('331003006').pk}/start/")
    assert Inspection.objects.count() == 1
    assert AuditEvent.objects.filter(action="supervision.start_inspection").count() == 1


def test_the_phone_page_carries_its_state_as_json_and_no_inline_script(personas, world, started):
    html = (
        personas.client(personas.county)
        .get(f"/supervision/inspections/{started.pk}/")
        .content.decode()
    )
    state = _state(html)
    assert [i["code"] for i in state["items"]] == ["A1", "A2", "B1", "B2"]
    assert state["storageKey"] == f"renkou:inspection:{started.pk}"
    assert state["syncUrl"] == f"/supervision/inspections/{started.pk}/sync/"
    assert state["overdue"] == {"count": 0, "perTask": "0.50", "cap": "1.00"}
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag
    assert 'capture="environment"' in html and "supervision.js" in html


def test_a_draft_is_saved_then_submitted_and_scored_with_explanations(personas, world, started):
    client = personas.client(personas.county)
    body = {
        "revision": 0,
        "representative": "王主任",
        "remarks": "总体较好",
        "location": {
            "latitude": 28.64,
            "longitude": 121.26,
            "accuracy": 12.4,
            "at": "2026-01-05T02:00:00Z",
        },
        "results": [
            {"item": world.item_id("A1"), "occurrences": 2, "note": "两份档案超时"},
            {"item": world.item_id("B2"), "failed": True, "note": "未公示", "rectify": False},
            {
                "item": world.item_id("B1"),
                "occurrences": 9,
            },  # a count on a yes/no item means nothing
        ],
    }
    saved = _sync(client, started, body)
    assert saved.status_code == 200 and saved.json() == {
        "ok": True,
        "revision": 1,
        "status": "draft",
    }
    # Sending the same draft again changes nothing and writes no audit row.
    before = AuditEvent.objects.count()
    assert _sync(client, started, body).json()["revision"] == 1
    assert AuditEvent.objects.count() == before
    submitted = _sync(client, started, {"submit": True})
    assert submitted.json()["total"] == "23"
    assert submitted.json()["redirect"] == f"/supervision/inspections/{started.pk}/"
    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert (inspection.total, inspection.full_marks) == (Decimal(23), Decimal(30))
    assert inspection.explanation == "满分30分，2个检查项共扣7分，得23分。"
    assert (inspection.latitude, inspection.longitude, inspection.accuracy_m) == (
        Decimal("28.640000"),
        Decimal("121.260000"),
        12,
    )
    assert inspection.representative == "王主任"
    lines = {
        r.item.code: (r.deduction, r.score, r.explanation)
        for r in inspection.results.select_related("item")
    }
    assert lines == {
        "A1": (Decimal(4), Decimal(6), "发现2处问题，每处扣2分，共扣4分，得6分。"),
        "A2": (Decimal(0), Decimal(10), "未发现问题，得满分10分。"),
        "B1": (Decimal(0), Decimal(5), "符合要求，得满分5分。"),
        "B2": (Decimal(3), Decimal(2), "不符合要求，扣3分，得2分。"),
    }
    assert (
        sum((score or Decimal(0) for _, score, _ in lines.values()), Decimal(0)) == inspection.total
    )
    # A task for the deduction marked for rectification only, due in 15 days.
    task = RectificationTask.objects.get()
    assert (task.title, task.description, task.status) == (
        "检查项A1",
        "两份档案超时",
        TaskStatus.OPEN,
    )
    assert (task.deadline - inspection.visited_on).days == 15
    html = client.get(f"/supervision/inspections/{started.pk}/").content.decode()
    assert "满分30分，2个检查项共扣7分，得23分。" in html and "待整改" in html


def test_a_submitted_inspection_can_no_longer_change(personas, world, started):
    client = personas.client(personas.county)
    _sync(client, started, {"submit": True})
    response = _sync(
        client, started, {"results": [{"item": world.item_id("A1"), "occurrences": 3}]}
    )
    assert response.status_code == 409
    assert response.json()["error"] == "该督查记录已提交，不能再修改。"
    assert Inspection.objects.get().total == Decimal(30)


# Each case is one request on the same inspection: one set-up for all of them.
MALFORMED = [
    b"not json",
    b"[]",
    b'{"results": [{"item": 1, "occurrences": -1}]}',
    b'{"results": [{"item": 1, "occurrences": 100000}]}',
    b'{"results": [{"item": "x"}]}',
    b'{"location": {"latitude": 200, "longitude": 0}}',
    b'{"representative": "' + "长".encode() * 60 + b'"}',
    b'{"results": [{"item": 1, "photos": ["not-a-uuid"]}]}',
    b"\x00\xff",
]


def test_a_malformed_draft_gets_a_chinese_message_and_changes_nothing(personas, started):
    client = personas.client(personas.county)
    before = AuditEvent.objects.count()
    for body in MALFORMED:
        response = client.post(
            f"/supervision/inspections/{started.pk}/sync/",
            data=body,
            content_type="application/json",
        )
        assert response.status_code == 400, body
        assert response.json()["error"] == "草稿格式有误，请刷新页面后重试。"
    assert AuditEvent.objects.count() == before


def test_an_item_of_another_checklist_is_refused(personas, started):
    response = _sync(
        personas.client(personas.county), started, {"results": [{"item": 999999, "occurrences": 1}]}
    )
    assert response.status_code == 409
    assert "不属于本清单" in response.json()["error"]


def test_a_photo_is_kept_once_even_when_the_phone_sends_it_twice(personas, world, started):
    client = personas.client(personas.county)
    key = str(uuid.uuid4())
    for _ in range(2):
        response = client.post(
            f"/supervision/inspections/{started.pk}/photos/",
            {
                "file": SimpleUploadedFile("现场.jpg", JPEG, "image/jpeg"),
                "item": world.item_id("A2"),
                "uuid": key,
            },
        )
        assert response.status_code == 200 and response.json()["uuid"] == key
    photo = Attachment.objects.get()
    assert (photo.content_type, photo.size, photo.original_name) == (
        "image/jpeg",
        len(JPEG),
        "现场.jpg",
    )
    assert photo.file.name.startswith("supervision/") and "现场" not in (photo.file.name or "")
    assert AuditEvent.objects.filter(action="supervision.attach_photo").count() == 1
    served = client.get(response.json()["url"])
    assert served["Content-Type"] == "image/jpeg" and b"".join(served.streaming_content) == JPEG


NOT_PHOTOS = [
    ("x.jpg", b"GIF89a....", "不是照片"),
    ("x.png", PDF, "不是照片"),  # a PDF is evidence, not a photo of a finding
    ("x.jpg", b"", "文件"),
    ("big.jpg", JPEG + b"0" * (10 * 1024 * 1024), "超过了10 MB的上限"),
    ("x.html", b"<script>alert(1)</script>", "不是照片"),
]


def test_only_real_pictures_up_to_10_mb_are_kept(personas, world, started):
    client = personas.client(personas.county)
    for name, content, reason in NOT_PHOTOS:
        response = client.post(
            f"/supervision/inspections/{started.pk}/photos/",
            {
                "file": SimpleUploadedFile(name, content, "image/jpeg"),
                "item": world.item_id("A1"),
                "uuid": str(uuid.uuid4()),
            },
        )
        assert response.status_code == 400, name
        assert reason in response.json()["error"], name
    assert Attachment.objects.count() == 0


def test_a_photo_removed_on_the_phone_is_removed_on_sync(personas, world, started):
    client = personas.client(personas.county)
    keys = [str(uuid.uuid4()), str(uuid.uuid4())]
    for key in keys:
        client.post(
            f"/supervision/inspections/{started.pk}/photos/",
            {
                "file": SimpleUploadedFile("p.png", PNG, "image/png"),
                "item": world.item_id("A2"),
                "uuid": key,
            },
        )
    _sync(
        client,
        started,
        {"results": [{"item": world.item_id("A2"), "occurrences": 1, "photos": [keys[1]]}]},
    )
    assert [str(a.client_uuid) for a in Attachment.objects.all()] == [keys[1]]


def test_a_deduction_on_an_evidence_item_needs_a_photo(personas, world, started):
    client = personas.client(personas.county)
    _sync(client, started, {"results": [{"item": world.item_id("A2"), "occurrences": 3}]})
    response = _sync(client, started, {"submit": True})
    assert response.status_code == 409
    assert response.json()["error"] == "以下扣分项须附照片：A2。请拍照后再提交（草稿已保存）。"
    inspection = Inspection.objects.get()
    assert inspection.status == InspectionStatus.DRAFT
    assert inspection.results.get(item__code="A2").occurrences == 3  # the draft was kept
    client.post(
        f"/supervision/inspections/{started.pk}/photos/",
        {
            "file": SimpleUploadedFile("p.png", PNG, "image/png"),
            "item": world.item_id("A2"),
            "uuid": str(uuid.uuid4()),
        },
    )
    assert _sync(client, started, {"submit": True}).json()["total"] == "28.5"


def test_the_unit_acknowledges_and_may_object(personas, world):
    inspection = inspect(world, personas.county, "331003006", {"A1": 1})
    client = personas.client(personas.chengjiang)
    html = client.get(f"/supervision/inspections/{inspection.pk}/").content.decode()
    assert "对督查结果无异议" in html and "确认</button>" in html
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/acknowledge/",
        {"objection": "1", "note": ""},
        follow=True,
    )
    assert "有异议时请写明理由。" in response.content.decode()
    assert Inspection.objects.get().status == InspectionStatus.SUBMITTED
    client.post(
        f"/supervision/inspections/{inspection.pk}/acknowledge/",
        {"objection": "1", "note": "A1系外地分娩"},
    )
    inspection.refresh_from_db()
    assert (
        inspection.status,
        inspection.ack_by,
        inspection.ack_objection,
        inspection.ack_note,
    ) == (
        InspectionStatus.ACKNOWLEDGED,
        personas.chengjiang,
        True,
        "A1系外地分娩",
    )
    event = AuditEvent.objects.get(action="supervision.acknowledge_inspection")
    assert (event.actor, event.reason) == (personas.chengjiang, "A1系外地分娩")
    # Once is enough.
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/acknowledge/", {"objection": "0"}, follow=True
    )
    assert "该督查记录不在待确认状态。" in response.content.decode()


def test_an_inspector_cannot_acknowledge_for_the_unit(personas, world):
    world.team.members.add(personas.chengjiang)
    inspection = inspect(world, personas.chengjiang, "331003006", {}, submit=True)
    with pytest.raises(SupervisionError, match="督查人员不能代替被督查单位确认结果"):
        actions.do_acknowledge_inspection(
            acting_user=personas.chengjiang, inspection=inspection, objection=False, note=""
        )
    response = personas.client(personas.chengjiang).post(
        f"/supervision/inspections/{inspection.pk}/acknowledge/", {"objection": "0"}
    )
    assert response.status_code == 403


def test_a_village_worker_acknowledges_the_village_inspection(personas, world):
    from renkou.orgunits.models import OrgUnit
    from renkou.supervision.models import PlanUnit

    PlanUnit.objects.create(
        plan=world.plan, unit=OrgUnit.objects.get(code="331003006200"), team=world.team
    )
    inspection = inspect(world, personas.county, "331003006200", {"B1": True})
    client = personas.client(personas.village)
    assert client.get(f"/supervision/inspections/{inspection.pk}/").status_code == 200
    client.post(f"/supervision/inspections/{inspection.pk}/acknowledge/", {"objection": "0"})
    assert Inspection.objects.get(pk=inspection.pk).ack_by == personas.village


def test_drafts_are_hidden_from_the_unit(personas, world, started):
    assert (
        personas.client(personas.chengjiang)
        .get(f"/supervision/inspections/{started.pk}/")
        .status_code
        == 404
    )
    assert (
        personas.client(personas.leader).get(f"/supervision/inspections/{started.pk}/").status_code
        == 404
    )


def test_a_planner_returns_an_inspection_for_correction_while_no_task_is_worked_on(personas, world):
    inspection = inspect(world, personas.county, "331003006", {"A1": 1})
    client = personas.client(personas.county)
    client.post(f"/supervision/inspections/{inspection.pk}/reopen/", {"reason": "单位异议成立"})
    inspection.refresh_from_db()
    assert (inspection.status, inspection.total) == (InspectionStatus.DRAFT, None)
    assert RectificationTask.objects.count() == 0
    assert AuditEvent.objects.get(action="supervision.reopen_inspection").reason == "单位异议成立"
    actions.do_submit_inspection(acting_user=personas.county, inspection=inspection)
    task = RectificationTask.objects.get()
    # Once the unit has started on a task, the inspection is no longer returned.
    upload = photo()
    actions.do_attach_evidence(
        acting_user=personas.chengjiang, task=task, upload=upload, checked=check_upload(upload)
    )
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/reopen/", {"reason": "x"}, follow=True
    )
    assert "已有整改任务在办理中，不能退回修改。" in response.content.decode()


def test_an_inspector_opens_a_task_for_a_deduction_left_without_one(personas, world):
    inspection = actions.do_start_inspection(
        acting_user=personas.county, plan_unit=world.unit("331003006")
    )
    actions.do_save_inspection(
        acting_user=personas.county,
        inspection=inspection,
        draft=actions.InspectionDraft(
            results=(actions.ResultDraft(item_id=world.item_id("B2"), failed=True, rectify=False),)
        ),
    )
    actions.do_submit_inspection(acting_user=personas.county, inspection=inspection)
    result = inspection.results.get(item__code="B2")
    client = personas.client(personas.county)
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/tasks/",
        {"result": result.pk, "deadline": "2001-01-01", "description": ""},
        follow=True,
    )
    assert "整改期限不能早于今天。" in response.content.decode()
    from django.utils import timezone

    day = (
        timezone.localdate().replace(day=1) + __import__("datetime").timedelta(days=40)
    ).isoformat()
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/tasks/",
        {"result": result.pk, "deadline": day, "description": "限期公示"},
    )
    task = RectificationTask.objects.get()
    assert response["Location"] == f"/supervision/tasks/{task.pk}/"
    assert (task.description, task.deadline.isoformat()) == ("限期公示", day)
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/tasks/",
        {"result": result.pk, "deadline": day},
        follow=True,
    )
    assert "该扣分项已有整改任务。" in response.content.decode()
    no_deduction = inspection.results.get(item__code="A1")
    response = client.post(
        f"/supervision/inspections/{inspection.pk}/tasks/",
        {"result": no_deduction.pk, "deadline": day},
        follow=True,
    )
    assert "该检查项没有扣分，无需整改。" in response.content.decode()


def test_inspecting_needs_a_published_plan(personas, world):
    from renkou.supervision.models import Plan, PlanStatus

    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.DRAFT)
    response = personas.client(personas.county).post(
        f"/supervision/visits/{world.unit('331003006').pk}/start/", follow=True
    )
    assert "计划发布后才能开始督查" in response.content.decode()
    assert Inspection.objects.count() == 0


def test_my_page_lists_the_units_to_visit(personas, world):
    html = personas.client(personas.county).get("/supervision/mine/").content.decode()
    assert html.count("开始督查</button>") == 4
    world.team.members.add(personas.chengjiang)
    html = personas.client(personas.chengjiang).get("/supervision/mine/").content.decode()
    # A township officer on the team sees only the units in its own subtree.
    assert "澄江街道" in html and "东城街道" not in html
