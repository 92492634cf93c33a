"""Previous and next links of a paginated list that keep the rest of the query (filters, another list's page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def page_links(request: HttpRequest, page: Any, param: str = "page") -> dict[str, str]:
    """{"previous": "?...", "next": "?..."} for a Django `Page`, each only when that page exists."""
    links: dict[str, str] = {}
    for name, exists, number in (
        ("previous", page.has_previous, page.number - 1),
        ("next", page.has_next, page.number + 1),
    ):
        if exists():
            query = request.GET.copy()
            query[param] = str(number)
            links[name] = "?" + query.urlencode()
    return links
