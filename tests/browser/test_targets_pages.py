"""The target board and a unit's page in chromium at desktop and phone size:
they render under the strict content policy, the charts draw, nothing spills
sideways on a phone, and screenshots are kept for people to look at."""

from __future__ import annotations

import pytest

import tests.targets.conftest as target_fixtures
from renkou.targets.demo import seed_targets
from renkou.targets.models import Target
from tests.browser.conftest import DESKTOP, PHONE, shoot, signed_in

catalog, july, reported = target_fixtures.catalog, target_fixtures.july, target_fixtures.reported

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_target_pages_look_right(browser, live_server, reported, size, viewport):
    seed_targets(lambda line: None)
    births = Target.objects.get(orgunit__code="331003006", year=2026, code="births")
    page, problems = signed_in(browser, live_server, "county", viewport)
    pages = {
        "board": "/targets/?year=2026",
        "board-township": "/targets/?unit=331003006&year=2026",
        "unit": "/targets/unit/331003006200/?year=2026",
        "target": f"/targets/target/{births.pk}/",
        "cascade": f"/targets/target/{births.pk}/cascade/?basis=population",
    }
    for name, url in pages.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        page.wait_for_load_state("networkidle")
        if name == "unit":
            page.wait_for_selector(".tg-chart svg")
            assert page.locator(".tg-chart svg").count() == page.locator(".tg-card").count()
        shoot(page, f"targets-{name}-{size}")
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('main *'))"
            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
            ".slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert width <= viewport["width"], (url, width, wide)
    board = page.goto(f"{live_server.url}/targets/?year=2026")
    assert board is not None
    text = page.locator("#target-board").inner_text()
    assert "澄江街道" in text and "出生人数" in text
    assert page.locator("#target-board .tg-cell").count() > 0
    assert problems == []
    page.close()
