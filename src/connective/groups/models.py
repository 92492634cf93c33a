"""Working groups: membership, discussions, the group library and moderation. Fields only; the rules live in
rules.py and selectors.py, every write in services.py and moderation.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from connective.core.storage import private_storage


class GroupKind(models.TextChoices):
    THEMATIC = "thematic", _("Thematic")
    REGIONAL = "regional", _("Regional")


class Access(models.TextChoices):
    # Anyone reads; members join at once.
    OPEN = "open", pgettext_lazy("group access", "Open")
    # Anyone sees the group; only members read its discussions; joining is by request.
    CLOSED = "closed", pgettext_lazy("group access", "Closed")
    # Only members know it exists; joining is by invitation.
    SECRET = "secret", pgettext_lazy("group access", "Secret")


class Group(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=GroupKind.choices, default=GroupKind.THEMATIC)
    access = models.CharField(_("access"), max_length=10, choices=Access.choices, default=Access.OPEN)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown"))
    description_language = models.CharField(_("language of the description"), max_length=8, default="en")
    # Languages the group works in (codes such as "en", "fr", "ar").
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    topics = models.ManyToManyField("core.Topic", verbose_name=_("topics"), blank=True, related_name="+")
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover = models.ImageField(_("cover image"), upload_to="groups/%Y/", blank=True)
    # New members' first posts wait for a moderator.
    hold_first_posts = models.BooleanField(_("hold first posts of new members for approval"), default=False)
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
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    # Kept by the services in the same transaction as the change, so lists of thousands of groups need no
    # counting queries.
    member_count = models.PositiveIntegerField(_("members"), default=0)
    thread_count = models.PositiveIntegerField(_("threads"), default=0)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        indexes = [models.Index(fields=["access", "name"])]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")


class Membership(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="group_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    # A muted member reads but cannot post until then.
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    # Set when a moderator approves a held first post (or when the group does not hold posts).
    approved_poster = models.BooleanField(_("may post without approval"), default=False)

    class Meta:
        ordering = ["-role", "joined_at"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_once")]
        indexes = [models.Index(fields=["user", "group"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id} ({self.role})"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class JoinRequest(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    message = models.TextField(_("message to the moderators"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    response = models.TextField(_("answer to the member"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("request to join")
        verbose_name_plural = _("requests to join")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(status="pending"),
                name="join_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.group_id} ({self.status})"


class Invitation(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="invitations"
    )
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited member"),
        on_delete=models.CASCADE,
        related_name="group_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the invitation went to everyone of an organisation.
    organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("through the organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "invitee"],
                condition=models.Q(status="pending"),
                name="invitation_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invitee_id} ← {self.group_id} ({self.status})"


class Thread(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_post_at = models.DateTimeField(_("last post"), null=True, blank=True)
    # Counts of published posts (the opening post included), kept by the services.
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    # The position the next post takes; positions never repeat, so pages stay stable when posts are hidden.
    next_position = models.PositiveIntegerField(default=1)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    # What the discussion is about, when it is about something on the platform.
    practice = models.ForeignKey(
        "practices.Practice",
        verbose_name=_("practice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_threads",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_threads",
    )

    class Meta:
        ordering = ["-pinned", "-last_post_at"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [models.Index(fields=["group", "-pinned", "-last_post_at"])]

    def __str__(self) -> str:
        return self.title


class PostStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    # A first post of a new member waiting for a moderator.
    HELD = "held", _("Waiting for approval")
    HIDDEN = "hidden", _("Hidden by a moderator")
    REJECTED = "rejected", _("Not approved")


class Post(models.Model):
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("position in the thread"))
    body = models.TextField(_("text"), help_text=_("Markdown"))
    # The sanitised HTML of `body`, rendered once on write so that a page of posts renders no Markdown.
    body_html = models.TextField(editable=False)
    quote_of = models.ForeignKey(
        "self", verbose_name=_("quotes"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PostStatus.choices, default=PostStatus.PUBLISHED
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderation_reason = models.TextField(_("reason"), blank=True)
    # {"like": 3, "insightful": 1}: kept with the reactions so a page of posts needs no counting query.
    reaction_counts = models.JSONField(_("reactions"), default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["thread", "position"], name="post_position_once")]
        indexes = [models.Index(fields=["thread", "status", "position"])]

    def __str__(self) -> str:
        return f"{self.thread_id}#{self.position}"


class PostRevision(models.Model):
    """The text a post had before an edit; moderators read the history."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("text"))
    written_at = models.DateTimeField(_("written"))
    replaced_at = models.DateTimeField(_("replaced"), auto_now_add=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-replaced_at"]
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")

    def __str__(self) -> str:
        return f"{self.post_id} before {self.replaced_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="groups/attachments/%Y/%m/", storage=private_storage)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Reaction(models.TextChoices):
    LIKE = "like", _("Like")
    THANKS = "thanks", _("Thanks")
    INSIGHTFUL = "insightful", _("Insightful")
    AGREE = "agree", _("Agree")


class PostReaction(models.Model):
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    reaction = models.CharField(_("reaction"), max_length=12, choices=Reaction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "reaction"], name="post_reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.reaction} on {self.post_id}"


class ThreadSubscription(models.Model):
    """Who hears of new replies in a thread: its author, everyone who wrote in it, and who chose to follow."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thread subscription")
        verbose_name_plural = _("thread subscriptions")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="thread_subscription_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.thread_id}"


class LibraryItemKind(models.TextChoices):
    DOCUMENT = "document", _("Document")
    LINK = "link", _("Link")


class LibraryItem(models.Model):
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="library"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=LibraryItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    file = models.FileField(_("file"), upload_to="groups/library/%Y/%m/", blank=True, storage=private_storage)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    url = models.URLField(_("address"), max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["-added_at"]
        verbose_name = _("library item")
        verbose_name_plural = _("library items")

    def __str__(self) -> str:
        return self.title


class PostReportReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    ABUSE = "abuse", _("Harassment or abuse")
    OFF_TOPIC = "off_topic", _("Off topic")
    PERSONAL_DATA = "personal_data", _("Shares someone's personal data")
    OTHER = "other", _("Something else")


class PostReportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    UPHELD = "upheld", _("Post hidden")
    DISMISSED = "dismissed", _("Dismissed")


class PostReport(models.Model):
    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, choices=PostReportReason.choices)
    comment = models.TextField(_("comment"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PostReportStatus.choices, default=PostReportStatus.OPEN
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reported post")
        verbose_name_plural = _("reported posts")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=models.Q(status="open"), name="post_report_one_open"
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.reason} on {self.post_id} ({self.status})"


class ModerationAction(models.TextChoices):
    HIDE_POST = "hide_post", _("Hid a post")
    RESTORE_POST = "restore_post", _("Restored a post")
    APPROVE_POST = "approve_post", _("Approved a held post")
    REJECT_POST = "reject_post", _("Did not approve a held post")
    DISMISS_REPORT = "dismiss_report", _("Dismissed a report")
    LOCK_THREAD = "lock_thread", _("Locked a thread")
    UNLOCK_THREAD = "unlock_thread", _("Unlocked a thread")
    PIN_THREAD = "pin_thread", _("Pinned a thread")
    UNPIN_THREAD = "unpin_thread", _("Unpinned a thread")
    MUTE_MEMBER = "mute_member", _("Muted a member")
    UNMUTE_MEMBER = "unmute_member", _("Unmuted a member")
    REMOVE_MEMBER = "remove_member", _("Removed a member")
    ACCEPT_REQUEST = "accept_request", _("Accepted a request to join")
    DECLINE_REQUEST = "decline_request", _("Declined a request to join")
    PROMOTE = "promote", _("Named a moderator")
    DEMOTE = "demote", _("Withdrew a moderator")


class ModerationLogEntry(models.Model):
    """Every moderation decision in a group: who, when, what, why. Moderators of the group and staff read it."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="moderation_log"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=ModerationAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    post = models.ForeignKey(
        Post, verbose_name=_("post"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concerning"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
