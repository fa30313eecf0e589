"""Rollups kept current on every change, equal to a full recomputation and to sums by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import time_machine
from django.core.management import call_command

from renkou.catalog.models import DataSet, Indicator
from renkou.orgunits.models import OrgUnit
from renkou.reporting.analytics import AnalyticsRequest, run_query
from renkou.reporting.exchange import import_values
from renkou.reporting.models import RollupCube, RollupRun
from renkou.reporting.rollups import read_cubes, recompute_year
from tests.reporting.conftest import SHANGHAI

pytestmark = pytest.mark.django_db

VILLAGES = ["331003006200", "331003006204", "331003006208", "331003001001", "331003001002"]


def csv_for(rows: list[tuple[str, str, str, int]]) -> bytes:
    return (
        "dataelement,period,orgunit,value\n" + "".join(f"{e},{p},{u},{v}\n" for e, p, u, v in rows)
    ).encode()


def seed(county) -> None:
    # Months of early 2026 have long locked themselves by October; these tests
    # are about arithmetic, not locks.
    DataSet.objects.update(lock_days=0)
    rows = []
    for index, unit in enumerate(VILLAGES):
        for month in (1, 2, 3):
            period = f"2026{month:02d}"
            rows += [
                ("births_male", period, unit, index + month),
                ("births_female", period, unit, index + 1),
                ("deaths", period, unit, 1),
                ("population", period, unit, 1000 * (index + 1) + month),
            ]
    summary = import_values(acting_user=county, data=csv_for(rows), kind="csv")
    assert summary.status == "SUCCESS", summary.conflicts


def query(user, dx: str, pe: str, ou: str):
    return run_query(user, AnalyticsRequest.parse(dx, pe, ou))


def test_totals_and_indicators_match_sums_by_hand(personas, october):
    seed(personas.county)
    result = query(
        personas.county,
        "births_male;births_female;srb;cbr;population",
        "202602;2026Q1",
        "331003;331003/children",
    )
    # 澄江街道 (villages 0, 1, 2) in February: boys 2+3+4, girls 1+2+3.
    assert result.value("births_male", "202602", "331003006") == 9
    assert result.value("births_female", "202602", "331003006") == 6
    assert result.value("srb", "202602", "331003006") == pytest.approx(9 / 6 * 100)
    # The county in the first quarter: boys Σ(index + month), girls Σ(index + 1) × 3.
    boys = sum(i + m for i in range(5) for m in (1, 2, 3))
    girls = sum(i + 1 for i in range(5)) * 3
    assert result.value("births_male", "2026Q1", "331003") == boys
    assert result.value("srb", "2026Q1", "331003") == pytest.approx(boys / girls * 100)
    # Population is a stock: the quarter takes March, summed over villages.
    march = sum(1000 * (i + 1) + 3 for i in range(5))
    assert result.value("population", "2026Q1", "331003") == march
    # Crude birth rate, annualised: births / mean population × 1000 × 12 months.
    feb_births = sum(i + 2 for i in range(5)) + girls / 3
    mean = (
        sum(1000 * (i + 1) + 1 for i in range(5)) + sum(1000 * (i + 1) + 2 for i in range(5))
    ) / 2
    assert result.value("cbr", "202602", "331003") == pytest.approx(feb_births / mean * 1000 * 12)
    # A township with no villages has no value at all.
    assert result.value("births_male", "202602", "331003101") is None
    assert result.as_of is not None


def test_incremental_updates_equal_a_full_recomputation(personas, october):
    seed(personas.county)
    import_values(
        acting_user=personas.county,
        data=csv_for([("births_male", "202602", "331003006204", 7)]),
        kind="csv",
    )
    incremental = {c.orgunit_id: bytes(c.data) for c in RollupCube.objects.filter(year=2026)}
    county = OrgUnit.objects.get(code="331003")
    assert (
        query(personas.county, "births_male", "202602", "331003").value(
            "births_male", "202602", "331003"
        )
        == 2 + 7 + 4 + 5 + 6
    )
    recompute_year(year=2026)
    full = {c.orgunit_id: bytes(c.data) for c in RollupCube.objects.filter(year=2026)}
    assert set(incremental) <= set(full)
    for unit_id, data in incremental.items():
        assert np.array_equal(np.frombuffer(data), np.frombuffer(full[unit_id]), equal_nan=True), (
            unit_id
        )
    assert county.pk in full


def test_a_change_recomputes_only_the_units_above_it(personas, october):
    seed(personas.county)
    before = {c.orgunit.code: c.computed_at for c in RollupCube.objects.select_related("orgunit")}
    with time_machine.travel(dt.datetime(2026, 10, 3, 12, tzinfo=SHANGHAI), tick=True):
        import_values(
            acting_user=personas.county,
            data=csv_for([("deaths", "202601", "331003001001", 2)]),
            kind="csv",
        )
    after = {c.orgunit.code: c.computed_at for c in RollupCube.objects.select_related("orgunit")}
    touched = {code for code in after if after[code] != before.get(code)}
    assert touched == {"331003001001", "331003001", "331003", "3310", "33"}


def test_report_timeliness_counts_reports_submitted_by_the_due_date(personas, catalog):
    from tests.reporting.conftest import full_form

    with time_machine.travel(dt.datetime(2026, 10, 4, 9, tzinfo=SHANGHAI), tick=True):
        personas.client(personas.village).post(
            "/reporting/village_monthly/202609/331003006200/submit/", full_form()
        )
    with time_machine.travel(dt.datetime(2026, 10, 9, 9, tzinfo=SHANGHAI), tick=True):
        recompute_year(year=2026)
        result = query(
            personas.county, "report_timeliness;report_expected", "202609", "331003006;331003"
        )
    assert result.value("report_expected", "202609", "331003006") == 3
    assert result.value("report_timeliness", "202609", "331003006") == pytest.approx(100 / 3)
    assert result.value("report_timeliness", "202609", "331003") == pytest.approx(100 / 5)


def test_a_changed_catalogue_marks_results_stale_until_recomputed(personas, october):
    seed(personas.county)
    assert not query(personas.county, "srb", "202601", "331003").stale
    Indicator.objects.filter(code="srb").update(denominator="#{births_female} + 0")
    assert query(personas.county, "srb", "202601", "331003").stale
    recompute_year(year=2026)
    assert not query(personas.county, "srb", "202601", "331003").stale


def test_the_command_recomputes_a_year_and_says_how_long_it_took(personas, october, capsys):
    seed(personas.county)
    call_command("rollup", "--year", "2026", "--scope", "331003006")
    out = capsys.readouterr().out
    assert "2026年 澄江街道：4个单位" in out and "用时" in out
    assert RollupRun.objects.filter(kind="full", scope__code="331003006").exists()


def test_stored_cubes_decode_with_their_layout(personas, october):
    seed(personas.county)
    cubes = read_cubes([OrgUnit.objects.get(code="331003").pk], 2026)
    cube = next(iter(cubes.values()))
    assert cube.data.shape == (28, cube.layout.n_slots)


@pytest.mark.django_db(transaction=True)
def test_the_recompute_job_runs_in_the_worker(personas, october):
    from renkou.jobs.models import Job

    seed(personas.county)
    RollupCube.objects.all().delete()
    personas.client(personas.county).post("/reporting/analysis/recompute/", {"year": "2026"})
    call_command("worker", "--batch")
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.message
    assert "2026年" in job.message
    assert RollupCube.objects.filter(year=2026, orgunit__code="331003").exists()
