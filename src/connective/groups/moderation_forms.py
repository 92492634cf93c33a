"""Forms of reports and moderation. Limits mirror groups/moderation.py, which checks them again for the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connective.groups.models import PostReportReason
from connective.groups.moderation import REASON_MAX, REPORT_COMMENT_MAX


class _PlainLabels(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels read like every other form on the site: no trailing colon.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


_TOO_LONG = _("The text is too long: at most %(limit_value)d characters (it has %(show_value)d).")


class PostReportForm(_PlainLabels):
    reason = forms.ChoiceField(
        label=_("Why do you report this post?"),
        choices=PostReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you report this post."),
            "invalid_choice": _("Choose why you report this post."),
        },
    )
    comment = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        required=False,
        max_length=REPORT_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _TOO_LONG},
    )


class _ModerationForm(_PlainLabels):
    # The services say when a reason is required (hide, reject, mute, remove) and answer with a clear error.
    reason = forms.CharField(
        label=_("Reason (the member reads it)"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _TOO_LONG},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class PostModerationForm(_ModerationForm):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("hide", _("Hide the post")),
            ("restore", _("Restore the post")),
            ("approve", _("Approve the post")),
            ("reject", _("Do not approve the post")),
            ("dismiss", _("Dismiss the reports: the post stays")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision."), "invalid_choice": _("Choose a decision.")},
    )
    field_order = ["action", "reason", "next"]


class ThreadModerationForm(_ModerationForm):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("lock", _("Lock the thread: no more replies")),
            ("unlock", _("Unlock the thread")),
            ("pin", _("Pin the thread to the top")),
            ("unpin", _("Unpin the thread")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision."), "invalid_choice": _("Choose a decision.")},
    )
    field_order = ["action", "reason", "next"]


MUTE_DAYS = (1, 7, 30)


class MemberModerationForm(_ModerationForm):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("mute", _("Mute: the member reads but cannot post for a while")),
            ("unmute", _("Lift the mute")),
            ("remove", _("Remove the member from the group")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision."), "invalid_choice": _("Choose a decision.")},
    )
    days = forms.TypedChoiceField(
        label=_("Mute for"),
        choices=[
            ("", _("Choose how long")),
            ("1", _("1 day")),
            ("7", _("7 days")),
            ("30", _("30 days")),
        ],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose how long the member stays muted.")},
    )
    field_order = ["action", "days", "reason", "next"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "mute" and not cleaned.get("days"):
            self.add_error("days", _("Choose how long the member stays muted."))
        return cleaned
