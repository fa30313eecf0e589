from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "renkou.assessment"
    label = "assessment"
    verbose_name = "考核"

    def ready(self) -> None:
        from renkou.assessment import ready_core, ready_review

        # Two halves of the app register their navigation, jobs and demo steps:
        # schemes, runs and results; and adjustments, appeals, publication, pay.
        ready_core.register()
        ready_review.register()
