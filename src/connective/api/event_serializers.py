"""How events, their agenda and the caller's registrations look in the API.

Mapping only: which events a caller gets is decided by connective.events.selectors, what the caller may do by
its EventAccess and the `rules` perms, and people are shown through network.selectors.person_view (what the
caller may see of them, nothing more). Times are given in the event's own time zone, with its offset, and the
zone's name beside them: the same local time the event page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from connective.api.group_serializers import PersonReferenceSerializer
from connective.api.serializers import RegionSerializer, TopicSerializer
from connective.core.text import render_markdown
from connective.events.models import AgendaSession, Event, ParticipationMode, Registration, RegistrationStatus
from connective.network.selectors import person_view

LOCAL_TIME = {"type": "string", "format": "date-time"}
LOCAL_TIME_OR_NULL = {"type": "string", "format": "date-time", "nullable": True}


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


def _viewer(context: Mapping[str, Any]) -> Any:
    request = context.get("request")
    return request.user if request is not None else None


def _zone(event: Event) -> ZoneInfo:
    try:
        return ZoneInfo(event.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        # A zone name the system no longer knows still gives a correct instant, in UTC.
        return ZoneInfo("UTC")


def local_time(value: datetime | None, event: Event) -> str | None:
    """ISO 8601 in the event's time zone, with its offset: 2030-06-01T09:00:00+02:00."""
    if value is None:
        return None
    return timezone.localtime(value, _zone(event)).isoformat()


def _people(context: Mapping[str, Any], users: Any) -> list[dict[str, Any]]:
    viewer = _viewer(context)
    return [
        dict(PersonReferenceSerializer(person_view(user, viewer, brief=True), context=context).data)
        for user in users
    ]


class HostCitySerializer(serializers.Serializer):
    name = serializers.CharField()
    geoname_id = serializers.IntegerField()
    country = serializers.CharField(source="country_id", help_text="ISO 3166-1 alpha-2")
    country_name = serializers.CharField(source="country.name")


class EventReferenceSerializer(serializers.Serializer):
    """An event named beside something else (a registration)."""

    slug = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.SerializerMethodField(help_text="Local time of the event, with its offset.")
    ends_at = serializers.SerializerMethodField(help_text="Local time of the event, with its offset.")
    time_zone = serializers.CharField(help_text="IANA name of the zone the event happens in.")
    format = serializers.CharField()
    status = serializers.CharField(help_text="published, postponed, cancelled (or draft, for its organisers)")
    status_label = serializers.CharField(source="get_status_display")
    host_city = HostCitySerializer(allow_null=True)
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    @extend_schema_field(LOCAL_TIME)
    def get_starts_at(self, event: Event) -> str | None:
        return local_time(event.starts_at, event)

    @extend_schema_field(LOCAL_TIME)
    def get_ends_at(self, event: Event) -> str | None:
        return local_time(event.ends_at, event)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, event: Event) -> str:
        return _absolute(self.context, reverse("events:detail", kwargs={"slug": event.slug}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, event: Event) -> str:
        return _absolute(self.context, reverse("event-detail", kwargs={"slug": event.slug}))


class EventListItemSerializer(EventReferenceSerializer):
    """An event as the list shows it (context: `statuses`, the caller's registration status per event id)."""

    format_label = serializers.CharField(source="get_format_display")
    summary = serializers.CharField()
    mode = serializers.CharField(help_text="in_person, online or hybrid")
    mode_label = serializers.CharField(source="get_mode_display")
    participation = serializers.CharField(
        help_text="registration: first come, first served up to the capacity, then a waitlist; "
        "application: applicants answer questions and the organisers select."
    )
    region = RegionSerializer(allow_null=True)
    topics = TopicSerializer(many=True, source="topics.all")
    languages = serializers.ListField(child=serializers.CharField(), help_text="Working languages, ISO 639-1")
    capacity = serializers.IntegerField(allow_null=True, help_text="Places; null when there is no limit.")
    confirmed_count = serializers.IntegerField(help_text="Confirmed participants.")
    my_status = serializers.SerializerMethodField(
        help_text="The caller's registration status at the event; null when they have none."
    )

    @extend_schema_field({"type": "string", "enum": list(RegistrationStatus.values), "nullable": True})
    def get_my_status(self, event: Event) -> str | None:
        return self.context["statuses"].get(event.pk)


class EventPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    when = serializers.CharField(help_text="upcoming, past or all: the dates the list covers.")
    results = EventListItemSerializer(many=True)


class OwnRegistrationSerializer(serializers.Serializer):
    """The caller's own registration at an event."""

    status = serializers.CharField(
        help_text="applied (waiting for the organisers' decision), confirmed, waitlisted, offered (a freed "
        "place waits for the caller's answer until offer_expires_at), declined (not selected), cancelled, "
        "expired (an offered place was not confirmed in time)."
    )
    status_label = serializers.CharField(source="get_status_display")
    registered_at = serializers.DateTimeField(source="created_at")
    offer_expires_at = serializers.SerializerMethodField(
        help_text="Until when an offered place waits for the caller (event's local time)."
    )
    message = serializers.CharField(help_text="The organisers' last message to the caller.")
    answers = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="The caller's answers: each with its question.",
    )
    challenge = serializers.CharField(help_text="The challenge the caller brings.")
    public = serializers.BooleanField(help_text="The caller appears on the public list of participants.")
    attended = serializers.SerializerMethodField(help_text="The organisers checked the caller in.")
    certificate_url = serializers.SerializerMethodField(
        help_text="The caller's certificate of participation (PDF), once issued."
    )

    @extend_schema_field(LOCAL_TIME_OR_NULL)
    def get_offer_expires_at(self, registration: Registration) -> str | None:
        if registration.status != RegistrationStatus.OFFERED:
            return None
        return local_time(registration.offer_expires_at, registration.event)

    def get_attended(self, registration: Registration) -> bool:
        return registration.checked_in_at is not None

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_certificate_url(self, registration: Registration) -> str | None:
        # The rule of events.certificates.certificate_of, on the row loaded with the registration.
        certificate = getattr(registration, "certificate", None)
        if (
            certificate is None
            or certificate.revoked_at is not None
            or registration.status != RegistrationStatus.CONFIRMED
        ):
            return None
        return _absolute(
            self.context, reverse("events:certificate", kwargs={"slug": registration.event.slug})
        )


