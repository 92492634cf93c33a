"""How practices look in the API. Mapping only: what a viewer may see is decided by the selectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connective.practices.exports import SECTION_FIELDS
from connective.practices.models import Practice, PracticeDocument, PracticeImage

# Images are served at a size that reads well on a large screen and stays light on a phone.
IMAGE_RENDITION = "max-1200x900"


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class TopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class SDGSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()


class RegionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CountrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CityBriefSerializer(serializers.Serializer):
    name = serializers.CharField()
    geoname_id = serializers.IntegerField()


class CitySerializer(CityBriefSerializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    population = serializers.IntegerField()


class OrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    website = serializers.URLField()


class ContactSerializer(serializers.Serializer):
    """The contact person's name only: people are written to through the platform, never by their address."""

    display_name = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    start_year = serializers.IntegerField(allow_null=True)
    end_year = serializers.IntegerField(allow_null=True)


class SectionsSerializer(serializers.Serializer):
    """The long-text sections, as Markdown; empty text for a section the record does not fill."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {field: serializers.CharField() for field in SECTION_FIELDS}


class ImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.SerializerMethodField()
    height = serializers.SerializerMethodField()
    alt_text = serializers.CharField()
    caption = serializers.CharField()

    def _rendition(self, item: PracticeImage) -> Any:
        # url, width and height come from one rendition, looked up once per image.
        if not hasattr(item, "_api_rendition"):
            item._api_rendition = item.image.get_rendition(IMAGE_RENDITION)  # type: ignore[attr-defined]
        return item._api_rendition  # type: ignore[attr-defined]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, item: PracticeImage) -> str:
        return _absolute(self.context, self._rendition(item).url)

    def get_width(self, item: PracticeImage) -> int:
        return int(self._rendition(item).width)

    def get_height(self, item: PracticeImage) -> int:
        return int(self._rendition(item).height)


class DocumentSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    file_extension = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, item: PracticeDocument) -> str:
        return _absolute(self.context, item.document.url)

    def get_file_extension(self, item: PracticeDocument) -> str:
        return str(item.document.file_extension)


class LinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()
    kind = serializers.CharField(help_text="source or link")


class RelatedPracticeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField(
        help_text=(
            "How this practice relates to the one shown: "
            "related, adapts, replicates, adapted_by, replicated_by"
        )
    )
    url = serializers.URLField()


class PracticeListItemSerializer(serializers.Serializer):
    """A compact practice, as a result of the list."""

    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    language = serializers.CharField()
    city = CityBriefSerializer()
    country = CountrySerializer()
    region = RegionSerializer()
    size = serializers.CharField(source="city_size")
    topics = TopicSerializer(many=True)
    start_year = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, practice: Practice) -> str:
        return _absolute(self.context, practice.get_absolute_url())


class PracticeDetailSerializer(PracticeListItemSerializer):
    """A whole practice record."""

    status = serializers.CharField(
        help_text="published; an author reading their own record also sees draft etc."
    )
    sections = serializers.SerializerMethodField()
    sdgs = SDGSerializer(many=True)
    city = CitySerializer()  # type: ignore[assignment]
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    period = serializers.SerializerMethodField()
    lead_organisation = OrganisationSerializer(allow_null=True)
    partners = OrganisationSerializer(many=True)
    contact = ContactSerializer(allow_null=True)
    images = ImageSerializer(many=True)
    documents = DocumentSerializer(many=True)
    links = LinkSerializer(many=True)
    related = serializers.SerializerMethodField()
    licence = serializers.CharField()
    licence_name = serializers.CharField(source="get_licence_display")
    last_verified = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()

    @extend_schema_field(SectionsSerializer)
    def get_sections(self, practice: Practice) -> dict[str, str]:
        return {field: getattr(practice, field) for field in SECTION_FIELDS}

    @extend_schema_field(PeriodSerializer)
    def get_period(self, practice: Practice) -> dict[str, int | None]:
        return {"start_year": practice.start_year, "end_year": practice.end_year}

    @extend_schema_field(RelatedPracticeSerializer(many=True))
    def get_related(self, practice: Practice) -> list[dict[str, str]]:
        pairs = self.context.get("related", [])
        return [
            {
                "slug": other.slug,
                "title": other.title,
                "kind": kind,
                "url": _absolute(self.context, other.get_absolute_url()),
            }
            for kind, other in pairs
        ]


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()
    selected = serializers.BooleanField()
    level = serializers.IntegerField(help_text="1 for a subtopic shown under its cluster, else 0")


class FacetsSerializer(serializers.Serializer):
    """Counts over the whole matched set; each facet is counted without its own filter."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            facet: FacetValueSerializer(many=True)
            for facet in ("topic", "sdg", "region", "country", "size", "year", "lang")
        }


class PracticePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    sort = serializers.CharField()
    results = PracticeListItemSerializer(many=True)
    facets = FacetsSerializer()
