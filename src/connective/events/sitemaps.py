"""Events anyone may see, for search engines. Drafts are never listed."""

from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from connective.events.models import Event
from connective.events.selectors import events_public


class EventSitemap(Sitemap):  # type: ignore[type-arg]
    i18n = True
    alternates = True
    x_default = True
    changefreq = "weekly"
    limit = 5000

    def items(self) -> QuerySet[Event]:
        return events_public().only("slug", "updated_at").order_by("id")

    def location(self, item: Event) -> str:
        return reverse("events:detail", kwargs={"slug": item.slug})

    def lastmod(self, item: Event) -> datetime:
        return item.updated_at
