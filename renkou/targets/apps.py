from __future__ import annotations

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "renkou.targets"
    label = "targets"
    verbose_name = "目标"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation
        from renkou.accounts.access import Cap
        from renkou.dashboard.demo import register_seed_step
        from renkou.targets.demo import seed_targets

        navigation.register(
            "targets", _("目标管理"), "targets:board", capability=Cap.VIEW_BUSINESS, order=45
        )
        register_seed_step(seed_targets, order=400)
