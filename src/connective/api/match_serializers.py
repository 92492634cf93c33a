"""How "matches for you" looks in the API.

Mapping only: what matches and what the caller may see of it is decided by connective.network.matches (people
come as network.selectors.person_view shows them to the caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connective.api.serializers import CityBriefSerializer, CountrySerializer, PersonSerializer
from connective.groups.models import Group
from connective.network.matches import Matches
from connective.practices.models import Practice


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class _WhySerializer(serializers.Serializer):
    """Why one record matches the caller, and the language it is written in."""

    score = serializers.FloatField(
        help_text="By meaning: the similarity to the caller's profile (about -0.3 to 0.9). By topics: how many "
        "topics of expertise are shared."
    )
    shared_topics = serializers.ListField(
        child=serializers.CharField(),
        help_text="The caller's topics of expertise the match shares, named in the language of the request.",
    )
    passage = serializers.CharField(
        help_text="The passage of the match nearest the caller's profile; empty when matched by topics."
    )
    language = serializers.CharField(help_text="ISO 639-1 code; empty when the match has no text to read.")
    language_name = serializers.CharField()


class MatchedPracticeSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    city = CityBriefSerializer()
    country = CountrySerializer()
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, practice: Practice) -> str:
        return _absolute(self.context, practice.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, practice: Practice) -> str:
        return _absolute(self.context, reverse("practice-detail", kwargs={"slug": practice.slug}))


class MatchedGroupSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField()
    kind = serializers.CharField(help_text="thematic or regional")
    access = serializers.CharField(help_text="open or closed; secret only for groups the caller may know")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, group: Group) -> str:
        return _absolute(self.context, reverse("groups:detail", kwargs={"slug": group.slug}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, group: Group) -> str:
        return _absolute(self.context, reverse("group-detail", kwargs={"slug": group.slug}))


class PracticeMatchSerializer(_WhySerializer):
    practice = MatchedPracticeSerializer(source="object")


class PersonMatchSerializer(_WhySerializer):
    person = PersonSerializer(source="object", help_text="What the caller may see of the person.")


class GroupMatchSerializer(_WhySerializer):
    group = MatchedGroupSerializer(source="object")


class MatchesSerializer(serializers.Serializer):
    needs_profile = serializers.BooleanField(
        help_text="True when the caller's profile names nothing to match on (no topics of expertise, position "
        "or biography): the lists are empty until it does."
    )
    by_meaning = serializers.BooleanField(
        help_text="True when matched by the meaning of the caller's profile, across languages; false when by "
        "shared topics of expertise (no sentence encoder, or the profile not encoded yet)."
    )
    profile_url = serializers.SerializerMethodField(help_text="Where the caller edits their profile.")
    practices = PracticeMatchSerializer(many=True)
    people = PersonMatchSerializer(many=True)
    groups = GroupMatchSerializer(many=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_profile_url(self, matches: Matches) -> str:
        return _absolute(self.context, reverse("network:profile_edit"))
