from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from renkou.jobs.models import Job
from renkou.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db(transaction=True)
DATA = Path(__file__).parent.parent / "data"

NEW_VILLAGES = (
    "code,name,parent_code\n331003006300,新建村,331003006\n331003006301,另一村,331003006\n"
)


def _upload(client, content: bytes, name: str = "villages-new.csv", root: str = ""):
    return client.post(
        "/org/import/", {"upload": SimpleUploadedFile(name, content, "text/csv"), "root": root}
    )


def test_an_uploaded_csv_is_imported_by_the_worker_with_progress(personas):
    client = personas.client(personas.sysadmin)
    response = _upload(client, NEW_VILLAGES.encode())
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.QUEUED
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page  # the fragment polls while the job is open
    call_command("worker", "--batch")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.percent == 100
    assert "新增2个" in job.message
    assert OrgUnit.objects.get(code="331003006300").parent.code == "331003006"
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in fragment  # finished: polling stops
    assert "已完成" in fragment


def test_a_broken_upload_fails_with_a_downloadable_problem_list_and_writes_nothing(personas):
    client = personas.client(personas.sysadmin)
    before = OrgUnit.objects.count()
    _upload(
        client, "code,name,parent_code\n331003006300,,331003006\n33100600X,村,331003006\n".encode()
    )
    call_command("worker", "--batch")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert "2处问题" in job.message
    errors = client.get(f"/jobs/{job.pk}/errors/")
    body = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert "第2行" not in body  # rows are listed by column, not prose
    assert "名称为空" in body and "无效" in body
    assert OrgUnit.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.xlsx", b"PK\x03\x04", "不是CSV文件"),
        ("units.csv", None, "请选择文件"),
    ],
)
def test_bad_uploads_are_refused_in_chinese_before_any_job(personas, name, content, message):
    client = personas.client(personas.sysadmin)
    if content is None:
        response = client.post("/org/import/", {"root": ""})
    else:
        response = _upload(client, content, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Job.objects.count() == 0


def test_an_oversized_upload_is_refused(personas, settings):
    settings.UPLOAD_MAX_BYTES = 100
    response = _upload(personas.client(personas.sysadmin), b"code,name,parent_code\n" + b"3" * 200)
    assert "上限" in response.content.decode()
    assert Job.objects.count() == 0


def test_a_job_is_visible_only_to_the_person_who_started_it(personas):
    _upload(personas.client(personas.sysadmin), NEW_VILLAGES.encode())
    job = Job.objects.get()
    assert personas.client(personas.county).get(f"/jobs/{job.pk}/").status_code == 404
    assert personas.client(personas.county).get(f"/jobs/{job.pk}/errors/").status_code == 404
    assert personas.client(personas.sysadmin).get("/jobs/").content.decode().count(job.title) == 1
