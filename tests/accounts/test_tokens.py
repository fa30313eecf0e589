from __future__ import annotations

import re

import pytest
from django.test import Client

from renkou.accounts.models import ApiToken
from renkou.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _create(personas, user, name="脚本"):
    html = personas.client(user).post("/accounts/tokens/", {"name": name}).content.decode()
    match = re.search(r"(rk_[A-Za-z0-9_\-]{20,})", html)
    assert match, "the new token is shown once"
    return match.group(1)


def test_a_token_is_shown_once_stored_as_a_digest_and_works_for_the_api(personas):
    raw = _create(personas, personas.chengjiang)
    token = ApiToken.objects.get(user=personas.chengjiang)
    assert token.digest == ApiToken.digest_of(raw)
    assert raw not in str(list(ApiToken.objects.values()))
    assert AuditEvent.objects.filter(action="accounts.create_token").count() == 1
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["home_unit"] == "331003006"
    listing = personas.client(personas.chengjiang).get("/accounts/tokens/").content.decode()
    assert raw not in listing


def test_a_revoked_token_no_longer_works(personas):
    raw = _create(personas, personas.chengjiang)
    token = ApiToken.objects.get(user=personas.chengjiang)
    personas.client(personas.chengjiang).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEvent.objects.filter(action="accounts.revoke_token").count() == 1


def test_someone_elses_token_cannot_be_revoked(personas):
    _create(personas, personas.chengjiang)
    token = ApiToken.objects.get(user=personas.chengjiang)
    response = personas.client(personas.dongcheng).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_disabled_users_token_is_refused(personas):
    raw = _create(personas, personas.village)
    personas.village.is_active = False
    personas.village.save()
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_garbage_tokens_are_refused_in_chinese():
    for header in ["Bearer nonsense", "Bearer " + "x" * 5000, "Basic abc"]:
        response = Client().get("/api/v1/orgunits", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401
        assert "请先登录" in response.json()["detail"]
