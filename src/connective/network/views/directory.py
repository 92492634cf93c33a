"""The directory: searching people and organisations, with facets; every state is a shareable URL."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from connective.network.exports import (
    DIRECTORY_EXPORT_LIMIT,
    ORGANISATION_COLUMNS,
    PEOPLE_COLUMNS,
    organisation_record,
    person_record,
)
from connective.network.filters import OrganisationFilterForm, PeopleFilterForm
from connective.network.models import LanguageLevel
from connective.network.search import DirectoryPage, organisation_search, people_search
from connective.practices.exports import csv_lines, json_chunks

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


CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}


def _bad_filters(form: Any) -> HttpResponse:
    # Exporting everything when one filter is wrong would hand over a file that looks right and is not.
    lines = [
        f"{form.fields[name].label if name in form.fields else name}: {message}"
        for name, messages in form.errors.items()
        for message in messages
    ]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


def _export(
    kind: str, fmt: str, records: list[dict[str, Any]], columns: list[str], total: int
) -> HttpResponse:
    if fmt == "csv":
        body = "".join(csv_lines(records, columns))
    else:
        meta = {
            "exported_at": timezone.now().isoformat(),
            "count": len(records),
            "total": total,
            "truncated": total > len(records),
        }
        body = "".join(json_chunks(records, meta=meta, key=kind))
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    response["X-Total-Count"] = str(total)
    return response


@require_GET
def people_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The people of the current search, as the downloader may see them on the page (PersonView)."""
    if fmt not in CONTENT_TYPES:
        raise Http404("Export as csv or json.")
    form = PeopleFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    result = people_search(viewer=request.user, query=form.cleaned_data, page_size=DIRECTORY_EXPORT_LIMIT)
    records = [
        person_record(found.person, url=request.build_absolute_uri(found.person.url or ""))
        for found in result.items
    ]
    return _export("people", fmt, records, PEOPLE_COLUMNS, result.total)


@require_GET
def organisations_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("Export as csv or json.")
    form = OrganisationFilterForm(request.GET)
    if not form.is_valid():
        return _bad_filters(form)
    result = organisation_search(
        viewer=request.user, query=form.cleaned_data, page_size=DIRECTORY_EXPORT_LIMIT
    )
    records = [
        organisation_record(
            found.organisation,
            url=request.build_absolute_uri(
                reverse("network:organisation", kwargs={"slug": found.organisation.slug})
            ),
            people=found.people,
            practices=found.practices,
        )
        for found in result.items
    ]
    return _export("organisations", fmt, records, ORGANISATION_COLUMNS, result.total)


urlpatterns: list[URLPattern] = [
    path("people/", people_list, name="people"),
    path("people/export.<str:fmt>", people_export, name="people_export"),
    path("organisations/", organisation_list, name="organisations"),
    path("organisations/export.<str:fmt>", organisations_export, name="organisations_export"),
]
