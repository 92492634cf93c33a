"""Event content shown on other apps' pages, so that those apps need not import the events app."""

from __future__ import annotations

from typing import Any

from django import template

from connective.events.selectors import events_visible

register = template.Library()

EVENTS_SHOWN = 10


@register.simple_tag(takes_context=True)
def practice_events(context: Any, practice: Any) -> list[Any]:
    """The events `practice` was presented at that the reader may see, newest first."""
    request = context.get("request")
    viewer = getattr(request, "user", None)
    return list(
        events_visible(viewer)
        .filter(practices=practice)
        .select_related("host_city")
        .order_by("-starts_at")[:EVENTS_SHOWN]
    )
