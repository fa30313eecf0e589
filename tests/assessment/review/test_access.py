"""Every page and endpoint of the review half: an outsider (东城街道) gets 404,
a role without the capability gets 403."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from renkou.assessment.actions_review import (
    do_file_appeal,
    do_propose_adjustment,
    do_publish_run,
    do_release_run,
)
from renkou.assessment.models import Adjustment, DecisionStatus
from tests.assessment.review.conftest import CHENGJIANG, VILLAGES, unit_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(township_run, village_run, personas) -> dict[str, Any]:
    adjustment = do_propose_adjustment(
        acting_user=personas.county,
        run_unit=unit_of(township_run, CHENGJIANG),
        item_code="births",
        field="target.births",
        new_value=Decimal("40"),
        reason="disaster",
        note="台风",
    )
    run = do_release_run(acting_user=personas.county, run=township_run)
    appeal = do_file_appeal(
        acting_user=personas.chengjiang,
        run_unit=unit_of(run, CHENGJIANG),
        item_code="births",
        reason="少计",
    )
    do_publish_run(acting_user=personas.chengjiang, run=village_run)
    return {
        "run": run.pk,
        "unit": unit_of(run, CHENGJIANG).pk,
        "adj": adjustment.pk,
        "appeal": appeal.pk,
        "vrun": village_run.pk,
        "village": VILLAGES[0],
    }


# (method, url, persona lacking the capability)
PAGES = [
    ("get", "/assessment/runs/{run}/review/", "auditadmin"),
    ("post", "/assessment/runs/{run}/release/", "leader"),
    ("post", "/assessment/runs/{run}/publish/", "leader"),
    ("get", "/assessment/runs/{vrun}/notice.pdf", "auditadmin"),
    ("get", "/assessment/runs/{vrun}/notice.xlsx", "auditadmin"),
    ("get", "/assessment/run-units/{unit}/review/", "auditadmin"),
    ("get", "/assessment/run-units/{unit}/adjust/", "village"),
    ("get", "/assessment/run-units/{unit}/appeal/", "county"),
    ("get", "/assessment/adjustments/{adj}/", "auditadmin"),
    ("post", "/assessment/adjustments/{adj}/decide/", "village"),
    ("get", "/assessment/adjustments/{adj}/evidence/", "auditadmin"),
    ("get", "/assessment/appeals/{appeal}/", "auditadmin"),
    ("post", "/assessment/appeals/{appeal}/decide/", "village"),
    ("get", "/assessment/appeals/{appeal}/evidence/", "auditadmin"),
    ("get", "/assessment/published/{vrun}/", "auditadmin"),
    ("get", "/assessment/pay/cadres/{village}/", "leader"),
    ("get", "/assessment/pay/runs/{vrun}/", "leader"),
    ("get", "/assessment/pay/runs/{vrun}/pay.xlsx", "leader"),
    # 东城街道 is itself assessed in the township run: the village run is not its business.
    ("get", "/api/v1/assessment/runs/{vrun}/adjustments", "auditadmin"),
    ("post", "/api/v1/assessment/run-units/{unit}/adjustments", "village"),
    ("post", "/api/v1/assessment/adjustments/{adj}/decision", "village"),
    ("get", "/api/v1/assessment/runs/{vrun}/appeals", "auditadmin"),
    ("post", "/api/v1/assessment/run-units/{unit}/appeals", "county"),
    ("post", "/api/v1/assessment/appeals/{appeal}/decision", "village"),
    ("get", "/api/v1/assessment/runs/{vrun}/pay", "leader"),
]
API_BODIES = {
    "adjustments": {
        "item": "births",
        "field": "births",
        "new_value": "45",
        "reason": "disaster",
        "note": "x",
    },
    "decision": {"approve": True, "note": "x", "upheld": False, "decision_reason": "x"},
    "appeals": {"item": "births", "reason": "x"},
}


def call(client, method: str, url: str):
    if method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        body = API_BODIES[url.rstrip("/").rsplit("/", 1)[-1]]
        return client.post(url, json.dumps(body), content_type="application/json")
    return client.post(url, {})


@pytest.mark.parametrize(("method", "url", "wrong_role"), PAGES)
def test_outsider_404_and_wrong_role_403(objects, personas, method, url, wrong_role):
    target = url.format(**objects)
    assert call(personas.client(personas.dongcheng), method, target).status_code == 404
    wrong = personas.client(getattr(personas, wrong_role))
    assert call(wrong, method, target).status_code == 403


@pytest.mark.parametrize(
    ("url", "wrong_role"),
    [
        ("/assessment/published/", "auditadmin"),
        ("/assessment/pay/", "leader"),
        ("/assessment/pay/rules/2025/", "leader"),
        ("/assessment/pay/cadres/template.xlsx", "leader"),
    ],
)
def test_lists_refuse_wrong_role(personas, url, wrong_role):
    assert personas.client(getattr(personas, wrong_role)).get(url).status_code == 403


def test_outsider_lists_show_nothing_of_others(objects, personas):
    client = personas.client(personas.dongcheng)
    assert "澄江" not in client.get("/assessment/published/").content.decode()
    pay_home = client.get("/assessment/pay/").content.decode()
    assert "东岙里" not in pay_home and "百花社区" in pay_home


def test_village_worker_cannot_appeal_township_result(objects, personas):
    # Not its unit: the village worker of 澄江街道 sees the township's result
    # only as part of its subtree, and may not appeal it.
    response = personas.client(personas.village).get(
        "/assessment/run-units/{unit}/appeal/".format(**objects)
    )
    assert response.status_code in (403, 404)


def test_api_four_eyes_and_outcome(objects, personas, reviewer):
    county = personas.client(personas.county)
    refused = county.post(
        "/api/v1/assessment/adjustments/{adj}/decision".format(**objects),
        json.dumps({"approve": True, "note": "同意"}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert "不能审核自己的提议" in refused.json()["detail"]
    done = personas.client(reviewer).post(
        "/api/v1/assessment/adjustments/{adj}/decision".format(**objects),
        json.dumps({"approve": True, "note": "属实"}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "approved"
    assert Adjustment.objects.get(pk=objects["adj"]).status == DecisionStatus.APPROVED
    mine = personas.client(personas.chengjiang).get(
        "/api/v1/assessment/runs/{run}/appeals".format(**objects)
    )
    assert mine.status_code == 200 and [a["unit"] for a in mine.json()] == [CHENGJIANG]
    pay = personas.client(personas.chengjiang).get(
        "/api/v1/assessment/runs/{vrun}/pay".format(**objects)
    )
    assert pay.status_code == 200 and len(pay.json()["villages"]) == 3


def test_assessed_unit_lists_only_its_own_appeals(objects, personas):
    mine = personas.client(personas.dongcheng).get(
        "/api/v1/assessment/runs/{run}/appeals".format(**objects)
    )
    assert mine.status_code == 200 and mine.json() == []
