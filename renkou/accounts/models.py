from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkou.security.crypto import blind_index
from renkou.security.fields import EncryptedTextField
from renkou.security.masking import mask_phone


class Role(models.TextChoices):
    COUNTY_ASSESSOR = "county_assessor", _("县级考核管理")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇专干")
    VILLAGE_WORKER = "village_worker", _("村专干")
    LEADER = "leader", _("分管领导（只读）")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class User(AbstractUser):
    """A person who signs in. One role per account, so no account can hold two
    of the three administrator roles, or an administrator role and a business
    role (三员分立)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    home_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属单位"),
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # The documented emergency procedure (renkou break-glass): until this
    # time the account may do everything except read the audit log. Django's
    # is_superuser is never consulted by Renkou's checks.
    break_glass_until = models.DateTimeField(_("应急授权截止"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        ordering = ["username"]

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    def set_phone(self, phone: str) -> None:
        """The phone and its lookup index always change together."""
        self.phone = phone
        self.phone_index = blind_index(phone, purpose="user.phone")


class ApiToken(models.Model):
    """A per-user token for scripts. Only a SHA-256 digest is stored; the token
    itself is shown once, when it is created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=60)
    prefix = models.CharField(max_length=8)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, so a new one cannot repeat them."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d}"


class LoginFailure(models.Model):
    """One failed sign-in; counted to lock accounts and addresses."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M}"


class LoginLock(models.Model):
    """An account or a source address that may not sign in until ``until``."""

    class Kind(models.TextChoices):
        USER = "user", _("账号")
        IP = "ip", _("来源地址")

    kind = models.CharField(_("类型"), max_length=4, choices=Kind.choices)
    key = models.CharField(_("账号或地址"), max_length=150, db_index=True)
    locked_at = models.DateTimeField(_("锁定时间"))
    until = models.DateTimeField(_("解锁时间"))
    failures = models.PositiveSmallIntegerField(_("失败次数"), default=0)
    released_at = models.DateTimeField(_("提前解锁时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-locked_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"
