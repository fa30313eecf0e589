from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "renkou.assessment"
    label = "assessment"
    verbose_name = "考核"
