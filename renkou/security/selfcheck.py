"""What in the running configuration is unsafe for production, in plain words."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from renkou.accounts.models import User
from renkou.audit.chain import verify_chain


@dataclass(frozen=True)
class Finding:
    level: str  # "危险" (unsafe), "注意" (check), "良好" (fine)
    message: str


def findings() -> list[Finding]:
    found: list[Finding] = []

    def bad(message: str) -> None:
        found.append(Finding("危险", message))

    def note(message: str) -> None:
        found.append(Finding("注意", message))

    def good(message: str) -> None:
        found.append(Finding("良好", message))

    if settings.DEBUG:
        bad("DEBUG 已开启：出错时会向用户显示程序细节。生产环境须设 DEBUG=false。")
    if "*" in settings.ALLOWED_HOSTS:
        bad("ALLOWED_HOSTS 含 *：请只列出本系统的域名。")
    if not settings.SESSION_COOKIE_SECURE:
        bad("会话 Cookie 未限定 HTTPS：生产环境须 SECURE_COOKIES=true 并使用 HTTPS。")
    if not settings.SECURE_HSTS_SECONDS:
        bad("未启用 HSTS：HTTPS 部署后请设置 SECURE_HSTS_SECONDS。")
    if not settings.TWO_FACTOR_REQUIRED:
        bad("管理员和县级考核人员的双因素认证要求已关闭（仅限演示）。")
    if settings.DEMO_MODE:
        bad("演示模式已开启（RENKOU_DEMO）。")
    for name in ("SECRET_KEY", "AUDIT_HMAC_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        if not _configured(name):
            note(
                f"{name} 使用自动生成并保存在 var/ 中的密钥："
                f"生产环境请通过环境变量或 {name}_FILE 提供，并另行备份。"
            )
    if connection.vendor == "sqlite":
        note("数据库为 SQLite：适合演示和单县试点；生产环境建议使用 PostgreSQL。")
    if settings.PASSWORD_MIN_CLASSES < 3 or settings.PASSWORD_MIN_LENGTH < 8:
        note("密码复杂度低于等保三级默认要求（至少8位、3类字符）。")
    if not settings.PASSWORD_MAX_AGE_DAYS:
        note("已关闭定期修改密码（按 OWASP ASVS 的做法；等保测评时请说明）。")
    if settings.LOGIN_MAX_FAILURES > 5 or settings.LOGIN_LOCK_MINUTES < 30:
        note("登录失败锁定弱于默认（5次、30分钟）。")
    if settings.SESSION_IDLE_MINUTES > 30:
        note("会话空闲超时长于30分钟。")
    if User.objects.filter(is_superuser=True).exists():
        note("存在 is_superuser 账号：Renkou 不使用该标志，请改用 renkou break-glass 应急授权。")
    active = User.objects.filter(break_glass_until__gt=timezone.now())
    for user in active:
        until = timezone.localtime(user.break_glass_until)
        bad(f"账号 {user.username} 正处于应急授权中，截止 {until:%Y-%m-%d %H:%M}。")
    report = verify_chain()
    if report.ok:
        good(f"审计哈希链完好（{report.checked}条）。")
    else:
        bad(f"审计哈希链在序号{report.first_broken_seq}处断开：{report.reason}。")
    return found


def _configured(name: str) -> bool:
    import os

    return bool(os.environ.get(name) or os.environ.get(f"{name}_FILE"))
