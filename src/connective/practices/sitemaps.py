from __future__ import annotations

from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from connective.practices.models import Practice
from connective.practices.selectors import practices_public


class PracticeSitemap(Sitemap[Practice]):
    """Published practices, in every interface language, with hreflang alternates."""

    i18n = True
    alternates = True
    x_default = True
    changefreq = "monthly"
    limit = 5000

    def items(self) -> QuerySet[Practice]:
        return practices_public().only("slug", "updated_at").order_by("id")

    def lastmod(self, item: Practice) -> datetime:
        return item.updated_at
