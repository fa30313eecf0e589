"""Demo data: 黄岩区's responsibility contracts for 2025 and 2026.

2025: every township signed. 2026: issued to all townships at the annual
meeting; twelve have signed, the rest (澄江街道 among them, so the demo user
``chengjiang`` can sign) are pending. 澄江街道 has issued its own villages'
2026 contracts, some signed (not the demo village's, for the same reason).

Everything goes through the real actions, drafted from whatever targets and
schemes exist. PDFs are left to their first download (rendering a few dozen
documents would make seeding slow); the rendering is deterministic, so the
stored PDF is what issuing would have produced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from renkou.accounts.models import Role, User
from renkou.contracts import actions
from renkou.contracts.models import Contract, ContractStatus
from renkou.dashboard.demo import DEMO_COUNTY, DEMO_TOWNSHIP, first_village_of
from renkou.orgunits.models import Level, OrgUnit

Log = Callable[[str], None]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "建国",
    "海燕",
    "伟",
    "丽华",
    "志强",
    "秀英",
    "文军",
    "晓红",
    "国平",
    "春梅",
    "立新",
    "雪芳",
]
SIGNED_2026 = 12
DEMO_IP = "10.31.0.{n}"


def signer_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[index % len(GIVEN)]


def _signer(unit: OrgUnit, index: int) -> User:
    """The unit's head who signs in the app; a demo login exists only for the
    two demo townships, the others get an account that cannot sign in."""
    existing = (
        User.objects.filter(home_unit=unit, role__in=[Role.TOWNSHIP_OFFICER, Role.VILLAGE_WORKER])
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing
    role = Role.TOWNSHIP_OFFICER if unit.level == Level.TOWNSHIP else Role.VILLAGE_WORKER
    user = User(
        username=f"head{unit.code}", full_name=signer_name(index), role=role, home_unit=unit
    )
    user.set_unusable_password()
    user.save()
    return user


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def _issue_round(
    *,
    county_user: User | None,
    issuer: OrgUnit,
    year: int,
    sign: Callable[[int, OrgUnit], bool],
    issued_on: dt.date,
) -> tuple[int, int]:
    actions.do_draft_contracts(acting_user=county_user, issuer=issuer, year=year)
    actions.do_issue_contracts(acting_user=county_user, issuer=issuer, year=year, render=False)
    today = timezone.localdate()
    issued_on = min(issued_on, today)
    Contract.objects.filter(issuer=issuer, year=year).update(issued_at=_at(issued_on, 9))
    contracts = list(
        Contract.objects.filter(issuer=issuer, year=year, status=ContractStatus.ISSUED)
        .select_related("recipient")
        .order_by("recipient__code")
    )
    signed = 0
    for index, contract in enumerate(contracts):
        if not sign(index, contract.recipient):
            continue
        signer = _signer(contract.recipient, index)
        actions.do_acknowledge_contract(
            acting_user=signer,
            contract=contract,
            signer_name=signer.full_name or signer_name(index),
            ip=DEMO_IP.format(n=10 + index),
        )
        day = min(issued_on + dt.timedelta(days=1 + index % 9), today)
        Contract.objects.filter(pk=contract.pk).update(acknowledged_at=_at(day, 10 + index % 7))
        signed += 1
    return len(contracts), signed


@transaction.atomic
def seed_contracts(log: Log) -> None:
    county = OrgUnit.objects.filter(code=DEMO_COUNTY).first()
    township = OrgUnit.objects.filter(code=DEMO_TOWNSHIP).first()
    if county is None or township is None:
        return
    if Contract.objects.filter(issuer=county).exists():
        log("目标责任状已存在，跳过。")
        return
    county_user = User.objects.filter(username="county").first()
    township_user = User.objects.filter(username="chengjiang").first()
    demo_village = first_village_of(DEMO_TOWNSHIP)

    sent, signed = _issue_round(
        county_user=county_user,
        issuer=county,
        year=2025,
        sign=lambda _i, _u: True,
        issued_on=dt.date(2025, 1, 6),
    )
    log(f"2025年度目标责任状：下达{sent}份，签收{signed}份。")

    def sign_2026(index: int, unit: OrgUnit) -> bool:
        # Twelve townships signed; 澄江街道 is left for the demo login to sign.
        return unit.code != DEMO_TOWNSHIP and index < SIGNED_2026 + 1

    sent, signed = _issue_round(
        county_user=county_user,
        issuer=county,
        year=2026,
        sign=sign_2026,
        issued_on=dt.date(2026, 1, 5),
    )
    log(f"2026年度目标责任状：下达{sent}份，签收{signed}份，{sent - signed}份待签收。")

    sent, signed = _issue_round(
        county_user=township_user,
        issuer=township,
        year=2026,
        sign=lambda i, u: u.pk != demo_village.pk and i % 3 != 2,
        issued_on=dt.date(2026, 1, 12),
    )
    log(f"澄江街道对村（居）2026年度责任状：下达{sent}份，签收{signed}份。")
