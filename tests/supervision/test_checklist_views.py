"""Editing checklists on the web: drafts change, published versions do not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from renkou.audit.models import AuditEvent
from renkou.supervision.models import ChecklistItem, ChecklistTemplate, TemplateStatus

pytestmark = pytest.mark.django_db

ITEM = {
    "topic": "育儿补贴",
    "code": "C1",
    "title": "育儿补贴申领材料完整",
    "points": "10",
    "style": "occurrence",
    "deduction": "0.5",
    "cap": "5",
    "evidence_required": "on",
    "guidance": "台账不全每份扣0.5分，最多扣5分",
}


@pytest.fixture
def draft(personas) -> ChecklistTemplate:
    client = personas.client(personas.county)
    response = client.post(
        "/supervision/checklists/new/",
        {
            "name": "乡镇月度督查清单",
            "key": "township",
            "year": 2027,
            "level": 4,
            "overdue_deduction": "0.5",
            "overdue_cap": "",
            "rectify_days": 15,
        },
    )
    template = ChecklistTemplate.objects.get()
    assert response["Location"] == f"/supervision/checklists/{template.pk}/"
    return template


def test_a_planner_builds_a_checklist_item_by_item_and_publishes_it(personas, draft):
    client = personas.client(personas.county)
    assert client.post(f"/supervision/checklists/{draft.pk}/items/new/", ITEM).status_code == 302
    item = ChecklistItem.objects.get()
    assert (item.code, item.points, item.cap, item.evidence_required) == (
        "C1",
        Decimal(10),
        Decimal(5),
        True,
    )
    html = client.get(f"/supervision/checklists/{draft.pk}/").content.decode()
    assert "台账不全每份扣0.5分，最多扣5分" in html and "每处扣0.5分，最多扣5分" in html
    client.post(
        f"/supervision/checklists/{draft.pk}/items/{item.pk}/edit/", {**ITEM, "points": "12"}
    )
    item.refresh_from_db()
    assert item.points == Decimal(12)
    assert AuditEvent.objects.get(action="supervision.update_item").changes == {
        "points": ["10.00", "12.00"]
    }
    client.post(f"/supervision/checklists/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.status == TemplateStatus.PUBLISHED and draft.published_at is not None
    # Published means fixed.
    response = client.post(f"/supervision/checklists/{draft.pk}/items/new/", {**ITEM, "code": "C2"})
    assert "已发布的清单不能修改" in response.content.decode()
    response = client.post(
        f"/supervision/checklists/{draft.pk}/items/{item.pk}/delete/", follow=True
    )
    assert "已发布的清单不能修改" in response.content.decode()
    assert ChecklistItem.objects.count() == 1


BAD_ITEMS = [
    ({"cap": "0.2"}, "扣分上限不能小于每次扣分。"),
    ({"deduction": "11"}, "扣分标准不能超过本项分值。"),
    ({"style": "yes_no"}, "“是否符合”项不设扣分上限，请留空。"),
    ({"points": "abc"}, "请填写数字。"),
    ({"points": "1.234"}, "最多两位小数。"),
    ({"code": "C 1"}, "编号只能用字母、数字、点和短横线"),
    ({"style": "maybe"}, "选择一个有效的选项"),
]


def test_an_item_that_does_not_add_up_is_explained_and_not_saved(personas, draft):
    client = personas.client(personas.county)
    before = AuditEvent.objects.count()
    for change, message in BAD_ITEMS:
        response = client.post(f"/supervision/checklists/{draft.pk}/items/new/", {**ITEM, **change})
        assert response.status_code == 200
        assert message in response.content.decode(), change
    assert ChecklistItem.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_codes_are_unique_within_a_checklist(personas, draft):
    client = personas.client(personas.county)
    client.post(f"/supervision/checklists/{draft.pk}/items/new/", ITEM)
    response = client.post(f"/supervision/checklists/{draft.pk}/items/new/", ITEM)
    assert "编号 C1 已被其他检查项使用。" in response.content.decode()


def test_an_empty_checklist_cannot_be_published(personas, draft):
    response = personas.client(personas.county).post(
        f"/supervision/checklists/{draft.pk}/publish/", follow=True
    )
    assert "清单还没有检查项，不能发布。" in response.content.decode()


def test_copying_makes_the_next_version_or_next_years_first(personas, world):
    client = personas.client(personas.county)
    client.post(f"/supervision/checklists/{world.template.pk}/copy/", {"year": world.template.year})
    client.post(
        f"/supervision/checklists/{world.template.pk}/copy/", {"year": world.template.year + 1}
    )
    versions = sorted(ChecklistTemplate.objects.values_list("year", "version", "status", "key"))
    year = world.template.year
    assert versions == [
        (year, 1, "published", "township"),
        (year, 2, "draft", "township"),
        (year + 1, 1, "draft", "township"),
    ]
    copy = ChecklistTemplate.objects.get(year=year, version=2)
    assert list(copy.items.values_list("code", flat=True)) == ["A1", "A2", "B1", "B2"]
    response = client.post(
        f"/supervision/checklists/{world.template.pk}/copy/", {"year": "x"}, follow=True
    )
    assert "请填写四位数的年份。" in response.content.decode()


def test_units_read_the_checklist_they_are_scored_by(personas, world):
    for who in ["chengjiang", "village", "dongcheng", "leader"]:
        html = (
            personas.client(getattr(personas, who))
            .get(f"/supervision/checklists/{world.template.pk}/")
            .content.decode()
        )
        assert "A1的评分说明" in html and "添加检查项" not in html


def test_the_checklist_list_costs_the_same_queries_however_many(personas, world):
    from tests.supervision.conftest import count_queries, make_checklist

    client = personas.client(personas.county)
    client.get("/supervision/checklists/")
    before = count_queries(client, "/supervision/checklists/")
    for year in (2030, 2031, 2032):
        make_checklist(personas.county, year)
    assert count_queries(client, "/supervision/checklists/") == before
