from __future__ import annotations

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "renkou.contracts"
    label = "contracts"
    verbose_name = "目标责任状"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation
        from renkou.accounts.access import Cap
        from renkou.contracts.demo import seed_contracts
        from renkou.dashboard.demo import register_seed_step

        navigation.register(
            "contracts", _("目标责任状"), "contracts:home", capability=Cap.VIEW_BUSINESS, order=46
        )
        register_seed_step(seed_contracts, order=410)
