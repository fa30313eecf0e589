from __future__ import annotations

from django.urls import URLPattern, URLResolver

from renkou.assessment.urls_core import urlpatterns as core
from renkou.assessment.urls_review import urlpatterns as review

app_name = "assessment"
urlpatterns: list[URLPattern | URLResolver] = [*core, *review]
