"""Schemes in the app: upload, validation messages in place, editing, export round trips."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from renkou.assessment.models import Scheme, SchemeStatus
from renkou.assessment.schemes_excel import read_workbook, write_workbook
from renkou.assessment.schemes_io import plain
from renkou.audit.models import AuditEvent
from renkou.scoring import SchemeError

from .conftest import SCHEME, VILLAGE_SCHEME, make_scheme

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "schemes"


def upload(client, name: str, content: bytes, year: int = 2025, level: int = 4):
    return client.post(
        "/assessment/schemes/new/",
        {"year": year, "level": level, "upload": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize("name", ["township.yaml", "village.yaml", "county.json"])
def test_example_schemes_upload_and_export_back(personas, name):
    client = personas.client(personas.county)
    content = (EXAMPLES / name).read_bytes()
    level = 5 if name == "village.yaml" else 4
    response = upload(client, name, content, level=level)
    assert response.status_code == 302, response.content.decode()[:2000]
    scheme = Scheme.objects.get()
    assert scheme.status == SchemeStatus.DRAFT and scheme.version == 1
    assert AuditEvent.objects.filter(action="assessment.create_scheme").count() == 1
    exported = client.get(f"/assessment/schemes/{scheme.pk}/export.yaml")
    assert yaml.safe_load(exported.content) == scheme.data
    book = client.get(f"/assessment/schemes/{scheme.pk}/export.xlsx")
    assert read_workbook(io.BytesIO(book.content)) == scheme.data


@pytest.mark.parametrize("data", [SCHEME, VILLAGE_SCHEME])
def test_excel_round_trip(data):
    assert read_workbook(io.BytesIO(write_workbook(data))) == plain(data)


def test_excel_problems_name_the_sheet_row_and_column():
    book = load_workbook(io.BytesIO(write_workbook(SCHEME)))
    items = book["项目"]
    items["D4"] = "many"  # second item's points
    items["I3"] = "{not json"  # first item's rule parameters
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SchemeError) as caught:
        read_workbook(io.BytesIO(buffer.getvalue()))
    assert caught.value.problems[0][0] == "「项目」表第3行 I列"
    book = load_workbook(io.BytesIO(write_workbook(SCHEME)))
    book["项目"]["D4"] = "many"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(SchemeError) as caught:
        read_workbook(io.BytesIO(buffer.getvalue()))
    (place, _message), *_rest = caught.value.problems
    assert place == "「项目」表第4行 D列（points）"


def test_a_bad_upload_lists_every_problem_and_stores_nothing(personas):
    client = personas.client(personas.county)
    bad = yaml.safe_dump(
        {**SCHEME, "items": [{**SCHEME["items"][0], "points": -3}, {"code": "x"}]},
        allow_unicode=True,
    ).encode()
    response = upload(client, "bad.yaml", bad)
    assert response.status_code == 400
    text = response.content.decode()
    assert "items[0].points" in text and "items[1]" in text
    assert not Scheme.objects.exists()
    assert upload(client, "bad.txt", b"hello").status_code == 400
    assert upload(client, "bad.yaml", b"code: [unclosed").status_code == 400
    assert upload(client, "bad.xlsx", b"not a workbook").status_code == 400
    assert not Scheme.objects.exists()


def editor_post(scheme: Scheme) -> dict[str, str]:
    """What the editor page posts for the scheme as it stands."""
    from renkou.assessment.views_editor import SECTIONS, editor_from

    editor = editor_from(scheme.data)
    post = {f"s-{k}": v for k, v in editor.settings.items()}
    for section, rows in editor.sections.items():
        post[f"{section}-count"] = str(len(rows))
        for row in rows:
            for column in SECTIONS[section]:
                post[f"{section}-{row.index}-{column}"] = row.values[column]
    post["advanced"] = editor.advanced
    return post


def test_the_editor_saves_a_new_version(personas):
    scheme = make_scheme(user=personas.county, status=SchemeStatus.DRAFT)
    client = personas.client(personas.county)
    page = client.get(f"/assessment/schemes/{scheme.pk}/edit/")
    assert page.status_code == 200
    post = editor_post(scheme)
    post["items-1-points"] = "25"
    post["items-2-points"] = "35"
    response = client.post(f"/assessment/schemes/{scheme.pk}/edit/", post)
    assert response.status_code == 302, response.content.decode()[:3000]
    scheme.refresh_from_db()
    assert scheme.version == 2
    assert [item["points"] for item in scheme.data["items"]] == [40, 25, 35]
    assert scheme.data["vetoes"] == SCHEME["vetoes"]
    assert AuditEvent.objects.filter(action="assessment.update_scheme").count() == 1


def test_editor_problems_appear_next_to_their_fields(personas):
    scheme = make_scheme(user=personas.county, status=SchemeStatus.DRAFT)
    client = personas.client(personas.county)
    post = editor_post(scheme)
    post["items-1-points"] = "-5"
    post["items-0-params"] = '{"target": "nowhere"}'
    post["grades-1-min"] = "abc"
    response = client.post(f"/assessment/schemes/{scheme.pk}/edit/", post)
    assert response.status_code == 400
    text = response.content.decode()

    def cell(name: str) -> str:
        found = re.search(rf'data-field="{name}">(.*?)</td>', text, re.S)
        assert found is not None, name
        return found.group(1)

    assert "errorlist" in cell("items-1-points")
    assert "errorlist" in cell("items-0-params")
    assert "errorlist" in cell("grades-1-min")
    assert "errorlist" not in cell("items-0-points")
    scheme.refresh_from_db()
    assert scheme.version == 1
    bad_json = editor_post(scheme)
    bad_json["items-2-params"] = "{oops"
    text = client.post(f"/assessment/schemes/{scheme.pk}/edit/", bad_json).content.decode()
    assert "不是有效的JSON" in text


def test_activate_retire_and_replace(personas):
    scheme = make_scheme(user=personas.county, status=SchemeStatus.DRAFT)
    client = personas.client(personas.county)
    client.post(f"/assessment/schemes/{scheme.pk}/status/", {"status": "active"})
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.ACTIVE
    new = yaml.safe_dump({**SCHEME, "name": "新版"}, allow_unicode=True).encode()
    response = client.post(
        f"/assessment/schemes/{scheme.pk}/replace/",
        {"upload": SimpleUploadedFile("new.yaml", new)},
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.name == "新版" and scheme.version == 2
    client.post(f"/assessment/schemes/{scheme.pk}/status/", {"status": "retired"})
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.RETIRED
    actions = list(
        AuditEvent.objects.filter(object_id=str(scheme.pk)).values_list("action", flat=True)
    )
    assert actions.count("assessment.set_scheme_status") == 2
    assert "assessment.update_scheme" in actions


def test_a_code_or_name_longer_than_its_column_is_a_problem_of_its_field():
    from renkou.assessment.schemes_io import check_scheme
    from renkou.scoring import SchemeError

    with pytest.raises(SchemeError) as raised:
        check_scheme({**SCHEME, "code": "x" * 61, "name": "名" * 201})
    assert [path for path, _message in raised.value.problems] == ["code", "name"]
    assert "不能超过60个字符" in raised.value.problems[0][1]
    check_scheme({**SCHEME, "code": "x" * 60, "name": "名" * 200})
