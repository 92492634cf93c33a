"""Every read of events, filtered by what the viewer may see. A draft is seen only by its organisers and
programme staff; published, postponed and cancelled events by everyone. Anything else answers 404."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from connective.accounts.rules import is_programme_staff
from connective.events.models import (
    AgendaSession,
    AttendanceMode,
    Event,
    EventDocument,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from connective.groups.models import Thread
from connective.search.hybrid import hybrid_queryset
from connective.search.index import Document
from connective.search.text import STEMMER_LANGUAGES
from connective.search.vectors import VectorIndex

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.POSTPONED, EventStatus.CANCELLED)


def events_visible(user: Any) -> QuerySet[Event]:
    events = Event.objects.all()
    if is_programme_staff(user):
        return events
    if user is not None and user.is_authenticated:
        organised = Event.organisers.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
        return events.filter(Q(status__in=PUBLIC_STATUSES) | Exists(organised))
    return events.filter(status__in=PUBLIC_STATUSES)


def events_public() -> QuerySet[Event]:
    """What anyone may see, for feeds and sitemaps that are the same for every reader."""
    return Event.objects.filter(status__in=PUBLIC_STATUSES)


@dataclass
class EventAccess:
    event: Event
    is_staff: bool
    is_organiser: bool
    registration: Registration | None

    @property
    def can_see(self) -> bool:
        return self.event.status in PUBLIC_STATUSES or self.is_organiser or self.is_staff

    @property
    def is_participant(self) -> bool:
        return self.registration is not None and self.registration.status == RegistrationStatus.CONFIRMED

    @property
    def attended(self) -> bool:
        return (
            self.is_participant
            and self.registration is not None
            and self.registration.checked_in_at is not None
        )

    @property
    def manages(self) -> bool:
        return self.is_organiser or self.is_staff


def event_access(user: Any, event: Event) -> EventAccess:
    authenticated = user is not None and user.is_authenticated
    registration = None
    is_organiser = False
    if authenticated:
        registration = (
            Registration.objects.filter(event=event, user=user).select_related("certificate").first()
        )
        # event_for reads it with the event; others ask.
        known: bool | None = getattr(event, "viewer_organises", None)
        is_organiser = known if known is not None else event.organisers.filter(pk=user.pk).exists()
    return EventAccess(
        event=event,
        is_staff=bool(is_programme_staff(user)),
        is_organiser=bool(is_organiser),
        registration=registration,
    )


def event_for(user: Any, slug: str) -> EventAccess:
    """The event at `slug` with what `user` may do there; 404 when they may not see it."""
    queryset = (
        Event.objects.select_related("host_city__country", "host_organisation", "region")
        # Whether any working-group thread is about it, read in the same query, so that the page asks for the
        # discussions (groups' template tag, filtered by who reads) only when there are some.
        .annotate(has_group_threads=Exists(Thread.objects.filter(event=OuterRef("pk"), post_count__gt=0)))
        # Likewise the parts of the page that are often empty, and whether the viewer organises it: each would
        # otherwise be a query of its own on every view of the page.
        .annotate(
            has_documents=Exists(EventDocument.objects.filter(event=OuterRef("pk"))),
            has_practices=Exists(Event.practices.through.objects.filter(event_id=OuterRef("pk"))),
        )
        .filter(slug=slug)
    )
    if user is not None and user.is_authenticated:
        queryset = queryset.annotate(
            viewer_organises=Exists(
                Event.organisers.through.objects.filter(event_id=OuterRef("pk"), user_id=user.pk)
            )
        )
    event = queryset.first()
    if event is None:
        raise Http404
    access = event_access(user, event)
    if not access.can_see:
        raise Http404
    return access


@dataclass
class EventFilters:
    q: str = ""
    format: str = ""
    topic: str = ""
    region: str = ""
    language: str = ""
    mode: str = ""  # "online" or "in_person"
    when: str = "upcoming"  # "upcoming", "past" or "all"


def event_vector_index() -> VectorIndex:
    return VectorIndex("event")


def event_documents(ids: Sequence[int]) -> list[Document]:
    """What matching by meaning reads of an event (drafts too: their organisers look for whom to invite;
    lists show only what the viewer may see)."""
    events = Event.objects.filter(pk__in=list(ids)).select_related("host_city").order_by("pk")
    documents = []
    for event in events:
        language = event.language if event.language in STEMMER_LANGUAGES else "en"
        place = [event.host_city.name] if event.host_city else []
        documents.append(
            Document(
                id=event.pk,
                language=language,
                title=event.title,
                body="\n".join([event.summary, event.description, *place]),
                passages=tuple(text for text in (event.summary, event.description) if text),
            )
        )
    return documents


def event_list(user: Any, filters: EventFilters, *, now: datetime | None = None) -> QuerySet[Event]:
    """The events `user` may see, filtered; with words (`q`), those matching them or their meaning in any
    language, best match first (search/hybrid.py)."""
    now = now or timezone.now()
    events = events_visible(user).select_related("host_city__country", "region")
    events = _narrowed(events, filters, now)
    if not filters.q:
        return events
    words = Q()
    for word in filters.q.split()[:8]:
        words &= Q(title__icontains=word) | Q(summary__icontains=word)
    return hybrid_queryset(
        events,
        vectors=event_vector_index(),
        query=filters.q,
        words=words,
        title=Q(title__icontains=filters.q),
    )


def _narrowed(events: QuerySet[Event], filters: EventFilters, now: datetime) -> QuerySet[Event]:
    if filters.format:
        events = events.filter(format=filters.format)
    if filters.topic:
        events = events.filter(
            Q(topics__slug=filters.topic) | Q(topics__parent__slug=filters.topic)
        ).distinct()
    if filters.region:
        events = events.filter(region__slug=filters.region)
    if filters.language:
        # Works on SQLite and PostgreSQL alike: the JSON list as text holds "fr" with its quotes.
        events = events.filter(Q(languages__icontains=f'"{filters.language}"') | Q(language=filters.language))
    if filters.mode == "online":
        events = events.filter(mode__in=(AttendanceMode.ONLINE, AttendanceMode.HYBRID))
    elif filters.mode == "in_person":
        events = events.filter(mode__in=(AttendanceMode.IN_PERSON, AttendanceMode.HYBRID))
    if filters.when == "past":
        return events.filter(ends_at__lt=now).order_by("-starts_at", "-pk")
    if filters.when == "upcoming":
        events = events.filter(ends_at__gte=now)
    return events.order_by("starts_at", "pk")


def events_in_month(user: Any, start: datetime, end: datetime) -> QuerySet[Event]:
    return (
        events_visible(user)
        .filter(starts_at__lt=end, ends_at__gte=start)
        .select_related("host_city")
        .order_by("starts_at", "pk")
    )


def event_page_parts(access: EventAccess) -> dict[str, Any]:
    """The agenda, documents and practices of the event page, in a fixed number of queries."""
    event = access.event
    sessions = list(
        AgendaSession.objects.filter(event=event).prefetch_related(Prefetch("speakers", queryset=_people()))
    )
    documents: list[EventDocument] = []
    if getattr(event, "has_documents", True):
        shown = EventDocument.objects.filter(event=event)
        if not (access.is_participant or access.manages):
            shown = shown.filter(participants_only=False)
        documents = list(shown)
    practices: list[Any] = []
    if getattr(event, "has_practices", True):
        practices = list(event.practices.filter(status="published").only("slug", "title"))
    return {
        "sessions": sessions,
        "documents": documents,
        "organisers": list(_people().filter(organised_events=event)),
        "topics": list(event.topics.all()),
        "practices": practices,
    }


def _people() -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile", "organisation", "city", "country")


def public_participants(event: Event) -> QuerySet[Registration]:
    if not event.public_participants:
        return Registration.objects.none()
    return (
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED, public=True)
        .select_related("user__profile", "user__organisation", "user__city", "user__country")
        .order_by("user__last_name", "user__first_name")
    )


def participants_for_organisers(event: Event, *, status: str = "") -> QuerySet[Registration]:
    registrations = Registration.objects.filter(event=event).select_related(
        "user__organisation", "user__country", "user__city", "practice", "reserved__region"
    )
    if status:
        registrations = registrations.filter(status=status)
    return registrations.order_by("status", "waitlisted_at", "created_at", "pk")


def my_registrations(user: Any) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(user=user)
        .exclude(event__status=EventStatus.DRAFT)
        .select_related("event__host_city", "certificate")
        .order_by("-event__starts_at")
    )
