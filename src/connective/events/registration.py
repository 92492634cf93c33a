"""Places at an event: registering, applying, the waitlist, offers of freed places, cancellation, selection and
check-in. Every write is keyword-only, atomic and audit-logged.

Each write that can take or free a place first locks the event row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
runs every transaction IMMEDIATE, one writer at a time), then counts the places held: two people can never take
the last place at once. The event's confirmed and waitlist counts are kept in the same transaction.

Capacity is split into general places and reserved places (per region or type of organisation). A person who
fits reserved places takes one of those first, then a general one; everyone else takes general places only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connective.core.services import audit_log_record
from connective.events.models import (
    HOLDS_PLACE,
    Event,
    EventStatus,
    ParticipationMode,
    Registration,
    RegistrationStatus,
    ReservedPlaces,
)
from connective.events.notices import notify_registration

MAX_ANSWER_LENGTH = 4000


class RegistrationError(ValidationError):
    """Why a registration step cannot be done, in words for the person who tried."""


# --- places -------------------------------------------------------------------------------------------------


@dataclass
class Places:
    """The places of one event as they stand inside the locking transaction."""

    capacity: int | None
    reserved: list[ReservedPlaces]
    # Places held (confirmed or offered) per reserved-places id; None is the general places.
    held: dict[int | None, int]

    @property
    def general(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - sum(r.places for r in self.reserved))

    def free_total(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - sum(self.held.values()))

    def fits(self, reserved: ReservedPlaces, user: Any) -> bool:
        if reserved.region_id is not None:
            country = getattr(user, "country", None)
            return country is not None and country.region_id == reserved.region_id
        organisation = getattr(user, "organisation", None)
        return organisation is not None and organisation.type == reserved.organisation_type

    def place_for(self, user: Any) -> tuple[bool, ReservedPlaces | None]:
        """Whether a place is free for `user`, and the reserved places it would come from (None: general)."""
        if self.capacity is None:
            return True, None
        for reserved in self.reserved:
            if self.fits(reserved, user) and self.held.get(reserved.pk, 0) < reserved.places:
                return True, reserved
        general = self.general or 0
        return self.held.get(None, 0) < general, None

    def take(self, reserved: ReservedPlaces | None) -> None:
        key = reserved.pk if reserved is not None else None
        self.held[key] = self.held.get(key, 0) + 1


def _places(event: Event) -> Places:
    reserved = list(ReservedPlaces.objects.filter(event=event).select_related("region").order_by("pk"))
    held: dict[int | None, int] = {}
    rows = (
        Registration.objects.filter(event=event, status__in=HOLDS_PLACE)
        .values("reserved_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    known = {r.pk for r in reserved}
    for row in rows:
        # A place counted in reserved places that were removed since counts as a general one.
        key = row["reserved_id"] if row["reserved_id"] in known else None
        held[key] = held.get(key, 0) + row["n"]
    return Places(capacity=event.capacity, reserved=reserved, held=held)


def free_places(event: Event) -> int | None:
    """How many places are free now (None: no limit), in one query, for showing."""
    if event.capacity is None:
        return None
    held = Registration.objects.filter(event=event, status__in=HOLDS_PLACE).count()
    return max(0, event.capacity - held)


def places_of(event: Event) -> Places:
    """The places as they stand now, for showing (not for deciding: that happens under the lock)."""
    return _places(event)


def _lock(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _recount(event: Event) -> None:
    counts = Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waitlist=Count("pk", filter=Q(status=RegistrationStatus.WAITLISTED)),
    )
    Event.objects.filter(pk=event.pk).update(
        confirmed_count=counts["confirmed"], waitlist_count=counts["waitlist"]
    )
    event.confirmed_count = counts["confirmed"]
    event.waitlist_count = counts["waitlist"]


def _user_with_place_facts(user: Any) -> Any:
    """The user with country and organisation loaded, which reserved places are decided by."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("country", "organisation").get(pk=user.pk)


def _offer_freed_places(event: Event, *, now: datetime) -> list[Registration]:
    """Offer free places to the waitlist, earliest first, each to the next person a place is free for."""
    places = _places(event)
    free = places.free_total()
    if free is not None and free <= 0:
        return []
    waiting = (
        Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED)
        .select_related("user__country", "user__organisation")
        .order_by("waitlisted_at", "pk")
    )
    expires = min(now + timedelta(hours=event.offer_hours), event.starts_at)
    offered: list[Registration] = []
    for registration in waiting.iterator(chunk_size=200):
        has_place, reserved = places.place_for(registration.user)
        if not has_place:
            continue
        places.take(reserved)
        registration.status = RegistrationStatus.OFFERED
        registration.reserved = reserved
        registration.offered_at = now
        registration.offer_expires_at = expires
        registration.save(update_fields=["status", "reserved", "offered_at", "offer_expires_at"])
        offered.append(registration)
        free = places.free_total()
        if free is not None and free <= 0:
            break
    for registration in offered:
        notify_registration(registration, "offer")
    return offered


# --- registering --------------------------------------------------------------------------------------------


