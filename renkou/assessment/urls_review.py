from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renkou.assessment import views_review as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("runs/<int:pk>/review/", views.run_review, name="run_review"),
    path("runs/<int:pk>/release/", views.run_release, name="run_release"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/notice.<str:fmt_name>", views.notice_file, name="notice_file"),
    path("run-units/<int:pk>/review/", views.unit_review, name="unit_review"),
    path("run-units/<int:pk>/adjust/", views.adjustment_propose, name="adjustment_propose"),
    path("run-units/<int:pk>/appeal/", views.appeal_file, name="appeal_file"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment_decide"),
    path("adjustments/<int:pk>/evidence/", views.adjustment_evidence, name="adjustment_evidence"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("appeals/<int:pk>/evidence/", views.appeal_evidence, name="appeal_evidence"),
    path("published/", views.published_list, name="published_list"),
    path("published/<int:pk>/", views.published_detail, name="published"),
    path("pay/", views.pay_home, name="pay"),
    path("pay/rules/<int:year>/", views.pay_rules, name="pay_rules"),
    path("pay/cadres/template.xlsx", views.roster_template, name="roster_template"),
    path("pay/cadres/import/", views.roster_import, name="roster_import"),
    path("pay/cadres/<str:code>/", views.roster, name="roster"),
    path("pay/runs/<int:pk>/", views.pay_list_view, name="pay_list"),
    path("pay/runs/<int:pk>/pay.xlsx", views.pay_list_xlsx, name="pay_list_xlsx"),
]
