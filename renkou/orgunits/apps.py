from __future__ import annotations

from django.apps import AppConfig


class OrgunitsConfig(AppConfig):
    name = "renkou.orgunits"
    label = "orgunits"
    verbose_name = "行政区划"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation

        # Registers the divisions-import job handler.
        from renkou.orgunits import jobs  # noqa: F401

        navigation.register(
            "orgunits", _("行政区划"), "orgunits:tree", capability="view_orgunits", order=90
        )
        navigation.register(
            "import", _("导入区划"), "orgunits:import", capability="import_divisions", order=92
        )
