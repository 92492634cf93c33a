"""The call for topics: a member proposes an event their city would host, withdraws it while it waits,
programme staff accept or decline it with an answer, and turn an accepted proposal into an event draft.

Every write is keyword-only, atomic and audit-logged. Bad input raises a translated ValidationError keyed by
field before anything is written; an action the caller may not take raises PermissionDenied (the views answer
404, as for a proposal that is not there for them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from connective.accounts.rules import is_member, is_programme_staff
from connective.core.models import City, Topic
from connective.core.services import audit_log_record
from connective.events.models import (
    AttendanceMode,
    Event,
    EventFormat,
    EventProposal,
    EventStatus,
    ProposalStatus,
)
from connective.events.notices import notify_proposal
from connective.events.slugs import event_slug
from connective.network.models import Organisation

TITLE_MAX_LENGTH = 200
CHALLENGE_MAX_LENGTH = 10_000
PARTNERS_MAX_LENGTH = 4_000
NOTE_MAX_LENGTH = 4_000
MAX_TOPICS = 10
# Proposals are planned with the programme's yearly calendar: a host proposes dates within the next year.
MAX_DAYS_AHEAD = 366
# The longest format, a study trip, takes about two weeks.
MAX_EVENT_DAYS = 14
# Proposals one member may have waiting for an answer at once (an open call, not a queue to flood).
MAX_OPEN_PROPOSALS = 10
# The event draft runs from the first to the last proposed day, during working hours in the host city.
DAY_STARTS = time(9, 0)
DAY_ENDS = time(17, 0)


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def proposal_errors(data: Mapping[str, Any], *, today: date | None = None) -> dict[str, list[str]]:
    """What is wrong with proposal `data` (the keyword arguments of proposal_submit), by field."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = (data.get("title") or "").strip()
    if not title:
        add("title", gettext("Give the topic of the event."))
    elif len(title) > TITLE_MAX_LENGTH:
        add(
            "title",
            gettext("The topic can be at most %(limit)d characters long.") % {"limit": TITLE_MAX_LENGTH},
        )
    if data.get("format") not in EventFormat.values:
        add("format", gettext("Choose a format from the list."))
    topics = list(data.get("topics") or [])
    if len(topics) > MAX_TOPICS:
        add("topics", gettext("Choose at most %(limit)d topics.") % {"limit": MAX_TOPICS})
    challenge = (data.get("challenge") or "").strip()
    if not challenge:
        add("challenge", gettext("Describe the challenge the event would work on."))
    elif len(challenge) > CHALLENGE_MAX_LENGTH:
        add(
            "challenge",
            gettext("The challenge can be at most %(limit)d characters long.")
            % {"limit": CHALLENGE_MAX_LENGTH},
        )
    if len((data.get("partners") or "").strip()) > PARTNERS_MAX_LENGTH:
        add(
            "partners",
            gettext("The partners can be at most %(limit)d characters long.")
            % {"limit": PARTNERS_MAX_LENGTH},
        )
    if data.get("language") not in _language_codes():
        add("language", gettext("Choose a language from the list."))

    start, end = data.get("proposed_start"), data.get("proposed_end")
    if not isinstance(start, date):
        add("proposed_start", gettext("Give the first day of the event."))
    if not isinstance(end, date):
        add("proposed_end", gettext("Give the last day of the event."))
    if isinstance(start, date) and isinstance(end, date):
        if start < today:
            add("proposed_start", gettext("The event cannot start in the past."))
        elif start > today + timedelta(days=MAX_DAYS_AHEAD):
            add(
                "proposed_start",
                gettext("Propose dates within the next year (until %(date)s).")
                % {"date": (today + timedelta(days=MAX_DAYS_AHEAD)).isoformat()},
            )
        if end < start:
            add("proposed_end", gettext("The last day cannot be before the first day."))
        elif (end - start).days + 1 > MAX_EVENT_DAYS:
            add(
                "proposed_end",
                gettext("An event can last at most %(days)d days.") % {"days": MAX_EVENT_DAYS},
            )
    return errors


@transaction.atomic
def proposal_submit(
    *,
    proposer: Any,
    title: str,
    format: str,
    topics: Iterable[Topic],
    challenge: str,
    partners: str,
    proposed_start: date,
    proposed_end: date,
    language: str,
    organisation: Organisation | None = None,
    city: City | None = None,
) -> EventProposal:
    """A member's proposal of an event they would host; it waits for the programme's answer."""
    if not is_member(proposer):
        raise PermissionDenied
    topics = list(dict.fromkeys(topics))
    data = {
        "title": title,
        "format": format,
        "topics": topics,
        "challenge": challenge,
        "partners": partners,
        "proposed_start": proposed_start,
        "proposed_end": proposed_end,
        "language": language,
    }
    errors = proposal_errors(data)
    if errors:
        raise ValidationError(errors)
    waiting = EventProposal.objects.filter(proposer=proposer, status=ProposalStatus.SUBMITTED).count()
    if waiting >= MAX_OPEN_PROPOSALS:
        raise ValidationError(
            gettext(
                "You have %(count)d proposals waiting for an answer. "
                "Wait for the programme's answer or withdraw one first."
            )
            % {"count": waiting},
            code="too_many",
        )
    proposal = EventProposal.objects.create(
        proposer=proposer,
        organisation=organisation,
        city=city,
        title=title.strip(),
        format=format,
        challenge=challenge.strip(),
        partners=(partners or "").strip(),
        proposed_start=proposed_start,
        proposed_end=proposed_end,
        language=language,
    )
    proposal.topics.set(topics)
    audit_log_record(actor=proposer, action="event_proposal.submit", target=proposal)
    return proposal


