from __future__ import annotations

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "renkou.contracts"
    label = "contracts"
    verbose_name = "目标责任状"
