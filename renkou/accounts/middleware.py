from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from renkou.accounts.policy import pending_step
from renkou.audit.request_context import reset_current_ip, set_current_ip


def client_ip(request: HttpRequest) -> str | None:
    """The client address, believing X-Forwarded-For only for the configured proxies."""
    remote: str | None = str(request.META.get("REMOTE_ADDR") or "") or None
    hops = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    if hops > 0:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [part.strip() for part in header.split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return remote


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_current_ip(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            reset_current_ip(token)


STEP_URLS = {
    "verify": "accounts:2fa_verify",
    "enrol": "accounts:2fa_enrol",
    "password": "accounts:password_change",
}
# Pages a user may open while a step is pending (or that need no sign-in).
OPEN_PREFIXES = (
    "/static/",
    "/i18n/",
    "/healthz",
    "/accounts/login/",
    "/accounts/logout/",
    "/accounts/2fa/",
    "/accounts/password/",
    "/accounts/reauth/",
)
START_KEY = "_rk_session_started"
SEEN_KEY = "_rk_last_seen"
# The last-seen stamp is written at most this often, so a busy page does not
# rewrite the session on every request.
SEEN_RESOLUTION_SECONDS = 30


class AccountPolicyMiddleware:
    """Session timeouts (30 minutes idle, 12 hours at most), then the pending
    sign-in steps: second factor, forced password change."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired_session(request)
            if expired:
                logout(request)
                messages.warning(request, expired)
                return redirect_to_login(request.get_full_path())
            if not request.path.startswith(OPEN_PREFIXES):
                step = pending_step(request)
                if step is not None:
                    if request.path.startswith("/api/"):
                        return JsonResponse({"detail": "请先在浏览器中完成登录验证。"}, status=401)
                    return redirect(STEP_URLS[step.value])
        response = self.get_response(request)
        if not request.path.startswith("/static/"):
            # Pages carry personal data: no browser or proxy may keep a copy.
            patch_cache_control(response, no_store=True, private=True)
        return response

    def _expired_session(self, request: HttpRequest) -> str | None:
        now = time.time()
        session = request.session
        started = session.setdefault(START_KEY, now)
        seen = session.get(SEEN_KEY, now)
        if now - seen > int(settings.SESSION_IDLE_MINUTES) * 60:
            return str(
                _("超过%(n)d分钟未操作，已自动退出，请重新登录。")
                % {"n": settings.SESSION_IDLE_MINUTES}
            )
        if now - started > int(settings.SESSION_MAX_HOURS) * 3600:
            return str(_("登录已超过%(n)d小时，请重新登录。") % {"n": settings.SESSION_MAX_HOURS})
        if now - seen >= SEEN_RESOLUTION_SECONDS or SEEN_KEY not in session:
            session[SEEN_KEY] = now
        return None
