"""Certificates of participation (issuing, snapshot, revoking, the PDF, the public check of a code) and name
badges, through the services and the pages."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from connective.core.models import AuditLog
from connective.events.certificates import (
    CODE_ALPHABET,
    badges_pdf,
    certificate_pdf,
    certificate_revoke,
    certificates_issue,
)
from connective.events.models import AttendanceMode, Certificate, Event, RegistrationStatus
from connective.events.registration import RegistrationError
from connective.notifications.models import Notification
from tests.factories import EventFactory, OrganisationFactory, RegistrationFactory, UserFactory, city

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "other", "participant", "organiser", "staff"]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def ended_event(**kwargs: Any) -> Event:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "title": "Climate adaptation dialogue",
        "starts_at": now - timedelta(days=3),
        "ends_at": now - timedelta(days=1),
    }
    defaults.update(kwargs)
    return EventFactory(**defaults)


@pytest.fixture
def world(staff: Any) -> dict[str, Any]:
    organiser = UserFactory(first_name="Olga", last_name="Organiser")
    event = ended_event(organisers=[organiser])
    participant = UserFactory(first_name="Paula", last_name="Participant")
    registration = RegistrationFactory(event=event, user=participant, checked_in_at=timezone.now())
    return {
        "event": event,
        "registration": registration,
        "people": {
            "visitor": None,
            "other": UserFactory(first_name="Otto", last_name="Other"),
            "participant": participant,
            "organiser": organiser,
            "staff": staff,
        },
    }


def issued(world: dict[str, Any]) -> Certificate:
    certificates_issue(event=world["event"], actor=world["people"]["organiser"])
    return Certificate.objects.get(registration=world["registration"])


# --- issuing ------------------------------------------------------------------------------------------


def test_certificates_issue_only_to_confirmed_participants_who_attended() -> None:
    organiser = UserFactory()
    event = ended_event(organisers=[organiser])
    attended = RegistrationFactory(event=event, checked_in_at=timezone.now())
    absent = RegistrationFactory(event=event)
    cancelled = RegistrationFactory(
        event=event, status=RegistrationStatus.CANCELLED, checked_in_at=timezone.now()
    )
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED)

    assert certificates_issue(event=event, actor=organiser) == 1

    assert list(Certificate.objects.values_list("registration_id", flat=True)) == [attended.pk]
    assert Notification.objects.filter(kind="events.certificate").count() == 1
    assert Notification.objects.get(kind="events.certificate").recipient_id == attended.user_id
    for registration in (absent, cancelled, waiting):
        assert not Notification.objects.filter(
            recipient=registration.user, kind="events.certificate"
        ).exists()
    log = AuditLog.objects.get(action="event.certificates_issue")
    assert (log.actor_id, log.object_id, log.details) == (organiser.pk, str(event.pk), {"count": 1})


def test_certificates_issue_keeps_a_snapshot_and_a_well_formed_code() -> None:
    leipzig = city()
    event = EventFactory(
        title="Heat action plans",
        host_city=leipzig,
        time_zone="Europe/Berlin",
        starts_at=datetime(2025, 3, 12, 8, 0, tzinfo=UTC),
        ends_at=datetime(2025, 3, 14, 15, 0, tzinfo=UTC),
    )
    person = UserFactory(first_name="Amina", last_name="Diallo")
    registration = RegistrationFactory(event=event, user=person, checked_in_at=timezone.now())
    certificates_issue(event=event, actor=None)

    certificate = Certificate.objects.get(registration=registration)
    assert (
        certificate.participant_name,
        certificate.event_title,
        certificate.event_dates,
        certificate.event_place,
    ) == ("Amina Diallo", "Heat action plans", "March 12, 2025 – March 14, 2025", "Leipzig, Germany")
    assert len(certificate.code) == 12
    assert set(certificate.code) <= set(CODE_ALPHABET)
    assert certificate.revoked_at is None

    # Later changes to the account or the event do not change what was certified.
    person.last_name = "Renamed"
    person.save()
    Event.objects.filter(pk=event.pk).update(title="Another title")
    certificate.refresh_from_db()
    assert (certificate.participant_name, certificate.event_title) == ("Amina Diallo", "Heat action plans")


def test_certificates_issue_dates_are_those_of_the_event_time_zone() -> None:
    # 23:30 UTC on the 12th is already the 13th in Tokyo; 02:00 UTC on the 14th is the 14th there too.
    event = EventFactory(
        time_zone="Asia/Tokyo",
        mode=AttendanceMode.ONLINE,
        host_city=None,
        starts_at=datetime(2025, 3, 12, 23, 30, tzinfo=UTC),
        ends_at=datetime(2025, 3, 14, 2, 0, tzinfo=UTC),
    )
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    certificates_issue(event=event, actor=None)
    certificate = Certificate.objects.get()
    assert (certificate.event_dates, certificate.event_place) == ("March 13, 2025 – March 14, 2025", "Online")


def test_certificates_issue_one_day_event_names_one_date() -> None:
    event = EventFactory(
        time_zone="UTC",
        starts_at=datetime(2025, 6, 3, 9, 0, tzinfo=UTC),
        ends_at=datetime(2025, 6, 3, 17, 0, tzinfo=UTC),
    )
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    certificates_issue(event=event, actor=None)
    assert Certificate.objects.get().event_dates == "June 3, 2025"


def test_certificates_issue_twice_issues_nobody_a_second_certificate(world: dict[str, Any]) -> None:
    first = issued(world)
    later = RegistrationFactory(event=world["event"], checked_in_at=timezone.now())

    assert certificates_issue(event=world["event"], actor=None) == 1

    assert Certificate.objects.get(registration=world["registration"]).code == first.code
    assert Certificate.objects.filter(registration=later).count() == 1
    assert certificates_issue(event=world["event"], actor=None) == 0
    assert Certificate.objects.count() == 2


def test_certificates_issue_before_the_end_is_refused() -> None:
    event = EventFactory(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=2)
    )
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    with pytest.raises(RegistrationError) as caught:
        certificates_issue(event=event, actor=None)
    assert caught.value.messages == ["Certificates can be issued once the event has ended."]
    assert Certificate.objects.count() == 0
    assert not Notification.objects.filter(kind="events.certificate").exists()


def test_certificates_issue_for_an_event_without_certificates_is_refused() -> None:
    event = ended_event(certificates=False)
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    with pytest.raises(RegistrationError) as caught:
        certificates_issue(event=event, actor=None)
    assert caught.value.messages == ["This event does not give certificates of participation."]
    assert Certificate.objects.count() == 0


def test_certificates_issue_for_a_cancelled_event_is_refused() -> None:
    event = ended_event(status="cancelled")
    RegistrationFactory(event=event, checked_in_at=timezone.now())
    with pytest.raises(RegistrationError):
        certificates_issue(event=event, actor=None)
    assert Certificate.objects.count() == 0


# --- revoking -----------------------------------------------------------------------------------------


def test_certificate_revoke_marks_it_and_logs_the_reason(world: dict[str, Any]) -> None:
    certificate = issued(world)
    certificate_revoke(certificate=certificate, actor=world["people"]["staff"], reason="Issued by mistake")
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    log = AuditLog.objects.get(action="event.certificate_revoke")
    assert (log.object_id, log.details) == (str(certificate.pk), {"reason": "Issued by mistake"})


def test_certificate_revoke_needs_a_reason_and_happens_once(world: dict[str, Any]) -> None:
    certificate = issued(world)
    with pytest.raises(RegistrationError) as caught:
        certificate_revoke(certificate=certificate, actor=None, reason="   ")
    assert caught.value.messages == ["Say why the certificate is revoked."]
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    certificate_revoke(certificate=certificate, actor=None, reason="Duplicate")
    with pytest.raises(RegistrationError) as caught:
        certificate_revoke(certificate=certificate, actor=None, reason="Again")
    assert caught.value.messages == ["This certificate is already revoked."]
    assert AuditLog.objects.filter(action="event.certificate_revoke").count() == 1


# --- the PDF ------------------------------------------------------------------------------------------


def test_certificate_pdf_says_name_event_dates_code_and_where_to_verify(world: dict[str, Any]) -> None:
    certificate = issued(world)
    text = pdf_text(certificate_pdf(certificate))
    assert "Certificate of participation" in text
    assert "Paula Participant" in text
    assert "Climate adaptation dialogue" in text
    assert certificate.event_dates in text
    assert certificate.code in text
    assert f"http://127.0.0.1:8000/en/events/certificates/{certificate.code}/" in text.replace(" ", "")


def test_certificate_pdf_renders_an_arabic_name() -> None:
    event = ended_event(title="حوار المدن حول التكيف المناخي")
    person = UserFactory(first_name="ليلى", last_name="حداد")
    RegistrationFactory(event=event, user=person, checked_in_at=timezone.now())
    certificates_issue(event=event, actor=None)
    certificate = Certificate.objects.get()
    text = pdf_text(certificate_pdf(certificate))
    assert "ليلى حداد" in text
    assert "حوار المدن حول التكيف المناخي" in text
    assert certificate.code in text


def test_certificate_download_gives_the_participant_their_pdf(world: dict[str, Any]) -> None:
    certificate = issued(world)
    response = client_for(world["people"]["participant"]).get(
        f"/en/events/{world['event'].slug}/certificate.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{world["event"].slug}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Paula Participant" in text and certificate.code in text


@pytest.mark.parametrize(
    ("persona", "status"), [("visitor", 302), ("other", 404), ("organiser", 404), ("staff", 404)]
)
def test_certificate_download_is_nobody_elses(world: dict[str, Any], persona: str, status: int) -> None:
    issued(world)
    response = client_for(world["people"][persona]).get(f"/en/events/{world['event'].slug}/certificate.pdf")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/en/accounts/login/")


def test_certificate_download_without_or_with_a_revoked_certificate_is_404(world: dict[str, Any]) -> None:
    client = client_for(world["people"]["participant"])
    url = f"/en/events/{world['event'].slug}/certificate.pdf"
    assert client.get(url).status_code == 404
    certificate = issued(world)
    assert client.get(url).status_code == 200
    certificate_revoke(certificate=certificate, actor=None, reason="Mistake")
    assert client.get(url).status_code == 404


# --- the public check ---------------------------------------------------------------------------------


def test_certificate_check_page_shows_a_valid_certificate_to_anyone(world: dict[str, Any]) -> None:
    certificate = issued(world)
    response = client_for(None).get(f"/en/events/certificates/{certificate.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"The certificate with the code {certificate.code} is valid." in html
    for value in ("Paula Participant", "Climate adaptation dialogue", certificate.event_dates):
        assert value in html
    assert '<meta name="robots" content="noindex">' in html


def test_certificate_check_page_says_when_it_was_revoked(world: dict[str, Any]) -> None:
    certificate = issued(world)
    certificate_revoke(
        certificate=certificate, actor=None, reason="Mistake", now=datetime(2025, 5, 6, 10, 0, tzinfo=UTC)
    )
    html = client_for(None).get(f"/en/events/certificates/{certificate.code.lower()}/").content.decode()
    assert f"The certificate with the code {certificate.code} was revoked on May 6, 2025." in html
    assert "is valid" not in html


@pytest.mark.parametrize("code", ["ABCDEFGHJKLM", "not-a-code", "0000OOOO1111"])
def test_certificate_check_page_unknown_code_is_404(world: dict[str, Any], code: str) -> None:
    issued(world)
    assert client_for(None).get(f"/en/events/certificates/{code}/").status_code == 404


def test_certificate_verify_form_takes_a_typed_code_to_its_page(world: dict[str, Any]) -> None:
    certificate = issued(world)
    typed = f" {certificate.code[:4].lower()}-{certificate.code[4:8]} {certificate.code[8:]} "
    response = client_for(None).get("/en/events/certificates/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/en/events/certificates/{certificate.code}/"


def test_certificate_verify_form_shows_an_empty_form() -> None:
    response = client_for(None).get("/en/events/certificates/")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [
        ("", 400, "Type the code printed on the certificate."),
        ("ABC", 400, "This is not a certificate code: it has 12 letters and digits."),
        ("ABCDEFGHJKLM", 404, "No certificate has this code. Check the code printed on the certificate."),
    ],
)
def test_certificate_verify_form_explains_a_wrong_code(code: str, status: int, error: str) -> None:
    response = client_for(None).get("/en/events/certificates/", {"code": code})
    assert response.status_code == status
    assert error in response.content.decode()


# --- issuing from the page ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["organiser", "staff"])
def test_issue_certificates_page_issues_for_organisers(world: dict[str, Any], persona: str) -> None:
    slug = world["event"].slug
    response = client_for(world["people"][persona]).post(
        f"/en/events/{slug}/manage/certificates/", follow=True
    )
    assert response.redirect_chain == [(f"/en/events/{slug}/manage/documentation/", 302)]
    assert "1 certificate was issued; the participant is told." in response.content.decode()
    assert Certificate.objects.filter(registration=world["registration"]).count() == 1


@pytest.mark.parametrize("persona", ["visitor", "other", "participant"])
def test_issue_certificates_page_is_404_for_others(world: dict[str, Any], persona: str) -> None:
    response = client_for(world["people"][persona]).post(
        f"/en/events/{world['event'].slug}/manage/certificates/"
    )
    assert response.status_code == 404
    assert Certificate.objects.count() == 0


def test_issue_certificates_page_before_the_end_says_why(world: dict[str, Any]) -> None:
    Event.objects.filter(pk=world["event"].pk).update(ends_at=timezone.now() + timedelta(days=1))
    response = client_for(world["people"]["organiser"]).post(
        f"/en/events/{world['event'].slug}/manage/certificates/", follow=True
    )
    assert "Certificates can be issued once the event has ended." in response.content.decode()
    assert Certificate.objects.count() == 0


def test_issue_certificates_page_refuses_get(world: dict[str, Any]) -> None:
    response = client_for(world["people"]["organiser"]).get(
        f"/en/events/{world['event'].slug}/manage/certificates/"
    )
    assert response.status_code == 405
    assert Certificate.objects.count() == 0


# --- name badges --------------------------------------------------------------------------------------


def test_badges_pdf_names_confirmed_participants_with_organisation_and_city() -> None:
    event = EventFactory(badges=True)
    organisation = OrganisationFactory(name="Stadt Leipzig")
    RegistrationFactory(
        event=event,
        user=UserFactory(first_name="Lena", last_name="Lehmann", organisation=organisation, city=city()),
    )
    RegistrationFactory(event=event, user=UserFactory(first_name="يوسف", last_name="منصور"))
    RegistrationFactory(
        event=event,
        user=UserFactory(first_name="Walt", last_name="Waiting"),
        status=RegistrationStatus.WAITLISTED,
    )
    text = pdf_text(badges_pdf(event))
    assert "Lena Lehmann" in text
    assert "Stadt Leipzig" in text
    assert "Leipzig" in text.replace("Stadt Leipzig", "")
    assert "يوسف منصور" in text
    assert "Walt Waiting" not in text


def test_badges_pdf_for_an_event_without_badges_is_refused() -> None:
    with pytest.raises(RegistrationError) as caught:
        badges_pdf(EventFactory(badges=False))
    assert caught.value.messages == ["This event has no name badges."]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("visitor", 404), ("other", 404), ("participant", 404), ("organiser", 200), ("staff", 200)],
)
def test_badges_page_is_for_organisers_only(world: dict[str, Any], persona: str, status: int) -> None:
    Event.objects.filter(pk=world["event"].pk).update(badges=True)
    response = client_for(world["people"][persona]).get(f"/en/events/{world['event'].slug}/manage/badges.pdf")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert "Paula Participant" in pdf_text(response.content)


def test_badges_page_without_badges_is_404(world: dict[str, Any]) -> None:
    response = client_for(world["people"]["organiser"]).get(
        f"/en/events/{world['event'].slug}/manage/badges.pdf"
    )
    assert response.status_code == 404


def test_certificate_pages_of_a_draft_event_are_404_for_its_participant(world: dict[str, Any]) -> None:
    issued(world)
    Event.objects.filter(pk=world["event"].pk).update(status="draft")
    response = client_for(world["people"]["participant"]).get(
        f"/en/events/{world['event'].slug}/certificate.pdf"
    )
    assert response.status_code == 404
