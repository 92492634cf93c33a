"""A notification kind for the tests only, and small helpers shared by the notification tests."""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation

from connective.notifications.kinds import NotificationKind, kind_for, register
from connective.notifications.models import Notification
from connective.notifications.services import notify

NOTE = "tests.note"


def _note_text(n: Any) -> str:
    # The active language is part of the text, so a test can see which language a mail was written in.
    return f"Note: {n.data.get('text', '')} [{translation.get_language()}]"


if kind_for(NOTE) is None:
    register(
        NotificationKind(
            key=NOTE,
            label="Test notes",
            render=_note_text,
            # No query: data["hidden"] stands for a subject the reader may no longer see.
            visible=lambda notifications, user: {n.pk for n in notifications if not n.data.get("hidden")},
            default_delivery="immediate",
        )
    )


def note(
    recipient: Any,
    text: str = "hello",
    *,
    scope: str = "",
    path: str = "/en/practices/",
    actor: Any = None,
    **data: Any,
) -> Notification:
    """One test notification for `recipient` (no e-mail goes out unless on-commit callbacks run)."""
    (created,) = notify(
        recipients=[recipient], kind=NOTE, actor=actor, scope=scope, path=path, data={"text": text, **data}
    )
    return created


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)