def registration_window_problem(event: Event, *, now: datetime | None = None) -> str | None:
    """Why nobody can register now (or None when registration is open)."""
    now = now or timezone.now()
    if event.status == EventStatus.CANCELLED:
        return str(_("This event is cancelled."))
    if event.status == EventStatus.POSTPONED:
        return str(_("This event is postponed; registration opens again with the new dates."))
    if event.status != EventStatus.PUBLISHED:
        return str(_("This event is not published yet."))
    if event.registration_opens_at and now < event.registration_opens_at:
        return str(_("Registration has not opened yet."))
    closes = event.registration_closes_at or event.starts_at
    if now >= closes:
        return str(_("Registration is closed."))
    return None


def _clean_answers(event: Event, answers: Sequence[str]) -> list[dict[str, str]]:
    questions = [str(q) for q in event.questions]
    given = [str(a or "").strip() for a in answers]
    unanswered = len(given) < len(questions) or any(not a for a in given[: len(questions)])
    if event.participation == ParticipationMode.APPLICATION and questions and unanswered:
        raise RegistrationError(_("Please answer every question."), code="answers")
    if any(len(a) > MAX_ANSWER_LENGTH for a in given):
        raise RegistrationError(
            _("Each answer can be at most %(n)d characters long.") % {"n": MAX_ANSWER_LENGTH}, code="answers"
        )
    return [{"question": q, "answer": a} for q, a in zip(questions, given, strict=False)]


