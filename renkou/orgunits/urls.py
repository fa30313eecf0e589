from __future__ import annotations

from django.urls import path

from renkou.orgunits import views

app_name = "orgunits"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("import/", views.import_divisions, name="import"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/edit/", views.edit, name="edit"),
]
