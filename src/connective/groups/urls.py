from connective.groups.views import feeds, groups, library, moderation, threads

app_name = "groups"

# Each views module declares its own routes (as in the network app). Moderation comes first: its fixed
# address /groups/reports/ must win over the group page /groups/<slug>/ ("reports" is a reserved slug).
urlpatterns = [
    *moderation.urlpatterns,
    *groups.urlpatterns,
    *threads.urlpatterns,
    *library.urlpatterns,
    *feeds.urlpatterns,
]
