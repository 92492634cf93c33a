"""Events in the personal-data export and in the erasure of an account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connective.accounts.privacy import privacy_export_data
from connective.events.calendar import calendar_token_for
from connective.events.certificates import certificates_issue
from connective.events.models import (
    CalendarToken,
    Certificate,
    ParticipationMode,
    Registration,
    RegistrationStatus,
)
from connective.events.privacy import events_forget_member
from connective.events.registration import registration_create
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_export_holds_registrations_with_answers_and_proposals(member: Any) -> None:
    event = EventFactory(
        title="Dialogue on flood resilience", participation=ParticipationMode.APPLICATION, questions=["Why?"]
    )
    registration_create(event=event, user=member, answers=["Our river floods every spring"])
    rows = list(privacy_export_data(user=member)["event_registrations"])
    assert [(row["event"], row["status"], row["answers"]) for row in rows] == [
        ("Dialogue on flood resilience", "Application received", "Why?: Our river floods every spring")
    ]
    assert list(privacy_export_data(user=member)["event_proposals"]) == []


def test_erasure_gives_up_coming_places_and_forgets_answers(member: Any) -> None:
    event = EventFactory(capacity=1, participation=ParticipationMode.REGISTRATION, asks_for_contribution=True)
    mine = registration_create(event=event, user=member, challenge="Flooding in the old town")
    waiting = registration_create(event=event, user=UserFactory(), challenge="Heat")
    calendar_token_for(member)
    events_forget_member(user=member)
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert (mine.status, mine.challenge, mine.answers) == (RegistrationStatus.CANCELLED, "", [])
    # The freed place goes to the next person.
    assert waiting.status == RegistrationStatus.OFFERED
    assert not CalendarToken.objects.filter(user=member).exists()


def test_erasure_withdraws_certificates_and_removes_the_name(member: Any, staff: Any) -> None:
    now = timezone.now()
    event = EventFactory(
        starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=2), organisers=[staff]
    )
    RegistrationFactory(event=event, user=member, checked_in_at=now - timedelta(days=3))
    certificates_issue(event=event, actor=staff)
    certificate = Certificate.objects.get(registration__user=member)
    events_forget_member(user=member)
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    assert certificate.participant_name == "Former member"
    body = Client().get(f"/en/events/certificates/{certificate.code}/").content.decode()
    assert member.last_name not in body
    # Past registrations stay (the event's numbers), without the person's words.
    assert Registration.objects.get(user=member).status == RegistrationStatus.CONFIRMED
