"""Every page and endpoint: an outsider gets 404, a wrong role 403."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from renkou.assessment.models import Fact, Run, RunStatus, RunUnit
from renkou.assessment.scoring_service import rescore
from renkou.orgunits.models import OrgUnit

from .conftest import VILLAGE_SCHEME, make_run, make_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_run(personas) -> Run:
    """澄江街道 assesses its own villages: 东城街道 is an outsider to all of it."""
    scheme = make_scheme("331003006", user=personas.chengjiang, level=5, code="cj-village",
                         name="澄江街道村考核", data=VILLAGE_SCHEME)  # fmt: skip
    rows = []
    for code in ("331003006200", "331003006204", "331003006208"):
        unit = OrgUnit.objects.get(code=code)
        rows.append({"code": code, "name": unit.name, "values": {"births": 20,
                     "registration_timeliness": 90, "subsidy_payment_rate": 100, "data_fraud": 0},
                     "targets": {"births": 24}, "previous": {"births": 18}})  # fmt: skip
    run = make_run(personas.chengjiang, scheme, rows)
    rescore(run)
    Fact.objects.create(year=2025, orgunit=OrgUnit.objects.get(code="331003006204"),
                        code="data_fraud", value=Decimal(0), note="核查无问题",
                        entered_by=personas.chengjiang, entered_at=timezone.now())  # fmt: skip
    return run


def urls(run: Run) -> list[tuple[str, str]]:
    scheme = run.scheme
    unit = RunUnit.objects.filter(run=run).first()
    assert unit is not None
    fact = Fact.objects.get()
    return [
        ("get", f"/assessment/schemes/{scheme.pk}/"),
        ("get", f"/assessment/schemes/{scheme.pk}/edit/"),
        ("get", f"/assessment/schemes/{scheme.pk}/replace/"),
        ("post", f"/assessment/schemes/{scheme.pk}/status/"),
        ("post", f"/assessment/schemes/{scheme.pk}/run/"),
        ("get", f"/assessment/schemes/{scheme.pk}/export.yaml"),
        ("get", f"/assessment/schemes/{scheme.pk}/export.xlsx"),
        ("get", f"/assessment/runs/{run.pk}/"),
        ("get", f"/assessment/runs/{run.pk}/league.xlsx"),
        ("get", f"/assessment/results/{unit.pk}/"),
        ("get", f"/assessment/facts/{fact.pk}/evidence/"),
        ("get", f"/api/v1/assessment/runs/{run.pk}/results"),
        ("get", f"/api/v1/assessment/results/{unit.pk}"),
    ]


def test_an_outsider_township_gets_404_everywhere(personas, township_run):
    client = personas.client(personas.dongcheng)
    for method, url in urls(township_run):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (url, response.status_code)


@pytest.mark.parametrize("persona", ["sysadmin", "auditadmin", "secadmin", "norole"])
def test_roles_without_business_access_get_403(personas, township_run, persona):
    client = personas.client(getattr(personas, persona))
    for method, url in urls(township_run):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (url, response.status_code)
    for url in ("/assessment/", "/assessment/runs/", "/assessment/facts/",
                "/assessment/schemes/new/", "/assessment/schemes/template.xlsx"):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_a_leader_reads_but_cannot_change(personas, township_run):
    client = personas.client(personas.leader)
    scheme = township_run.scheme
    # A leader sees a league table only once it is published, never a draft.
    assert client.get(f"/assessment/runs/{township_run.pk}/").status_code == 404
    Run.objects.filter(pk=township_run.pk).update(status=RunStatus.PUBLISHED)
    assert client.get(f"/assessment/runs/{township_run.pk}/").status_code == 200
    assert client.get(f"/assessment/schemes/{scheme.pk}/").status_code == 200
    assert client.get(f"/assessment/schemes/{scheme.pk}/edit/").status_code == 403
    assert client.post(f"/assessment/schemes/{scheme.pk}/run/").status_code == 403
    assert client.get("/assessment/schemes/new/").status_code == 403
    response = client.post("/assessment/facts/", {"unit": "331003006200", "year": 2025,
                           "code": "data_fraud", "value": "1", "note": "x"})  # fmt: skip
    assert response.status_code == 403


def test_a_unit_sees_its_own_result_only_once_released(personas, township_run):
    unit = RunUnit.objects.get(run=township_run, orgunit__code="331003006200")
    other = RunUnit.objects.get(run=township_run, orgunit__code="331003006204")
    client = personas.client(personas.village)
    assert client.get(f"/assessment/results/{unit.pk}/").status_code == 404
    assert client.get(f"/assessment/runs/{township_run.pk}/").status_code == 404
    Run.objects.filter(pk=township_run.pk).update(status=RunStatus.RELEASED)
    assert client.get(f"/assessment/results/{unit.pk}/").status_code == 200
    assert client.get(f"/assessment/results/{other.pk}/").status_code == 404
    assert client.get(f"/assessment/runs/{township_run.pk}/").status_code == 404
    # The village sees the rules applied to it, but cannot change them.
    scheme = township_run.scheme
    assert client.get(f"/assessment/schemes/{scheme.pk}/").status_code == 200
    assert client.get(f"/assessment/schemes/{scheme.pk}/edit/").status_code == 403


def test_a_county_scheme_is_read_only_for_the_township_it_assesses(personas):
    scheme = make_scheme(user=personas.county)
    client = personas.client(personas.chengjiang)
    assert client.get(f"/assessment/schemes/{scheme.pk}/").status_code == 200
    assert client.get(f"/assessment/schemes/{scheme.pk}/edit/").status_code == 403
    assert client.post(f"/assessment/schemes/{scheme.pk}/run/").status_code == 403


def test_facts_are_entered_only_below_ones_own_unit(personas):
    client = personas.client(personas.chengjiang)
    post = {"year": 2025, "code": "major_petition", "value": "1", "note": "村民集体上访"}
    assert client.post("/assessment/facts/", {**post, "unit": "331003006"}).status_code == 403
    assert client.post("/assessment/facts/", {**post, "unit": "331003001001"}).status_code == 404
    assert client.post("/assessment/facts/", {**post, "unit": "331003006200"}).status_code == 302
    listed = personas.client(personas.dongcheng).get("/assessment/facts/").content.decode()
    assert "村民集体上访" not in listed
    assert (
        "村民集体上访"
        in personas.client(personas.county).get("/assessment/facts/").content.decode()
    )
