"""The events of the demo: twenty-five formats, past, running and upcoming, with their people.

The demo is loaded once for the module (practices, directory, groups and events, as `make run` does) inside a
transaction rolled back at the end; each test runs in a savepoint within it. Every count the registration
service keeps is recomputed here from the rows it summarises.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone, translation

from connective.accounts.models import User
from connective.events.certificates import code_well_formed, event_dates_text, event_place_text
from connective.events.demo_loader import (
    EVENTS_DEMO_DIR,
    check_events_demo,
    load_events_demo,
    read_events_demo,
    registration_entry,
)
from connective.events.models import (
    HOLDS_PLACE,
    AgendaSession,
    Certificate,
    Event,
    EventDocument,
    EventFormat,
    EventProposal,
    EventStatus,
    FeedbackResponse,
    ParticipationMode,
    ProposalStatus,
    Registration,
    RegistrationStatus,
    ReservedPlaces,
)
from connective.events.selectors import events_visible, my_registrations
from connective.practices.demo_loader import MEMBER_EMAIL, STAFF_EMAIL, DemoDataError, DemoSummary, load_demo
from connective.practices.models import PracticeStatus
from tests.factories import wagtail_roots

RECORDS, PROPOSALS = read_events_demo()
BY_SLUG = {record["slug"]: record for record in RECORDS}
ALEXANDRIA = "alexandria-water-loss-dialogue"
DRAFT_TITLE = "Energy-efficient public buildings in Jordanian municipalities"


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSummary]:
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        wagtail_roots()
        summary = load_demo()
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo: DemoSummary, db: Any) -> DemoSummary:
    return demo


def _past() -> list[Event]:
    return list(Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__lt=timezone.now()))


def _counts() -> dict[str, int]:
    return {
        "events": Event.objects.count(),
        "sessions": AgendaSession.objects.count(),
        "registrations": Registration.objects.count(),
        "certificates": Certificate.objects.count(),
        "feedback": FeedbackResponse.objects.count(),
        "documents": EventDocument.objects.count(),
        "reserved": ReservedPlaces.objects.count(),
        "proposals": EventProposal.objects.count(),
        "topics": Event.topics.through.objects.count(),
        "practices": Event.practices.through.objects.count(),
    }


def test_load_demo_builds_every_format_of_the_files(loaded: DemoSummary) -> None:
    formats = Counter(Event.objects.values_list("format", flat=True))

    assert loaded.warnings == []
    assert len(RECORDS) == 24
    assert Event.objects.count() == 25
    assert set(formats) == set(EventFormat.values)
    assert formats == {
        EventFormat.CONFERENCE: 2,
        EventFormat.DIALOGUE: 5,
        EventFormat.PRACTITIONERS_WORKSHOP: 4,
        EventFormat.PROJECT_WORKSHOP: 2,
        EventFormat.TRAINING: 4,
        EventFormat.STUDY_TRIP: 2,
        EventFormat.WEBINAR: 4,
        EventFormat.INSIGHT: 2,
    }
    assert Counter(Event.objects.values_list("status", flat=True)) == {
        EventStatus.PUBLISHED: 22,
        EventStatus.CANCELLED: 1,
        EventStatus.POSTPONED: 1,
        EventStatus.DRAFT: 1,
    }
    for record in RECORDS:
        event = Event.objects.get(slug=record["slug"])
        assert (event.title, event.format, event.language) == (
            record["title"],
            record["format"],
            record["language"],
        )
        assert sorted(event.topics.values_list("slug", flat=True)) == sorted(record["topics"])
        assert event.sessions.count() == len(record["sessions"]) > 0, event.slug
        assert event.registrations.count() == len(record["registrations"]), event.slug


def test_demo_events_are_past_running_and_upcoming(loaded: DemoSummary) -> None:
    now = timezone.now()
    published = Event.objects.filter(status=EventStatus.PUBLISHED)

    assert published.filter(ends_at__lt=now).count() == 11
    assert published.filter(starts_at__lte=now, ends_at__gte=now).count() == 1
    assert published.filter(starts_at__gt=now).count() == 10
    assert set(published.filter(ends_at__lt=now).values_list("format", flat=True)) == set(EventFormat.values)


def test_demo_events_are_written_in_the_hosts_languages(loaded: DemoSummary) -> None:
    assert set(Event.objects.values_list("language", flat=True)) == {"en", "fr", "es", "pt", "ar", "de"}
    assert Event.objects.get(slug="amman-urban-heat-dialogue").title.startswith("حوار")
    assert Event.objects.get(slug="medellin-informal-settlements-workshop").language == "es"
    assert Event.objects.get(slug="studienreise-kreislaufwirtschaft-leipzig").interpretation == ["en", "fr"]
    interpreted = Event.objects.exclude(interpretation=[]).count()
    assert 10 <= interpreted < Event.objects.count()


def test_demo_event_times_are_local_to_the_host(loaded: DemoSummary) -> None:
    for event in Event.objects.exclude(status=EventStatus.DRAFT).select_related("host_city"):
        record = BY_SLUG[event.slug]
        if event.host_city is not None:
            assert event.time_zone == event.host_city.timezone, event.slug
        else:
            assert event.time_zone == record["time_zone"], event.slug
        zone = ZoneInfo(event.time_zone)
        assert event.starts_at.astimezone(zone).strftime("%H:%M") == record["start_time"], event.slug
        assert event.ends_at.astimezone(zone).strftime("%H:%M") == record["end_time"], event.slug
        days = (event.ends_at.astimezone(zone).date() - event.starts_at.astimezone(zone).date()).days
        assert days == record["end_day"] - record["start_day"], event.slug
        for session in event.sessions.all():
            assert event.starts_at <= session.starts_at < session.ends_at <= event.ends_at, session.title
    amman = Event.objects.get(slug="amman-urban-heat-dialogue")
    assert (amman.time_zone, amman.host_city and amman.host_city.name) == ("Asia/Amman", "Amman")
    assert Event.objects.get(slug="da-nang-climate-proof-planning-training").time_zone == "Asia/Ho_Chi_Minh"


def test_demo_sessions_have_demo_speakers_and_guest_speakers(loaded: DemoSummary) -> None:
    speakers = AgendaSession.speakers.through.objects.values_list("user__email", flat=True)

    assert all(email.endswith("@demo.connective-cities.example") for email in speakers)
    assert len(set(speakers)) >= 40
    assert AgendaSession.objects.exclude(guest_speakers="").count() >= 15


def test_demo_counts_equal_what_the_registrations_say(loaded: DemoSummary) -> None:
    for event in Event.objects.all():
        statuses = Counter(event.registrations.values_list("status", flat=True))
        assert event.confirmed_count == statuses[RegistrationStatus.CONFIRMED], event.slug
        assert event.waitlist_count == statuses[RegistrationStatus.WAITLISTED], event.slug
        held = sum(statuses[status] for status in HOLDS_PLACE)
        if event.capacity is not None:
            assert held <= event.capacity, event.slug
        if statuses[RegistrationStatus.WAITLISTED] and event.participation == ParticipationMode.REGISTRATION:
            assert held == event.capacity, event.slug
    assert Event.objects.filter(waitlist_count__gt=0).count() == 2
    # Nobody holds a place they have given up, and only confirmed participants were checked in.
    assert not Registration.objects.exclude(status__in=HOLDS_PLACE).filter(reserved__isnull=False).exists()
    assert not (
        Registration.objects.exclude(status=RegistrationStatus.CONFIRMED).filter(checked_in_at__isnull=False)
    ).exists()


def test_demo_full_event_has_a_waitlist_and_an_open_offer(loaded: DemoSummary) -> None:
    event = Event.objects.get(slug=ALEXANDRIA)
    registrations = event.registrations.select_related("user")
    offered = registrations.get(status=RegistrationStatus.OFFERED)
    waiting = list(registrations.filter(status=RegistrationStatus.WAITLISTED).order_by("waitlisted_at"))
    freed = registrations.get(status=RegistrationStatus.CANCELLED)

    assert event.capacity == 24
    assert (event.confirmed_count, event.waitlist_count) == (23, 3)
    assert offered.user.email == MEMBER_EMAIL
    assert offered.offered_at is not None and offered.offer_expires_at is not None
    assert freed.cancelled_at == offered.offered_at
    assert offered.offer_expires_at == offered.offered_at + timedelta(hours=event.offer_hours)
    assert timezone.now() < offered.offer_expires_at < event.starts_at
    assert offered.waitlisted_at is not None
    assert all(r.waitlisted_at is not None and offered.waitlisted_at < r.waitlisted_at for r in waiting)


def test_demo_reserved_places_go_to_people_of_their_region(loaded: DemoSummary) -> None:
    reserved = ReservedPlaces.objects.select_related("event", "region").get()
    holders = Registration.objects.filter(reserved=reserved).select_related("user__country")

    assert reserved.event.slug == "international-conference-local-climate-action"
    assert (reserved.region and reserved.region.slug, reserved.places) == ("sub-saharan-africa", 40)
    assert 10 <= holders.count() <= reserved.places
    assert all(r.user.country and r.user.country.region_id == reserved.region_id for r in holders)
    # Everyone from the region took a reserved place first, as the registration service hands them out.
    from_region = reserved.event.registrations.filter(
        status=RegistrationStatus.CONFIRMED, user__country__region=reserved.region
    )
    assert set(from_region.values_list("pk", flat=True)) == set(holders.values_list("pk", flat=True))


def test_demo_applications_answer_every_question(loaded: DemoSummary) -> None:
    applications = Event.objects.filter(participation=ParticipationMode.APPLICATION)

    assert applications.count() == 8
    for event in applications:
        for registration in event.registrations.all():
            assert [a["question"] for a in registration.answers] == event.questions, event.slug
            assert all(a["answer"] for a in registration.answers), event.slug
            if event.asks_for_contribution:
                assert registration.practice_id is not None or registration.challenge, event.slug
            if registration.status == RegistrationStatus.APPLIED:
                assert registration.decided_at is None and registration.decided_by is None
            else:
                assert registration.decided_by is not None and registration.decided_at is not None
                assert event.organisers.filter(pk=registration.decided_by.pk).exists()
                assert registration.created_at <= registration.decided_at <= timezone.now()
    statuses = set(
        Registration.objects.filter(event__participation=ParticipationMode.APPLICATION).values_list(
            "status", flat=True
        )
    )
    assert statuses == {
        RegistrationStatus.APPLIED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.DECLINED,
        RegistrationStatus.CANCELLED,
    }


def test_demo_past_events_have_outcomes_attendance_and_feedback(loaded: DemoSummary) -> None:
    past = _past()

    assert len(past) == 11
    for event in past:
        confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED)
        attended = confirmed.filter(checked_in_at__isnull=False)
        assert event.outcomes.startswith("## "), event.slug
        assert event.practices.count() >= 1, event.slug
        assert not event.practices.exclude(status=PracticeStatus.PUBLISHED).exists()
        assert event.documents.count() >= 1, event.slug
        assert event.survey_sent_at is not None and event.reminder_sent_at is not None, event.slug
        assert not event.registrations.filter(
            status__in=(RegistrationStatus.APPLIED, RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED)
        ).exists()
        feedback = event.feedback.select_related("registration")
        assert feedback.count() >= 3, event.slug
        if attended.exists():
            # Mostly checked in; those who were are the ones asked for feedback.
            assert attended.count() >= 0.8 * confirmed.count(), event.slug
            assert all(f.registration and f.registration.checked_in_at for f in feedback), event.slug
            assert all(
                event.starts_at <= r.checked_in_at <= event.ends_at for r in attended if r.checked_in_at
            )
        for response in feedback:
            assert event.ends_at <= response.created_at <= timezone.now()
            assert [a["question"] for a in response.answers] in ([], event.survey_questions)
    nobody_checked_in = [
        e.slug for e in past if not e.registrations.filter(checked_in_at__isnull=False).exists()
    ]
    assert nobody_checked_in == ["webinaire-alerte-precoce-inondations-cotonou"]
    assert FeedbackResponse.objects.exclude(comment="").count() >= 25


def test_demo_past_events_have_certificates_of_those_who_attended(loaded: DemoSummary) -> None:
    now = timezone.now()
    with_certificates = [event for event in _past() if event.certificates]

    assert len(with_certificates) == 8
    for event in with_certificates:
        attended = event.registrations.filter(
            status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
        )
        certificates = Certificate.objects.filter(registration__event=event).select_related(
            "registration__user"
        )
        assert certificates.count() == attended.count() > 0, event.slug
        with translation.override(event.language):
            dates, place = event_dates_text(event), event_place_text(event)
        for certificate in certificates:
            assert code_well_formed(certificate.code)
            assert certificate.registration.checked_in_at is not None
            assert certificate.participant_name == certificate.registration.user.display_name
            assert (certificate.event_title, certificate.event_dates, certificate.event_place) == (
                event.title,
                dates,
                place,
            )
            assert event.ends_at < certificate.issued_at <= now
            assert certificate.revoked_at is None
    assert Certificate.objects.count() == sum(
        Certificate.objects.filter(registration__event=event).count() for event in with_certificates
    )
    assert len(set(Certificate.objects.values_list("code", flat=True))) == Certificate.objects.count()


def test_demo_upcoming_events_have_nothing_of_after_the_event(loaded: DemoSummary) -> None:
    upcoming = Event.objects.filter(ends_at__gte=timezone.now())

    assert upcoming.count() == 14
    assert not upcoming.exclude(outcomes="").exists()
    assert not Certificate.objects.filter(registration__event__in=upcoming).exists()
    assert not FeedbackResponse.objects.filter(event__in=upcoming).exists()
    assert not upcoming.filter(survey_sent_at__isnull=False).exists()
    running = Event.objects.get(slug="kampala-own-source-revenue-training")
    checked_in = running.registrations.filter(checked_in_at__isnull=False).count()
    assert 0 < checked_in < running.confirmed_count


def test_demo_cancelled_and_postponed_events_say_why(loaded: DemoSummary) -> None:
    cancelled = Event.objects.get(status=EventStatus.CANCELLED)
    postponed = Event.objects.get(status=EventStatus.POSTPONED)

    assert cancelled.slug == "atelier-boues-de-vidange-ouagadougou"
    assert "annuler" in cancelled.status_message and "cancel" in cancelled.status_message
    assert postponed.slug == "ulaanbaatar-ger-district-energy-training"
    assert postponed.status_message.startswith("The training is postponed")
    for event in (cancelled, postponed):
        assert event.sequence == 1
        assert event.confirmed_count > 0
        assert event.reminder_sent_at is None and event.survey_sent_at is None
        assert event in events_visible(AnonymousUser())


def test_demo_draft_comes_from_the_accepted_proposal(loaded: DemoSummary) -> None:
    proposals = EventProposal.objects.select_related("event", "proposer", "reviewed_by")
    draft = Event.objects.get(status=EventStatus.DRAFT)
    accepted = proposals.get(status=ProposalStatus.ACCEPTED)
    staff = User.objects.get(email=STAFF_EMAIL)

    assert Counter(proposals.values_list("status", flat=True)) == {
        ProposalStatus.SUBMITTED: 1,
        ProposalStatus.ACCEPTED: 1,
        ProposalStatus.DECLINED: 1,
        ProposalStatus.WITHDRAWN: 1,
    }
    assert accepted.event == draft
    assert draft.title == DRAFT_TITLE == accepted.title
    assert list(draft.organisers.all()) == [accepted.proposer]
    assert draft.time_zone == "Asia/Amman" and draft.host_city and draft.host_city.name == "Irbid"
    assert accepted.reviewed_by == staff
    assert draft not in events_visible(AnonymousUser())
    assert draft in events_visible(staff)
    declined = proposals.get(status=ProposalStatus.DECLINED)
    assert declined.review_note and declined.reviewed_at is not None
    assert proposals.get(status=ProposalStatus.SUBMITTED).proposer.email == MEMBER_EMAIL


def test_demo_member_has_upcoming_and_past_registrations_with_certificates(loaded: DemoSummary) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    now = timezone.now()
    mine = list(my_registrations(member))
    statuses = {registration.event.slug: registration.status for registration in mine}

    assert statuses == {
        "international-conference-cities-acting-together": RegistrationStatus.CONFIRMED,
        "amman-urban-heat-dialogue": RegistrationStatus.CONFIRMED,
        "webinar-financing-municipal-solar": RegistrationStatus.CONFIRMED,
        ALEXANDRIA: RegistrationStatus.OFFERED,
        "studienreise-kreislaufwirtschaft-leipzig": RegistrationStatus.APPLIED,
    }
    past = [registration for registration in mine if registration.event.ends_at < now]
    assert len(past) == 2
    assert all(registration.certificate.code for registration in past)
    # She answered the Amman survey; the conference's still waits for her.
    answered = FeedbackResponse.objects.filter(registration__user=member)
    assert list(answered.values_list("event__slug", flat=True)) == ["amman-urban-heat-dialogue"]


def test_demo_logins_show_a_participant_and_an_organiser(loaded: DemoSummary) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out)
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if "@" in line}

    assert "(5 event registrations, 2 certificates)" in lines[MEMBER_EMAIL]
    organiser = next(line for email, line in lines.items() if email.startswith("ahmed-elsayed@"))
    assert "contact person of practices (organises 1 event" in organiser
    ahmed = User.objects.get(email__startswith="ahmed-elsayed@")
    assert list(ahmed.organised_events.values_list("slug", flat=True)) == [ALEXANDRIA]


def test_load_events_demo_twice_changes_nothing(loaded: DemoSummary) -> None:
    before = _counts()

    again = load_events_demo()

    assert not again.changed
    assert again.describe() == "Events demo data already loaded."
    assert load_demo().already_loaded
    assert _counts() == before
    assert before["registrations"] == sum(len(record["registrations"]) for record in RECORDS)
    assert before["feedback"] == sum(len(record.get("feedback") or []) for record in RECORDS)
    assert before["proposals"] == len(PROPOSALS) == 4


def test_check_events_demo_names_every_problem(tmp_path: Path, loaded: DemoSummary) -> None:
    broken = copy.deepcopy(BY_SLUG["amman-urban-heat-dialogue"])
    del broken["_file"]
    broken["topics"] = ["heat"]
    broken["sessions"][0]["day"] = 3
    declined = next(
        registration_entry(r)["person"]
        for r in broken["registrations"]
        if registration_entry(r)["status"] == RegistrationStatus.DECLINED
    )
    broken["feedback"].append({"person": declined, "overall": 6, "usefulness": 4})
    broken["registrations"][0]["status"] = RegistrationStatus.WAITLISTED
    (tmp_path / "02-amman-urban-heat-dialogue.json").write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(DemoDataError) as caught:
        check_events_demo(*read_events_demo(tmp_path))

    first = broken["registrations"][0]["person"]
    assert caught.value.problems == [
        "02-amman-urban-heat-dialogue.json: topics has unknown topic 'heat'",
        "02-amman-urban-heat-dialogue.json session 1: day must be a day of the event, 1 to 2",
        f"02-amman-urban-heat-dialogue.json registration of '{first}': after the event a registration is "
        "confirmed, declined or cancelled",
        f"02-amman-urban-heat-dialogue.json feedback of '{first}': only a participant who attended gives "
        "feedback",
        f"02-amman-urban-heat-dialogue.json feedback of '{declined}': only a participant who attended gives "
        "feedback",
        f"02-amman-urban-heat-dialogue.json feedback of '{declined}': overall is a rating from 1 to 5",
    ]


def test_demo_files_are_the_directory_the_loader_reads() -> None:
    names = sorted(path.name for path in EVENTS_DEMO_DIR.glob("*.json"))

    assert names == sorted([record["_file"] for record in RECORDS] + ["proposals.json"])
    assert [int(record["_file"][:2]) for record in RECORDS] == list(range(1, len(RECORDS) + 1))
