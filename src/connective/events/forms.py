"""Forms of the event pages: the list's filters, registering or applying, the organisers' decisions and status
changes. They check the shape of the input; the rules of places live in registration.py."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from connective.core.forms import page_number_field
from connective.events.models import Event, EventFormat
from connective.events.registration import MAX_ANSWER_LENGTH, Decision
from connective.events.services import MAX_MESSAGE_LENGTH

MAX_QUERY_LENGTH = 200
TOO_LONG = _("This can be at most %(limit_value)d characters long (it has %(show_value)d).")


def _names_text(names: dict[str, str]) -> str:
    from django.utils.translation import get_language

    return names.get((get_language() or "en")[:2]) or names.get("en") or ""


class EventFilterForm(forms.Form):
    """The list's GET parameters: /events/?format=study_trip&topic=energy&region=mena&language=fr&mode=online
    &when=past&page=2. A wrong value is named; the list goes on without it."""

    q = forms.CharField(
        label=_("Search events"),
        required=False,
        strip=True,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("All formats")), *EventFormat.choices],
        error_messages={"invalid_choice": _("There is no format “%(value)s”.")},
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        error_messages={"invalid_choice": _("There is no topic “%(value)s”.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages={"invalid_choice": _("There is no region “%(value)s”.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        error_messages={"invalid_choice": _("There is no language “%(value)s” to choose.")},
    )
    mode = forms.ChoiceField(
        label=_("Attendance"),
        required=False,
        choices=[("", _("Online or in person")), ("online", _("Online")), ("in_person", _("In person"))],
        error_messages={"invalid_choice": _("Choose online or in person, not “%(value)s”.")},
    )
    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All dates"))],
        error_messages={"invalid_choice": _("Choose upcoming, past or all, not “%(value)s”.")},
    )
    page = page_number_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from connective.practices.selectors import search_vocabulary

        super().__init__(*args, **kwargs)
        vocabulary = search_vocabulary()
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("All regions")),
            *((slug, _names_text(names)) for slug, _pk, names in vocabulary.regions),
        ]
        self.fields["topic"].choices = [  # type: ignore[attr-defined]
            ("", _("All topics")),
            *(
                (slug, ("— " if parent else "") + _names_text(names))
                for slug, names, parent in vocabulary.topics
            ),
        ]
        self.fields["language"].choices = [("", _("Any language")), *settings.LANGUAGES]  # type: ignore[attr-defined]

    def clean_when(self) -> str:
        return self.cleaned_data.get("when") or "upcoming"

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    @property
    def valid_data(self) -> dict[str, Any]:
        self.is_valid()
        data = dict(getattr(self, "cleaned_data", {}))
        data.setdefault("when", "upcoming")
        data.setdefault("page", 1)
        return data

    def page_missing(self, page: int, pages: int) -> None:
        message = ngettext(
            "There is no page %(page)d: the events fit on %(pages)d page.",
            "There is no page %(page)d: the events fit on %(pages)d pages.",
            pages,
        ) % {"page": page, "pages": pages}
        self.add_error("page", ValidationError(message, code="out_of_range"))

    @property
    def filtered(self) -> bool:
        data = self.valid_data
        return any(data.get(key) for key in ("q", "format", "topic", "region", "language", "mode")) or (
            data.get("when") != "upcoming"
        )


class MonthForm(forms.Form):
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        error_messages={"invalid": _("Give the month as year and month, e.g. 2026-11.")},
    )

    def first_day(self) -> date:
        today = timezone.localdate()
        if not self.is_valid() or not self.cleaned_data.get("month"):
            return today.replace(day=1)
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            self.add_error(
                "month", gettext("There is no month %(month)s.") % {"month": self.cleaned_data["month"]}
            )
            return today.replace(day=1)
        return date(year, month, 1)


class RegistrationForm(forms.Form):
    """Register or apply: the answers to the organisers' questions, the practice or challenge brought, and
    whether to appear on the public list."""

    practice = forms.ChoiceField(label=_("A practice you bring"), required=False)
    challenge = forms.CharField(
        label=_("A challenge you bring"),
        required=False,
        max_length=MAX_ANSWER_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": TOO_LONG},
    )
    public = forms.BooleanField(label=_("Show my name on the public list of participants"), required=False)

    def __init__(self, *args: Any, event: Event, practices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        for index, question in enumerate(event.questions if event.participation == "application" else []):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=str(question),
                max_length=MAX_ANSWER_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": _("Please answer this question."), "max_length": TOO_LONG},
            )
        if event.asks_for_contribution:
            self.fields["practice"].choices = [  # type: ignore[attr-defined]
                ("", _("None of mine")),
                *((str(pk), t) for pk, t in practices),
            ]  # type: ignore[attr-defined]
        else:
            del self.fields["practice"]
            del self.fields["challenge"]
        if not event.public_participants:
            del self.fields["public"]

    @property
    def answer_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("answer_")]

    def answers(self) -> list[str]:
        return [self.cleaned_data[name] for name in self.fields if name.startswith("answer_")]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.ACCEPT, _("Accept")),
            (Decision.WAITLIST, _("Put on the waitlist")),
            (Decision.DECLINE, _("Decline")),
        ],
        error_messages={"invalid_choice": _("Choose accept, waitlist or decline.")},
    )
    message = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": TOO_LONG},
    )


class StatusForm(forms.Form):
    """Cancel, postpone, reschedule or publish, with the message registrants receive."""

    action = forms.ChoiceField(
        label=_("Change"),
        choices=[
            ("publish", _("Publish")),
            ("postpone", _("Postpone")),
            ("reschedule", _("Give new dates")),
            ("cancel", _("Cancel the event")),
        ],
        error_messages={"invalid_choice": _("There is no such change.")},
    )
    message = forms.CharField(
        label=_("Message to everyone registered"),
        required=False,
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )
    starts_at = forms.DateTimeField(
        label=_("New start (the event's local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": _("Give a date and time, e.g. 2027-03-15 09:00.")},
    )
    ends_at = forms.DateTimeField(
        label=_("New end (the event's local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": _("Give a date and time, e.g. 2027-03-17 17:00.")},
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone = ZoneInfo(self.event.time_zone)
        # The organisers type the event's local time, whatever zone their browser is in.
        for name in ("starts_at", "ends_at"):
            value = data.get(name)
            if value is not None:
                data[name] = value.replace(tzinfo=None).replace(tzinfo=zone)
        if data.get("action") == "reschedule":
            if not data.get("starts_at") or not data.get("ends_at"):
                raise ValidationError(gettext("Give the new start and end."), code="dates")
            if data["ends_at"] < data["starts_at"]:
                raise ValidationError(gettext("The event must end after it starts."), code="dates")
        return data
