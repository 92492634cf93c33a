from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

# Deeper pages are refused: no one reads them, and an offset that large only costs the database.
MAX_PAGE = 10_000


def page_number_field() -> forms.IntegerField:
    """The `page` parameter of every paginated list and API, with the same words for every mistake."""
    return forms.IntegerField(
        label=_("Page"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={
            "invalid": _("The page must be a number, e.g. 2."),
            "min_value": _("Pages are counted from 1."),
            "max_value": _("There are not that many pages."),
        },
    )


class _TranslatedNamesBase(WagtailAdminModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = (self.instance.names if self.instance and self.instance.pk else None) or {}
        for code, _language in settings.LANGUAGES:
            self.fields[f"name_{code}"].initial = names.get(code, "")

    def save(self, commit: bool = True) -> Any:
        self.instance.names = {
            code: self.cleaned_data[f"name_{code}"].strip()
            for code, _language in settings.LANGUAGES
            if self.cleaned_data.get(f"name_{code}", "").strip()
        }
        return super().save(commit=commit)


# The {language: name} map of a vocabulary entry, edited as one text field per interface language.
TranslatedNamesForm = type(
    "TranslatedNamesForm",
    (_TranslatedNamesBase,),
    {
        f"name_{code}": forms.CharField(
            label=_("Name (%(language)s)") % {"language": language}, max_length=200, required=code == "en"
        )
        for code, language in settings.LANGUAGES
    },
)


def errors_text(error: ValidationError) -> str:
    """A service's refusal as one sentence for a message banner."""
    return " ".join(str(message) for message in error.messages)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: by field where it names one the form has, else on top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            for item in field_errors:
                form.add_error(field if field in form.fields else None, item)
    else:
        for text in error.messages:
            form.add_error(None, text)
