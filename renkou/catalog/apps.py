from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "renkou.catalog"
    label = "catalog"
    verbose_name = "指标目录"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation
        from renkou.catalog.seed import seed_catalog
        from renkou.dashboard.demo import register_seed_step

        navigation.register(
            "catalog", _("指标目录"), "catalog:index", capability="view_business", order=28
        )
        register_seed_step(seed_catalog, order=200)
