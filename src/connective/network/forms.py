"""The member's profile form: every part of the profile with who sees it, working without JavaScript.

The form checks formats and looks up the city; the service (services.profile_update) checks everything again
before it writes, so a form and an API can never save something the other would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.core.models import City, Country, Topic
from connective.network.models import (
    PROFILE_FIELDS,
    ActorType,
    LanguageLevel,
    Organisation,
    Profile,
    Visibility,
)
from connective.network.services import (
    BIO_MAX_LENGTH,
    LINK_LABEL_MAX_LENGTH,
    LINK_URL_MAX_LENGTH,
    MAX_LANGUAGES,
    MAX_LINKS,
    NAME_MAX_LENGTH,
    POSITION_MAX_LENGTH,
    language_code_valid,
    profile_validate_photo,
)
from connective.practices.forms import city_resolve

# Service keys the form shows under another name.
SERVICE_TO_FORM_FIELD = {"city": "place", "country": "place"}


def language_code_from(text: str) -> str | None:
    """The ISO 639-1 code for what a member typed: a code ("fr", "FR", "fra") or an English name ("French")."""
    import pycountry

    text = text.strip()
    if not text:
        return None
    if language_code_valid(text.lower()):
        return text.lower()
    try:
        found = pycountry.languages.lookup(text)
    except LookupError:
        return None
    code = getattr(found, "alpha_2", None)
    return str(code) if code else None


def language_choices() -> list[tuple[str, str]]:
    """Every ISO 639-1 language as (code, English name), for the list the language fields suggest."""
    import pycountry

    return sorted(
        (
            (language.alpha_2, language.name)
            for language in pycountry.languages
            if hasattr(language, "alpha_2")
        ),
        key=lambda pair: pair[1],
    )


def place_resolve(text: str) -> tuple[City | None, Country | None]:
    """The city and country of "City, country code" (or a country alone). Raises ValidationError."""
    import pycountry

    text = text.strip()
    if not text:
        return None, None
    name, comma, country_text = text.rpartition(",")
    if not comma:
        name, country_text = "", text
    name, country_text = name.strip(), country_text.strip()
    country = None
    if len(country_text) == 2:
        country = Country.objects.filter(code=country_text.upper()).first()
    if country is None and country_text:
        try:
            record = pycountry.countries.lookup(country_text)
        except LookupError:
            record = None
        if record is not None:
            country = Country.objects.filter(code=record.alpha_2).first()
    if country is None:
        if not comma:
            raise ValidationError(
                gettext("Write the city and the country code, e.g. “Leipzig, DE” or “Tunis, TN”."),
                code="format",
            )
        raise ValidationError(
            gettext("There is no country “%(country)s”. Use its two-letter code, e.g. DE or TN.")
            % {"country": country_text},
            code="unknown_country",
        )
    if not name:
        return None, country
    city = city_resolve(name=name, country=country)
    if city is None:
        raise ValidationError(
            gettext(
                "We do not know a city called %(city)s in %(country)s. Check the spelling or the country."
            )
            % {"city": name, "country": country.name},
            code="unknown_city",
        )
    return city, country


def place_text(city: City | None, country: Country | None) -> str:
    if city is not None:
        return f"{city.name}, {city.country_id}"
    return country.code if country is not None else ""


def _visibility_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Visibility.choices)


class ProfileForm(forms.Form):
    # (legend, the fields of the section with the visibility choices that go with them)
    SECTIONS: list[tuple[Any, list[str]]] = [
        (_("Name and photo"), ["first_name", "last_name", "photo", "remove_photo", "photo_visibility"]),
        (
            _("Work"),
            [
                "position",
                "position_visibility",
                "organisation",
                "organisation_visibility",
                "actor_type",
                "actor_type_visibility",
            ],
        ),
        (_("Place"), ["place", "place_visibility"]),
        (_("About you"), ["bio", "bio_language", "bio_visibility"]),
    ]

    visibility = forms.ChoiceField(
        label=_("Who sees my profile"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "“Only me” takes you out of the directory: pages that name you show your name without a link. "
            "Below you choose who sees each part of a profile others may open."
        ),
    )
    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX_LENGTH, required=False)
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=_("Everyone who may open your profile sees your name."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "JPEG, PNG or WebP, at most 5 MB. We keep a copy without the camera's data (such as the place)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    position = forms.CharField(
        label=_("Position"),
        max_length=POSITION_MAX_LENGTH,
        required=False,
        help_text=_("e.g. “Head of urban planning”."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label="—",
        help_text=_("Is yours missing? Write to the programme team and they will add it."),
    )
    actor_type = forms.ChoiceField(
        label=_("Actor type"), required=False, choices=[("", "—"), *ActorType.choices]
    )
    place = forms.CharField(
        label=_("City"),
        max_length=250,
        required=False,
        help_text=_("The city and the two-letter country code, e.g. “Leipzig, DE” or “São Paulo, BR”."),
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Topics of expertise"),
        queryset=Topic.objects.select_related("parent").order_by("position", "slug"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bio = forms.CharField(
        label=_("Short biography"),
        max_length=BIO_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you work on and what you would like to learn from other cities (at most 2,000 characters)."
        ),
    )
    bio_language = forms.CharField(
        label=_("Language of the biography"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "language-codes"}),
        help_text=_("A two-letter code, e.g. “en”, “fr” or “ar”."),
    )
    photo_visibility = _visibility_field(_("Who sees my photo"))
    position_visibility = _visibility_field(_("Who sees my position"))
    organisation_visibility = _visibility_field(_("Who sees my organisation"))
    actor_type_visibility = _visibility_field(_("Who sees my actor type"))
    place_visibility = _visibility_field(_("Who sees my city and country"))
    expertise_visibility = _visibility_field(_("Who sees my topics of expertise"))
    languages_visibility = _visibility_field(_("Who sees my languages"))
    bio_visibility = _visibility_field(_("Who sees my biography"))
    links_visibility = _visibility_field(_("Who sees my links"))

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        if not profile.photo:
            del self.fields["remove_photo"]

    @staticmethod
    def initial_for(profile: Profile) -> dict[str, Any]:
        """The form's starting values: the owner's own profile, all of it."""
        user = profile.user
        initial: dict[str, Any] = {
            "visibility": profile.visibility,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "position": user.position,
            "organisation": user.organisation_id,
            "place": place_text(user.city, user.country),
            "actor_type": profile.actor_type,
            "expertise": [topic.pk for topic in profile.expertise.all()],
            "bio": profile.bio,
            "bio_language": profile.bio_language,
        }
        for name, _label in PROFILE_FIELDS:
            initial[f"{name}_visibility"] = profile.field_visibility(name)
        return initial

    def sections(self) -> Iterator[tuple[Any, list[forms.BoundField]]]:
        for legend, names in self.SECTIONS:
            yield legend, [self[name] for name in names if name in self.fields]

    def expertise_groups(self) -> list[tuple[Any, list[Any]]]:
        """The topic checkboxes grouped by cluster: (cluster's checkbox, its subtopics' checkboxes)."""
        field = self.fields["expertise"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        topics = list(field.queryset)  # type: ignore[arg-type]
        widgets = {str(widget.data["value"]): widget for widget in self["expertise"]}
        groups: list[tuple[Any, list[Any]]] = []
        children: dict[int, list[Any]] = {}
        for topic in topics:
            if topic.parent_id is not None:
                children.setdefault(topic.parent_id, []).append(widgets[str(topic.pk)])
        for topic in topics:
            if topic.parent_id is None:
                groups.append((widgets[str(topic.pk)], children.get(topic.pk, [])))
        return groups

    def clean_bio_language(self) -> str:
        text = self.cleaned_data.get("bio_language") or ""
        if not text.strip():
            return (self.initial.get("bio_language") or self.profile.bio_language) or "en"
        code = language_code_from(text)
        if code is None:
            raise ValidationError(
                gettext("“%(code)s” is not a language code. Use two letters, e.g. “en” or “fr”.")
                % {"code": text.strip()},
                code="invalid",
            )
        return code

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo:
            profile_validate_photo(photo)
        return photo

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        named = (data.get("first_name") or "").strip() or (data.get("last_name") or "").strip()
        if not named and "first_name" not in self.errors:
            self.add_error("first_name", gettext("Give your name as other members should see it."))
        data["city"], data["country"] = None, None
        if "place" in data:
            try:
                data["city"], data["country"] = place_resolve(data.get("place") or "")
            except ValidationError as error:
                self.add_error("place", error)
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal next to the fields it names (or at the top when it names none)."""
        if hasattr(error, "error_dict"):
            for key, errors in error.error_dict.items():
                name = SERVICE_TO_FORM_FIELD.get(key, key)
                self.add_error(name if name in self.fields else None, errors)
        else:
            self.add_error(None, error)


