"""Read-only API of the knowledge base and the directory: the search, filters and visibility of the pages."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from connective.api.serializers import (
    CityActivitySerializer,
    CityPageSerializer,
    OrganisationDetailSerializer,
    OrganisationListItemSerializer,
    OrganisationPageSerializer,
    PeoplePageSerializer,
    PersonDetailSerializer,
    PersonListItemSerializer,
    PracticeDetailSerializer,
    PracticeListItemSerializer,
    PracticePageSerializer,
)
from connective.network.filters import CityFilterForm, OrganisationFilterForm, PeopleFilterForm
from connective.network.search import (
    DirectoryPage,
    city_activity_get,
    city_activity_search,
    organisation_get,
    organisation_search,
    people_search,
)
from connective.network.selectors import person_get_visible
from connective.practices.filters import PracticeFilterForm
from connective.practices.selectors import practice_get_visible, practice_related, practice_search

PAGE_SIZE = 20

FILTER_ERRORS = OpenApiResponse(
    response={"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    description="A parameter is wrong: each wrong parameter with its messages, in the reader's language.",
)
NOT_FOUND = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}}},
    description="No such practice, or one the viewer may not see.",
)


def _many(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, many=True, explode=True, description=description)


LIST_PARAMETERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Search text, any language (at most 200 characters)."
    ),
    _many("topic", "Topic slug; a cluster includes its subtopics. Repeat for alternatives."),
    _many("sdg", "SDG number, 1 to 17. Repeat for alternatives."),
    _many("region", "Region slug."),
    _many("country", "ISO 3166-1 alpha-2 country code."),
    _many("size", "City size: small, medium, large, metropolis, megacity."),
    _many("year", "Start year."),
    _many("lang", "Language of the record: en, de, fr, es, pt, ar."),
    OpenApiParameter("city", OpenApiTypes.INT, description="City id."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "newest", "oldest"]),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1; 20 results per page."),
]


def _errors(form: PracticeFilterForm) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


class PracticeViewSet(viewsets.ViewSet):
    """Published good practices; a signed-in author also reads their own records."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    @extend_schema(
        summary="Search and list practices",
        description=(
            "The knowledge base's search, with the browse page's filters. "
            "Values of one filter are alternatives, filters combine. "
            "Facet counts cover the whole matched set, each counted without its own filter."
        ),
        parameters=LIST_PARAMETERS,
        responses={200: PracticePageSerializer, 400: FILTER_ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = PracticeFilterForm(request.query_params)
        if not form.is_valid():
            return Response(_errors(form), status=400)
        page = form.cleaned_data["page"]
        result = practice_search(query=form.cleaned_data, page=page, page_size=PAGE_SIZE)
        if not form.check_page(result):
            return Response(_errors(form), status=400)
        url = request.build_absolute_uri()
        previous = None
        if result.page == 2:
            previous = remove_query_param(url, "page")
        elif result.page > 2:
            previous = replace_query_param(url, "page", result.page - 1)
        facets = {facet: [vars(value) for value in values] for facet, values in result.facets.items()}
        context = {"request": request}
        return Response(
            {
                "count": result.total,
                "next": replace_query_param(url, "page", result.page + 1) if result.has_next else None,
                "previous": previous,
                "page": result.page,
                "num_pages": result.num_pages,
                "sort": result.sort,
                "results": PracticeListItemSerializer(result.items, many=True, context=context).data,
                "facets": facets,
            }
        )

    @extend_schema(
        summary="Read a practice",
        description="The whole record. A draft is seen only by its author and editors; others get 404.",
        responses={200: PracticeDetailSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, slug: str) -> Response:
        try:
            practice = practice_get_visible(user=request.user, slug=slug)
        except Http404:
            raise NotFound() from None
        context: dict[str, Any] = {"request": request, "related": practice_related(practice=practice)}
        return Response(PracticeDetailSerializer(practice, context=context).data)


# --- Directory: people, organisations, cities ------------------------------------------------------------


def _not_found(what: str) -> OpenApiResponse:
    return OpenApiResponse(
        response={"type": "object", "properties": {"detail": {"type": "string"}}}, description=what
    )


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in form.errors.items()}


def _page_links(request: Request, page: int, has_next: bool) -> tuple[str | None, str | None]:
    url = request.build_absolute_uri()
    previous = None
    if page == 2:
        previous = remove_query_param(url, "page")
    elif page > 2:
        previous = replace_query_param(url, "page", page - 1)
    return (replace_query_param(url, "page", page + 1) if has_next else None), previous


def _page_body(request: Request, result: DirectoryPage[Any], results: Any, **extra: Any) -> dict[str, Any]:
    following, previous = _page_links(request, result.page, result.has_next)
    return {
        "count": result.total,
        "next": following,
        "previous": previous,
        "page": result.page,
        "num_pages": result.num_pages,
        **extra,
        "results": results,
    }


def _facets(result: DirectoryPage[Any]) -> dict[str, list[dict[str, Any]]]:
    return {facet: [vars(value) for value in values] for facet, values in result.facets.items()}


PEOPLE_PARAMETERS = [
    OpenApiParameter(
        "q",
        OpenApiTypes.STR,
        description=(
            "Search text, any language (at most 200 characters). Also finds the contact persons of "
            "published practices matching it."
        ),
    ),
    _many("topic", "Topic of expertise (slug); a cluster includes its subtopics. Repeat for alternatives."),
    _many("actor", "Actor type, e.g. municipal_administration, science, civil_society."),
    _many("lang", "Spoken language, ISO 639-1 code (e.g. fr)."),
    OpenApiParameter(
        "level",
        OpenApiTypes.STR,
        enum=["basic", "working", "fluent", "native"],
        description="Least level of the languages in `lang`.",
    ),
    _many("country", "ISO 3166-1 alpha-2 country code."),
    _many("region", "Region slug."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "name", "newest"]),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1; 20 results per page."),
]

