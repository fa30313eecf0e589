"""Runs: started by an action, scored by the job, shown as a league table that
equals ``renkou score`` on the stored inputs."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from renkou.assessment.actions import do_start_run
from renkou.assessment.models import Run, RunStatus, RunUnit
from renkou.audit.models import AuditEvent
from renkou.jobs.actions import run_job_now
from renkou.jobs.models import Job
from renkou.orgunits.models import OrgUnit

from .conftest import VILLAGES, make_village_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(personas, figures) -> Run:
    scheme = make_village_scheme(personas.county)
    run = do_start_run(acting_user=personas.county, scheme=scheme)
    run_job_now(run.job_id or 0)
    run.refresh_from_db()
    return run


def test_the_job_assembles_scores_and_stores_every_unit(personas, scored):
    run = scored
    assert run.status == RunStatus.SCORED
    assert run.revision == 1
    job = Job.objects.get(pk=run.job_id or 0)
    assert job.status == Job.Status.DONE
    assert job.processed == job.total == 5
    units = {u.orgunit.code: u for u in run.units.select_related("orgunit")}
    assert sorted(units) == sorted(VILLAGES)
    first = units["331003006200"]
    # births 24 of 24 → 30; registration 100% → 30; subsidies 100% → 20;
    # births 24 against 12 the year before → 20.
    assert first.total == Decimal(100)
    assert first.grade == "优秀"
    assert first.raw_inputs == first.inputs
    third = units["331003006208"]
    # births 48 of 48 → 30; registration 50%: 10 steps short × 3 → 0; subsidies 91.7 → 10;
    # births 48 against 36 → 20.
    assert third.total == Decimal(60)
    # No target for the fifth village: births item 0 and a warning.
    fifth = units["331003001002"]
    births = next(i for i in fifth.result["items"] if i["code"] == "births")
    assert births["score"] == 0
    assert any("东浦社区居委会" in w for w in run.warnings)
    assert (
        AuditEvent.objects.filter(action="assessment.start_run", object_id=str(run.pk)).count() == 1
    )


def test_a_unit_without_a_class_fails_the_run_with_a_reason(personas, figures):
    from renkou.assessment.models import Scheme

    from .conftest import VILLAGE_SCHEME

    data = {**VILLAGE_SCHEME, "classes": [{"code": "plain", "name": "平原村"}]}
    scheme = make_village_scheme(personas.county)
    Scheme.objects.filter(pk=scheme.pk).update(data=data)
    scheme.refresh_from_db()
    run = do_start_run(acting_user=personas.county, scheme=scheme)
    run_job_now(run.job_id or 0)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "地区类别" in run.message
    assert not run.units.exists()
    assert Job.objects.get(pk=run.job_id or 0).status == Job.Status.FAILED


class LeagueParser(HTMLParser):
    """Rows of the league table: unit code → {rank, total, grade}."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.unit: str | None = None
        self.cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and found.get("data-unit"):
            self.unit = found["data-unit"] or ""
            self.rows[self.unit] = {}
        elif tag == "td" and self.unit is not None:
            classes = (found.get("class") or "").split()
            self.cell = next((c[2:] for c in classes if c.startswith("r-")), None)
            if self.cell:
                self.rows[self.unit][self.cell] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.cell = None
        elif tag == "tr":
            self.unit = None

    def handle_data(self, data: str) -> None:
        if self.unit is not None and self.cell is not None:
            self.rows[self.unit][self.cell] += data.strip()


def test_scores_shown_in_the_app_equal_renkou_score_on_the_stored_inputs(
    personas, scored, tmp_path: Path
):
    run = scored
    scheme_file = tmp_path / "scheme.json"
    scheme_file.write_text(json.dumps(run.scheme_data, ensure_ascii=False), encoding="utf-8")
    units_file = tmp_path / "units.json"
    stored = [u.inputs for u in RunUnit.objects.filter(run=run).order_by("orgunit__path")]
    units_file.write_text(json.dumps({"units": stored}, ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("score", "--scheme", str(scheme_file), "--units", str(units_file), stdout=out,
                 stderr=StringIO())  # fmt: skip
    expected = json.loads(out.getvalue(), parse_float=Decimal)["results"]

    page = personas.client(personas.county).get(f"/assessment/runs/{run.pk}/")
    assert page.status_code == 200
    parser = LeagueParser()
    parser.feed(page.content.decode())
    assert len(parser.rows) == len(expected) == 5
    for result in expected:
        shown = parser.rows[result["code"]]
        assert Decimal(shown["total"]) == Decimal(str(result["total"]))
        assert shown["grade"] == result["grade"]
        assert int(shown["rank"]) == result["rank"]


def test_the_unit_page_shows_every_item_with_its_explanation(personas, scored):
    unit = RunUnit.objects.get(run=scored, orgunit__code="331003006208")
    page = personas.client(personas.county).get(f"/assessment/results/{unit.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    for item in unit.result["items"]:
        assert item["explanation"] in text
    assert "生育登记及时率" in text and "出生人数较上年" in text
    assert re.search(r'class="r-total">60<', text)


def test_the_league_filters_and_excel(personas, scored):
    client = personas.client(personas.county)
    page = client.get(f"/assessment/runs/{scored.pk}/", {"grade": "优秀"})
    parser = LeagueParser()
    parser.feed(page.content.decode())
    assert set(parser.rows) == {
        u.orgunit.code for u in scored.units.select_related("orgunit") if u.grade == "优秀"
    }
    partial = client.get(
        f"/assessment/runs/{scored.pk}/", {"part": "table", "q": "东岙"}, HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert "东岙里村委会" in partial.content.decode()
    assert "横屋村委会" not in partial.content.decode()
    import io

    from openpyxl import load_workbook

    book = client.get(f"/assessment/runs/{scored.pk}/league.xlsx")
    assert book.status_code == 200
    sheet = load_workbook(io.BytesIO(book.content)).active
    names = [row[3] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert len(names) == 5 and "东岙里村委会" in names


def test_comparison_with_last_year(personas, scored):
    """Last year's run of a scheme with the same owner and level is compared."""
    from renkou.assessment.models import Scheme

    from .conftest import VILLAGE_SCHEME

    old = Scheme.objects.create(
        owner=OrgUnit.objects.get(code="331003"), year=2024, level=5, code="hy-village",
        name="2024村考核", data=VILLAGE_SCHEME, status="active", created_by=personas.county,
    )  # fmt: skip
    last = Run.objects.create(scheme=old, year=2024, root=old.owner, scheme_data=VILLAGE_SCHEME,
                              status=RunStatus.SCORED, created_by=personas.county)  # fmt: skip
    for unit in scored.units.all():
        RunUnit.objects.create(run=last, orgunit_id=unit.orgunit_id, rank=6 - (unit.rank or 0),
                               total=Decimal(50), grade="不合格", result=unit.result)  # fmt: skip
    client = personas.client(personas.county)
    page = client.get(f"/assessment/runs/{scored.pk}/").content.decode()
    assert "上年名次" in page and "chart-changes" in page
    unit = scored.units.get(orgunit__code="331003006200")
    text = client.get(f"/assessment/results/{unit.pk}/").content.decode()
    assert "2024年：50分 · 不合格" in text
