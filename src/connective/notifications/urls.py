from django.urls import URLPattern, path

from connective.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("", views.centre, name="centre"),
    path("read/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/", views.mark_read, name="mark_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
