from __future__ import annotations

from django.urls import path

from renkou.accounts import views, views_security

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/reveal/", views.user_reveal, name="user_reveal"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("password/", views_security.password_change, name="password_change"),
    path("reauth/", views_security.reauthenticate, name="reauth"),
    path("2fa/", views_security.two_factor, name="2fa"),
    path("2fa/enrol/", views_security.two_factor_enrol, name="2fa_enrol"),
    path("2fa/verify/", views_security.two_factor_verify, name="2fa_verify"),
    path("2fa/remove/", views_security.two_factor_remove, name="2fa_remove"),
    path("locks/", views_security.lock_list, name="locks"),
    path("locks/<int:pk>/release/", views_security.lock_release, name="lock_release"),
]
