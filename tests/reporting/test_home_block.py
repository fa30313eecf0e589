"""The home page shows live indicators and last month's reporting for the user's own scope."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from renkou.orgunits.models import OrgUnit
from renkou.reporting.demo import seed_values
from tests.reporting.conftest import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(personas, catalog):
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI), tick=True):
        seed_values(OrgUnit.objects.get(code="331003"))
        yield


def test_the_county_home_shows_year_to_date_indicators_and_reporting(personas, demo):
    html = personas.client(personas.county).get("/").content.decode()
    assert "月报与指标" in html and "2026年1–10月累计" in html
    assert "出生率" in html and "出生人口性别比" in html and "月报及时率" in html
    assert "2026年10月已报送" in html


def test_a_township_sees_its_own_figures_only(personas, demo):
    township = personas.client(personas.chengjiang).get("/").content.decode()
    assert "月报与指标" in township
    # Three villages in 澄江街道 report; the county has five.
    assert "<small>/3</small>" in township
    county = personas.client(personas.county).get("/").content.decode()
    assert "<small>/5</small>" in county


def test_administrators_get_no_reporting_block(personas, demo):
    for user in (personas.sysadmin, personas.auditadmin):
        assert "月报与指标" not in personas.client(user).get("/").content.decode()


def test_a_villages_sex_ratio_comes_with_its_interval_and_is_not_flagged_by_chance(personas, demo):
    html = personas.client(personas.village).get("/").content.decode()
    assert "95%区间" in html
    # A village's handful of births cannot show a ratio outside 103–107 with confidence.
    assert (
        'class="num flag-out"'
        not in html.split("出生人口性别比")[0].rsplit('<div class="figure">', 1)[-1]
    )
