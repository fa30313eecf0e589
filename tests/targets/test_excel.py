"""The Excel round trip with real workbooks: template, upload, problems, confirm."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.targets.actions import do_set_target
from renkou.targets.models import Target
from tests.targets.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_target(personas, catalog) -> Target:
    return do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code="331003006200"),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(12),
        basis="=HYPERLINK(1)",
    )


def template(client) -> bytes:
    response = client.get(f"/targets/unit/{TOWNSHIP}/excel/?year=2026")
    assert response.status_code == 200
    return bytes(response.content)


def upload(client, content: bytes, name: str = "targets.xlsx"):
    response = client.post(
        "/targets/excel/upload/", {"file": SimpleUploadedFile(name, content)}, follow=False
    )
    assert response.status_code == 302
    return response["Location"]


def rows_of(sheet) -> dict[tuple[str, str], int]:
    return {
        (str(sheet.cell(r, 1).value), str(sheet.cell(r, 3).value)): r
        for r in range(3, sheet.max_row + 1)
    }


def test_the_template_lists_settable_units_with_drop_downs_and_filled_values(personas, with_target):
    client = personas.client(personas.chengjiang)
    wb = load_workbook(io.BytesIO(template(client)))
    assert wb.sheetnames[:1] == ["数据"]
    sheet = wb["数据"]
    assert [c.value for c in sheet[2]][:3] == ["orgunit", "name", "code"]
    rows = rows_of(sheet)
    # The township officer sets its villages, not its own township.
    assert {unit for unit, _code in rows} == {"331003006200", "331003006204", "331003006208"}
    row = rows[("331003006200", "births")]
    assert sheet.cell(row, 7).value == 12
    assert sheet.cell(row, 10).value == "'=HYPERLINK(1)"  # neutralised
    lists = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert '"数量,比率"' in lists
    assert '"不低于,不高于,区间内"' in lists
    assert "填写说明" in wb.sheetnames


def test_a_valid_upload_previews_then_writes_all_on_confirm(personas, with_target):
    client = personas.client(personas.chengjiang)
    wb = load_workbook(io.BytesIO(template(client)))
    sheet = wb["数据"]
    rows = rows_of(sheet)
    sheet.cell(rows[("331003006200", "births")], 7).value = 15
    sheet.cell(rows[("331003006204", "births")], 7).value = 30
    buffer = io.BytesIO()
    wb.save(buffer)
    preview_url = upload(client, buffer.getvalue())
    page = client.get(preview_url).content.decode()
    assert "确认导入2项目标" in page
    assert Target.objects.get(orgunit__code="331003006200").value == Decimal(12)
    response = client.post(preview_url, {"reason": ""})
    assert response.status_code == 302
    assert Target.objects.get(orgunit__code="331003006200").value == Decimal(15)
    new = Target.objects.get(orgunit__code="331003006204")
    assert (new.value, new.source) == (Decimal(30), "imported")
    event = AuditEvent.objects.get(action="targets.set_targets")
    assert event.changes["count"] == 2
    # The same file again changes nothing.
    again = upload(client, buffer.getvalue())
    assert "文件中没有需要写入的目标" in client.get(again).content.decode()


def test_problems_are_listed_by_row_and_column_and_nothing_is_written(personas, with_target):
    client = personas.client(personas.chengjiang)
    wb = load_workbook(io.BytesIO(template(client)))
    sheet = wb["数据"]
    rows = rows_of(sheet)
    a = rows[("331003006200", "births")]
    b = rows[("331003006204", "births")]
    c = rows[("331003006208", "births")]
    sheet.cell(a, 7).value = 12.5
    sheet.cell(b, 7).value = "很多"
    sheet.cell(c, 1).value = "331003001001"  # 东城街道's village
    sheet.cell(c, 7).value = 5
    # Rows a user adds below the template's own.
    d, e = sheet.max_row + 1, sheet.max_row + 2
    for row, unit in ((d, "331003006200"), (e, "331003006204")):
        for column, value in enumerate((unit, "", "srb", "", "比率", "区间内"), start=1):
            sheet.cell(row, column).value = value
    sheet.cell(d, 8).value = 108
    sheet.cell(d, 9).value = 103
    sheet.cell(e, 8).value = "=1+1"
    buffer = io.BytesIO()
    wb.save(buffer)
    preview_url = upload(client, buffer.getvalue())
    page = client.get(preview_url).content.decode()
    found = set(re.findall(r"<td data-label=\"行\">(\d+)</td><td data-label=\"列\">(\w+) ", page))
    assert {(str(a), "G"), (str(b), "G"), (str(c), "A"), (str(d), "H"), (str(e), "H")} <= found
    assert "数量目标应为不小于0的整数" in page
    assert "不是有效的数字" in page
    assert "不在本模板范围内" in page
    assert "下限不能大于上限" in page
    assert "单元格含公式" in page
    assert "确认导入" not in page
    assert client.post(preview_url, {"reason": ""}).status_code == 200
    assert Target.objects.count() == 1
    assert not AuditEvent.objects.filter(action="targets.set_targets").exists()
    marked = client.get(preview_url + "marked/")
    marked_wb = load_workbook(io.BytesIO(marked.content))
    cell = marked_wb["数据"].cell(a, 7)
    assert cell.comment is not None
    assert "整数" in cell.comment.text


def test_files_that_are_not_templates_get_a_clear_message(personas, catalog):
    client = personas.client(personas.county)
    url = upload(client, b"not a spreadsheet", "x.xlsx")
    assert "不是有效的 Excel" in client.get(url).content.decode()
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    url = upload(client, buffer.getvalue())
    assert "数据" in client.get(url).content.decode()


def test_someone_elses_upload_is_not_found(personas, with_target):
    client = personas.client(personas.chengjiang)
    url = upload(client, template(client))
    assert personas.client(personas.county).get(url).status_code == 404
    assert personas.client(personas.dongcheng).get(url).status_code == 404
