"""Fixtures for monthly supervision: a small published checklist, an active
plan over the fixture county's four townships, and helpers to fill in and
submit inspections the way the phone page does."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from renkou.accounts.models import User
from renkou.orgunits.models import OrgUnit
from renkou.supervision import actions
from renkou.supervision.checklist_io import ChecklistData, ItemData
from renkou.supervision.files import check_upload
from renkou.supervision.models import (
    ChecklistTemplate,
    Inspection,
    Plan,
    PlanUnit,
    Team,
)
from renkou.supervision.scoring import Style

# The smallest valid files of each kind the upload check accepts.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x9a\x9b\x8f"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def item(
    code: str,
    points: str,
    style: Style,
    deduction: str,
    cap: str | None = None,
    *,
    topic: str = "登记服务",
    evidence: bool = False,
) -> ItemData:
    return ItemData(
        topic=topic,
        code=code,
        title=f"检查项{code}",
        points=Decimal(points),
        style=style,
        deduction=Decimal(deduction),
        cap=None if cap is None else Decimal(cap),
        evidence_required=evidence,
        guidance=f"{code}的评分说明",
    )


SMALL_ITEMS = (
    item("A1", "10", Style.OCCURRENCE, "2"),  # per occurrence, until nothing is left
    item("A2", "10", Style.OCCURRENCE, "0.5", "2", evidence=True),  # capped at 2
    item("B1", "5", Style.YES_NO, "5", topic="特殊家庭"),
    item("B2", "5", Style.YES_NO, "3", topic="特殊家庭"),  # a "no" costs 3 of 5
)


def checklist_data(year: int, *, level: int = 4, key: str = "township") -> ChecklistData:
    return ChecklistData(
        name="乡镇月度督查清单" if level == 4 else "村居月度督查清单",
        key=key,
        year=year,
        level=level,
        overdue_deduction=Decimal("0.5"),
        overdue_cap=Decimal("1"),
        rectify_days=15,
        items=SMALL_ITEMS,
    )


def this_month() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, today.month


def make_checklist(user: User, year: int, *, level: int = 4) -> ChecklistTemplate:
    template = actions.do_import_template(
        acting_user=user,
        owner=OrgUnit.objects.get(code="331003"),
        data=checklist_data(year, level=level, key="township" if level == 4 else "village"),
        source_name="测试",
    )
    return actions.do_publish_template(acting_user=user, template=template)


def make_plan(
    user: User,
    template: ChecklistTemplate,
    year: int,
    month: int,
    *,
    members: list[User] | None = None,
    publish: bool = True,
) -> Plan:
    plan = actions.do_create_plan(
        acting_user=user,
        root=OrgUnit.objects.get(code="331003"),
        year=year,
        month=month,
        title=f"{year}年{month}月督查",
        template=template,
        village_template=None,
        bottom_n=1,
        repeat_consecutive=3,
        repeat_total=5,
    )
    team = actions.do_add_team(
        acting_user=user, plan=plan, name="第一组", members=members or [user]
    )
    actions.do_assign_units(
        acting_user=user,
        plan=plan,
        units=[pu.unit for pu in plan.units.select_related("unit")],
        team=team,
        visit_on=None,
    )
    if publish:
        actions.do_publish_plan(acting_user=user, plan=plan)
    return plan


@dataclass
class World:
    template: ChecklistTemplate
    plan: Plan
    team: Team

    def unit(self, code: str) -> PlanUnit:
        return self.plan.units.select_related("unit", "plan", "team").get(unit__code=code)

    def item_id(self, code: str) -> int:
        return self.template.items.get(code=code).pk


@pytest.fixture
def world(personas) -> World:
    year, month = this_month()
    template = make_checklist(personas.county, year)
    plan = make_plan(personas.county, template, year, month)
    return World(template=template, plan=plan, team=plan.teams.get())


def draft(
    world: World, findings: dict[str, int | bool], **kwargs: object
) -> actions.InspectionDraft:
    """A draft as the phone sends it: counts for per-occurrence items, True for a "no"."""
    results = []
    for code, value in findings.items():
        if isinstance(value, bool):
            results.append(actions.ResultDraft(item_id=world.item_id(code), failed=value))
        else:
            results.append(
                actions.ResultDraft(
                    item_id=world.item_id(code), occurrences=value, note=f"{code}问题"
                )
            )
    return actions.InspectionDraft(results=tuple(results), **kwargs)  # type: ignore[arg-type]


def photo(name: str = "p.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def attach_photo(user: User, inspection: Inspection, code: str) -> None:
    upload = photo()
    actions.do_attach_photo(
        acting_user=user,
        inspection=inspection,
        result=inspection.results.get(item__code=code),
        upload=upload,
        checked=check_upload(upload, images_only=True),
        client_uuid=uuid.uuid4(),
    )


def inspect(
    world: World,
    user: User,
    code: str,
    findings: dict[str, int | bool],
    *,
    submit: bool = True,
) -> Inspection:
    """Start, fill in and (by default) submit the inspection of one unit."""
    inspection = actions.do_start_inspection(acting_user=user, plan_unit=world.unit(code))
    actions.do_save_inspection(
        acting_user=user, inspection=inspection, draft=draft(world, findings)
    )
    needs_photo = findings.get("A2")
    if needs_photo:
        attach_photo(user, inspection, "A2")
    if submit:
        actions.do_submit_inspection(acting_user=user, inspection=inspection)
    inspection.refresh_from_db()
    return inspection


def count_queries(client: Client, url: str) -> int:
    """Queries one page costs. Counted at once: a later request outside a
    capture resets Django's query log."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
