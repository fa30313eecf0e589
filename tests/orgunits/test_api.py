from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkou.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_list_returns_the_users_subtree_paged(personas):
    client = personas.client(personas.county)
    body = client.get("/api/v1/orgunits", {"page_size": 3}).json()
    assert body["count"] == 10  # 黄岩区 and everything under it in the fixture
    assert [item["code"] for item in body["items"]] == ["331003", "331003001", "331003001001"]
    second = client.get("/api/v1/orgunits", {"page_size": 3, "page": 2}).json()
    assert second["items"][0]["code"] == "331003001002"


def test_list_filters_by_name_level_and_subtree(personas):
    client = personas.client(personas.county)
    villages = client.get("/api/v1/orgunits", {"level": 5, "under": "331003006"}).json()
    assert {i["code"] for i in villages["items"]} == {
        "331003006200",
        "331003006204",
        "331003006208",
    }
    named = client.get("/api/v1/orgunits", {"q": "横屋"}).json()
    assert [i["name"] for i in named["items"]] == ["横屋村委会"]


def test_the_township_officer_lists_only_its_own_units(personas):
    body = personas.client(personas.chengjiang).get("/api/v1/orgunits").json()
    assert {i["code"] for i in body["items"]} == {
        "331003006",
        "331003006200",
        "331003006204",
        "331003006208",
    }


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orgunits/331003001",
        "/api/v1/orgunits/331003001/children",
        "/api/v1/orgunits/331003",
        "/api/v1/orgunits?under=331003001",
    ],
)
def test_an_outsider_gets_404_from_every_endpoint(personas, url):
    response = personas.client(personas.chengjiang).get(url)
    assert response.status_code == 404
    assert "管辖范围" in response.json()["detail"]


def test_detail_and_children(personas):
    client = personas.client(personas.chengjiang)
    detail = client.get("/api/v1/orgunits/331003006").json()
    assert detail["name"] == "澄江街道"
    assert detail["path"] == ["33", "3310", "331003", "331003006"]
    assert detail["child_count"] == 3
    assert detail["counts_by_level"] == {"乡镇/街道": 1, "村/居委会": 3}
    children = client.get("/api/v1/orgunits/331003006/children").json()
    assert [c["code"] for c in children] == ["331003006200", "331003006204", "331003006208"]


def test_control_characters_in_a_search_do_not_fail(personas):
    response = personas.client(personas.county).get("/api/v1/orgunits", {"q": "横屋\x00"})
    assert response.status_code == 200
    assert [i["name"] for i in response.json()["items"]] == ["横屋村委会"]


def test_bad_parameters_get_422_with_chinese_detail(personas):
    client = personas.client(personas.county)
    for params in [{"page": 0}, {"page_size": 5000}, {"level": 9}, {"under": "abc"}, {"page": "x"}]:
        response = client.get("/api/v1/orgunits", params)
        assert response.status_code == 422, params
        assert response.json()["detail"] == "请求参数有误。"


def test_anonymous_requests_are_refused(client, units):
    assert client.get("/api/v1/orgunits").status_code == 401


def test_the_list_endpoint_runs_a_fixed_number_of_queries(personas):
    client = personas.client(personas.county)
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/orgunits")
    parent = OrgUnit.objects.get(code="331003006")
    for n in range(25):
        OrgUnit.objects.create(
            code=f"331003006{500 + n}",
            name=f"新村{n}",
            level=5,
            parent=parent,
            path=f"{parent.path}331003006{500 + n}/",
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/api/v1/orgunits")
    assert len(after) == len(before)


def test_openapi_is_published(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgunits" in spec["paths"]
    assert "/api/v1/orgunits/{code}" in spec["paths"]
