from __future__ import annotations

from django.apps import AppConfig


class OrgunitsConfig(AppConfig):
    name = "renkou.orgunits"
    label = "orgunits"
    verbose_name = "行政区划"

    def ready(self) -> None:
        # Registers the divisions-import job handler.
        from renkou.orgunits import jobs  # noqa: F401
