"""Events in the back office: staff create and change events, their agenda sessions and reserved places, and
review proposals, through the Wagtail admin views and the services behind them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from connective.core.models import AuditLog, Region, Topic
from connective.events.models import (
    AgendaSession,
    Event,
    EventProposal,
    EventStatus,
    ProposalStatus,
    RegistrationStatus,
    ReservedPlaces,
)
from connective.events.proposals import proposal_decide, proposal_submit
from connective.network.models import OrganisationType
from tests.factories import AgendaSessionFactory, EventFactory, RegistrationFactory, UserFactory, city

pytestmark = pytest.mark.django_db

EVENTS = "/admin/snippets/events/event/"
SESSIONS = "/admin/snippets/events/agendasession/"
RESERVED = "/admin/snippets/events/reservedplaces/"
PROPOSALS = "/admin/snippets/events/eventproposal/"
NAIROBI = ZoneInfo("Africa/Nairobi")


def admin_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_in_bogota(staff: Any) -> Any:
    """Staff working in another zone than the event's, so typed times must be read as the event's."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(staff)
    profile.current_time_zone = "America/Bogota"
    profile.save()
    return staff


def first_day() -> datetime:
    return (timezone.now() + timedelta(days=90)).replace(hour=0, minute=0, second=0, microsecond=0)


def typed(day_offset: int, hour: int) -> str:
    return (first_day() + timedelta(days=day_offset)).strftime(f"%Y-%m-%d {hour:02d}:00")


def local(day_offset: int, hour: int, zone: ZoneInfo = NAIROBI) -> datetime:
    day = (first_day() + timedelta(days=day_offset)).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone)


def event_data(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Water-sensitive cities",
        "format": "practitioners_workshop",
        "summary": "Six cities compare drainage plans.",
        "description": "Three days of site visits.",
        "language": "en",
        "host_organisation": "",
        "organiser_emails": "",
        "time_zone": "Africa/Nairobi",
        "starts_at": typed(0, 9),
        "ends_at": typed(2, 17),
        "mode": "in_person",
        "host_city_name": "",
        "host_country": "",
        "region": "",
        "venue_name": "City Hall",
        "venue_address": "",
        "latitude": "",
        "longitude": "",
        "online_url": "",
        "travel_cover": "",
        "travel_note": "",
        "languages": ["en", "fr"],
        "participation": "registration",
        "capacity": "30",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "offer_hours": "48",
        "questions": "",
        "certificates": "on",
        "survey_questions": "",
        **changes,
    }


def edit_data(event: Event, **changes: Any) -> dict[str, Any]:
    """The edit form as it stands for `event`, with `changes`."""
    zone = ZoneInfo(event.time_zone)
    current = {
        "title": event.title,
        "format": event.format,
        "summary": event.summary,
        "description": event.description,
        "time_zone": event.time_zone,
        "starts_at": event.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "ends_at": event.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "capacity": "" if event.capacity is None else str(event.capacity),
        "venue_name": event.venue_name,
        "languages": event.languages,
    }
    return event_data(**{**current, **changes})


# --- Events ------------------------------------------------------------------------------------------------


def test_staff_create_an_event_draft_in_the_back_office(staff_in_bogota: Any) -> None:
    staff = staff_in_bogota
    organiser = UserFactory(email="amara@example.org")
    topic = Topic.objects.get(slug="climate-adaptation")
    nairobi = city("Nairobi", "KE")

    response = admin_client(staff).post(
        f"{EVENTS}add/",
        event_data(
            topics=[str(topic.pk)],
            organiser_emails="Amara@example.org",
            time_zone="",
            host_city_name="Nairobi",
            host_country="KE",
            questions="Which plan do you bring?\n\nWho pays for it?",
        ),
    )

    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.title, event.slug, event.status, event.created_by) == (
        "Water-sensitive cities",
        "water-sensitive-cities",
        EventStatus.DRAFT,
        staff,
    )
    # Typed as Nairobi time, although the staff member works in Bogotá; the zone came from the host city.
    assert (event.time_zone, event.starts_at, event.ends_at) == ("Africa/Nairobi", local(0, 9), local(2, 17))
    assert (event.host_city, event.region) == (nairobi, nairobi.country.region)
    assert (event.languages, event.questions, event.capacity) == (
        ["en", "fr"],
        ["Which plan do you bring?", "Who pays for it?"],
        30,
    )
    assert list(event.organisers.all()) == [organiser]
    assert list(event.topics.all()) == [topic]
    assert AuditLog.objects.filter(action="event.create", actor=staff, object_id=str(event.pk)).count() == 1


