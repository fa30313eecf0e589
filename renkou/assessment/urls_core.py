from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renkou.assessment import views_core as views
from renkou.assessment import views_editor

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/template.xlsx", views.scheme_template, name="scheme_template"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/edit/", views_editor.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/replace/", views.scheme_replace, name="scheme_replace"),
    path("schemes/<int:pk>/status/", views.scheme_status, name="scheme_status"),
    path("schemes/<int:pk>/run/", views.run_start, name="run_start"),
    path("schemes/<int:pk>/export.<str:fmt>", views.scheme_export, name="scheme_export"),
    path("facts/", views.facts, name="facts"),
    path("facts/<int:pk>/evidence/", views.fact_evidence, name="fact_evidence"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/league.xlsx", views.run_league_xlsx, name="run_xlsx"),
    path("results/<int:pk>/", views.unit_result, name="unit"),
]
