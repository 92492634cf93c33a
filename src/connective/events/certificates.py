"""Certificates of participation and name badges.

A certificate is issued, after the event has ended, to each confirmed participant who was checked in. It keeps
a snapshot of what it says (name, event, dates, place), so it reads the same years later even if the account
or the event changed; its code proves it on a public page. The snapshot is written in the event's language, in
the event's own time zone, because it is one document for every reader.

PDFs are rendered by WeasyPrint from local templates only: nothing is fetched from the network, and the fonts
are the machine's (fontconfig), DejaVu Sans first, which covers Latin and Arabic.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.core.services import audit_log_record
from connective.events.models import (
    AttendanceMode,
    Certificate,
    Event,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from connective.events.notices import notify_participants
from connective.events.registration import RegistrationError

# No 0/O, 1/I: a code read aloud or typed from paper cannot be mistaken.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
REASON_MAX = 1000


def certificate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalise(raw: str) -> str:
    """A code as typed (lower case, spaces, dashes) in the form it is stored in."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")


def code_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("events:certificate_check", kwargs={"code": code})


# --- Reads --------------------------------------------------------------------------------------------


def certificate_by_code(code: str) -> Certificate | None:
    code = code_normalise(code)
    if not code_well_formed(code):
        return None
    return Certificate.objects.filter(code=code).first()


def certificate_of(registration: Registration | None) -> Certificate | None:
    """The participant's own certificate, if issued and not revoked."""
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return None
    return Certificate.objects.filter(registration=registration, revoked_at__isnull=True).first()


def certificates_due(event: Event) -> QuerySet[Registration]:
    """The registrations a certificate would be issued to now."""
    return Registration.objects.filter(
        event=event,
        status=RegistrationStatus.CONFIRMED,
        checked_in_at__isnull=False,
        certificate__isnull=True,
    )


def certificates_issued_count(event: Event) -> int:
    return Certificate.objects.filter(registration__event=event, revoked_at__isnull=True).count()


# --- Snapshot -----------------------------------------------------------------------------------------


def _snapshot_language(event: Event) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return event.language if event.language in languages else "en"


def event_dates_text(event: Event) -> str:
    """The event's dates as its participants lived them: in the event's own time zone."""
    try:
        zone = ZoneInfo(event.time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    start = event.starts_at.astimezone(zone).date()
    end = event.ends_at.astimezone(zone).date()
    first = formats.date_format(start, "DATE_FORMAT")
    if start == end:
        return first
    return f"{first} – {formats.date_format(end, 'DATE_FORMAT')}"


def event_place_text(event: Event) -> str:
    if event.host_city is not None:
        return f"{event.host_city.name}, {event.host_city.country.name}"
    if event.mode == AttendanceMode.ONLINE:
        return gettext("Online")
    return event.venue_name


# --- Writes -------------------------------------------------------------------------------------------


@transaction.atomic
def certificates_issue(*, event: Event, actor: Any, now: datetime | None = None) -> int:
    """Issue certificates to every confirmed participant checked in who has none yet; how many were issued."""
    now = now or timezone.now()
    # One issuer at a time per event, so a double click issues nobody twice.
    event = (
        Event.objects.select_for_update(of=("self",)).select_related("host_city__country").get(pk=event.pk)
    )
    if not event.certificates:
        raise RegistrationError(
            _("This event does not give certificates of participation."), code="no_certificates"
        )
    if event.status != EventStatus.PUBLISHED:
        raise RegistrationError(_("Certificates are only issued for events that took place."), code="status")
    if now < event.ends_at:
        raise RegistrationError(_("Certificates can be issued once the event has ended."), code="not_ended")
    due = list(certificates_due(event).select_related("user").order_by("pk"))
    if not due:
        return 0
    with translation.override(_snapshot_language(event)):
        dates = event_dates_text(event)
        place = event_place_text(event)
    codes = _fresh_codes(len(due))
    Certificate.objects.bulk_create(
        [
            Certificate(
                registration=registration,
                code=code,
                participant_name=registration.user.display_name[:300],
                event_title=event.title,
                event_dates=dates[:100],
                event_place=place[:200],
            )
            for registration, code in zip(due, codes, strict=True)
        ]
    )
    audit_log_record(actor=actor, action="event.certificates_issue", target=event, count=len(due))
    notify_participants(event, [registration.user for registration in due], "events.certificate")
    return len(due)


def _fresh_codes(count: int) -> list[str]:
    """`count` distinct codes no certificate has yet (a clash is astronomically rare; it is still checked)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {certificate_code() for _ in range(count - len(codes))} - codes
        taken = set(Certificate.objects.filter(code__in=wanted).values_list("code", flat=True))
        codes |= wanted - taken
    return sorted(codes)


@transaction.atomic
def certificate_revoke(
    *, certificate: Certificate, actor: Any, reason: str, now: datetime | None = None
) -> Certificate:
    """Withdraw a certificate (issued by mistake, say); its page then says it is revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError(_("Say why the certificate is revoked."), code="reason")
    if len(reason) > REASON_MAX:
        raise RegistrationError(
            _("The reason can be at most %(n)d characters long.") % {"n": REASON_MAX}, code="reason"
        )
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise RegistrationError(_("This certificate is already revoked."), code="revoked")
    certificate.revoked_at = now or timezone.now()
    certificate.save(update_fields=["revoked_at"])
    audit_log_record(actor=actor, action="event.certificate_revoke", target=certificate, reason=reason)
    return certificate


# --- PDF ----------------------------------------------------------------------------------------------


def _no_network_fetcher() -> Any:
    """The templates need no outside resource; refuse every one, so a PDF never reaches the network."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class NothingFetched(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            raise ValueError(f"Nothing is fetched into a PDF, not {url}")

    return NothingFetched()


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return bytes(
        HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_no_network_fetcher()).write_pdf()
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page A4 PDF, in the active language, with its code and where to verify it."""
    return _pdf(
        "events/certificate_pdf.html",
        {
            "certificate": certificate,
            "verification_url": verification_url(certificate.code),
            "verify_url": settings.SITE_URL + reverse("events:verify"),
            "site_name": settings.WAGTAIL_SITE_NAME,
        },
    )


def badge_people(event: Event) -> list[Registration]:
    return list(
        Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED)
        .select_related("user__organisation", "user__city")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def badges_pdf(event: Event) -> bytes:
    """Name badges (name, organisation, city) of the confirmed participants, ten to an A4 sheet."""
    if not event.badges:
        raise RegistrationError(_("This event has no name badges."), code="no_badges")
    return _pdf(
        "events/badges_pdf.html",
        {"event": event, "registrations": badge_people(event), "site_name": settings.WAGTAIL_SITE_NAME},
    )
