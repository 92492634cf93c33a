"""The events API: events, agendas and registrations as each persona may see them, and registering through the
services the pages use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from connective.core.models import AuditLog, Region, Topic
from connective.events.models import (
    AttendanceMode,
    Event,
    EventFormat,
    EventStatus,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from connective.network.models import Visibility
from tests.factories import (
    AgendaSessionFactory,
    EventFactory,
    PracticeFactory,
    ProfileFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EVENTS_URL = "/api/v1/events/"
REGISTRATIONS_URL = "/api/v1/registrations/"
PERSONAS = ["anonymous", "member", "organiser", "staff"]
# 07:00 UTC on a June day is 09:00 in Berlin (CEST, +02:00).
STARTS = datetime(2031, 6, 2, 7, 0, tzinfo=UTC)


@dataclass
class World:
    """A published hybrid event with an online link, a draft and a past event, all by one organiser."""

    open: Event
    draft: Event
    past: Event
    users: dict[str, Any]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def detail_url(event: Event) -> str:
    return f"{EVENTS_URL}{event.slug}/"


def registration_url(event: Event) -> str:
    return f"{detail_url(event)}registration/"


def offer_url(event: Event) -> str:
    return f"{registration_url(event)}offer/"


def _register(client: Client, event: Event, **payload: Any) -> Any:
    return client.post(registration_url(event), payload, content_type="application/json")


def _answer_offer(client: Client, event: Event, payload: Any) -> Any:
    return client.post(offer_url(event), payload, content_type="application/json")


def _saved() -> tuple[int, int]:
    return Registration.objects.count(), AuditLog.objects.filter(action__startswith="event.").count()


@pytest.fixture
def world(db: Any, member: Any, staff: Any) -> World:
    organiser = UserFactory(email="organiser@example.org", first_name="Olu", last_name="Adeyemi")
    ProfileFactory(user=organiser, slug="olu-adeyemi", visibility=Visibility.PUBLIC)
    open_event = EventFactory(
        title="Cooling cities",
        slug="cooling-cities",
        format=EventFormat.DIALOGUE,
        starts_at=STARTS,
        ends_at=STARTS + timedelta(days=1, hours=8),
        mode=AttendanceMode.HYBRID,
        online_url="https://meet.example.org/cooling",
        venue_name="Neues Rathaus",
        venue_address="Martin-Luther-Ring 4",
        languages=["en", "fr"],
        interpretation=["ar"],
        capacity=2,
        region=Region.objects.get(slug="mena"),
        organisers=[organiser],
    )
    open_event.topics.set(Topic.objects.filter(slug="climate-adaptation"))
    draft = EventFactory(
        title="Secret plans",
        slug="secret-plans",
        status=EventStatus.DRAFT,
        starts_at=STARTS + timedelta(days=30),
        ends_at=STARTS + timedelta(days=31),
        organisers=[organiser],
    )
    past = EventFactory(
        title="Last year's study trip",
        slug="last-years-study-trip",
        format=EventFormat.STUDY_TRIP,
        starts_at=timezone.now() - timedelta(days=40),
        ends_at=timezone.now() - timedelta(days=38),
        mode=AttendanceMode.IN_PERSON,
        organisers=[organiser],
    )
    users = {"anonymous": None, "member": member, "organiser": organiser, "staff": staff}
    return World(open=open_event, draft=draft, past=past, users=users)


# --- The list ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "slugs"),
    [
        ("anonymous", ["cooling-cities"]),
        ("member", ["cooling-cities"]),
        ("organiser", ["cooling-cities", "secret-plans"]),
        ("staff", ["cooling-cities", "secret-plans"]),
    ],
)
def test_list_shows_drafts_only_to_their_organisers_and_staff(
    world: World, persona: str, slugs: list[str]
) -> None:
    response = client_for(world.users[persona]).get(EVENTS_URL)

    assert response.status_code == 200
    body = response.json()
    assert [item["slug"] for item in body["results"]] == slugs
    assert (body["count"], body["num_pages"], body["when"]) == (len(slugs), 1, "upcoming")


def test_list_item_shows_the_event_in_its_zone_with_the_callers_status(world: World) -> None:
    RegistrationFactory(event=world.open, user=world.users["member"])

    item = client_for(world.users["member"]).get(EVENTS_URL).json()["results"][0]

    assert item == {
        "slug": "cooling-cities",
        "title": "Cooling cities",
        "starts_at": "2031-06-02T09:00:00+02:00",
        "ends_at": "2031-06-03T17:00:00+02:00",
        "time_zone": "Europe/Berlin",
        "format": "dialogue",
        "status": "published",
        "status_label": "Published",
        "host_city": None,
        "url": "http://testserver/en/events/cooling-cities/",
        "api_url": "http://testserver/api/v1/events/cooling-cities/",
        "format_label": "Dialogue event",
        "summary": "Practitioners compare what works.",
        "mode": "hybrid",
        "mode_label": "In person and online",
        "participation": "registration",
        "region": {"slug": "mena", "name": "Middle East and North Africa"},
        "topics": [{"slug": "climate-adaptation", "name": "Climate adaptation"}],
        "languages": ["en", "fr"],
        "capacity": 2,
        "confirmed_count": 1,
        "my_status": "confirmed",
    }


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("?when=past", ["last-years-study-trip"]),
        ("?when=all", ["last-years-study-trip", "cooling-cities"]),
        ("?when=all&format=study_trip", ["last-years-study-trip"]),
        ("?mode=online", ["cooling-cities"]),
        ("?when=all&mode=in_person", ["last-years-study-trip", "cooling-cities"]),
        ("?language=fr", ["cooling-cities"]),
        ("?topic=climate-adaptation", ["cooling-cities"]),
        ("?region=mena", ["cooling-cities"]),
        ("?q=cooling", ["cooling-cities"]),
        ("?q=secret&when=all", []),
    ],
)
def test_list_filters_like_the_page(world: World, query: str, slugs: list[str]) -> None:
    response = client_for(None).get(EVENTS_URL + query)

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == slugs


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("?format=party", {"format": ["There is no format “party”."]}),
        ("?when=someday", {"when": ["Choose upcoming, past or all, not “someday”."]}),
        ("?page=2", {"page": ["There is no page 2: the events fit on 1 page."]}),
        ("?page=zero", {"page": ["The page must be a number, e.g. 2."]}),
    ],
)
def test_list_with_a_wrong_parameter_answers_400(
    world: World, query: str, errors: dict[str, list[str]]
) -> None:
    response = client_for(None).get(EVENTS_URL + query)

    assert response.status_code == 400
    assert response.json() == errors


def test_list_of_30_events_takes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    member = world.users["member"]
    topics = list(Topic.objects.filter(slug__in=["climate-adaptation", "mobility"]))
    for number in range(30):
        event = EventFactory(
            starts_at=STARTS + timedelta(days=number), region=Region.objects.get(slug="asia")
        )
        event.topics.set(topics)
        if number % 3 == 0:
            RegistrationFactory(event=event, user=member)
    client = client_for(member)

    with django_assert_max_num_queries(9):
        response = client.get(EVENTS_URL + "?page=2")

    body = response.json()
    assert (response.status_code, body["count"], len(body["results"])) == (200, 31, 11)
    assert {item["my_status"] for item in body["results"]} == {"confirmed", None}


def test_agenda_of_30_sessions_takes_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    speakers = [ProfileFactory().user for _ in range(3)]
    for number in range(30):
        session = AgendaSessionFactory(event=world.open, starts_at=STARTS + timedelta(hours=number))
        session.speakers.set(speakers[: number % 4])
    client = client_for(world.users["member"])

    with django_assert_max_num_queries(7):
        response = client.get(f"{detail_url(world.open)}sessions/")

    body = response.json()
    assert (response.status_code, body["count"], len(body["results"])) == (200, 30, 30)
    assert [len(item["speakers"]) for item in body["results"][:4]] == [0, 1, 2, 3]


def test_registrations_of_30_events_take_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: Any
) -> None:
    member = world.users["member"]
    for number in range(30):
        RegistrationFactory(user=member, event=EventFactory(starts_at=STARTS + timedelta(days=number)))
    client = client_for(member)

    with django_assert_max_num_queries(4):
        response = client.get(REGISTRATIONS_URL)

    body = response.json()
    assert (response.status_code, body["count"], len(body["results"])) == (200, 30, 20)


# --- Drafts answer 404 to outsiders ------------------------------------------------------------------------------


REQUESTS = {
    "detail": lambda client, event: client.get(detail_url(event)),
    "sessions": lambda client, event: client.get(f"{detail_url(event)}sessions/"),
    "register": lambda client, event: _register(client, event),
    "cancel": lambda client, event: client.delete(registration_url(event)),
    "offer": lambda client, event: _answer_offer(client, event, {"accept": True}),
}


@pytest.mark.parametrize("persona", ["anonymous", "member"])
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_a_draft_answers_404_to_outsiders(world: World, persona: str, request_name: str) -> None:
    # Even one who registered before the event went back to draft.
    RegistrationFactory(event=world.draft, user=world.users["member"], status=RegistrationStatus.OFFERED)
    before = _saved()

    response = REQUESTS[request_name](client_for(world.users[persona]), world.draft)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert _saved() == before


@pytest.mark.parametrize("persona", ["organiser", "staff"])
@pytest.mark.parametrize("request_name", ["detail", "sessions"])
def test_a_draft_is_readable_by_its_organisers_and_staff(
    world: World, persona: str, request_name: str
) -> None:
    response = REQUESTS[request_name](client_for(world.users[persona]), world.draft)

    assert response.status_code == 200


def test_an_unknown_event_answers_404(world: World) -> None:
    response = client_for(world.users["staff"]).get(f"{EVENTS_URL}no-such-event/")

    assert response.status_code == 404


def test_registering_for_a_draft_as_its_organiser_gets_the_services_refusal(world: World) -> None:
    response = _register(client_for(world.users["organiser"]), world.draft)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This event is not published yet."]}
    assert Registration.objects.filter(event=world.draft).count() == 0


# --- The detail --------------------------------------------------------------------------------------------------


def test_detail_shows_the_event_page(world: World) -> None:
    RegistrationFactory(event=world.open, status=RegistrationStatus.CONFIRMED)

    body = client_for(world.users["member"]).get(detail_url(world.open)).json()

    assert (body["starts_at"], body["ends_at"], body["time_zone"]) == (
        "2031-06-02T09:00:00+02:00",
        "2031-06-03T17:00:00+02:00",
        "Europe/Berlin",
    )
    assert body["venue"] == {
        "name": "Neues Rathaus",
        "address": "Martin-Luther-Ring 4",
        "latitude": None,
        "longitude": None,
    }
    assert body["organisers"] == [
        {
            "name": "Olu Adeyemi",
            "slug": "olu-adeyemi",
            "url": "http://testserver/en/people/olu-adeyemi/",
            "photo_url": None,
        }
    ]
    assert (body["languages"], body["interpretation"], body["participation"]) == (
        ["en", "fr"],
        ["ar"],
        "registration",
    )
    assert (body["capacity"], body["confirmed_count"], body["places_left"]) == (2, 1, 1)
    assert body["registration_window"] == {
        "opens_at": None,
        "closes_at": "2031-06-02T09:00:00+02:00",
        "is_open": True,
        "problem": None,
    }
    assert body["caller"] == {
        "registration": None,
        "can_register": True,
        "is_participant": False,
        "manages": False,
    }
    assert (body["online_url"], body["has_online_url"]) == (None, True)
    assert body["topics"] == [{"slug": "climate-adaptation", "name": "Climate adaptation"}]
    assert body["sessions_url"] == "http://testserver/api/v1/events/cooling-cities/sessions/"


@pytest.mark.parametrize(
    ("persona", "status", "shown"),
    [
        ("anonymous", None, False),
        ("member", None, False),
        ("member", RegistrationStatus.WAITLISTED, False),
        ("member", RegistrationStatus.OFFERED, False),
        ("member", RegistrationStatus.CONFIRMED, True),
        ("organiser", None, True),
        ("staff", None, True),
    ],
)
def test_detail_gives_the_online_link_to_confirmed_participants_and_organisers_only(
    world: World, persona: str, status: str | None, shown: bool
) -> None:
    if status is not None:
        RegistrationFactory(event=world.open, user=world.users[persona], status=status)

    response = client_for(world.users[persona]).get(detail_url(world.open))

    assert response.json()["online_url"] == ("https://meet.example.org/cooling" if shown else None)
    assert ("meet.example.org" in response.content.decode()) is shown


def test_detail_shows_the_callers_registration(world: World) -> None:
    expires = STARTS - timedelta(days=2)
    RegistrationFactory(
        event=world.open,
        user=world.users["member"],
        status=RegistrationStatus.OFFERED,
        offer_expires_at=expires,
        message="A place is yours if you want it.",
    )

    caller = client_for(world.users["member"]).get(detail_url(world.open)).json()["caller"]

    registration = caller.pop("registration")
    assert caller == {"can_register": False, "is_participant": False, "manages": False}
    assert (registration["status"], registration["offer_expires_at"], registration["message"]) == (
        "offered",
        "2031-05-31T09:00:00+02:00",
        "A place is yours if you want it.",
    )


def test_detail_says_why_registration_is_closed(world: World) -> None:
    Event.objects.filter(pk=world.open.pk).update(registration_closes_at=timezone.now() - timedelta(hours=1))

    body = client_for(world.users["member"]).get(detail_url(world.open)).json()

    assert (body["registration_window"]["is_open"], body["registration_window"]["problem"]) == (
        False,
        "Registration is closed.",
    )
    assert body["caller"]["can_register"] is False


# --- The agenda --------------------------------------------------------------------------------------------------


def test_sessions_list_the_agenda_with_speakers(world: World) -> None:
    speaker = UserFactory(first_name="Nadia", last_name="Benali")
    hidden = UserFactory(first_name="Hana", last_name="Sato")
    ProfileFactory(user=speaker, slug="nadia-benali")
    ProfileFactory(user=hidden, slug="hana-sato", visibility=Visibility.MEMBERS)
    later = AgendaSessionFactory(
        event=world.open,
        title="Shade maps",
        starts_at=STARTS + timedelta(hours=3),
        ends_at=STARTS + timedelta(hours=4),
        location="Room 2",
        guest_speakers="Ana Lima (São Paulo)",
    )
    later.speakers.set([speaker, hidden])
    AgendaSessionFactory(
        event=world.open, title="Welcome", starts_at=STARTS, ends_at=STARTS + timedelta(hours=1)
    )

    response = client_for(None).get(f"{detail_url(world.open)}sessions/")

    body = response.json()
    assert (response.status_code, body["count"], body["time_zone"]) == (200, 2, "Europe/Berlin")
    welcome, shade = body["results"]
    assert (welcome["title"], welcome["starts_at"], welcome["speakers"]) == (
        "Welcome",
        "2031-06-02T09:00:00+02:00",
        [],
    )
    assert shade["ends_at"] == "2031-06-02T13:00:00+02:00"
    assert (shade["location"], shade["guest_speakers"]) == ("Room 2", "Ana Lima (São Paulo)")
    # The member-only profile is a name without a link for an anonymous caller.
    assert [(person["name"], person["slug"]) for person in shade["speakers"]] == [
        ("Nadia Benali", "nadia-benali"),
        ("Hana Sato", None),
    ]


# --- Registering -------------------------------------------------------------------------------------------------


def test_registering_confirms_then_waitlists_like_the_service(world: World) -> None:
    Event.objects.filter(pk=world.open.pk).update(capacity=1)
    first, second = world.users["member"], UserFactory()

    confirmed = _register(client_for(first), world.open, public=True)
    waitlisted = _register(client_for(second), world.open)

    assert (confirmed.status_code, waitlisted.status_code) == (201, 201)
    assert (confirmed.json()["status"], waitlisted.json()["status"]) == ("confirmed", "waitlisted")
    assert confirmed.json()["event"]["slug"] == "cooling-cities"
    stored = dict(Registration.objects.filter(event=world.open).values_list("user_id", "status"))
    assert stored == {first.pk: "confirmed", second.pk: "waitlisted"}
    world.open.refresh_from_db()
    assert (world.open.confirmed_count, world.open.waitlist_count) == (1, 1)


def test_applying_records_the_answers_with_their_questions(world: World) -> None:
    event = EventFactory(
        participation=ParticipationMode.APPLICATION, questions=["Your role?", "Your city's challenge?"]
    )

    response = _register(client_for(world.users["member"]), event, answers=["Planner", "Heat"])

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["answers"]) == (
        "applied",
        [
            {"question": "Your role?", "answer": "Planner"},
            {"question": "Your city's challenge?", "answer": "Heat"},
        ],
    )
    assert Registration.objects.get(event=event).status == RegistrationStatus.APPLIED


def test_registering_brings_the_callers_own_practice(world: World) -> None:
    event = EventFactory(asks_for_contribution=True)
    practice = PracticeFactory(author=world.users["member"])
    others = PracticeFactory(author=world.users["organiser"])
    client = client_for(world.users["member"])

    refused = _register(client, event, practice=others.pk)
    accepted = _register(client, event, practice=practice.pk, challenge="Flooded underpasses")

    assert (refused.status_code, refused.json()) == (400, {"practice": ["Choose one of your own practices."]})
    assert accepted.status_code == 201
    stored = Registration.objects.get(event=event)
    assert (stored.practice_id, stored.challenge) == (practice.pk, "Flooded underpasses")


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"answers": "Planner"}, {"answers": ['Expected a list of items but got type "str".']}),
        ({"answers": ["Planner"]}, {"answers": ["Please answer every question."]}),
        ({"answers": ["Planner", " "]}, {"answers": ["Please answer every question."]}),
        (
            {"answers": ["Planner", "Heat", "More"]},
            {"answers": ["This event asks 2 questions; send at most one answer for each."]},
        ),
        (
            {"answers": ["Planner", "x" * 4001]},
            {"answers": ["Each answer can be at most 4000 characters long."]},
        ),
        (
            {"answers": ["Planner", "Heat"], "practice": 99999999999999999999},
            {"practice": ["This event does not ask participants to bring a practice or a challenge."]},
        ),
        (
            {"answers": ["Planner", "Heat"], "challenge": "Floods"},
            {"challenge": ["This event does not ask participants to bring a practice or a challenge."]},
        ),
        ({"answers": ["Planner", "Heat"], "public": "maybe"}, {"public": ["Must be a valid boolean."]}),
    ],
)
def test_registering_with_bad_input_answers_400_and_saves_nothing(
    world: World, payload: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    event = EventFactory(
        participation=ParticipationMode.APPLICATION, questions=["Your role?", "Your city's challenge?"]
    )
    before = _saved()

    response = _register(client_for(world.users["member"]), event, **payload)

    assert (response.status_code, response.json()) == (400, errors)
    assert _saved() == before


def test_answers_to_an_event_without_questions_answer_400(world: World) -> None:
    response = _register(client_for(world.users["member"]), world.open, answers=["Planner"])

    assert (response.status_code, response.json()) == (
        400,
        {"answers": ["This event asks no questions; send no answers."]},
    )
    assert Registration.objects.count() == 0


def test_registering_twice_or_when_closed_gets_the_services_message(world: World) -> None:
    client = client_for(world.users["member"])
    _register(client, world.open)
    closed = EventFactory(registration_closes_at=timezone.now() - timedelta(minutes=1))
    before = _saved()

    again = _register(client, world.open)
    late = _register(client, closed)

    assert (again.status_code, again.json()) == (
        400,
        {"non_field_errors": ["You are already registered for this event."]},
    )
    assert (late.status_code, late.json()) == (400, {"non_field_errors": ["Registration is closed."]})
    assert _saved() == before


def test_registering_needs_a_signed_in_member(world: World) -> None:
    response = _register(client_for(None), world.open)

    assert response.status_code == 403
    assert Registration.objects.count() == 0


def test_cancelling_frees_the_place_for_the_waitlist_and_the_offer_is_accepted(world: World) -> None:
    Event.objects.filter(pk=world.open.pk).update(capacity=1)
    holder, waiting = world.users["member"], UserFactory()
    _register(client_for(holder), world.open)
    waiting_client = client_for(waiting)
    _register(waiting_client, world.open)

    cancelled = client_for(holder).delete(registration_url(world.open))
    offered = waiting_client.get(detail_url(world.open)).json()["caller"]["registration"]["status"]
    accepted = _answer_offer(waiting_client, world.open, {"accept": True})

    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert offered == "offered"
    assert (accepted.status_code, accepted.json()["status"]) == (200, "confirmed")
    assert Registration.objects.get(event=world.open, user=waiting).status == RegistrationStatus.CONFIRMED
    world.open.refresh_from_db()
    assert (world.open.confirmed_count, world.open.waitlist_count) == (1, 0)


def test_turning_an_offer_down_passes_the_place_on(world: World) -> None:
    Event.objects.filter(pk=world.open.pk).update(capacity=1)
    offered = RegistrationFactory(
        event=world.open,
        user=world.users["member"],
        status=RegistrationStatus.OFFERED,
        offer_expires_at=timezone.now() + timedelta(days=1),
    )
    waiting = RegistrationFactory(
        event=world.open, status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now()
    )

    response = _answer_offer(client_for(world.users["member"]), world.open, {"accept": False})

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    offered.refresh_from_db()
    waiting.refresh_from_db()
    assert (offered.status, waiting.status) == ("cancelled", "offered")


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({}, {"accept": ["This field is required."]}),
        ({"accept": None}, {"accept": ["This field may not be null."]}),
        ({"accept": True}, {"non_field_errors": ["No place is offered to you at the moment."]}),
    ],
)
def test_answering_an_offer_with_bad_input_or_no_offer_answers_400(
    world: World, payload: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    RegistrationFactory(event=world.open, user=world.users["member"], status=RegistrationStatus.WAITLISTED)
    before = _saved()

    response = _answer_offer(client_for(world.users["member"]), world.open, payload)

    assert (response.status_code, response.json()) == (400, errors)
    assert _saved() == before
    assert Registration.objects.get(user=world.users["member"]).status == RegistrationStatus.WAITLISTED


def test_cancelling_without_a_registration_answers_404(world: World) -> None:
    response = client_for(world.users["member"]).delete(registration_url(world.open))

    assert (response.status_code, response.json()) == (
        404,
        {"detail": "You have no registration at this event."},
    )


def test_writes_are_throttled_per_member(world: World, settings: Any) -> None:
    settings.API_GROUP_WRITE_RATE = "2/min"
    RegistrationFactory(event=world.open, user=world.users["member"], status=RegistrationStatus.WAITLISTED)
    client = client_for(world.users["member"])

    codes = [_answer_offer(client, world.open, {}).status_code for _ in range(3)]

    assert codes == [400, 400, 429]
    assert client.get(detail_url(world.open)).status_code == 200


# --- The caller's registrations ----------------------------------------------------------------------------------


@pytest.fixture
def registered(world: World) -> World:
    member = world.users["member"]
    RegistrationFactory(event=world.open, user=member)
    RegistrationFactory(event=world.past, user=member, checked_in_at=world.past.starts_at)
    RegistrationFactory(event=world.draft, user=member)
    RegistrationFactory(event=world.open, user=world.users["organiser"])
    return world


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("", ["cooling-cities", "last-years-study-trip"]),
        ("?when=upcoming", ["cooling-cities"]),
        ("?when=past", ["last-years-study-trip"]),
    ],
)
def test_registrations_are_the_callers_own_without_drafts(
    registered: World, query: str, slugs: list[str]
) -> None:
    response = client_for(registered.users["member"]).get(REGISTRATIONS_URL + query)

    body = response.json()
    assert (response.status_code, body["count"]) == (200, len(slugs))
    assert [item["event"]["slug"] for item in body["results"]] == slugs


def test_a_registration_shows_its_status_and_attendance(registered: World) -> None:
    results = client_for(registered.users["member"]).get(REGISTRATIONS_URL + "?when=past").json()["results"]

    assert {key: results[0][key] for key in ("status", "status_label", "attended", "certificate_url")} == {
        "status": "confirmed",
        "status_label": "Confirmed",
        "attended": True,
        "certificate_url": None,
    }


def test_registrations_need_sign_in(registered: World) -> None:
    response = client_for(None).get(REGISTRATIONS_URL)

    assert response.status_code == 403


def test_registrations_with_a_wrong_parameter_answer_400(registered: World) -> None:
    response = client_for(registered.users["member"]).get(REGISTRATIONS_URL + "?when=tomorrow")

    assert (response.status_code, response.json()) == (
        400,
        {"when": ["Choose upcoming, past or all, not “tomorrow”."]},
    )


# --- Schema ------------------------------------------------------------------------------------------------------


def test_schema_describes_the_event_endpoints(db: Any) -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)

    paths = schema["paths"]
    assert set(paths) >= {
        "/api/v1/events/",
        "/api/v1/events/{slug}/",
        "/api/v1/events/{slug}/sessions/",
        "/api/v1/events/{slug}/registration/",
        "/api/v1/events/{slug}/registration/offer/",
        "/api/v1/registrations/",
    }
    assert {parameter["name"] for parameter in paths["/api/v1/events/"]["get"]["parameters"]} == {
        "q",
        "format",
        "topic",
        "region",
        "language",
        "mode",
        "when",
        "page",
    }
    assert set(paths["/api/v1/events/{slug}/registration/"]) == {"post", "delete"}
    assert set(paths["/api/v1/events/{slug}/registration/"]["post"]["responses"]) == {
        "201",
        "400",
        "403",
        "404",
    }
