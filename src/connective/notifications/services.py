"""The one way anything on the platform tells a member something: `notify`.

Apps register their kinds (notifications/kinds.py) and call `notify` inside their own transaction; the
notification lands with the change or not at all, and e-mail goes out only after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models, transaction

from connective.notifications.kinds import kind_for
from connective.notifications.models import Delivery, Notification, NotificationPreference


def target_key(target: models.Model | None) -> str:
    return f"{target._meta.label_lower}:{target.pk}" if target is not None else ""


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    actor: Any = None,
    scope: str = "",
    target: models.Model | None = None,
    path: str = "",
    data: dict[str, Any] | None = None,
) -> list[Notification]:
    """Write one notification per recipient (never to the actor, nor to inactive or deleted accounts)."""
    registered = kind_for(kind)
    if registered is None:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    actor_id = getattr(actor, "pk", None)
    people = {
        user.pk: user
        for user in recipients
        if user is not None
        and user.pk != actor_id
        and user.is_active
        and getattr(user, "deleted_at", None) is None
    }
    if not people:
        return []
    deliveries = delivery_for(user_ids=list(people), scope=scope, default=registered.default_delivery)
    rows = [
        Notification(
            recipient_id=user_id,
            kind=kind,
            actor_id=actor_id,
            scope=scope,
            target=target_key(target),
            path=path,
            data=data or {},
            delivery=deliveries[user_id],
        )
        for user_id in people
    ]
    # SQLite (3.35+) and PostgreSQL both return the new keys from a bulk insert.
    created = Notification.objects.bulk_create(rows)
    immediate = [row.pk for row in created if row.delivery == Delivery.IMMEDIATE and row.pk is not None]
    if immediate:
        from connective.notifications.tasks import send_immediate

        transaction.on_commit(lambda: send_immediate.enqueue(immediate))
    return created


def delivery_for(*, user_ids: list[int], scope: str, default: str) -> dict[int, str]:
    """Each member's e-mail choice for `scope`: their choice for the scope, else their general choice, else
    the kind's default. One query."""
    scopes = {"", scope}
    chosen: dict[int, dict[str, str]] = {}
    for user_id, pref_scope, delivery in NotificationPreference.objects.filter(
        user_id__in=user_ids, scope__in=scopes
    ).values_list("user_id", "scope", "delivery"):
        chosen.setdefault(user_id, {})[pref_scope] = delivery
    result = {}
    for user_id in user_ids:
        mine = chosen.get(user_id, {})
        result[user_id] = mine[scope] if scope and scope in mine else mine.get("", default)
    return result
