from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    MUNICIPAL_COMPANY = "municipal_company", _("Municipal company")
    ASSOCIATION_OF_CITIES = "association_of_cities", _("Association of cities and municipalities")
    MINISTRY = "ministry", _("Ministry or national agency")
    UNIVERSITY = "university", _("University or research institute")
    COMPANY = "company", _("Company")
    NGO = "ngo", _("Civil society organisation")
    DEVELOPMENT_AGENCY = "development_agency", _("Development agency")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    city = models.ForeignKey(
        "core.City",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    country = models.ForeignKey(
        "core.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="organisations"
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    description_language = models.CharField(_("language of the description"), max_length=8, default="en")
    logo = models.ImageField(_("logo"), upload_to="organisations/%Y/", blank=True)
    # Staff confirm that an organisation exists and is what it says (back office).
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


# --- People -------------------------------------------------------------------------------------------------


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Signed-in members")
    HIDDEN = "hidden", _("Only me")


class ActorType(models.TextChoices):
    MUNICIPAL_ADMINISTRATION = "municipal_administration", _("Municipal administration")
    MUNICIPAL_POLITICS = "municipal_politics", _("Municipal politics")
    MUNICIPAL_COMPANY = "municipal_company", _("Municipal company")
    ASSOCIATION_OF_CITIES = "association_of_cities", _("Association of cities")
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    INDUSTRY = "industry", _("Industry")
    SCIENCE = "science", _("Science")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    DEVELOPMENT_COOPERATION = "development_cooperation", _("Development cooperation")


class LanguageLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    WORKING = "working", _("Working knowledge")
    FLUENT = "fluent", _("Fluent")
    NATIVE = "native", _("Native")


# The parts of a profile its owner shows to everyone, to members only, or to no one. The name is always shown
# to whoever may see the profile at all (Profile.visibility).
PROFILE_FIELDS: tuple[tuple[str, Any], ...] = (
    ("photo", _("Photo")),
    ("position", _("Position")),
    ("organisation", _("Organisation")),
    ("place", _("City and country")),
    ("actor_type", _("Actor type")),
    ("expertise", _("Topics of expertise")),
    ("languages", _("Languages")),
    ("bio", _("Short biography")),
    ("links", _("Links")),
)
DEFAULT_FIELD_VISIBILITY = {
    "photo": Visibility.PUBLIC,
    "position": Visibility.PUBLIC,
    "organisation": Visibility.PUBLIC,
    "place": Visibility.PUBLIC,
    "actor_type": Visibility.PUBLIC,
    "expertise": Visibility.PUBLIC,
    "languages": Visibility.MEMBERS,
    "bio": Visibility.MEMBERS,
    "links": Visibility.MEMBERS,
}


def _visibility_field(name: str) -> models.CharField[str, str]:
    return models.CharField(
        _("who sees this"),
        max_length=10,
        choices=Visibility.choices,
        default=DEFAULT_FIELD_VISIBILITY[name],
    )


class Profile(models.Model):
    """A member's public face in the directory. Position, organisation, city and country live on the user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="profile"
    )
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    # Who may see the profile at all: everyone, members, or no one (then it is not in the directory, and
    # pages that name the person show the name without a link).
    visibility = models.CharField(
        _("who sees my profile"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    photo = models.ImageField(_("photo"), upload_to="profiles/%Y/", blank=True)
    actor_type = models.CharField(_("actor type"), max_length=30, choices=ActorType.choices, blank=True)
    expertise = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics of expertise"), blank=True, related_name="experts"
    )
    bio = models.TextField(_("short biography"), max_length=2000, blank=True)
    bio_language = models.CharField(_("language of the biography"), max_length=8, default="en")
    photo_visibility = _visibility_field("photo")
    position_visibility = _visibility_field("position")
    organisation_visibility = _visibility_field("organisation")
    place_visibility = _visibility_field("place")
    actor_type_visibility = _visibility_field("actor_type")
    expertise_visibility = _visibility_field("expertise")
    languages_visibility = _visibility_field("languages")
    bio_visibility = _visibility_field("bio")
    links_visibility = _visibility_field("links")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        indexes = [models.Index(fields=["visibility", "-updated_at"], name="profile_directory_idx")]

    def __str__(self) -> str:
        return str(self.user)

    def field_visibility(self, field: str) -> str:
        return str(getattr(self, f"{field}_visibility"))


class ProfileLanguage(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="languages")
    # ISO 639-1 code, checked against pycountry by the service.
    language = models.CharField(_("language"), max_length=3)
    level = models.CharField(_("level"), max_length=10, choices=LanguageLevel.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [
            models.UniqueConstraint(fields=["profile", "language"], name="profile_language_once"),
        ]
        indexes = [models.Index(fields=["language", "level"])]

    def __str__(self) -> str:
        return f"{self.language} ({self.level})"


class ProfileLink(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("address"), max_length=500)
    label = models.CharField(_("label"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.label or self.url


# --- Following and activity ---------------------------------------------------------------------------------


class FollowKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")
    CITY = "city", _("City")
    TOPIC = "topic", _("Topic")


class Follow(models.Model):
    """A member follows a person (their user id), an organisation, a city or a topic."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    kind = models.CharField(_("kind"), max_length=20, choices=FollowKind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "kind", "object_id"], name="follow_once"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.follower_id} → {self.kind}:{self.object_id}"


class ActivityVerb(models.TextChoices):
    PRACTICE_PUBLISHED = "practice_published", _("published a good practice")
    PRACTICE_UPDATED = "practice_updated", _("updated a good practice")
    JOINED_ORGANISATION = "joined_organisation", _("joined an organisation")
    PROFILE_UPDATED = "profile_updated", _("updated their profile")
    ORGANISATION_VERIFIED = "organisation_verified", _("was verified")


class Activity(models.Model):
    """Something that happened, tagged with the people, organisation, city and topics it concerns.

    "My network" shows the activities whose tags a member follows, each checked against what the member may
    see at reading time (a practice unpublished since is not shown).
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    verb = models.CharField(_("what"), max_length=40, choices=ActivityVerb.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    practice = models.ForeignKey(
        "practices.Practice", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    city = models.ForeignKey("core.City", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    topics = models.ManyToManyField("core.Topic", blank=True, related_name="+")
    # People the activity concerns besides the actor (a practice's contact person, say).
    people = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.verb}"


# --- Conversations ------------------------------------------------------------------------------------------


class Conversation(models.Model):
    """A private conversation between two members; at most one per pair (`pair`, lower id first)."""

    pair = models.CharField(max_length=41, unique=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.pair


class ConversationMember(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    last_read_at = models.DateTimeField(_("read until"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation member")
        verbose_name_plural = _("conversation members")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="conversation_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.conversation_id}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    # Kept when the sender deletes their account: the other person still reads it, from a former member.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="sent_messages"
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    # Set by staff after a report; the message is then shown as removed.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.conversation_id}: {self.body[:40]}"


class Block(models.Model):
    """`blocker` receives nothing more from `blocked`, who is not told."""

    blocker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class ReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    HARASSMENT = "harassment", _("Harassment or abuse")
    FRAUD = "fraud", _("Fraud or scam")
    OTHER = "other", _("Something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DISMISSED = "dismissed", _("Dismissed")
    REMOVED = "removed", _("Message removed")


class MessageReport(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="message_reports"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ReportReason.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message report")
        verbose_name_plural = _("message reports")
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.message_id}"
