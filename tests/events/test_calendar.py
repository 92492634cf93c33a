"""Events in calendar apps: the event's .ics, the public feed, the private "my events" feed and its address.
Every calendar is read back with icalendar's own parser, as a calendar app would read it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from connective.core.models import AuditLog
from connective.events import calendar as event_calendar
from connective.events.calendar import calendar_token_for
from connective.events.models import (
    AttendanceMode,
    CalendarToken,
    Event,
    EventFormat,
    EventStatus,
    RegistrationStatus,
)
from tests.factories import AgendaSessionFactory, EventFactory, RegistrationFactory, UserFactory, city

pytestmark = pytest.mark.django_db

SITE = "https://cities.example.org"
NAIROBI = ZoneInfo("Africa/Nairobi")
ONLINE_LINK = "https://meet.example.org/room-42"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = SITE


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def parsed(response: Any) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(component["UID"]): component for component in calendar.walk("VEVENT")}


def uid(event: Event) -> str:
    return f"event-{event.pk}@cities.example.org"


def ics_url(event: Event) -> str:
    return reverse("events:ics", kwargs={"slug": event.slug})


def mine_url(token: str) -> str:
    return reverse("events:feed_mine", kwargs={"token": token})


def nairobi_workshop(**fields: Any) -> Event:
    values: dict[str, Any] = {
        "title": "Water utilities in transition",
        "slug": "water-utilities",
        "format": EventFormat.PRACTITIONERS_WORKSHOP,
        "summary": "Utilities compare tariffs that work.",
        "starts_at": datetime(2031, 5, 6, 9, 0, tzinfo=NAIROBI),
        "ends_at": datetime(2031, 5, 7, 17, 30, tzinfo=NAIROBI),
        "time_zone": "Africa/Nairobi",
        "venue_name": "City Hall",
        "venue_address": "City Hall Way",
        "latitude": -1.2864,
        "longitude": 36.8172,
        "online_url": ONLINE_LINK,
        "mode": AttendanceMode.HYBRID,
        "sequence": 3,
    }
    values.update(fields)
    return EventFactory(**values)


# --- The event's .ics -----------------------------------------------------------------------------------------


def test_event_ics_has_one_vevent_with_the_event_fields() -> None:
    event = nairobi_workshop()
    AgendaSessionFactory.create_batch(2, event=event)
    response = Client().get(ics_url(event))
    calendar = parsed(response)
    assert response["Content-Disposition"] == 'inline; filename="water-utilities.ics"'
    assert response["Cache-Control"] == "public, max-age=900"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == uid(event)
    assert vevent["SEQUENCE"] == 3
    assert vevent.start == datetime(2031, 5, 6, 9, 0, tzinfo=NAIROBI)
    assert vevent.start.tzinfo is not None and str(vevent.start.tzinfo) == "Africa/Nairobi"
    assert vevent.end == datetime(2031, 5, 7, 17, 30, tzinfo=NAIROBI)
    assert vevent.to_ical().decode().count("DTSTART;TZID=Africa/Nairobi:20310506T090000") == 1
    assert [tz.tz_name for tz in calendar.timezones] == ["Africa/Nairobi"]
    assert str(vevent["SUMMARY"]) == "Water utilities in transition"
    assert str(vevent["LOCATION"]) == "City Hall, City Hall Way"
    assert (vevent["GEO"].latitude, vevent["GEO"].longitude) == (-1.2864, 36.8172)
    assert str(vevent["URL"]) == f"{SITE}/en/events/water-utilities/"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.categories == ["Practitioners' workshop"]
    assert str(vevent["DESCRIPTION"]) == (
        f"Utilities compare tariffs that work.\n\n{SITE}/en/events/water-utilities/"
    )
    assert vevent.stamp == event.updated_at.replace(microsecond=0)


def test_event_ics_never_carries_the_online_link_even_for_a_confirmed_participant() -> None:
    event = nairobi_workshop()
    registration = RegistrationFactory(event=event)
    response = client_for(registration.user).get(ics_url(event))
    assert response.status_code == 200
    assert ONLINE_LINK.encode() not in response.content
    assert b"meet.example.org" not in response.content


def test_event_ics_location_names_the_city_once() -> None:
    leipzig = city("Leipzig", "DE")
    event = EventFactory(
        venue_name="Neues Rathaus", venue_address="Martin-Luther-Ring 4, 04109 Leipzig", host_city=leipzig
    )
    [vevent] = parsed(Client().get(ics_url(event))).walk("VEVENT")
    assert str(vevent["LOCATION"]) == "Neues Rathaus, Martin-Luther-Ring 4, 04109 Leipzig, Germany"
    assert "GEO" not in vevent


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (EventStatus.PUBLISHED, "CONFIRMED"),
        (EventStatus.POSTPONED, "TENTATIVE"),
        (EventStatus.CANCELLED, "CANCELLED"),
    ],
)
def test_event_ics_status_follows_the_event(status: str, expected: str) -> None:
    event = nairobi_workshop(status=status, status_message="The venue is being renovated.")
    [vevent] = parsed(Client().get(ics_url(event))).walk("VEVENT")
    assert str(vevent["STATUS"]) == expected
    if status == EventStatus.PUBLISHED:
        assert "renovated" not in str(vevent["DESCRIPTION"])
    else:
        assert "The venue is being renovated." in str(vevent["DESCRIPTION"])


def test_event_ics_of_a_draft_is_404_for_visitors_and_members() -> None:
    organiser = UserFactory()
    event = nairobi_workshop(status=EventStatus.DRAFT, organisers=[organiser])
    assert Client().get(ics_url(event)).status_code == 404
    assert client_for(UserFactory()).get(ics_url(event)).status_code == 404


def test_event_ics_of_a_draft_is_200_for_its_organiser() -> None:
    organiser = UserFactory()
    event = nairobi_workshop(status=EventStatus.DRAFT, organisers=[organiser])
    response = client_for(organiser).get(ics_url(event))
    [vevent] = parsed(response).walk("VEVENT")
    assert str(vevent["UID"]) == uid(event)
    assert str(vevent["STATUS"]) == "TENTATIVE"
    assert response["Cache-Control"] == "private, max-age=300"


def test_event_ics_of_an_unknown_slug_is_404() -> None:
    assert Client().get(reverse("events:ics", kwargs={"slug": "no-such-event"})).status_code == 404


def test_event_ics_refuses_post() -> None:
    event = nairobi_workshop()
    assert Client().post(ics_url(event)).status_code == 405


# --- The public feed -----------------------------------------------------------------------------------------


def test_public_feed_lists_public_events_of_the_window_in_order() -> None:
    now = timezone.now()
    published = EventFactory(starts_at=now + timedelta(days=20))
    postponed = EventFactory(status=EventStatus.POSTPONED, starts_at=now + timedelta(days=10))
    cancelled = EventFactory(status=EventStatus.CANCELLED, starts_at=now + timedelta(days=30))
    recent = EventFactory(starts_at=now - timedelta(days=12), ends_at=now - timedelta(days=10))
    EventFactory(status=EventStatus.DRAFT, starts_at=now + timedelta(days=5))
    EventFactory(starts_at=now - timedelta(days=102), ends_at=now - timedelta(days=100))
    calendar = parsed(Client().get(reverse("events:feed_public")))
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        uid(recent),
        uid(postponed),
        uid(published),
        uid(cancelled),
    ]
    events = by_uid(calendar)
    assert str(events[uid(postponed)]["STATUS"]) == "TENTATIVE"
    assert str(events[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert str(events[uid(published)]["TRANSP"]) == "TRANSPARENT"
    assert str(calendar["NAME"]) == "Events of Connective Cities"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)


def test_public_feed_never_carries_the_online_link() -> None:
    nairobi_workshop()
    response = Client().get(reverse("events:feed_public"))
    assert response.status_code == 200
    assert b"meet.example.org" not in response.content


def test_public_feed_has_headers_for_calendar_apps() -> None:
    nairobi_workshop()
    response = Client().get(reverse("events:feed_public"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="events.ics"'
    assert response["Cache-Control"] == "public, max-age=900"
    again = Client().get(reverse("events:feed_public"), headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_public_feed_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_calendar, "FEED_MAX_EVENTS", 3)
    now = timezone.now()
    events = [EventFactory(starts_at=now + timedelta(days=days)) for days in (5, 1, 4, 2, 3)]
    calendar = parsed(Client().get(reverse("events:feed_public")))
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        uid(events[1]),
        uid(events[3]),
        uid(events[4]),
    ]


def test_public_feed_queries_do_not_grow_with_50_events(django_assert_max_num_queries: Any) -> None:
    leipzig = city("Leipzig", "DE")
    now = timezone.now()
    for day in range(50):
        EventFactory(starts_at=now + timedelta(days=day), host_city=leipzig if day % 2 else None)
    client = Client()
    with django_assert_max_num_queries(1):
        response = client.get(reverse("events:feed_public"))
    assert len(parsed(response).walk("VEVENT")) == 50


def test_public_feed_refuses_post() -> None:
    assert Client().post(reverse("events:feed_public")).status_code == 405


# --- The private "my events" feed ------------------------------------------------------------------------------


def test_my_feed_lists_own_places_and_hopes_only() -> None:
    member = UserFactory()
    now = timezone.now()

    def registration(registration_status: str, **event_fields: Any) -> Event:
        event = EventFactory(starts_at=now + timedelta(days=10 + Event.objects.count()), **event_fields)
        RegistrationFactory(event=event, user=member, status=registration_status)
        return event

    confirmed = registration(RegistrationStatus.CONFIRMED, online_url=ONLINE_LINK, mode=AttendanceMode.HYBRID)
    offered = registration(RegistrationStatus.OFFERED, online_url=ONLINE_LINK)
    applied = registration(RegistrationStatus.APPLIED)
    waitlisted = registration(RegistrationStatus.WAITLISTED, online_url=ONLINE_LINK)
    registration(RegistrationStatus.CANCELLED)
    registration(RegistrationStatus.DECLINED)
    registration(RegistrationStatus.EXPIRED)
    registration(RegistrationStatus.CONFIRMED, status=EventStatus.DRAFT)
    someone_elses = EventFactory()
    RegistrationFactory(event=someone_elses, user=UserFactory())
    EventFactory()

    response = Client().get(mine_url(calendar_token_for(member).token))
    calendar = parsed(response)
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [
        uid(confirmed),
        uid(offered),
        uid(applied),
        uid(waitlisted),
    ]
    events = by_uid(calendar)
    assert {key: str(value["STATUS"]) for key, value in events.items()} == {
        uid(confirmed): "CONFIRMED",
        uid(offered): "CONFIRMED",
        uid(applied): "TENTATIVE",
        uid(waitlisted): "TENTATIVE",
    }
    assert f"Join online: {ONLINE_LINK}" in str(events[uid(confirmed)]["DESCRIPTION"])
    assert "Your registration: Confirmed" in str(events[uid(confirmed)]["DESCRIPTION"])
    assert "Your registration: On the waitlist" in str(events[uid(waitlisted)]["DESCRIPTION"])
    assert response.content.count(ONLINE_LINK.encode()) == 1
    assert str(calendar["NAME"]) == "My events at Connective Cities"


def test_my_feed_puts_the_online_link_as_location_of_an_online_event() -> None:
    member = UserFactory()
    event = nairobi_workshop(mode=AttendanceMode.ONLINE, venue_name="", venue_address="", latitude=None)
    RegistrationFactory(event=event, user=member)
    [vevent] = parsed(Client().get(mine_url(calendar_token_for(member).token))).walk("VEVENT")
    assert str(vevent["LOCATION"]) == ONLINE_LINK
    [public] = parsed(Client().get(ics_url(event))).walk("VEVENT")
    assert str(public["LOCATION"]) == "Online"


def test_my_feed_drops_the_online_link_of_a_cancelled_event() -> None:
    member = UserFactory()
    event = nairobi_workshop(status=EventStatus.CANCELLED)
    RegistrationFactory(event=event, user=member)
    response = Client().get(mine_url(calendar_token_for(member).token))
    [vevent] = parsed(response).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert b"meet.example.org" not in response.content


def test_my_feed_keeps_the_event_times_in_its_zone() -> None:
    member = UserFactory(time_zone="America/Sao_Paulo")
    event = nairobi_workshop()
    RegistrationFactory(event=event, user=member)
    calendar = parsed(Client().get(mine_url(calendar_token_for(member).token)))
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent.start.tzinfo) == "Africa/Nairobi"
    assert vevent.start == datetime(2031, 5, 6, 9, 0, tzinfo=NAIROBI)
    assert [tz.tz_name for tz in calendar.timezones] == ["Africa/Nairobi"]


def test_my_feed_of_an_unknown_token_is_404() -> None:
    calendar_token_for(UserFactory())
    assert Client().get(mine_url("not-a-token")).status_code == 404


def test_my_feed_of_a_deactivated_member_is_404() -> None:
    member = UserFactory()
    token = calendar_token_for(member).token
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert Client().get(mine_url(token)).status_code == 404


def test_my_feed_queries_do_not_grow_with_registrations(django_assert_max_num_queries: Any) -> None:
    member = UserFactory()
    for _ in range(30):
        RegistrationFactory(user=member)
    token = calendar_token_for(member).token
    client = Client()
    with django_assert_max_num_queries(2):
        response = client.get(mine_url(token))
    assert len(parsed(response).walk("VEVENT")) == 30


# --- The feed's address ----------------------------------------------------------------------------------------


def test_calendar_token_for_makes_one_token_and_keeps_it() -> None:
    member = UserFactory()
    first = calendar_token_for(member)
    assert calendar_token_for(member).token == first.token
    assert len(first.token) == 43
    assert CalendarToken.objects.filter(user=member).count() == 1


def test_feed_reset_retires_the_old_address() -> None:
    member = UserFactory()
    old = calendar_token_for(member).token
    assert Client().get(mine_url(old)).status_code == 200
    response = client_for(member).post(reverse("events:feed_reset"))
    assert response.status_code == 302
    assert response["Location"] == reverse("events:mine")
    new = CalendarToken.objects.get(user=member).token
    assert new != old
    assert Client().get(mine_url(old)).status_code == 404
    assert Client().get(mine_url(new)).status_code == 200
    [entry] = AuditLog.objects.filter(action="calendar_token.reset")
    assert (entry.actor, entry.object_type) == (member, "events.calendartoken")
    assert old not in str(entry.details) and new not in str(entry.details)


def test_feed_reset_refuses_get() -> None:
    member = UserFactory()
    token = calendar_token_for(member).token
    assert client_for(member).get(reverse("events:feed_reset")).status_code == 405
    assert CalendarToken.objects.get(user=member).token == token
    assert not AuditLog.objects.filter(action="calendar_token.reset").exists()


def test_feed_reset_needs_login() -> None:
    response = Client().post(reverse("events:feed_reset"))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert not CalendarToken.objects.exists()


# --- The links on the pages -------------------------------------------------------------------------------------


def _links(user: Any, **context: Any) -> str:
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/en/events/")
    request.user = user if user is not None else AnonymousUser()
    return render_to_string("events/_calendar_links.html", {"user": request.user, **context}, request=request)


def test_calendar_links_offer_the_event_and_both_feeds_to_a_member() -> None:
    member = UserFactory()
    event = nairobi_workshop()
    feed = f"{SITE}{mine_url('secret-token')}"
    html = _links(member, event=event, feed_url=feed)
    assert f'href="{ics_url(event)}"' in html
    assert 'href="webcal://cities.example.org/en/events/calendar.ics"' in html
    assert f'href="{SITE}/en/events/calendar.ics"' in html
    assert 'href="webcal://cities.example.org/en/events/feed/secret-token.ics"' in html
    assert f'value="{feed}" readonly' in html
    assert f'action="{reverse("events:feed_reset")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_calendar_links_for_a_visitor_show_no_private_feed() -> None:
    html = _links(None)
    assert 'href="webcal://cities.example.org/en/events/calendar.ics"' in html
    assert reverse("events:feed_reset") not in html
    assert "Your events feed" not in html


def test_calendar_links_without_a_feed_address_point_a_member_to_my_events() -> None:
    html = _links(UserFactory(), event=nairobi_workshop())
    assert f'href="{reverse("events:mine")}#feed-title"' in html
    assert reverse("events:feed_reset") not in html


def test_public_feed_lists_time_zones_in_a_stable_order(client: Client) -> None:
    for zone in ("Pacific/Auckland", "Africa/Nairobi", "America/Bogota", "Europe/Berlin"):
        EventFactory(time_zone=zone)
    body = client.get("/en/events/calendar.ics").content
    calendar = icalendar.Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "Africa/Nairobi",
        "America/Bogota",
        "Europe/Berlin",
        "Pacific/Auckland",
    ]
    assert client.get("/en/events/calendar.ics").content == body
