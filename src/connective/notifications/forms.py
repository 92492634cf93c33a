"""The preferences page's form: a general choice, and one per group the member belongs to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connective.notifications.models import Delivery
from connective.notifications.selectors import GroupChoice

FOLLOW_GENERAL = ""
# No general choice: each kind of notification comes as it suggests (a mention at once, replies daily, ...).
KIND_DEFAULTS = ""


def group_field_name(group_id: int) -> str:
    return f"group_{group_id}"


class PreferencesForm(forms.Form):
    general = forms.ChoiceField(
        label=_("E-mail about everything without a choice of its own"),
        choices=[(KIND_DEFAULTS, _("As suggested for each kind of notification")), *Delivery.choices],
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(
        self, *args: Any, groups: list[GroupChoice], preferences: dict[str, str], **kwargs: Any
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "general": preferences.get("", KIND_DEFAULTS),
                **{group_field_name(g.group_id): preferences.get(g.scope, FOLLOW_GENERAL) for g in groups},
            },
        )
        super().__init__(*args, **kwargs)
        self.groups = groups
        for group in groups:
            self.fields[group_field_name(group.group_id)] = forms.ChoiceField(
                label=group.name,
                choices=[(FOLLOW_GENERAL, _("As my general choice")), *Delivery.choices],
                required=False,
            )

    def group_fields(self) -> list[forms.BoundField]:
        return [self[group_field_name(group.group_id)] for group in self.groups]

    def group_choices(self) -> dict[int, str]:
        return {group.group_id: self.cleaned_data[group_field_name(group.group_id)] for group in self.groups}
