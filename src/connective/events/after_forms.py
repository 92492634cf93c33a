"""Forms of what comes after an event: the feedback survey, verifying a certificate, and the organisers'
documentation. The services (feedback.py, documentation.py) check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from connective.events.certificates import CODE_LENGTH, code_normalise, code_well_formed
from connective.events.documentation import OUTCOMES_MAX, TITLE_MAX, URL_MAX, practice_from_reference
from connective.events.feedback import ANSWER_MAX, COMMENT_MAX, RATINGS
from connective.events.models import DocumentKind
from connective.groups.uploads import ACCEPT, ALLOWED_LABEL, UPLOAD_MAX_BYTES

_TOO_LONG = _("The text is too long: at most %(limit_value)d characters (it has %(show_value)d).")
_RATING_ERRORS = {
    "required": _("Choose a rating from 1 to 5."),
    "invalid_choice": _("Choose a rating from 1 to 5."),
}


class FeedbackForm(forms.Form):
    overall = forms.TypedChoiceField(
        label=_("Overall, how was the event?"),
        help_text=_("1 is poor, 5 is excellent."),
        choices=[(str(n), str(n)) for n in RATINGS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_RATING_ERRORS,
    )
    usefulness = forms.TypedChoiceField(
        label=_("How useful was it for your work?"),
        help_text=_("1 is not at all, 5 is very useful."),
        choices=[(str(n), str(n)) for n in RATINGS],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages=_RATING_ERRORS,
    )
    comment = forms.CharField(
        label=_("Anything else you want the organisers to know? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _TOO_LONG},
    )

    def __init__(self, *args: Any, questions: list[str], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.questions = [str(q) for q in questions]
        for index, question in enumerate(self.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question,
                required=False,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
                error_messages={"max_length": _TOO_LONG},
            )
        # The survey's own questions between the ratings and the comment.
        self.order_fields(
            ["overall", "usefulness", *(f"answer_{i}" for i in range(len(self.questions))), "comment"]
        )

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{i}"] for i in range(len(self.questions))]

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{i}", "") for i in range(len(self.questions))]


class CertificateVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        help_text=format_lazy(_("The {n} letters and digits printed on the certificate."), n=CODE_LENGTH),
        max_length=40,
        error_messages={
            "required": _("Type the code printed on the certificate."),
            "max_length": _("This is not a certificate code: it has 12 letters and digits."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "dir": "ltr"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if not code_well_formed(code):
            raise forms.ValidationError(
                _("This is not a certificate code: it has 12 letters and digits."), code="invalid"
            )
        return code


class OutcomesForm(forms.Form):
    outcomes = forms.CharField(
        label=_("Outcomes"),
        help_text=_("What came out of the event: results, agreements, next steps. Markdown."),
        required=False,
        max_length=OUTCOMES_MAX,
        widget=forms.Textarea(attrs={"rows": 10, "dir": "auto"}),
        error_messages={"max_length": _TOO_LONG},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "outcomes")
        super().__init__(*args, **kwargs)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you add?"),
        choices=DocumentKind.choices,
        initial=DocumentKind.DOCUMENT,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a document, a presentation, a photo or a link."),
            "invalid_choice": _("Choose a document, a presentation, a photo or a link."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the document a title."), "max_length": _TOO_LONG},
    )
    file = forms.FileField(
        label=_("File (for a document, presentation or photo)"),
        required=False,
        help_text=format_lazy(
            _("{types}; at most {size} MB. Photos: JPEG, PNG, WebP or GIF."),
            types=ALLOWED_LABEL,
            size=UPLOAD_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    url = forms.CharField(
        label=_("Address (for a link)"),
        required=False,
        max_length=URL_MAX,
        help_text=_("Starting with https:// or http://"),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        error_messages={"max_length": _TOO_LONG},
    )
    participants_only = forms.BooleanField(label=_("Only for participants"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "document")
        super().__init__(*args, **kwargs)


class PracticeLinkForm(forms.Form):
    practice = forms.CharField(
        label=_("Practice presented"),
        help_text=_("The address of the practice's page, or its short name (slug)."),
        max_length=URL_MAX,
        error_messages={
            "required": _("Give the address of a published practice."),
            "max_length": _TOO_LONG,
        },
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "practice")
        super().__init__(*args, **kwargs)

    def clean_practice(self) -> Any:
        practice = practice_from_reference(self.cleaned_data["practice"])
        if practice is None:
            raise forms.ValidationError(
                _("No published practice has this address. Copy the address of the practice's page."),
                code="unknown",
            )
        return practice
