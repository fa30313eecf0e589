"""The target-setting assistant and the pyramid page at desktop and phone size:
they render under the strict content policy, the pyramids are drawn, nothing
spills sideways on a phone, and screenshots are kept for people to look at."""

from __future__ import annotations

import pytest

from renkou.orgunits.models import OrgUnit, RegionClass
from renkou.population.demo import seed_population
from renkou.targets.models import Target, TargetSource
from tests.browser.conftest import DESKTOP, PHONE, shoot, signed_in
from tests.population.conftest import VILLAGES, catalog, march, reported  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_assistant_pages_look_right(browser, live_server, personas, reported, size, viewport):  # noqa: F811
    for code, name in (("street", "街道"), ("town", "平原镇"), ("mountain", "山区乡")):
        region = RegionClass.objects.create(code=code, name=name)
        OrgUnit.objects.filter(level=4, name__endswith=name[-1] if code != "town" else "镇").update(
            region_class=region
        )
    seed_population(lambda line: None)
    pages = {
        "assistant-county": "/population/?year=2026",
        "assistant-township": "/population/?scope=331003006&year=2026",
        "pyramid": f"/population/units/{VILLAGES[1]}/?year=2026",
        "backtest": "/population/backtest/?year=2025",
        "import": "/population/import/",
    }
    page, problems = signed_in(browser, live_server, "county", viewport)
    for name, url in pages.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        if name == "pyramid":
            page.wait_for_selector(".pp-chart[data-pyramid=start] svg")
            page.wait_for_selector(".pp-chart[data-pyramid=end] svg")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (url, width)
        shoot(page, f"population-{name}-{size}")
    # The basis opens in place, and accepting one village writes its targets.
    page.goto(f"{live_server.url}/population/?scope=331003006&year=2026")
    row = page.locator(f'tr[data-unit="{VILLAGES[0]}"]')
    row.locator("summary").click()
    assert "泊松" in row.inner_text()
    shoot(page, f"population-basis-{size}")
    row.get_by_role("button", name="采纳").click()
    page.wait_for_load_state("networkidle")
    assert "已采纳1个单位的测算建议" in page.locator("main").inner_text()
    assert set(Target.objects.values_list("source", flat=True)) == {TargetSource.SUGGESTED}
    assert problems == []
    page.close()
