"""The target pages: who may see and change what, and what the pages show."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.audit.models import AuditEvent
from renkou.contracts import selectors as contract_selectors
from renkou.orgunits.models import OrgUnit
from renkou.targets.actions import do_set_target
from renkou.targets.models import Target
from tests.targets.conftest import TOWNSHIP

pytestmark = pytest.mark.django_db


@pytest.fixture
def township_target(personas, catalog) -> Target:
    return do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code=TOWNSHIP),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(100),
    )


@pytest.fixture
def outside_target(personas, catalog) -> Target:
    return do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code="331003001"),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(50),
    )


def status(personas, who: str, url: str, method: str = "get", data=None) -> int:
    client = personas.client(getattr(personas, who))
    response = getattr(client, method)(url, data or {})
    return int(response.status_code)


def test_read_pages_refuse_outsiders_and_admin_roles(personas, township_target):
    pk = township_target.pk
    for url in (
        f"/targets/?unit={TOWNSHIP}&year=2026",
        f"/targets/unit/{TOWNSHIP}/?year=2026",
        f"/targets/target/{pk}/",
        f"/api/v1/targets/{TOWNSHIP}?year=2026",
        f"/api/v1/targets/{TOWNSHIP}/progress?year=2026",
    ):
        assert status(personas, "county", url) == 200, url
        assert status(personas, "leader", url) == 200, url
        assert status(personas, "chengjiang", url) == 200, url
        assert status(personas, "dongcheng", url) == 404, url
        assert status(personas, "sysadmin", url) == 403, url
        assert status(personas, "norole", url) == 403, url


def test_a_village_sees_its_own_targets_but_not_its_neighbours(personas, catalog):
    assert status(personas, "village", "/targets/unit/331003006200/") == 200
    assert status(personas, "village", "/targets/unit/331003006204/") == 404
    assert status(personas, "village", "/targets/unit/331003006/") == 404
    # The board of a village is its own page.
    response = personas.client(personas.village).get("/targets/")
    assert response.status_code == 302
    assert response["Location"].startswith("/targets/unit/331003006200/")


def test_write_pages_refuse_outsiders_wrong_roles_and_the_unit_itself(
    personas, township_target, outside_target
):
    pk = township_target.pk
    new_village = "/targets/unit/331003006200/new/?year=2026"
    assert status(personas, "chengjiang", new_village) == 200
    assert status(personas, "county", new_village) == 200
    assert status(personas, "leader", new_village) == 403
    assert status(personas, "village", new_village) == 403
    assert status(personas, "dongcheng", new_village) == 404
    # A township's own target comes from the county.
    assert status(personas, "chengjiang", f"/targets/unit/{TOWNSHIP}/new/") == 403
    cascade = f"/targets/target/{pk}/cascade/"
    assert status(personas, "chengjiang", cascade) == 200
    assert status(personas, "leader", cascade) == 403
    assert status(personas, "village", cascade) == 403
    assert status(personas, "dongcheng", cascade) == 404
    assert status(personas, "chengjiang", f"/targets/target/{outside_target.pk}/cascade/") == 404
    excel = f"/targets/unit/{TOWNSHIP}/excel/?year=2026"
    assert status(personas, "chengjiang", excel) == 200
    assert status(personas, "leader", excel) == 403
    assert status(personas, "dongcheng", excel) == 404
    assert status(personas, "leader", "/targets/excel/upload/") == 403
    # The leader reads a target but cannot change it.
    data = {"kind": "count", "direction": "at_least", "value": "1", "code": "births"}
    assert status(personas, "leader", f"/targets/target/{pk}/", "post", data) == 403
    assert status(personas, "chengjiang", f"/targets/target/{pk}/", "post", data) == 403
    assert Target.objects.get(pk=pk).value == Decimal(100)


def test_setting_a_target_on_the_page(personas, catalog):
    client = personas.client(personas.chengjiang)
    response = client.post(
        "/targets/unit/331003006200/new/?year=2026",
        {"code": "srb", "kind": "rate", "direction": "within", "low": "103", "high": "107"},
    )
    target = Target.objects.get(orgunit__code="331003006200", code="srb")
    assert response.status_code == 302
    assert (target.low, target.high, target.year) == (Decimal(103), Decimal(107), 2026)
    page = client.get(f"/targets/target/{target.pk}/").content.decode()
    assert "103–107" in page
    assert AuditEvent.objects.filter(
        action="targets.set_target", actor=personas.chengjiang
    ).exists()


def test_bad_input_shows_a_message_and_changes_nothing(personas, catalog):
    client = personas.client(personas.county)
    response = client.post(
        "/targets/unit/331003006200/new/?year=2026",
        {"code": "births", "kind": "count", "direction": "at_least", "value": "12.5"},
    )
    assert response.status_code == 200
    assert "数量目标应为不小于0的整数" in response.content.decode()
    response = client.post(
        "/targets/unit/331003006200/new/?year=2026",
        {"code": "births", "kind": "count", "direction": "within", "value": "3"},
    )
    assert "下限和上限" in response.content.decode()
    response = client.get("/targets/unit/331003006200/?year=abc")
    assert response.status_code == 200
    assert not Target.objects.exists()


def test_a_change_after_the_contract_needs_a_reason_shown_in_history(
    personas, township_target, monkeypatch
):
    monkeypatch.setattr(contract_selectors, "contract_issued", lambda unit_id, year: True)
    client = personas.client(personas.county)
    url = f"/targets/target/{township_target.pk}/"
    data = {"code": "births", "kind": "count", "direction": "at_least", "value": "90"}
    response = client.post(url, data)
    assert "必须填写调整理由" in response.content.decode()
    assert Target.objects.get(pk=township_target.pk).version == 1
    response = client.post(url, {**data, "reason": "两村划归宁溪镇"}, follow=True)
    page = response.content.decode()
    assert "两村划归宁溪镇" in page
    assert "第2版" in page


def test_cascade_preview_shows_the_split_and_its_sum_then_confirms(personas, reported):
    target = do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code=TOWNSHIP),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(100),
    )
    client = personas.client(personas.chengjiang)
    url = f"/targets/target/{target.pk}/cascade/"
    page = client.get(url, {"basis": "population"}).content.decode()
    assert "2025年末常住人口" in page
    assert 'id="cascade-total"><strong>100</strong>' in page
    assert "按2025年末常住人口分解：本村1,234人，占全街道12.3%" in page
    assert not Target.objects.filter(orgunit__level=5).exists()
    response = client.post(url, {"basis": "population"})
    assert response.status_code == 302
    assert Target.objects.filter(orgunit__level=5, source="cascaded").count() == 3
    page = client.get(url, {"basis": "women_15_49"}).content.decode()
    assert "缺少育龄妇女" in page


def test_rate_cascade_with_an_adjustment(personas, catalog):
    target = do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code=TOWNSHIP),
        year=2026,
        code="report_timeliness",
        kind="rate",
        direction="at_least",
        value=Decimal(95),
    )
    village = OrgUnit.objects.get(code="331003006208")
    client = personas.client(personas.chengjiang)
    url = f"/targets/target/{target.pk}/cascade/"
    response = client.post(url, {"basis": "equal", f"adj-{village.pk}": "-5"})
    assert response.status_code == 302
    assert Target.objects.get(orgunit=village).value == Decimal(90)
    page = client.post(url, {"basis": "equal", f"adj-{village.pk}": "abc"}).content.decode()
    assert "不是有效的数字" in page


def test_the_board_colours_every_township_and_drills_down(personas, reported):
    for code, value in (("331003006", 100), ("331003001", 10)):
        do_set_target(
            acting_user=personas.county,
            orgunit=OrgUnit.objects.get(code=code),
            year=2026,
            code="births",
            kind="count",
            direction="at_least",
            value=Decimal(value),
        )
    client = personas.client(personas.county)
    page = client.get("/targets/?year=2026").content.decode()
    assert 'id="target-board"' in page
    # 澄江街道: 36 born against 40 expected → 90%, amber.
    assert "tg-cell tg-amber" in page
    assert "1–6月出生人数36人，按往年季节规律应达40人，完成90%，黄灯" in page
    # 东城街道 reported nothing.
    assert "tg-cell tg-none" in page
    assert "?unit=331003006&amp;year=2026" in page
    drill = client.get("/targets/?unit=331003006&year=2026").content.decode()
    assert "东岙里村委会" in drill


def test_the_board_query_count_does_not_grow_with_units(
    personas, reported, django_assert_max_num_queries
):
    client = personas.client(personas.county)
    with django_assert_max_num_queries(25):
        assert client.get("/targets/?year=2026").status_code == 200


def test_the_unit_page_has_a_chart_per_target(personas, reported):
    do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code="331003006200"),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(40),
    )
    page = personas.client(personas.village).get("/targets/unit/331003006200/?year=2026")
    text = page.content.decode()
    assert 'data-chart="tg-trend"' in text
    assert '"actual": [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]' in text
    assert "红灯" in text
    assert "设定目标" not in text  # a village reads its targets only


def test_the_api_lists_targets_and_progress(personas, reported):
    do_set_target(
        acting_user=personas.county,
        orgunit=OrgUnit.objects.get(code="331003006200"),
        year=2026,
        code="births",
        kind="count",
        direction="at_least",
        value=Decimal(40),
    )
    client = personas.client(personas.chengjiang)
    body = client.get("/api/v1/targets/331003006200?year=2026").json()
    assert body["targets"][0]["code"] == "births"
    assert body["targets"][0]["value"] == 40.0
    progress = client.get("/api/v1/targets/331003006200/progress?year=2026").json()
    assert progress["progress"][0]["status"] == "red"
    assert progress["progress"][0]["percent"] == 75
    assert client.get("/api/v1/targets/331003006200?year=1800").status_code == 422
