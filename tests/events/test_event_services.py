"""Writes on events themselves: publishing, cancelling, postponing and rescheduling with registrants told, the
reminder the day before and the survey after, each once; and the notices read in the reader's language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from connective.events.models import EventStatus, RegistrationStatus
from connective.events.registration import RegistrationError
from connective.events.services import (
    event_cancel,
    event_postpone,
    event_publish,
    event_reschedule,
    reminders_send,
    surveys_send,
)
from connective.notifications.kinds import kind_for
from connective.notifications.models import Notification
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _notified(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_publishing_a_draft(staff: Any) -> None:
    event = EventFactory(status=EventStatus.DRAFT)
    event_publish(event=event, actor=staff)
    event.refresh_from_db()
    assert event.status == EventStatus.PUBLISHED
    assert event.published_at is not None
    with pytest.raises(RegistrationError, match="Only a draft"):
        event_publish(event=event, actor=staff)


def test_cancelling_tells_everyone_still_taking_part(staff: Any) -> None:
    event = EventFactory()
    confirmed = RegistrationFactory(event=event).user
    waiting = RegistrationFactory(event=event, status=RegistrationStatus.WAITLISTED).user
    gone = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED).user
    event_cancel(event=event, message="Floods at the venue.", actor=staff)
    assert _notified("events.status") == {confirmed.pk, waiting.pk}
    assert gone.pk not in _notified("events.status")


def test_postponing_needs_a_published_event_and_a_message(staff: Any) -> None:
    event = EventFactory()
    with pytest.raises(RegistrationError, match="why the event is postponed"):
        event_postpone(event=event, message="  ", actor=staff)
    event_postpone(event=event, message="The mayor's election moved.", actor=staff)
    event.refresh_from_db()
    assert (event.status, event.sequence) == (EventStatus.POSTPONED, 1)
    with pytest.raises(RegistrationError, match="Only a published"):
        event_postpone(event=event, message="Again", actor=staff)


def test_rescheduling_publishes_again_and_resets_the_reminder(staff: Any) -> None:
    event = EventFactory(reminder_sent_at=timezone.now())
    participant = RegistrationFactory(event=event).user
    event_postpone(event=event, message="Later", actor=staff)
    start = timezone.now() + timedelta(days=90)
    event_reschedule(
        event=event, starts_at=start, ends_at=start + timedelta(days=1), message="New dates", actor=staff
    )
    event.refresh_from_db()
    assert (event.status, event.starts_at, event.reminder_sent_at, event.sequence) == (
        EventStatus.PUBLISHED,
        start,
        None,
        2,
    )
    assert Notification.objects.filter(recipient=participant, kind="events.status").count() == 2


def test_reminder_goes_once_to_confirmed_participants_of_events_starting_within_a_day() -> None:
    now = timezone.now()
    soon = EventFactory(starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=26))
    later = EventFactory(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=4))
    confirmed = RegistrationFactory(event=soon).user
    RegistrationFactory(event=soon, status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(event=later)
    assert reminders_send(now=now) == 1
    assert _notified("events.reminder") == {confirmed.pk}
    assert reminders_send(now=now + timedelta(minutes=5)) == 0
    assert Notification.objects.filter(kind="events.reminder").count() == 1


def test_survey_goes_to_attendees_after_the_event() -> None:
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    attended = RegistrationFactory(event=event, checked_in_at=now - timedelta(days=2)).user
    RegistrationFactory(event=event)  # confirmed but not checked in
    assert surveys_send(now=now) == 1
    assert _notified("events.survey") == {attended.pk}
    assert surveys_send(now=now) == 0


def test_survey_goes_to_all_confirmed_when_nobody_was_checked_in() -> None:
    now = timezone.now()
    event = EventFactory(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    people = {RegistrationFactory(event=event).user.pk for _ in range(3)}
    surveys_send(now=now)
    assert _notified("events.survey") == people


def test_event_jobs_command_runs_every_job(capsys: Any) -> None:
    now = timezone.now()
    RegistrationFactory(
        event=EventFactory(starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=4))
    )
    call_command("event_jobs")
    assert "0 offer(s) expired, 1 event reminder(s), 0 survey(s) sent." in capsys.readouterr().out


def test_offer_notice_reads_in_the_readers_language_and_the_events_zone() -> None:
    event = EventFactory(capacity=1, time_zone="Africa/Casablanca", title="Dialogue sur l'eau")
    from connective.events.registration import registration_cancel, registration_create

    first, second = UserFactory.create_batch(2)
    holder = registration_create(event=event, user=first)
    registration_create(event=event, user=second)
    registration_cancel(registration=holder, actor=first)
    notice = Notification.objects.get(kind="events.offer", recipient=second)
    kind = kind_for("events.offer")
    assert kind is not None
    with translation.override("en"):
        text = kind.render(notice)
    assert text.startswith("A place at Dialogue sur l'eau is free for you: confirm it by ")
    assert text.endswith("(Africa/Casablanca)")


def test_notices_of_a_draft_event_are_held_back() -> None:
    event = EventFactory()
    person = RegistrationFactory(event=event).user
    from connective.events.notices import notify_participants

    notify_participants(event, [person], "events.reminder")
    notice = Notification.objects.get(kind="events.reminder")
    kind = kind_for("events.reminder")
    assert kind is not None
    assert kind.visible([notice], person) == {notice.pk}
    event.status = EventStatus.DRAFT
    event.save()
    assert kind.visible([notice], person) == set()
