"""Browsing and searching published practices: the list with facets, and the map."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connective.practices.filters import PracticeFilterForm
from connective.practices.selectors import PracticeSearchResult, practice_map_points, practice_search

PAGE_SIZE = 20


def _facet_titles() -> dict[str, str]:
    # Headings of the facets, in the order the page shows them.
    return {
        "topic": _("Topic"),
        "sdg": _("Sustainable Development Goal"),
        "region": _("Region"),
        "country": _("Country"),
        "size": _("City size"),
        "year": _("Start year"),
        "lang": _("Language of the record"),
    }


def _active_filters(result: PracticeSearchResult) -> list[dict[str, str]]:
    """The chosen filter values with their labels, each with a link that removes it."""
    titles = _facet_titles()
    active = []
    for facet, values in result.facets.items():
        for value in values:
            if value.selected:
                active.append(
                    {"key": facet, "value": value.value, "label": value.label, "facet": titles[facet]}
                )
    return active


@require_GET
def practice_list(request: HttpRequest) -> HttpResponse:
    form = PracticeFilterForm(request.GET)
    data = form.valid_data
    result = practice_search(query=data, page=data.get("page") or 1, page_size=PAGE_SIZE)
    form.check_page(result)
    titles = _facet_titles()
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "query_text": data.get("q", ""),
        "facets": [(facet, titles[facet], values) for facet, values in result.facets.items() if values],
        "active_filters": _active_filters(result),
        "city_filter": data.get("city"),
        "page_links": _page_links(result),
    }
    # Wrong parameters still show a page the reader can fix, with the errors on it; the status says so.
    return render(request, "practices/list.html", context, status=400 if form.errors else 200)


def _page_links(result: PracticeSearchResult) -> list[int | None]:
    """Page numbers to link: the first, the last and two around the current one; None marks a gap."""
    pages = sorted(
        {1, result.num_pages, *range(max(1, result.page - 2), min(result.num_pages, result.page + 2) + 1)}
    )
    links: list[int | None] = []
    for number in pages:
        if links and links[-1] is not None and number - links[-1] > 1:  # type: ignore[operator]
            links.append(None)
        links.append(number)
    return links


@require_GET
def practice_map(request: HttpRequest) -> HttpResponse:
    form = PracticeFilterForm(request.GET)
    data = form.valid_data
    data.pop("page", None)
    world = practice_map_points(query=data)
    context = {
        "form": form,
        "map": world,
        "query_text": data.get("q", ""),
        "graticule_x": range(0, 361, 30),
        "graticule_y": range(0, 181, 30),
    }
    return render(request, "practices/map.html", context, status=400 if form.errors else 200)
