"""Checklists as YAML and Excel files: round trips, and every problem reported
with its place and reason while nothing is written."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from renkou.audit.models import AuditEvent
from renkou.supervision import checklist_io
from renkou.supervision.checklist_io import (
    ChecklistFileError,
    read_xlsx,
    read_yaml,
    to_xlsx,
    to_yaml,
)
from renkou.supervision.models import ChecklistTemplate
from tests.supervision.conftest import checklist_data

DEMO = checklist_io.__file__.replace("checklist_io.py", "checklists/")


@pytest.mark.parametrize("name", ["township.yaml", "village.yaml"])
def test_the_demo_checklists_read_and_add_up_to_100(name):
    with open(DEMO + name, "rb") as handle:
        data = read_yaml(handle.read())
    assert data.full_marks == Decimal(100)
    assert len({item.code for item in data.items}) == len(data.items)


def test_yaml_round_trip_keeps_everything():
    data = checklist_data(2026)
    assert read_yaml(to_yaml(data).encode("utf-8")) == data


def test_excel_round_trip_keeps_everything_and_offers_drop_downs():
    data = checklist_data(2026)
    content = to_xlsx(data)
    assert read_xlsx(content) == data
    book = load_workbook(io.BytesIO(content))
    sheet = book["督查清单"]
    assert [c.value for c in sheet[1]][:5] == ["分类", "编号", "检查内容", "分值", "扣分方式"]
    formulas = {v.formula1 for v in sheet.data_validations.dataValidation}
    assert '"按次扣分,是否符合"' in formulas and '"是,否"' in formulas


def _xlsx_with(rows: list[list[object]], meta: list[list[object]] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "督查清单"
    sheet.append([label for label, _ in checklist_io.COLUMNS])
    for row in rows:
        sheet.append(row)
    info = book.create_sheet("说明")
    for row in meta or [
        ["名称", "测试清单"],
        ["清单标识", "t"],
        ["年度", 2026],
        ["适用对象", "乡镇/街道"],
    ]:
        info.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_excel_problems_name_the_row_and_column():
    content = _xlsx_with(
        [
            ["登记", "A1", "生育登记", 5, "按次扣分", 1, 3, "是", ""],
            ["登记", "A2", "", "五", "按次", 1, None, "否", ""],
            ["登记", "A1", "重复编号", 5, "是否符合", 5, None, "否", ""],
            ["登记", "A3", "上限太小", 5, "按次扣分", 2, 1, "否", ""],
            ["登记", "A4", "是否项不设上限", 5, "是否符合", 5, 3, "也许", ""],
        ]
    )
    with pytest.raises(ChecklistFileError) as caught:
        read_xlsx(content)
    problems = {(p.where, p.column, p.reason) for p in caught.value.problems}
    assert ("“督查清单”第3行", "检查内容", "不能为空。") in problems
    assert ("“督查清单”第3行", "分值", "“五”不是数字。") in problems
    assert ("“督查清单”第4行", "编号", "编号 A1 与“督查清单”第2行重复。") in problems
    assert ("“督查清单”第5行", "扣分上限", "扣分上限不能小于每次扣分。") in problems
    assert ("“督查清单”第6行", "扣分须附照片", "“也许”应填“是”或“否”。") in problems


def test_missing_sheets_and_columns_are_reported():
    with pytest.raises(ChecklistFileError) as caught:
        read_xlsx(b"not a workbook")
    assert caught.value.problems[0].reason == "无法读取，请上传 .xlsx 文件。"
    content = _xlsx_with(
        [["登记", "A1", "x", 5, "按次扣分", 1, None, "否", ""]], meta=[["名称", ""]]
    )
    with pytest.raises(ChecklistFileError) as caught:
        read_xlsx(content)
    reasons = {(p.column, p.reason) for p in caught.value.problems}
    assert ("名称", "不能为空。") in reasons
    assert ("年度", "“None”不是整数。") in reasons or any(c == "年度" for c, _ in reasons)


HEAD = b"name: x\nkey: k\nyear: 2026\nlevel: township\nitems:\n - {topic: a, code: A1, title: t,"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"items: [", "不是有效的UTF-8 YAML文件。"),
        (b"- a\n- b\n", "文件顶层应为键值对（name、year、items…）。"),
        (b"name: x\nkey: k\nyear: 2026\nlevel: township\n", "缺少 items 列表。"),
        (b"\xff\xfe", "不是有效的UTF-8 YAML文件。"),
        (
            b"name: x\nkey: K!\nyear: 2026\nlevel: township\nitems: []\n",
            "清单标识只能用小写字母、数字和短横线，如 township。",
        ),
        (b"name: x\nkey: k\nyear: 1900\nlevel: township\nitems: []\n", "应在2000至2100之间。"),
        (
            HEAD + b" points: 1e400, style: occurrence, deduction: 1}\n",
            "应为0至999之间的数字。",
        ),
        (
            HEAD + b" points: 5, style: occurrence, deduction: 0.005}\n",
            "最多两位小数。",
        ),
    ],
)
def test_bad_yaml_is_explained(text, reason):
    with pytest.raises(ChecklistFileError) as caught:
        read_yaml(text)
    assert reason in {p.reason for p in caught.value.problems}


@pytest.mark.django_db
def test_importing_shows_a_preview_then_creates_a_draft_on_confirmation(personas):
    client = personas.client(personas.county)
    upload = SimpleUploadedFile("清单.xlsx", to_xlsx(checklist_data(2026)))
    html = client.post("/supervision/checklists/import/", {"upload": upload}).content.decode()
    assert "确认导入为草稿" in html and "满分" in html and "30" in html
    assert ChecklistTemplate.objects.count() == 0
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(
        "/supervision/checklists/import/", {"token": token, "source": "清单.xlsx"}
    )
    template = ChecklistTemplate.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/supervision/checklists/{template.pk}/"
    )
    assert (template.is_draft, template.version, template.items.count()) == (True, 1, 4)
    assert AuditEvent.objects.filter(action="supervision.import_template").count() == 1


@pytest.mark.django_db
def test_importing_a_bad_file_lists_the_problems_and_writes_nothing(personas):
    client = personas.client(personas.county)
    before = AuditEvent.objects.count()
    bad = _xlsx_with([["登记", "A1", "", "x", "按次扣分", 1, None, "否", ""]])
    html = client.post(
        "/supervision/checklists/import/", {"upload": SimpleUploadedFile("b.xlsx", bad)}
    ).content.decode()
    assert "未导入任何内容" in html and "“督查清单”第2行" in html and "不能为空。" in html
    for name, content, reason in [
        ("x.csv", b"a,b", "请上传 .xlsx 或 .yaml 文件。"),
        ("x.yaml", b"\x00\x01", "不是有效的UTF-8 YAML文件。"),
    ]:
        html = client.post(
            "/supervision/checklists/import/", {"upload": SimpleUploadedFile(name, content)}
        ).content.decode()
        assert reason in html
    assert ChecklistTemplate.objects.count() == 0
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_tampered_confirmation_is_refused(personas):
    client = personas.client(personas.county)
    html = client.post(
        "/supervision/checklists/import/", {"token": "abc:def", "source": "x"}
    ).content.decode()
    assert "导入内容已过期或被改动" in html
    assert ChecklistTemplate.objects.count() == 0


@pytest.mark.django_db
def test_export_gives_files_that_import_again(personas, world):
    client = personas.client(personas.county)
    xlsx = client.get(f"/supervision/checklists/{world.template.pk}/export.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert read_xlsx(b"".join(xlsx)).items == checklist_data(world.template.year).items
    yaml_text = client.get(f"/supervision/checklists/{world.template.pk}/export.yaml").content
    assert read_yaml(yaml_text) == checklist_data(world.template.year)
    assert client.get(f"/supervision/checklists/{world.template.pk}/export.csv").status_code == 404
