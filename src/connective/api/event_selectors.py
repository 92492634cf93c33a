"""Reads of the events API. What a caller may see is decided by connective.events.selectors (events_visible,
event_for, my_registrations), the functions the pages call; this module only loads what the API's
representation shows, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from connective.core.models import Topic
from connective.events.models import AgendaSession, Event, Registration
from connective.events.selectors import EventFilters, event_list, my_registrations
from connective.practices.models import Practice

# What person_view(..., brief=True) reads of a user, joined to the row that names the user.
_BRIEF_PERSON = ("profile", "organisation", "city", "country")


def _people() -> QuerySet[Any]:
    return get_user_model().objects.select_related(*_BRIEF_PERSON)


def _topics() -> Prefetch[Any]:
    return Prefetch("topics", queryset=Topic.objects.order_by("position", "slug"))


def events_listed(*, viewer: Any, filters: EventFilters) -> QuerySet[Event]:
    """The event list page's search, with the topics each event shows."""
    return event_list(viewer, filters).prefetch_related(_topics())


def registration_statuses(*, viewer: Any, event_ids: Iterable[int]) -> dict[int, str]:
    """The caller's registration status at each of these events, for those they have one at."""
    if viewer is None or not viewer.is_authenticated:
        return {}
    rows = Registration.objects.filter(user=viewer, event_id__in=list(event_ids)).values_list(
        "event_id", "status"
    )
    return {event_id: str(status) for event_id, status in rows}


def with_topics(event: Event) -> Event:
    """The event with its topics loaded in the list's order, for `topics.all`."""
    prefetch_related_objects([event], _topics())
    return event


def organisers_of(event: Event) -> list[Any]:
    return list(_people().filter(organised_events=event).order_by("last_name", "first_name", "pk"))


def sessions_of(event: Event) -> QuerySet[AgendaSession]:
    """The agenda in time order, each session with its speakers' public details."""
    speakers = Prefetch("speakers", queryset=_people().order_by("last_name", "first_name", "pk"))
    return AgendaSession.objects.filter(event=event).prefetch_related(speakers).order_by("starts_at", "pk")


def registrations_listed(*, viewer: Any, when: str, now: datetime | None = None) -> QuerySet[Registration]:
    """The caller's own registrations (none at drafts, as on "my events"), latest event first."""
    now = now or timezone.now()
    registrations = my_registrations(viewer).select_related("event__host_city__country")
    if when == "upcoming":
        return registrations.filter(event__ends_at__gte=now).order_by("event__starts_at", "event_id")
    if when == "past":
        return registrations.filter(event__ends_at__lt=now)
    return registrations.order_by("-event__starts_at", "-event_id")


def own_practice(*, user: Any, pk: int) -> Practice | None:
    """The caller's own practice with this id, the ones the registration form offers; None otherwise."""
    return Practice.objects.filter(pk=pk, author=user).first()


def registration_shown(*, registration: Registration) -> Registration:
    """The registration again, with what its representation shows (its event, the event's city, the
    certificate) loaded in the same query, after a service changed it."""
    return Registration.objects.select_related("event__host_city__country", "certificate").get(
        pk=registration.pk
    )
