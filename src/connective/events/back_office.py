"""Writes of the back office on events: programme staff create and change events, their agenda sessions and
their reserved places. Keyword-only, atomic and audit-logged, like every service.

What registrants depend on follows each change in the same transaction: new or changed places offer the freed
ones to the waitlist (registration.places_changed), and a change of title, dates or place raises the calendar
revision so subscribed calendars update (services.event_changed_for_calendars). Status changes (publishing,
postponing, cancelling) are not made here: they go through services.py, which tells the registrants.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from connective.accounts.rules import is_programme_staff
from connective.core.middleware import known_time_zones
from connective.core.services import audit_log_record
from connective.events.models import AgendaSession, Event, EventStatus, ReservedPlaces
from connective.events.registration import places_changed
from connective.events.services import event_changed_for_calendars
from connective.events.slugs import event_slug
from connective.network.models import OrganisationType

MAX_QUESTIONS = 20
QUESTION_MAX_LENGTH = 500
MAX_ORGANISERS = 20
MAX_SPEAKERS = 30

# The fields the back office edits; everything else (status, address, counts, revision) has its own service.
EDITABLE_FIELDS = (
    "title",
    "format",
    "summary",
    "description",
    "language",
    "languages",
    "interpretation",
    "region",
    "host_city",
    "host_organisation",
    "starts_at",
    "ends_at",
    "time_zone",
    "mode",
    "venue_name",
    "venue_address",
    "latitude",
    "longitude",
    "online_url",
    "travel_cover",
    "travel_note",
    "participation",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "offer_hours",
    "questions",
    "asks_for_contribution",
    "public_participants",
    "badges",
    "certificates",
    "survey_questions",
)
# A change to one of these is a change subscribed calendars must show.
CALENDAR_FIELDS = frozenset(
    {
        "title",
        "starts_at",
        "ends_at",
        "time_zone",
        "mode",
        "venue_name",
        "venue_address",
        "host_city",
        "latitude",
        "longitude",
        "online_url",
    }
)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _require_staff(actor: Any) -> None:
    if not is_programme_staff(actor):
        raise PermissionDenied


def reserved_total(event: Event, *, leaving_out: ReservedPlaces | None = None) -> int:
    rows = ReservedPlaces.objects.filter(event=event)
    if leaving_out is not None and leaving_out.pk is not None:
        rows = rows.exclude(pk=leaving_out.pk)
    return int(rows.aggregate(total=Sum("places"))["total"] or 0)


def _questions_errors(questions: Any) -> list[str]:
    if not isinstance(questions, list):
        return [gettext("Give one question per line.")]
    errors = []
    if len(questions) > MAX_QUESTIONS:
        errors.append(gettext("Ask at most %(limit)d questions.") % {"limit": MAX_QUESTIONS})
    if any(len(str(question)) > QUESTION_MAX_LENGTH for question in questions):
        errors.append(
            gettext("Each question can be at most %(limit)d characters long.")
            % {"limit": QUESTION_MAX_LENGTH}
        )
    return errors


def event_errors(event: Event) -> dict[str, list[str]]:
    """What is wrong with `event` as the back office would save it, by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not (event.title or "").strip():
        add("title", gettext("Give the title of the event."))
    if event.time_zone not in known_time_zones():
        add(
            "time_zone",
            gettext("“%(zone)s” is not a time zone we know. Use a name such as “Africa/Nairobi”.")
            % {"zone": event.time_zone},
        )
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        add("ends_at", gettext("The event must end after it starts."))
    codes = set(language_codes())
    if event.language not in codes:
        add("language", gettext("Choose a language from the list."))
    for field in ("languages", "interpretation"):
        values = getattr(event, field)
        if not isinstance(values, list) or any(value not in codes for value in values):
            add(field, gettext("Choose languages from the list."))
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        add("registration_closes_at", gettext("Registration must close after it opens."))
    if closes and event.ends_at and closes > event.ends_at:
        add("registration_closes_at", gettext("Registration cannot close after the event has ended."))
    if (event.latitude is None) != (event.longitude is None):
        add(
            "longitude" if event.longitude is None else "latitude",
            gettext("Give both latitude and longitude."),
        )
    if event.latitude is not None and not -90 <= event.latitude <= 90:
        add("latitude", gettext("The latitude is between -90 and 90."))
    if event.longitude is not None and not -180 <= event.longitude <= 180:
        add("longitude", gettext("The longitude is between -180 and 180."))
    for field in ("questions", "survey_questions"):
        for message in _questions_errors(getattr(event, field)):
            add(field, message)
    if event.pk is not None:
        reserved = reserved_total(event)
        if reserved and event.capacity is None:
            add(
                "capacity",
                gettext(
                    "%(reserved)d places are reserved: give the number of places, or remove the reserved "
                    "places first."
                )
                % {"reserved": reserved},
            )
        elif event.capacity is not None and event.capacity < reserved:
            add(
                "capacity",
                gettext(
                    "The reserved places add up to %(reserved)d: give at least that many places, or reduce "
                    "the reserved places first."
                )
                % {"reserved": reserved},
            )
    return errors


def _changed(before: Event, after: Event) -> set[str]:
    changed = set()
    for name in EDITABLE_FIELDS:
        field = Event._meta.get_field(name)
        attname = getattr(field, "attname", name)
        if getattr(before, attname) != getattr(after, attname):
            changed.add(name)
    return changed