def test_edit_form_shows_times_in_the_events_own_zone(staff_in_bogota: Any) -> None:
    event = EventFactory(time_zone="Africa/Nairobi", starts_at=local(0, 9), ends_at=local(2, 17))

    page = admin_client(staff_in_bogota).get(f"{EVENTS}edit/{event.pk}/").content.decode()

    assert f'value="{typed(0, 9)}"' in page
    assert f'value="{typed(2, 17)}"' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "“Mars/Olympus” is not a time zone we know."),
        ({"time_zone": ""}, "Give the time zone, or a host city whose zone we know."),
        ({"ends_at": typed(-1, 9)}, "The event must end after it starts."),
        ({"languages": ["en", "xx"]}, "There is no language “xx” to choose."),
        ({"language": "tlh"}, "Choose a language from the list."),
        ({"organiser_emails": "nobody@example.org"}, "No active member has the address nobody@example.org."),
        (
            {"host_city_name": "Atlantis", "host_country": "KE"},
            "We do not know a city called Atlantis in Kenya.",
        ),
        ({"latitude": "95", "longitude": "10"}, "The latitude is between -90 and 90."),
        ({"latitude": "45"}, "Give both latitude and longitude."),
        ({"registration_closes_at": typed(5, 9)}, "Registration cannot close after the event has ended."),
        (
            {"registration_opens_at": typed(-3, 9), "registration_closes_at": typed(-4, 9)},
            "Registration must close after it opens.",
        ),
        ({"questions": "\n".join(f"Question {n}?" for n in range(21))}, "Ask at most 20 questions."),
    ],
)
def test_creating_an_event_with_bad_input_says_why_and_saves_nothing(
    staff: Any, changes: dict[str, Any], message: str
) -> None:
    response = admin_client(staff).post(f"{EVENTS}add/", event_data(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Event.objects.count() == 0
    assert AuditLog.objects.filter(action="event.create").count() == 0


def test_raising_capacity_offers_the_freed_place_to_the_waitlist(staff: Any) -> None:
    event = EventFactory(capacity=1, time_zone="Africa/Nairobi", starts_at=local(0, 9), ends_at=local(2, 17))
    RegistrationFactory(event=event)
    waiting = RegistrationFactory(
        event=event, status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now()
    )
    sequence = event.sequence

    response = admin_client(staff).post(f"{EVENTS}edit/{event.pk}/", edit_data(event, capacity="2"))

    assert response.status_code == 302
    waiting.refresh_from_db()
    event.refresh_from_db()
    assert (event.capacity, waiting.status) == (2, RegistrationStatus.OFFERED)
    # Places are no change for calendars.
    assert event.sequence == sequence
    entry = AuditLog.objects.get(action="event.update", object_id=str(event.pk))
    assert entry.details == {"fields": ["capacity"]}


def test_changing_dates_raises_the_calendar_revision_and_keeps_counts_and_status(staff: Any) -> None:
    event = EventFactory(time_zone="Africa/Nairobi", starts_at=local(0, 9), ends_at=local(2, 17))
    RegistrationFactory(event=event)
    organiser = UserFactory(email="amara@example.org")
    event.refresh_from_db()
    slug = event.slug

    response = admin_client(staff).post(
        f"{EVENTS}edit/{event.pk}/",
        edit_data(event, starts_at=typed(1, 10), organiser_emails="amara@example.org"),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.starts_at, event.sequence, event.confirmed_count) == (local(1, 10), 1, 1)
    assert (event.status, event.slug, list(event.organisers.all())) == (
        EventStatus.PUBLISHED,
        slug,
        [organiser],
    )
    entry = AuditLog.objects.get(action="event.update", object_id=str(event.pk))
    assert entry.details == {"fields": ["organisers", "starts_at"]}


def test_saving_an_event_unchanged_leaves_the_calendar_revision_alone(staff: Any) -> None:
    event = EventFactory(time_zone="Africa/Nairobi", starts_at=local(0, 9), ends_at=local(2, 17))

    response = admin_client(staff).post(f"{EVENTS}edit/{event.pk}/", edit_data(event))

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.sequence == 0
    assert AuditLog.objects.get(action="event.update", object_id=str(event.pk)).details == {"fields": []}


def test_capacity_below_the_reserved_places_is_refused(staff: Any) -> None:
    event = EventFactory(capacity=30, time_zone="Africa/Nairobi", starts_at=local(0, 9), ends_at=local(2, 17))
    ReservedPlaces.objects.create(event=event, organisation_type=OrganisationType.MUNICIPALITY, places=10)

    for capacity, message in [
        ("8", "The reserved places add up to 10: give at least that many places"),
        ("", "10 places are reserved: give the number of places"),
    ]:
        response = admin_client(staff).post(f"{EVENTS}edit/{event.pk}/", edit_data(event, capacity=capacity))

        assert response.status_code == 200
        assert message in response.content.decode()
        event.refresh_from_db()
        assert event.capacity == 30


@pytest.mark.parametrize("persona", ["editor", "member"])
def test_event_screens_are_closed_to_everyone_but_staff(persona: str, request: Any) -> None:
    client = admin_client(request.getfixturevalue(persona))
    event = EventFactory(title="Water-sensitive cities")
    proposal = proposal_submit(
        proposer=UserFactory(),
        title="Heat",
        format="dialogue",
        topics=[],
        challenge="Hot.",
        partners="",
        proposed_start=timezone.localdate() + timedelta(days=30),
        proposed_end=timezone.localdate() + timedelta(days=31),
        language="en",
    )

    for url in (EVENTS, f"{EVENTS}add/", SESSIONS, RESERVED, PROPOSALS, f"{PROPOSALS}edit/{proposal.pk}/"):
        assert client.get(url).status_code in {302, 403}
    assert client.post(f"{EVENTS}add/", event_data()).status_code in {302, 403}
    assert client.post(f"{EVENTS}edit/{event.pk}/", edit_data(event, title="Taken over")).status_code in {
        302,
        403,
    }
    event.refresh_from_db()
    assert (event.title, Event.objects.count()) == ("Water-sensitive cities", 1)


def test_events_cannot_be_deleted_in_the_back_office(staff: Any) -> None:
    event = EventFactory()

    response = admin_client(staff).post(f"{EVENTS}delete/{event.pk}/")

    assert response.status_code in {302, 403}
    assert Event.objects.filter(pk=event.pk).exists()


def test_event_listing_takes_a_bounded_number_of_queries(
    staff: Any, django_assert_max_num_queries: Any
) -> None:
    EventFactory.create_batch(30, host_city=city("Leipzig", "DE"))
    client = admin_client(staff)

    with django_assert_max_num_queries(15):
        response = client.get(EVENTS)

    assert response.status_code == 200
    page = response.content.decode()
    assert all(f">{event.title}<" in page for event in Event.objects.all())


def test_staff_menu_shows_events_to_staff_only(staff: Any, editor: Any) -> None:
    assert "Event proposals" in admin_client(staff).get("/admin/").content.decode()
    assert "Event proposals" not in admin_client(editor).get("/admin/").content.decode()


# --- Agenda sessions ---------------------------------------------------------------------------------------


def session_data(for_event: Event, **changes: Any) -> dict[str, Any]:
    return {
        "event": str(for_event.pk),
        "title": "Site visit to the retention park",
        "description": "",
        "starts_at": typed(1, 14),
        "ends_at": typed(1, 16),
        "location": "Uhuru Park",
        "speaker_emails": "",
        "guest_speakers": "",
        **changes,
    }


@pytest.fixture
def nairobi_event() -> Event:
    return EventFactory(capacity=30, time_zone="Africa/Nairobi", starts_at=local(0, 9), ends_at=local(2, 17))


def test_the_add_session_link_names_the_event(staff: Any, nairobi_event: Event) -> None:
    page = admin_client(staff).get(f"{SESSIONS}add/", {"event": nairobi_event.pk}).content.decode()

    # The event chooser's value.
    assert f'<input type="hidden" name="event" value="{nairobi_event.pk}" required id="id_event">' in page


def test_staff_add_a_session_in_the_events_local_time(staff_in_bogota: Any, nairobi_event: Event) -> None:
    speaker = UserFactory(email="chidi@example.org")

    response = admin_client(staff_in_bogota).post(
        f"{SESSIONS}add/", session_data(nairobi_event, speaker_emails="chidi@example.org")
    )

    assert response.status_code == 302
    assert response["Location"] == f"{SESSIONS}?event={nairobi_event.pk}"
    session = AgendaSession.objects.get()
    assert (session.event, session.starts_at, session.ends_at) == (nairobi_event, local(1, 14), local(1, 16))
    assert list(session.speakers.all()) == [speaker]
    assert AuditLog.objects.filter(action="event_session.create", object_id=str(session.pk)).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"ends_at": typed(1, 13)}, "The session must end after it starts."),
        ({"starts_at": typed(-1, 14)}, "The session cannot start before the event&#x27;s first day."),
        ({"ends_at": typed(3, 9)}, "The session cannot end after the event&#x27;s last day."),
        ({"speaker_emails": "ghost@example.org"}, "No active member has the address ghost@example.org."),
        ({"event": "999999"}, "There is no such event. Choose one from the list."),
    ],
)
def test_adding_a_session_with_bad_input_says_why_and_saves_nothing(
    staff: Any, nairobi_event: Event, changes: dict[str, Any], message: str
) -> None:
    response = admin_client(staff).post(f"{SESSIONS}add/", session_data(nairobi_event, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert AgendaSession.objects.count() == 0


def test_session_listing_filtered_by_event_shows_that_events_agenda(staff: Any, nairobi_event: Event) -> None:
    AgendaSessionFactory(event=nairobi_event, title="Opening of the workshop")
    AgendaSessionFactory(title="Unrelated keynote")

    page = admin_client(staff).get(SESSIONS, {"event": nairobi_event.pk}).content.decode()

    assert "Opening of the workshop" in page
    assert "Unrelated keynote" not in page


def test_staff_delete_a_session_with_a_log(staff: Any, nairobi_event: Event) -> None:
    session = AgendaSessionFactory(event=nairobi_event)

    response = admin_client(staff).post(f"{SESSIONS}delete/{session.pk}/")

    assert response.status_code == 302
    assert AgendaSession.objects.count() == 0
    assert AuditLog.objects.filter(action="event_session.delete", object_id=str(session.pk)).count() == 1


def test_bulk_deleting_sessions_goes_through_the_service(staff: Any, nairobi_event: Event) -> None:
    sessions = AgendaSessionFactory.create_batch(2, event=nairobi_event)
    ids = "&".join(f"id={s.pk}" for s in sessions)

    response = admin_client(staff).post(f"/admin/bulk/events/agendasession/delete/?{ids}&next={SESSIONS}")

    assert response.status_code == 302
    assert AgendaSession.objects.count() == 0
    assert AuditLog.objects.filter(action="event_session.delete").count() == 2


# --- Reserved places ---------------------------------------------------------------------------------------


def reserved_data(for_event: Event, **changes: Any) -> dict[str, Any]:
    return {
        "event": str(for_event.pk),
        "region": "",
        "organisation_type": "municipality",
        "places": "10",
        **changes,
    }


def test_staff_reserve_places_and_the_log_follows(staff: Any, nairobi_event: Event) -> None:
    response = admin_client(staff).post(f"{RESERVED}add/", reserved_data(nairobi_event))

    assert response.status_code == 302
    reserved = ReservedPlaces.objects.get()
    assert (reserved.event, reserved.organisation_type, reserved.places) == (
        nairobi_event,
        OrganisationType.MUNICIPALITY,
        10,
    )
    assert AuditLog.objects.filter(action="event_reserved.create", object_id=str(reserved.pk)).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"places": "25"},
            "The event has 30 places and 10 are already reserved: at most 20 more can be reserved.",
        ),
        ({"places": "0"}, "Reserve at least one place."),
        ({"organisation_type": ""}, "Choose the region or the type of organisation the places are kept for."),
        ({"organisation_type": "pirates"}, "Choose a type of organisation from the list."),
        ("region", "Reserve the places either for a region or for a type of organisation, not both."),
    ],
)
def test_reserving_with_bad_input_says_why_and_saves_nothing(
    staff: Any, nairobi_event: Event, changes: Any, message: str
) -> None:
    ReservedPlaces.objects.create(event=nairobi_event, organisation_type=OrganisationType.NGO, places=10)
    if changes == "region":
        changes = {"region": str(Region.objects.get(slug="latin-america").pk)}

    response = admin_client(staff).post(f"{RESERVED}add/", reserved_data(nairobi_event, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert ReservedPlaces.objects.count() == 1


def test_reserving_places_at_an_event_without_a_limit_is_refused(staff: Any) -> None:
    event = EventFactory(capacity=None)

    response = admin_client(staff).post(f"{RESERVED}add/", reserved_data(event))

    assert response.status_code == 200
    assert "This event has no limit of places: give its number of places first." in response.content.decode()
    assert ReservedPlaces.objects.count() == 0


def test_removing_reserved_places_frees_them_for_the_waitlist(staff: Any, nairobi_event: Event) -> None:
    Event.objects.filter(pk=nairobi_event.pk).update(capacity=2)
    reserved = ReservedPlaces.objects.create(
        event=nairobi_event, organisation_type=OrganisationType.MUNICIPALITY, places=1
    )
    RegistrationFactory(event=nairobi_event)
    waiting = RegistrationFactory(
        event=nairobi_event, status=RegistrationStatus.WAITLISTED, waitlisted_at=timezone.now()
    )

    response = admin_client(staff).post(f"{RESERVED}delete/{reserved.pk}/")

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.OFFERED
    assert AuditLog.objects.filter(action="event_reserved.delete", object_id=str(reserved.pk)).count() == 1


# --- Proposals ---------------------------------------------------------------------------------------------


def a_proposal(title: str = "Heat action plans", proposer: Any = None) -> EventProposal:
    return proposal_submit(
        proposer=proposer or UserFactory(),
        title=title,
        format="dialogue",
        topics=[],
        challenge="Our summers get hotter.",
        partners="",
        proposed_start=timezone.localdate() + timedelta(days=30),
        proposed_end=timezone.localdate() + timedelta(days=31),
        language="en",
    )


def test_proposal_listing_filters_by_status(staff: Any) -> None:
    proposal_decide(proposal=a_proposal("Heat action plans"), accept=True, note="", actor=staff)
    a_proposal("Informal settlements upgrading")

    page = admin_client(staff).get(PROPOSALS, {"status": "submitted"}).content.decode()

    assert "Informal settlements upgrading" in page
    assert "Heat action plans" not in page


def test_staff_accept_a_proposal_and_create_its_draft_in_the_back_office(staff: Any) -> None:
    proposer = UserFactory()
    proposal = a_proposal(proposer=proposer)

    response = admin_client(staff).post(
        f"{PROPOSALS}edit/{proposal.pk}/",
        {"decision": "accept", "review_note_text": "Gladly.", "create_draft": "on"},
    )

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{EVENTS}edit/{event.pk}/"
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note, proposal.event) == (
        ProposalStatus.ACCEPTED,
        "Gladly.",
        event,
    )
    assert (event.status, list(event.organisers.all())) == (EventStatus.DRAFT, [proposer])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "decline", "review_note_text": ""}, "Tell the proposer why the proposal is declined."),
        ({"decision": ""}, "Choose accept or decline."),
        (
            {"decision": "decline", "review_note_text": "Not now.", "create_draft": "on"},
            "Only an accepted proposal can become an event.",
        ),
    ],
)
def test_reviewing_a_proposal_with_bad_input_says_why_and_changes_nothing(
    staff: Any, data: dict[str, str], message: str
) -> None:
    proposal = a_proposal()

    response = admin_client(staff).post(f"{PROPOSALS}edit/{proposal.pk}/", data)

    assert response.status_code == 200
    assert message in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.event_id) == (ProposalStatus.SUBMITTED, None)
    assert Event.objects.count() == 0


def test_review_screen_shows_the_proposal_and_locks_an_answered_one(staff: Any) -> None:
    proposal = a_proposal()
    client = admin_client(staff)

    waiting = client.get(f"{PROPOSALS}edit/{proposal.pk}/").content.decode()
    proposal_decide(proposal=proposal, accept=False, note="Not this year.", actor=staff)
    answered = client.get(f"{PROPOSALS}edit/{proposal.pk}/").content.decode()

    assert "Our summers get hotter." in waiting
    assert '<select name="decision" id="id_decision">' in waiting
    assert '<select name="decision" disabled id="id_decision">' in answered


def test_proposals_cannot_be_added_or_deleted_in_the_back_office(staff: Any) -> None:
    proposal = a_proposal()
    client = admin_client(staff)

    assert client.get(f"{PROPOSALS}add/").status_code in {302, 403}
    assert client.post(f"{PROPOSALS}delete/{proposal.pk}/").status_code in {302, 403}
    assert EventProposal.objects.filter(pk=proposal.pk).exists()
