"""The header's notification count: `{% load notifications %}{% notification_unread as n %}`."""

from __future__ import annotations

from typing import Any

from django import template

from connective.notifications.selectors import unread_count_cached

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_unread(context: Any) -> int:
    """How many of the viewer's notifications are unread (0 for visitors); cached briefly per member."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count_cached(user)
