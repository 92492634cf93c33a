"""The "write to the contact person" form. Limits mirror the service, which checks them again for the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from connective.practices.services import (
    CONTACT_MESSAGE_MAX,
    CONTACT_MESSAGE_MIN,
    CONTACT_SUBJECT_MAX,
    contact_subject_clean,
)


class PracticeContactForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=CONTACT_SUBJECT_MAX,
        error_messages={
            "required": _("Please write a subject."),
            "max_length": _(
                "The subject can have at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    message = forms.CharField(
        label=_("Your message"),
        min_length=CONTACT_MESSAGE_MIN,
        max_length=CONTACT_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(
            _("Between {min} and {max} characters."), min=CONTACT_MESSAGE_MIN, max=CONTACT_MESSAGE_MAX
        ),
        error_messages={
            "required": _("Please write a message."),
            "min_length": _(
                "The message is too short: please write at least %(limit_value)d characters "
                "(it has %(show_value)d)."
            ),
            "max_length": _(
                "The message is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    share_email = forms.BooleanField(
        label=_("Share my e-mail address with the contact person so they can reply to me directly"),
        required=False,
        initial=True,
        help_text=_("If you do not share it, the contact person sees only your name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels read like every other form on the site: no trailing colon.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_subject(self) -> str:
        subject = contact_subject_clean(self.cleaned_data["subject"])
        if not subject:
            raise forms.ValidationError(_("Please write a subject."), code="required")
        return subject
