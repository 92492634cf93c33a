from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from connective.api.event_views import EventViewSet, RegistrationViewSet
from connective.api.group_views import GroupThreadViewSet, GroupViewSet, ThreadPostViewSet
from connective.api.match_views import MatchesView
from connective.api.views import CityViewSet, OrganisationViewSet, PersonViewSet, PracticeViewSet

router = DefaultRouter()
router.register("practices", PracticeViewSet, basename="practice")
router.register("people", PersonViewSet, basename="person")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("cities", CityViewSet, basename="city")
router.register("groups", GroupViewSet, basename="group")
router.register(r"groups/(?P<group_slug>[-a-zA-Z0-9_]+)/threads", GroupThreadViewSet, basename="group-thread")
router.register(
    r"groups/(?P<group_slug>[-a-zA-Z0-9_]+)/threads/(?P<thread_id>[0-9]+)/posts",
    ThreadPostViewSet,
    basename="group-post",
)
router.register("events", EventViewSet, basename="event")
router.register("registrations", RegistrationViewSet, basename="registration")

urlpatterns = [
    path("v1/matches/", MatchesView.as_view(), name="matches"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar's static files: nothing loads from another site. (ReDoc is left
    # out: it needs an inline script, which the site's Content-Security-Policy rightly blocks.)
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
