from __future__ import annotations

from django.urls import URLPattern, path

from connective.accounts import views_privacy

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("privacy/", views_privacy.privacy, name="privacy"),
    path("privacy/download/<str:token>/", views_privacy.privacy_download, name="privacy_download"),
    path("delete/", views_privacy.account_delete_view, name="delete"),
    path("delete/done/", views_privacy.account_deleted, name="deleted"),
]
