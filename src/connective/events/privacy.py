"""Events in a member's personal-data export and in the erasure of their account (accounts/privacy.py).

On erasure, places still to come are given up (so the next person on the waitlist is offered them), the
answers and challenges they wrote are cleared, their calendar feed address stops working, and certificates no
longer name them (a public check of the code then says it was withdrawn). Their event proposals stay, as
contributions, under "former member".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from connective.events.models import (
    ACTIVE,
    CalendarToken,
    Certificate,
    EventProposal,
    FeedbackResponse,
    Registration,
)
from connective.events.registration import registration_cancel

_CHUNK = 500

REGISTRATION_COLUMNS = (
    "event",
    "starts",
    "status",
    "registered",
    "answers",
    "practice",
    "challenge",
    "public",
    "attended",
    "certificate",
    "feedback",
    "link",
)
PROPOSAL_COLUMNS = (
    "title",
    "format",
    "status",
    "proposed_from",
    "proposed_until",
    "challenge",
    "partners",
    "answer",
)


def _when(value: Any) -> str:
    return value.isoformat() if value else ""


def registration_export_rows(user: Any) -> Iterator[dict[str, Any]]:
    """Every registration of the member, with what they answered; one query per chunk."""
    feedback = set(
        FeedbackResponse.objects.filter(registration__user=user).values_list("registration_id", flat=True)
    )
    rows = (
        Registration.objects.filter(user=user)
        .select_related("event", "practice", "certificate")
        .order_by("created_at", "pk")
    )
    for registration in rows.iterator(chunk_size=_CHUNK):
        certificate = getattr(registration, "certificate", None)
        yield {
            "event": registration.event.title,
            "starts": _when(registration.event.starts_at),
            "status": registration.get_status_display(),
            "registered": _when(registration.created_at),
            "answers": "\n".join(
                f"{a.get('question')}: {a.get('answer')}" for a in registration.answers if isinstance(a, dict)
            ),
            "practice": registration.practice.title if registration.practice else "",
            "challenge": registration.challenge,
            "public": registration.public,
            "attended": _when(registration.checked_in_at),
            "certificate": certificate.code if certificate is not None else "",
            "feedback": registration.pk in feedback,
            "link": settings.SITE_URL + reverse("events:detail", kwargs={"slug": registration.event.slug}),
        }


def proposal_export_rows(user: Any) -> Iterator[dict[str, Any]]:
    for proposal in (
        EventProposal.objects.filter(proposer=user).order_by("created_at", "pk").iterator(chunk_size=_CHUNK)
    ):
        yield {
            "title": proposal.title,
            "format": proposal.get_format_display(),
            "status": proposal.get_status_display(),
            "proposed_from": proposal.proposed_start.isoformat(),
            "proposed_until": proposal.proposed_end.isoformat(),
            "challenge": proposal.challenge,
            "partners": proposal.partners,
            "answer": proposal.review_note,
        }


def events_forget_member(*, user: Any) -> None:
    """Called inside the erasure's transaction."""
    now = timezone.now()
    upcoming = Registration.objects.filter(
        user=user, status__in=ACTIVE, event__ends_at__gt=now
    ).select_related("event")
    for registration in upcoming:
        registration_cancel(registration=registration, actor=user, now=now)
    Registration.objects.filter(user=user).update(answers=[], challenge="", public=False, practice=None)
    CalendarToken.objects.filter(user=user).delete()
    Certificate.objects.filter(registration__user=user, revoked_at__isnull=True).update(revoked_at=now)
    Certificate.objects.filter(registration__user=user).update(participant_name=gettext("Former member"))
