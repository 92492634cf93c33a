"""Forms of the group pages. They check formats and look things up; the services check everything again
before they write (services.group_errors is shared), so a page and the API refuse the same input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from connective.accounts.models import User
from connective.core.forms import page_number_field
from connective.core.models import Region, Topic
from connective.groups.group_selectors import SORT_ACTIVE, SORT_MEMBERS, SORT_NAME, SORT_RELEVANCE
from connective.groups.models import Access, Group, GroupKind
from connective.groups.services import (
    DESCRIPTION_MAX_LENGTH,
    MAX_LANGUAGES,
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    group_validate_cover,
)
from connective.network.models import Organisation
from connective.practices.models import ContentLanguage

MAX_QUERY_LENGTH = 200


def _names_text(names: dict[str, str]) -> str:
    from django.utils.translation import get_language

    return str(names.get((get_language() or "en")[:2]) or names.get("en") or "")


# Django fills in the limit and the length of what was typed.
TOO_LONG = _("Write at most %(limit_value)d characters (this has %(show_value)d).")


def _message_field(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=help_text,
        error_messages={"max_length": TOO_LONG},
    )


def language_codes_from(text: str) -> tuple[list[str], list[str]]:
    """(codes, what could not be read) from "en, French, ar": codes or English names, comma-separated."""
    from connective.network.forms import language_code_from

    codes: list[str] = []
    unknown: list[str] = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        code = language_code_from(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


# --- The list of groups -------------------------------------------------------------------------------------


class GroupFilterForm(forms.Form):
    """The list's GET parameters: /groups/?q=heat&kind=thematic&access=open&region=mena&topic=housing
    &language=fr&mine=1&sort=active&page=2. A wrong value is named; the list goes on without it."""

    q = forms.CharField(
        label=_("Search groups"),
        required=False,
        strip=True,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _(
                "Search text can be at most %(limit_value)d characters long (it has %(show_value)d). "
                "Use a few distinctive words."
            )
        },
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Thematic and regional")), *GroupKind.choices],
        error_messages={"invalid_choice": _("There is no kind of group “%(value)s”.")},
    )
    access = forms.ChoiceField(
        label=_("Access"),
        required=False,
        choices=[("", _("Any")), *Access.choices],
        error_messages={"invalid_choice": _("Access is open, closed or secret, not “%(value)s”.")},
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        error_messages={"invalid_choice": _("There is no region “%(value)s”.")},
    )
    topic = forms.ChoiceField(
        label=_("Topic"),
        required=False,
        error_messages={"invalid_choice": _("There is no topic “%(value)s”.")},
    )
    language = forms.CharField(
        label=_("Working language"),
        required=False,
        max_length=8,
        widget=forms.Select(),
    )
    mine = forms.BooleanField(label=_("Only my groups"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (SORT_RELEVANCE, _("Best match")),
            (SORT_NAME, _("Name")),
            (SORT_ACTIVE, _("Recent activity")),
            (SORT_MEMBERS, _("Most members")),
        ],
        error_messages={
            "invalid_choice": _("Sort by best match, name, activity or members, not “%(value)s”.")
        },
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
        self.fields["language"].widget.choices = [  # type: ignore[attr-defined]
            ("", _("Any language")),
            *settings.LANGUAGES,
        ]

    def clean_language(self) -> str:
        from connective.network.services import language_code_valid

        code = (self.cleaned_data.get("language") or "").strip().lower()
        if code and not language_code_valid(code):
            raise ValidationError(
                gettext("“%(code)s” is not a language code: use two letters, e.g. fr for French.")
                % {"code": code},
                code="invalid",
            )
        return code

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    @property
    def valid_data(self) -> dict[str, Any]:
        """The parameters that passed validation; the list goes on with them when others are wrong."""
        self.is_valid()
        return dict(getattr(self, "cleaned_data", {}))

    def page_missing(self, page: int, pages: int) -> None:
        message = ngettext(
            "There is no page %(page)d: the groups fit on %(pages)d page.",
            "There is no page %(page)d: the groups fit on %(pages)d pages.",
            pages,
        ) % {"page": page, "pages": pages}
        self.add_error("page", ValidationError(message, code="out_of_range"))

    @property
    def filtered(self) -> bool:
        data = self.valid_data
        return any(data.get(key) for key in ("q", "kind", "access", "region", "topic", "language", "mine"))


# --- A group's settings -------------------------------------------------------------------------------------


class GroupSettingsForm(forms.Form):
    """What moderators change about their group; programme staff also change its name, kind and access."""

    STAFF_ONLY = ("name", "kind", "access")

    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        error_messages={"required": _("Give the group a name."), "max_length": TOO_LONG},
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    access = forms.ChoiceField(
        label=_("Who may join"),
        choices=Access.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Open: anyone reads, members join at once. Closed: anyone sees the group, members are accepted "
            "by the moderators and only they read. Secret: only members and invited people know it exists."
        ),
    )
    summary = forms.CharField(
        label=_("Summary"),
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        help_text=_("One or two sentences for the list of groups."),
        error_messages={"max_length": TOO_LONG},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What the group works on and how. Markdown: **bold**, *italic*, lists and links."),
        error_messages={"max_length": TOO_LONG},
    )
    description_language = forms.ChoiceField(
        label=_("Language of the description"), choices=ContentLanguage.choices
    )
    languages = forms.CharField(
        label=_("Working languages"),
        required=False,
        max_length=200,
        help_text=_("Codes or names, separated by commas, e.g. “en, fr, ar”."),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.select_related("parent").order_by("position", "slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("There is no topic “%(value)s”. Choose topics from the list.")},
    )
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("position"),
        required=False,
        empty_label="—",
        error_messages={"invalid_choice": _("There is no such region. Choose one from the list.")},
    )
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB, shown wide (16:9). We keep a copy without the camera's data."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    hold_first_posts = forms.BooleanField(
        label=_("Hold the first post of each new member until a moderator approves it"), required=False
    )

    def __init__(self, *args: Any, group: Group, staff: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group = group
        self.staff = staff
        if not staff:
            for name in self.STAFF_ONLY:
                del self.fields[name]
        if not group.cover:
            del self.fields["remove_cover"]

    @staticmethod
    def initial_for(group: Group) -> dict[str, Any]:
        return {
            "name": group.name,
            "kind": group.kind,
            "access": group.access,
            "summary": group.summary,
            "description": group.description,
            "description_language": group.description_language,
            "languages": ", ".join(group.languages or []),
            "topics": [topic.pk for topic in group.topics.all()],
            "region": group.region_id,
            "hold_first_posts": group.hold_first_posts,
        }

    def clean_languages(self) -> list[str]:
        codes, unknown = language_codes_from(self.cleaned_data.get("languages") or "")
        if unknown:
            raise ValidationError(
                gettext("We do not know the language “%(text)s”. Use two-letter codes, e.g. “en” or “fr”.")
                % {"text": unknown[0]},
                code="invalid",
            )
        if len(codes) > MAX_LANGUAGES:
            raise ValidationError(
                gettext("List at most %(limit)d languages.") % {"limit": MAX_LANGUAGES}, code="too_many"
            )
        return codes

    def clean_cover(self) -> Any:
        cover = self.cleaned_data.get("cover")
        if cover:
            group_validate_cover(cover)
        return cover

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
        return [
            (widgets[str(topic.pk)], children.get(topic.pk, []))
            for topic in topics
            if topic.parent_id is None
        ]

    def to_data(self) -> dict[str, Any]:
        """The cleaned form in the shape services.group_update takes."""
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            "summary": cleaned.get("summary") or "",
            "description": cleaned.get("description") or "",
            "description_language": cleaned["description_language"],
            "languages": cleaned.get("languages") or [],
            "topics": list(cleaned.get("topics") or []),
            "region": cleaned.get("region"),
            "hold_first_posts": bool(cleaned.get("hold_first_posts")),
        }
        if cleaned.get("cover"):
            data["cover"] = cleaned["cover"]
        elif cleaned.get("remove_cover"):
            data["remove_cover"] = True
        if self.staff:
            data.update(name=cleaned["name"], kind=cleaned["kind"], access=cleaned["access"])
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal next to the fields it names (or at the top when it names none)."""
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                self.add_error(key if key in self.fields else None, errors)
        else:
            self.add_error(None, error)


