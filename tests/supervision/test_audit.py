"""Every supervision action writes exactly one audit row naming the actor, the
action, the object and the unit; an action that changes nothing writes none."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from renkou.audit.models import AuditEvent
from renkou.orgunits.models import OrgUnit
from renkou.supervision import actions
from renkou.supervision.files import check_upload
from renkou.supervision.models import Plan, RectificationTask
from renkou.supervision.scoring import Style
from tests.supervision.conftest import World, checklist_data, draft, item, photo

pytestmark = pytest.mark.django_db


class Trail:
    def __init__(self) -> None:
        self.seen = AuditEvent.objects.count()

    def one(self, action: str, actor) -> AuditEvent:
        rows = list(AuditEvent.objects.order_by("id")[self.seen :])
        assert [r.action for r in rows] == [f"supervision.{action}"]
        self.seen += 1
        row = rows[0]
        assert row.actor == actor and row.object_type.startswith("supervision.") and row.object_id
        assert row.org_path.startswith("33/3310/331003/")
        return row

    def none(self) -> None:
        assert AuditEvent.objects.count() == self.seen


def test_every_action_writes_one_audit_row(personas):
    county, chengjiang = personas.county, personas.chengjiang
    owner = OrgUnit.objects.get(code="331003")
    trail = Trail()

    template = actions.do_import_template(
        acting_user=county, owner=owner, data=checklist_data(2026), source_name="x.yaml"
    )
    assert trail.one("import_template", county).changes["items"] == 4
    blank = actions.do_create_template(
        acting_user=county,
        owner=owner,
        key="village",
        name="村清单",
        year=2026,
        level=5,
        overdue_deduction=Decimal(0),
        overdue_cap=None,
        rectify_days=10,
    )
    trail.one("create_template", county)
    actions.do_update_template(
        acting_user=county,
        template=blank,
        name="村（居）清单",
        level=5,
        overdue_deduction=Decimal(0),
        overdue_cap=None,
        rectify_days=10,
        notes="",
    )
    assert trail.one("update_template", county).changes == {"name": ["村清单", "村（居）清单"]}
    actions.do_update_template(
        acting_user=county,
        template=blank,
        name="村（居）清单",
        level=5,
        overdue_deduction=Decimal("0.00"),
        overdue_cap=None,
        rectify_days=10,
        notes="",
    )
    trail.none()
    new = actions.do_add_item(
        acting_user=county, template=blank, data=item("V1", "10", Style.YES_NO, "10")
    )
    trail.one("add_item", county)
    actions.do_update_item(acting_user=county, item=new, data=item("V1", "20", Style.YES_NO, "10"))
    assert trail.one("update_item", county).changes == {"points": ["10.00", "20.00"]}
    actions.do_update_item(acting_user=county, item=new, data=item("V1", "20", Style.YES_NO, "10"))
    trail.none()
    actions.do_delete_item(acting_user=county, item=new)
    trail.one("delete_item", county)
    actions.do_copy_template(acting_user=county, template=template, year=2027)
    trail.one("copy_template", county)
    actions.do_publish_template(acting_user=county, template=template)
    trail.one("publish_template", county)

    today = timezone.localdate()
    plan = actions.do_create_plan(
        acting_user=county,
        root=owner,
        year=today.year,
        month=today.month,
        title="本月",
        template=template,
        village_template=None,
        bottom_n=1,
        repeat_consecutive=3,
        repeat_total=5,
    )
    assert trail.one("create_plan", county).changes["units"] == 4
    actions.do_update_plan(
        acting_user=county,
        plan=plan,
        title="本月督查",
        template=template,
        village_template=None,
        bottom_n=2,
        repeat_consecutive=3,
        repeat_total=5,
        notes="",
    )
    assert trail.one("update_plan", county).changes == {
        "title": ["本月", "本月督查"],
        "bottom_n": [1, 2],
    }
    team = actions.do_add_team(acting_user=county, plan=plan, name="一组", members=[county])
    trail.one("add_team", county)
    actions.do_update_team(acting_user=county, team=team, name="一组", members=[county, chengjiang])
    trail.one("update_team", county)
    actions.do_update_team(acting_user=county, team=team, name="一组", members=[chengjiang, county])
    trail.none()
    spare = actions.do_add_team(acting_user=county, plan=plan, name="备用", members=[county])
    trail.one("add_team", county)
    actions.do_delete_team(acting_user=county, team=spare)
    trail.one("delete_team", county)
    village = OrgUnit.objects.get(code="331003006200")
    actions.do_assign_units(
        acting_user=county, plan=plan, units=[village], team=team, visit_on=None
    )
    trail.one("assign_units", county)
    actions.do_remove_plan_unit(acting_user=county, plan_unit=plan.units.get(unit=village))
    trail.one("remove_plan_unit", county)
    actions.do_assign_units(
        acting_user=county,
        plan=plan,
        units=[pu.unit for pu in plan.units.all()],
        team=team,
        visit_on=today,
    )
    trail.one("assign_units", county)
    actions.do_draw_sample(
        acting_user=county, plan=plan, per_township=1, weighting="none", boost=Decimal(1), seed=11
    )
    assert trail.one("draw_sample", county).changes["seed"] == 11
    actions.do_publish_plan(acting_user=county, plan=plan)
    trail.one("publish_plan", county)

    world = World(template=template, plan=plan, team=team)
    plan_unit = plan.units.get(unit__code="331003006")
    inspection = actions.do_start_inspection(acting_user=county, plan_unit=plan_unit)
    trail.one("start_inspection", county)
    actions.do_save_inspection(
        acting_user=county, inspection=inspection, draft=draft(world, {"A1": 1, "A2": 1})
    )
    assert trail.one("save_inspection", county).changes["items"] == ["A1", "A2"]
    actions.do_save_inspection(
        acting_user=county, inspection=inspection, draft=draft(world, {"A1": 1, "A2": 1})
    )
    trail.none()
    upload = photo()
    actions.do_attach_photo(
        acting_user=county,
        inspection=inspection,
        result=inspection.results.get(item__code="A2"),
        upload=upload,
        checked=check_upload(upload),
        client_uuid=uuid.uuid4(),
    )
    assert len(trail.one("attach_photo", county).changes["sha256"]) == 64
    actions.do_submit_inspection(acting_user=county, inspection=inspection)
    assert trail.one("submit_inspection", county).changes["total"] == "27.5"
    actions.do_reopen_inspection(acting_user=county, inspection=inspection, reason="更正")
    trail.one("reopen_inspection", county)
    actions.do_submit_inspection(acting_user=county, inspection=inspection)
    trail.one("submit_inspection", county)
    # 澄江's officer is on the team above; only someone outside it speaks for the unit.
    team.members.remove(chengjiang)
    actions.do_acknowledge_inspection(
        acting_user=chengjiang, inspection=inspection, objection=False, note=""
    )
    trail.one("acknowledge_inspection", chengjiang)

    first, second = RectificationTask.objects.order_by("id")
    RectificationTask.objects.filter(pk=second.pk).delete()
    result = inspection.results.get(item__code="A2")
    actions.do_open_task(
        acting_user=county, result=result, deadline=today + dt.timedelta(days=5), description=""
    )
    trail.one("open_task", county)
    upload = photo()
    actions.do_attach_evidence(
        acting_user=chengjiang, task=first, upload=upload, checked=check_upload(upload)
    )
    trail.one("attach_evidence", chengjiang)
    actions.do_mark_task_done(acting_user=chengjiang, task=first, note="已整改")
    assert trail.one("mark_task_done", chengjiang).reason == "已整改"
    actions.do_reopen_task(
        acting_user=county, task=first, reason="不到位", deadline=today + dt.timedelta(days=3)
    )
    trail.one("reopen_task", county)
    actions.do_mark_task_done(acting_user=chengjiang, task=first, note="")
    trail.one("mark_task_done", chengjiang)
    actions.do_verify_task(acting_user=county, task=first, note="")
    trail.one("verify_task", county)

    actions.do_close_plan(acting_user=county, plan=plan)
    assert trail.one("close_plan", county).changes["status"] == ["active", "closed"]
    assert Plan.objects.get(pk=plan.pk).status == "closed"
