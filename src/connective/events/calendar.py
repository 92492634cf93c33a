"""Events as iCalendar (RFC 5545): one event's .ics, the feed of all public events and each member's private
"my events" feed, plus the private feed addresses (calendar tokens).

One VEVENT per event, whatever the feed: its UID stays the same in every feed and download, so a calendar that
got the event from the .ics and from a subscription keeps one entry, and SEQUENCE (raised by the services at
every change that matters) tells it which copy is newer. Times are written in the event's own zone with its
VTIMEZONE, so a calendar shows "10:00 in Nairobi" correctly wherever its reader is.

The online link is for confirmed participants only, so it appears in nothing but their own private feed.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from icalendar.enums import STATUS, TRANSP

from connective.core.services import audit_log_record
from connective.events.models import (
    ACTIVE,
    AttendanceMode,
    CalendarToken,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from connective.events.notices import event_path
from connective.events.selectors import events_public, my_registrations
from connective.notifications.links import absolute

# Public feed: what is coming and what just happened; older events drop out of subscribed calendars, which
# keeps the feed small enough for calendar apps that poll it every hour.
PUBLIC_FEED_PAST_DAYS = 90
# A member's own feed keeps a year of history: "when was that workshop I went to?" is asked of a calendar.
MY_FEED_PAST_DAYS = 365
FEED_MAX_EVENTS = 500
# How often subscribed calendars should fetch a feed again.
FEED_REFRESH = timedelta(hours=1)
# Registrations still hoping for a place: in the member's calendar, but only pencilled in.
HOPING = (RegistrationStatus.APPLIED, RegistrationStatus.WAITLISTED)
TOKEN_BYTES = 32


# --- Tokens of the private feeds ----------------------------------------------------------------------------


def calendar_token_for(user: Any) -> CalendarToken:
    """The member's private feed address, made on first use."""
    existing = CalendarToken.objects.filter(user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return CalendarToken.objects.create(user=user, token=secrets.token_urlsafe(TOKEN_BYTES))
    except IntegrityError:
        # Two first requests at once (two tabs): the other one made it; both answer with the same address.
        return CalendarToken.objects.get(user=user)


@transaction.atomic
def calendar_token_reset(*, user: Any) -> CalendarToken:
    """A new private feed address for the member; the old one answers 404 from now on (a leaked address is
    retired this way)."""
    token = calendar_token_for(user)
    token.token = secrets.token_urlsafe(TOKEN_BYTES)
    token.save(update_fields=["token", "created_at"])
    # The token itself is a secret and stays out of the log.
    audit_log_record(actor=user, action="calendar_token.reset", target=token)
    return token


def calendar_token_owner(token: str) -> Any | None:
    """The active member whose feed `token` opens, or None."""
    if not token:
        return None
    found = CalendarToken.objects.filter(token=token, user__is_active=True).select_related("user").first()
    return found.user if found is not None else None


# --- Which events --------------------------------------------------------------------------------------------


def public_feed_events(*, now: datetime | None = None) -> QuerySet[Event]:
    since = (now or timezone.now()) - timedelta(days=PUBLIC_FEED_PAST_DAYS)
    return (
        events_public()
        .filter(ends_at__gte=since)
        .select_related("host_city__country")
        .order_by("starts_at", "pk")[:FEED_MAX_EVENTS]
    )


def my_feed_registrations(user: Any, *, now: datetime | None = None) -> QuerySet[Registration]:
    """The member's places and hopes for places; declined, cancelled and expired ones leave the calendar."""
    since = (now or timezone.now()) - timedelta(days=MY_FEED_PAST_DAYS)
    return (
        my_registrations(user)
        .filter(status__in=ACTIVE, event__ends_at__gte=since)
        .select_related("event__host_city__country")
        .order_by("event__starts_at", "event__pk")[:FEED_MAX_EVENTS]
    )


# --- iCalendar -----------------------------------------------------------------------------------------------


def calendar_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def event_uid(event: Event) -> str:
    return f"event-{event.pk}@{calendar_host()}"


def event_zone(event: Event) -> ZoneInfo:
    try:
        return ZoneInfo(event.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        # A zone name the system no longer knows still gives correct instants, written in UTC.
        return ZoneInfo("UTC")


def event_location(event: Event, *, online_url: str = "") -> str:
    """Venue, address and city, each part once (an address often names its city already)."""
    parts: list[str] = []
    city = event.host_city
    candidates = [event.venue_name, event.venue_address]
    if city is not None:
        candidates.append(city.name)
        candidates.append(city.country.name)
    for part in candidates:
        part = part.strip()
        if part and not any(part.casefold() in seen.casefold() for seen in parts):
            parts.append(part)
    if event.mode == AttendanceMode.ONLINE and not event.venue_name:
        parts.insert(0, online_url or _("Online"))
    return ", ".join(parts)


def _status(event: Event, registration: Registration | None) -> STATUS:
    if event.status == EventStatus.CANCELLED:
        return STATUS.CANCELLED
    if event.status in (EventStatus.POSTPONED, EventStatus.DRAFT):
        return STATUS.TENTATIVE
    if registration is not None and registration.status in HOPING:
        return STATUS.TENTATIVE
    return STATUS.CONFIRMED


def _description(event: Event, url: str, registration: Registration | None, online_url: str) -> str:
    paragraphs: list[str] = []
    if event.status == EventStatus.CANCELLED:
        paragraphs.append(_("This event is cancelled."))
    elif event.status == EventStatus.POSTPONED:
        paragraphs.append(_("This event is postponed; new dates will follow."))
    if event.status_message and event.status in (EventStatus.CANCELLED, EventStatus.POSTPONED):
        paragraphs.append(event.status_message)
    if event.summary:
        paragraphs.append(event.summary)
    if registration is not None:
        paragraphs.append(_("Your registration: %(status)s") % {"status": registration.get_status_display()})
    if online_url:
        paragraphs.append(_("Join online: %(url)s") % {"url": online_url})
    paragraphs.append(url)
    return "\n\n".join(paragraphs)


def event_component(
    event: Event, *, registration: Registration | None = None, in_public_feed: bool = False
) -> icalendar.Event:
    """The VEVENT of `event`. With `registration` (the member's own feed) it says where the member stands, and
    a confirmed participant gets the online link."""
    zone = event_zone(event)
    url = absolute(event_path(event))
    online_url = ""
    if (
        registration is not None
        and registration.status == RegistrationStatus.CONFIRMED
        and event.status != EventStatus.CANCELLED
    ):
        online_url = event.online_url
    component = icalendar.Event.new(
        uid=event_uid(event),
        sequence=event.sequence,
        # Without METHOD, DTSTAMP is when the information last changed (RFC 5545 3.8.7.2): it keeps the feed
        # the same bytes from one poll to the next until something changes.
        stamp=event.updated_at,
        created=event.created_at,
        last_modified=event.updated_at,
        start=timezone.localtime(event.starts_at, zone),
        end=timezone.localtime(event.ends_at, zone),
        summary=event.title,
        description=_description(event, url, registration, online_url),
        location=event_location(event, online_url=online_url) or None,
        url=url,
        status=_status(event, registration),
        categories=[str(event.get_format_display())],
    )
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", (event.latitude, event.longitude))
    if in_public_feed:
        # Subscribing to everything on offer must not mark the reader busy at every event.
        component.transparency = TRANSP.TRANSPARENT
    return component


def _calendar(
    name: str, uid: str, components: Sequence[icalendar.Event], starts: Iterable[datetime]
) -> bytes:
    language = (get_language() or settings.LANGUAGE_CODE).upper()
    calendar = icalendar.Calendar.new(
        prodid=f"-//{settings.WAGTAIL_SITE_NAME}//Events//{language}",
        name=name,
        uid=uid,
    )
    # RFC 7986 requires the VALUE parameter, which the library's own setter leaves out.
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    # Older clients (Outlook, Apple Calendar) read this one instead.
    calendar.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH))
    for component in components:
        calendar.add_component(component)
    years = [start.year for start in starts]
    if years:
        # Whole years, so the VTIMEZONE blocks stay the same from one poll to the next; a year of margin on
        # each side covers a local date in another year than the UTC one and events that end in the next.
        # Sorted, so the feed's bytes (and its ETag) are the same on every server and after every restart.
        first, last = min(years) - 1, max(years) + 2
        blocks = [_timezone_block(tzid, first, last) for tzid in sorted(calendar.get_missing_tzids())]
        calendar.subcomponents[0:0] = [block for block in blocks if block is not None]
    return calendar.to_ical()


@functools.lru_cache(maxsize=512)
def _timezone_block(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone | None:
    """The VTIMEZONE of one zone over whole years. Working out a zone's transitions is most of a feed's cost, so
    each is computed once per process; the component is only read when a calendar is written out."""
    try:
        return icalendar.Timezone.from_tzid(
            tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
        )
    except ValueError:
        return None


def event_ics(event: Event) -> bytes:
    return _calendar(
        event.title,
        f"event-{event.pk}-calendar@{calendar_host()}",
        [event_component(event)],
        [event.starts_at],
    )


def public_feed(events: Sequence[Event]) -> bytes:
    return _calendar(
        _("Events of %(site)s") % {"site": settings.WAGTAIL_SITE_NAME},
        f"events@{calendar_host()}",
        [event_component(event, in_public_feed=True) for event in events],
        [event.starts_at for event in events],
    )


def my_feed(user: Any, registrations: Sequence[Registration]) -> bytes:
    return _calendar(
        _("My events at %(site)s") % {"site": settings.WAGTAIL_SITE_NAME},
        f"my-events-{user.pk}@{calendar_host()}",
        [event_component(r.event, registration=r) for r in registrations],
        [r.event.starts_at for r in registrations],
    )
