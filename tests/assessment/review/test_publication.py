"""Publication: refused while appeals are open; freezes the run; the notice as
PDF (text extracted) and Excel (read back); the leaders' read-only page."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from renkou.assessment.actions_review import (
    do_file_appeal,
    do_propose_adjustment,
    do_publish_run,
    do_release_run,
)
from renkou.assessment.models import Appeal, Publication, RunStatus
from renkou.assessment.review_context import ReviewError
from renkou.audit.models import AuditEvent
from tests.assessment.review.conftest import CHENGJIANG, unit_of

pytestmark = pytest.mark.django_db


def test_open_appeal_blocks_publication(township_run, personas):
    run = do_release_run(acting_user=personas.county, run=township_run)
    do_file_appeal(
        acting_user=personas.chengjiang,
        run_unit=unit_of(run, CHENGJIANG),
        item_code="births",
        reason="少计",
    )
    with pytest.raises(ReviewError, match="还有1项申诉尚未处理"):
        do_publish_run(acting_user=personas.county, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.RELEASED
    assert not Publication.objects.exists()


def test_publish_freezes_run(township_run, personas):
    run = do_release_run(acting_user=personas.county, run=township_run)
    start = AuditEvent.objects.count()
    published = do_publish_run(acting_user=personas.county, run=run)
    assert AuditEvent.objects.count() == start + 1
    assert AuditEvent.objects.latest("seq").action == "assessment.publish_run"
    run.refresh_from_db()
    assert run.status == RunStatus.PUBLISHED
    assert published.title == "关于2025年度人口家庭工作目标管理责任制考核结果的通报"
    assert published.commended == ["东城街道", "澄江街道"]
    assert published.must_rectify == ["屿头乡"]
    with pytest.raises(ReviewError, match="已发布"):
        do_propose_adjustment(
            acting_user=personas.county,
            run_unit=unit_of(run, CHENGJIANG),
            item_code="births",
            field="births",
            new_value=Decimal("50"),
            reason="disaster",
            note="晚了",
        )
    with pytest.raises(ReviewError, match="已发布"):
        do_file_appeal(
            acting_user=personas.chengjiang,
            run_unit=unit_of(run, CHENGJIANG),
            item_code="births",
            reason="晚了",
        )
    assert not Appeal.objects.exists()


def test_notice_pdf_text_and_excel(township_run, personas):
    published = do_publish_run(
        acting_user=personas.county, run=township_run, number="黄卫人口〔2026〕3号"
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(published.pdf)).pages)
    compact = "".join(text.split())
    assert "关于2025年度人口家庭工作目标管理责任制考核结果的通报" in compact
    assert "黄卫人口〔2026〕3号" in compact
    assert "澄江街道" in compact and "屿头乡" in compact
    assert "黄岩区人口家庭工作领导小组" in compact
    if shutil.which("pdftoppm"):
        # Page 1 as a picture, for people to look at the layout.
        out = Path(__file__).resolve().parents[3] / "var" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        (out / "assessment-notice.pdf").write_bytes(bytes(published.pdf))
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", "-singlefile",
             str(out / "assessment-notice.pdf"), str(out / "assessment-notice")],
            check=True,
        )  # fmt: skip
    book = load_workbook(io.BytesIO(bytes(published.xlsx)))
    sheet = book["考核排名"]
    assert sheet["A1"].value == published.title
    header = [c.value for c in sheet[3]]
    assert header[:2] == ["名次", "乡镇（街道）"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["澄江街道"][header.index("最终得分")] == 92
    assert rows["屿头乡"][header.index("等级")] == "不合格"
    assert rows["屿头乡"][header.index("一票否决")] == "统计数据弄虚作假"
    assert [r[0] for r in book["通报表扬"].iter_rows(min_row=4, values_only=True)] == [
        "东城街道",
        "澄江街道",
    ]
    assert [r[0] for r in book["限期整改"].iter_rows(min_row=4, values_only=True)] == ["屿头乡"]


def test_downloads_and_leader_page(township_run, personas):
    leader = personas.client(personas.leader)
    assert leader.get(f"/assessment/published/{township_run.pk}/").status_code == 404
    assert leader.get(f"/assessment/runs/{township_run.pk}/review/").status_code == 404
    do_publish_run(acting_user=personas.county, run=township_run)
    page = leader.get(f"/assessment/published/{township_run.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "澄江街道" in body and "通报表扬" in body
    assert "/assessment/runs/" + str(township_run.pk) + "/publish/" not in body
    assert township_run.scheme.name in leader.get("/assessment/published/").content.decode()
    pdf = leader.get(f"/assessment/runs/{township_run.pk}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = leader.get(f"/assessment/runs/{township_run.pk}/notice.xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")


def test_publish_on_page(township_run, personas):
    county = personas.client(personas.county)
    response = county.post(
        f"/assessment/runs/{township_run.pk}/publish/",
        {"title": "关于2025年度人口家庭工作目标管理责任制考核结果的通报", "number": ""},
    )
    assert response["Location"] == f"/assessment/published/{township_run.pk}/"
    again = county.post(
        f"/assessment/runs/{township_run.pk}/publish/", {"title": "再发一次"}, follow=True
    )
    assert "已经发布" in again.content.decode()
    assert Publication.objects.count() == 1
