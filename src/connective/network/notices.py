"""The notification the network sends, registered with the one notification service: a private message.

One notice per unread stretch of a conversation (conversations.py decides when), target
"network.conversation:<id>", the message's id in data. The notice quotes the beginning of the message, read
when the e-mail goes out, so a message staff have removed meanwhile is neither quoted nor announced.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.network.models import ConversationMember, Message
from connective.notifications.kinds import NotificationKind, register

MESSAGE_KIND = "network.message"
CONVERSATION_PREFIX = "network.conversation:"


def notice_name(user: Any) -> str:
    """The sender's name as stored on the notice: empty for a member without a name, so that each reader
    gets "A member of the platform" in their own language, and never anything drawn from an address."""
    return " ".join(f"{user.first_name} {user.last_name}".split())


def _sender(n: Any) -> str:
    return str(n.data.get("actor") or "") or gettext("A member of the platform")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _conversation_id(n: Any) -> int | None:
    return (
        _int(n.target.removeprefix(CONVERSATION_PREFIX)) if n.target.startswith(CONVERSATION_PREFIX) else None
    )


def _visible(notifications: list[Any], user: Any) -> set[int]:
    """Still in the conversation, and the message not removed by staff. Two queries for any number."""
    conversation_ids = {cid for n in notifications if (cid := _conversation_id(n)) is not None}
    message_ids = {mid for n in notifications if (mid := _int(n.data.get("message"))) is not None}
    if not conversation_ids or not message_ids:
        return set()
    mine = set(
        ConversationMember.objects.filter(user_id=user.pk, conversation_id__in=conversation_ids).values_list(
            "conversation_id", flat=True
        )
    )
    present = set(
        Message.objects.filter(pk__in=message_ids, removed_at__isnull=True).values_list("pk", flat=True)
    )
    return {
        n.pk for n in notifications if _conversation_id(n) in mine and _int(n.data.get("message")) in present
    }


def _excerpts(notifications: list[Any]) -> dict[int, str]:
    from connective.network.conversations import notice_excerpt

    message_ids = {mid for n in notifications if (mid := _int(n.data.get("message"))) is not None}
    bodies = dict(
        Message.objects.filter(pk__in=message_ids, removed_at__isnull=True).values_list("pk", "body")
    )
    return {
        n.pk: notice_excerpt(bodies[mid])
        for n in notifications
        if (mid := _int(n.data.get("message"))) is not None and mid in bodies
    }


register(
    NotificationKind(
        key=MESSAGE_KIND,
        label=_("Private messages"),
        render=lambda n: gettext("%(name)s wrote to you") % {"name": _sender(n)},
        subject=lambda n: (
            gettext("%(name)s wrote to you on %(site)s")
            % {"name": _sender(n), "site": settings.WAGTAIL_SITE_NAME}
        ),
        visible=_visible,
        excerpts=_excerpts,
        default_delivery="immediate",
    )
)
