"""The GET parameters of the directory (people, organisations, cities), checked once for pages and the API.

Every state of a directory page is a URL such as
/people/?q=flood&topic=water&actor=science&lang=fr&level=fluent&country=TN&region=mena&sort=name&page=2.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import pycountry
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connective.core.forms import page_number_field
from connective.network.models import ActorType, LanguageLevel, OrganisationType
from connective.network.search import (
    SORT_NAME,
    SORT_NEWEST,
    SORT_RELEVANCE,
    VERIFIED_NO,
    VERIFIED_YES,
    DirectoryPage,
)
from connective.practices.filters import MAX_QUERY_LENGTH, ChoicesFilter
from connective.practices.selectors import search_vocabulary


@functools.cache
def spoken_language_codes() -> frozenset[str]:
    """ISO 639-1 codes: the languages a profile can list."""
    return frozenset(
        str(language.alpha_2) for language in pycountry.languages if hasattr(language, "alpha_2")
    )


class _Upper(ChoicesFilter):
    def to_python(self, value: Any) -> list[str]:
        return [item.strip().upper() for item in super().to_python(value)]


class _Lower(ChoicesFilter):
    def to_python(self, value: Any) -> list[str]:
        return [item.strip().lower() for item in super().to_python(value)]


def _sort_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (SORT_RELEVANCE, _("Relevance")),
            (SORT_NAME, _("Name")),
            (SORT_NEWEST, _("Newest first")),
        ],
        error_messages={"invalid_choice": _("Sort by relevance, name or newest, not “%(value)s”.")},
    )


def _query_field() -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
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


class _DirectoryForm(forms.Form):
    """Checks of a directory list's parameters. `cleaned_data` goes to the search as `query`.

    Use with request.GET. After the search, call check_page(result): a page beyond the last one can only be
    known once the results are counted.
    """

    country = _Upper(label=_("Country"), unknown=_("There is no country with the code “%(value)s”."))
    region = ChoicesFilter(label=_("Region"), unknown=_("There is no region “%(value)s”."))
    page = page_number_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vocabulary = search_vocabulary()
        self._allow("country", vocabulary.countries)
        self._allow("region", [slug for slug, _pk, _names in vocabulary.regions])

    def _allow(self, name: str, values: Iterable[str]) -> None:
        field = self.fields[name]
        assert isinstance(field, ChoicesFilter)
        field.allowed = {str(value) for value in values}

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def check_page(self, result: DirectoryPage[Any]) -> bool:
        """Add an error when the page asked for is beyond the last one; True when the page exists."""
        if not result.page_out_of_range:
            return True
        message = ngettext(
            "There is no page %(page)d: the results fit on %(pages)d page.",
            "There is no page %(page)d: the results fit on %(pages)d pages.",
            result.num_pages,
        ) % {"page": result.page, "pages": result.num_pages}
        self.add_error("page", forms.ValidationError(message, code="out_of_range"))
        return False

    @property
    def valid_data(self) -> dict[str, Any]:
        """The parameters that passed validation; a search goes on with them when others are wrong."""
        self.is_valid()
        return dict(getattr(self, "cleaned_data", {}))


class PeopleFilterForm(_DirectoryForm):
    """A search of people: network.search.people_search takes its cleaned_data."""

    q = _query_field()
    topic = ChoicesFilter(label=_("Expertise"), unknown=_("There is no topic “%(value)s”."))
    actor = ChoicesFilter(
        label=_("Actor type"), unknown=_("There is no actor type “%(value)s”."), allowed=ActorType.values
    )
    lang = _Lower(
        label=_("Language"),
        unknown=_("“%(value)s” is not a language code: use two letters, e.g. fr for French."),
    )
    level = forms.ChoiceField(
        label=_("At least"),
        required=False,
        choices=[("", _("Any level")), *LanguageLevel.choices],
        error_messages={
            "invalid_choice": _(
                "There is no language level “%(value)s”: use basic, working, fluent or native."
            )
        },
    )
    sort = _sort_field()

    field_order = ["q", "topic", "actor", "lang", "level", "country", "region", "sort", "page"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._allow("topic", [slug for slug, _names, _parent in search_vocabulary().topics])
        self._allow("lang", spoken_language_codes())


class OrganisationFilterForm(_DirectoryForm):
    """A search of organisations: network.search.organisation_search takes its cleaned_data."""

    q = _query_field()
    type = ChoicesFilter(
        label=_("Type"),
        unknown=_("There is no organisation type “%(value)s”."),
        allowed=OrganisationType.values,
    )
    verified = _Lower(
        label=_("Verified"),
        unknown=_("Verified is “yes” or “no”, not “%(value)s”."),
        allowed=[VERIFIED_YES, VERIFIED_NO],
    )
    sort = _sort_field()

    field_order = ["q", "type", "country", "region", "verified", "sort", "page"]


class CityFilterForm(_DirectoryForm):
    """Cities with activity, by country and region: network.search.city_activity_search."""
