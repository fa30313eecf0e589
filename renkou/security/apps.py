from __future__ import annotations

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "renkou.security"
    label = "security"
    verbose_name = "安全"
