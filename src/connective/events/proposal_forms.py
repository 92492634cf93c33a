"""Forms of the call for topics: proposing an event, and the programme's answer. The rules of a proposal live
in proposals.proposal_errors, which the form asks, so the form and the service cannot disagree."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.core.models import Country, Topic
from connective.events.models import EventFormat, ProposalStatus
from connective.events.proposals import (
    CHALLENGE_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PARTNERS_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    proposal_errors,
)
from connective.network.models import Organisation
from connective.practices.forms import resolve_city_fields

TOO_LONG = _("This can be at most %(limit_value)d characters long (it has %(show_value)d).")
# Service keys shown under another name in the form.
SERVICE_TO_FORM_FIELD = {"city": "city_name"}


class ProposalForm(forms.Form):
    """Propose an event your city would host. The host city is typed by name with its country, as on the
    practice form (there are tens of thousands of cities; a list would not do)."""

    title = forms.CharField(
        label=_("Topic of the event"),
        max_length=TITLE_MAX_LENGTH,
        help_text=_("A short title, e.g. “Flood-proof neighbourhoods: what cities learned”."),
        error_messages={"required": _("Give the topic of the event."), "max_length": TOO_LONG},
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=EventFormat.choices,
        initial=EventFormat.DIALOGUE,
        error_messages={"invalid_choice": _("Choose a format from the list.")},
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.select_related("parent").order_by("position", "slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no topic “%(value)s”. Choose topics from the list.")},
    )
    challenge = forms.CharField(
        label=_("The challenge"),
        max_length=CHALLENGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What problem does your city face, and what would it like to learn from other cities?"),
        error_messages={
            "required": _("Describe the challenge the event would work on."),
            "max_length": TOO_LONG,
        },
    )
    partners = forms.CharField(
        label=_("Partners"),
        required=False,
        max_length=PARTNERS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Organisations that would host or prepare the event with you."),
        error_messages={"max_length": TOO_LONG},
    )
    proposed_start = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the first day of the event."),
            "invalid": _("Give a date, e.g. 2027-03-15."),
        },
    )
    proposed_end = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the last day of the event."),
            "invalid": _("Give a date, e.g. 2027-03-17."),
        },
    )
    language = forms.ChoiceField(
        label=_("Main language of the event"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose a language from the list.")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Host organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("There is no such organisation. Choose one from the list.")},
    )
    city_name = forms.CharField(
        label=_("Host city"),
        max_length=200,
        required=False,
        help_text=_("The city or town where the event would take place, e.g. “Tunis” or “São Paulo”."),
        error_messages={"max_length": TOO_LONG},
    )
    country = forms.ChoiceField(label=_("Country of the host city"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        countries = sorted(
            ((c.code, c.name) for c in Country.objects.all()), key=lambda pair: pair[1].casefold()
        )
        self.fields["country"].choices = [("", "—"), *countries]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("organisation", user.organisation_id)
            codes = {code for code, _name in settings.LANGUAGES}
            self.initial.setdefault("language", user.language if user.language in codes else "en")
            if user.city_id is not None:
                self.initial.setdefault("city_name", user.city.name)
                self.initial.setdefault("country", user.city.country_id)
            elif user.country_id is not None:
                self.initial.setdefault("country", user.country_id)

    def topic_groups(self) -> list[tuple[Any, list[Any]]]:
        """The topic checkboxes by cluster: (cluster's checkbox, its subtopics' checkboxes)."""
        field = self.fields["topics"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        topics = list(field.queryset)  # type: ignore[arg-type]
        widgets = {str(widget.data["value"]): widget for widget in self["topics"]}
        children: dict[int, list[Any]] = {}
        for topic in topics:
            if topic.parent_id is not None:
                children.setdefault(topic.parent_id, []).append(widgets[str(topic.pk)])
        return [(widgets[str(t.pk)], children.get(t.pk, [])) for t in topics if t.parent_id is None]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_city(data)
        if not self.errors:
            for key, messages in proposal_errors(self.service_data(data)).items():
                field = SERVICE_TO_FORM_FIELD.get(key, key)
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data

    def _clean_city(self, data: dict[str, Any]) -> None:
        resolve_city_fields(self, data)

    def service_data(self, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """The cleaned form as proposal_submit's keyword arguments (without the proposer)."""
        data = self.cleaned_data if data is None else data
        return {
            "title": data.get("title") or "",
            "format": data.get("format") or "",
            "topics": list(data.get("topics") or []),
            "challenge": data.get("challenge") or "",
            "partners": data.get("partners") or "",
            "proposed_start": data.get("proposed_start"),
            "proposed_end": data.get("proposed_end"),
            "language": data.get("language") or "",
            "organisation": data.get("organisation"),
            "city": data.get("city"),
        }


class ProposalDecisionForm(forms.Form):
    """The programme's answer: accept or decline, with a note the proposer reads (required to decline)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        # No default: an answer is sent only when staff chose one.
        choices=[("", "—"), ("accept", _("Accept")), ("decline", _("Decline"))],
        error_messages={
            "required": _("Choose accept or decline."),
            "invalid_choice": _("Choose accept or decline."),
        },
    )
    note = forms.CharField(
        label=_("Answer to the proposer"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declining: tell the proposer why."),
        error_messages={"max_length": TOO_LONG},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", gettext("Tell the proposer why the proposal is declined."))
        return data

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"


STATUS_FILTER_CHOICES = [("", _("All proposals")), *ProposalStatus.choices]
