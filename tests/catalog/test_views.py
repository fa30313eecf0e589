"""Catalogue pages: readers read, only the county changes, bad formulas are explained."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from renkou.audit.models import AuditEvent
from renkou.catalog.models import DataElement, DataSet, Indicator, ValidationRule

pytestmark = pytest.mark.django_db

PAGES = [
    "/catalog/",
    "/catalog/export.yaml",
    "/catalog/elements/births_male/",
    "/catalog/indicators/srb/",
    "/catalog/data-sets/village_monthly/",
    "/catalog/data-sets/village_monthly/rules/r_registered_30d/",
]
WRITES = [
    "/catalog/import/",
    "/catalog/elements/new/",
    "/catalog/indicators/new/",
    "/catalog/data-sets/new/",
    "/catalog/data-sets/village_monthly/rules/new/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_business_role_reads_the_catalogue(personas, default_catalog, url):
    for user in (personas.county, personas.chengjiang, personas.village, personas.dongcheng):
        assert personas.client(user).get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES + WRITES)
def test_administrators_and_accounts_without_a_role_are_refused(personas, default_catalog, url):
    for user in (personas.sysadmin, personas.secadmin, personas.auditadmin, personas.norole):
        assert personas.client(user).get(url).status_code == 403


@pytest.mark.parametrize("url", WRITES)
def test_only_the_county_opens_the_editing_pages(personas, default_catalog, url):
    assert personas.client(personas.chengjiang).get(url).status_code == 403
    assert personas.client(personas.county).get(url).status_code == 200


def test_a_township_officer_cannot_change_an_element(personas, default_catalog):
    response = personas.client(personas.chengjiang).post(
        "/catalog/elements/births_male/", {"name": "改名"}
    )
    assert response.status_code == 403
    assert DataElement.objects.get(code="births_male").name == "出生人数（男）"


def test_unknown_codes_are_404(personas, default_catalog):
    client = personas.client(personas.county)
    for url in [
        "/catalog/elements/nope/",
        "/catalog/indicators/nope/",
        "/catalog/data-sets/nope/",
        "/catalog/data-sets/village_monthly/rules/nope/",
    ]:
        assert client.get(url).status_code == 404


def test_the_county_creates_an_element_and_the_change_is_audited(personas, default_catalog):
    client = personas.client(personas.county)
    response = client.post(
        "/catalog/elements/new/",
        {
            "code": "twins",
            "name": "双胞胎出生数",
            "unit": "对",
            "value_type": "integer",
            "aggregation": "sum",
            "plausible_min": "0",
            "plausible_max": "5",
            "source": "entered",
        },
    )
    assert response.status_code == 302
    element = DataElement.objects.get(code="twins")
    assert element.plausible_max == 5
    assert AuditEvent.objects.filter(
        action="catalog.create_element", object_id=str(element.pk)
    ).exists()


def test_an_indicator_with_a_bad_formula_is_explained_and_not_saved(personas, default_catalog):
    client = personas.client(personas.county)
    html = client.post(
        "/catalog/indicators/new/",
        {
            "code": "broken",
            "name": "坏指标",
            "numerator": "#{births_male} +",
            "denominator": "#{nobody}",
            "factor": "1",
            "direction": "higher_better",
            "decimals": "1",
            "order": "0",
        },
    ).content.decode()
    assert "公式不完整" in html
    assert "公式引用了不存在的数据项：nobody" in html
    assert not Indicator.objects.filter(code="broken").exists()


def test_editing_an_indicator_records_old_and_new_formula(personas, default_catalog):
    client = personas.client(personas.county)
    indicator = Indicator.objects.get(code="srb")
    data = {
        "name": indicator.name,
        "numerator": "#{births_male}",
        "denominator": "#{births_female} + 0",
        "factor": "100",
        "unit": indicator.unit,
        "direction": "within_range",
        "range_low": "103",
        "range_high": "107",
        "decimals": "1",
        "order": "40",
        "definition": indicator.definition,
    }
    assert client.post("/catalog/indicators/srb/", data).status_code == 302
    event = AuditEvent.objects.filter(action="catalog.update_indicator").latest("id")
    assert event.changes == {"denominator": ["#{births_female}", "#{births_female} + 0"]}


def test_an_element_in_use_cannot_be_deleted(personas, default_catalog):
    client = personas.client(personas.county)
    response = client.post("/catalog/elements/births_male/delete/", follow=True)
    assert "仍被使用" in response.content.decode()
    assert DataElement.objects.filter(code="births_male").exists()


def test_a_rule_is_added_to_a_data_set(personas, default_catalog):
    client = personas.client(personas.county)
    response = client.post(
        "/catalog/data-sets/village_monthly/rules/new/",
        {
            "code": "r_deaths",
            "name": "死亡数合理",
            "left": "#{deaths}",
            "operator": "<=",
            "right": "#{population} / 10",
            "importance": "low",
            "severity": "warning",
            "message": "死亡人数异常偏多。",
        },
    )
    assert response.status_code == 302
    assert ValidationRule.objects.get(code="r_deaths").data_set.code == "village_monthly"


def test_yaml_is_uploaded_previewed_then_confirmed(personas, default_catalog):
    client = personas.client(personas.county)
    text = client.get("/catalog/export.yaml").content.decode()
    changed = text.replace("name: 村（居）人口家庭工作月报", "name: 村级月报")
    html = client.post(
        "/catalog/import/",
        {"upload": SimpleUploadedFile("c.yaml", changed.encode(), "application/yaml")},
    ).content.decode()
    assert "检查通过" in html and "修改1" in html
    assert DataSet.objects.get().name == "村（居）人口家庭工作月报"  # preview wrote nothing
    key = html.split('name="key" value="')[1].split('"')[0]
    client.post("/catalog/import/", {"key": key, "label": "c.yaml"})
    assert DataSet.objects.get().name == "村级月报"


def test_a_broken_yaml_upload_lists_its_problems_and_writes_nothing(personas, default_catalog):
    client = personas.client(personas.county)
    before = AuditEvent.objects.count()
    html = client.post(
        "/catalog/import/",
        {"upload": SimpleUploadedFile("c.yaml", b"data_elements:\n  - {code: '9', name: ''}\n")},
    ).content.decode()
    assert "未导入任何内容" in html and "data_elements[0].code" in html
    assert AuditEvent.objects.count() == before


def test_the_catalogue_page_query_count_does_not_grow_with_its_size(personas, default_catalog):
    client = personas.client(personas.county)
    with CaptureQueriesContext(connection) as before:
        client.get("/catalog/")
    for n in range(20):
        DataElement.objects.create(code=f"extra{n}", name=f"附加{n}")
        Indicator.objects.create(code=f"ind{n}", name=f"指标{n}", numerator=f"#{{extra{n}}}")
    with CaptureQueriesContext(connection) as after:
        client.get("/catalog/")
    assert len(after) == len(before)
