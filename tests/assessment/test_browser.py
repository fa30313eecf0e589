"""The league table and a unit's result in chromium, at desktop and phone size:
they render under the strict content policy with their charts, nothing spills
sideways on a phone, and screenshots are kept for people to look at."""

from __future__ import annotations

import pytest

from renkou.assessment.demo_core import seed_assessment
from renkou.assessment.models import Run, RunUnit
from renkou.dashboard.demo import seed_region_classes
from tests.browser.conftest import DESKTOP, PHONE, browser, shoot, signed_in  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_league_and_unit_pages_look_right(browser, live_server, personas, figures, size, viewport):  # noqa: F811
    seed_region_classes(lambda line: None)
    seed_assessment(lambda line: None)
    township = Run.objects.get(scheme__level=4)
    villages = Run.objects.get(scheme__level=5)
    unit = RunUnit.objects.filter(run=township).order_by("rank").first()
    assert unit is not None
    page, problems = signed_in(browser, live_server, "county", viewport)
    for name, url, chart in [
        ("league", f"/assessment/runs/{township.pk}/", True),
        ("league-villages", f"/assessment/runs/{villages.pk}/", True),
        ("unit", f"/assessment/results/{unit.pk}/", True),
        ("scheme", f"/assessment/schemes/{township.scheme_id}/", False),
        ("scheme-edit", f"/assessment/schemes/{township.scheme_id}/edit/", False),
        ("home", "/assessment/", False),
    ]:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        if chart:
            page.wait_for_selector(".as-chart svg")
        shoot(page, f"assessment-{name}-{size}")
        if name != "scheme-edit":  # the editor's wide table scrolls inside its own box
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (url, width)
    league = page.goto(f"{live_server.url}/assessment/runs/{township.pk}/")
    assert league.status == 200
    assert page.locator("#league-rows tbody tr").count() == 4
    # Filtering by grade swaps the table in place.
    grade = RunUnit.objects.filter(run=township).order_by("rank").first().grade
    page.select_option("select[name=grade]", grade)
    page.wait_for_load_state("networkidle")
    expected = RunUnit.objects.filter(run=township, grade=grade).count()
    page.wait_for_function(
        f"document.querySelectorAll('#league-rows tbody tr').length === {expected}"
    )
    assert problems == []
    page.close()