@transaction.atomic
def registration_create(
    *,
    event: Event,
    user: Any,
    answers: Sequence[str] = (),
    practice: Any = None,
    challenge: str = "",
    public: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register (open registration) or apply (application mode). A full event puts the person on its waitlist."""
    now = now or timezone.now()
    event = _lock(event)
    problem = registration_window_problem(event, now=now)
    if problem:
        raise RegistrationError(problem, code="closed")
    cleaned = _clean_answers(event, answers)
    challenge = (challenge or "").strip()
    if len(challenge) > MAX_ANSWER_LENGTH:
        raise RegistrationError(
            _("The challenge can be at most %(n)d characters long.") % {"n": MAX_ANSWER_LENGTH},
            code="challenge",
        )
    if event.asks_for_contribution and practice is None and not challenge:
        raise RegistrationError(
            _("Please name a practice you bring or describe your challenge."), code="contribution"
        )
    existing = Registration.objects.filter(event=event, user=user).first()
    if existing is not None:
        if existing.status == RegistrationStatus.DECLINED:
            raise RegistrationError(
                _("The organisers have already decided on your application."), code="declined"
            )
        if existing.status not in (RegistrationStatus.CANCELLED, RegistrationStatus.EXPIRED):
            raise RegistrationError(_("You are already registered for this event."), code="duplicate")
    registration = existing or Registration(event=event, user=user)
    registration.answers = cleaned
    registration.practice = practice
    registration.challenge = challenge
    registration.public = bool(public) and event.public_participants
    registration.message = ""
    registration.cancelled_at = None
    registration.offered_at = registration.offer_expires_at = None
    registration.decided_at = None
    registration.decided_by = None
    registration.reserved = None
    registration.waitlisted_at = None
    if event.participation == ParticipationMode.APPLICATION:
        registration.status = RegistrationStatus.APPLIED
    else:
        has_place, reserved = _places(event).place_for(_user_with_place_facts(user))
        if has_place:
            registration.status = RegistrationStatus.CONFIRMED
            registration.reserved = reserved
        else:
            registration.status = RegistrationStatus.WAITLISTED
            registration.waitlisted_at = now
    registration.save()
    _recount(event)
    audit_log_record(actor=user, action="event.register", target=event, status=registration.status)
    notify_registration(registration, "registered")
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor: Any, now: datetime | None = None
) -> Registration:
    """The participant withdraws; a place they held is offered to the waitlist."""
    now = now or timezone.now()
    event = _lock(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in (*HOLDS_PLACE, RegistrationStatus.APPLIED, RegistrationStatus.WAITLISTED):
        raise RegistrationError(_("This registration is not active."), code="inactive")
    if now >= event.ends_at:
        raise RegistrationError(_("The event is over."), code="over")
    held_place = registration.status in HOLDS_PLACE
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.reserved = None
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "reserved", "offer_expires_at"])
    audit_log_record(
        actor=actor, action="event.cancel_registration", target=event, registration=registration.pk
    )
    if held_place and now < event.starts_at:
        _offer_freed_places(event, now=now)
    _recount(event)
    return registration


@transaction.atomic
def offer_accept(*, registration: Registration, now: datetime | None = None) -> Registration:
    now = now or timezone.now()
    event = _lock(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.OFFERED:
        raise RegistrationError(_("No place is offered to you at the moment."), code="no_offer")
    if registration.offer_expires_at is not None and now >= registration.offer_expires_at:
        raise RegistrationError(_("The time to confirm this place has passed."), code="expired")
    registration.status = RegistrationStatus.CONFIRMED
    registration.offer_expires_at = None
    registration.waitlisted_at = None
    registration.save(update_fields=["status", "offer_expires_at", "waitlisted_at"])
    _recount(event)
    audit_log_record(actor=registration.user, action="event.accept_offer", target=event)
    notify_registration(registration, "registered")
    return registration


@transaction.atomic
def offer_decline(*, registration: Registration, now: datetime | None = None) -> Registration:
    """Turn an offered place down: it passes to the next person on the waitlist."""
    if registration.status != RegistrationStatus.OFFERED:
        raise RegistrationError(_("No place is offered to you at the moment."), code="no_offer")
    return registration_cancel(registration=registration, actor=registration.user, now=now)


def offers_expire(*, now: datetime | None = None) -> int:
    """Offers not confirmed in time pass on to the next person; how many expired. Run every few minutes."""
    now = now or timezone.now()
    expired = 0
    event_ids = set(
        Registration.objects.filter(status=RegistrationStatus.OFFERED, offer_expires_at__lte=now).values_list(
            "event_id", flat=True
        )
    )
    for event_id in sorted(event_ids):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=event_id)
            stale = list(
                Registration.objects.select_for_update().filter(
                    event=event, status=RegistrationStatus.OFFERED, offer_expires_at__lte=now
                )
            )
            for registration in stale:
                registration.status = RegistrationStatus.EXPIRED
                registration.reserved = None
                registration.save(update_fields=["status", "reserved"])
                audit_log_record(
                    actor=None, action="event.offer_expired", target=event, registration=registration.pk
                )
                notify_registration(registration, "offer_expired")
            expired += len(stale)
            if now < event.starts_at:
                _offer_freed_places(event, now=now)
            _recount(event)
    return expired


# --- the organisers' side -----------------------------------------------------------------------------------


class Decision:
    ACCEPT = "accept"
    WAITLIST = "waitlist"
    DECLINE = "decline"
    ALL = (ACCEPT, WAITLIST, DECLINE)


@transaction.atomic
def application_decide(
    *, registration: Registration, decision: str, message: str = "", actor: Any, now: datetime | None = None
) -> Registration:
    """Accept an applicant (when a place is free for them), put them on the waitlist, or decline them."""
    now = now or timezone.now()
    if decision not in Decision.ALL:
        raise RegistrationError(_("Choose accept, waitlist or decline."), code="decision")
    message = (message or "").strip()
    if len(message) > MAX_ANSWER_LENGTH:
        raise RegistrationError(
            _("The message can be at most %(n)d characters long.") % {"n": MAX_ANSWER_LENGTH}, code="message"
        )
    event = _lock(registration.event)
    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("user__country", "user__organisation")
        .get(pk=registration.pk)
    )
    allowed = {
        Decision.ACCEPT: (RegistrationStatus.APPLIED, RegistrationStatus.WAITLISTED),
        Decision.WAITLIST: (RegistrationStatus.APPLIED,),
        Decision.DECLINE: (RegistrationStatus.APPLIED, RegistrationStatus.WAITLISTED),
    }[decision]
    if registration.status not in allowed:
        raise RegistrationError(
            _("This registration is %(status)s; that decision does not apply.")
            % {"status": registration.get_status_display()},
            code="status",
        )
    if decision == Decision.ACCEPT:
        has_place, reserved = _places(event).place_for(registration.user)
        if not has_place:
            raise RegistrationError(
                _("No place is free for this person. Put them on the waitlist or add places."), code="full"
            )
        registration.status = RegistrationStatus.CONFIRMED
        registration.reserved = reserved
        registration.waitlisted_at = None
    elif decision == Decision.WAITLIST:
        registration.status = RegistrationStatus.WAITLISTED
        registration.waitlisted_at = now
    else:
        registration.status = RegistrationStatus.DECLINED
        registration.waitlisted_at = None
    registration.message = message
    registration.decided_at = now
    registration.decided_by = actor
    registration.save()
    audit_log_record(
        actor=actor, action=f"event.application_{decision}", target=event, registration=registration.pk
    )
    notify_registration(registration, "decision")
    if decision == Decision.WAITLIST:
        # A place may already be free for someone who is now waiting.
        _offer_freed_places(event, now=now)
    _recount(event)
    return registration


@transaction.atomic
def places_changed(*, event: Event, now: datetime | None = None) -> list[Registration]:
    """After the organisers added places or changed reserved places: offer what is now free."""
    now = now or timezone.now()
    event = _lock(event)
    offered = _offer_freed_places(event, now=now) if now < event.starts_at else []
    _recount(event)
    return offered


@transaction.atomic
def checkin_set(
    *, registration: Registration, attended: bool, actor: Any, now: datetime | None = None
) -> Registration:
    now = now or timezone.now()
    if registration.status != RegistrationStatus.CONFIRMED:
        raise RegistrationError(_("Only confirmed participants can be checked in."), code="status")
    registration.checked_in_at = now if attended else None
    registration.save(update_fields=["checked_in_at"])
    audit_log_record(
        actor=actor,
        action="event.check_in" if attended else "event.check_out",
        target=registration.event,
        registration=registration.pk,
    )
    return registration


@transaction.atomic
def registration_set_public(*, registration: Registration, public: bool) -> Registration:
    registration.public = bool(public) and registration.event.public_participants
    registration.save(update_fields=["public"])
    return registration
