from __future__ import annotations

from django.urls import path

from renkou.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.index, name="index"),
    path("export.yaml", views.export_yaml, name="export"),
    path("import/", views.import_yaml, name="import"),
    path("elements/new/", views.element_new, name="element_new"),
    path("elements/<str:code>/", views.element_detail, name="element"),
    path("elements/<str:code>/delete/", views.element_delete, name="element_delete"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/delete/", views.indicator_delete, name="indicator_delete"),
    path("data-sets/new/", views.data_set_new, name="data_set_new"),
    path("data-sets/<str:code>/", views.data_set_detail, name="data_set"),
    path("data-sets/<str:code>/delete/", views.data_set_delete, name="data_set_delete"),
    path("data-sets/<str:code>/rules/new/", views.rule_new, name="rule_new"),
    path("data-sets/<str:code>/rules/<str:rule_code>/", views.rule_detail, name="rule"),
    path(
        "data-sets/<str:code>/rules/<str:rule_code>/delete/",
        views.rule_delete,
        name="rule_delete",
    ),
]
