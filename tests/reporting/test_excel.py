"""The Excel round trip, including every kind of bad file; nothing is written until confirmed."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from renkou.audit.models import AuditEvent
from renkou.catalog.models import DataElement
from renkou.orgunits.models import OrgUnit
from renkou.reporting.models import DataValue, Report
from tests.reporting.conftest import OTHER_VILLAGE, PERIOD, VILLAGE

pytestmark = pytest.mark.django_db

TEMPLATE = f"/reporting/excel/template.xlsx?data_set=village_monthly&period={PERIOD}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, unit: str = "331003006"):
    response = client.get(f"{TEMPLATE}&unit={unit}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def filled(client, unit: str = "331003006"):
    """A template with every village's row filled in plausibly."""
    workbook = download(client, unit)
    sheet = workbook["数据"]
    codes = [c.value for c in sheet[2]]
    values = {
        "births_male": 2,
        "births_female": 1,
        "deaths": 2,
        "migration_in": 3,
        "migration_out": 1,
        "birth_registrations": 3,
        "registered_30d": 3,
        "prepreg_checks": 1,
        "prepreg_eligible": 15,
        "subsidy_applied": 2,
        "subsidy_paid": 2,
        "special_families": 3,
        "special_visited": 3,
        "childcare_places": 10,
        "population": 2500,
    }
    for row in sheet.iter_rows(min_row=3):
        for index, code in enumerate(codes):
            if code in values:
                row[index].value = values[code]
    return workbook


def as_upload(workbook, name: str = "filled.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), XLSX)


def upload(client, file):
    return client.post("/reporting/excel/", {"upload": file})


def nothing_written() -> bool:
    return (
        not DataValue.objects.exists()
        and not AuditEvent.objects.filter(action="reporting.excel_upload").exists()
    )


def test_the_template_covers_the_scope_with_text_codes_dropdowns_and_instructions(
    personas, october
):
    DataElement.objects.filter(code="births_male")  # sanity: catalogue is there
    workbook = download(personas.client(personas.chengjiang))
    assert workbook.sheetnames[:2] == ["数据", "填写说明"]
    sheet = workbook["数据"]
    codes = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert codes == ["331003006200", "331003006204", "331003006208"]
    assert sheet.cell(row=3, column=1).number_format == "@"
    assert sheet.cell(row=1, column=4).value == "出生人数（男）（人）"
    assert sheet.cell(row=2, column=4).value == "births_male"
    validations = list(sheet.data_validations.dataValidation)
    assert any(dv.type == "whole" and dv.formula2 == "30" for dv in validations)
    assert "请不要修改或删除第2行" in "\n".join(
        str(c.value) for c in workbook["填写说明"]["A"] if c.value
    )
    # The county's template has all five villages.
    county = download(personas.client(personas.county), "331003")["数据"]
    assert county.max_row == 2 + 5


def test_existing_values_are_prefilled(personas, october):
    DataValue.objects.create(
        element=DataElement.objects.get(code="population"),
        orgunit=OrgUnit.objects.get(code=VILLAGE),
        period=PERIOD,
        value=3210,
        updated_at="2026-10-01T00:00:00Z",
    )
    sheet = download(personas.client(personas.chengjiang))["数据"]
    codes = [c.value for c in sheet[2]]
    assert sheet.cell(row=3, column=codes.index("population") + 1).value == 3210


def test_text_starting_with_a_formula_sign_is_neutralised(personas, october):
    OrgUnit.objects.filter(code=VILLAGE).update(name='=HYPERLINK("http://x")')
    sheet = download(personas.client(personas.chengjiang))["数据"]
    assert sheet.cell(row=3, column=2).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(row=3, column=2).data_type == "s"


def test_upload_previews_counts_then_confirm_writes_and_twice_changes_nothing(personas, october):
    client = personas.client(personas.chengjiang)
    response = upload(client, as_upload(filled(client)))
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert '<div class="num">45</div><div class="lbl">新增数值</div>' in preview
    assert '<div class="num">0</div><div class="lbl">有问题的单元格</div>' in preview
    assert nothing_written()  # the preview writes nothing
    confirm = response["Location"] + "confirm/"
    assert client.post(confirm).status_code == 302
    assert DataValue.objects.count() == 45
    assert Report.objects.filter(status="draft").count() == 3
    event = AuditEvent.objects.get(action="reporting.excel_upload")
    assert "filled.xlsx" in event.object_repr

    # The same file again: everything unchanged, nothing written.
    before = AuditEvent.objects.count()
    response = upload(client, as_upload(filled(client)))
    preview = client.get(response["Location"]).content.decode()
    assert '<div class="num">45</div><div class="lbl">未变</div>' in preview
    client.post(response["Location"] + "confirm/")
    assert AuditEvent.objects.count() == before
    assert DataValue.objects.count() == 45


def test_bad_cells_are_listed_by_row_and_column_and_marked_red(personas, october):
    client = personas.client(personas.chengjiang)
    workbook = filled(client)
    sheet = workbook["数据"]
    codes = [c.value for c in sheet[2]]
    deaths = codes.index("deaths") + 1
    births = codes.index("births_male") + 1
    sheet.cell(row=3, column=deaths).value = "三个"  # text in a number cell
    sheet.cell(row=4, column=births).value = 300  # outside the plausible range
    sheet.cell(row=5, column=births).value = "=1+1"  # a formula
    response = upload(client, as_upload(workbook))
    key = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    preview = client.get(response["Location"]).content.decode()
    letter_deaths = sheet.cell(row=1, column=deaths).column_letter
    letter_births = sheet.cell(row=1, column=births).column_letter
    assert f'<td class="num">3</td><td class="code">{letter_deaths}</td>' in preview
    assert "“三个”不是数字" in preview
    assert "300 超出合理范围 0–30" in preview
    assert "单元格含公式" in preview
    assert '<div class="num">3</div><div class="lbl">有问题的单元格</div>' in preview
    marked = client.get(f"/reporting/excel/{key}/marked.xlsx")
    book = load_workbook(io.BytesIO(marked.content))
    cell = book["数据"][f"{letter_deaths}3"]
    assert cell.fill.start_color.rgb.endswith("F4C7C3") and "不是数字" in cell.comment.text
    assert book["数据"][f"{letter_births}4"].comment is not None
    assert nothing_written()
    # Confirming writes nothing from the three bad rows (all rows are bad here).
    client.post(response["Location"] + "confirm/")
    assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("deaths", "三个", "“三个”不是数字"),  # text in a number cell
        ("births_male", 300, "300 超出合理范围 0–30"),  # outside the plausible range
        ("births_male", "=2+1", "单元格含公式"),  # a formula
        ("orgunit", "331003001001", "331003001001：单位代码不存在，或不在您的管辖范围内"),
    ],
)
def test_each_bad_cell_is_reported_and_its_row_never_written(
    personas, october, column, value, reason
):
    client = personas.client(personas.chengjiang)
    workbook = filled(client)
    sheet = workbook["数据"]
    codes = [c.value for c in sheet[2]]
    sheet.cell(row=3, column=codes.index(column) + 1).value = value
    bad_unit = "331003001001" if column == "orgunit" else VILLAGE
    response = upload(client, as_upload(workbook))
    preview = client.get(response["Location"]).content.decode()
    assert reason in preview
    assert '<td class="num">3</td>' in preview  # the row of the bad cell
    assert nothing_written()  # checking and previewing write nothing
    client.post(response["Location"] + "confirm/")
    # The other two villages are written; the bad row is not, in any part.
    assert not DataValue.objects.filter(orgunit__code=bad_unit).exists()
    assert DataValue.objects.filter(orgunit__code=OTHER_VILLAGE).count() == 15


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda wb: SimpleUploadedFile("x.xlsx", b"hello, this is text", XLSX), "不是有效的 Excel"),
        (lambda wb: SimpleUploadedFile("x.xlsx", b"PK\x03\x04broken zip", XLSX), "已损坏"),
        (lambda wb: SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv"), "请上传 .xlsx"),
        (
            lambda wb: SimpleUploadedFile(
                "big.xlsx", b"PK\x03\x04" + b"0" * (50 * 1024 * 1024), XLSX
            ),
            "文件超过 20 MB 的上限",
        ),
    ],
)
def test_files_that_are_not_a_usable_workbook_get_one_message(personas, october, make, message):
    client = personas.client(personas.chengjiang)
    response = upload(client, make(None))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_written()


