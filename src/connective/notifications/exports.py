"""The member's notifications and e-mail choices in their personal-data export (accounts/privacy.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.utils.translation import get_language

from connective.notifications.links import subject_url
from connective.notifications.models import Delivery, Notification, NotificationPreference
from connective.notifications.selectors import render_text, scope_names

_CHUNK = 500

NOTIFICATION_COLUMNS = ("created", "kind", "text", "about", "link", "read", "email", "emailed")
PREFERENCE_COLUMNS = ("about", "email", "updated")


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _delivery(value: str) -> str:
    try:
        return str(Delivery(value).label)
    except ValueError:
        return value


def notification_export_rows(user: Any) -> Iterator[dict[str, Any]]:
    """Every notification the member received, oldest first, in the active language. One query (and one per
    chunk for the names of its groups), whatever the member's history."""
    language = get_language() or "en"
    names: dict[str, str] = {}
    chunk: list[Notification] = []
    rows = Notification.objects.filter(recipient_id=user.pk).order_by("created_at", "pk")
    for row in rows.iterator(chunk_size=_CHUNK):
        chunk.append(row)
        if len(chunk) == _CHUNK:
            yield from _notification_rows(chunk, names, language)
            chunk = []
    yield from _notification_rows(chunk, names, language)


def _notification_rows(
    chunk: list[Notification], names: dict[str, str], language: str
) -> Iterator[dict[str, Any]]:
    if missing := {row.scope for row in chunk} - names.keys():
        names.update(scope_names(missing))
    for row in chunk:
        yield {
            "created": _when(row.created_at),
            "kind": row.kind,
            "text": render_text(row),
            "about": names[row.scope],
            "link": subject_url(row.path, language) if row.path.startswith("/") else "",
            "read": _when(row.read_at),
            "email": _delivery(row.delivery),
            "emailed": _when(row.emailed_at),
        }


def preference_export_rows(user: Any) -> list[dict[str, Any]]:
    preferences = list(NotificationPreference.objects.filter(user_id=user.pk).order_by("scope"))
    names = scope_names({preference.scope for preference in preferences})
    return [
        {
            "about": names[preference.scope],
            "email": _delivery(preference.delivery),
            "updated": _when(preference.updated_at),
        }
        for preference in preferences
    ]
