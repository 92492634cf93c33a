"""Addresses for calendar apps: the public feed's absolute address, and any feed address as webcal://, the
scheme that opens the reader's calendar app to subscribe instead of downloading a file."""

from __future__ import annotations

from django import template
from django.urls import reverse

from connective.notifications.links import absolute

register = template.Library()


@register.simple_tag
def public_feed_url() -> str:
    return absolute(reverse("events:feed_public"))


@register.filter
def webcal(url: str) -> str:
    """`url` with webcal:// for http:// or https://; anything else unchanged."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url.removeprefix(scheme)
    return url
