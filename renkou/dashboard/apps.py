from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "renkou.dashboard"
    label = "dashboard"
    verbose_name = "首页"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation

        navigation.register("home", _("首页"), "dashboard:home", capability=None, order=0)
