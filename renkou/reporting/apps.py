from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "renkou.reporting"
    label = "reporting"
    verbose_name = "月报"
