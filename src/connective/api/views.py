"""Read-only API of the knowledge base: the search, filters and visibility of the browse and detail pages."""

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
    PracticeDetailSerializer,
    PracticeListItemSerializer,
    PracticePageSerializer,
)
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
