from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "renkou.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation

        navigation.register(
            "users", _("用户与角色"), "accounts:users", capability="view_users", order=91
        )
        navigation.register(
            "locks", _("登录锁定"), "accounts:locks", capability="grant_roles", order=94
        )
        navigation.register(
            "tokens", _("API令牌"), "accounts:tokens", capability="use_api_tokens", order=99
        )
        navigation.register("security", _("账号安全"), "accounts:2fa", capability=None, order=100)
