from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renkou.targets import views

app_name = "targets"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.board, name="board"),
    path("unit/<str:code>/", views.unit_page, name="unit"),
    path("unit/<str:code>/new/", views.target_new, name="new"),
    path("unit/<str:code>/excel/", views.excel_template, name="excel_template"),
    path("target/<int:pk>/", views.target_detail, name="target"),
    path("target/<int:pk>/cascade/", views.cascade, name="cascade"),
    path("excel/upload/", views.excel_upload, name="excel_upload"),
    path("excel/<str:key>/", views.excel_preview, name="excel_preview"),
    path("excel/<str:key>/marked/", views.excel_marked, name="excel_marked"),
]
