"""State changes of accounts, roles and API tokens. Each writes its audit row."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkou.accounts.access import ADMIN_ROLES, ROLE_LEVELS, Cap, require
from renkou.accounts.models import ApiToken, LoginLock, PasswordHistory, Role, User
from renkou.audit.actions import diff_fields, record_event, snapshot
from renkou.orgunits.models import OrgUnit

PROFILE_FIELDS = ("full_name", "phone", "home_unit_id", "is_active")
TOKEN_PREFIX = "rk_"  # noqa: S105 - a visible marker, not a secret


def _org_path(user: User) -> str:
    return user.home_unit.path if user.home_unit else ""


def check_role_fits_unit(role: str, unit: OrgUnit | None) -> None:
    """A role's home unit must be at a level where that role works."""
    if role and unit is None:
        raise ValidationError("请先为该用户设置所属单位。")
    levels = ROLE_LEVELS.get(role)
    if role and unit is not None and levels and unit.level not in levels:
        raise ValidationError(
            f"角色“{Role(role).label}”不能设在{unit.get_level_display()}级单位“{unit.name}”。"
        )


@transaction.atomic
def do_create_user(
    *,
    acting_user: User,
    username: str,
    full_name: str,
    phone: str,
    home_unit: OrgUnit,
    password: str,
) -> User:
    """A new account without a role: the security admin grants it (三员分立)."""
    require(acting_user, Cap.MANAGE_USERS)
    user = User(
        username=username,
        full_name=full_name,
        home_unit=home_unit,
        must_change_password=bool(settings.PASSWORD_CHANGE_AT_FIRST_LOGIN),
        password_changed_at=timezone.now(),
    )
    user.set_phone(phone)
    user.set_password(password)
    user.save()
    record_event(
        actor=acting_user,
        action="accounts.create_user",
        obj=user,
        org_path=home_unit.path,
        changes=diff_fields({}, snapshot(user, ("username", *PROFILE_FIELDS))),
    )
    return user


@transaction.atomic
def do_update_user(
    *,
    acting_user: User,
    user: User,
    full_name: str,
    phone: str,
    home_unit: OrgUnit,
    is_active: bool,
    reason: str = "",
) -> User:
    require(acting_user, Cap.MANAGE_USERS)
    if user.pk == acting_user.pk and not is_active:
        raise ValidationError("不能停用自己的账号。")
    if home_unit.pk != user.home_unit_id:
        check_role_fits_unit(user.role, home_unit)
    before = snapshot(user, PROFILE_FIELDS)
    user.full_name, user.home_unit, user.is_active = full_name, home_unit, is_active
    user.set_phone(phone)
    changes = diff_fields(before, snapshot(user, PROFILE_FIELDS))
    if changes:
        user.save(update_fields=["full_name", "phone", "phone_index", "home_unit", "is_active"])
        record_event(
            actor=acting_user,
            action="accounts.update_user",
            obj=user,
            org_path=_org_path(user),
            changes=changes,
            reason=reason,
        )
    return user


@transaction.atomic
def do_reset_password(*, acting_user: User, user: User, password: str) -> None:
    require(acting_user, Cap.MANAGE_USERS)
    _set_password(user, password)
    # A password someone else chose is changed by its owner at the next sign-in.
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_event(
        actor=acting_user,
        action="accounts.reset_password",
        obj=user,
        org_path=_org_path(user),
        changes={"password": ["******", "******"]},
    )


@transaction.atomic
def do_grant_role(*, acting_user: User, user: User, role: str, reason: str) -> User:
    """Set (or clear, with ``role=""``) the user's one role."""
    require(acting_user, Cap.GRANT_ROLES)
    if user.pk == acting_user.pk:
        raise PermissionDenied("不能修改自己的角色。")
    if role and role not in Role.values:
        raise ValidationError("未知的角色。")
    if role in ADMIN_ROLES and user.role in ADMIN_ROLES and role != user.role:
        # Moving one person between the three admin posts would let them hold
        # two posts' knowledge; the post is vacated first, with its own audit row.
        raise ValidationError("三员分立：请先撤销该用户现有的管理员角色，再授予另一管理员角色。")
    check_role_fits_unit(role, user.home_unit)
    if role == user.role:
        return user
    old = user.role
    user.role = role
    user.save(update_fields=["role"])
    record_event(
        actor=acting_user,
        action="accounts.grant_role",
        obj=user,
        org_path=_org_path(user),
        changes={"role": [old, role]},
        reason=reason,
    )
    return user


