"""How practices, people, organisations and cities look in the API.

Mapping only: what a viewer may see is decided by the selectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connective.network.selectors import PersonView
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


# --- Directory: people, organisations, cities ------------------------------------------------------------
# People are serialised from a PersonView only (network.selectors.person_view): a field the caller may not see
# is not in the view, and comes out as null (or an empty list), never as its value.


class _Blank(serializers.CharField):
    """Text that is null when empty: a field the caller may not see, or one the person left empty."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return str(value) if value else None


class DirectoryOrganisationBriefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, organisation: Any) -> str:
        return _absolute(self.context, reverse("network:organisation", kwargs={"slug": organisation.slug}))


class LanguageSkillSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 639-1 code")
    name = serializers.CharField()
    level = serializers.CharField(help_text="basic, working, fluent or native")
    level_label = serializers.CharField()


class ProfileLinkSerializer(serializers.Serializer):
    url = serializers.URLField()
    label = serializers.CharField()  # type: ignore[assignment]


class ReasonSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="expertise, profile or practices")
    text = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    """A person as the caller may see them: fields they may not see are null or empty."""

    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()
    position = _Blank()
    organisation = DirectoryOrganisationBriefSerializer(allow_null=True)
    city = CityBriefSerializer(allow_null=True)
    country = CountrySerializer(allow_null=True)
    actor_type = _Blank()
    actor_type_label = _Blank()
    expertise = TopicSerializer(many=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, person: PersonView) -> str:
        return _absolute(self.context, person.url or "")

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_photo_url(self, person: PersonView) -> str | None:
        return _absolute(self.context, person.photo_url) if person.photo_url else None


class PersonListItemSerializer(PersonSerializer):
    reasons = serializers.SerializerMethodField(help_text="Why the person was found (with search text only).")

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, person: PersonView) -> list[dict[str, str]]:
        reasons = self.context.get("reasons", {}).get(person.user_id, [])
        return [{"kind": reason.kind, "text": reason.text} for reason in reasons]


class PersonDetailSerializer(PersonSerializer):
    languages = LanguageSkillSerializer(many=True)
    bio = _Blank()
    bio_language = _Blank()
    links = ProfileLinkSerializer(many=True)


class PeopleFacetsSerializer(serializers.Serializer):
    """Counts over the whole matched set, at the caller's level: hidden fields are never counted."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            facet: FacetValueSerializer(many=True)
            for facet in ("topic", "actor", "lang", "country", "region")
        }


class _DirectoryPageSerializer(serializers.Serializer):
    """The envelope of a directory list: subclasses add `results` and `facets`."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    sort = serializers.CharField()


class PeoplePageSerializer(_DirectoryPageSerializer):
    results = PersonListItemSerializer(many=True)
    facets = PeopleFacetsSerializer()


class OrganisationListItemSerializer(serializers.Serializer):
    """An organisation found in the directory, with what the caller may count of it."""

    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    type = serializers.CharField(source="organisation.type")
    type_label = serializers.CharField(source="organisation.get_type_display")
    website = serializers.URLField(source="organisation.website")
    city = CityBriefSerializer(source="organisation.city", allow_null=True)
    country = CountrySerializer(source="organisation.country")
    verified = serializers.BooleanField(source="organisation.is_verified")
    people = serializers.IntegerField(help_text="People the caller may find there")
    practices = serializers.IntegerField(help_text="Published practices it leads")
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, found: Any) -> str:
        path = reverse("network:organisation", kwargs={"slug": found.organisation.slug})
        return _absolute(self.context, path)


class OrganisationDetailSerializer(OrganisationListItemSerializer):
    description = serializers.CharField(source="organisation.description")
    description_language = serializers.CharField(source="organisation.description_language")
    verified_at = serializers.DateTimeField(source="organisation.verified_at", allow_null=True)
    logo_url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_logo_url(self, found: Any) -> str | None:
        logo = found.organisation.logo
        return _absolute(self.context, logo.url) if logo else None


class OrganisationFacetsSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {facet: FacetValueSerializer(many=True) for facet in ("type", "country", "region", "verified")}


class OrganisationPageSerializer(_DirectoryPageSerializer):
    results = OrganisationListItemSerializer(many=True)
    facets = OrganisationFacetsSerializer()


class CityCountsSerializer(serializers.Serializer):
    practices = serializers.IntegerField(help_text="Published practices")
    people = serializers.IntegerField(help_text="People the caller may find who show this city to them")
    organisations = serializers.IntegerField()


class CityActivitySerializer(serializers.Serializer):
    geoname_id = serializers.IntegerField(source="city.geoname_id")
    name = serializers.CharField(source="city.name")
    country = CountrySerializer(source="city.country")
    region = RegionSerializer(source="city.country.region")
    latitude = serializers.FloatField(source="city.latitude")
    longitude = serializers.FloatField(source="city.longitude")
    population = serializers.IntegerField(source="city.population")
    counts = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    practices_url = serializers.SerializerMethodField()

    @extend_schema_field(CityCountsSerializer)
    def get_counts(self, found: Any) -> dict[str, int]:
        return {"practices": found.practices, "people": found.people, "organisations": found.organisations}

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, found: Any) -> str:
        return _absolute(self.context, reverse("network:city", kwargs={"geoname_id": found.city.geoname_id}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_practices_url(self, found: Any) -> str:
        return _absolute(self.context, f"{reverse('practices:list')}?city={found.city.pk}")


class CityPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    results = CityActivitySerializer(many=True)
