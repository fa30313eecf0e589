"""Monthly reporting in a real browser: the approval flow end to end, and the pages to look at."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from renkou.catalog.seed import import_default_catalog
from renkou.orgunits.models import OrgUnit
from renkou.reporting.demo import seed_values
from renkou.reporting.models import DataValue, Report
from tests.browser.conftest import DESKTOP, PHONE, shoot
from tests.conftest import PASSWORD
from tests.reporting.conftest import SHANGHAI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OCTOBER = dt.datetime(2026, 10, 3, 10, tzinfo=SHANGHAI)
FORM = "/reporting/village_monthly/202609/331003006200/"
VALUES = {
    "births_male": "2",
    "births_female": "1",
    "deaths": "3",
    "migration_in": "4",
    "migration_out": "2",
    "birth_registrations": "3",
    "registered_30d": "3",
    "prepreg_checks": "1",
    "prepreg_eligible": "12",
    "subsidy_applied": "2",
    "subsidy_paid": "2",
    "special_families": "3",
    "special_visited": "3",
    "childcare_places": "10",
    "population": "2980",
}


def login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def fill_field(page, code: str, value: str) -> None:
    field = page.locator(f"#v-{code}")
    field.fill(value)
    field.press("Tab")
    page.wait_for_selector(f"#f-{code} .entry-state:has-text('已保存'), #f-{code} .entry-error")


def test_village_submits_township_returns_village_fixes_township_approves_county_locks(
    browser, live_server, personas
):
    import_default_catalog()
    base = live_server.url
    with time_machine.travel(OCTOBER, tick=True):
        worker = browser.new_page(viewport=PHONE, locale="zh-CN")
        login(worker, base, "village")
        worker.goto(base + FORM)
        for code, value in VALUES.items():
            fill_field(worker, code, value)
        # A typo is explained in place and not saved.
        worker.locator("#v-deaths").fill("三")
        worker.locator("#v-deaths").press("Tab")
        worker.wait_for_selector("#f-deaths .entry-error")
        assert "不是数字" in worker.locator("#f-deaths .entry-error").inner_text()
        shoot(worker, "reporting-entry-error-phone")
        fill_field(worker, "deaths", "3")
        assert worker.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(worker, "reporting-entry-phone")
        worker.click("[data-submit-report]")
        worker.wait_for_selector(".status-submitted")
        assert Report.objects.get().status == "submitted"

        officer = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        login(officer, base, "chengjiang")
        officer.goto(base + FORM)
        officer.fill("#id_reason", "死亡人数请与派出所核对后重报")
        officer.click(".return-form button[type=submit]")
        officer.wait_for_selector(".status-returned")

        worker.goto(base + FORM)
        assert "死亡人数请与派出所核对后重报" in worker.content()
        fill_field(worker, "deaths", "2")
        worker.click("[data-submit-report]")
        worker.wait_for_selector(".status-submitted")

        officer.goto(base + FORM)
        officer.click("text=审核通过")
        officer.wait_for_selector(".status-approved")
        shoot(officer, "reporting-reviewed-desktop")

        county = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        login(county, base, "county")
        county.goto(base + "/reporting/board/?data_set=village_monthly&period=202609")
        county.click(".lock-panel button[type=submit]")
        county.wait_for_selector("text=县级已锁定")
        assert Report.objects.get().status == "accepted"

        # The worker can no longer edit.
        worker.goto(base + FORM)
        assert worker.locator("#v-deaths").count() == 0
        assert "县级已锁定" in worker.content()
        assert DataValue.objects.get(element__code="deaths").value == 2
        for page in (worker, officer, county):
            page.close()


def test_screens_of_the_entry_form_board_pivot_and_excel_preview(browser, live_server, personas):
    import_default_catalog()
    base = live_server.url
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI), tick=True):
        seed_values(OrgUnit.objects.get(code="331003"), keep_open={"331003006200"})
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        login(page, base, "village")
        page.goto(base + "/reporting/village_monthly/202610/331003006200/")
        shoot(page, "reporting-entry-desktop")
        page.set_viewport_size(PHONE)
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shoot(page, "reporting-entry-phone-demo")
        page.close()

        county = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        login(county, base, "county")
        county.goto(base + "/reporting/board/?data_set=village_monthly&period=202610")
        assert "催报名单" in county.content() or "应报" in county.content()
        shoot(county, "reporting-board-desktop")
        county.goto(
            base + "/reporting/board/?data_set=village_monthly&period=202610&unit=331003006"
        )
        shoot(county, "reporting-board-township-desktop")

        county.goto(
            base + "/reporting/analysis/?dx=cbr&dx=srb&preset=months12&unit=331003&mode=children"
        )
        county.wait_for_selector("[data-pivot-chart=trend] svg")
        county.wait_for_selector("[data-pivot-chart=compare] svg")
        shoot(county, "reporting-pivot-desktop")
        county.set_viewport_size(PHONE)
        county.reload()
        county.wait_for_selector("[data-pivot-chart=trend] svg")
        shoot(county, "reporting-pivot-phone")
        county.set_viewport_size(DESKTOP)

        # An Excel upload with mistakes, previewed.
        template = county.request.get(
            base
            + "/reporting/excel/template.xlsx?data_set=village_monthly&period=202610&unit=331003006"
        )
        workbook = load_workbook(io.BytesIO(template.body()))
        sheet = workbook["数据"]
        codes = [c.value for c in sheet[2]]
        sheet.cell(row=3, column=codes.index("deaths") + 1).value = "三个"
        sheet.cell(row=4, column=codes.index("births_male") + 1).value = 88
        sheet.cell(row=5, column=1).value = "331003001001"
        buffer = io.BytesIO()
        workbook.save(buffer)
        county.goto(base + "/reporting/excel/")
        shoot(county, "reporting-excel-desktop")
        county.set_input_files(
            "#id_upload",
            files=[
                {
                    "name": "澄江街道10月.xlsx",
                    "mimeType": "application/octet-stream",
                    "buffer": buffer.getvalue(),
                }
            ],
        )
        county.click("text=上传并预览")
        county.wait_for_selector(".problems-table")
        assert "不是数字" in county.content() and "超出合理范围" in county.content()
        shoot(county, "reporting-excel-preview-desktop")
        county.set_viewport_size(PHONE)
        county.reload()
        shoot(county, "reporting-excel-preview-phone")
        county.close()
