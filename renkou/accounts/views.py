from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from renkou.accounts import actions, login_guard
from renkou.accounts.access import Cap, has_capability, require, scope_q
from renkou.accounts.forms import (
    GrantRoleForm,
    GuardedAuthenticationForm,
    ReasonForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from renkou.accounts.models import ApiToken, User
from renkou.accounts.policy import mark_reauthenticated
from renkou.accounts.selectors import get_token_for_user, get_user_for_user, users_for
from renkou.http import acting_user, search_text
from renkou.orgunits.models import OrgUnit

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = GuardedAuthenticationForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        # Django's login() gives the session a new id here.
        response = super().form_valid(form)
        login_guard.record_success(form.get_user().get_username())
        mark_reauthenticated(self.request)
        actions.do_record_login(user=form.get_user())
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        actions.do_record_login_failure(username=str(form.data.get("username", "")))
        return super().form_invalid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.do_record_logout(user=request.user)
    logout(request)
    return redirect("accounts:login")


def _allowed_units(user: User) -> Any:
    return OrgUnit.objects.filter(scope_q(user))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    search = search_text(request.GET.get("q"), 50)
    page = Paginator(users_for(user, search=search), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": page,
            "q": search,
            "nav_active": "users",
            "can_manage": has_capability(user, Cap.MANAGE_USERS),
            "can_grant": has_capability(user, Cap.GRANT_ROLES),
        },
    )


@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.MANAGE_USERS)
    form = UserCreateForm(request.POST or None, allowed_units=_allowed_units(user))
    if request.method == "POST" and form.is_valid():
        created = actions.do_create_user(
            acting_user=user,
            username=form.cleaned_data["username"],
            full_name=form.cleaned_data["full_name"],
            phone=form.cleaned_data["phone"],
            home_unit=form.cleaned_data["home_unit"],
            password=form.cleaned_data["password"],
        )
        messages.success(
            request, _("已创建账号 %(name)s。角色需由安全管理员授予。") % {"name": created.username}
        )
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form, "nav_active": "users"})


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    target = get_user_for_user(user, pk, cap=Cap.MANAGE_USERS)
    initial = {
        "full_name": target.full_name,
        "home_unit": target.home_unit.code if target.home_unit else "",
        "is_active": target.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial, allowed_units=_allowed_units(user))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_user(
                acting_user=user,
                user=target,
                full_name=form.cleaned_data["full_name"],
                # A blank field keeps the number: the form never shows it in full.
                phone=form.cleaned_data["phone"] or target.phone,
                home_unit=form.cleaned_data["home_unit"],
                is_active=form.cleaned_data["is_active"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "target": target, "nav_active": "users"},
    )


@login_required
@require_POST
def user_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a user's full phone number once, for a stated reason (audited)."""
    user = acting_user(request)
    target = get_user_for_user(user, pk, cap=Cap.MANAGE_USERS)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("查看完整信息须填写原因。"))
        return redirect("accounts:user_edit", pk=target.pk)
    actions.do_record_personal_data_read(
        acting_user=user, user=target, fields=["phone"], reason=form.cleaned_data["reason"]
    )
    return render(request, "accounts/user_reveal.html", {"target": target, "nav_active": "users"})


@login_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    user = acting_user(request)
    target = get_user_for_user(user, pk, cap=Cap.GRANT_ROLES)
    form = GrantRoleForm(request.POST or None, initial={"role": target.role})
    if request.method == "POST" and request.POST.get("remove_2fa"):
        reset = ReasonForm(request.POST)
        if reset.is_valid():
            actions.do_remove_two_factor(
                acting_user=user, user=target, reason=reset.cleaned_data["reason"]
            )
            messages.success(request, _("已重置该用户的双因素认证，其下次登录时须重新绑定。"))
            return redirect("accounts:users")
        form = GrantRoleForm(initial={"role": target.role})
        messages.error(request, _("重置双因素认证须填写原因。"))
    elif request.method == "POST" and form.is_valid():
        try:
            actions.do_grant_role(
                acting_user=user,
                user=target,
                role=form.cleaned_data["role"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error("role", exc)
        else:
            messages.success(request, _("角色已更新。"))
            return redirect("accounts:users")
    return render(
        request,
        "accounts/user_role.html",
        {
            "form": form,
            "target": target,
            "nav_active": "users",
            "has_2fa": user_has_device(target, confirmed=True),
        },
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(user, Cap.USE_API_TOKENS)
    form = TokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        _token, raw_token = actions.do_create_api_token(
            acting_user=user, name=form.cleaned_data["name"]
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "raw_token": raw_token, "nav_active": "tokens"},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = acting_user(request)
    token = get_token_for_user(user, pk)
    actions.do_revoke_api_token(acting_user=user, token=token)
    messages.success(request, _("令牌已作废。"))
    return redirect("accounts:tokens")
