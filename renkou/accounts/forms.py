from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from renkou.accounts import login_guard
from renkou.accounts.middleware import client_ip
from renkou.accounts.models import Role, User
from renkou.orgunits.models import OrgUnit


class UnitCodeField(forms.CharField):
    """A unit given by its division code, limited to a subtree chosen by the view."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("label", _("所属单位代码"))
        kwargs.setdefault("help_text", _("如 331003006（澄江街道）"))
        super().__init__(*args, **kwargs)
        self.allowed: Any = OrgUnit.objects.none()

    def clean(self, value: Any) -> OrgUnit:
        code = super().clean(value).strip()
        unit = self.allowed.filter(code=code).first()
        if unit is None:
            raise forms.ValidationError(_("单位代码不存在，或不在您的管辖范围内。"))
        return unit  # type: ignore[no-any-return]


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("登录名"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@+-]+$",
        error_messages={"invalid": _("登录名只能包含字母、数字和 _ . @ + -")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.RegexField(
        label=_("手机号"),
        max_length=20,
        required=False,
        regex=r"^[0-9+\- ]{5,20}$",
        error_messages={"invalid": _("手机号格式不正确")},
    )
    home_unit = UnitCodeField()
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, allowed_units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_unit"].allowed = allowed_units  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("该登录名已被使用。"))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.RegexField(
        help_text=_("留空则保持原号码不变"),
        label=_("手机号"),
        max_length=20,
        required=False,
        regex=r"^[0-9+\- ]{5,20}$",
        error_messages={"invalid": _("手机号格式不正确")},
    )
    home_unit = UnitCodeField()
    is_active = forms.BooleanField(label=_("启用"), required=False)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)

    def __init__(self, *args: Any, allowed_units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_unit"].allowed = allowed_units  # type: ignore[attr-defined]


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("角色"), choices=[("", _("（无角色）")), *Role.choices], required=False
    )
    reason = forms.CharField(label=_("授权依据"), max_length=200)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=60, help_text=_("如：月报导入脚本"))


class GuardedAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing locked accounts and addresses and counting failures."""

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        ip = client_ip(self.request) if self.request is not None else None
        lock = login_guard.active_lock(username, ip)
        if lock is not None:
            raise forms.ValidationError(login_guard.lock_message(lock), code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            if not username or not self.cleaned_data.get("password"):
                raise
            left = login_guard.record_failure(username, ip)
            lock = login_guard.active_lock(username, ip)
            if lock is not None:
                raise forms.ValidationError(login_guard.lock_message(lock), code="locked") from None
            raise forms.ValidationError(
                _("用户名或密码不正确。再失败%(left)d次，账号将被锁定%(minutes)d分钟。")
                % {"left": left, "minutes": settings.LOGIN_LOCK_MINUTES},
                code="invalid_login",
            ) from None


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput,
        strip=False,
        help_text=password_validation.password_validators_help_text_html,
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("当前密码不正确。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password2")
        if new and again and new != again:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        elif new:
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        value: str = self.cleaned_data["password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("密码不正确。"))
        return value


class OtpForm(forms.Form):
    token = forms.RegexField(
        label=_("验证码"),
        regex=r"^\s*[0-9a-zA-Z]{6,16}\s*$",
        max_length=20,
        error_messages={"invalid": _("请输入验证器上的6位数字，或一个备用码。")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
