"""The supervision pages at desktop and phone size, on a year of demo data:
they render under the strict content policy, nothing spills sideways on a
phone, and screenshots are kept for people to look at."""

from __future__ import annotations

import pytest

from renkou.supervision.demo import seed_supervision
from renkou.supervision.models import Inspection, InspectionStatus, Plan, PlanStatus
from tests.browser.conftest import DESKTOP, PHONE, shoot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(browser, live_server, username: str, viewport: dict[str, int]):
    page = browser.new_page(viewport=viewport, locale="zh-CN")
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page, problems


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_supervision_pages_look_right(browser, live_server, personas, size, viewport):
    seed_supervision(lambda line: None)
    current = Plan.objects.get(status=PlanStatus.ACTIVE)
    last = Plan.objects.filter(status=PlanStatus.CLOSED).order_by("-year", "-month").first()
    draft = Inspection.objects.get(status=InspectionStatus.DRAFT)
    pages = {
        "home": "/supervision/",
        "plan": f"/supervision/plans/{current.pk}/",
        "inspection-form": f"/supervision/inspections/{draft.pk}/",
        "tasks": "/supervision/tasks/",
        "ranking": f"/supervision/plans/{last.pk}/results/",
        "year": f"/supervision/results/?year={last.year}",
        "checklist": f"/supervision/checklists/{current.template_id}/",
    }
    page, problems = _signed_in(browser, live_server, "county", viewport)
    for name, url in pages.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        if name in ("ranking", "year"):
            page.wait_for_selector(".sv-chart svg")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (url, width)
        shoot(page, f"supervision-{name}-{size}")
    assert problems == []
    page.close()

    # The township's home page carries its overdue tasks.
    page, problems = _signed_in(browser, live_server, "chengjiang", viewport)
    assert "逾期未整改任务" in page.locator("main").inner_text()
    shoot(page, f"supervision-township-home-{size}")
    for name, url in {
        "township-tasks": "/supervision/tasks/",
        "township-year": "/supervision/results/",
    }.items():
        page.goto(f"{live_server.url}{url}")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shoot(page, f"supervision-{name}-{size}")
    assert problems == []
    page.close()
