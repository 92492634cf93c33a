"""The parameters of the events API. The list of events takes the event list page's own form
(events.forms.EventFilterForm), so the page and the API filter alike; the caller's registrations take a small
form of their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connective.api.group_filters import PageForm
from connective.events.selectors import EventFilters


def event_filters_of(data: dict[str, Any]) -> EventFilters:
    """The list page form's cleaned data as the selector's filters."""
    return EventFilters(
        q=data.get("q") or "",
        format=data.get("format") or "",
        topic=data.get("topic") or "",
        region=data.get("region") or "",
        language=data.get("language") or "",
        mode=data.get("mode") or "",
        when=data.get("when") or "upcoming",
    )


class RegistrationListForm(PageForm):
    """/api/v1/registrations/?when=upcoming&page=2: the caller's registrations by the dates of their events."""

    when = forms.ChoiceField(
        label=_("When"),
        required=False,
        choices=[("upcoming", _("Upcoming")), ("past", _("Past")), ("all", _("All dates"))],
        error_messages={"invalid_choice": _("Choose upcoming, past or all, not “%(value)s”.")},
    )

    def clean_when(self) -> str:
        return self.cleaned_data.get("when") or "all"
