"""The foundation's acceptance in a real browser: Chinese login, scope, 404."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE, shoot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_chengjiang_officer_sees_only_chengjiang(
    browser, live_server, personas, size, viewport
):
    page = browser.new_page(viewport=viewport, locale="zh-CN")
    base = live_server.url
    response = page.goto(f"{base}/accounts/login/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "人口家庭工作目标管理"
    assert page.locator("main button[type=submit]").inner_text() == "登录"
    shoot(page, f"login-{size}")

    _login(page, base, "chengjiang")
    assert page.locator("h1").inner_text() == "澄江街道"
    shoot(page, f"home-township-{size}")

    page.goto(f"{base}/org/")
    tree = page.locator("#tree")
    assert "澄江街道" in tree.inner_text()
    for village in ["东岙里村委会", "横屋村委会", "石柜岙村委会"]:
        assert village in tree.inner_text()
    assert "百花社区居委会" not in page.content()
    assert "东城街道" not in page.content()
    shoot(page, f"tree-township-{size}")

    # Typing in the search box updates the results without a reload.
    page.fill("#unit-q", "横屋")
    page.wait_for_selector("#search-results .search-results li a")
    assert page.locator("#search-results a").first.inner_text() == "横屋村委会"

    # Another township's unit, by URL and by API: 404.
    other = page.goto(f"{base}/org/331003001/")
    assert other.status == 404
    assert "不在您的管辖范围内" in page.content()
    api = page.request.get(f"{base}/api/v1/orgunits/331003001")
    assert api.status == 404
    own = page.request.get(f"{base}/api/v1/orgunits/331003006")
    assert own.status == 200
    page.close()


def test_the_county_tree_opens_and_folds_a_township(browser, live_server, personas):
    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    _login(page, live_server.url, "county")
    shoot(page, "home-county-desktop")
    page.goto(f"{live_server.url}/org/")
    toggle = page.get_by_role("button", name="展开澄江街道")
    toggle.click()
    page.wait_for_selector("#kids-331003006 >> text=横屋村委会")
    assert toggle.get_attribute("aria-expanded") == "true"
    shoot(page, "tree-county-desktop")
    toggle.click()
    page.wait_for_function("document.querySelector('#kids-331003006').children.length === 0")
    assert toggle.get_attribute("aria-expanded") == "false"
    page.close()


def test_the_phone_menu_opens_and_navigates(browser, live_server, personas):
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    _login(page, live_server.url, "county")
    nav_link = page.get_by_role("link", name="行政区划")
    assert not nav_link.is_visible()  # folded behind the menu button on a phone
    page.locator("[data-menu-toggle]").click()
    assert nav_link.is_visible()
    nav_link.click()
    page.wait_for_url(f"{live_server.url}/org/")
    # Nothing spills sideways at 390 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.close()


def test_a_job_progress_page_updates_itself(browser, live_server, personas):
    from django.core.management import call_command

    from renkou.jobs.models import Job

    page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
    _login(page, live_server.url, "sysadmin")
    page.goto(f"{live_server.url}/org/import/")
    page.set_input_files(
        "#id_upload",
        files=[
            {
                "name": "new.csv",
                "mimeType": "text/csv",
                "buffer": "code,name,parent_code\n331003006300,新建村,331003006\n".encode(),
            }
        ],
    )
    page.click("main button[type=submit]")
    page.wait_for_url("**/jobs/*/")
    assert page.locator("[data-status]").get_attribute("data-status") == "queued"
    shoot(page, "job-queued-desktop")
    call_command("worker", "--batch")
    page.wait_for_selector("[data-status=done]", timeout=10_000)
    assert "新增1个" in page.locator("#job-progress").inner_text()
    shoot(page, "job-done-desktop")
    assert Job.objects.get().status == Job.Status.DONE
    page.close()
