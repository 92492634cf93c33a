"""Forms of private conversations. Limits mirror the services, which check them again for the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from connective.network.conversations import MESSAGE_MAX, REPORT_COMMENT_MAX
from connective.network.models import ReportReason


class _PlainLabels(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels read like every other form on the site: no trailing colon.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _MessageField(forms.CharField):
    def to_python(self, value: Any) -> str:
        # Browsers send line breaks as CRLF but count them as one character against maxlength.
        return str(super().to_python(value)).replace("\r\n", "\n")


class MessageForm(_PlainLabels):
    body = _MessageField(
        label=_("Your message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy(
            _("At most {max} characters. The other member reads it here and is told by e-mail."),
            max=MESSAGE_MAX,
        ),
        error_messages={
            "required": _("Please write a message."),
            "max_length": _(
                "The message is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )


class ReportForm(_PlainLabels):
    reason = forms.ChoiceField(
        label=_("Why do you report this message?"),
        choices=ReportReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose why you report this message."),
            "invalid_choice": _("Choose why you report this message."),
        },
    )
    comment = forms.CharField(
        label=_("Anything staff should know (optional)"),
        required=False,
        max_length=REPORT_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _(
                "The comment is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )


class ReportDecisionForm(forms.Form):
    """Staff's decision on a reported message in the back office."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("dismiss", _("Dismiss the report: the message stays")),
            ("remove", _("Remove the message for both members")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a decision.")},
    )
