"""What the shared group layout (groups/base_group.html) shows around every group page: the viewer's
membership state and the current tab. Computed here so that a view extending the layout passes only `group`
and `access` (a selectors.GroupAccess)."""

from __future__ import annotations

from typing import Any

from django import template

from connective.groups.group_selectors import (
    invitation_pending_of,
    join_request_pending_of,
    join_requests_waiting,
)
from connective.groups.models import Access

register = template.Library()

# Tabs of the layout by the view's URL name (a page of another part of the group finds its tab here).
_TABS = {
    "detail": "discussions",
    "thread": "discussions",
    "thread_new": "discussions",
    "reply": "discussions",
    "post_edit": "discussions",
    "post_history": "discussions",
    "report": "discussions",
    "library": "library",
    "library_add": "library",
    "members": "members",
    "requests": "members",
    "invite": "members",
    "moderation": "moderation",
    "moderation_log": "moderation",
    "moderate_post": "moderation",
    "moderate_thread": "moderation",
    "moderate_member": "moderation",
    "settings": "settings",
}


def group_state(*, viewer: Any, access: Any) -> dict[str, Any]:
    """The viewer's pending request or invitation, what they may do, and for moderators the number of
    requests waiting. At most two queries, none for members."""
    group = access.group
    pending_request = None
    invitation = None
    signed_in = bool(getattr(viewer, "is_authenticated", False))
    if signed_in and not access.is_member:
        if group.access == Access.CLOSED:
            pending_request = join_request_pending_of(viewer=viewer, group=group)
        invitation = invitation_pending_of(viewer=viewer, group=group)
    open_to_new = group.archived_at is None and not access.is_member
    return {
        "signed_in": signed_in,
        "pending_request": pending_request,
        "invitation": invitation,
        "requests_waiting": join_requests_waiting(access) if group.access != Access.OPEN else 0,
        "can_join": open_to_new and group.access == Access.OPEN,
        "can_request": open_to_new
        and group.access == Access.CLOSED
        and pending_request is None
        and invitation is None,
    }


@register.simple_tag(takes_context=True)
def group_layout_state(context: Any, access: Any) -> dict[str, Any]:
    request = context.get("request")
    state = group_state(viewer=getattr(request, "user", None), access=access)
    match = getattr(request, "resolver_match", None)
    state["tab"] = context.get("tab") or _TABS.get(getattr(match, "url_name", "") or "", "")
    return state
