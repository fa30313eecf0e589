"""What each role may open, and what it may not (三员分立 included)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

# (url, personas that get 200). Everyone else signed in gets 403 (a role that
# lacks the capability) — scope refusals (404) are tested per view elsewhere.
PAGES = [
    (
        "/",
        {
            "county",
            "chengjiang",
            "village",
            "dongcheng",
            "leader",
            "sysadmin",
            "secadmin",
            "auditadmin",
            "norole",
        },
    ),
    ("/org/", {"county", "chengjiang", "village", "dongcheng", "leader", "sysadmin"}),
    ("/org/331003/", {"county", "leader", "sysadmin"}),
    ("/org/331003/edit/", {"sysadmin"}),
    ("/org/import/", {"sysadmin"}),
    ("/accounts/users/", {"sysadmin", "secadmin"}),
    ("/accounts/users/new/", {"sysadmin"}),
    ("/audit/", {"auditadmin"}),
    ("/audit/export.csv", {"auditadmin"}),
    ("/accounts/tokens/", {"county", "chengjiang", "village", "dongcheng", "leader", "sysadmin"}),
    (
        "/jobs/",
        {
            "county",
            "chengjiang",
            "village",
            "dongcheng",
            "leader",
            "sysadmin",
            "secadmin",
            "auditadmin",
            "norole",
        },
    ),
]
ROLES = [
    "county",
    "chengjiang",
    "village",
    "dongcheng",
    "leader",
    "sysadmin",
    "secadmin",
    "auditadmin",
    "norole",
]
# Below their home unit, 331003 is out of scope (404) rather than forbidden.
OUT_OF_SCOPE = {"chengjiang", "village", "dongcheng"}


@pytest.mark.parametrize(("url", "allowed"), PAGES)
def test_each_role_sees_only_what_it_may(personas, url, allowed):
    for name in ROLES:
        response = personas.client(getattr(personas, name)).get(url)
        if name in allowed:
            expected = 200
        elif url.startswith("/org/331003/") and name in OUT_OF_SCOPE and "edit" not in url:
            expected = 404
        else:
            expected = 403
        assert response.status_code == expected, (name, url, response.status_code)


def test_anonymous_visitors_are_sent_to_the_chinese_login_page(client, personas):
    home = client.get("/")
    assert home.status_code == 200
    assert "请登录" in home.content.decode()
    for url in ["/org/", "/audit/", "/accounts/users/", "/jobs/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "请登录" in page.content.decode()


def test_the_navigation_shows_each_role_only_its_links(personas):
    def nav(name):
        html = personas.client(getattr(personas, name)).get("/").content.decode()
        return {
            label
            for label in ["行政区划", "用户与角色", "导入区划", "审计日志", "API令牌"]
            if f">{label}<" in html
        }

    assert nav("county") == {"行政区划", "API令牌"}
    assert nav("sysadmin") == {"行政区划", "用户与角色", "导入区划", "API令牌"}
    assert nav("secadmin") == {"用户与角色"}
    assert nav("auditadmin") == {"审计日志"}
