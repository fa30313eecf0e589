"""Monthly plans: teams, units and dates, the recorded sample, publishing."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import cast

import pytest

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.supervision import actions, sampling, selectors
from renkou.supervision.access import SupervisionError
from renkou.supervision.models import Plan, PlanStatus, PlanUnit, UnitSource
from tests.supervision.conftest import count_queries, inspect, make_checklist, make_plan, this_month

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_plan(personas, world):
    year, month = divmod(world.plan.month_index + 1, 12)
    return make_plan(personas.county, world.template, year, month + 1, publish=False)


def test_a_planner_creates_a_month_with_every_township_and_last_months_teams(personas, world):
    client = personas.client(personas.county)
    html = client.get("/supervision/plans/new/").content.decode()
    assert "乡镇（街道）督查清单" in html and world.template.name in html
    year, month = divmod(world.plan.month_index + 1, 12)
    response = client.post(
        "/supervision/plans/new/",
        {
            "year": year,
            "month": month + 1,
            "title": "",
            "template": world.template.pk,
            "bottom_n": 3,
            "repeat_consecutive": 3,
            "repeat_total": 5,
            "include_townships": "on",
            "copy_teams": "on",
        },
    )
    plan = Plan.objects.get(year=year, month=month + 1)
    assert response.status_code == 302
    assert plan.title == f"{year}年{month + 1}月人口家庭工作督查"
    assert sorted(plan.units.values_list("unit__code", flat=True)) == [
        "331003001",
        "331003006",
        "331003101",
        "331003200",
    ]
    assert plan.teams.get().name == "第一组"
    assert set(plan.units.values_list("team__name", flat=True)) == {"第一组"}
    assert (
        AuditEvent.objects.filter(action="supervision.create_plan", object_id=str(plan.pk)).count()
        == 1
    )


def test_a_second_plan_for_the_same_month_is_refused_in_chinese(personas, world):
    response = personas.client(personas.county).post(
        "/supervision/plans/new/",
        {
            "year": world.plan.year,
            "month": world.plan.month,
            "template": world.template.pk,
            "bottom_n": 3,
            "repeat_consecutive": 3,
            "repeat_total": 5,
        },
    )
    assert response.status_code == 200
    assert f"{world.plan.year}年{world.plan.month}月已有督查计划。" in response.content.decode()
    assert Plan.objects.count() == 1


def test_bad_plan_input_gets_a_message_and_writes_nothing(personas, world):
    client = personas.client(personas.county)
    before = AuditEvent.objects.count()
    for field, value, message in [
        ("month", "13", "确保该值小于或等于12"),
        ("year", "abc", "请填写四位数的年份。"),
        ("template", "999", "选择一个有效的选项"),
    ]:
        data = {
            "year": 2030,
            "month": 1,
            "template": world.template.pk,
            "bottom_n": 3,
            "repeat_consecutive": 3,
            "repeat_total": 5,
            field: value,
        }
        response = client.post("/supervision/plans/new/", data)
        assert response.status_code == 200
        assert message in response.content.decode(), field
    assert AuditEvent.objects.count() == before


def test_only_published_checklists_can_be_used(personas, world):
    draft = actions.do_copy_template(
        acting_user=personas.county, template=world.template, year=2030
    )
    with pytest.raises(SupervisionError, match="只能选用已发布的督查清单"):
        actions.do_create_plan(
            acting_user=personas.county,
            root=OrgUnit.objects.get(code="331003"),
            year=2030,
            month=1,
            title="x",
            template=draft,
            village_template=None,
            bottom_n=3,
            repeat_consecutive=3,
            repeat_total=5,
        )


def test_teams_units_and_dates_are_assigned_on_the_plan_page(personas, draft_plan):
    client = personas.client(personas.county)
    response = client.post(
        f"/supervision/plans/{draft_plan.pk}/teams/new/",
        {"name": "第二组", "members": [personas.county.pk, personas.chengjiang.pk]},
    )
    assert response.status_code == 302
    team = draft_plan.teams.get(name="第二组")
    assert set(team.members.values_list("username", flat=True)) == {"county", "chengjiang"}
    units = list(draft_plan.units.filter(unit__code__in=["331003006", "331003001"]))
    day = f"{draft_plan.year}-{draft_plan.month:02d}-09"
    client.post(
        f"/supervision/plans/{draft_plan.pk}/units/assign/",
        {"units": [u.pk for u in units], "team": team.pk, "visit_on": day},
    )
    assert {
        (u.team_id, str(u.visit_on)) for u in PlanUnit.objects.filter(pk__in=[u.pk for u in units])
    } == {(team.pk, day)}
    # A date outside the plan's month is refused.
    response = client.post(
        f"/supervision/plans/{draft_plan.pk}/units/assign/",
        {"units": [units[0].pk], "team": team.pk, "visit_on": "2001-01-01"},
        follow=True,
    )
    assert f"督查日期应在{draft_plan.month_label}内。" in response.content.decode()
    # A village named by its code is added as a targeted visit.
    client.post(f"/supervision/plans/{draft_plan.pk}/units/add/", {"codes": "331003006204"})
    assert draft_plan.units.filter(unit__code="331003006204", source=UnitSource.LISTED).exists()
    response = client.post(
        f"/supervision/plans/{draft_plan.pk}/units/add/", {"codes": "331002001003 999"}, follow=True
    )
    assert "331002001003、999" in response.content.decode()  # 椒江区 lies outside the plan


def test_team_members_must_be_inspectors_under_the_plan(personas, draft_plan):
    client = personas.client(personas.county)
    response = client.post(
        f"/supervision/plans/{draft_plan.pk}/teams/new/",
        {"name": "第三组", "members": [personas.leader.pk]},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not draft_plan.teams.filter(name="第三组").exists()


def test_a_plan_is_published_only_when_every_unit_has_a_team(personas, draft_plan):
    PlanUnit.objects.filter(plan=draft_plan, unit__code="331003101").update(team=None)
    response = personas.client(personas.county).post(
        f"/supervision/plans/{draft_plan.pk}/publish/", follow=True
    )
    assert "还有1个单位没有分配督查组：宁溪镇。" in response.content.decode()
    draft_plan.refresh_from_db()
    assert draft_plan.status == PlanStatus.DRAFT


def test_the_sample_is_drawn_with_a_recorded_seed_and_can_be_redrawn_by_anyone(
    personas, draft_plan
):
    client = personas.client(personas.county)
    response = client.post(
        f"/supervision/plans/{draft_plan.pk}/sample/",
        {"per_township": 2, "weighting": "none", "boost": "1", "seed": "20260105"},
        follow=True,
    )
    assert "已用随机种子 20260105 抽取4个村（居）。" in response.content.decode()
    draft_plan.refresh_from_db()
    drawn = dict(draft_plan.sample_record["drawn"])
    assert {k: len(v) for k, v in drawn.items()} == {
        "331003001": 2,
        "331003006": 2,
        "331003101": 0,
        "331003200": 0,
    }
    # The same seed gives the same villages, drawn by the kernel directly.
    strata = {
        code: [sampling.Candidate(c, Decimal(w)) for c, w in cands]
        for code, cands in draft_plan.sample_record["strata"].items()
    }
    assert sampling.draw(20260105, strata, 2) == drawn
    # Sampled villages follow their township's team and date.
    for pu in draft_plan.units.filter(source=UnitSource.SAMPLED).select_related("unit__parent"):
        township = draft_plan.units.get(unit=pu.unit.parent)
        assert (pu.team_id, pu.visit_on) == (township.team_id, township.visit_on)
    page = client.get(f"/supervision/plans/{draft_plan.pk}/").content.decode()
    assert "20260105" in page and "抽样方法" in page and "random.Random" in page
    verify = client.get(f"/supervision/plans/{draft_plan.pk}/sample/verify/").content.decode()
    assert "一致：用记录的种子和候选名单重新抽取" in verify
    # A second draw replaces the first and is counted and audited.
    client.post(
        f"/supervision/plans/{draft_plan.pk}/sample/",
        {"per_township": 1, "weighting": "none", "boost": "1", "seed": ""},
    )
    draft_plan.refresh_from_db()
    assert draft_plan.sample_draws == 2 and draft_plan.sample_seed is not None
    assert draft_plan.units.filter(source=UnitSource.SAMPLED).count() == 2
    assert AuditEvent.objects.filter(action="supervision.draw_sample").count() == 2


def test_the_code_printed_on_the_plan_page_redraws_the_same_sample(personas, draft_plan):
    actions.do_draw_sample(
        acting_user=personas.county,
        plan=draft_plan,
        per_township=2,
        weighting="none",
        boost=Decimal(1),
        seed=777,
    )
    html = (
        personas.client(personas.county)
        .get(f"/supervision/plans/{draft_plan.pk}/")
        .content.decode()
    )
    code = re.search(r"<pre><code>(.*?)</code></pre>", html, re.S).group(1)
    code = (
        code.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#x27;", "'")
    )
    namespace: dict[str, object] = {}
    exec(compile(code, "plan-page", "exec"), namespace)  # noqa: S102 - our own page's snippet
    record = draft_plan.sample_record
    for township, candidates in record["strata"].items():
        redraw = cast(Callable[..., list[str]], namespace["draw"])
        assert redraw(777, township, [tuple(c) for c in candidates], 2) == record["drawn"][township]


def test_a_tampered_sample_shows_as_not_matching(personas, draft_plan):
    actions.do_draw_sample(
        acting_user=personas.county,
        plan=draft_plan,
        per_township=1,
        weighting="none",
        boost=Decimal(1),
        seed=5,
    )
    sampled = draft_plan.units.get(source=UnitSource.SAMPLED, unit__parent__code="331003006")
    other = OrgUnit.objects.filter(parent__code="331003006").exclude(pk=sampled.unit_id).first()
    PlanUnit.objects.filter(pk=sampled.pk).update(unit=other)  # someone swaps a village by hand
    html = (
        personas.client(personas.county)
        .get(f"/supervision/plans/{draft_plan.pk}/sample/verify/")
        .content.decode()
    )
    assert "不一致" in html


def test_sampling_can_lean_toward_villages_with_poor_last_results(personas, world, draft_plan):
    # Last month 东岙里 lost 20 of 30 points, 横屋 nothing.
    PlanUnit.objects.create(
        plan=world.plan, unit=OrgUnit.objects.get(code="331003006200"), team=world.team
    )
    PlanUnit.objects.create(
        plan=world.plan, unit=OrgUnit.objects.get(code="331003006204"), team=world.team
    )
    for code in ["331003001", "331003006", "331003101", "331003200"]:
        inspect(world, personas.county, code, {})
    inspect(world, personas.county, "331003006200", {"A1": 5, "B1": True, "B2": True})
    inspect(world, personas.county, "331003006204", {})
    actions.do_close_plan(acting_user=personas.county, plan=world.plan)
    actions.do_draw_sample(
        acting_user=personas.county,
        plan=draft_plan,
        per_township=1,
        weighting="poor",
        boost=Decimal(2),
        seed=1,
    )
    draft_plan.refresh_from_db()
    weights = dict(map(tuple, draft_plan.sample_record["strata"]["331003006"]))
    # 1 + 2 × (30 − 12) ÷ 30 = 2.20; a perfect score or no score: 1.
    assert weights == {"331003006200": "2.20", "331003006204": "1.00", "331003006208": "1.00"}


def test_villages_named_on_the_plan_are_not_drawn_again(personas, draft_plan):
    actions.do_assign_units(
        acting_user=personas.county,
        plan=draft_plan,
        units=[OrgUnit.objects.get(code="331003006200")],
        team=None,
        visit_on=None,
    )
    actions.do_draw_sample(
        acting_user=personas.county,
        plan=draft_plan,
        per_township=5,
        weighting="none",
        boost=Decimal(1),
        seed=3,
    )
    assert sorted(draft_plan.sample_record["drawn"]["331003006"]) == [
        "331003006204",
        "331003006208",
    ]


def test_the_sample_is_locked_once_the_plan_is_published(personas, world):
    with pytest.raises(SupervisionError, match="计划已发布，不能再重新抽样"):
        actions.do_draw_sample(
            acting_user=personas.county,
            plan=world.plan,
            per_township=1,
            weighting="none",
            boost=Decimal(1),
            seed=1,
        )


def test_results_are_published_only_when_no_inspection_is_half_done(personas, world):
    inspect(world, personas.county, "331003006", {"A1": 1})
    inspect(world, personas.county, "331003001", {}, submit=False)
    client = personas.client(personas.county)
    response = client.post(f"/supervision/plans/{world.plan.pk}/close/", follow=True)
    assert "还有1份督查记录未提交" in response.content.decode()
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.ACTIVE


def test_the_plan_list_and_page_cost_the_same_queries_however_many_units(personas, world):
    client = personas.client(personas.county)
    url = f"/supervision/plans/{world.plan.pk}/"
    client.get(url)
    page_before = count_queries(client, url)
    list_before = count_queries(client, "/supervision/plans/")
    for code in ["331003006200", "331003006204", "331003006208", "331003001001"]:
        PlanUnit.objects.create(
            plan=world.plan, unit=OrgUnit.objects.get(code=code), team=world.team
        )
    inspect(world, personas.county, "331003006", {"A1": 1})
    inspect(world, personas.county, "331003006200", {})
    other = make_checklist(personas.county, 2031)
    make_plan(personas.county, other, 2031, 1)
    assert count_queries(client, url) == page_before
    assert count_queries(client, "/supervision/plans/") == list_before


def test_the_plan_form_suggests_the_next_month(personas, world):
    html = personas.client(personas.county).get("/supervision/plans/new/").content.decode()
    year, month = this_month()
    nxt = year * 12 + month
    assert f'name="month" value="{nxt % 12 + 1}"' in html


def test_selectors_list_only_the_users_plans(personas, world):
    assert list(selectors.plans_for(personas.county)) == [world.plan]
    assert list(selectors.plans_for(personas.chengjiang)) == []
