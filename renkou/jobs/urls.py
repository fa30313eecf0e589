from __future__ import annotations

from django.urls import path

from renkou.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/errors/", views.job_errors, name="errors"),
]
