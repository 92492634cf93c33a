"""Public profiles, organisations and the cities where something public happens, for search engines."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from connective.core.models import City
from connective.network.models import Organisation, Profile
from connective.network.selectors import cities_with_activity, profiles_visible_to


class _NetworkSitemap(Sitemap):  # type: ignore[type-arg]
    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    limit = 5000


class PersonSitemap(_NetworkSitemap):
    """Profiles a visitor may open; members-only and hidden ones are never listed."""

    def items(self) -> QuerySet[Profile]:
        return profiles_visible_to(None).only("slug", "updated_at").order_by("id")

    def location(self, item: Profile) -> str:
        return reverse("network:person", kwargs={"slug": item.slug})

    def lastmod(self, item: Profile) -> datetime:
        return item.updated_at


class OrganisationSitemap(_NetworkSitemap):
    def items(self) -> QuerySet[Organisation]:
        return Organisation.objects.only("slug", "updated_at").order_by("id")

    def location(self, item: Organisation) -> str:
        return reverse("network:organisation", kwargs={"slug": item.slug})

    def lastmod(self, item: Organisation) -> datetime:
        return item.updated_at


class CitySitemap(_NetworkSitemap):
    """Only cities with something public in them; the others answer with noindex."""

    def items(self) -> QuerySet[City]:
        return cities_with_activity().only("geoname_id").order_by("id")

    def location(self, item: City) -> str:
        return reverse("network:city", kwargs={"geoname_id": item.geoname_id})
