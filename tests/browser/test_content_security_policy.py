"""A strict Content-Security-Policy on every page, and no page breaks it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "county": ["/", "/org/", "/org/331003006/", "/jobs/", "/accounts/tokens/", "/accounts/2fa/"],
    "sysadmin": ["/accounts/users/", "/org/import/", "/org/331003006/edit/"],
    "secadmin": ["/accounts/locks/"],
    "auditadmin": ["/audit/"],
}


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_every_main_page_sends_a_strict_policy_and_raises_no_violation(
    browser, live_server, personas
):
    for username, urls in PAGES.items():
        for viewport in (DESKTOP, PHONE):
            page = browser.new_page(viewport=viewport, locale="zh-CN")
            problems = _watch(page)
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{live_server.url}/")
            for url in urls:
                response = page.goto(f"{live_server.url}{url}")
                assert response.status == 200, url
                policy = response.headers["content-security-policy"]
                assert "script-src 'self'" in policy and "style-src 'self'" in policy
                assert "unsafe-inline" not in policy
                assert "no-store" in response.headers["cache-control"]
                page.wait_for_load_state("networkidle")
            if username == "county":
                page.goto(f"{live_server.url}/org/")
                page.get_by_role("button", name="展开澄江街道").click()
                page.wait_for_selector("#kids-331003006 >> text=横屋村委会")
            assert problems == [], (username, viewport, problems)
            page.close()


def test_the_two_factor_qr_code_renders_under_the_policy(browser, live_server, personas, settings):
    settings.TWO_FACTOR_REQUIRED = True
    page = browser.new_page(viewport=PHONE, locale="zh-CN")
    problems = _watch(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sysadmin")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/2fa/enrol/")
    image = page.locator(".qr img")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    from tests.browser.conftest import shoot

    shoot(page, "two-factor-enrol-phone")
    assert problems == []
    page.close()