@transaction.atomic
def event_save(
    *,
    event: Event,
    actor: Any,
    topics: Iterable[Any] | None = None,
    organisers: Iterable[Any] | None = None,
) -> Event:
    """Create (as a draft) or change an event with the back office's fields; the rest of the row is left alone."""
    _require_staff(actor)
    organisers = list(dict.fromkeys(organisers)) if organisers is not None else None
    if organisers is not None and len(organisers) > MAX_ORGANISERS:
        raise ValidationError(
            {"organisers": gettext("Name at most %(limit)d organisers.") % {"limit": MAX_ORGANISERS}}
        )
    creating = event.pk is None
    before = None if creating else Event.objects.select_for_update().get(pk=event.pk)
    errors = event_errors(event)
    if errors:
        raise ValidationError(errors)
    if creating:
        event.slug = event_slug(event.title)
        event.status = EventStatus.DRAFT
        event.created_by = actor
        event.save()
        changed: set[str] = set()
    else:
        assert before is not None
        changed = _changed(before, event)
        # Only the back office's fields: counts and status may have moved since the form was loaded.
        event.save(update_fields=[*EDITABLE_FIELDS, "updated_at"])
    for name, values in (("topics", topics), ("organisers", organisers)):
        if values is None:
            continue
        related = getattr(event, name)
        wanted = list(values)
        if creating:
            related.set(wanted)
        elif set(related.values_list("pk", flat=True)) != {value.pk for value in wanted}:
            related.set(wanted)
            changed.add(name)
    if creating:
        audit_log_record(actor=actor, action="event.create", target=event)
    else:
        audit_log_record(actor=actor, action="event.update", target=event, fields=sorted(changed))
        if changed & CALENDAR_FIELDS:
            event_changed_for_calendars(event=event)
        if "capacity" in changed:
            places_changed(event=event)
    return event


# --- Agenda sessions ----------------------------------------------------------------------------------------


def _local_date(value: datetime, zone: str) -> Any:
    return value.astimezone(ZoneInfo(zone)).date()


def session_errors(session: AgendaSession) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (session.title or "").strip():
        errors.setdefault("title", []).append(gettext("Give the title of the session."))
    if session.starts_at and session.ends_at and session.ends_at < session.starts_at:
        errors.setdefault("ends_at", []).append(gettext("The session must end after it starts."))
    event = session.event
    zone = event.time_zone if event.time_zone in known_time_zones() else "UTC"
    if session.starts_at and _local_date(session.starts_at, zone) < _local_date(event.starts_at, zone):
        errors.setdefault("starts_at", []).append(
            gettext("The session cannot start before the event's first day.")
        )
    if session.ends_at and _local_date(session.ends_at, zone) > _local_date(event.ends_at, zone):
        errors.setdefault("ends_at", []).append(gettext("The session cannot end after the event's last day."))
    return errors


@transaction.atomic
def session_save(
    *, session: AgendaSession, actor: Any, speakers: Iterable[Any] | None = None
) -> AgendaSession:
    _require_staff(actor)
    speakers = list(dict.fromkeys(speakers)) if speakers is not None else None
    if speakers is not None and len(speakers) > MAX_SPEAKERS:
        raise ValidationError(
            {"speakers": gettext("Name at most %(limit)d speakers.") % {"limit": MAX_SPEAKERS}}
        )
    errors = session_errors(session)
    if errors:
        raise ValidationError(errors)
    creating = session.pk is None
    session.save()
    if speakers is not None:
        session.speakers.set(speakers)
    audit_log_record(
        actor=actor,
        action="event_session.create" if creating else "event_session.update",
        target=session,
        event=session.event_id,
    )
    return session


@transaction.atomic
def session_delete(*, session: AgendaSession, actor: Any) -> None:
    _require_staff(actor)
    audit_log_record(actor=actor, action="event_session.delete", target=session, event=session.event_id)
    session.delete()


# --- Reserved places ----------------------------------------------------------------------------------------


def reserved_errors(reserved: ReservedPlaces) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    has_region = reserved.region_id is not None
    has_type = bool(reserved.organisation_type)
    if has_region == has_type:
        add(
            "region" if has_type else "__all__",
            gettext("Reserve the places either for a region or for a type of organisation, not both.")
            if has_type
            else gettext("Choose the region or the type of organisation the places are kept for."),
        )
    if has_type and reserved.organisation_type not in OrganisationType.values:
        add("organisation_type", gettext("Choose a type of organisation from the list."))
    if reserved.places is None or reserved.places < 1:
        add("places", gettext("Reserve at least one place."))
        return errors
    event = reserved.event
    if event.capacity is None:
        add("event", gettext("This event has no limit of places: give its number of places first."))
        return errors
    others = reserved_total(event, leaving_out=reserved)
    if others + reserved.places > event.capacity:
        add(
            "places",
            gettext(
                "The event has %(capacity)d places and %(others)d are already reserved: at most %(free)d more "
                "can be reserved."
            )
            % {"capacity": event.capacity, "others": others, "free": max(0, event.capacity - others)},
        )
    return errors


@transaction.atomic
def reserved_save(*, reserved: ReservedPlaces, actor: Any) -> ReservedPlaces:
    _require_staff(actor)
    # Locked first, so two people reserving at once cannot together pass the capacity.
    reserved.event = Event.objects.select_for_update().get(pk=reserved.event_id)
    errors = reserved_errors(reserved)
    if errors:
        raise ValidationError(errors)
    creating = reserved.pk is None
    reserved.save()
    audit_log_record(
        actor=actor,
        action="event_reserved.create" if creating else "event_reserved.update",
        target=reserved,
        event=reserved.event_id,
        places=reserved.places,
    )
    places_changed(event=reserved.event)
    return reserved


@transaction.atomic
def reserved_delete(*, reserved: ReservedPlaces, actor: Any) -> None:
    _require_staff(actor)
    event = reserved.event
    audit_log_record(actor=actor, action="event_reserved.delete", target=reserved, event=event.pk)
    reserved.delete()
    # The places counted in these reserved places count as general ones from now on.
    places_changed(event=event)
