from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "renkou.supervision"
    label = "supervision"
    verbose_name = "月度督查"
