"""Dialogue and learning formats: events, their agenda, participation, certificates, feedback, documentation
and the call for topics. Fields only; who may do what lives in rules.py and selectors.py, every write in
services.py (registration and places in registration.py)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from connective.core.storage import private_storage


class EventFormat(models.TextChoices):
    CONFERENCE = "conference", _("International conference")
    DIALOGUE = "dialogue", _("Dialogue event")
    PRACTITIONERS_WORKSHOP = "practitioners_workshop", _("Practitioners' workshop")
    PROJECT_WORKSHOP = "project_workshop", _("Local project workshop")
    TRAINING = "training", _("Training")
    STUDY_TRIP = "study_trip", _("Study trip")
    WEBINAR = "webinar", _("Webinar")
    INSIGHT = "insight", _("Insight session")


class EventStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("event status", "Draft")
    PUBLISHED = "published", pgettext_lazy("event status", "Published")
    # New dates to follow; registrations stay, new ones wait until the event is published again.
    POSTPONED = "postponed", pgettext_lazy("event status", "Postponed")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class ParticipationMode(models.TextChoices):
    # First come, first served up to the capacity; then the waitlist.
    REGISTRATION = "registration", _("Open registration")
    # Applicants answer questions; the organisers select.
    APPLICATION = "application", _("Application with selection")


class TravelCover(models.TextChoices):
    NOT_APPLICABLE = "", _("Not applicable")
    PARTICIPANTS = "participants", _("Participants cover their own travel")
    PROGRAMME = "programme", _("The programme covers travel and accommodation")
    PARTIAL = "partial", _("The programme covers part of the costs")
    HOST = "host", _("The host city covers the costs")


class Event(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    format = models.CharField(_("format"), max_length=30, choices=EventFormat.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    # Said to registrants and shown on the page when the event is cancelled or postponed.
    status_message = models.TextField(_("message about the status"), blank=True)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    language = models.CharField(_("language of the description"), max_length=8, default="en")
    # Languages spoken at the event, and those interpreted into.
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    interpretation = models.JSONField(_("interpretation into"), default=list, blank=True)
    topics = models.ManyToManyField("core.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    host_city = models.ForeignKey(
        "core.City",
        verbose_name=_("host city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    host_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_events",
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisers"), blank=True, related_name="organised_events"
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    # Where the event happens; its times are shown in this zone and in the viewer's.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    mode = models.CharField(
        _("attendance"), max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.IN_PERSON
    )
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    # Shown to confirmed participants only.
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    travel_cover = models.CharField(_("travel costs"), max_length=12, choices=TravelCover.choices, blank=True)
    travel_note = models.CharField(_("about travel costs"), max_length=300, blank=True)

    participation = models.CharField(
        _("participation"),
        max_length=12,
        choices=ParticipationMode.choices,
        default=ParticipationMode.REGISTRATION,
    )
    # Empty means no limit.
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    # How long a person offered a freed place has to confirm before it passes on.
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to confirm an offered place"),
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    # Questions applicants answer, one per line (application mode).
    questions = models.JSONField(_("questions for applicants"), default=list, blank=True)
    asks_for_contribution = models.BooleanField(
        _("participants bring a practice or a challenge"), default=False
    )
    # Participants may choose to appear on the public list.
    public_participants = models.BooleanField(_("public list of participants (opt-in)"), default=False)
    badges = models.BooleanField(_("name badges"), default=False)
    certificates = models.BooleanField(_("certificates of participation"), default=True)
    survey_questions = models.JSONField(_("feedback questions"), default=list, blank=True)

    # After the event.
    outcomes = models.TextField(_("outcomes"), blank=True, help_text=_("Markdown"))
    practices = models.ManyToManyField(
        "practices.Practice", verbose_name=_("practices presented"), blank=True, related_name="events"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Raised at every change calendars must pick up (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(_("calendar revision"), default=0)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    survey_sent_at = models.DateTimeField(_("survey sent"), null=True, blank=True)
    # Kept by the registration services in the same transaction, so lists of thousands need no counting.
    confirmed_count = models.PositiveIntegerField(_("confirmed participants"), default=0)
    waitlist_count = models.PositiveIntegerField(_("on the waitlist"), default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["status", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class AgendaSession(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("room or place"), max_length=200, blank=True)
    speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("speakers"), blank=True, related_name="speaking_sessions"
    )
    # Speakers without an account on the platform.
    guest_speakers = models.CharField(_("other speakers"), max_length=300, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("agenda")

    def __str__(self) -> str:
        return self.title


class DocumentKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    PRESENTATION = "presentation", _("Presentation")
    PHOTO = "photo", _("Photo")
    LINK = "link", _("Link")


class EventDocument(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=DocumentKind.choices, default=DocumentKind.DOCUMENT
    )
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(_("file"), upload_to="events/%Y/", storage=private_storage, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    url = models.URLField(_("address"), max_length=500, blank=True)
    # Only participants see it (the slides of a closed workshop, say).
    participants_only = models.BooleanField(_("for participants only"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at"]
        verbose_name = _("event document")
        verbose_name_plural = _("event documents")

    def __str__(self) -> str:
        return self.title


class ReservedPlaces(models.Model):
    """Places kept for participants from one region or one type of organisation."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="reserved"
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    organisation_type = models.CharField(_("type of organisation"), max_length=30, blank=True)
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("reserved places")
        verbose_name_plural = _("reserved places")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(region__isnull=False, organisation_type="")
                    | models.Q(region__isnull=True) & ~models.Q(organisation_type="")
                ),
                name="reserved_places_one_criterion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.places} for {self.region_id or self.organisation_type}"