# --- Joining, requests and invitations -------------------------------------------------------------------


class JoinRequestForm(forms.Form):
    message = _message_field(
        _("Message to the moderators"),
        _("Optional: who you are and why you would like to join (at most 2,000 characters)."),
    )


DECISIONS = [("accept", _("Accept")), ("decline", _("Decline"))]


class RequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=DECISIONS,
        error_messages={
            "required": _("Accept or decline the request."),
            "invalid_choice": _("Accept or decline the request."),
        },
    )
    response = _message_field(
        _("Answer to the member"), _("Optional; the member reads it with your decision.")
    )


class InvitationAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Answer"),
        choices=DECISIONS,
        error_messages={
            "required": _("Accept or decline the invitation."),
            "invalid_choice": _("Accept or decline the invitation."),
        },
    )


class ModeratorForm(forms.Form):
    moderator = forms.TypedChoiceField(
        label=_("Moderator"),
        choices=[("1", _("Name moderator")), ("0", _("Withdraw the moderator role"))],
        coerce=lambda value: value == "1",
        error_messages={"required": _("Say whether to name or withdraw the moderator.")},
    )


class InviteSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find a person or an organisation by name"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": TOO_LONG},
    )


class InviteForm(forms.Form):
    """Whom to invite: "user:<id>" for a person, "organisation:<id>" for everyone of an organisation."""

    target = forms.CharField(
        label=_("Invite"),
        error_messages={"required": _("Choose a person or an organisation to invite.")},
    )
    message = _message_field(_("Message with the invitation"), _("Optional (at most 2,000 characters)."))
    q = forms.CharField(required=False, max_length=MAX_QUERY_LENGTH, widget=forms.HiddenInput)

    def clean_target(self) -> str:
        target = self.cleaned_data.get("target") or ""
        kind, _sep, number = target.partition(":")
        if kind not in {"user", "organisation"} or not number.isdigit():
            raise ValidationError(gettext("Choose a person or an organisation to invite."), code="invalid")
        if kind == "user":
            invitee = User.objects.filter(pk=int(number), is_active=True, deleted_at__isnull=True).first()
            if invitee is None:
                raise ValidationError(gettext("This person cannot be invited."), code="invalid")
            self.cleaned_data["invitee"] = invitee
        else:
            organisation = Organisation.objects.filter(pk=int(number)).first()
            if organisation is None:
                raise ValidationError(gettext("Choose an organisation from the list."), code="invalid")
            self.cleaned_data["organisation"] = organisation
        return target
