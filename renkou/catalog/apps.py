from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "renkou.catalog"
    label = "catalog"
    verbose_name = "指标目录"
