from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from connective.api.views import CityViewSet, OrganisationViewSet, PersonViewSet, PracticeViewSet

router = DefaultRouter()
router.register("practices", PracticeViewSet, basename="practice")
router.register("people", PersonViewSet, basename="person")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("cities", CityViewSet, basename="city")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from drf-spectacular-sidecar's static files: nothing loads from another site. (ReDoc is left
    # out: it needs an inline script, which the site's Content-Security-Policy rightly blocks.)
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
