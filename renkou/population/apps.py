from __future__ import annotations

from django.apps import AppConfig


class PopulationConfig(AppConfig):
    name = "renkou.population"
    label = "population"
    verbose_name = "人口结构与目标测算"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation
        from renkou.accounts.access import Cap
        from renkou.dashboard.demo import register_seed_step
        from renkou.population.demo import seed_population

        navigation.register(
            "population", _("目标测算"), "population:home", capability=Cap.VIEW_BUSINESS, order=47
        )
        register_seed_step(seed_population, order=390)
