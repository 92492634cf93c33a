"""Follow buttons for any page: `{% load network %}`.

    {% follow_state "city" city.pk as following %}
    {% include "network/_follow_button.html" with kind="city" object_id=city.pk following=following label=city.name %}

or, in one go, `{% follow_button "city" city.pk city.name %}`. The viewer's follows are read once per request
whatever the number of buttons on the page.
"""

from __future__ import annotations

from typing import Any

from django import template

from connective.network.follows import follows_of

register = template.Library()

_CACHE_ATTRIBUTE = "_network_follows"


def _follows(context: Any) -> dict[str, set[int]]:
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    if request is None:
        return follows_of(user)
    cached: dict[str, set[int]] | None = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is None:
        cached = follows_of(user)
        setattr(request, _CACHE_ATTRIBUTE, cached)
    return cached


@register.simple_tag(takes_context=True)
def follow_state(context: Any, kind: str, object_id: Any) -> bool:
    """Whether the viewer follows (kind, object_id); False for visitors."""
    try:
        return int(object_id) in _follows(context).get(str(kind), set())
    except (TypeError, ValueError):
        return False


@register.inclusion_tag("network/_follow_button.html", takes_context=True)
def follow_button(context: Any, kind: str, object_id: Any, label: str = "") -> dict[str, Any]:
    """The follow button of one object, with its current state."""
    return {
        "request": context.get("request"),
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
        "kind": kind,
        "object_id": object_id,
        "label": label,
        "following": follow_state(context, kind, object_id),
    }


@register.simple_tag(takes_context=True)
def unread_messages(context: Any) -> int:
    """How many conversations hold messages the viewer has not read (0 for visitors); cached briefly."""
    from connective.network.conversations import unread_count_cached as unread_count

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
