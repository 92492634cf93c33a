from connective.groups.views import feeds, groups, library, moderation, threads

app_name = "groups"

# Each views module declares its own routes (as in the network app).
urlpatterns = [
    *groups.urlpatterns,
    *threads.urlpatterns,
    *moderation.urlpatterns,
    *library.urlpatterns,
    *feeds.urlpatterns,
]
