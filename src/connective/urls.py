from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from connective.core import views as core_views
from connective.events.sitemaps import EventSitemap
from connective.groups.sitemaps import GroupSitemap
from connective.network.sitemaps import CitySitemap, OrganisationSitemap, PersonSitemap
from connective.practices.sitemaps import PracticeSitemap

sitemaps = {
    "practices": PracticeSitemap,
    "people": PersonSitemap,
    "organisations": OrganisationSitemap,
    "cities": CitySitemap,
    "groups": GroupSitemap,
    "events": EventSitemap,
}

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("connective.api.urls")),
    path("healthz", core_views.health, name="health"),
    path("robots.txt", core_views.robots, name="robots"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": sitemaps}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]

urlpatterns += i18n_patterns(
    path("", include("connective.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("practices/", include("connective.practices.urls")),
    path("account/", include("connective.accounts.urls")),
    path("", include("connective.network.urls")),
    path("groups/", include("connective.groups.urls")),
    path("events/", include("connective.events.urls")),
    path("notifications/", include("connective.notifications.urls")),
    prefix_default_language=True,
)

if settings.DEBUG or settings.TESTING:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page tree serves editorial pages last, under no language prefix.
urlpatterns += [path("pages/", include(wagtail_urls))]
