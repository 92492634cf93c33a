"""Template help for the moderation controls shown beside each post."""

from __future__ import annotations

from typing import Any

from django import template

from connective.groups.moderation import post_ids_reported_by

register = template.Library()


@register.simple_tag(takes_context=True)
def post_reported_by_me(context: Any, post: Any) -> bool:
    """Whether the viewer has an open report about `post`. One query per thread and request, whatever the
    number of posts on the page: the answer for the whole thread is kept on the request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return False
    cache: dict[int, set[int]] = request.__dict__.setdefault("_groups_reported_posts", {})
    if post.thread_id not in cache:
        cache[post.thread_id] = post_ids_reported_by(reporter=user, thread_id=post.thread_id)
    return post.pk in cache[post.thread_id]
