"""Writes on events themselves: publishing, cancelling, postponing and rescheduling (registrants are told), the
reminder the day before and the survey after. Places and registrations are in registration.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connective.core.services import audit_log_record
from connective.events.models import ACTIVE, Event, EventStatus, RegistrationStatus
from connective.events.notices import notify_participants
from connective.events.registration import RegistrationError

MAX_MESSAGE_LENGTH = 4000
# The reminder goes out once an event starts within this much time.
REMINDER_AHEAD = timedelta(hours=24)
# Surveys are not sent for events that ended longer ago than this (an old event imported, say).
SURVEY_WINDOW = timedelta(days=14)


def _registrants(event: Event, statuses: tuple[str, ...] = ACTIVE) -> list[Any]:
    return list(
        get_user_model().objects.filter(
            event_registrations__event=event, event_registrations__status__in=statuses
        )
    )


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise RegistrationError(
            _("The message can be at most %(n)d characters long.") % {"n": MAX_MESSAGE_LENGTH}, code="message"
        )
    return message


@transaction.atomic
def event_publish(*, event: Event, actor: Any, now: datetime | None = None) -> Event:
    if event.status != EventStatus.DRAFT:
        raise RegistrationError(_("Only a draft can be published."), code="status")
    event.status = EventStatus.PUBLISHED
    event.published_at = now or timezone.now()
    event.save(update_fields=["status", "published_at", "updated_at"])
    audit_log_record(actor=actor, action="event.publish", target=event)
    return event


@transaction.atomic
def event_cancel(*, event: Event, message: str, actor: Any) -> Event:
    """Cancel the event; everyone registered, applying or waiting is told, with the organisers' message."""
    message = _clean_message(message)
    if not message:
        raise RegistrationError(_("Tell the registrants why the event is cancelled."), code="message")
    if event.status == EventStatus.CANCELLED:
        raise RegistrationError(_("This event is already cancelled."), code="status")
    was_public = event.status != EventStatus.DRAFT
    event.status = EventStatus.CANCELLED
    event.status_message = message
    event.sequence = F("sequence") + 1
    event.save(update_fields=["status", "status_message", "sequence", "updated_at"])
    event.refresh_from_db(fields=["sequence"])
    audit_log_record(actor=actor, action="event.cancel", target=event)
    if was_public:
        notify_participants(event, _registrants(event), "events.status", status="cancelled", message=message)
    return event


@transaction.atomic
def event_postpone(*, event: Event, message: str, actor: Any) -> Event:
    """New dates to follow: registrations stay, new ones wait."""
    message = _clean_message(message)
    if not message:
        raise RegistrationError(_("Tell the registrants why the event is postponed."), code="message")
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError(_("Only a published event can be postponed."), code="status")
    event.status = EventStatus.POSTPONED
    event.status_message = message
    event.sequence = F("sequence") + 1
    event.save(update_fields=["status", "status_message", "sequence", "updated_at"])
    event.refresh_from_db(fields=["sequence"])
    audit_log_record(actor=actor, action="event.postpone", target=event)
    notify_participants(event, _registrants(event), "events.status", status="postponed", message=message)
    return event


@transaction.atomic
def event_reschedule(
    *, event: Event, starts_at: datetime, ends_at: datetime, message: str, actor: Any
) -> Event:
    """Give a postponed (or published) event new dates; it is published again and registrants are told."""
    message = _clean_message(message)
    if ends_at < starts_at:
        raise RegistrationError(_("The event must end after it starts."), code="dates")
    if event.status not in (EventStatus.PUBLISHED, EventStatus.POSTPONED):
        raise RegistrationError(_("Only a published or postponed event can get new dates."), code="status")
    event.starts_at, event.ends_at = starts_at, ends_at
    event.status = EventStatus.PUBLISHED
    event.status_message = message
    # A new date needs a new reminder.
    event.reminder_sent_at = None
    event.sequence = F("sequence") + 1
    event.save(
        update_fields=[
            "starts_at",
            "ends_at",
            "status",
            "status_message",
            "sequence",
            "reminder_sent_at",
            "updated_at",
        ]
    )
    event.refresh_from_db(fields=["sequence"])
    audit_log_record(actor=actor, action="event.reschedule", target=event, starts=starts_at.isoformat())
    notify_participants(event, _registrants(event), "events.status", status="rescheduled", message=message)
    return event


def event_changed_for_calendars(*, event: Event) -> None:
    """Raise the calendar revision after an edit of dates, place or title, so subscribed calendars update."""
    Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1)


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind confirmed participants of events starting within a day; each event once. Events reminded."""
    now = now or timezone.now()
    due = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        reminder_sent_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
    )
    sent = 0
    for event in due:
        with transaction.atomic():
            # Claim the event first, so two schedulers running at once remind nobody twice.
            if not Event.objects.filter(pk=event.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            ):
                continue
            people = _registrants(event, (RegistrationStatus.CONFIRMED,))
            notify_participants(event, people, "events.reminder", starts=event.starts_at.isoformat())
            sent += 1
    return sent


def surveys_send(*, now: datetime | None = None) -> int:
    """Ask those who attended (or, where nobody was checked in, every confirmed participant) for feedback."""
    now = now or timezone.now()
    due = Event.objects.filter(
        status=EventStatus.PUBLISHED,
        survey_sent_at__isnull=True,
        ends_at__lte=now,
        ends_at__gt=now - SURVEY_WINDOW,
    )
    sent = 0
    for event in due:
        with transaction.atomic():
            if not Event.objects.filter(pk=event.pk, survey_sent_at__isnull=True).update(survey_sent_at=now):
                continue
            confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED)
            attended = confirmed.filter(checked_in_at__isnull=False)
            who = attended if attended.exists() else confirmed
            people = [r.user for r in who.select_related("user")]
            notify_participants(event, people, "events.survey")
            sent += 1
    return sent