class LanguageForm(forms.Form):
    language = forms.CharField(
        label=_("Language"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "language-codes"}),
    )
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", "—"), *LanguageLevel.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("language") or "").strip()
        data["code"] = None
        if not text:
            if data.get("level"):
                self.add_error("language", gettext("Name the language, or clear its level."))
            return data
        code = language_code_from(text)
        if code is None:
            self.add_error(
                "language",
                gettext("“%(code)s” is not a language code. Use two letters, e.g. “en” or “fr”.")
                % {"code": text},
            )
            return data
        if not data.get("level"):
            self.add_error("level", gettext("Choose how well you speak it."))
        data["code"] = code
        return data


class _LanguageFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            code = form.cleaned_data.get("code")
            if code and code in seen:
                form.add_error("language", gettext("You listed this language twice."))
            elif code:
                seen.add(code)


LanguageFormSet = formset_factory(
    LanguageForm, formset=_LanguageFormSet, extra=2, max_num=MAX_LANGUAGES, absolute_max=MAX_LANGUAGES
)


class ProfileLinkForm(forms.Form):
    url = forms.URLField(
        label=_("Address"), max_length=LINK_URL_MAX_LENGTH, required=False, assume_scheme="https"
    )
    label = forms.CharField(label=_("Label"), max_length=LINK_LABEL_MAX_LENGTH, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        url = data.get("url") or ""
        if url and not url.lower().startswith(("http://", "https://")):
            self.add_error("url", gettext("Give a web address that starts with https:// or http://."))
        if data.get("label") and not url and "url" not in self.errors:
            self.add_error("url", gettext("Add the address of this link, or clear its label."))
        return data


ProfileLinkFormSet = formset_factory(ProfileLinkForm, extra=2, max_num=MAX_LINKS, absolute_max=MAX_LINKS)


def languages_initial(profile: Profile) -> list[dict[str, Any]]:
    return [{"language": skill.language, "level": skill.level} for skill in profile.languages.all()]


def links_initial(profile: Profile) -> list[dict[str, Any]]:
    return [{"url": link.url, "label": link.label} for link in profile.links.all()]


def profile_data(form: ProfileForm, languages: Any, links: Any) -> dict[str, Any]:
    """The cleaned form and formsets in the shape services.profile_update takes."""
    cleaned = form.cleaned_data
    keys = [
        "visibility",
        "first_name",
        "last_name",
        "position",
        "organisation",
        "city",
        "country",
        "actor_type",
        "expertise",
        "bio",
        "bio_language",
        *(f"{name}_visibility" for name, _label in PROFILE_FIELDS),
    ]
    data = {key: cleaned.get(key) for key in keys}
    data["actor_type"] = data["actor_type"] or ""
    data["bio"] = data["bio"] or ""
    data["expertise"] = list(data["expertise"] or [])
    data["languages"] = [
        (language.cleaned_data["code"], language.cleaned_data["level"])
        for language in languages.forms
        if language.cleaned_data.get("code")
    ]
    data["links"] = [
        {"url": link.cleaned_data["url"], "label": link.cleaned_data.get("label") or ""}
        for link in links.forms
        if link.cleaned_data.get("url")
    ]
    data["photo"] = cleaned.get("photo") or None
    data["remove_photo"] = bool(cleaned.get("remove_photo"))
    return data
