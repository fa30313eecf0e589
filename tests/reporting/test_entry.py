"""The entry form: autosave as draft, inline errors, every change audited, scope enforced."""

from __future__ import annotations

import pytest

from renkou.audit.models import AuditEvent
from renkou.catalog.models import DataElement
from renkou.reporting.models import DataValue, Report, ValueChange
from tests.reporting.conftest import OTHER_VILLAGE, OUTSIDE_VILLAGE, PERIOD, VILLAGE, full_form

pytestmark = pytest.mark.django_db

FORM = f"/reporting/village_monthly/{PERIOD}/{VILLAGE}/"


def value_of(code: str, unit: str = VILLAGE, period: str = PERIOD):
    row = DataValue.objects.filter(element__code=code, orgunit__code=unit, period=period).first()
    return None if row is None else row.value


def test_the_village_worker_opens_the_form_of_the_month(personas, october):
    html = personas.client(personas.village).get(FORM).content.decode()
    assert "东岙里村委会 · 2026年9月" in html
    assert 'inputmode="numeric"' in html and 'hx-post="/reporting/village_monthly/202609/' in html
    assert "出生人数（男）" in html and "合理范围 0–30" in html


def test_autosave_keeps_a_draft_and_answers_with_the_field(personas, october):
    client = personas.client(personas.village)
    response = client.post(
        FORM + "autosave/", {"code": "births_male", "v-births_male": "3"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert 'id="f-births_male"' in fragment and "已保存" in fragment and "<html" not in fragment
    assert value_of("births_male") == 3
    assert Report.objects.get(orgunit__code=VILLAGE).status == "draft"


def test_a_bad_value_is_explained_inline_and_not_saved(personas, october):
    client = personas.client(personas.village)
    fragment = client.post(
        FORM + "autosave/", {"code": "births_male", "v-births_male": "三"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "“三”不是数字" in fragment and 'aria-invalid="true"' in fragment
    assert value_of("births_male") is None
    fragment = client.post(
        FORM + "autosave/", {"code": "births_male", "v-births_male": "99"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "超出合理范围 0–30" in fragment
    assert not AuditEvent.objects.filter(action="reporting.save_values").exists()


def test_saving_the_whole_form_writes_nothing_if_one_value_is_bad(personas, october):
    client = personas.client(personas.village)
    response = client.post(FORM, full_form(deaths="many"))
    assert response.status_code == 400
    assert "均未保存" in response.content.decode()
    assert DataValue.objects.count() == 0


def test_every_change_is_audited_with_old_and_new_value(personas, october):
    client = personas.client(personas.village)
    assert client.post(FORM, full_form()).status_code == 302
    created = AuditEvent.objects.get(action="reporting.save_values")
    assert created.changes["births_male"] == [None, "2"]
    assert created.actor == personas.village and created.org_path.endswith("331003006200/")
    client.post(FORM + "autosave/", {"code": "births_male", "v-births_male": "5"})
    changed = AuditEvent.objects.filter(action="reporting.save_values").latest("id")
    assert changed.changes == {"births_male": ["2", "5"]}
    history = ValueChange.objects.get()
    assert (history.old_value, history.new_value) == ("2", "5")
    assert history.event_id == changed.pk
    client.post(FORM + "autosave/", {"code": "births_male", "v-births_male": ""})
    cleared = ValueChange.objects.latest("id")
    assert (cleared.old_value, cleared.new_value) == ("5", None)
    assert value_of("births_male") is None
    page = client.get(FORM + "history/").content.decode()
    assert "（清除）" in page


def test_saving_the_same_values_again_writes_nothing(personas, october):
    client = personas.client(personas.village)
    client.post(FORM, full_form())
    before = AuditEvent.objects.count()
    client.post(FORM, full_form())
    assert AuditEvent.objects.count() == before


def test_the_township_officer_may_enter_for_its_villages_but_the_leader_may_not(personas, october):
    officer = personas.client(personas.chengjiang)
    assert (
        officer.post(
            f"/reporting/village_monthly/{PERIOD}/{OTHER_VILLAGE}/autosave/",
            {"code": "deaths", "v-deaths": "1"},
        ).status_code
        == 200
    )
    leader = personas.client(personas.leader)
    assert leader.get(FORM).status_code == 200  # reading is fine
    assert leader.post(FORM + "autosave/", {"code": "deaths", "v-deaths": "2"}).status_code == 403
    assert value_of("deaths") is None


@pytest.mark.parametrize(
    "url",
    [
        f"/reporting/village_monthly/{PERIOD}/{OUTSIDE_VILLAGE}/",
        f"/reporting/village_monthly/{PERIOD}/{OUTSIDE_VILLAGE}/history/",
        "/reporting/village_monthly/202609/331003006/",  # a township does not report this set
        "/reporting/village_monthly/2026Q3/331003006200/",  # not a monthly period
        "/reporting/village_monthly/209913/331003006200/",
        "/reporting/no_such_set/202609/331003006200/",
    ],
)
def test_outside_the_scope_or_nonsense_places_are_404(personas, october, url):
    assert personas.client(personas.chengjiang).get(url).status_code == 404


@pytest.mark.parametrize("action", ["autosave/", "submit/", "review/"])
def test_an_outsider_cannot_post_to_another_townships_village(personas, october, action):
    client = personas.client(personas.dongcheng)
    response = client.post(
        f"/reporting/village_monthly/{PERIOD}/{VILLAGE}/{action}",
        {"code": "deaths", "v-deaths": "1", "decision": "approve"},
    )
    assert response.status_code == 404
    assert DataValue.objects.count() == 0


def test_administrators_see_no_reports(personas, october):
    for user in (personas.sysadmin, personas.secadmin, personas.auditadmin, personas.norole):
        assert personas.client(user).get(FORM).status_code == 403


def test_the_form_shows_last_months_value_as_a_hint(personas, october):
    DataValue.objects.create(
        element=DataElement.objects.get(code="population"),
        orgunit_id=personas.village.home_unit_id,
        period="202608",
        value=2987,
        updated_at="2026-09-03T00:00:00Z",
    )
    html = personas.client(personas.village).get(FORM).content.decode()
    assert "上期 2987" in html


def test_the_village_home_lists_recent_months(personas, october):
    html = personas.client(personas.village).get("/reporting/").content.decode()
    assert "2026年9月" in html and "2025年10月" in html
    assert "10月5日 截止" in html
    # A township officer is sent to the board instead.
    assert personas.client(personas.chengjiang).get("/reporting/").status_code == 302
