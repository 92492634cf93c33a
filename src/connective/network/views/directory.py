"""The directory: searching people and organisations, with facets; every state is a shareable URL."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connective.network.filters import OrganisationFilterForm, PeopleFilterForm
from connective.network.models import LanguageLevel
from connective.network.search import DirectoryPage, organisation_search, people_search

PAGE_SIZE = 20


def _people_facet_titles() -> dict[str, str]:
    # Headings of the facets, in the order the page shows them.
    return {
        "topic": _("Expertise"),
        "actor": _("Actor type"),
        "lang": _("Languages spoken"),
        "region": _("Region"),
        "country": _("Country"),
    }


def _organisation_facet_titles() -> dict[str, str]:
    return {
        "type": _("Type"),
        "region": _("Region"),
        "country": _("Country"),
        "verified": _("Verified by the programme"),
    }


def _facets(result: DirectoryPage[Any], titles: dict[str, str]) -> list[tuple[str, str, list[Any]]]:
    return [(key, title, result.facets[key]) for key, title in titles.items() if result.facets.get(key)]


def _active_filters(result: DirectoryPage[Any], titles: dict[str, str]) -> list[dict[str, str]]:
    """The chosen filter values with their labels, each with a link that removes it."""
    return [
        {"key": key, "value": value.value, "label": value.label, "facet": title}
        for key, title in titles.items()
        for value in result.facets.get(key, [])
        if value.selected
    ]


def _page_links(result: DirectoryPage[Any]) -> list[int | None]:
    """Page numbers to link: the first, the last and two around the current one; None marks a gap."""
    pages = sorted(
        {1, result.num_pages, *range(max(1, result.page - 2), min(result.num_pages, result.page + 2) + 1)}
    )
    links: list[int | None] = []
    previous = 0
    for number in pages:
        if links and number - previous > 1:
            links.append(None)
        links.append(number)
        previous = number
    return links


@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    form = PeopleFilterForm(request.GET)
    data = form.valid_data
    result = people_search(viewer=request.user, query=data, page=data.get("page") or 1, page_size=PAGE_SIZE)
    form.check_page(result)
    titles = _people_facet_titles()
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "query_text": data.get("q", ""),
        "facets": _facets(result, titles),
        "active_filters": _active_filters(result, titles),
        "level_filter": LanguageLevel(data["level"]).label if data.get("level") else "",
        "levels": LanguageLevel.choices,
        "page_links": _page_links(result),
    }
    # Wrong parameters still show a page the reader can fix, with the errors on it; the status says so.
    return render(request, "network/people_list.html", context, status=400 if form.errors else 200)


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET)
    data = form.valid_data
    result = organisation_search(
        viewer=request.user, query=data, page=data.get("page") or 1, page_size=PAGE_SIZE
    )
    form.check_page(result)
    titles = _organisation_facet_titles()
    context: dict[str, Any] = {
        "form": form,
        "result": result,
        "query_text": data.get("q", ""),
        "facets": _facets(result, titles),
        "active_filters": _active_filters(result, titles),
        "page_links": _page_links(result),
    }
    return render(request, "network/organisation_list.html", context, status=400 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("people/", people_list, name="people"),
    path("organisations/", organisation_list, name="organisations"),
]
