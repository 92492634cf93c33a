"""The kinds of notification the platform sends, registered by each app (groups/notices.py, ...).

A kind knows how to say what happened in the reader's language and whether the reader may still see the
subject: the digest asks it at send time, so a post hidden or a group left since is not mailed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from connective.notifications.models import Notification


@dataclass(frozen=True)
class NotificationKind:
    key: str
    # Shown on the preferences page and as the heading of its section in a digest.
    label: str | Promise
    # One sentence, in the active language, e.g. "Amara Okafor mentioned you in “Heat action plans”".
    render: Callable[[Notification], str]
    # Of these notifications of this kind for `user`, the ids whose subject `user` may still see now; the
    # others are left out of the centre and of e-mail. Called with many at once: keep it a constant number of
    # queries.
    visible: Callable[[list[Notification], Any], set[int]]
    # What a member who chose nothing for the scope gets by e-mail.
    default_delivery: str = "immediate"
    # The subject of the e-mail sent for one notification; `render` when not given.
    subject: Callable[[Notification], str] | None = None
    # Text quoted under the sentence in e-mails (the beginning of a message, say), read at send time so
    # nothing removed since is mailed: notification id -> text. Called with many at once, like `visible`.
    excerpts: Callable[[list[Notification]], dict[int, str]] | None = None


_kinds: dict[str, NotificationKind] = {}


def register(kind: NotificationKind) -> NotificationKind:
    if kind.key in _kinds and _kinds[kind.key] != kind:
        raise ValueError(f"Notification kind {kind.key!r} is registered twice.")
    _kinds[kind.key] = kind
    return kind


def kind_for(key: str) -> NotificationKind | None:
    return _kinds.get(key)


def all_kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda kind: kind.key)
