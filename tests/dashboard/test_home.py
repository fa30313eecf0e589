from __future__ import annotations

import json
import re

import pytest

from renkou.accounts.actions import do_record_login_failure

pytestmark = pytest.mark.django_db


def test_the_county_home_shows_real_counts_and_a_chart_of_villages_per_township(personas):
    html = personas.client(personas.county).get("/").content.decode()
    assert "黄岩区" in html
    data = json.loads(
        re.search(
            r'<script id="chart-children" type="application/json">(.*?)</script>', html
        ).group(1)
    )
    assert dict(zip(data["labels"], data["values"], strict=True)) == {
        "东城街道": 2,
        "澄江街道": 3,
        "宁溪镇": 0,
        "屿头乡": 0,
    }
    assert '<div class="num">4</div><div class="lbl">乡镇/街道</div>' in html


def test_the_township_home_lists_its_villages(personas):
    html = personas.client(personas.chengjiang).get("/").content.decode()
    assert "澄江街道" in html and "横屋村委会" in html
    assert "百花社区居委会" not in html


def test_the_audit_admin_home_shows_todays_failed_logins(personas):
    do_record_login_failure(username="intruder")
    html = personas.client(personas.auditadmin).get("/").content.decode()
    assert "今日登录失败" in html and "intruder" in html
    assert "乡镇/街道" not in html  # no business figures for the audit admin


def test_the_security_admin_home_shows_accounts_waiting_for_a_role(personas):
    html = personas.client(personas.secadmin).get("/").content.decode()
    assert "1 个账号等待授予角色" in html


def test_pages_carry_no_inline_scripts(personas):
    for url in ["/", "/org/", "/org/331003006/", "/accounts/login/"]:
        html = personas.client(personas.county).get(url).content.decode()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert " onclick=" not in html and " onload=" not in html
        assert "cdn" not in html.lower()


def test_switching_to_english(personas):
    client = personas.client(personas.county)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Org units" in html
    assert "Sign out" in html
