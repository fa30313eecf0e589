from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit, RegionClass

pytestmark = pytest.mark.django_db


def test_the_township_officer_sees_its_township_and_only_its_villages(personas):
    html = personas.client(personas.chengjiang).get("/org/").content.decode()
    assert "澄江街道" in html
    assert "东岙里村委会" in html and "横屋村委会" in html and "石柜岙村委会" in html
    assert "东城街道" not in html and "百花社区居委会" not in html and "黄岩区" not in html


def test_the_tree_expands_one_level_at_a_time(personas):
    client = personas.client(personas.county)
    html = client.get("/org/").content.decode()
    assert "澄江街道" in html and "东城街道" in html
    assert "东岙里村委会" not in html
    fragment = client.get("/org/331003006/children/", HTTP_HX_REQUEST="true").content.decode()
    assert "东岙里村委会" in fragment
    assert "<html" not in fragment


def test_unit_detail_shows_code_class_and_counts(personas):
    RegionClass.objects.create(code="street", name="街道")
    OrgUnit.objects.filter(code="331003006").update(region_class=RegionClass.objects.get())
    html = personas.client(personas.chengjiang).get("/org/331003006/").content.decode()
    assert "331003006" in html
    assert "街道" in html
    assert "村/居委会" in html


@pytest.mark.parametrize(
    "url",
    [
        "/org/331003001/",
        "/org/331003001001/",
        "/org/331003001/children/",
        "/org/331003/",
        "/org/331002001/",
        "/org/999999/",
    ],
)
def test_an_outsider_township_gets_404_on_every_unit_outside_it(personas, url):
    response = personas.client(personas.chengjiang).get(url)
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()


def test_search_finds_units_by_name_within_scope_only(personas):
    client = personas.client(personas.chengjiang)
    html = client.get("/org/search/", {"q": "村委会"}, HTTP_HX_REQUEST="true").content.decode()
    assert "横屋村委会" in html
    assert "百花社区居委会" not in html
    county_html = (
        personas.client(personas.county).get("/org/search/", {"q": "社区"}).content.decode()
    )
    assert "百花社区居委会" in county_html
    assert "城隍浦社区" not in county_html  # 椒江区 is outside 黄岩区


def test_search_with_odd_input_does_not_fail(personas):
    client = personas.client(personas.county)
    for q in ["%", "_", "'; drop table x; --", "x" * 500, "\x00"]:
        assert client.get("/org/search/", {"q": q}).status_code == 200


def test_editing_a_unit_is_audited_with_old_and_new_values(personas):
    RegionClass.objects.create(code="street", name="街道")
    client = personas.client(personas.sysadmin)
    response = client.post(
        "/org/331003006/edit/",
        {
            "name": "澄江街道办事处",
            "region_class": RegionClass.objects.get().pk,
            "closed_on": "",
            "successor": "",
            "reason": "更名",
        },
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="331003006")
    assert unit.name == "澄江街道办事处"
    event = AuditEvent.objects.get(action="orgunits.update")
    assert event.changes["name"] == ["澄江街道", "澄江街道办事处"]
    assert event.reason == "更名"
    assert event.org_path == unit.path


def test_merging_needs_a_date_and_a_successor_in_scope(personas):
    client = personas.client(personas.sysadmin)
    html = client.post(
        "/org/331003006204/edit/",
        {"name": "横屋村委会", "successor": "331003006200", "closed_on": "", "reason": "合并"},
    ).content.decode()
    assert "请同时填写撤销日期" in html
    html = client.post(
        "/org/331003006204/edit/",
        {
            "name": "横屋村委会",
            "successor": "331002001003",
            "closed_on": "2026-01-01",
            "reason": "合并",
        },
    ).content.decode()
    assert "不在您的管辖范围内" in html
    assert AuditEvent.objects.filter(action="orgunits.update").count() == 0
    client.post(
        "/org/331003006204/edit/",
        {
            "name": "横屋村委会",
            "successor": "331003006200",
            "closed_on": "2026-01-01",
            "reason": "合并",
        },
    )
    unit = OrgUnit.objects.get(code="331003006204")
    assert unit.successor.code == "331003006200"
    assert str(unit.closed_on) == "2026-01-01"


def test_the_tree_page_query_count_does_not_grow_with_units(personas):
    client = personas.client(personas.county)
    client.get("/org/")
    with CaptureQueriesContext(connection) as before:
        client.get("/org/")
    county = OrgUnit.objects.get(code="331003")
    for n in range(30):
        OrgUnit.objects.create(
            code=f"331003{300 + n}",
            name=f"新镇{n}",
            level=4,
            parent=county,
            path=f"{county.path}331003{300 + n}/",
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/org/")
    assert len(after) == len(before)


def test_the_detail_page_query_count_does_not_grow_with_children(personas):
    client = personas.client(personas.county)
    with CaptureQueriesContext(connection) as before:
        client.get("/org/331003006/")
    for n in range(40):
        OrgUnit.objects.create(
            code=f"331003006{400 + n}",
            name=f"新村{n}",
            level=5,
            parent=OrgUnit.objects.get(code="331003006"),
            path=f"33/3310/331003/331003006/331003006{400 + n}/",
        )
    with CaptureQueriesContext(connection) as after:
        client.get("/org/331003006/")
    assert len(after) == len(before)
