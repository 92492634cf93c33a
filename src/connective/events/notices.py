"""The notifications events send, registered with the one notification service.

Each carries target "events.event:<id>" and the event's page as its path. They are about the recipient's own
place, so they are sent as long as the event exists and is not back in draft; times are written at send time in
the reader's language and in the event's own time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.notifications.kinds import NotificationKind, register
from connective.notifications.services import notify

if TYPE_CHECKING:
    from connective.events.models import Event, EventProposal, Registration


def _event_id(n: Any) -> int | None:
    prefix = "events.event:"
    if not n.target.startswith(prefix):
        return None
    try:
        return int(n.target[len(prefix) :])
    except ValueError:
        return None


def _event_visible(notifications: list[Any], user: Any) -> set[int]:
    from connective.events.models import Event, EventStatus

    ids = {eid for n in notifications if (eid := _event_id(n)) is not None}
    live = set(
        Event.objects.filter(pk__in=ids).exclude(status=EventStatus.DRAFT).values_list("pk", flat=True)
    )
    return {n.pk for n in notifications if _event_id(n) in live}


def _always(notifications: list[Any], user: Any) -> set[int]:
    return {n.pk for n in notifications}


def _d(n: Any, key: str) -> str:
    return str(n.data.get(key, ""))


def local_time(value: datetime, zone: str) -> str:
    """`value` as the event's local date and time in the active language, with the zone's name."""
    try:
        local = value.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local = value
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({zone})"


def _until(n: Any) -> str:
    raw = n.data.get("until")
    if not raw:
        return ""
    try:
        return local_time(datetime.fromisoformat(raw), _d(n, "zone") or "UTC")
    except ValueError:
        return ""


def _registration_text(n: Any) -> str:
    status = n.data.get("status")
    event = {"event": _d(n, "event")}
    if status == "applied":
        return gettext("Your application for %(event)s was received") % event
    if status == "waitlisted":
        return gettext("The event %(event)s is full: you are on the waitlist") % event
    return gettext("Your place at %(event)s is confirmed") % event


def _decision_text(n: Any) -> str:
    status = n.data.get("status")
    event = {"event": _d(n, "event")}
    if status == "confirmed":
        return gettext("You were selected for %(event)s") % event
    if status == "waitlisted":
        return gettext("Your application for %(event)s is on the waitlist") % event
    return gettext("Your application for %(event)s was not selected") % event


def _status_text(n: Any) -> str:
    status = n.data.get("status")
    event = {"event": _d(n, "event")}
    if status == "cancelled":
        return gettext("%(event)s is cancelled") % event
    if status == "postponed":
        return gettext("%(event)s is postponed") % event
    return gettext("%(event)s has new dates") % event


def _message(notifications: list[Any]) -> dict[int, str]:
    return {n.pk: _d(n, "message") for n in notifications if n.data.get("message")}


register(
    NotificationKind(
        key="events.registration",
        label=_("Confirmation of your registrations and applications"),
        render=_registration_text,
        visible=_event_visible,
    )
)
register(
    NotificationKind(
        key="events.decision",
        label=_("Decisions on your applications"),
        render=_decision_text,
        visible=_event_visible,
        excerpts=_message,
    )
)
register(
    NotificationKind(
        key="events.offer",
        label=_("A freed place is offered to you"),
        render=lambda n: (
            gettext("A place at %(event)s is free for you: confirm it by %(until)s")
            % {"event": _d(n, "event"), "until": _until(n)}
        ),
        visible=_event_visible,
    )
)
register(
    NotificationKind(
        key="events.offer_expired",
        label=_("An offered place has passed on"),
        render=lambda n: (
            gettext("The place offered to you at %(event)s was not confirmed in time and has passed on")
            % {"event": _d(n, "event")}
        ),
        visible=_event_visible,
    )
)
register(
    NotificationKind(
        key="events.status",
        label=_("Cancelled, postponed or rescheduled events"),
        render=_status_text,
        visible=_event_visible,
        excerpts=_message,
    )
)
register(
    NotificationKind(
        key="events.reminder",
        label=_("Reminders the day before an event"),
        render=lambda n: (
            gettext("Reminder: %(event)s starts %(when)s")
            % {
                "event": _d(n, "event"),
                "when": local_time(datetime.fromisoformat(_d(n, "starts")), _d(n, "zone")),
            }
            if n.data.get("starts")
            else gettext("Reminder: %(event)s starts soon") % {"event": _d(n, "event")}
        ),
        visible=_event_visible,
    )
)
register(
    NotificationKind(
        key="events.survey",
        label=_("Feedback surveys after events"),
        render=lambda n: gettext("How was %(event)s? Tell the organisers") % {"event": _d(n, "event")},
        visible=_event_visible,
    )
)
register(
    NotificationKind(
        key="events.certificate",
        label=_("Certificates of participation"),
        render=lambda n: (
            gettext("Your certificate of participation in %(event)s is ready") % {"event": _d(n, "event")}
        ),
        visible=_event_visible,
    )
)
register(
    NotificationKind(
        key="events.new_application",
        label=_("New applications to events you organise"),
        render=lambda n: (
            gettext("%(actor)s applied to %(event)s") % {"actor": _d(n, "actor"), "event": _d(n, "event")}
        ),
        visible=_event_visible,
        default_delivery="daily",
    )
)
register(
    NotificationKind(
        key="events.proposal",
        label=_("Answers to your event proposals"),
        render=lambda n: (
            (
                gettext("Your proposal “%(title)s” was accepted")
                if n.data.get("status") == "accepted"
                else gettext("Your proposal “%(title)s” was declined")
            )
            % {"title": _d(n, "title")}
        ),
        visible=_always,
        excerpts=_message,
    )
)


def event_path(event: Event) -> str:
    return reverse("events:detail", kwargs={"slug": event.slug})


def notify_registration(registration: Registration, what: str) -> None:
    """Tell the participant what happened to their place: "registered", "decision", "offer", "offer_expired"."""
    event = registration.event
    data: dict[str, Any] = {"event": event.title, "status": registration.status, "zone": event.time_zone}
    if what == "decision" and registration.message:
        data["message"] = registration.message
    if what == "offer" and registration.offer_expires_at:
        data["until"] = registration.offer_expires_at.isoformat()
    kind = {
        "registered": "events.registration",
        "decision": "events.decision",
        "offer": "events.offer",
        "offer_expired": "events.offer_expired",
    }[what]
    notify(recipients=[registration.user], kind=kind, target=event, path=event_path(event), data=data)
    if what == "registered" and registration.status == "applied":
        notify(
            recipients=list(event.organisers.all()),
            kind="events.new_application",
            actor=registration.user,
            target=event,
            path=reverse("events:manage", kwargs={"slug": event.slug}),
            data={"event": event.title, "actor": registration.user.display_name},
        )


def notify_participants(event: Event, recipients: list[Any], kind: str, **data: Any) -> None:
    notify(
        recipients=recipients,
        kind=kind,
        target=event,
        path=event_path(event),
        data={"event": event.title, "zone": event.time_zone, **data},
    )


def notify_proposal(proposal: EventProposal) -> None:
    notify(
        recipients=[proposal.proposer],
        kind="events.proposal",
        target=proposal,
        path=reverse("events:proposals"),
        data={"title": proposal.title, "status": proposal.status, "message": proposal.review_note},
    )
