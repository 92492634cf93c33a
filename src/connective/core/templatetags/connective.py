from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.safestring import SafeString

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


@register.simple_tag(takes_context=True)
def query_toggle(context: dict[str, Any], key: str, value: Any) -> str:
    """The current query with one value of a multi-valued filter added or removed."""
    request: HttpRequest = context["request"]
    params = request.GET.copy()
    values = params.getlist(key)
    value = str(value)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    params.setlist(key, values)
    params.pop("page", None)
    pairs = [(k, v) for k in params for v in params.getlist(k)]
    return "?" + urlencode(pairs) if pairs else "?"


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
