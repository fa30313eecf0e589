from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from renkou.api import api


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", include("renkou.dashboard.urls")),
    path("accounts/", include("renkou.accounts.urls")),
    path("org/", include("renkou.orgunits.urls")),
    path("jobs/", include("renkou.jobs.urls")),
    path("audit/", include("renkou.audit.urls")),
    path("catalog/", include("renkou.catalog.urls")),
    path("reporting/", include("renkou.reporting.urls")),
    path("supervision/", include("renkou.supervision.urls")),
    path("targets/", include("renkou.targets.urls")),
    path("contracts/", include("renkou.contracts.urls")),
    path("assessment/", include("renkou.assessment.urls")),
    path("population/", include("renkou.population.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz),
]
