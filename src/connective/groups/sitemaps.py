"""Open and closed groups for search engines: their pages are public (a closed group shows its description
and moderators to everyone). Secret groups are never listed."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from connective.groups.models import Access, Group


class GroupSitemap(Sitemap):  # type: ignore[type-arg]
    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Group]:
        return (
            Group.objects.filter(access__in=[Access.OPEN, Access.CLOSED])
            .only("slug", "updated_at")
            .order_by("id")
        )

    def location(self, item: Group) -> str:
        return reverse("groups:detail", kwargs={"slug": item.slug})

    def lastmod(self, item: Group) -> datetime:
        return item.updated_at
