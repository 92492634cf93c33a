"""Places at an event: capacity, waitlist, offers and their expiry, windows, reserved places, cancellation and
the application flow, through the services every page and the API use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from connective.core.models import Country, Region
from connective.events.models import (
    Event,
    EventStatus,
    ParticipationMode,
    Registration,
    ReservedPlaces,
)
from connective.events.registration import (
    Decision,
    RegistrationError,
    application_decide,
    checkin_set,
    offer_accept,
    offer_decline,
    offers_expire,
    places_changed,
    registration_cancel,
    registration_create,
)
from connective.network.models import OrganisationType
from connective.notifications.models import Notification
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _status(registration: Registration) -> str:
    registration.refresh_from_db()
    return registration.status


def _kinds(user: Any) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", flat=True))


# --- capacity and the waitlist --------------------------------------------------------------------------------


def test_registration_confirms_until_capacity_then_waitlists() -> None:
    event = EventFactory(capacity=2)
    people = UserFactory.create_batch(3)
    statuses = [registration_create(event=event, user=person).status for person in people]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    event.refresh_from_db()
    assert (event.confirmed_count, event.waitlist_count) == (2, 1)
    assert _kinds(people[2]) == ["events.registration"]


def test_registration_without_capacity_never_waitlists() -> None:
    event = EventFactory(capacity=None)
    statuses = {
        registration_create(event=event, user=person).status for person in UserFactory.create_batch(5)
    }
    assert statuses == {"confirmed"}


def test_registration_twice_is_refused_and_changes_nothing() -> None:
    event = EventFactory()
    person = UserFactory()
    registration_create(event=event, user=person)
    with pytest.raises(RegistrationError, match="already registered"):
        registration_create(event=event, user=person)
    assert Registration.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert event.confirmed_count == 1


def test_cancellation_offers_the_place_to_the_first_on_the_waitlist() -> None:
    event = EventFactory(capacity=1, offer_hours=24)
    first, second, third = UserFactory.create_batch(3)
    holder = registration_create(event=event, user=first)
    waiting_first = registration_create(event=event, user=second)
    waiting_second = registration_create(event=event, user=third)
    now = timezone.now()
    registration_cancel(registration=holder, actor=first, now=now)
    assert _status(holder) == "cancelled"
    assert _status(waiting_first) == "offered"
    assert _status(waiting_second) == "waitlisted"
    assert waiting_first.offer_expires_at == now + timedelta(hours=24)
    assert _kinds(second)[-1] == "events.offer"
    event.refresh_from_db()
    # An offered place is held, not yet confirmed.
    assert (event.confirmed_count, event.waitlist_count) == (0, 1)


def test_offer_accepted_in_time_confirms_the_place() -> None:
    event = EventFactory(capacity=1)
    first, second = UserFactory.create_batch(2)
    holder = registration_create(event=event, user=first)
    waiting = registration_create(event=event, user=second)
    registration_cancel(registration=holder, actor=first)
    waiting.refresh_from_db()
    offer_accept(registration=waiting)
    assert _status(waiting) == "confirmed"
    event.refresh_from_db()
    assert (event.confirmed_count, event.waitlist_count) == (1, 0)


def test_offer_accepted_too_late_is_refused() -> None:
    event = EventFactory(capacity=1, offer_hours=2)
    first, second = UserFactory.create_batch(2)
    holder = registration_create(event=event, user=first)
    waiting = registration_create(event=event, user=second)
    now = timezone.now()
    registration_cancel(registration=holder, actor=first, now=now)
    waiting.refresh_from_db()
    with pytest.raises(RegistrationError, match="passed"):
        offer_accept(registration=waiting, now=now + timedelta(hours=3))
    assert _status(waiting) == "offered"


def test_expired_offer_passes_to_the_next_person() -> None:
    event = EventFactory(capacity=1, offer_hours=2)
    first, second, third = UserFactory.create_batch(3)
    holder = registration_create(event=event, user=first)
    offered = registration_create(event=event, user=second)
    next_in_line = registration_create(event=event, user=third)
    now = timezone.now()
    registration_cancel(registration=holder, actor=first, now=now)
    assert offers_expire(now=now + timedelta(hours=1)) == 0
    assert offers_expire(now=now + timedelta(hours=2, seconds=1)) == 1
    assert _status(offered) == "expired"
    assert _status(next_in_line) == "offered"
    assert _kinds(second)[-1] == "events.offer_expired"
    # Running it again does nothing twice.
    assert offers_expire(now=now + timedelta(hours=2, seconds=2)) == 0


def test_offer_never_outlives_the_start_of_the_event() -> None:
    start = timezone.now() + timedelta(hours=5)
    event = EventFactory(capacity=1, offer_hours=48, starts_at=start, ends_at=start + timedelta(hours=3))
    first, second = UserFactory.create_batch(2)
    holder = registration_create(event=event, user=first)
    waiting = registration_create(event=event, user=second)
    registration_cancel(registration=holder, actor=first)
    waiting.refresh_from_db()
    assert waiting.offer_expires_at == start


def test_declined_offer_goes_to_the_next_person() -> None:
    event = EventFactory(capacity=1)
    first, second, third = UserFactory.create_batch(3)
    holder = registration_create(event=event, user=first)
    offered = registration_create(event=event, user=second)
    next_in_line = registration_create(event=event, user=third)
    registration_cancel(registration=holder, actor=first)
    offered.refresh_from_db()
    offer_decline(registration=offered)
    assert _status(offered) == "cancelled"
    assert _status(next_in_line) == "offered"


def test_cancelling_a_waitlist_place_frees_no_place() -> None:
    event = EventFactory(capacity=1)
    first, second, third = UserFactory.create_batch(3)
    registration_create(event=event, user=first)
    waiting = registration_create(event=event, user=second)
    behind = registration_create(event=event, user=third)
    registration_cancel(registration=waiting, actor=second)
    assert _status(behind) == "waitlisted"


def test_registering_again_after_cancelling_goes_to_the_back_of_the_queue() -> None:
    event = EventFactory(capacity=1)
    first, second = UserFactory.create_batch(2)
    holder = registration_create(event=event, user=first)
    registration_create(event=event, user=second)
    registration_cancel(registration=holder, actor=first)
    again = registration_create(event=event, user=first)
    assert again.pk == holder.pk
    assert again.status == "waitlisted"


def test_cancelling_after_the_event_is_refused() -> None:
    event = EventFactory()
    person = UserFactory()
    registration = registration_create(event=event, user=person)
    with pytest.raises(RegistrationError, match="over"):
        registration_cancel(registration=registration, actor=person, now=event.ends_at + timedelta(minutes=1))
    assert _status(registration) == "confirmed"


def test_more_places_are_offered_to_the_waitlist() -> None:
    event = EventFactory(capacity=1)
    first, second, third = UserFactory.create_batch(3)
    registration_create(event=event, user=first)
    waiting = [registration_create(event=event, user=p) for p in (second, third)]
    Event.objects.filter(pk=event.pk).update(capacity=3)
    event.refresh_from_db()
    offered = places_changed(event=event)
    assert [r.pk for r in offered] == [r.pk for r in waiting]


# --- windows and status -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"status": EventStatus.DRAFT}, "not published"),
        ({"status": EventStatus.CANCELLED}, "cancelled"),
        ({"status": EventStatus.POSTPONED}, "postponed"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "not opened yet"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "closed"),
    ],
)
def test_registration_outside_its_window_is_refused(changes: dict[str, Any], message: str) -> None:
    event = EventFactory(**changes)
    with pytest.raises(RegistrationError, match=message):
        registration_create(event=event, user=UserFactory())
    assert not Registration.objects.filter(event=event).exists()


def test_registration_closes_when_the_event_starts() -> None:
    event = EventFactory()
    with pytest.raises(RegistrationError, match="closed"):
        registration_create(event=event, user=UserFactory(), now=event.starts_at)


def test_registration_inside_its_window_is_accepted() -> None:
    now = timezone.now()
    event = EventFactory(
        registration_opens_at=now - timedelta(days=1), registration_closes_at=now + timedelta(days=1)
    )
    assert registration_create(event=event, user=UserFactory(), now=now).status == "confirmed"


# --- reserved places ----------------------------------------------------------------------------------------


def _person_from(country: str, organisation_type: str = OrganisationType.MUNICIPALITY) -> Any:
    organisation = OrganisationFactory(type=organisation_type, country=Country.objects.get(code=country))
    return UserFactory(country=Country.objects.get(code=country), organisation=organisation)


def test_reserved_places_are_kept_for_their_region() -> None:
    event = EventFactory(capacity=3)
    ReservedPlaces.objects.create(event=event, region=Region.objects.get(slug="mena"), places=2)
    europeans = [_person_from("DE") for _ in range(2)]
    moroccan = _person_from("MA")
    assert registration_create(event=event, user=europeans[0]).status == "confirmed"
    # The one general place is gone; the two reserved ones wait for MENA.
    assert registration_create(event=event, user=europeans[1]).status == "waitlisted"
    taken = registration_create(event=event, user=moroccan)
    assert taken.status == "confirmed"
    assert taken.reserved is not None


def test_reserved_places_by_organisation_type() -> None:
    event = EventFactory(capacity=1)
    ReservedPlaces.objects.create(event=event, organisation_type=OrganisationType.MUNICIPALITY, places=1)
    researcher = _person_from("DE", OrganisationType.UNIVERSITY)
    municipal = _person_from("DE")
    assert registration_create(event=event, user=researcher).status == "waitlisted"
    assert registration_create(event=event, user=municipal).status == "confirmed"


def test_a_person_who_fits_reserved_places_takes_a_general_one_when_those_are_full() -> None:
    event = EventFactory(capacity=2)
    ReservedPlaces.objects.create(event=event, region=Region.objects.get(slug="mena"), places=1)
    first, second = _person_from("MA"), _person_from("TN")
    assert registration_create(event=event, user=first).reserved is not None
    second_registration = registration_create(event=event, user=second)
    assert (second_registration.status, second_registration.reserved) == ("confirmed", None)


def test_a_freed_reserved_place_is_offered_to_the_next_person_it_is_for() -> None:
    event = EventFactory(capacity=2)
    ReservedPlaces.objects.create(event=event, region=Region.objects.get(slug="mena"), places=1)
    german, moroccan = _person_from("DE"), _person_from("MA")
    registration_create(event=event, user=german)
    holder = registration_create(event=event, user=moroccan)
    waiting_german = registration_create(event=event, user=_person_from("DE"))
    waiting_tunisian = registration_create(event=event, user=_person_from("TN"))
    registration_cancel(registration=holder, actor=moroccan)
    # The German waited longer, but the freed place is reserved for the region.
    assert _status(waiting_german) == "waitlisted"
    assert _status(waiting_tunisian) == "offered"


# --- applications -------------------------------------------------------------------------------------------


def _application_event(**extra: Any) -> Event:
    return EventFactory(
        participation=ParticipationMode.APPLICATION,
        questions=["What do you bring?", "What do you want to learn?"],
        capacity=1,
        **extra,
    )


def test_application_needs_every_answer() -> None:
    event = _application_event()
    with pytest.raises(RegistrationError, match="answer every question"):
        registration_create(event=event, user=UserFactory(), answers=["Solar lighting", " "])
    assert not Registration.objects.filter(event=event).exists()


def test_application_is_received_and_organisers_are_told() -> None:
    organiser = UserFactory()
    event = _application_event(organisers=[organiser])
    applicant = UserFactory()
    registration = registration_create(event=event, user=applicant, answers=["Solar lighting", "Financing"])
    assert registration.status == "applied"
    assert registration.answers == [
        {"question": "What do you bring?", "answer": "Solar lighting"},
        {"question": "What do you want to learn?", "answer": "Financing"},
    ]
    assert _kinds(organiser) == ["events.new_application"]


def test_contribution_is_required_when_the_event_asks_for_it() -> None:
    event = EventFactory(asks_for_contribution=True)
    with pytest.raises(RegistrationError, match="practice you bring or describe your challenge"):
        registration_create(event=event, user=UserFactory())
    registration = registration_create(event=event, user=UserFactory(), challenge="Flooding in the old town")
    assert registration.challenge == "Flooding in the old town"


def test_accepting_an_applicant_takes_a_place_and_tells_them() -> None:
    organiser = UserFactory()
    event = _application_event(organisers=[organiser])
    applicant = UserFactory()
    registration = registration_create(event=event, user=applicant, answers=["a", "b"])
    application_decide(
        registration=registration, decision=Decision.ACCEPT, message="Welcome!", actor=organiser
    )
    registration.refresh_from_db()
    assert (registration.status, registration.message, registration.decided_by) == (
        "confirmed",
        "Welcome!",
        organiser,
    )
    assert _kinds(applicant)[-1] == "events.decision"


def test_accepting_when_no_place_is_free_is_refused() -> None:
    organiser = UserFactory()
    event = _application_event(organisers=[organiser])
    first = registration_create(event=event, user=UserFactory(), answers=["a", "b"])
    second = registration_create(event=event, user=UserFactory(), answers=["a", "b"])
    application_decide(registration=first, decision=Decision.ACCEPT, actor=organiser)
    with pytest.raises(RegistrationError, match="No place is free"):
        application_decide(registration=second, decision=Decision.ACCEPT, actor=organiser)
    assert _status(second) == "applied"


def test_waitlisted_applicant_is_offered_a_place_after_a_cancellation() -> None:
    organiser = UserFactory()
    event = _application_event(organisers=[organiser])
    first_person, second_person = UserFactory.create_batch(2)
    first = registration_create(event=event, user=first_person, answers=["a", "b"])
    second = registration_create(event=event, user=second_person, answers=["a", "b"])
    application_decide(registration=first, decision=Decision.ACCEPT, actor=organiser)
    application_decide(
        registration=second, decision=Decision.WAITLIST, message="You are next.", actor=organiser
    )
    assert _status(second) == "waitlisted"
    registration_cancel(registration=first, actor=first_person)
    assert _status(second) == "offered"
    offer_accept(registration=second)
    assert _status(second) == "confirmed"


def test_declined_applicant_cannot_apply_again() -> None:
    organiser = UserFactory()
    event = _application_event(organisers=[organiser])
    applicant = UserFactory()
    registration = registration_create(event=event, user=applicant, answers=["a", "b"])
    application_decide(
        registration=registration, decision=Decision.DECLINE, message="Sorry.", actor=organiser
    )
    with pytest.raises(RegistrationError, match="already decided"):
        registration_create(event=event, user=applicant, answers=["a", "b"])
    assert _status(registration) == "declined"


def test_a_decision_that_does_not_apply_is_refused() -> None:
    organiser = UserFactory()
    event = EventFactory(organisers=[organiser])
    registration = registration_create(event=event, user=UserFactory())
    with pytest.raises(RegistrationError, match="does not apply"):
        application_decide(registration=registration, decision=Decision.WAITLIST, actor=organiser)
    with pytest.raises(RegistrationError, match="accept, waitlist or decline"):
        application_decide(registration=registration, decision="promote", actor=organiser)
    assert _status(registration) == "confirmed"


# --- check-in -------------------------------------------------------------------------------------------------


def test_check_in_only_for_confirmed_participants() -> None:
    event = EventFactory(capacity=1)
    organiser = UserFactory()
    confirmed = registration_create(event=event, user=UserFactory())
    waiting = registration_create(event=event, user=UserFactory())
    checkin_set(registration=confirmed, attended=True, actor=organiser)
    assert confirmed.checked_in_at is not None
    with pytest.raises(RegistrationError, match="Only confirmed"):
        checkin_set(registration=waiting, attended=True, actor=organiser)
    checkin_set(registration=confirmed, attended=False, actor=organiser)
    confirmed.refresh_from_db()
    assert confirmed.checked_in_at is None
