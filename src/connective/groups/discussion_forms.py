"""Forms of group discussions. Limits mirror groups/discussions.py, which checks them again (and the files'
content) for the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from connective.groups import uploads
from connective.groups.discussions import (
    ATTACHMENTS_MAX,
    BODY_MAX,
    TITLE_MAX,
    attachment_max_bytes,
    event_by_reference,
    practice_by_reference,
)
from connective.groups.models import Reaction


class _PlainLabels(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Labels read like every other form on the site: no trailing colon.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class _TextField(forms.CharField):
    def to_python(self, value: Any) -> str:
        # Browsers send line breaks as CRLF but count them as one character against maxlength.
        return str(super().to_python(value)).replace("\r\n", "\n")


class _MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class _MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type by content, size, count)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(_MultipleFileField, self).clean(item, initial) for item in files if item]


def _body_field(label: Any) -> _TextField:
    return _TextField(
        label=label,
        max_length=BODY_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(
            _(
                "Markdown: **bold**, *italic*, > quote, - list, [link](https://…). Mention a member with @ and "
                "the address of their profile, such as @amara-okafor. At most {max} characters."
            ),
            max=BODY_MAX,
        ),
        error_messages={
            "required": _("Please write something."),
            "max_length": _(
                "The text is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )


def _attachments_field() -> _MultipleFileField:
    return _MultipleFileField(
        label=_("Attach files (optional)"),
        required=False,
        help_text=format_lazy(
            _("Up to {count} files of at most {size} MB each: {types}."),
            count=ATTACHMENTS_MAX,
            size=f"{attachment_max_bytes() / (1024 * 1024):.0f}",
            types=uploads.ALLOWED_LABEL,
        ),
    )


class ThreadForm(_PlainLabels):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        error_messages={
            "required": _("Please give the thread a title."),
            "max_length": _(
                "The title is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            ),
        },
    )
    body = _body_field(_("Your post"))
    practice = forms.CharField(
        label=_("About a good practice (optional)"),
        required=False,
        max_length=300,
        help_text=_("The practice's address or its short name; or search for it below."),
    )
    practice_query = forms.CharField(label=_("Search the good practices"), required=False, max_length=200)
    # A practice picked from the search results (radio buttons): it wins over what the text field says.
    practice_choice = forms.CharField(required=False, max_length=300)
    event = forms.CharField(
        label=_("About an event (optional)"),
        required=False,
        max_length=300,
        help_text=_("The event's address or its short name; or search for it below."),
    )
    event_query = forms.CharField(label=_("Search the events"), required=False, max_length=200)
    # An event picked from the search results (radio buttons): it wins over what the text field says.
    event_choice = forms.CharField(required=False, max_length=300)
    attachments = _attachments_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._link(
            data,
            "practice",
            practice_by_reference,
            _("No published good practice has this address. Search for it and choose it from the list."),
        )
        self._link(
            data,
            "event",
            event_by_reference,
            _("No published event has this address. Search for it and choose it from the list."),
        )
        return data

    def _link(self, data: dict[str, Any], field: str, find: Callable[[str], Any], unknown: Any) -> None:
        """Replace the reference typed in `field` (or chosen from the search results) by what it names."""
        reference = (data.get(f"{field}_choice") or data.get(field) or "").strip()
        if field not in data or not reference:
            data[field] = None
            return
        found = find(reference)
        if found is None:
            self.add_error(field, unknown)
        else:
            data[field] = found


class PostForm(_PlainLabels):
    body = _body_field(_("Your reply"))
    quote_of = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachments = _attachments_field()


class PostEditForm(_PlainLabels):
    body = _body_field(_("Text"))


class ReactionForm(forms.Form):
    reaction = forms.ChoiceField(
        choices=Reaction.choices, error_messages={"invalid_choice": _("Choose one of the reactions offered.")}
    )
