from __future__ import annotations

from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "renkou.population"
    label = "population"
    verbose_name = "人口结构与目标测算"
