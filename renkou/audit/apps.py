from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "renkou.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation

        navigation.register(
            "audit", _("审计日志"), "audit:events", capability="view_audit", order=93
        )
