"""Pages and API of contracts: who sees what, and the acknowledge flow."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkou.audit.models import AuditEvent
from renkou.contracts import actions
from renkou.contracts.models import Contract, ContractStatus
from renkou.orgunits.models import OrgUnit

from .conftest import YEAR

pytestmark = pytest.mark.django_db


# --- refusals: outsiders 404, wrong roles 403 -----------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/contracts/{pk}/"),
        ("get", "/contracts/{pk}/pdf/"),
        ("post", "/contracts/{pk}/issue/"),
        ("post", "/contracts/{pk}/amend/"),
        ("post", "/contracts/{pk}/acknowledge/"),
        ("get", "/api/v1/contracts/{pk}"),
        ("post", "/api/v1/contracts/{pk}/acknowledge"),
    ],
)
def test_an_outsider_gets_404(personas, issued, method: str, url: str) -> None:
    client = personas.client(personas.dongcheng)
    path = url.format(pk=issued.pk)
    if method == "get":
        response = client.get(path)
    else:
        response = (
            client.post(path, json.dumps({"signer_name": "周"}), content_type="application/json")
            if path.startswith("/api/")
            else client.post(path, {"signer_name": "周", "confirm": "on", "reason": "x"})
        )
    assert response.status_code == 404
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/contracts/?issuer=331003006"),
        ("post", "/contracts/draft/"),
        ("post", "/contracts/issue-all/"),
    ],
)
def test_an_outsider_cannot_reach_another_townships_list(personas, drafted, method, url) -> None:
    client = personas.client(personas.dongcheng)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, {"issuer": "331003006", "year": YEAR})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "method", "url"),
    [
        ("sysadmin", "get", "/contracts/"),
        ("auditadmin", "get", "/contracts/board/"),
        ("sysadmin", "get", "/contracts/mine/"),
        ("sysadmin", "get", "/contracts/{pk}/"),
        ("secadmin", "get", "/contracts/{pk}/pdf/"),
        ("leader", "post", "/contracts/{pk}/issue/"),
        ("leader", "post", "/contracts/{pk}/amend/"),
        ("leader", "post", "/contracts/draft/"),
        ("leader", "post", "/contracts/issue-all/"),
        ("county", "post", "/contracts/{pk}/acknowledge/"),
        ("leader", "post", "/contracts/{pk}/acknowledge/"),
        ("sysadmin", "get", "/api/v1/contracts"),
        ("sysadmin", "get", "/api/v1/contracts/{pk}"),
        ("county", "post", "/api/v1/contracts/{pk}/acknowledge"),
    ],
)
def test_a_wrong_role_gets_403(personas, issued, who, method, url) -> None:
    client = personas.client(getattr(personas, who))
    path = url.format(pk=issued.pk)
    if method == "get":
        response = client.get(path)
    elif path.startswith("/api/"):
        response = client.post(
            path, json.dumps({"signer_name": "某"}), content_type="application/json"
        )
    else:
        response = client.post(
            path,
            {"issuer": "331003", "year": YEAR, "reason": "x", "signer_name": "某", "confirm": "on"},
        )
    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED
    assert Contract.objects.count() == 4


def test_the_recipient_cannot_issue_or_amend_its_own_contract(personas, issued) -> None:
    client = personas.client(personas.chengjiang)
    assert client.post(f"/contracts/{issued.pk}/amend/", {"reason": "x"}).status_code == 403
    assert client.post(f"/contracts/{issued.pk}/issue/").status_code == 403


def test_the_recipient_does_not_see_a_draft(personas, drafted) -> None:
    client = personas.client(personas.chengjiang)
    assert client.get(f"/contracts/{drafted.pk}/").status_code == 404
    listed = client.get("/api/v1/contracts").json()
    assert drafted.pk not in [row["id"] for row in listed]
    county_listed = personas.client(personas.county).get("/api/v1/contracts").json()
    assert drafted.pk in [row["id"] for row in county_listed]


def test_a_village_worker_of_another_unit_cannot_see_the_township_contract(
    personas, issued
) -> None:
    client = personas.client(personas.village)
    assert client.get(f"/contracts/{issued.pk}/").status_code == 404


# --- the issuer's pages ----------------------------------------------------------


def test_the_county_drafts_and_issues_from_the_list(personas, scheme, targets) -> None:
    client = personas.client(personas.county)
    page = client.get(f"/contracts/?year={YEAR}").content.decode()
    assert "未起草" in page
    response = client.post("/contracts/draft/", {"issuer": "331003", "year": YEAR}, follow=True)
    assert "已起草4份" in response.content.decode()
    response = client.post("/contracts/issue-all/", {"issuer": "331003", "year": YEAR}, follow=True)
    page = response.content.decode()
    assert "已下达4份责任状" in page
    assert Contract.objects.filter(status=ContractStatus.ISSUED).count() == 4


def test_the_list_page_query_count_does_not_grow_with_units(personas, issued) -> None:
    client = personas.client(personas.county)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/contracts/?year={YEAR}")
    county = OrgUnit.objects.get(code="331003")
    for n in range(5):
        OrgUnit.objects.create(
            code=f"33100399{n}",
            name=f"新镇{n}",
            level=4,
            parent=county,
            path=f"{county.path}33100399{n}/",
        )
    actions.do_draft_contracts(acting_user=personas.county, issuer=county, year=YEAR)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/contracts/?year={YEAR}")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_detail_page_shows_rules_and_versions(personas, issued) -> None:
    page = personas.client(personas.county).get(f"/contracts/{issued.pk}/").content.decode()
    assert "生育登记服务率达到95%得10分，每低0.1个百分点扣0.3分，扣完为止。" in page
    assert str(issued.code) in page
    assert "版本记录" in page
    assert "修订（起草新版本）" in page


def test_the_issuer_issues_a_single_draft(personas, drafted) -> None:
    client = personas.client(personas.county)
    response = client.post(f"/contracts/{drafted.pk}/issue/", follow=True)
    drafted.refresh_from_db()
    assert drafted.status == ContractStatus.ISSUED
    assert str(drafted.code) in response.content.decode()


def test_a_draft_pdf_is_a_preview_and_not_stored(personas, drafted) -> None:
    response = personas.client(personas.county).get(f"/contracts/{drafted.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")
    assert Contract.objects.get(pk=drafted.pk).sha256 == ""


def test_the_pdf_download_is_the_stored_file(personas, issued) -> None:
    response = personas.client(personas.chengjiang).get(f"/contracts/{issued.pk}/pdf/")
    assert b"".join(response) == bytes(Contract.objects.get(pk=issued.pk).pdf)


def test_amending_from_the_page_needs_a_reason(personas, issued) -> None:
    client = personas.client(personas.county)
    response = client.post(f"/contracts/{issued.pk}/amend/", {"reason": "  "}, follow=True)
    assert "请填写修订理由" in response.content.decode()
    assert Contract.objects.filter(recipient=issued.recipient).count() == 1
    response = client.post(f"/contracts/{issued.pk}/amend/", {"reason": "目标调整"}, follow=True)
    assert "已起草修订稿（第2版）" in response.content.decode()
    new = Contract.objects.get(recipient=issued.recipient, version=2)
    client.post(f"/contracts/{new.pk}/issue/")
    page = client.get(f"/contracts/{new.pk}/").content.decode()
    assert "已被新版本替代" in page  # the old version in the history
    old_pdf = client.get(f"/contracts/{issued.pk}/pdf/")
    assert b"".join(old_pdf) == bytes(Contract.objects.get(pk=issued.pk).pdf)


# --- the recipient ---------------------------------------------------------------


def test_the_township_acknowledges_on_the_page(personas, issued) -> None:
    client = personas.client(personas.chengjiang)
    mine = client.get("/contracts/mine/").content.decode()
    assert "阅读并签收" in mine
    page = client.get(f"/contracts/{issued.pk}/").content.decode()
    assert "我已阅知并签收" in page
    response = client.post(
        f"/contracts/{issued.pk}/acknowledge/",
        {"signer_name": "陈主任", "confirm": "on"},
        REMOTE_ADDR="192.0.2.7",
        follow=True,
    )
    assert "已签收" in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ACKNOWLEDGED
    assert issued.signer_name == "陈主任"
    assert issued.acknowledged_ip == "192.0.2.7"
    assert AuditEvent.objects.filter(action="contracts.acknowledge", ip="192.0.2.7").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [({"signer_name": "", "confirm": "on"}, "请填写签收人姓名"), ({"signer_name": "陈"}, "请勾选")],
)
def test_acknowledging_without_name_or_tick_changes_nothing(
    personas, issued, data, message
) -> None:
    client = personas.client(personas.chengjiang)
    response = client.post(f"/contracts/{issued.pk}/acknowledge/", data, follow=True)
    assert message in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == ContractStatus.ISSUED


def test_the_api_acknowledges_and_reports_a_second_try(personas, issued) -> None:
    client = personas.client(personas.chengjiang)
    url = f"/api/v1/contracts/{issued.pk}/acknowledge"
    body = json.dumps({"signer_name": "陈主任"})
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409
    assert "已经签收" in again.json()["detail"]
    empty = client.post(url, json.dumps({"signer_name": ""}), content_type="application/json")
    assert empty.status_code == 422


def test_the_api_lists_by_year(personas, issued) -> None:
    client = personas.client(personas.county)
    rows = client.get(f"/api/v1/contracts?year={YEAR}").json()
    assert {r["recipient_name"] for r in rows} >= {"澄江街道"}
    assert client.get("/api/v1/contracts?year=1999").status_code == 422
    outsider = personas.client(personas.dongcheng).get("/api/v1/contracts").json()
    assert all(r["recipient"].startswith("331003001") for r in outsider)


# --- the board -------------------------------------------------------------------


def test_the_board_lists_who_has_not_signed(personas, drafted) -> None:
    county = OrgUnit.objects.get(code="331003")
    actions.do_issue_contracts(acting_user=personas.county, issuer=county, year=YEAR)
    contract = Contract.objects.get(recipient__code="331003006")
    actions.do_acknowledge_contract(
        acting_user=personas.chengjiang, contract=contract, signer_name="陈", ip=None
    )
    page = personas.client(personas.leader).get(f"/contracts/board/?year={YEAR}").content.decode()
    assert "已签收 1 / 4" in page
    for name in ["东城街道", "宁溪镇", "屿头乡"]:
        assert name in page
    assert "0天" in page
    outsider = personas.client(personas.dongcheng).get(f"/contracts/board/?year={YEAR}")
    assert "宁溪镇" not in outsider.content.decode()


def test_a_village_worker_starts_at_its_own_contracts(personas) -> None:
    response = personas.client(personas.village).get("/contracts/")
    assert response.status_code == 302
    assert response["Location"] == "/contracts/mine/"
