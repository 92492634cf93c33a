"""Forms of the group library. groups/library.py checks everything again (type by content, size, address)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from connective.groups.library import DESCRIPTION_MAX, TITLE_MAX, URL_MAX
from connective.groups.models import LibraryItemKind
from connective.groups.uploads import ACCEPT, ALLOWED_LABEL, UPLOAD_MAX_BYTES

_TOO_LONG = _("The text is too long: at most %(limit_value)d characters (it has %(show_value)d).")


class LibrarySearchForm(forms.Form):
    q = forms.CharField(label=_("Search the library"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Documents and links")), *LibraryItemKind.choices]
    )
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[])

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *languages]  # type: ignore[attr-defined]


class LibraryItemForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What do you share?"),
        choices=[(LibraryItemKind.DOCUMENT, _("A document")), (LibraryItemKind.LINK, _("A link"))],
        widget=forms.RadioSelect,
        initial=LibraryItemKind.DOCUMENT,
        error_messages={
            "required": _("Choose whether you share a document or a link."),
            "invalid_choice": _("Choose whether you share a document or a link."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={"required": _("Give the item a title."), "max_length": _TOO_LONG},
    )
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _TOO_LONG},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[],
        error_messages={
            "required": _("Choose the language of the item."),
            "invalid_choice": _("Choose the language of the item."),
        },
    )
    file = forms.FileField(
        label=_("File (for a document)"),
        required=False,
        help_text=format_lazy(
            _("{types}; at most {size} MB."), types=ALLOWED_LABEL, size=UPLOAD_MAX_BYTES // (1024 * 1024)
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

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages  # type: ignore[attr-defined]
