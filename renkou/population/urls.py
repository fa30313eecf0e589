from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renkou.population import views

app_name = "population"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("accept/", views.accept, name="accept"),
    path("backtest/", views.backtest, name="backtest"),
    path("import/", views.import_page, name="import"),
    path("template.xlsx", views.template, name="template"),
    path("units/<str:code>/", views.unit_page, name="unit"),
]