@transaction.atomic
def do_create_api_token(*, acting_user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the acting user; the raw token is returned once and never stored."""
    require(acting_user, Cap.USE_API_TOKENS)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=acting_user, name=name, prefix=raw[:8], digest=ApiToken.digest_of(raw)
    )
    record_event(
        actor=acting_user,
        action="accounts.create_token",
        obj=token,
        object_repr=f"{name}（{token.prefix}…）",
        org_path=_org_path(acting_user),
        changes={"name": [None, name]},
    )
    return token, raw


@transaction.atomic
def do_revoke_api_token(*, acting_user: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(
            actor=acting_user,
            action="accounts.revoke_token",
            obj=token,
            object_repr=f"{token.name}（{token.prefix}…）",
            org_path=_org_path(acting_user),
            changes={"revoked": [False, True]},
        )
    return token


@transaction.atomic
def do_record_login(*, user: User) -> None:
    record_event(actor=user, action="accounts.login", obj=user, org_path=_org_path(user))


@transaction.atomic
def do_record_login_failure(*, username: str) -> None:
    record_event(
        actor=None,
        action="accounts.login_failed",
        object_type="accounts.user",
        object_repr=username[:150],
    )


@transaction.atomic
def do_record_logout(*, user: User) -> None:
    record_event(actor=user, action="accounts.logout", obj=user, org_path=_org_path(user))


def _set_password(user: User, password: str) -> None:
    if user.password:
        PasswordHistory.objects.create(user=user, password=user.password)
    user.set_password(password)
    user.password_changed_at = timezone.now()


@transaction.atomic
def do_change_password(*, acting_user: User, new_password: str) -> None:
    """The user's own change (the form has checked the old password and the policy)."""
    _set_password(acting_user, new_password)
    acting_user.must_change_password = False
    acting_user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    record_event(
        actor=acting_user,
        action="accounts.change_password",
        obj=acting_user,
        org_path=_org_path(acting_user),
        changes={"password": ["******", "******"]},
    )


@transaction.atomic
def do_release_lock(*, acting_user: User, lock: LoginLock, reason: str) -> LoginLock:
    require(acting_user, Cap.GRANT_ROLES)
    if lock.released_at is None:
        lock.released_at = timezone.now()
        lock.released_by = acting_user
        lock.save(update_fields=["released_at", "released_by"])
        record_event(
            actor=acting_user,
            action="accounts.unlock",
            obj=lock,
            object_repr=str(lock),
            changes={"released": [False, True]},
            reason=reason,
        )
    return lock


@transaction.atomic
def do_start_two_factor(*, acting_user: User) -> TOTPDevice:
    """An unconfirmed authenticator for the user; it counts once a code confirms it."""
    TOTPDevice.objects.filter(user=acting_user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=acting_user, name="手机验证器", confirmed=False)


BACKUP_CODES = 10


@transaction.atomic
def do_confirm_two_factor(*, acting_user: User, device: TOTPDevice) -> list[str]:
    """Confirm the authenticator, replace any earlier one, and issue backup codes."""
    TOTPDevice.objects.filter(user=acting_user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=acting_user).delete()
    backup = StaticDevice.objects.create(user=acting_user, name="备用码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in codes)
    record_event(
        actor=acting_user,
        action="accounts.enable_2fa",
        obj=acting_user,
        org_path=_org_path(acting_user),
        changes={"two_factor": [False, True]},
    )
    return codes


@transaction.atomic
def do_remove_two_factor(*, acting_user: User, user: User, reason: str = "") -> None:
    """Remove a user's second factor: their own choice, or a security admin's reset
    (a lost phone). Where the role requires one, they must enrol again."""
    if user.pk != acting_user.pk:
        require(acting_user, Cap.GRANT_ROLES)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record_event(
        actor=acting_user,
        action="accounts.remove_2fa",
        obj=user,
        org_path=_org_path(user),
        changes={"two_factor": [True, False]},
        reason=reason,
    )


@transaction.atomic
def do_record_personal_data_read(
    *, acting_user: User, user: User, fields: list[str], reason: str
) -> None:
    """Reads of full personal data are logged like changes (PIPL)."""
    require(acting_user, Cap.MANAGE_USERS)
    record_event(
        actor=acting_user,
        action="accounts.read_personal_data",
        obj=user,
        org_path=_org_path(user),
        changes={"fields": fields},
        reason=reason,
    )


BREAK_GLASS_MAX_HOURS = 4


@transaction.atomic
def do_break_glass(*, user: User, hours: float, reason: str, operator: str) -> User:
    """Emergency access for one account, for a few hours, with a written reason.

    Run from the server's command line only (whoever runs it already holds the
    machine); everything the account does meanwhile is audited as usual, and
    the audit admin sees the grant and its end.
    """
    if not reason.strip():
        raise ValidationError("应急授权必须写明原因。")
    if not 0 < hours <= BREAK_GLASS_MAX_HOURS:
        raise ValidationError(f"应急授权时长应在0到{BREAK_GLASS_MAX_HOURS}小时之间。")
    user.break_glass_until = timezone.now() + dt.timedelta(hours=hours)
    user.save(update_fields=["break_glass_until"])
    record_event(
        actor=None,
        action="accounts.break_glass",
        obj=user,
        org_path=_org_path(user),
        changes={"until": user.break_glass_until.isoformat(), "operator": operator},
        reason=reason,
    )
    return user


@transaction.atomic
def do_end_break_glass(*, user: User, operator: str) -> User:
    user.break_glass_until = None
    user.save(update_fields=["break_glass_until"])
    record_event(
        actor=None,
        action="accounts.break_glass_end",
        obj=user,
        org_path=_org_path(user),
        changes={"operator": operator},
    )
    return user