def _locked(proposal: EventProposal) -> EventProposal:
    # Two clicks (or two staff members) at once: the second sees the first's decision, not a stale status.
    return EventProposal.objects.select_for_update().get(pk=proposal.pk)


@transaction.atomic
def proposal_withdraw(*, proposal: EventProposal, actor: Any) -> EventProposal:
    """The proposer takes back a proposal that still waits for an answer."""
    if not is_member(actor) or proposal.proposer_id != actor.pk:
        raise PermissionDenied
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError(
            gettext("Only a proposal waiting for an answer can be withdrawn."), code="status"
        )
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save(update_fields=["status"])
    audit_log_record(actor=actor, action="event_proposal.withdraw", target=proposal)
    return proposal


@transaction.atomic
def proposal_decide(*, proposal: EventProposal, accept: bool, note: str, actor: Any) -> EventProposal:
    """Programme staff accept or decline a waiting proposal; the proposer is told, with the note."""
    if not is_programme_staff(actor):
        raise PermissionDenied
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {
                "note": gettext("The answer can be at most %(limit)d characters long.")
                % {"limit": NOTE_MAX_LENGTH}
            }
        )
    if not accept and not note:
        raise ValidationError({"note": gettext("Tell the proposer why the proposal is declined.")})
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ValidationError(
            gettext("This proposal is no longer waiting for an answer (it is %(status)s).")
            % {"status": proposal.get_status_display()},
            code="status",
        )
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    proposal.review_note = note
    proposal.reviewed_by = actor
    proposal.reviewed_at = timezone.now()
    proposal.save(update_fields=["status", "review_note", "reviewed_by", "reviewed_at"])
    audit_log_record(actor=actor, action="event_proposal.decide", target=proposal, status=proposal.status)
    notify_proposal(proposal)
    return proposal


def _zone_of(city: City | None) -> str:
    name = city.timezone if city is not None else ""
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return "UTC"
        return name
    return "UTC"


def _description(proposal: EventProposal) -> str:
    """The draft's Markdown description, headed in the proposal's own language like the text under them."""
    with translation.override(proposal.language):
        parts = [f"## {gettext('The challenge')}", "", proposal.challenge]
        if proposal.partners:
            parts += ["", f"## {gettext('Partners')}", "", proposal.partners]
    return "\n".join(parts)


@transaction.atomic
def proposal_to_event(*, proposal: EventProposal, actor: Any) -> Event:
    """An event draft from an accepted proposal, with the proposer as organiser; staff complete and publish it."""
    if not is_programme_staff(actor):
        raise PermissionDenied
    proposal = _locked(proposal)
    if proposal.status != ProposalStatus.ACCEPTED:
        raise ValidationError(gettext("Only an accepted proposal can become an event."), code="status")
    if proposal.event_id is not None:
        raise ValidationError(gettext("This proposal already has its event draft."), code="exists")
    organisation = proposal.organisation
    city = proposal.city or (organisation.city if organisation is not None else None)
    zone = _zone_of(city)
    tz = ZoneInfo(zone)
    event = Event.objects.create(
        title=proposal.title,
        slug=event_slug(proposal.title),
        format=proposal.format,
        status=EventStatus.DRAFT,
        description=_description(proposal),
        language=proposal.language,
        languages=[proposal.language],
        region=city.country.region if city is not None else None,
        host_city=city,
        host_organisation=organisation,
        starts_at=datetime.combine(proposal.proposed_start, DAY_STARTS, tzinfo=tz),
        ends_at=datetime.combine(proposal.proposed_end, DAY_ENDS, tzinfo=tz),
        time_zone=zone,
        mode=AttendanceMode.ONLINE if proposal.format == EventFormat.WEBINAR else AttendanceMode.IN_PERSON,
        created_by=actor,
    )
    event.topics.set(proposal.topics.all())
    event.organisers.set([proposal.proposer])
    proposal.event = event
    proposal.save(update_fields=["event"])
    audit_log_record(actor=actor, action="event.create", target=event, proposal=proposal.pk)
    audit_log_record(actor=actor, action="event_proposal.to_event", target=proposal, event=event.pk)
    return event
