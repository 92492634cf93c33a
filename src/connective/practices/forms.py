"""The member's practice form: every field of the record, laid out in fieldsets, working without JavaScript.

Every field is optional at the form level so "Save draft" keeps whatever is valid; only format errors (a bad
address, a year out of range, an unknown city) stop a draft. "Submit for review" adds the completeness check
of the services on top, so the form and the service can never disagree about what a submission needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.accounts.models import User
from connective.core.models import SDG, City, Country, Topic
from connective.network.models import Organisation
from connective.practices.models import (
    ContentLanguage,
    Licence,
    LinkKind,
    Practice,
    PracticeStatus,
    RelationKind,
)
from connective.practices.services import (
    practice_completeness_errors,
    practice_validate_document,
    practice_validate_image,
)

CURRENT_YEAR_LIMIT = 2100
FIRST_YEAR = 1950

# Field names of the services that the form shows under another name.
SERVICE_TO_FORM_FIELD = {
    "city": "city_name",
    "contact": "contact_email",
    "image": "image",
    "alt_text": "image_alt",
}

# A slug or a link to a practice page: /<lang>/practices/<slug>/ (possibly with edit/ or a query).
_SEPARATORS = re.compile(r"[\s,;]+")


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def city_resolve(*, name: str, country: Country) -> City | None:
    """The city called `name` in `country` (name or ASCII name, any case); the most populous when several."""
    name = name.strip()
    return (
        City.objects.filter(country=country)
        .filter(Q(name__iexact=name) | Q(ascii_name__iexact=name))
        .order_by("-population", "pk")
        .first()
    )


def resolve_city_fields(form: forms.Form, data: dict[str, Any]) -> None:
    """Turn the form's `city_name` and `country` into data["city"] (a known City or None), naming what is
    wrong on the field it is about."""
    name = (data.get("city_name") or "").strip()
    code = data.get("country") or ""
    data["city"] = None
    if not name and not code:
        return
    if not code:
        form.add_error("country", gettext("Choose the country of the city."))
        return
    country = Country.objects.filter(code=code).first()
    if country is None:
        form.add_error("country", gettext("Choose a country from the list."))
        return
    if not name:
        form.add_error("city_name", gettext("Give the name of the city."))
        return
    city = city_resolve(name=name, country=country)
    if city is None:
        form.add_error(
            "city_name",
            gettext(
                "We do not know a city called %(city)s in %(country)s. Check the spelling or the country."
            )
            % {"city": name, "country": country.name},
        )
        return
    data["city"] = city


def practice_slug_from(token: str) -> str:
    """The slug in a pasted practice address, or the token itself when it is already a slug."""
    token = token.strip()
    if "/" not in token:
        return token
    parts = [part for part in urlsplit(token).path.split("/") if part]
    if "practices" in parts:
        index = parts.index("practices")
        if index + 1 < len(parts):
            return parts[index + 1]
    return parts[-1] if parts else ""


class PracticeForm(forms.Form):
    FIELDSETS: list[tuple[Any, list[str]]] = [
        (_("About the practice"), ["title", "summary", "language"]),
        (_("Where"), ["city_name", "country"]),
        (_("Topics and goals"), ["topics", "sdgs"]),
        (
            _("The practice"),
            [
                "challenge",
                "objectives",
                "solution",
                "stakeholders",
                "results",
                "evidence",
                "costs",
                "start_year",
                "end_year",
                "success_factors",
                "limiting_factors",
                "transferability",
            ],
        ),
        (_("Who"), ["lead_organisation", "partners", "contact_email"]),
        (
            _("Images and documents"),
            ["image", "image_alt", "image_caption", "remove_images", "document", "document_title"],
        ),
        (_("Related practices"), ["related", "adapts", "replicates"]),
        (_("Licence and verification"), ["licence", "last_verified"]),
    ]

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=1000,
        required=False,
        widget=_textarea(4),
        help_text=_(
            "Two or three sentences: what the city did and what it achieved (at most 1,000 characters)."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of this record"),
        required=False,
        choices=[("", "—"), *ContentLanguage.choices],
        help_text=_("The language you write the record in. Readers can find records in every language."),
    )
    city_name = forms.CharField(
        label=_("City"),
        max_length=200,
        required=False,
        help_text=_("The city or town where the practice takes place, e.g. “Tunis” or “São Paulo”."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one."),
    )
    sdgs = forms.ModelMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        queryset=SDG.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    challenge = forms.CharField(
        label=_("Challenge"),
        required=False,
        widget=_textarea(),
        help_text=_("What problem did the city face, and for whom?"),
    )
    objectives = forms.CharField(label=_("Objectives"), required=False, widget=_textarea(3))
    solution = forms.CharField(
        label=_("Solution"), required=False, widget=_textarea(8), help_text=_("What was done, step by step?")
    )
    stakeholders = forms.CharField(
        label=_("Stakeholders and participation"),
        required=False,
        widget=_textarea(),
        help_text=_("Who took part, and how were residents involved?"),
    )
    results = forms.CharField(
        label=_("Results and indicators"),
        required=False,
        widget=_textarea(),
        help_text=_("What changed, and how do you know? Give figures where you can."),
    )
    evidence = forms.CharField(label=_("Evidence of impact"), required=False, widget=_textarea(4))
    costs = forms.CharField(label=_("Costs and funding sources"), required=False, widget=_textarea(4))
    start_year = forms.IntegerField(
        label=_("Start year"), required=False, min_value=FIRST_YEAR, max_value=CURRENT_YEAR_LIMIT
    )
    end_year = forms.IntegerField(
        label=_("End year"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=CURRENT_YEAR_LIMIT,
        help_text=_("Leave empty if the practice is still running."),
    )
    success_factors = forms.CharField(label=_("Success factors"), required=False, widget=_textarea(4))
    limiting_factors = forms.CharField(label=_("Limiting factors"), required=False, widget=_textarea(4))
    transferability = forms.CharField(
        label=_("Transferability and conditions for transfer"),
        required=False,
        widget=_textarea(4),
        help_text=_("What would another city need to do the same?"),
    )
    lead_organisation = forms.ModelChoiceField(
        label=_("Lead organisation"), queryset=Organisation.objects.order_by("name"), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        help_text=_("Hold Ctrl (or Cmd) to choose several."),
    )
    contact_email = forms.EmailField(
        label=_("Contact person's e-mail"),
        required=False,
        help_text=_(
            "Leave empty to be the contact person yourself. Otherwise give the e-mail address of another "
            "member; it is never shown to readers, who write through the platform."
        ),
    )
    image = forms.FileField(
        label=_("Add an image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 10 MB. One image per save."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Alternative text of the image"),
        max_length=300,
        required=False,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )
    image_caption = forms.CharField(label=_("Caption of the image"), max_length=300, required=False)
    remove_images = forms.MultipleChoiceField(
        label=_("Remove images"), required=False, widget=forms.CheckboxSelectMultiple
    )
    document = forms.FileField(
        label=_("Add a document"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, CSV or text, at most 20 MB."),
    )
    document_title = forms.CharField(label=_("Title of the document"), max_length=250, required=False)
    related = forms.CharField(
        label=_("Related practices"),
        required=False,
        widget=_textarea(2),
        help_text=_("Addresses or short names (slugs) of published practices, one per line."),
    )
    adapts = forms.CharField(
        label=_("This practice adapts"),
        required=False,
        widget=_textarea(2),
        help_text=_("Published practices this one took and changed for its own city."),
    )
    replicates = forms.CharField(
        label=_("This practice replicates"),
        required=False,
        widget=_textarea(2),
        help_text=_("Published practices this one copied as they were."),
    )
    licence = forms.ChoiceField(
        label=_("Licence"),
        choices=Licence.choices,
        initial=Licence.CC_BY,
        help_text=_("Under which terms others may reuse the text."),
    )
    last_verified = forms.DateField(
        label=_("Last verified"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When someone last checked that the information is still correct."),
    )
    # Not in FIELDSETS: shown with the warning about possible duplicates (practices/_duplicates.html), as the
    # submitter's answer to it.
    not_duplicate = forms.BooleanField(
        label=_("This is a different practice: save it anyway"),
        required=False,
        help_text=_("Tick this box and save again to keep yours as a practice of its own."),
    )

    def __init__(self, *args: Any, user: User, practice: Practice | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.practice = practice
        countries = sorted(
            ((c.code, c.name) for c in Country.objects.all()), key=lambda pair: pair[1].casefold()
        )
        self.fields["country"].choices = [("", "—"), *countries]  # type: ignore[attr-defined]
        images = list(practice.images.select_related("image")) if practice is not None and practice.pk else []
        self.existing_images = images
        self.fields["remove_images"].choices = [  # type: ignore[attr-defined]
            (str(image.pk), image.alt_text) for image in images
        ]
        if not images:
            del self.fields["remove_images"]

    @staticmethod
    def initial_for(practice: Practice) -> dict[str, Any]:
        """The form's starting values from a saved record."""
        initial: dict[str, Any] = {
            name: getattr(practice, name)
            for name in (
                "title",
                "summary",
                "language",
                "challenge",
                "objectives",
                "solution",
                "stakeholders",
                "results",
                "evidence",
                "costs",
                "start_year",
                "end_year",
                "success_factors",
                "limiting_factors",
                "transferability",
                "licence",
                "last_verified",
            )
        }
        initial["city_name"] = practice.city.name
        initial["country"] = practice.country_id
        initial["topics"] = list(practice.topics.all())
        initial["sdgs"] = list(practice.sdgs.all())
        initial["lead_organisation"] = practice.lead_organisation_id
        initial["partners"] = list(practice.partners.all())
        if practice.contact is not None and practice.contact_id != practice.author_id:
            initial["contact_email"] = practice.contact.email
        by_kind: dict[str, list[str]] = {kind: [] for kind in RelationKind.values}
        for relation in practice.relations.select_related("target"):
            by_kind[relation.kind].append(relation.target.slug)
        initial["related"] = "\n".join(by_kind[RelationKind.RELATED])
        initial["adapts"] = "\n".join(by_kind[RelationKind.ADAPTS])
        initial["replicates"] = "\n".join(by_kind[RelationKind.REPLICATES])
        return initial

    def fieldsets(self) -> Iterator[tuple[Any, list[forms.BoundField]]]:
        for legend, names in self.FIELDSETS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield legend, fields

    # --- cleaning ---------------------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_city(data)
        self._clean_contact(data)
        self._clean_relations(data)
        self._clean_files(data)
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", gettext("The end year cannot be before the start year."))
        return data

    def _clean_city(self, data: dict[str, Any]) -> None:
        resolve_city_fields(self, data)

    def _clean_contact(self, data: dict[str, Any]) -> None:
        email = (data.get("contact_email") or "").strip().lower()
        data["contact"] = None
        if not email:
            return
        contact = User.objects.filter(email__iexact=email, is_active=True).first()
        if contact is None:
            self.add_error(
                "contact_email", gettext("No member has the e-mail address %(email)s.") % {"email": email}
            )
            return
        data["contact"] = contact

    def _clean_relations(self, data: dict[str, Any]) -> None:
        relations: list[tuple[str, Practice]] = []
        for field, kind in (
            ("related", RelationKind.RELATED),
            ("adapts", RelationKind.ADAPTS),
            ("replicates", RelationKind.REPLICATES),
        ):
            tokens = [token for token in _SEPARATORS.split(data.get(field) or "") if token]
            if len(tokens) > 20:
                self.add_error(field, gettext("List at most 20 practices."))
                continue
            slugs = [practice_slug_from(token) for token in tokens]
            found = {
                practice.slug: practice
                for practice in Practice.objects.filter(slug__in=slugs, status=PracticeStatus.PUBLISHED)
            }
            for token, slug in zip(tokens, slugs, strict=True):
                target = found.get(slug)
                if target is None:
                    self.add_error(
                        field,
                        gettext("No published practice has the address “%(token)s”.") % {"token": token},
                    )
                elif self.practice is not None and target.pk == self.practice.pk:
                    self.add_error(field, gettext("A practice cannot be related to itself."))
                else:
                    relations.append((kind, target))
        data["relations"] = relations

    def _clean_files(self, data: dict[str, Any]) -> None:
        image = data.get("image")
        if image:
            try:
                practice_validate_image(image)
            except ValidationError as error:
                self.add_error("image", error)
            if not (data.get("image_alt") or "").strip():
                self.add_error(
                    "image_alt",
                    gettext("Describe the image for people who cannot see it (alternative text)."),
                )
        document = data.get("document")
        if document:
            try:
                practice_validate_document(document)
            except ValidationError as error:
                self.add_error("document", error)
            if not (data.get("document_title") or "").strip():
                self.add_error("document_title", gettext("Give the document a title."))

    # --- completeness and service errors ----------------------------------------------------------

    def check_complete(self) -> bool:
        """Add the submission's completeness errors to the form; True when there are none."""
        values = dict(self.cleaned_data)
        # An empty contact field means the author is the contact person.
        values["contact"] = values.get("contact") or self.user
        errors = practice_completeness_errors(values)
        for field, messages in errors.items():
            form_field = SERVICE_TO_FORM_FIELD.get(field, field)
            if form_field not in self.errors:
                for message in messages:
                    self.add_error(form_field, message)
        return not errors

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal next to the fields it names (or at the top when it names none)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form_field = SERVICE_TO_FORM_FIELD.get(field, field)
                self.add_error(form_field if form_field in self.fields else None, errors)
        else:
            self.add_error(None, error)

    def practice_data(self) -> dict[str, Any]:
        """Cleaned data in the shape the services take."""
        keys = [
            "title",
            "summary",
            "language",
            "city",
            "topics",
            "sdgs",
            "challenge",
            "objectives",
            "solution",
            "stakeholders",
            "results",
            "evidence",
            "costs",
            "start_year",
            "end_year",
            "success_factors",
            "limiting_factors",
            "transferability",
            "lead_organisation",
            "partners",
            "contact",
            "licence",
            "last_verified",
            "relations",
        ]
        data = {key: self.cleaned_data.get(key) for key in keys}
        if data["city"] is None:
            # A draft saved without a (valid) city keeps the one it had.
            del data["city"]
        if not data["language"]:
            del data["language"]
        return data


