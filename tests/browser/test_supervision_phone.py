"""Monthly supervision on a phone, in chromium: an inspection filled in with a
photo while the network is cut, synced when it returns; the unit acknowledges;
the task it got is rectified with evidence and verified."""

from __future__ import annotations

import re

import pytest

from renkou.supervision.demo import _png
from renkou.supervision.models import (
    Attachment,
    Inspection,
    InspectionStatus,
    RectificationTask,
    TaskStatus,
)
from tests.browser.conftest import PHONE, shoot
from tests.conftest import PASSWORD
from tests.supervision.conftest import make_checklist, make_plan, this_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHOTO = _png(640, 480, (180, 200, 190))
EVIDENCE = _png(480, 360, (150, 210, 160))


def _phone(browser, live_server, username: str, **options):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page, problems


def _item(page, code: str):
    return page.locator("article.insp-item", has=page.locator(".sv-code", has_text=code))


def test_an_inspection_filled_in_offline_syncs_and_is_followed_to_verification(
    browser, live_server, personas
):
    year, month = this_month()
    template = make_checklist(personas.county, year)
    make_plan(personas.county, template, year, month)
    base = live_server.url

    # The inspector, on a phone that knows where it is.
    context, page, problems = _phone(
        browser,
        live_server,
        "county",
        geolocation={"latitude": 28.6451, "longitude": 121.2613, "accuracy": 15},
        permissions=["geolocation"],
    )
    page.goto(f"{base}/supervision/mine/")
    page.locator("li", has_text="澄江街道").get_by_role("button", name="开始督查").click()
    page.wait_for_url(re.compile(r".*/supervision/inspections/\d+/$"))
    inspection = Inspection.objects.get()
    page.wait_for_selector("[data-gps]:has-text('已定位')")
    page.wait_for_selector("#insp-status[data-state='synced']")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "supervision-inspection-phone")

    # The network goes; the inspector carries on.
    context.set_offline(True)
    a1 = _item(page, "A1")
    a1.get_by_role("button", name="增加一处").click()
    a1.get_by_role("button", name="增加一处").click()
    a1.locator("textarea").fill("两份登记档案超时办结")
    b2 = _item(page, "B2")
    b2.get_by_text("不符合").click()
    a2 = _item(page, "A2")
    a2.get_by_role("button", name="增加一处").click()
    assert a2.locator("[data-need-photo]").is_visible()
    a2.locator("input[data-photo-input]").set_input_files(
        files=[{"name": "台账.png", "mimeType": "image/png", "buffer": PHOTO}]
    )
    a2.locator(".insp-photo img").wait_for()
    assert a2.locator(".insp-photo .pending").inner_text() == "待上传"
    assert not a2.locator("[data-need-photo]").is_visible()
    assert page.locator("[data-total]").inner_text() == "22.5"  # 30 − 4 − 0.5 − 3
    status = page.locator("#insp-status")
    assert "离线：已保存在本机（1张照片待上传）" in status.inner_text()
    page.get_by_role("button", name="提交").click()
    dialog = page.locator("#insp-confirm")
    assert "预计得分22.5分；扣分项3个，开具整改任务3项。" in dialog.inner_text()
    shoot(page, "supervision-inspection-confirm-phone")
    dialog.get_by_role("button", name="确认提交").click()
    assert "联网后自动提交" in status.inner_text()
    shoot(page, "supervision-inspection-offline-phone")
    stored = page.evaluate(f"window.localStorage.getItem('renkou:inspection:{inspection.pk}')")
    assert '"submit":true' in stored and "data:image/jpeg;base64" in stored
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.DRAFT and not Attachment.objects.exists()

    # The network is back: the photo, the draft and the submission go through.
    context.set_offline(False)
    page.wait_for_url(f"{base}/supervision/inspections/{inspection.pk}/", timeout=15_000)
    page.wait_for_selector("#insp-total")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert inspection.total == 22.5
    assert inspection.latitude is not None and round(float(inspection.latitude), 2) == 28.65
    photo = Attachment.objects.get()
    assert photo.content_type == "image/jpeg" and photo.result.item.code == "A2"
    assert (
        page.evaluate(f"window.localStorage.getItem('renkou:inspection:{inspection.pk}')") is None
    )
    assert "满分30分，3个检查项共扣7.5分，得22.5分。" in page.content()
    shoot(page, "supervision-result-phone")
    assert problems == []
    context.close()

    # The township acknowledges on its own phone.
    context, page, problems = _phone(browser, live_server, "chengjiang")
    page.goto(f"{base}/supervision/")
    page.get_by_role("link", name=re.compile("澄江街道")).first.click()
    page.get_by_text("对督查结果无异议").click()
    page.get_by_role("button", name="确认", exact=True).click()
    page.wait_for_selector("text=已确认督查结果。")
    inspection.refresh_from_db()
    assert (inspection.status, inspection.ack_by) == (
        InspectionStatus.ACKNOWLEDGED,
        personas.chengjiang,
    )

    # …and works on the task the A1 deduction opened.
    task = RectificationTask.objects.get(result__item__code="A1")
    page.goto(f"{base}/supervision/tasks/")
    shoot(page, "supervision-tasks-phone")
    page.get_by_role("link", name="检查项A1").click()
    page.set_input_files(
        "#id_file", files=[{"name": "整改后.png", "mimeType": "image/png", "buffer": EVIDENCE}]
    )
    page.get_by_role("button", name="上传").click()
    page.wait_for_selector("text=已上传佐证材料。")
    page.fill("#id_done_note", "已补齐登记档案")
    page.get_by_role("button", name="报告整改完成").click()
    page.wait_for_selector("text=已报告整改完成，等待上级核验。")
    shoot(page, "supervision-task-phone")
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED
    assert problems == []
    context.close()

    # The inspector verifies.
    context, page, problems = _phone(browser, live_server, "county")
    page.goto(f"{base}/supervision/tasks/{task.pk}/")
    assert page.locator(".sv-files img").count() == 1
    page.get_by_role("button", name="核验属实，销号").click()
    page.wait_for_selector("text=已核验销号。")
    task.refresh_from_db()
    assert task.status == TaskStatus.VERIFIED
    assert problems == []
    context.close()


def test_a_draft_left_on_the_phone_is_restored_after_a_reload(browser, live_server, personas):
    year, month = this_month()
    template = make_checklist(personas.county, year)
    make_plan(personas.county, template, year, month)
    context, page, problems = _phone(browser, live_server, "county")
    page.goto(f"{live_server.url}/supervision/mine/")
    page.locator("li", has_text="东城街道").get_by_role("button", name="开始督查").click()
    page.wait_for_url(re.compile(r".*/supervision/inspections/\d+/$"))
    page.wait_for_selector("#insp-status[data-state='synced']")
    # A network that lets the page load but drops every sync.
    page.route("**/sync/", lambda route: route.abort())
    _item(page, "B1").get_by_text("不符合").click()
    page.wait_for_selector("#insp-status[data-state='offline']", timeout=10_000)
    page.reload()
    assert _item(page, "B1").locator("input[value='1']").is_checked()
    assert page.locator("[data-total]").inner_text() == "25"
    inspection = Inspection.objects.get()
    assert inspection.results.get(item__code="B1").failed is False  # only on the phone so far
    page.unroute("**/sync/")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("#insp-status[data-state='synced']", timeout=15_000)
    assert inspection.results.get(item__code="B1").failed is True
    # A failed fetch logs a network error in the console; nothing else may.
    assert all("net::ERR_FAILED" in p for p in problems), problems
    context.close()
