"""Rectification tasks: evidence, done, verified or reopened; files served only
to those who may see them; a list whose cost does not grow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from renkou.audit.models import AuditEvent
from renkou.supervision.models import Attachment, RectificationTask, TaskEvent, TaskStatus
from tests.supervision.conftest import JPEG, PDF, PNG, count_queries, inspect

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(personas, world) -> RectificationTask:
    inspect(world, personas.county, "331003006", {"A1": 2})
    return RectificationTask.objects.get()


def _upload(client, task, name, content, kind="image/png"):
    return client.post(
        f"/supervision/tasks/{task.pk}/evidence/",
        {"file": SimpleUploadedFile(name, content, kind)},
        follow=True,
    )


def test_the_unit_uploads_evidence_reports_done_and_the_inspector_verifies(personas, task):
    unit = personas.client(personas.chengjiang)
    page = unit.get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert "报告整改完成" in page and "核验属实" not in page
    response = unit.post(f"/supervision/tasks/{task.pk}/done/", {"note": ""}, follow=True)
    assert "请先上传整改佐证材料（照片或PDF），再报告完成。" in response.content.decode()
    assert "已上传佐证材料。" in _upload(unit, task, "整改后.png", PNG).content.decode()
    assert (
        "已上传佐证材料。"
        in _upload(unit, task, "制度.pdf", PDF, "application/pdf").content.decode()
    )
    unit.post(f"/supervision/tasks/{task.pk}/done/", {"note": "台账已补齐"})
    task.refresh_from_db()
    assert (task.status, task.done_by, task.done_late) == (
        TaskStatus.SUBMITTED,
        personas.chengjiang,
        False,
    )
    inspector = personas.client(personas.county)
    page = inspector.get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert "核验属实，销号" in page and "制度.pdf" in page
    inspector.post(f"/supervision/tasks/{task.pk}/verify/", {"note": "核验属实"})
    task.refresh_from_db()
    assert (task.status, task.verified_by) == (TaskStatus.VERIFIED, personas.county)
    kinds = list(TaskEvent.objects.filter(task=task).values_list("kind", flat=True))
    assert kinds == ["opened", "evidence", "evidence", "done", "verified"]
    actions = list(
        AuditEvent.objects.filter(
            object_type__in=["supervision.rectificationtask", "supervision.attachment"]
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        [
            "supervision.attach_evidence",
            "supervision.attach_evidence",
            "supervision.mark_task_done",
            "supervision.verify_task",
        ]
    )


def test_an_inspector_reopens_with_a_reason_and_a_new_deadline(personas, task):
    unit = personas.client(personas.chengjiang)
    _upload(unit, task, "a.png", PNG)
    unit.post(f"/supervision/tasks/{task.pk}/done/", {"note": ""})
    inspector = personas.client(personas.county)
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = inspector.post(
        f"/supervision/tasks/{task.pk}/reopen/", {"reason": "", "deadline": day}, follow=True
    )
    assert "退回理由" in response.content.decode()
    response = inspector.post(
        f"/supervision/tasks/{task.pk}/reopen/",
        {"reason": "照片看不清", "deadline": "2000-01-01"},
        follow=True,
    )
    assert "新的整改期限不能早于今天。" in response.content.decode()
    inspector.post(
        f"/supervision/tasks/{task.pk}/reopen/", {"reason": "照片看不清", "deadline": day}
    )
    task.refresh_from_db()
    assert (task.status, task.deadline.isoformat(), task.reopened_count) == (
        TaskStatus.OPEN,
        day,
        1,
    )
    assert task.first_deadline != task.deadline
    page = unit.get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert "照片看不清" in page and "原定" in page


def test_a_unit_cannot_verify_its_own_task_nor_a_person_their_own_report(personas, world):
    from renkou.orgunits.models import OrgUnit
    from renkou.supervision.models import PlanUnit

    PlanUnit.objects.create(
        plan=world.plan, unit=OrgUnit.objects.get(code="331003006200"), team=world.team
    )
    inspect(world, personas.county, "331003006200", {"B1": True})
    village_task = RectificationTask.objects.get()
    # 澄江's officer may both help its village rectify and verify it — but not both on one task.
    unit = personas.client(personas.chengjiang)
    _upload(unit, village_task, "a.png", PNG)
    unit.post(f"/supervision/tasks/{village_task.pk}/done/", {"note": ""})
    response = unit.post(f"/supervision/tasks/{village_task.pk}/verify/", {"note": ""}, follow=True)
    assert "不能核验自己报告完成的任务。" in response.content.decode()
    village_task.refresh_from_db()
    assert village_task.status == TaskStatus.SUBMITTED


NOT_EVIDENCE = [
    ("x.exe", b"MZ\x90\x00", "不是照片（JPEG、PNG、WebP、HEIC）或PDF文件"),
    ("x.pdf", b"<html>", "不是照片（JPEG、PNG、WebP、HEIC）或PDF文件"),
    ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "不是照片"),
    ("big.pdf", PDF + b" " * (10 * 1024 * 1024), "超过了10 MB的上限"),
]


def test_evidence_must_be_a_picture_or_pdf_of_at_most_10_mb(personas, task):
    before = AuditEvent.objects.count()
    client = personas.client(personas.chengjiang)
    for name, content, reason in NOT_EVIDENCE:
        assert reason in _upload(client, task, name, content).content.decode(), name
    assert Attachment.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_no_evidence_after_reporting_done(personas, task):
    unit = personas.client(personas.chengjiang)
    _upload(unit, task, "a.jpg", JPEG, "image/jpeg")
    unit.post(f"/supervision/tasks/{task.pk}/done/", {"note": ""})
    html = _upload(unit, task, "b.jpg", JPEG, "image/jpeg").content.decode()
    assert "任务已报告完成，不能再上传佐证" in html
    assert Attachment.objects.count() == 1


def test_files_are_served_only_through_the_scoped_view(personas, task, settings):
    _upload(
        personas.client(personas.chengjiang), task, "../../etc/passwd.pdf", PDF, "application/pdf"
    )
    evidence = Attachment.objects.get()
    stored = evidence.file.name or ""
    assert ".." not in stored and stored.endswith(".pdf")
    response = personas.client(personas.leader).get(f"/supervision/files/{evidence.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert (
        personas.client(personas.dongcheng).get(f"/supervision/files/{evidence.pk}/").status_code
        == 404
    )
    # Every opening is a logged read; a refused one is not.
    reads = AuditEvent.objects.filter(action="supervision.read_file")
    assert [(r.actor, r.object_id) for r in reads] == [(personas.leader, str(evidence.pk))]
    assert "no-store" in response["Cache-Control"]
    # MEDIA_URL is not routed: the stored name is not a public address.
    assert personas.client(personas.county).get("/" + stored).status_code == 404
    assert personas.client(personas.county).get("/media/" + stored).status_code == 404


def test_the_task_list_filters_and_answers_htmx_with_rows_only(personas, world, task):
    inspect(world, personas.county, "331003001", {"B1": True})
    client = personas.client(personas.county)
    html = client.get("/supervision/tasks/").content.decode()
    assert "澄江街道" in html and "东城街道" in html
    assert (
        "澄江街道"
        not in client.get("/supervision/tasks/", {"q": "东城"})
        .content.decode()
        .split('id="task-rows"')[1]
    )
    fragment = client.get(
        "/supervision/tasks/", {"status": "verified"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in fragment and "没有符合条件的整改任务。" in fragment
    township = personas.client(personas.chengjiang).get("/supervision/tasks/").content.decode()
    assert "东城街道" not in township
    for q in ["%", "_", "'; drop table x; --", "x" * 500, "\x00"]:
        assert client.get("/supervision/tasks/", {"q": q, "status": "nonsense"}).status_code == 200


def test_the_task_list_costs_the_same_queries_however_many_tasks(personas, world, task):
    client = personas.client(personas.county)
    client.get("/supervision/tasks/")
    before = count_queries(client, "/supervision/tasks/")
    inspect(world, personas.county, "331003001", {"A1": 3, "B1": True, "B2": True})
    inspect(world, personas.county, "331003101", {"A1": 1, "B1": True})
    assert count_queries(client, "/supervision/tasks/") == before
    assert RectificationTask.objects.count() == 6
