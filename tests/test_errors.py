from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_form_without_its_csrf_token_gets_a_chinese_page_and_changes_nothing(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.sysadmin)
    response = client.post("/accounts/users/new/", {"username": "x", "full_name": "x"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


def test_unknown_pages_get_the_chinese_404(personas):
    response = personas.client(personas.county).get("/no-such-page/")
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_the_health_check_answers(client):
    assert client.get("/healthz").content == b"ok"


def test_an_api_body_that_is_not_json_gets_a_chinese_400(personas):
    client = personas.client(personas.chengjiang)
    response = client.post(
        "/api/v1/contracts/1/acknowledge", data=b"{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容无法解析，请提交有效的 JSON。"
