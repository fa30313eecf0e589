"""The analytics API and the pivot page: scoped, fixed query counts, charts and Excel."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from renkou.orgunits.models import OrgUnit
from tests.reporting.test_rollups import seed

pytestmark = pytest.mark.django_db

API = "/api/v1/analytics"


@pytest.fixture
def data(personas, october):
    seed(personas.county)


def test_children_and_levels_answer_with_values_and_metadata(personas, data):
    client = personas.client(personas.county)
    response = client.get(
        API, {"dx": "births_male;srb", "pe": "202601:202603", "ou": "331003/children"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["headers"] == ["dx", "pe", "ou", "value"]
    assert ["births_male", "202601", "331003006", 6.0] in body["rows"]
    assert {"code": "331003006", "name": "澄江街道"} in body["ou"]
    assert {"code": "202601", "name": "2026年1月"} in body["pe"]
    assert body["as_of"] and body["stale"] is False
    villages = client.get(API, {"dx": "births_male", "pe": "2026Q1", "ou": "331003/level-5"}).json()
    assert len(villages["ou"]) == 5
    ytd = client.get(API, {"dx": "births_male", "pe": "202602YTD", "ou": "331003006200"}).json()
    assert ytd["rows"] == [["births_male", "202602YTD", "331003006200", 3.0]]


def test_values_are_rounded_half_up_to_the_indicators_decimals(personas, data):
    body = (
        personas.client(personas.county)
        .get(API, {"dx": "srb", "pe": "202601", "ou": "331003006"})
        .json()
    )
    (row,) = body["rows"]
    assert row[3] == 100.0  # 6 / 6 × 100, one decimal


@pytest.mark.parametrize(
    "params",
    [
        {"dx": "births_male", "pe": "202601", "ou": "331003001"},
        {"dx": "births_male", "pe": "202601", "ou": "331003"},
        {"dx": "births_male", "pe": "202601", "ou": "331003001/children"},
        {"dx": "births_male", "pe": "202601", "ou": "331003006;331003001001"},
        {"dx": "births_male", "pe": "202601", "ou": "999999"},
    ],
)
def test_an_outsider_gets_404_for_units_outside_its_scope(personas, data, params):
    response = personas.client(personas.chengjiang).get(API, params)
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.json()["detail"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dx": "nope", "pe": "202601", "ou": "331003006"}, "没有编码为 nope"),
        ({"dx": "srb", "pe": "2026-01", "ou": "331003006"}, "期间无效"),
        ({"dx": "srb", "pe": "2026S1", "ou": "331003006"}, "半年"),
        ({"dx": "srb", "pe": "202601", "ou": "331003006/grandchildren"}, "无效"),
        ({"dx": "srb", "pe": "202612:202601", "ou": "331003006"}, "早于开始"),
        ({"dx": "srb", "pe": "202601", "ou": "331003006/level-3"}, "应不高于"),
    ],
)
def test_bad_queries_get_a_chinese_reason_not_an_error_page(personas, data, params, message):
    response = personas.client(personas.chengjiang).get(API, params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_roles_without_business_data_are_refused(personas, data):
    params = {"dx": "srb", "pe": "202601", "ou": "331003"}
    for user in (personas.sysadmin, personas.secadmin, personas.auditadmin, personas.norole):
        assert personas.client(user).get(API, params).status_code == 403


def test_the_query_count_does_not_grow_with_units_or_periods(personas, data):
    client = personas.client(personas.county)
    params = {"dx": "srb;cbr", "pe": "202601", "ou": "331003/children"}
    client.get(API, params)  # warm the layout cache
    with CaptureQueriesContext(connection) as before:
        client.get(API, params)
    township = OrgUnit.objects.get(code="331003")
    for n in range(15):
        OrgUnit.objects.create(
            code=f"331003{400 + n}",
            name=f"新镇{n}",
            level=4,
            parent=township,
            path=f"{township.path}331003{400 + n}/",
        )
    params["pe"] = "202601:202612"
    with CaptureQueriesContext(connection) as after:
        client.get(API, params)
    assert len(after) == len(before)


def chart_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="pivot-chart" type="application/json">(.*?)</script>', html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_pivot_page_shows_the_table_and_chart_data(personas, data):
    client = personas.client(personas.county)
    html = client.get(
        "/reporting/analysis/",
        {"dx": ["births_male", "srb"], "pe": "202601:202603", "unit": "331003", "mode": "children"},
    ).content.decode()
    assert "出生人数（男）" in html and "出生人口性别比" in html
    assert "男婴数 ÷ 女婴数 × 100" in html  # the definition, in one line
    chart = chart_data(html)
    assert chart["periods"] == ["2026年1月", "2026年2月", "2026年3月"]
    assert {"name": "澄江街道", "data": [6.0, 9.0, 12.0]} in chart["trend"]
    assert "数据计算于" in html


def test_the_pivot_page_defaults_to_the_users_scope(personas, data):
    html = personas.client(personas.chengjiang).get("/reporting/analysis/").content.decode()
    assert "东岙里村委会" in html and "东城街道" not in html


def test_the_pivot_exports_the_same_table_to_excel(personas, data):
    client = personas.client(personas.county)
    response = client.get(
        "/reporting/analysis/export.xlsx",
        {"dx": "births_male", "pe": "202601:202602", "ou": "331003/children"},
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert [None, "2026年1月", "2026年2月"] in rows
    assert ["澄江街道", 6, 9] in rows


def test_the_pivot_refuses_an_outsider_unit(personas, data):
    response = personas.client(personas.dongcheng).get(
        "/reporting/analysis/", {"dx": "srb", "pe": "202601", "unit": "331003006"}
    )
    assert response.status_code == 404


def test_a_bad_pivot_query_is_explained(personas, data):
    response = personas.client(personas.county).get(
        "/reporting/analysis/", {"dx": "srb", "pe": "garbage", "unit": "331003"}
    )
    assert response.status_code == 400 and "期间无效" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2.675, 2, 2.68),
        (0.05, 1, 0.1),
        (-0.05, 1, -0.1),
        (1.2345, 3, 1.235),
        (7.0, 0, 7.0),
        (12.449, 1, 12.4),
    ],
)
def test_rounding_is_half_up_as_officials_round(value, decimals, expected):
    import numpy as np

    from renkou.reporting.analytics import round_half_up

    assert round_half_up(np.array([value]), decimals)[0] == expected


def test_the_pivot_export_refuses_an_outsider_unit(personas, data):
    response = personas.client(personas.dongcheng).get(
        "/reporting/analysis/export.xlsx", {"dx": "srb", "pe": "202601", "ou": "331003006"}
    )
    assert response.status_code == 404


def test_only_the_county_may_recompute_and_it_runs_as_a_job(personas, data):
    from renkou.jobs.models import Job

    for user in (personas.chengjiang, personas.village, personas.leader, personas.sysadmin):
        response = personas.client(user).post("/reporting/analysis/recompute/", {"year": "2026"})
        assert response.status_code == 403
    response = personas.client(personas.county).post(
        "/reporting/analysis/recompute/", {"year": "2026"}
    )
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.params == {"year": 2026, "scope": "331003"}
    assert (
        personas.client(personas.county)
        .post("/reporting/analysis/recompute/", {"year": "abc"})
        .status_code
        == 404
    )