class RegistrationStatus(models.TextChoices):
    APPLIED = "applied", _("Application received")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("On the waitlist")
    # A freed place waits for this person's confirmation until offer_expires_at.
    OFFERED = "offered", _("Place offered")
    DECLINED = "declined", _("Not selected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired")


# The statuses that hold a place.
HOLDS_PLACE = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
# The statuses of a person still taking part or hoping to.
ACTIVE = (*HOLDS_PLACE, RegistrationStatus.APPLIED, RegistrationStatus.WAITLISTED)


class Registration(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    # The reserved places this person's place is counted in; empty for the general places.
    reserved = models.ForeignKey(
        ReservedPlaces,
        verbose_name=_("reserved places"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answers = models.JSONField(_("answers"), default=list, blank=True)
    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("practice brought"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    challenge = models.TextField(_("challenge brought"), blank=True)
    # The organisers' last message to this person (acceptance, waitlist, decline).
    message = models.TextField(_("message from the organisers"), blank=True)
    public = models.BooleanField(_("show me on the public list of participants"), default=False)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # Where this person stands on the waitlist: earliest first.
    waitlisted_at = models.DateTimeField(_("on the waitlist since"), null=True, blank=True)
    offered_at = models.DateTimeField(_("place offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        # One row per person and event; cancelling and registering again reuse it.
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_once")]
        indexes = [
            models.Index(fields=["event", "status"]),
            models.Index(fields=["user", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.event_id} ({self.status})"


class Certificate(models.Model):
    """A certificate of participation; its code proves it on a public page."""

    registration = models.OneToOneField(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="certificate"
    )
    code = models.CharField(_("verification code"), max_length=16, unique=True)
    # What the certificate says, kept as issued even if the account or the event changes later.
    participant_name = models.CharField(_("participant"), max_length=300)
    event_title = models.CharField(_("event"), max_length=200)
    event_dates = models.CharField(_("dates"), max_length=100)
    event_place = models.CharField(_("place"), max_length=200, blank=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.code


class FeedbackResponse(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="feedback"
    )
    # Kept to stop a second answer; results never show who said what.
    registration = models.OneToOneField(
        Registration,
        verbose_name=_("registration"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    overall = models.PositiveSmallIntegerField(
        _("overall rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness for my work"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    answers = models.JSONField(_("answers"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.event_id}: {self.overall}/5"


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class EventProposal(models.Model):
    """Call for topics: a municipality proposes a dialogue event it would host."""

    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.CASCADE,
        related_name="event_proposals",
    )
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("host organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    city = models.ForeignKey(
        "core.City",
        verbose_name=_("host city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("topic"), max_length=200)
    format = models.CharField(
        _("format"), max_length=30, choices=EventFormat.choices, default=EventFormat.DIALOGUE
    )
    topics = models.ManyToManyField("core.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    challenge = models.TextField(_("the challenge"))
    partners = models.TextField(_("partners"), blank=True)
    proposed_start = models.DateField(_("proposed from"))
    proposed_end = models.DateField(_("proposed until"))
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    review_note = models.TextField(_("answer from the programme"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    event = models.OneToOneField(
        Event,
        verbose_name=_("event draft"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposal",
    )
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("event proposal")
        verbose_name_plural = _("event proposals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(proposed_end__gte=models.F("proposed_start")),
                name="proposal_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class CalendarToken(models.Model):
    """The private address of a member's "my events" calendar feed; resetting it retires the old address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")

    def __str__(self) -> str:
        return f"calendar of {self.user_id}"
