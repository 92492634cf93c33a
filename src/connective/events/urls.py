from connective.events.views import after, calendar, manage, pages, proposals

app_name = "events"

# Each views module declares its own routes. Fixed addresses (calendar/, mine/, propose/, ...) come before
# the event page /events/<slug>/, so those words are reserved slugs (events/slugs.py).
urlpatterns = [
    *pages.fixed_urlpatterns,
    *after.fixed_urlpatterns,
    *calendar.fixed_urlpatterns,
    *proposals.fixed_urlpatterns,
    *manage.urlpatterns,
    *pages.urlpatterns,
    *after.urlpatterns,
    *calendar.urlpatterns,
]
