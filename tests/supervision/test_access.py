"""Every supervision page and endpoint refuses outsiders (404) and wrong roles
(403), and a refused request changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from renkou.audit.models import AuditEvent
from renkou.supervision import actions
from renkou.supervision.files import check_upload
from renkou.supervision.models import Attachment, RectificationTask
from tests.supervision.conftest import PNG, inspect, make_plan

pytestmark = pytest.mark.django_db

OK, FORBIDDEN, MISSING = 200, 403, 404
BUSINESS = ("county", "chengjiang", "dongcheng", "village", "leader")
ADMINS = ("sysadmin", "secadmin", "auditadmin", "norole")


@pytest.fixture
def scene(personas, world):
    """A submitted 澄江 inspection with a photo and a task holding evidence, and a
    draft plan for next month with a drawn sample."""
    inspection = inspect(world, personas.county, "331003006", {"A1": 1, "A2": 2})
    task = RectificationTask.objects.filter(inspection=inspection).earliest("id")
    upload = SimpleUploadedFile("e.png", PNG, content_type="image/png")
    evidence = actions.do_attach_evidence(
        acting_user=personas.chengjiang, task=task, upload=upload, checked=check_upload(upload)
    )
    year, month = divmod(world.plan.month_index + 1, 12)
    draft_plan = make_plan(personas.county, world.template, year, month + 1, publish=False)
    actions.do_draw_sample(
        acting_user=personas.county,
        plan=draft_plan,
        per_township=1,
        weighting="none",
        boost=__import__("decimal").Decimal(1),
        seed=42,
    )
    return {
        "t": world.template.pk,
        "item": world.template.items.first().pk,
        "p": world.plan.pk,
        "d": draft_plan.pk,
        "team": world.team.pk,
        "pu": world.unit("331003006").pk,
        "i": inspection.pk,
        "task": task.pk,
        "photo": Attachment.objects.get(inspection=inspection).pk,
        "evidence": evidence.pk,
    }


def expect(**overrides: int) -> dict[str, int]:
    """Default: business roles get 200, administrators 403."""
    table = dict.fromkeys(BUSINESS, OK) | dict.fromkeys(ADMINS, FORBIDDEN)
    table.update(overrides)
    return table


PLANNER_ONLY = expect(
    chengjiang=FORBIDDEN, dongcheng=FORBIDDEN, village=FORBIDDEN, leader=FORBIDDEN
)
COUNTY_LEVEL = expect(chengjiang=MISSING, dongcheng=MISSING, village=MISSING)
CHENGJIANG_THINGS = expect(dongcheng=MISSING, village=MISSING)

PAGES = [
    ("/supervision/", expect()),
    ("/supervision/mine/", expect()),
    ("/supervision/tasks/", expect()),
    ("/supervision/results/", expect()),
    ("/supervision/checklists/", expect()),
    ("/supervision/checklists/new/", PLANNER_ONLY),
    ("/supervision/checklists/import/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/", expect()),
    ("/supervision/checklists/{t}/export.xlsx", expect()),
    ("/supervision/checklists/{t}/export.yaml", expect()),
    ("/supervision/checklists/{t}/edit/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/items/new/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/items/{item}/edit/", PLANNER_ONLY),
    ("/supervision/plans/", expect()),
    ("/supervision/plans/new/", PLANNER_ONLY),
    ("/supervision/plans/{p}/", COUNTY_LEVEL),
    ("/supervision/plans/{d}/", COUNTY_LEVEL),
    ("/supervision/plans/{p}/edit/", PLANNER_ONLY),
    ("/supervision/plans/{p}/results/", COUNTY_LEVEL),
    ("/supervision/plans/{d}/sample/verify/", COUNTY_LEVEL),
    ("/supervision/plans/{p}/teams/new/", PLANNER_ONLY),
    ("/supervision/plans/{p}/teams/{team}/edit/", PLANNER_ONLY),
    ("/supervision/inspections/{i}/", CHENGJIANG_THINGS),
    ("/supervision/tasks/{task}/", CHENGJIANG_THINGS),
    ("/supervision/files/{photo}/", CHENGJIANG_THINGS),
    ("/supervision/files/{evidence}/", CHENGJIANG_THINGS),
]

# Role first, then scope: a role without the capability is refused before the
# object is looked up, so it cannot probe which objects exist.
UNIT_SIDE = expect(
    county=FORBIDDEN, leader=FORBIDDEN, dongcheng=MISSING, village=MISSING, chengjiang=OK
)
INSPECTOR_SIDE = expect(
    chengjiang=FORBIDDEN, dongcheng=MISSING, village=FORBIDDEN, leader=FORBIDDEN
)
POSTS = [
    ("/supervision/checklists/new/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/publish/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/copy/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/items/new/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/items/{item}/edit/", PLANNER_ONLY),
    ("/supervision/checklists/{t}/items/{item}/delete/", PLANNER_ONLY),
    ("/supervision/checklists/import/", PLANNER_ONLY),
    ("/supervision/plans/new/", PLANNER_ONLY),
    ("/supervision/plans/{p}/edit/", PLANNER_ONLY),
    ("/supervision/plans/{p}/teams/new/", PLANNER_ONLY),
    ("/supervision/plans/{p}/teams/{team}/edit/", PLANNER_ONLY),
    ("/supervision/plans/{p}/teams/{team}/delete/", PLANNER_ONLY),
    ("/supervision/plans/{d}/units/add/", PLANNER_ONLY),
    ("/supervision/plans/{p}/units/assign/", PLANNER_ONLY),
    ("/supervision/plans/{d}/sample/", PLANNER_ONLY),
    ("/supervision/plans/{d}/publish/", PLANNER_ONLY),
    ("/supervision/plans/{p}/close/", PLANNER_ONLY),
    (
        "/supervision/visits/{pu}/start/",
        expect(chengjiang=MISSING, dongcheng=MISSING, village=FORBIDDEN, leader=FORBIDDEN),
    ),
    ("/supervision/inspections/{i}/acknowledge/", UNIT_SIDE),
    (
        "/supervision/inspections/{i}/reopen/",
        expect(chengjiang=FORBIDDEN, dongcheng=MISSING, village=MISSING, leader=FORBIDDEN),
    ),
    (
        "/supervision/inspections/{i}/tasks/",
        expect(chengjiang=FORBIDDEN, dongcheng=MISSING, village=MISSING, leader=FORBIDDEN),
    ),
    ("/supervision/tasks/{task}/evidence/", UNIT_SIDE),
    ("/supervision/tasks/{task}/done/", UNIT_SIDE),
    ("/supervision/tasks/{task}/verify/", INSPECTOR_SIDE),
    ("/supervision/tasks/{task}/reopen/", INSPECTOR_SIDE),
]
JSON_POSTS = [
    ("/supervision/inspections/{i}/sync/", INSPECTOR_SIDE),
    ("/supervision/inspections/{i}/photos/", INSPECTOR_SIDE),
]


def _client(personas, name: str) -> Client:
    client: Client = personas.client(getattr(personas, name))
    return client


# One test per persona, visiting every URL with one signed-in client: the
# same coverage as a test per URL, at a fraction of the set-up cost.
@pytest.mark.parametrize("persona", BUSINESS + ADMINS)
def test_every_page_refuses_outsiders_and_wrong_roles(personas, scene, persona):
    client = _client(personas, persona)
    wrong = []
    for url, table in PAGES:
        expected = table[persona]
        response = client.get(url.format(**scene))
        got = response.status_code
        if expected == OK:
            fine = got == 200 or (got == 302 and "/accounts/login/" not in response["Location"])
        else:
            fine = got == expected
        if fine and expected == MISSING:
            fine = "不在您的管辖范围内" in response.content.decode()
        if not fine:
            wrong.append((url, expected, got))
    assert wrong == []


@pytest.mark.parametrize("persona", BUSINESS + ADMINS)
def test_every_endpoint_refuses_outsiders_and_wrong_roles_and_changes_nothing(
    personas, scene, persona
):
    client = _client(personas, persona)
    before = AuditEvent.objects.count()
    wrong = []
    for url, table in POSTS + JSON_POSTS:
        expected = table[persona]
        if expected == OK:
            continue  # what the allowed role may do is tested with the action itself
        target = url.format(**scene)
        if url.endswith("/sync/"):
            response = client.post(target, data=b'{"results": []}', content_type="application/json")
        else:
            response = client.post(target, {})
        fine = response.status_code == expected
        if fine and url.endswith(("/sync/", "/photos/")):
            fine = response["Content-Type"] == "application/json" and not response.json()["ok"]
        if not fine:
            wrong.append((url, expected, response.status_code))
    assert wrong == []
    assert AuditEvent.objects.count() == before


def test_anonymous_visitors_are_sent_to_sign_in(scene):
    client = Client()
    for url, _table in PAGES + POSTS + JSON_POSTS:
        response = client.get(url.format(**scene))
        assert response.status_code in (302, 405), url
        response = client.post(url.format(**scene), {})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_get_on_an_endpoint_is_not_allowed(personas, scene):
    client = _client(personas, "county")
    for url in [
        "/supervision/plans/{p}/close/",
        "/supervision/inspections/{i}/sync/",
        "/supervision/tasks/{task}/verify/",
    ]:
        assert client.get(url.format(**scene)).status_code == 405


def test_unknown_objects_are_missing_not_errors(personas, scene):
    client = _client(personas, "county")
    for url in [
        "/supervision/checklists/999999/",
        "/supervision/plans/999999/",
        "/supervision/inspections/999999/",
        "/supervision/tasks/999999/",
        "/supervision/files/999999/",
        "/supervision/checklists/{t}/items/999999/edit/",
        "/supervision/plans/{p}/teams/999999/edit/",
    ]:
        assert client.get(url.format(**scene)).status_code == 404, url
    response = client.post(
        "/supervision/inspections/999999/sync/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["error"]
