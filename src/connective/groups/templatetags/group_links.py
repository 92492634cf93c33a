"""Group content shown on other apps' pages, so that those apps need not import the groups app."""

from __future__ import annotations

from typing import Any

from django import template

from connective.groups.selectors import threads_about_event, threads_about_practice

register = template.Library()


@register.simple_tag(takes_context=True)
def practice_discussions(context: Any, practice: Any) -> list[Any]:
    request = context.get("request")
    return threads_about_practice(viewer=getattr(request, "user", None), practice=practice)


@register.simple_tag(takes_context=True)
def event_discussions(context: Any, event: Any) -> list[Any]:
    request = context.get("request")
    return threads_about_event(viewer=getattr(request, "user", None), event=event)