def test_a_workbook_without_the_data_sheet_is_refused(personas, october):
    client = personas.client(personas.chengjiang)
    workbook = filled(client)
    workbook["数据"].title = "Sheet1"
    response = upload(client, as_upload(workbook))
    assert "找不到名为“数据”的工作表" in response.content.decode()
    assert nothing_written()


def test_a_workbook_with_a_missing_column_is_refused(personas, october):
    client = personas.client(personas.chengjiang)
    workbook = filled(client)
    workbook["数据"].delete_cols(4)  # births_male
    response = upload(client, as_upload(workbook))
    assert "缺少列：出生人数（男）（births_male）" in response.content.decode()
    assert nothing_written()


def test_a_plain_workbook_not_made_by_the_system_is_refused(personas, october):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "数据"
    workbook.active.append(["单位代码", "出生"])
    response = upload(personas.client(personas.chengjiang), as_upload(workbook))
    assert "不是本系统生成的模板" in response.content.decode()
    assert nothing_written()


def test_someone_elses_upload_is_404(personas, october):
    client = personas.client(personas.chengjiang)
    response = upload(client, as_upload(filled(client)))
    other = personas.client(personas.county)
    assert other.get(response["Location"]).status_code == 404
    assert other.post(response["Location"] + "confirm/").status_code == 404
    assert other.get(response["Location"] + "marked.xlsx").status_code == 404
    assert nothing_written()


def test_a_template_outside_the_scope_is_404_and_admins_get_403(personas, october):
    assert personas.client(personas.chengjiang).get(f"{TEMPLATE}&unit=331003001").status_code == 404
    assert personas.client(personas.dongcheng).get(f"{TEMPLATE}&unit=331003006").status_code == 404
    assert personas.client(personas.sysadmin).get(f"{TEMPLATE}&unit=331003").status_code == 403
    assert personas.client(personas.leader).get(f"{TEMPLATE}&unit=331003").status_code == 403


def test_roles_without_data_entry_cannot_use_the_excel_pages(personas, october):
    for user in (personas.leader, personas.sysadmin, personas.auditadmin):
        assert personas.client(user).get("/reporting/excel/").status_code == 403
