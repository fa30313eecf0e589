"""Sign-in security pages: password change, re-authentication, second factor, locks."""

from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkou.accounts import actions
from renkou.accounts.access import Cap, require
from renkou.accounts.forms import OtpForm, PasswordChangeForm, PasswordForm, ReasonForm
from renkou.accounts.models import LoginLock
from renkou.accounts.policy import (
    mark_reauthenticated,
    password_expired,
    recently_authenticated,
    requires_two_factor,
)
from renkou.http import acting_user

ENROL_DEVICE_KEY = "_rk_enrol_device"


def _next(request: HttpRequest, default: str) -> str:
    target = request.GET.get("next") or request.POST.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        actions.do_change_password(acting_user=user, new_password=form.cleaned_data["new_password"])
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("dashboard:home")
    reason = ""
    if user.must_change_password:
        reason = _("首次登录或密码被重置后，须先修改密码。")
    elif password_expired(user):
        reason = _("密码已超过有效期，请修改。")
    return render(request, "accounts/password_change.html", {"form": form, "reason": reason})


@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = PasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        mark_reauthenticated(request)
        return redirect(_next(request, "accounts:2fa"))
    return render(request, "accounts/reauth.html", {"form": form, "next": _next(request, "")})


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": user_has_device(user, confirmed=True),
            "required": requires_two_factor(user),
            "backup_left": sum(
                device.token_set.count() for device in StaticDevice.objects.filter(user=user)
            ),
        },
    )


def _reauth_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(f"/accounts/reauth/?next={request.path}")


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Bind an authenticator app: scan the QR code, type a code to confirm."""
    user = acting_user(request)
    if not recently_authenticated(request):
        return _reauth_redirect(request)
    device = TOTPDevice.objects.filter(
        user=user, confirmed=False, pk=request.session.get(ENROL_DEVICE_KEY)
    ).first()
    if device is None:
        device = actions.do_start_two_factor(acting_user=user)
        request.session[ENROL_DEVICE_KEY] = device.pk
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            codes = actions.do_confirm_two_factor(acting_user=user, device=device)
            otp_login(request, device)
            request.session.pop(ENROL_DEVICE_KEY, None)
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error("token", _("验证码不正确，请核对手机时间后重试。"))
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    # What an authenticator app asks for when the QR code cannot be scanned.
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {"form": form, "qr": qr, "secret": secret_b32, "required": requires_two_factor(user)},
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in."""
    user = acting_user(request)
    if not user_has_device(user, confirmed=True):
        return redirect("accounts:2fa_enrol")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request, "dashboard:home"))
        form.add_error("token", _("验证码不正确或已使用。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@login_required
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    if not recently_authenticated(request):
        return _reauth_redirect(request)
    if requires_two_factor(user):
        messages.error(request, _("您的角色必须使用双因素认证，不能关闭；可重新绑定新的验证器。"))
        return redirect("accounts:2fa")
    actions.do_remove_two_factor(acting_user=user, user=user)
    messages.success(request, _("已关闭双因素认证。"))
    return redirect("accounts:2fa")


@login_required
def lock_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.GRANT_ROLES)
    locks = LoginLock.objects.filter(until__gt=timezone.now(), released_at__isnull=True)[:200]
    return render(request, "accounts/locks.html", {"locks": locks, "nav_active": "locks"})


@login_required
@require_POST
def lock_release(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.GRANT_ROLES)
    lock = LoginLock.objects.filter(pk=pk).first()
    if lock is None:
        raise Http404(_("没有找到该锁定记录。"))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("解锁须填写原因。"))
        return redirect("accounts:locks")
    actions.do_release_lock(acting_user=user, lock=lock, reason=form.cleaned_data["reason"])
    messages.success(request, _("已解锁：%(key)s") % {"key": lock.key})
    return redirect("accounts:locks")
