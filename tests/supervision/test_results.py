"""Monthly results: ranking, bottom list, repeat offenders, the bulletin as PDF
and Excel, the year's trend, and the values fed to the annual assessment."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.supervision import actions
from renkou.supervision.access import SupervisionError
from renkou.supervision.models import MonthlyResult, PlanStatus, PlanUnit, RectificationTask
from renkou.supervision.selectors import assessment_inputs
from tests.supervision.conftest import World, count_queries, inspect, make_plan

pytestmark = pytest.mark.django_db
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Scores out of 30 per township, by month: 屿头乡 is last three months running.
MONTHS: dict[int, dict[str, dict[str, int | bool]]] = {
    1: {"331003001": {}, "331003006": {"A1": 1}, "331003101": {"B2": True}, "331003200": {"A1": 3}},
    2: {"331003001": {"A1": 1}, "331003006": {}, "331003101": {}, "331003200": {"B2": True}},
    3: {"331003001": {}, "331003006": {"B2": True}, "331003101": {"A1": 1}, "331003200": {"A1": 5}},
}


def _month(personas, template, month: int, findings: dict[str, dict[str, int | bool]]) -> World:
    plan = make_plan(personas.county, template, 2026, month)
    world = World(template=template, plan=plan, team=plan.teams.get())
    for code, found in findings.items():
        inspect(world, personas.county, code, found)
    return world


@pytest.fixture
def quarter(personas, world):
    """January to March 2026 published, each with its bottom place."""
    worlds = [_month(personas, world.template, m, MONTHS[m]) for m in (1, 2, 3)]
    for w in worlds:
        actions.do_close_plan(acting_user=personas.county, plan=w.plan)
        w.plan.refresh_from_db()
    return worlds


def test_publishing_ranks_townships_and_freezes_the_result(personas, quarter):
    january = quarter[0].plan
    rows = list(MonthlyResult.objects.filter(plan=january).order_by("rank", "unit__code"))
    assert [(r.unit.code, r.score, r.rank, r.bottom) for r in rows] == [
        ("331003001", Decimal(30), 1, False),
        ("331003006", Decimal(28), 2, False),
        ("331003101", Decimal(27), 3, False),
        ("331003200", Decimal(24), 4, True),
    ]
    assert rows[3].explanation == "得24分，4个乡镇（街道）中第4名，列入后进名单（倒数1名）。"
    assert january.bulletin_no == 1 and quarter[2].plan.bulletin_no == 3
    assert january.summary["township_average"] == "27.25"
    # Later changes to an inspection do not touch a published month.
    with pytest.raises(SupervisionError, match="该月结果已发布"):
        actions.do_reopen_inspection(
            acting_user=personas.county, inspection=rows[0].inspection, reason="x"
        )


def test_ties_share_a_place_and_all_tied_bottom_units_are_called(personas, world):
    for code in ["331003001", "331003006"]:
        inspect(world, personas.county, code, {"B1": True})
    for code in ["331003101", "331003200"]:
        inspect(world, personas.county, code, {})
    actions.do_close_plan(acting_user=personas.county, plan=world.plan)
    rows = {r.unit.code: (r.rank, r.bottom) for r in MonthlyResult.objects.filter(plan=world.plan)}
    assert rows == {
        "331003101": (1, False),
        "331003200": (1, False),
        "331003001": (3, True),
        "331003006": (3, True),
    }


def test_a_unit_last_three_months_running_is_a_repeat_offender(personas, quarter):
    march = {r.unit.code: r for r in MonthlyResult.objects.filter(plan=quarter[2].plan)}
    yutou = march["331003200"]
    assert (yutou.bottom, yutou.streak, yutou.year_count, yutou.repeat) == (True, 3, 3, True)
    assert yutou.explanation.endswith("连续3个月列入后进名单。")
    assert not any(r.repeat for code, r in march.items() if code != "331003200")
    html = (
        personas.client(personas.county)
        .get(f"/supervision/plans/{quarter[2].plan.pk}/results/")
        .content.decode()
    )
    assert "月度例会约谈名单（倒数1名）" in html and "屡次后进" in html and "屿头乡" in html


def test_the_ranking_page_previews_before_publishing(personas, world):
    inspect(world, personas.county, "331003006", {"A1": 1})
    html = (
        personas.client(personas.county)
        .get(f"/supervision/plans/{world.plan.pk}/results/")
        .content.decode()
    )
    assert "预览：本月结果尚未发布" in html and "澄江街道" in html and "下载通报PDF" not in html
    response = personas.client(personas.county).get(
        f"/supervision/plans/{world.plan.pk}/bulletin.pdf", follow=True
    )
    assert "本月结果发布后才能生成督查通报。" in response.content.decode()
    assert MonthlyResult.objects.count() == 0


def test_the_bulletin_pdf_is_a4_with_extractable_chinese_text(personas, quarter):
    march = quarter[2].plan
    PlanUnit.objects.filter(plan=march)
    response = personas.client(personas.leader).get(f"/supervision/plans/{march.pk}/bulletin.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    reader = PdfReader(io.BytesIO(content))
    page = reader.pages[0]
    width_mm = float(page.mediabox.width) / 72 * 25.4
    height_mm = float(page.mediabox.height) / 72 * 25.4
    assert (round(width_mm), round(height_mm)) == (210, 297)
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    for expected in [
        "黄岩区人口家庭工作督查通报",
        "2026年第3期",
        "关于2026年3月人口家庭工作督查情况的通报",
        "乡镇（街道）得分排名",
        "屿头乡",
        "澄江街道",
        "连续3个月列入后进名单",
        "整改要求",
    ]:
        assert expected in text, expected
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        pdf_path = SCREENSHOTS / "supervision-bulletin.pdf"
        pdf_path.write_bytes(content)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                str(pdf_path),
                str(SCREENSHOTS / "supervision-bulletin"),
            ],
            check=True,
        )
        assert (SCREENSHOTS / "supervision-bulletin-1.png").exists()
    if shutil.which("pdffonts"):
        # Every font is embedded, so the bulletin prints the same on any machine.
        listing = subprocess.run(
            ["pdffonts", "-"], input=content, capture_output=True, check=True
        ).stdout.decode()
        rows = listing.splitlines()[2:]
        assert rows and all(row.split()[-5] == "yes" for row in rows), listing


def test_the_bulletin_workbook_has_rankings_deductions_and_tasks(personas, quarter):
    march = quarter[2].plan
    response = personas.client(personas.county).get(f"/supervision/plans/{march.pk}/bulletin.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["乡镇排名", "抽查村居", "扣分明细", "整改任务"]
    ranking = list(book["乡镇排名"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in ranking] == [
        (1, "东城街道", 30, None, None),
        (2, "宁溪镇", 28, None, None),
        (3, "澄江街道", 27, None, None),
        (4, "屿头乡", 20, "是", "是"),
    ]
    deductions = list(book["扣分明细"].iter_rows(min_row=2, values_only=True))
    assert deductions[-1][:6] == ("屿头乡", "A1", "登记服务", "检查项A1", 10, 0)
    assert (
        len(list(book["整改任务"].iter_rows(min_row=2)))
        == RectificationTask.objects.filter(plan=march).count()
    )


def test_the_year_page_shows_each_units_months_and_average(personas, quarter):
    client = personas.client(personas.county)
    html = client.get("/supervision/results/", {"year": 2026}).content.decode()
    assert "1月" in html and "3月" in html and "年均" in html and 'data-chart="sv-trend"' in html
    assert "<strong>23.67</strong>" in html  # 屿头乡: (24 + 27 + 20) ÷ 3 = 23.666…
    township = (
        personas.client(personas.chengjiang).get("/supervision/results/?year=2026").content.decode()
    )
    assert "澄江街道" in township and "屿头乡" not in township
    assert client.get("/supervision/results/", {"year": "abc"}).status_code == 200
    assert (
        "该年度还没有已发布的督查结果。"
        in client.get("/supervision/results/", {"year": 2001}).content.decode()
    )


def test_result_pages_cost_the_same_queries_however_many_units(personas, world):
    for code in ["331003001", "331003006"]:
        inspect(world, personas.county, code, {"A1": 1})
    client = personas.client(personas.county)
    url = f"/supervision/plans/{world.plan.pk}/results/"
    client.get(url)
    before = count_queries(client, url)
    for code in ["331003101", "331003200"]:
        inspect(world, personas.county, code, {"B1": True})
    for code in ["331003006200", "331003006204"]:
        PlanUnit.objects.create(
            plan=world.plan, unit=OrgUnit.objects.get(code=code), team=world.team
        )
        inspect(world, personas.county, code, {"A1": 2})
    assert count_queries(client, url) == before
    actions.do_close_plan(acting_user=personas.county, plan=world.plan)
    published = count_queries(client, url)
    year = count_queries(client, "/supervision/results/")
    second = _month(personas, world.template, (world.plan.month % 12) + 1, MONTHS[1])
    actions.do_close_plan(acting_user=personas.county, plan=second.plan)
    assert count_queries(client, url) == published
    assert count_queries(client, "/supervision/results/") == year


def test_closing_is_audited_once(personas, world):
    inspect(world, personas.county, "331003006", {})
    before = AuditEvent.objects.count()
    actions.do_close_plan(acting_user=personas.county, plan=world.plan)
    assert AuditEvent.objects.count() == before + 1
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.CLOSED
    with pytest.raises(SupervisionError, match="只有督查中的计划才能发布结果"):
        actions.do_close_plan(acting_user=personas.county, plan=world.plan)


def test_assessment_inputs_give_each_units_year_in_named_values(personas, quarter):
    import datetime as dt

    values = assessment_inputs(
        2026, ["331003006", "331003200", "331003001001"], as_of=dt.date(2026, 12, 31)
    )
    yutou = values["331003200"]
    assert yutou["supervision_months"] == 3
    assert yutou["supervision_avg"] == Decimal("23.67")  # (24 + 27 + 20) ÷ 3 = 23.666…, half up
    assert yutou["supervision_min"] == Decimal(20)
    assert yutou["supervision_bottom"] == 3 and yutou["supervision_repeat"] == 1
    assert yutou["rectification_total"] == 3
    assert yutou["rectification_overdue"] == 3  # none handed in, all past due by year end
    assert yutou["rectification_on_time_rate"] == 0
    chengjiang = values["331003006"]
    assert chengjiang["supervision_avg"] == Decimal("28.33")  # (28 + 30 + 27) / 3
    assert chengjiang["supervision_bottom"] == 0 and chengjiang["supervision_repeat"] == 0
    # A unit never scored: counts of zero, no average (a scheme decides what that means).
    assert values["331003001001"] == {
        "supervision_months": 0,
        "supervision_bottom": 0,
        "supervision_repeat": 0,
        "rectification_total": 0,
        "rectification_overdue": 0,
    }
    assert all(isinstance(v, Decimal) for unit in values.values() for v in unit.values())


def test_assessment_inputs_count_late_and_on_time_tasks(personas, quarter):
    import datetime as dt

    from renkou.supervision.files import check_upload
    from tests.supervision.conftest import photo

    tasks = list(RectificationTask.objects.filter(unit__code="331003006").order_by("id"))
    assert len(tasks) == 2
    upload = photo()
    actions.do_attach_evidence(
        acting_user=personas.chengjiang, task=tasks[0], upload=upload, checked=check_upload(upload)
    )
    actions.do_mark_task_done(acting_user=personas.chengjiang, task=tasks[0], note="")
    RectificationTask.objects.filter(pk=tasks[1].pk).update(done_late=True, status="submitted")
    values = assessment_inputs(2026, ["331003006"], as_of=dt.date(2026, 12, 31))["331003006"]
    assert (values["rectification_total"], values["rectification_overdue"]) == (
        Decimal(2),
        Decimal(1),
    )
    assert values["rectification_on_time_rate"] == Decimal("50.00")


def test_assessment_inputs_take_a_fixed_number_of_queries(personas, quarter):
    codes = list(OrgUnit.objects.values_list("code", flat=True))
    with CaptureQueriesContext(connection) as queries:
        assessment_inputs(2026, codes)
    assert len(queries) == 2
