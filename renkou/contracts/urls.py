from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from renkou.contracts import views

app_name = "contracts"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("draft/", views.draft, name="draft"),
    path("issue-all/", views.issue_all, name="issue_all"),
    path("mine/", views.mine, name="mine"),
    path("board/", views.board, name="board"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
    path("<int:pk>/issue/", views.issue, name="issue"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
