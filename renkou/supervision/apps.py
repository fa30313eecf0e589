from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "renkou.supervision"
    label = "supervision"
    verbose_name = "月度督查"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation
        from renkou.accounts.access import Cap
        from renkou.dashboard.demo import register_seed_step
        from renkou.supervision.demo import seed_supervision

        navigation.register(
            "supervision", _("月度督查"), "supervision:home", capability=Cap.VIEW_BUSINESS, order=40
        )
        register_seed_step(seed_supervision, order=300)