class LinkForm(forms.Form):
    title = forms.CharField(label=_("Link title"), max_length=250, required=False)
    url = forms.URLField(label=_("Address"), max_length=500, required=False, assume_scheme="https")
    kind = forms.ChoiceField(label=_("Kind"), choices=LinkKind.choices, initial=LinkKind.LINK, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("title") and not data.get("url") and "url" not in self.errors:
            self.add_error("url", gettext("Add the address of this link, or clear its title."))
        return data


LinkFormSet = formset_factory(LinkForm, extra=3, max_num=30, absolute_max=40)


def links_initial(practice: Practice | None) -> list[dict[str, Any]]:
    if practice is None:
        return []
    return [{"title": link.title, "url": link.url, "kind": link.kind} for link in practice.links.all()]


def links_data(formset: Any) -> list[dict[str, Any]]:
    return [
        {
            "title": form.cleaned_data.get("title") or "",
            "url": form.cleaned_data["url"],
            "kind": form.cleaned_data.get("kind") or LinkKind.LINK,
        }
        for form in formset.forms
        if form.cleaned_data.get("url")
    ]


class ReviewForm(forms.Form):
    """The editor's decision in the back office."""

    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Comment to the author"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Required when you ask for changes, reject or unpublish. The author receives it by e-mail."
        ),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = choices  # type: ignore[attr-defined]
