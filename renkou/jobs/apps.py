from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "renkou.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from renkou import navigation

        navigation.register("jobs", _("后台任务"), "jobs:list", capability=None, order=98)
