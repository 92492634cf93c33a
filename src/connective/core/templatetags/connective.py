from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, npgettext

from connective.core.text import render_markdown

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The current page in each interface language, so switching keeps the reader where they are."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request else "/"
    current = context.get("LANGUAGE_CODE", "en")
    return [
        {"code": code, "name": name, "url": translate_url(path, code), "current": code == current}
        for code, name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced or removed (None removes)."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    if "page" not in changes:
        # Any change of filter or sort starts again at the first page.
        params.pop("page", None)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _toggled(request: HttpRequest, key: str, value: str) -> str:
    params = request.GET.copy()
    values = params.getlist(key)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params.setlist(key, values)
    params.pop("page", None)
    pairs = [(k, v) for k in params for v in params.getlist(k)]
    return "?" + urlencode(pairs) if pairs else "?"


class _Toggler:
    """_toggled for many values of one request: the query is read once (a QueryDict copy per link was most of
    a facet list's cost)."""

    def __init__(self, request: HttpRequest) -> None:
        self.lists = {key: request.GET.getlist(key) for key in request.GET if key != "page"}

    def __call__(self, key: str, value: str) -> str:
        values = list(self.lists.get(key, []))
        if value in values:
            values.remove(value)
        else:
            values.append(value)
        lists = {**self.lists, key: values}
        pairs = [(k, v) for k, given in lists.items() for v in given]
        return "?" + urlencode(pairs) if pairs else "?"


@register.simple_tag(takes_context=True)
def query_toggle(context: dict[str, Any], key: str, value: Any) -> str:
    """The current query with one value of a multi-valued filter added or removed."""
    return _toggled(context["request"], key, str(value))


def _count_unit(unit: str, count: int) -> str:
    """What a facet counts, for screen readers: "12 practices", "3 people", "1 organisation"."""
    if unit == "people":
        return ngettext("person", "people", count)
    if unit == "organisations":
        return npgettext("count", "organisation", "organisations", count)
    return gettext("practices")


@register.simple_tag(takes_context=True)
def facet_items(
    context: dict[str, Any], key: str, values: Iterable[Any], unit: str = "practices"
) -> SafeString:
    """The list items of one facet: each value a link that toggles it, with its count.

    values: objects with value, label, count, selected and level (a FacetValue); unit: what is counted
    ("practices", "people" or "organisations"). Rendered here rather than
    in a template loop: a search page shows a few hundred values, and the loop cost more than the search.
    """
    request: HttpRequest = context["request"]
    selected_text = gettext("Selected:")
    toggled = _Toggler(request)
    units: dict[int, str] = {}
    items = []
    for value in values:
        marker = (
            format_html('<span class="visually-hidden">{} </span>', selected_text) if value.selected else ""
        )
        items.append(
            format_html(
                '<li{}><a href="{}" rel="nofollow"{}><span>{}{}</span> <span class="count">{}'
                '<span class="visually-hidden"> {}</span></span></a></li>',
                mark_safe(' class="sub"') if value.level else "",
                toggled(key, str(value.value)),
                mark_safe(' aria-current="true"') if value.selected else "",
                marker,
                value.label,
                localize(value.count),
                units.get(value.count) or units.setdefault(value.count, _count_unit(unit, value.count)),
            )
        )
    return mark_safe("\n".join(items))  # each item is built by format_html


@register.simple_tag
def map_points(points: Iterable[Any], with_counts: bool = False) -> SafeString:
    """The circles of a map: each a link with its label (and count) as the title.

    points: objects with x, y, radius, label, count and url (practices.selectors.MapPoint). Numbers are
    written with a dot whatever the language, as SVG needs. Rendered here rather than in a template loop: a
    map shows up to a thousand circles.
    """
    items = []
    for point in points:
        label = f"{point.label} ({point.count})" if with_counts else point.label
        items.append(
            format_html(
                '<a href="{}"><title>{}</title><circle class="point" cx="{}" cy="{}" r="{}"/></a>',
                point.url,
                label,
                repr(float(point.x)),
                repr(float(point.y)),
                repr(float(point.radius)),
            )
        )
    return mark_safe("\n".join(items))  # each item is built by format_html


@register.filter
def markdown(text: str | None) -> SafeString:
    return render_markdown(text or "")


@register.filter
def language_name(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))


@register.filter
def text_direction(language_code: str) -> str:
    """'rtl' for content written in a right-to-left language, whatever the interface language."""
    return "rtl" if (language_code or "")[:2] in settings.LANGUAGES_BIDI else "ltr"
