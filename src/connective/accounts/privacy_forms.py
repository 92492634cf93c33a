"""The account deletion form. The password and second-factor code are checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Please enter your password.")},
    )
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=64,
        help_text=_("The six-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data are deleted for good."),
        error_messages={
            "required": _("Please tick the box to confirm that you want to delete your account."),
        },
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if needs_code:
            self.fields["code"].required = True
            self.fields["code"].error_messages["required"] = _(
                "Please enter the code from your authenticator app."
            )
        else:
            del self.fields["code"]
