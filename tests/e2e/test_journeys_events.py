"""The events' main journey, clicked through in real headless Chromium against the live server.

A planner from Kisumu applies to a five-day study trip on circular economy in Leipzig. The trip is full, so the
organiser puts her on the waitlist with a message. A confirmed participant from Accra cancels; the freed place
is offered to her and she takes it. She adds the trip to her calendar (the .ics is parsed), the trip happens,
the organiser checks her in and issues the certificates, and she downloads hers (the PDF's text is read) and
verifies its code on the public page. Plus WCAG 2.2 AA checks (axe-core) of the list, the event page and the
organisers' page.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect
from pypdf import PdfReader

from connective.events.models import (
    Certificate,
    Event,
    EventFormat,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import axe_violations
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WHY = "Kisumu is drafting its first circular economy strategy for the fish market."
BRING = "Our market waste survey of 2026 and a plan for a composting hub."
WAITLIST_NOTE = "The trip is full; you are first on the waitlist."


@pytest.fixture
def study_trip(db: Any) -> dict[str, Any]:
    organiser = UserFactory(email="j.weber@leipzig.example.org", first_name="Jana", last_name="Weber")
    holder = UserFactory(email="k.mensah@accra.example.org", first_name="Kofi", last_name="Mensah")
    applicant = UserFactory(email="a.otieno@kisumu.example.org", first_name="Achieng", last_name="Otieno")
    start = (timezone.now() + timedelta(days=45)).replace(hour=7, minute=0, second=0, microsecond=0)
    event = EventFactory(
        title="Study trip: circular economy in Leipzig",
        slug="study-trip-circular-economy-leipzig",
        format=EventFormat.STUDY_TRIP,
        participation=ParticipationMode.APPLICATION,
        questions=["Why do you want to take part?", "What do you bring?"],
        capacity=1,
        starts_at=start,
        ends_at=start + timedelta(days=4, hours=9),
        time_zone="Europe/Berlin",
        organisers=[organiser],
    )
    RegistrationFactory(event=event, user=holder, status=RegistrationStatus.CONFIRMED)
    return {"event": event, "organiser": organiser, "holder": holder, "applicant": applicant}


def _person(browser: Any, live_server: Any, email: str) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", accept_downloads=True)
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, email)
    return page


def _download(page: Any, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    path = info.value.path()
    with open(path, "rb") as handle:
        return handle.read()


def test_apply_waitlist_offer_calendar_certificate_journey(
    browser: Any, live_server: Any, study_trip: Any
) -> None:
    event: Event = study_trip["event"]
    page_url = f"/en/events/{event.slug}/"

    # The applicant finds the trip in the list and applies, answering the organisers' questions.
    applicant = _person(browser, live_server, study_trip["applicant"].email)
    applicant.goto("/en/events/")
    applicant.get_by_role("link", name=event.title).click()
    expect(applicant.get_by_role("heading", name=event.title, level=1)).to_be_visible()
    applicant.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_text("Please answer this question.").first).to_be_visible()
    applicant.get_by_label("Why do you want to take part?").fill(WHY)
    applicant.get_by_label("What do you bring?").fill(BRING)
    applicant.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_text("Your application was sent.")).to_be_visible()
    registration = Registration.objects.get(event=event, user=study_trip["applicant"])
    assert registration.status == RegistrationStatus.APPLIED

    # The organiser reads the answers; the trip is full, so she puts the applicant on the waitlist.
    organiser = _person(browser, live_server, study_trip["organiser"].email)
    organiser.goto(f"{page_url}manage/")
    row = organiser.locator(f"#registration-{registration.pk}")
    row.get_by_text("Why do you want to take part?").click()
    expect(row.get_by_text(WHY)).to_be_visible()
    row.get_by_label("Message to the applicant").fill(WAITLIST_NOTE)
    row.get_by_role("button", name="Waitlist").click()
    expect(organiser.get_by_text("Decision saved for Achieng Otieno")).to_be_visible()
    registration.refresh_from_db()
    assert (registration.status, registration.message) == (RegistrationStatus.WAITLISTED, WAITLIST_NOTE)

    # The confirmed participant from Accra cancels; the place is offered to the applicant.
    holder = _person(browser, live_server, study_trip["holder"].email)
    holder.goto(page_url)
    holder.get_by_role("button", name="Cancel my registration").click()
    expect(holder.get_by_text("Your registration is cancelled.")).to_be_visible()

    applicant.goto("/en/notifications/")
    expect(applicant.get_by_text(f"A place at {event.title} is free for you")).to_be_visible()
    applicant.goto(page_url)
    applicant.get_by_role("button", name="Take the place").click()
    expect(applicant.get_by_text("Your place is confirmed.")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED

    # She adds the trip to her calendar: a valid iCalendar event in Leipzig's time.
    calendar = Calendar.from_ical(_download(applicant, "Add to calendar (.ics)"))
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == event.title
    assert vevent.decoded("DTSTART") == event.starts_at
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Berlin"

    # The trip takes place; the organiser checks her in and issues the certificates.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(days=6), ends_at=timezone.now() - timedelta(days=2)
    )
    organiser.goto(f"{page_url}manage/")
    organiser.locator(f"#registration-{registration.pk}").get_by_role("button", name="Check in").click()
    expect(organiser.locator(f"#registration-{registration.pk}").get_by_text("Attended")).to_be_visible()
    organiser.goto(f"{page_url}manage/documentation/")
    organiser.get_by_role("button", name="Issue certificates").click()
    certificate = Certificate.objects.get(registration=registration)

    # She downloads her certificate and anyone can verify its code.
    applicant.goto("/en/events/mine/")
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(_download(applicant, "Certificate (PDF)"))).pages
    )
    assert "Achieng Otieno" in text
    assert certificate.code in text
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    visitor.goto(f"/en/events/certificates/{certificate.code}/")
    expect(visitor.get_by_text("Achieng Otieno")).to_be_visible()


def test_event_pages_meet_wcag_aa(browser: Any, live_server: Any, study_trip: Any) -> None:
    event = study_trip["event"]
    RegistrationFactory(
        event=event, status=RegistrationStatus.APPLIED, answers=[{"question": "Why?", "answer": "Heat"}]
    )
    organiser = _person(browser, live_server, study_trip["organiser"].email)
    for path in (
        "/en/events/",
        f"/en/events/{event.slug}/",
        f"/en/events/{event.slug}/manage/",
        "/en/events/calendar/",
    ):
        organiser.goto(path)
        assert axe_violations(organiser) == [], path