class MyRegistrationSerializer(OwnRegistrationSerializer):
    """One of the caller's registrations, with its event."""

    event = EventReferenceSerializer()


class RegistrationPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    when = serializers.CharField(help_text="upcoming, past or all: the dates of the events covered.")
    results = MyRegistrationSerializer(many=True)


class VenueSerializer(serializers.Serializer):
    name = serializers.CharField(source="venue_name")
    address = serializers.CharField(source="venue_address")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)


class OrganisationReferenceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, organisation: Any) -> str:
        return _absolute(self.context, reverse("network:organisation", kwargs={"slug": organisation.slug}))


class RegistrationWindowSerializer(serializers.Serializer):
    opens_at = serializers.SerializerMethodField(help_text="Null: open since the event was published.")
    closes_at = serializers.SerializerMethodField(
        help_text="When registration closes; the start of the event when the organisers set no date."
    )
    is_open = serializers.SerializerMethodField(help_text="Whether anyone may register or apply now.")
    problem = serializers.SerializerMethodField(
        help_text="Why nobody may register now, in the reader's language; null while registration is open."
    )

    @extend_schema_field(LOCAL_TIME_OR_NULL)
    def get_opens_at(self, event: Event) -> str | None:
        return local_time(event.registration_opens_at, event)

    @extend_schema_field(LOCAL_TIME)
    def get_closes_at(self, event: Event) -> str | None:
        return local_time(event.registration_closes_at or event.starts_at, event)

    def get_is_open(self, event: Event) -> bool:
        return self.context["window_problem"] is None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_problem(self, event: Event) -> str | None:
        problem = self.context["window_problem"]
        return str(problem) if problem is not None else None


class EventCallerSerializer(serializers.Serializer):
    """What the caller is and may do at the event."""

    registration = OwnRegistrationSerializer(allow_null=True)
    can_register = serializers.BooleanField(
        help_text="The caller may register or apply now (signed in, registration open, no active registration)."
    )
    is_participant = serializers.BooleanField(help_text="The caller holds a confirmed place.")
    manages = serializers.BooleanField(help_text="The caller organises the event or is programme staff.")


