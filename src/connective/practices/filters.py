"""The GET parameters of practice search, checked once for the browse page, the map and the API.

Every state of the browse page is a URL such as
?q=flood&topic=mobility&topic=housing&sdg=11&region=mena&country=TN&size=large&year=2020&lang=fr&sort=newest&page=2.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from connective.core.forms import page_number_field
from connective.core.models import CitySize
from connective.practices.models import ContentLanguage
from connective.practices.selectors import (
    SORT_NEWEST,
    SORT_OLDEST,
    SORT_RELEVANCE,
    PracticeSearchResult,
    search_vocabulary,
)

MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FILTER = 20


class ChoicesFilter(forms.MultipleChoiceField):
    """Several values of one filter; an unknown one is named in the error, so the reader can remove it."""

    def __init__(self, *, label: Any, unknown: Any, allowed: Iterable[str] = ()) -> None:
        super().__init__(label=label, required=False)
        self.unknown = unknown
        self.allowed = {str(value) for value in allowed}

    def validate(self, value: Any) -> None:
        if len(value) > MAX_VALUES_PER_FILTER:
            raise forms.ValidationError(
                _("Choose at most %(limit)d values for %(label)s."),
                code="too_many",
                params={"limit": MAX_VALUES_PER_FILTER, "label": self.label},
            )
        for item in value:
            if str(item) not in self.allowed:
                raise forms.ValidationError(self.unknown, code="invalid_choice", params={"value": item})


class _Sdgs(ChoicesFilter):
    def to_python(self, value: Any) -> list[str]:
        values = super().to_python(value)
        for item in values:
            if not item.strip().isdigit():
                raise forms.ValidationError(
                    _("“%(value)s” is not an SDG number: use a number from 1 to 17."),
                    code="invalid",
                    params={"value": item},
                )
        return [str(int(item)) for item in values]


class _Years(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("Year"), required=False, **kwargs)

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        years = []
        for item in super().to_python(value):
            if not item.strip().isdigit() or not 1900 <= int(item) <= 2100:
                raise forms.ValidationError(
                    _("“%(value)s” is not a year: use four digits, e.g. 2020."),
                    code="invalid",
                    params={"value": item},
                )
            years.append(int(item))
        return years

    def validate(self, value: Any) -> None:
        if len(value) > MAX_VALUES_PER_FILTER:
            raise forms.ValidationError(
                _("Choose at most %(limit)d years."), code="too_many", params={"limit": MAX_VALUES_PER_FILTER}
            )


class _Countries(ChoicesFilter):
    def to_python(self, value: Any) -> list[str]:
        return [item.strip().upper() for item in super().to_python(value)]


class PracticeFilterForm(forms.Form):
    """Validates a search of the knowledge base. `cleaned_data` goes to selectors.practice_search as `query`.

    Use with request.GET. After the search, call check_page(result) so that a page beyond the last one is an
    error too (it can only be known once the results are counted).
    """

    q = forms.CharField(
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
    topic = ChoicesFilter(label=_("Topic"), unknown=_("There is no topic “%(value)s”."))
    sdg = _Sdgs(
        label=_("SDG"),
        unknown=_("There is no SDG %(value)s: use a number from 1 to 17."),
    )
    region = ChoicesFilter(label=_("Region"), unknown=_("There is no region “%(value)s”."))
    country = _Countries(label=_("Country"), unknown=_("There is no country with the code “%(value)s”."))
    size = ChoicesFilter(
        label=_("City size"), unknown=_("There is no city size “%(value)s”."), allowed=CitySize.values
    )
    year = _Years()
    lang = ChoicesFilter(
        label=_("Language"),
        unknown=_("There is no content language “%(value)s”."),
        allowed=ContentLanguage.values,
    )
    city = forms.IntegerField(
        label=_("City"),
        required=False,
        min_value=1,
        error_messages={
            "invalid": _("The city must be given by its number."),
            "min_value": _("There is no such city."),
        },
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (SORT_RELEVANCE, _("Relevance")),
            (SORT_NEWEST, _("Newest first")),
            (SORT_OLDEST, _("Oldest first")),
        ],
        error_messages={"invalid_choice": _("Sort by relevance, newest or oldest, not “%(value)s”.")},
    )
    page = page_number_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vocabulary = search_vocabulary()
        allowed = {
            "topic": [slug for slug, _names, _parent in vocabulary.topics],
            "sdg": [str(number) for number, _names in vocabulary.sdgs],
            "region": [slug for slug, _pk, _names in vocabulary.regions],
            "country": list(vocabulary.countries),
        }
        for name, values in allowed.items():
            field = self.fields[name]
            assert isinstance(field, ChoicesFilter)
            field.allowed = set(values)

    def clean_page(self) -> int:
        return self.cleaned_data.get("page") or 1

    def check_page(self, result: PracticeSearchResult) -> bool:
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
