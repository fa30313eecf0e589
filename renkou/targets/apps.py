from __future__ import annotations

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "renkou.targets"
    label = "targets"
    verbose_name = "目标"