class EventDetailSerializer(EventListItemSerializer):
    """A whole event, its topics prefetched (context: `access`, `statuses`, `organisers`, `places_left`,
    `window_problem`, `can_register`, `shows_online_url`)."""

    description = serializers.CharField(help_text="Markdown, as written.")
    description_html = serializers.SerializerMethodField(help_text="The description rendered and sanitised.")
    language = serializers.CharField(help_text="Language of the description, ISO 639-1.")
    status_message = serializers.CharField(
        help_text="The organisers' word on a cancellation or postponement."
    )
    interpretation = serializers.ListField(
        child=serializers.CharField(), help_text="Languages interpreted into, ISO 639-1."
    )
    venue = serializers.SerializerMethodField()
    host_organisation = OrganisationReferenceSerializer(allow_null=True)
    online_url = serializers.SerializerMethodField(
        help_text="The link to join online: given to confirmed participants and the organisers only, null "
        "for everyone else."
    )
    has_online_url = serializers.SerializerMethodField(
        help_text="Whether the event has a link to join online."
    )
    travel_cover = serializers.CharField(help_text="Who covers travel costs; empty when not applicable.")
    travel_cover_label = serializers.CharField(source="get_travel_cover_display")
    travel_note = serializers.CharField()
    organisers = serializers.SerializerMethodField()
    places_left = serializers.SerializerMethodField(
        help_text="Free places now (a place offered to someone on the waitlist counts as taken); null when "
        "there is no limit. At 0, a new registration goes on the waitlist."
    )
    registration_window = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField(
        help_text="What applicants answer, in this order (application mode only)."
    )
    asks_for_contribution = serializers.BooleanField(
        help_text="Participants name a practice of theirs or describe a challenge they bring."
    )
    public_participants = serializers.BooleanField(
        help_text="Participants may choose to appear on the public list."
    )
    caller = serializers.SerializerMethodField()
    sessions_url = serializers.SerializerMethodField()
    registration_url = serializers.SerializerMethodField(
        help_text="POST to register or apply, DELETE to cancel."
    )

    def get_description_html(self, event: Event) -> str:
        return str(render_markdown(event.description))

    @extend_schema_field(VenueSerializer)
    def get_venue(self, event: Event) -> dict[str, Any]:
        return dict(VenueSerializer(event).data)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_online_url(self, event: Event) -> str | None:
        if not event.online_url or not self.context["shows_online_url"]:
            return None
        return event.online_url

    def get_has_online_url(self, event: Event) -> bool:
        return bool(event.online_url)

    @extend_schema_field(PersonReferenceSerializer(many=True))
    def get_organisers(self, event: Event) -> list[dict[str, Any]]:
        return _people(self.context, self.context["organisers"])

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_places_left(self, event: Event) -> int | None:
        places_left: int | None = self.context["places_left"]
        return places_left

    @extend_schema_field(RegistrationWindowSerializer)
    def get_registration_window(self, event: Event) -> dict[str, Any]:
        return dict(RegistrationWindowSerializer(event, context=self.context).data)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_questions(self, event: Event) -> list[str]:
        if event.participation != ParticipationMode.APPLICATION:
            return []
        return [str(question) for question in event.questions]

    @extend_schema_field(EventCallerSerializer)
    def get_caller(self, event: Event) -> dict[str, Any]:
        access = self.context["access"]
        caller = {
            "registration": access.registration,
            "can_register": self.context["can_register"],
            "is_participant": access.is_participant,
            "manages": access.manages,
        }
        return dict(EventCallerSerializer(caller, context=self.context).data)

    @extend_schema_field(OpenApiTypes.URI)
    def get_sessions_url(self, event: Event) -> str:
        return _absolute(self.context, reverse("event-sessions", kwargs={"slug": event.slug}))

    @extend_schema_field(OpenApiTypes.URI)
    def get_registration_url(self, event: Event) -> str:
        return _absolute(self.context, reverse("event-registration", kwargs={"slug": event.slug}))


class SessionSerializer(serializers.Serializer):
    """One session of the agenda (context: `event`)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.SerializerMethodField(help_text="Local time of the event, with its offset.")
    ends_at = serializers.SerializerMethodField(help_text="Local time of the event, with its offset.")
    location = serializers.CharField(help_text="Room or place.")
    speakers = serializers.SerializerMethodField(help_text="Speakers with an account on the platform.")
    guest_speakers = serializers.CharField(help_text="Other speakers, as the organisers wrote them.")

    @extend_schema_field(LOCAL_TIME)
    def get_starts_at(self, session: AgendaSession) -> str | None:
        return local_time(session.starts_at, self.context["event"])

    @extend_schema_field(LOCAL_TIME)
    def get_ends_at(self, session: AgendaSession) -> str | None:
        return local_time(session.ends_at, self.context["event"])

    @extend_schema_field(PersonReferenceSerializer(many=True))
    def get_speakers(self, session: AgendaSession) -> list[dict[str, Any]]:
        return _people(self.context, session.speakers.all())


class SessionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="The event's zone, which the sessions' times are given in.")
    results = SessionSerializer(many=True)


# --- Writing ---------------------------------------------------------------------------------------------
# Only types are checked here: the answers, the contribution, the window and the places are the registration
# services' (connective.events.registration), so the API answers with the same messages as the pages.


class RegistrationCreateSerializer(serializers.Serializer):
    answers = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=False),
        required=False,
        default=list,
        max_length=100,
        help_text="Answers to the event's questions, in their order (application mode).",
    )
    practice = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of a practice of the caller's they bring (events that ask for a contribution).",
    )
    challenge = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="A challenge the caller brings (events that ask for a contribution).",
    )
    public = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Appear on the public list of participants (where the event keeps one).",
    )


class OfferAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField(
        help_text="true takes the offered place; false turns it down and it goes to the next person waiting."
    )