ORGANISATION_PARAMETERS = [
    OpenApiParameter(
        "q", OpenApiTypes.STR, description="Search text, any language (at most 200 characters)."
    ),
    _many("type", "Organisation type, e.g. municipality, university, ngo."),
    _many("country", "ISO 3166-1 alpha-2 country code."),
    _many("region", "Region slug."),
    _many("verified", "yes: verified by the programme; no: not verified."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["relevance", "name", "newest"]),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1; 20 results per page."),
]

CITY_PARAMETERS = [
    _many("country", "ISO 3166-1 alpha-2 country code."),
    _many("region", "Region slug."),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1; 50 cities per page."),
]

CITY_PAGE_SIZE = 50


class PersonViewSet(viewsets.ViewSet):
    """People of the directory, as the caller may see them: visitors see public profiles and public fields,
    signed-in members also those shown to members."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    @extend_schema(
        summary="Search and list people",
        description=(
            "The people directory's search, with the page's filters. Only fields the caller may see are "
            "searched, counted and returned. Values of one filter are alternatives, filters combine."
        ),
        parameters=PEOPLE_PARAMETERS,
        responses={200: PeoplePageSerializer, 400: FILTER_ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = PeopleFilterForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        result = people_search(
            viewer=request.user, query=form.cleaned_data, page=form.cleaned_data["page"], page_size=PAGE_SIZE
        )
        if not form.check_page(result):
            return Response(_form_errors(form), status=400)
        context = {
            "request": request,
            "reasons": {found.person.user_id: found.reasons for found in result.items},
        }
        people = [found.person for found in result.items]
        results = PersonListItemSerializer(people, many=True, context=context).data
        return Response(_page_body(request, result, results, sort=result.sort, facets=_facets(result)))

    @extend_schema(
        summary="Read a person's profile",
        description="The fields the caller may see; the others are null or empty. Profiles the caller may "
        "not open answer 404.",
        responses={
            200: PersonDetailSerializer,
            404: _not_found("No such person, or one the caller may not see."),
        },
    )
    def retrieve(self, request: Request, slug: str) -> Response:
        try:
            person = person_get_visible(viewer=request.user, slug=slug)
        except Http404:
            raise NotFound() from None
        return Response(PersonDetailSerializer(person, context={"request": request}).data)


class OrganisationViewSet(viewsets.ViewSet):
    """Organisations of the network."""

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    @extend_schema(
        summary="Search and list organisations",
        description="The organisation directory's search, with the page's filters and facet counts.",
        parameters=ORGANISATION_PARAMETERS,
        responses={200: OrganisationPageSerializer, 400: FILTER_ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = OrganisationFilterForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        result = organisation_search(
            viewer=request.user, query=form.cleaned_data, page=form.cleaned_data["page"], page_size=PAGE_SIZE
        )
        if not form.check_page(result):
            return Response(_form_errors(form), status=400)
        results = OrganisationListItemSerializer(result.items, many=True, context={"request": request}).data
        return Response(_page_body(request, result, results, sort=result.sort, facets=_facets(result)))

    @extend_schema(
        summary="Read an organisation",
        responses={200: OrganisationDetailSerializer, 404: _not_found("No such organisation.")},
    )
    def retrieve(self, request: Request, slug: str) -> Response:
        try:
            found = organisation_get(viewer=request.user, slug=slug)
        except Http404:
            raise NotFound() from None
        return Response(OrganisationDetailSerializer(found, context={"request": request}).data)


class CityViewSet(viewsets.ViewSet):
    """Cities with activity: published practices, people the caller may find there, organisations."""

    lookup_field = "geoname_id"
    lookup_value_regex = "[0-9]+"

    @extend_schema(
        summary="List cities with activity",
        description="The most active cities first. People are counted only where they show their city to "
        "the caller.",
        parameters=CITY_PARAMETERS,
        responses={200: CityPageSerializer, 400: FILTER_ERRORS},
    )
    def list(self, request: Request) -> Response:
        form = CityFilterForm(request.query_params)
        if not form.is_valid():
            return Response(_form_errors(form), status=400)
        data = form.cleaned_data
        result = city_activity_search(
            viewer=request.user,
            country=data.get("country") or (),
            region=data.get("region") or (),
            page=data["page"],
            page_size=CITY_PAGE_SIZE,
        )
        if not form.check_page(result):
            return Response(_form_errors(form), status=400)
        results = CityActivitySerializer(result.items, many=True, context={"request": request}).data
        return Response(_page_body(request, result, results))

    @extend_schema(
        summary="Read a city with its counts",
        parameters=[OpenApiParameter("geoname_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: CityActivitySerializer, 404: _not_found("No city with this GeoNames id.")},
    )
    def retrieve(self, request: Request, geoname_id: str) -> Response:
        try:
            found = city_activity_get(viewer=request.user, geoname_id=int(geoname_id))
        except Http404:
            raise NotFound() from None
        return Response(CityActivitySerializer(found, context={"request": request}).data)
