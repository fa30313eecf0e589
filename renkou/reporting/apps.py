from __future__ import annotations

from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "renkou.reporting"
    label = "reporting"
    verbose_name = "月报"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation
        from renkou.dashboard.demo import register_seed_step

        # Registers the import job handler.
        from renkou.reporting import jobs  # noqa: F401
        from renkou.reporting.demo import seed_reporting

        navigation.register(
            "reporting", _("报表填报"), "reporting:home", capability="enter_data", order=20
        )
        navigation.register(
            "reporting_board",
            _("报送情况"),
            "reporting:board",
            capability="view_business",
            order=22,
        )
        navigation.register(
            "analysis", _("数据分析"), "reporting:analysis", capability="view_business", order=26
        )
        register_seed_step(seed_reporting, order=210)
