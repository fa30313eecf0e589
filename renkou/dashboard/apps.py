from __future__ import annotations

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "renkou.dashboard"
    label = "dashboard"
    verbose_name = "首页"
