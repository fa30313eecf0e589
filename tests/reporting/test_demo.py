"""Demo data: plausible, and the computed indicators agree with a computation by hand."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from renkou.orgunits.models import OrgUnit
from renkou.reporting.analytics import AnalyticsRequest, run_query
from renkou.reporting.demo import seed_reporting, seed_values
from renkou.reporting.models import DataValue, PeriodLock, Report
from tests.reporting.conftest import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(personas, catalog):
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI), tick=True):
        counts = seed_values(OrgUnit.objects.get(code="331003"), keep_open={"331003006200"})
        yield counts


def by_hand() -> dict[tuple[str, str, str], float]:
    """Sums per (element, period, village) straight from the stored values."""
    found: dict[tuple[str, str, str], float] = {}
    for code, period, unit, value in DataValue.objects.values_list(
        "element__code", "period", "orgunit__code", "value"
    ):
        if value is not None:
            found[(code, period, unit)] = float(value)
    return found


def total(values: dict[tuple[str, str, str], float], code: str, periods: list[str]) -> float:
    return float(sum(v for (c, p, _u), v in values.items() if c == code and p in periods))


def december_population(values, year: int) -> float:
    """Population at the end of a year, each village's latest December-or-earlier figure."""
    latest: dict[str, tuple[str, float]] = {}
    for (code, period, unit), value in values.items():
        this_year = code == "population" and period.startswith(str(year))
        if this_year and (unit not in latest or period > latest[unit][0]):
            latest[unit] = (period, value)
    return sum(v for _p, v in latest.values())


def test_two_years_of_months_for_every_village_with_late_missing_and_returned(demo):
    villages = OrgUnit.objects.filter(level=5, path__startswith="33/3310/331003/").count()
    assert villages == 5
    assert Report.objects.filter(period="202401").count() + 0 >= 4
    periods = set(DataValue.objects.values_list("period", flat=True))
    assert "202401" in periods and "202510" in periods and "202610" in periods
    assert PeriodLock.objects.filter(period="202501", locked=True).exists()
    own = Report.objects.get(orgunit__code="331003006200", period="202610")
    assert own.status == "draft"  # left for the demo village worker to submit
    assert demo["values"] > 2000


def test_county_indicators_match_a_computation_by_hand(personas, demo):
    values = by_hand()
    months_2025 = [f"2025{m:02d}" for m in range(1, 13)]
    result = run_query(
        personas.county,
        AnalyticsRequest.parse(
            "cbr;srb;registration_timeliness;childcare_places_per_1000;births_male;population",
            "2025;2025Q2;202512",
            "331003",
        ),
    )
    boys = total(values, "births_male", months_2025)
    girls = total(values, "births_female", months_2025)
    assert result.value("births_male", "2025", "331003") == boys
    assert result.value("srb", "2025", "331003") == pytest.approx(boys / girls * 100)
    mean = (december_population(values, 2024) + december_population(values, 2025)) / 2
    assert result.value("cbr", "2025", "331003") == pytest.approx((boys + girls) / mean * 1000)
    q2 = ["202504", "202505", "202506"]
    timely = total(values, "registered_30d", q2)
    registrations = total(values, "birth_registrations", q2)
    assert result.value("registration_timeliness", "2025Q2", "331003") == pytest.approx(
        timely / registrations * 100
    )
    # A village that did not report December has neither figure, so both sums agree on units.
    places = total(values, "childcare_places", ["202512"])
    population = total(values, "population", ["202512"])
    assert result.value("childcare_places_per_1000", "202512", "331003") == pytest.approx(
        places / population * 1000
    )


def test_demo_rates_are_plausible(personas, demo):
    result = run_query(
        personas.county, AnalyticsRequest.parse("cbr;cdr;srb", "2025", "331003/level-5")
    )
    rates = [result.value("cbr", "2025", u.code) for u in result.units]
    assert all(3 < r < 14 for r in rates if r is not None)


def test_report_timeliness_reflects_late_and_missing_reports(personas, demo):
    on_time = 0
    for report in Report.objects.filter(period__startswith="2025"):
        year, number = int(report.period[:4]), int(report.period[4:])
        due = dt.date(year + (number == 12), number % 12 + 1, 5)
        submitted = report.first_submitted_at
        on_time += submitted is not None and submitted.astimezone(SHANGHAI).date() <= due
    result = run_query(
        personas.county, AnalyticsRequest.parse("report_on_time;report_expected", "2025", "331003")
    )
    assert result.value("report_expected", "2025", "331003") == 5 * 12
    assert result.value("report_on_time", "2025", "331003") == on_time
    assert on_time < 5 * 12  # some were late or missing


def test_the_demo_step_runs_once(personas, catalog):
    logs: list[str] = []
    with time_machine.travel(dt.datetime(2026, 11, 22, 10, tzinfo=SHANGHAI), tick=True):
        seed_reporting(logs.append)
        seed_reporting(logs.append)
    assert "生成演示月报" in logs[0] and "已存在" in logs[1]
