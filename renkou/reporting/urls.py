from __future__ import annotations

from django.urls import path

from renkou.reporting import views, views_analysis, views_excel

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("board/", views.board, name="board"),
    path("excel/", views_excel.excel_home, name="excel"),
    path("excel/template.xlsx", views_excel.template, name="excel_template"),
    path("excel/<str:key>/", views_excel.preview, name="excel_preview"),
    path("excel/<str:key>/marked.xlsx", views_excel.marked, name="excel_marked"),
    path("excel/<str:key>/confirm/", views_excel.confirm, name="excel_confirm"),
    path("analysis/", views_analysis.pivot, name="analysis"),
    path("analysis/export.xlsx", views_analysis.export, name="analysis_export"),
    path("analysis/recompute/", views_analysis.recompute, name="analysis_recompute"),
    path("lock/<str:data_set>/<str:period>/<str:unit>/", views.lock, name="lock"),
    path("<str:data_set>/<str:period>/<str:unit>/", views.report_form, name="form"),
    path("<str:data_set>/<str:period>/<str:unit>/autosave/", views.autosave, name="autosave"),
    path("<str:data_set>/<str:period>/<str:unit>/submit/", views.submit, name="submit"),
    path("<str:data_set>/<str:period>/<str:unit>/review/", views.review, name="review"),
    path("<str:data_set>/<str:period>/<str:unit>/history/", views.history, name="history"),
]
