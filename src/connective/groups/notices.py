"""The notifications groups send, registered with the one notification service.

Every group notification carries scope "group:<id>" (members choose e-mail per group) and, where it is about
a post or thread, target "groups.post:<id>" / "groups.thread:<id>". Visibility is checked in bulk, a constant
number of queries for any number of notifications, because the centre and the digest ask for many at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.accounts.rules import is_programme_staff
from connective.groups.models import (
    Access,
    Group,
    Invitation,
    MemberRole,
    Membership,
    ModerationAction,
    Post,
    PostStatus,
    RequestStatus,
)
from connective.notifications.kinds import NotificationKind, register


def group_scope(group: Group | int) -> str:
    return f"group:{group if isinstance(group, int) else group.pk}"


def _id_of(key: str, prefix: str) -> int | None:
    if not key.startswith(prefix + ":"):
        return None
    try:
        return int(key.split(":", 1)[1])
    except ValueError:
        return None


def _group_ids(notifications: Iterable[Any]) -> set[int]:
    return {gid for n in notifications if (gid := _id_of(n.scope, "group")) is not None}


def _readable(
    notifications: list[Any], user: Any, *, need_moderator: bool = False, need_post: bool = False
) -> set[int]:
    """Ids of the notifications whose group (and post, when asked) `user` may still read now."""
    if not notifications:
        return set()
    staff = bool(is_programme_staff(user))
    groups = {g.pk: g for g in Group.objects.filter(pk__in=_group_ids(notifications))}
    roles = dict(
        Membership.objects.filter(user=user, group_id__in=list(groups)).values_list("group_id", "role")
    )
    posts: dict[int, tuple[int, str]] = {}
    if need_post:
        post_ids = {pid for n in notifications if (pid := _id_of(n.target, "groups.post")) is not None}
        posts = {
            pk: (group_id, status)
            for pk, group_id, status in Post.objects.filter(pk__in=post_ids).values_list(
                "pk", "thread__group_id", "status"
            )
        }
    visible = set()
    for n in notifications:
        group = groups.get(_id_of(n.scope, "group") or 0)
        if group is None:
            continue
        role = roles.get(group.pk)
        if need_moderator:
            ok = staff or role == MemberRole.MODERATOR
        else:
            ok = staff or role is not None or group.access == Access.OPEN
        if ok and need_post:
            post = posts.get(_id_of(n.target, "groups.post") or 0)
            ok = post is not None and post[0] == group.pk and post[1] == PostStatus.PUBLISHED
        if ok:
            visible.add(n.pk)
    return visible


def _members_can_read(notifications: list[Any], user: Any) -> set[int]:
    return _readable(notifications, user)


def _post_readable(notifications: list[Any], user: Any) -> set[int]:
    return _readable(notifications, user, need_post=True)


def _moderators_only(notifications: list[Any], user: Any) -> set[int]:
    return _readable(notifications, user, need_moderator=True)


def _invitation_pending(notifications: list[Any], user: Any) -> set[int]:
    pending = set(
        Invitation.objects.filter(
            invitee=user, status=RequestStatus.PENDING, group_id__in=_group_ids(notifications)
        ).values_list("group_id", flat=True)
    )
    return {n.pk for n in notifications if _id_of(n.scope, "group") in pending}


def _always(notifications: list[Any], user: Any) -> set[int]:
    """About the recipient themself (a decision on their request, their post, their membership): they are
    told even when they can no longer read the group."""
    return {n.pk for n in notifications}


def _d(n: Any, key: str) -> str:
    return str(n.data.get(key, ""))


def _actor(n: Any) -> str:
    return _d(n, "actor") or gettext("A member")


register(
    NotificationKind(
        key="groups.mention",
        label=_("Someone mentions you in a group"),
        render=lambda n: (
            gettext("%(actor)s mentioned you in “%(thread)s” (%(group)s)")
            % {"actor": _actor(n), "thread": _d(n, "thread"), "group": _d(n, "group")}
        ),
        visible=_post_readable,
        default_delivery="immediate",
    )
)
register(
    NotificationKind(
        key="groups.reply",
        label=_("New replies in threads you take part in"),
        render=lambda n: (
            gettext("%(actor)s replied in “%(thread)s” (%(group)s)")
            % {"actor": _actor(n), "thread": _d(n, "thread"), "group": _d(n, "group")}
        ),
        visible=_post_readable,
        default_delivery="daily",
    )
)
register(
    NotificationKind(
        key="groups.new_thread",
        label=_("New threads in your groups"),
        render=lambda n: (
            gettext("%(actor)s started “%(thread)s” in %(group)s")
            % {"actor": _actor(n), "thread": _d(n, "thread"), "group": _d(n, "group")}
        ),
        visible=_post_readable,
        default_delivery="daily",
    )
)
register(
    NotificationKind(
        key="groups.join_request",
        label=_("Requests to join a group you moderate"),
        render=lambda n: (
            gettext("%(actor)s asks to join %(group)s") % {"actor": _actor(n), "group": _d(n, "group")}
        ),
        visible=_moderators_only,
        default_delivery="immediate",
    )
)
register(
    NotificationKind(
        key="groups.join_decision",
        label=_("Answers to your requests to join"),
        render=lambda n: (
            (
                gettext("Your request to join %(group)s was accepted")
                if n.data.get("accepted")
                else gettext("Your request to join %(group)s was declined")
            )
            % {"group": _d(n, "group")}
        ),
        visible=_always,
        default_delivery="immediate",
    )
)
register(
    NotificationKind(
        key="groups.invitation",
        label=_("Invitations to groups"),
        render=lambda n: (
            gettext("%(actor)s invited you to join %(group)s") % {"actor": _actor(n), "group": _d(n, "group")}
        ),
        visible=_invitation_pending,
        default_delivery="immediate",
    )
)


def _moderation_text(n: Any) -> str:
    # Written in the reader's language from the action's code, not stored as a sentence.
    try:
        what = str(ModerationAction(n.data.get("action")).label)
    except ValueError:
        what = gettext("A moderation decision")
    text = gettext("A moderator of %(group)s: %(what)s") % {"group": _d(n, "group"), "what": what}
    if n.data.get("reason"):
        text += " — " + gettext("Reason: %(reason)s") % {"reason": _d(n, "reason")}
    return text


register(
    NotificationKind(
        key="groups.moderation",
        label=_("Moderators' decisions about your posts and membership"),
        render=_moderation_text,
        visible=_always,
        default_delivery="immediate",
    )
)
register(
    NotificationKind(
        key="groups.report",
        label=_("Reported posts in groups you moderate"),
        render=lambda n: (
            gettext("A post in “%(thread)s” (%(group)s) was reported")
            % {"thread": _d(n, "thread"), "group": _d(n, "group")}
        ),
        visible=_moderators_only,
        default_delivery="immediate",
    )
)
register(
    NotificationKind(
        key="groups.held_post",
        label=_("Posts waiting for your approval"),
        render=lambda n: (
            gettext("A first post by %(actor)s in “%(thread)s” waits for approval")
            % {"actor": _actor(n), "thread": _d(n, "thread")}
        ),
        visible=_moderators_only,
        default_delivery="immediate",
    )
)
