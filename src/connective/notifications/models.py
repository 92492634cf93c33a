"""One notification service for the whole platform: what happened, for whom, and how each member wants to hear.

A Notification is written once per recipient when something happens (notifications/services.py `notify`).
It shows in the member's notification centre at once; by e-mail it goes at once, in the member's daily or
weekly digest, or never, as the member chose for the notification's scope (a group, or everything else).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("An e-mail for each notification")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")
    NEVER = "never", _("No e-mail (only in the notification centre)")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A registered kind (notifications/kinds.py), e.g. "groups.mention"; it renders the text and decides
    # whether the recipient may still see the subject when the digest is sent.
    kind = models.CharField(_("kind"), max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Preferences are chosen per scope: "" for everything, "group:<id>" for one group.
    scope = models.CharField(_("scope"), max_length=64, blank=True, db_index=True)
    # The subject of the notification (a post, a group, an event ...), as "<app_label.model>:<pk>".
    target = models.CharField(_("subject"), max_length=96, blank=True)
    # Link to the subject without the language prefix; the reader's language is added when shown.
    path = models.CharField(_("link"), max_length=500, blank=True)
    # What the kind needs to write the text in the reader's language (titles, names, excerpts).
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Decided when written, from the member's preference for the scope; the digest task reads it.
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["delivery", "emailed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """How a member wants e-mail for one scope ("" = the default for everything without its own choice)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    scope = models.CharField(_("scope"), max_length=64, blank=True)
    delivery = models.CharField(_("e-mail"), max_length=10, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "scope"], name="notification_preference_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.scope or '*'}: {self.delivery}"
