"""Contract pages at desktop and phone size: the county's list, board and a
contract, the township signing its contract, and the public verification
page. They render under the strict content policy, nothing spills sideways on
a phone, and screenshots are kept for people to look at."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.utils import timezone

from renkou.assessment.models import Scheme, SchemeStatus
from renkou.contracts.demo import seed_contracts
from renkou.contracts.models import Contract, ContractStatus
from renkou.orgunits.models import Level, OrgUnit
from renkou.targets.models import Target, TargetKind
from tests.browser.conftest import DESKTOP, PHONE, shoot, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEME = Path(__file__).resolve().parents[2] / "examples" / "schemes" / "township.yaml"


def _seed(personas) -> None:
    county = OrgUnit.objects.get(code="331003")
    data = yaml.safe_load(SCHEME.read_text(encoding="utf-8"))
    Scheme.objects.create(
        owner=county,
        year=2026,
        level=Level.TOWNSHIP,
        code=data["code"],
        name=data["name"],
        data=data,
        status=SchemeStatus.ACTIVE,
        created_by=personas.county,
    )
    for unit in OrgUnit.objects.filter(parent=county):
        Target.objects.create(
            year=2026,
            orgunit=unit,
            code="births",
            kind=TargetKind.COUNT,
            value=Decimal(300 + unit.pk),
            basis="按近三年出生数测算",
            set_at=timezone.now(),
        )
    seed_contracts(lambda line: None)


def _fits(page, viewport) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], (page.url, width)


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_contract_pages_and_the_acknowledge_flow(browser, live_server, personas, size, viewport):
    _seed(personas)
    mine = Contract.objects.get(year=2026, recipient__code="331003006")

    page, problems = signed_in(browser, live_server, "county", viewport)
    for name, url in {
        "list": "/contracts/?year=2026",
        "board": "/contracts/board/?year=2026",
        "detail": f"/contracts/{mine.pk}/",
    }.items():
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None and response.status == 200, url
        _fits(page, viewport)
        shoot(page, f"contracts-{name}-{size}")
    assert problems == []
    page.close()

    page, problems = signed_in(browser, live_server, "chengjiang", viewport)
    page.goto(f"{live_server.url}/contracts/mine/")
    page.click("text=阅读并签收")
    page.wait_for_selector("#acknowledge")
    assert "出生监测数" in page.locator("main").inner_text()
    _fits(page, viewport)
    shoot(page, f"contracts-acknowledge-form-{size}")
    page.fill("#id_signer_name", "陈主任")
    page.check("#id_confirm")
    page.click("#acknowledge button[type=submit]")
    page.wait_for_selector(".msg-success")
    text = page.locator("main").inner_text()
    assert "已签收。签收人、时间和地址已记录。" in text
    assert "陈主任" in text
    _fits(page, viewport)
    shoot(page, f"contracts-acknowledged-{size}")
    assert problems == []
    page.close()
    mine.refresh_from_db()
    assert mine.status == ContractStatus.ACKNOWLEDGED
    assert mine.acknowledged_ip == "127.0.0.1"

    public = browser.new_page(viewport=viewport, locale="zh-CN")
    public.goto(f"{live_server.url}/contracts/verify/")
    public.fill("#id_code", str(mine.code).lower())
    public.click(".ct-verify-form button[type=submit]")
    public.wait_for_selector(".ct-result")
    assert "有效：平台登记的责任书" in public.locator("main").inner_text()
    _fits(public, viewport)
    shoot(public, f"contracts-verify-{size}")
    public.close()
