"""The event pages: the list and its filters, the month calendar, the event page with its times, registering,
cancelling and answering an offer, "my events", and the organisers' pages, for every persona."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connective.core.models import Region, Topic
from connective.events.models import (
    AttendanceMode,
    Event,
    EventFormat,
    EventStatus,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from connective.events.registration import registration_cancel, registration_create
from tests.factories import AgendaSessionFactory, EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/en/events/"


def detail_url(event: Event) -> str:
    return f"/en/events/{event.slug}/"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def organiser(db: Any) -> Any:
    return UserFactory(first_name="Amina", last_name="Benali")


# --- Who sees what ------------------------------------------------------------------------------------------

PERSONAS = ("visitor", "member", "participant", "organiser", "staff")


def _persona(name: str, event: Event, organiser: Any, staff: Any) -> Any:
    if name == "visitor":
        return None
    if name == "organiser":
        return organiser
    if name == "staff":
        return staff
    user = UserFactory()
    if name == "participant":
        RegistrationFactory(event=event, user=user)
    return user


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", [EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.CANCELLED])
def test_event_page_is_seen_by_who_may_see_it(status: str, persona: str, organiser: Any, staff: Any) -> None:
    event = EventFactory(status=status, organisers=[organiser], title="Heat action plans in MENA cities")
    response = client_for(_persona(persona, event, organiser, staff)).get(detail_url(event))
    if status == EventStatus.DRAFT and persona not in ("organiser", "staff"):
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "Heat action plans in MENA cities" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["manage/", "manage/participants.csv"])
def test_organiser_pages_answer_404_to_everyone_else(
    page: str, persona: str, organiser: Any, staff: Any
) -> None:
    event = EventFactory(organisers=[organiser])
    response = client_for(_persona(persona, event, organiser, staff)).get(detail_url(event) + page)
    assert response.status_code == (200 if persona in ("organiser", "staff") else 404)


def test_drafts_are_not_listed_for_outsiders(organiser: Any, member: Any) -> None:
    EventFactory(title="Published dialogue")
    EventFactory(title="Secret draft", status=EventStatus.DRAFT, organisers=[organiser])
    outsider = client_for(member).get(LIST_URL).content.decode()
    assert "Published dialogue" in outsider
    assert "Secret draft" not in outsider
    assert "Secret draft" in client_for(organiser).get(LIST_URL).content.decode()


def test_unknown_event_answers_404() -> None:
    assert Client().get("/en/events/no-such-event/").status_code == 404


# --- The list -----------------------------------------------------------------------------------------------


def test_list_shows_upcoming_by_default_and_past_on_request() -> None:
    now = timezone.now()
    EventFactory(title="Coming study trip", format=EventFormat.STUDY_TRIP)
    EventFactory(
        title="Last year's webinar", starts_at=now - timedelta(days=300), ends_at=now - timedelta(days=300)
    )
    upcoming = Client().get(LIST_URL).content.decode()
    assert "Coming study trip" in upcoming
    assert "Last year&#x27;s webinar" not in upcoming
    past = Client().get(LIST_URL + "?when=past").content.decode()
    assert "Last year&#x27;s webinar" in past
    assert "Coming study trip" not in past


def test_list_filters_by_format_topic_region_language_and_mode() -> None:
    energy = Topic.objects.filter(parent__isnull=False).first()
    assert energy is not None
    mena = Region.objects.get(slug="mena")
    match = EventFactory(
        title="Matching webinar",
        format=EventFormat.WEBINAR,
        region=mena,
        languages=["fr"],
        mode=AttendanceMode.ONLINE,
    )
    match.topics.add(energy)
    EventFactory(title="Other trip", format=EventFormat.STUDY_TRIP, languages=["en"])
    query = f"?format=webinar&topic={energy.slug}&region=mena&language=fr&mode=online"
    body = Client().get(LIST_URL + query).content.decode()
    assert "Matching webinar" in body
    assert "Other trip" not in body


def test_list_with_a_wrong_filter_names_it_and_shows_the_rest() -> None:
    EventFactory(title="Dialogue on water")
    response = Client().get(LIST_URL + "?format=party&page=x")
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is no format “party”." in body
    assert "The page must be a number" in body
    assert "Dialogue on water" in body


def test_list_queries_are_bounded(django_assert_max_num_queries: Any, member: Any) -> None:
    for _ in range(30):
        event = EventFactory(host_city=None)
        event.topics.add(*Topic.objects.all()[:2])
    client = client_for(member)
    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert response.content.decode().count('class="card event-card') == 24


def test_month_calendar_places_events_on_their_days() -> None:
    start = timezone.now().replace(day=10, hour=9, minute=0) + timedelta(days=62)
    EventFactory(title="Three-day trip", starts_at=start, ends_at=start + timedelta(days=2), time_zone="UTC")
    month = start.strftime("%Y-%m")
    body = Client().get(f"/en/events/calendar/?month={month}").content.decode()
    assert body.count("Three-day trip") == 3


def test_month_calendar_refuses_a_wrong_month() -> None:
    response = Client().get("/en/events/calendar/?month=2026-13")
    assert response.status_code == 400
    assert "There is no month 2026-13." in response.content.decode()


# --- The event page -------------------------------------------------------------------------------------------


def test_event_page_shows_local_time_and_the_viewers_time(member: Any) -> None:
    start = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(days=40)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=8), time_zone="Africa/Casablanca")
    client = client_for(member)
    client.cookies["tz"] = "Asia/Kolkata"
    body = client.get(detail_url(event)).content.decode()
    assert "local time, Africa/Casablanca" in body
    assert "your time, Asia/Kolkata" in body
    # 08:00 UTC is 13:30 in Kolkata.
    assert "1:30 p.m." in body


def test_event_page_ignores_an_unknown_time_zone(member: Any) -> None:
    event = EventFactory(time_zone="Europe/Berlin")
    client = client_for(member)
    client.cookies["tz"] = "Mars/Olympus_Mons"
    body = client.get(detail_url(event)).content.decode()
    assert "your time, UTC" in body


def test_account_time_zone_wins_over_the_browsers(member: Any) -> None:
    member.time_zone = "America/Sao_Paulo"
    member.save()
    event = EventFactory(time_zone="Europe/Berlin")
    client = client_for(member)
    client.cookies["tz"] = "Asia/Kolkata"
    assert "your time, America/Sao_Paulo" in client.get(detail_url(event)).content.decode()


def test_event_page_shows_the_agenda_in_local_time() -> None:
    start = timezone.now().replace(hour=7, minute=0, second=0, microsecond=0) + timedelta(days=20)
    event = EventFactory(starts_at=start, ends_at=start + timedelta(hours=9), time_zone="Africa/Nairobi")
    AgendaSessionFactory(event=event, title="Cool roofs", starts_at=start, ends_at=start + timedelta(hours=1))
    body = Client().get(detail_url(event)).content.decode()
    assert "Cool roofs" in body
    # 07:00 UTC is 10:00 in Nairobi.
    assert "10:00" in body


def test_online_link_only_for_confirmed_participants(member: Any) -> None:
    event = EventFactory(online_url="https://meet.example.org/room-42", mode=AttendanceMode.ONLINE)
    assert "room-42" not in client_for(member).get(detail_url(event)).content.decode()
    RegistrationFactory(event=event, user=member)
    assert "room-42" in client_for(member).get(detail_url(event)).content.decode()


def test_public_participants_list_shows_only_those_who_opted_in() -> None:
    event = EventFactory(public_participants=True)
    RegistrationFactory(event=event, user=UserFactory(first_name="Listed", last_name="Person"), public=True)
    RegistrationFactory(event=event, user=UserFactory(first_name="Quiet", last_name="Person"), public=False)
    body = Client().get(detail_url(event)).content.decode()
    assert "Listed Person" in body
    assert "Quiet Person" not in body


def test_event_page_queries_are_bounded(
    django_assert_max_num_queries: Any, member: Any, organiser: Any
) -> None:
    event = EventFactory(organisers=[organiser], public_participants=True)
    for _ in range(5):
        AgendaSessionFactory(event=event).speakers.add(UserFactory())
    for _ in range(20):
        RegistrationFactory(event=event, public=True)
    client = client_for(member)
    # The header's unread counts are cached briefly per member, as between two pages of a visit.
    client.get(detail_url(event))
    # Session, user, the event, the member's registration, places free, sessions, speakers, organisers,
    # topics and the public list.
    with django_assert_max_num_queries(10):
        assert client.get(detail_url(event)).status_code == 200


# --- Registering through the page ---------------------------------------------------------------------------


def test_register_through_the_page_confirms_the_place(member: Any) -> None:
    event = EventFactory()
    response = client_for(member).post(detail_url(event) + "register/", follow=True)
    assert "Your place is confirmed." in response.content.decode()
    assert Registration.objects.get(event=event, user=member).status == RegistrationStatus.CONFIRMED


def test_register_needs_a_login() -> None:
    event = EventFactory()
    response = Client().post(detail_url(event) + "register/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Registration.objects.exists()


def test_register_for_a_draft_answers_404(member: Any) -> None:
    event = EventFactory(status=EventStatus.DRAFT)
    assert client_for(member).post(detail_url(event) + "register/").status_code == 404
    assert not Registration.objects.exists()


def test_application_with_a_missing_answer_keeps_what_was_typed(member: Any) -> None:
    event = EventFactory(
        participation=ParticipationMode.APPLICATION, questions=["Why you?", "What do you bring?"]
    )
    response = client_for(member).post(
        detail_url(event) + "register/", {"answer_0": "Our heat plan", "answer_1": ""}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Please answer this question." in body
    assert "Our heat plan" in body
    assert not Registration.objects.exists()


def test_registering_when_closed_shows_why(member: Any) -> None:
    event = EventFactory(registration_closes_at=timezone.now() - timedelta(hours=1))
    response = client_for(member).post(detail_url(event) + "register/")
    assert response.status_code == 400
    assert "Registration is closed." in response.content.decode()
    assert not Registration.objects.exists()


def test_cancel_and_take_an_offered_place_through_the_page() -> None:
    event = EventFactory(capacity=1)
    first, second = UserFactory.create_batch(2)
    client_for(first).post(detail_url(event) + "register/")
    client_for(second).post(detail_url(event) + "register/")
    client_for(first).post(detail_url(event) + "cancel/")
    assert Registration.objects.get(user=first).status == RegistrationStatus.CANCELLED
    page = client_for(second).get(detail_url(event)).content.decode()
    assert "Take the place" in page
    client_for(second).post(detail_url(event) + "offer/", {"answer": "accept"})
    assert Registration.objects.get(user=second).status == RegistrationStatus.CONFIRMED


def test_cancel_without_a_registration_answers_404(member: Any) -> None:
    event = EventFactory()
    assert client_for(member).post(detail_url(event) + "cancel/").status_code == 404


def test_offer_answer_must_be_accept_or_decline() -> None:
    event = EventFactory(capacity=1)
    first, second = UserFactory.create_batch(2)
    holder = registration_create(event=event, user=first)
    registration_create(event=event, user=second)
    registration_cancel(registration=holder, actor=first)
    response = client_for(second).post(detail_url(event) + "offer/", {"answer": "maybe"}, follow=True)
    assert "Choose to take the place or to turn it down." in response.content.decode()
    assert Registration.objects.get(user=second).status == RegistrationStatus.OFFERED


def test_my_events_lists_my_registrations_and_feed(member: Any) -> None:
    mine = EventFactory(title="Study trip to Medellín")
    EventFactory(title="Someone else's workshop")
    RegistrationFactory(event=mine, user=member)
    body = client_for(member).get("/en/events/mine/").content.decode()
    assert "Study trip to Medellín" in body
    assert "Someone else" not in body
    assert "/events/feed/" in body


# --- The organisers' pages ----------------------------------------------------------------------------------


def test_organiser_accepts_an_applicant_with_a_message(organiser: Any) -> None:
    event = EventFactory(organisers=[organiser], participation=ParticipationMode.APPLICATION, questions=[])
    applicant = UserFactory()
    registration = registration_create(event=event, user=applicant)
    response = client_for(organiser).post(
        detail_url(event) + f"manage/{registration.pk}/",
        {"decision": "accept", "message": "See you in Tunis"},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.status, registration.message) == ("confirmed", "See you in Tunis")


def test_decision_with_bad_input_changes_nothing(organiser: Any) -> None:
    event = EventFactory(organisers=[organiser], participation=ParticipationMode.APPLICATION)
    registration = registration_create(event=event, user=UserFactory())
    response = client_for(organiser).post(
        detail_url(event) + f"manage/{registration.pk}/", {"decision": "promote"}, follow=True
    )
    assert "Choose accept, waitlist or decline." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "applied"


def test_decision_on_another_events_registration_answers_404(organiser: Any) -> None:
    mine = EventFactory(organisers=[organiser])
    other = registration_create(event=EventFactory(), user=UserFactory())
    response = client_for(organiser).post(detail_url(mine) + f"manage/{other.pk}/", {"decision": "decline"})
    assert response.status_code == 404


def test_organiser_checks_in_a_participant(organiser: Any) -> None:
    event = EventFactory(organisers=[organiser])
    registration = RegistrationFactory(event=event)
    client_for(organiser).post(detail_url(event) + f"manage/{registration.pk}/check-in/", {"attended": "1"})
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_participants_csv_has_answers_and_neutralises_formulas(organiser: Any) -> None:
    event = EventFactory(
        organisers=[organiser], participation=ParticipationMode.APPLICATION, questions=["Why?"]
    )
    registration_create(
        event=event, user=UserFactory(first_name="=HYPERLINK", last_name="X"), answers=["Heat"]
    )
    response = client_for(organiser).get(detail_url(event) + "manage/participants.csv")
    text = b"".join(response.streaming_content).decode()
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].endswith("Why?")
    assert lines[1].startswith("'=HYPERLINK X")
    assert lines[1].endswith("Heat")


def test_cancelling_the_event_needs_a_message_and_tells_registrants(organiser: Any) -> None:
    from connective.notifications.models import Notification

    event = EventFactory(organisers=[organiser])
    participant = RegistrationFactory(event=event).user
    client = client_for(organiser)
    response = client.post(detail_url(event) + "manage/status/", {"action": "cancel", "message": ""})
    assert response.status_code == 400
    assert "Tell the registrants why the event is cancelled." in response.content.decode()
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    client.post(detail_url(event) + "manage/status/", {"action": "cancel", "message": "The venue flooded."})
    event.refresh_from_db()
    assert (event.status, event.sequence) == (EventStatus.CANCELLED, 1)
    notice = Notification.objects.get(recipient=participant, kind="events.status")
    assert notice.data["message"] == "The venue flooded."


def test_rescheduling_takes_the_events_local_time(organiser: Any) -> None:
    event = EventFactory(organisers=[organiser], time_zone="Asia/Jakarta")
    response = client_for(organiser).post(
        detail_url(event) + "manage/status/",
        {
            "action": "reschedule",
            "message": "New dates",
            "starts_at": "2027-03-15T09:00",
            "ends_at": "2027-03-16T17:00",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    # 09:00 in Jakarta (UTC+7) is 02:00 UTC.
    assert event.starts_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == "2027-03-15 02:00"


def test_rescheduling_with_the_end_before_the_start_changes_nothing(organiser: Any) -> None:
    event = EventFactory(organisers=[organiser])
    before = event.starts_at
    response = client_for(organiser).post(
        detail_url(event) + "manage/status/",
        {"action": "reschedule", "starts_at": "2027-03-15T09:00", "ends_at": "2027-03-14T17:00"},
    )
    assert response.status_code == 400
    assert "The event must end after it starts." in response.content.decode()
    event.refresh_from_db()
    assert event.starts_at == before


def test_member_chooses_a_time_zone(member: Any) -> None:
    client = client_for(member)
    client.post("/en/events/mine/time-zone/", {"time_zone": "Asia/Manila"})
    member.refresh_from_db()
    assert member.time_zone == "Asia/Manila"
    response = client.post("/en/events/mine/time-zone/", {"time_zone": "Moon/Base"}, follow=True)
    assert "“Moon/Base” is not a time zone" in response.content.decode()
    member.refresh_from_db()
    assert member.time_zone == "Asia/Manila"


def test_sitemap_lists_events_but_never_drafts() -> None:
    EventFactory(slug="water-dialogue-amman")
    EventFactory(slug="draft-in-the-making", status=EventStatus.DRAFT)
    xml = Client().get("/sitemap-events.xml").content.decode()
    assert "/en/events/water-dialogue-amman/" in xml
    assert "draft-in-the-making" not in xml


def test_practice_page_lists_the_events_it_was_presented_at(published_practice: Any, member: Any) -> None:
    shown = EventFactory(title="Dialogue on safe streets")
    hidden = EventFactory(title="Draft workshop", status=EventStatus.DRAFT)
    shown.practices.add(published_practice)
    hidden.practices.add(published_practice)
    body = client_for(member).get(f"/en/practices/{published_practice.slug}/").content.decode()
    assert "Presented at events" in body
    assert "Dialogue on safe streets" in body
    assert "Draft workshop" not in body


def test_participant_chooses_to_be_on_the_public_list(member: Any) -> None:
    event = EventFactory(public_participants=True)
    registration = RegistrationFactory(event=event, user=member, public=False)
    client = client_for(member)
    client.post(detail_url(event) + "listing/", {"public": "1"})
    registration.refresh_from_db()
    assert registration.public is True
    client.post(detail_url(event) + "listing/", {"public": "0"})
    registration.refresh_from_db()
    assert registration.public is False


def test_public_listing_answers_404_where_the_event_keeps_no_public_list(member: Any) -> None:
    event = EventFactory(public_participants=False)
    RegistrationFactory(event=event, user=member)
    assert client_for(member).post(detail_url(event) + "listing/", {"public": "1"}).status_code == 404
    assert (
        client_for(UserFactory())
        .post(detail_url(EventFactory(public_participants=True)) + "listing/")
        .status_code
        == 404
    )


def test_event_page_shows_the_first_of_a_long_public_list_and_links_to_the_rest() -> None:
    event = EventFactory(public_participants=True)
    for index in range(50):
        RegistrationFactory(event=event, user=UserFactory(last_name=f"Listed{index:02d}"), public=True)
    body = Client().get(detail_url(event)).content.decode()
    assert body.count("Listed") == 48
    assert "See everyone on the public list" in body
    full = Client().get(detail_url(event) + "participants/").content.decode()
    assert full.count("Listed") == 50
    assert "50 participants chose to be listed." in full


def test_public_list_page_answers_404_where_there_is_none() -> None:
    assert Client().get(detail_url(EventFactory()) + "participants/").status_code == 404
    draft = EventFactory(public_participants=True, status=EventStatus.DRAFT)
    assert Client().get(detail_url(draft) + "participants/").status_code == 404


def test_manage_page_names_who_reserved_places_are_for(organiser: Any) -> None:
    from connective.events.models import ReservedPlaces
    from connective.network.models import OrganisationType

    event = EventFactory(organisers=[organiser], capacity=30)
    ReservedPlaces.objects.create(event=event, region=Region.objects.get(slug="mena"), places=5)
    ReservedPlaces.objects.create(event=event, organisation_type=OrganisationType.MUNICIPALITY, places=10)
    body = client_for(organiser).get(detail_url(event) + "manage/").content.decode()
    assert "0 of 5 places reserved for Middle East and North Africa" in body
    assert "0 of 10 places reserved for Municipality" in body
