"""The one way anything on the platform tells a member something: `notify`; and every other write of the
notification service (reading, preferences, unsubscribing).

Apps register their kinds (notifications/kinds.py) and call `notify` inside their own transaction; the
notification lands with the change or not at all, and e-mail goes out only after commit.

How a member wants e-mail is decided per scope ("" for everything, "group:<id>" for one group): their choice
for the scope, else their general choice, else the kind's default. It is written on each notification when it
is made and asked again when the e-mail goes out, so a member who unsubscribes gets nothing more, not even
what was already waiting for the next digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from connective.core.services import audit_log_record
from connective.notifications.kinds import kind_for
from connective.notifications.links import ALL_SCOPES, unsubscribe_read
from connective.notifications.models import Delivery, Notification, NotificationPreference
from connective.notifications.selectors import forget_unread, group_id_of_scope, preference_groups

PREFERENCES_SAVED = "notifications.preferences"
UNSUBSCRIBED = "notifications.unsubscribe"


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
    forget_unread(people)
    immediate = [row.pk for row in created if row.delivery == Delivery.IMMEDIATE and row.pk is not None]
    if immediate:
        from connective.notifications.tasks import send_immediate

        transaction.on_commit(lambda: send_immediate.enqueue(immediate))
    return created


def _choose(mine: Mapping[str, str], scope: str, default: str) -> str:
    return mine[scope] if scope and scope in mine else mine.get("", default)


def delivery_for(*, user_ids: list[int], scope: str, default: str) -> dict[int, str]:
    """Each member's e-mail choice for `scope`: their choice for the scope, else their general choice, else
    the kind's default. One query."""
    chosen: dict[int, dict[str, str]] = {}
    for user_id, pref_scope, delivery in NotificationPreference.objects.filter(
        user_id__in=user_ids, scope__in={"", scope}
    ).values_list("user_id", "scope", "delivery"):
        chosen.setdefault(user_id, {})[pref_scope] = delivery
    return {user_id: _choose(chosen.get(user_id, {}), scope, default) for user_id in user_ids}


def deliveries_now(notifications: Iterable[Notification]) -> dict[int, str]:
    """What each notification's recipient wants for it now (their preferences may have changed since it
    was written). A kind no longer registered is mailed to no one. One query."""
    rows = list(notifications)
    if not rows:
        return {}
    chosen: dict[int, dict[str, str]] = {}
    for user_id, scope, delivery in NotificationPreference.objects.filter(
        user_id__in={row.recipient_id for row in rows}, scope__in={"", *(row.scope for row in rows)}
    ).values_list("user_id", "scope", "delivery"):
        chosen.setdefault(user_id, {})[scope] = delivery
    result = {}
    for row in rows:
        kind = kind_for(row.kind)
        default = kind.default_delivery if kind is not None else Delivery.NEVER
        result[row.pk] = _choose(chosen.get(row.recipient_id, {}), row.scope, default)
    return result


# --- Reading ---------------------------------------------------------------------------------------------


def notifications_mark_read(*, user: Any, ids: Iterable[int]) -> int:
    """Mark some of the member's own notifications read (others' ids are ignored). Returns how many."""
    wanted = list(ids)
    if not wanted:
        return 0
    changed = Notification.objects.filter(recipient_id=user.pk, pk__in=wanted, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread([user.pk])
    return changed


def notification_mark_read(*, user: Any, notification: Notification) -> None:
    notifications_mark_read(user=user, ids=[notification.pk])


def notifications_mark_all_read(*, user: Any) -> int:
    changed = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread([user.pk])
    return changed


def notifications_mark_read_for_target(*, user: Any, target: models.Model) -> int:
    """The member has seen `target` itself (opened the conversation, say): its notifications are read."""
    changed = Notification.objects.filter(
        recipient_id=user.pk, target=target_key(target), read_at__isnull=True
    ).update(read_at=timezone.now())
    # Cleared even when nothing changed, so the page costs the same queries every time it is opened.
    forget_unread([user.pk])
    return changed


# --- Preferences -----------------------------------------------------------------------------------------


def _check_delivery(value: str) -> str:
    if value not in Delivery.values:
        raise ValidationError(
            gettext("Choose how you want to receive e-mail: %(choices)s.")
            % {"choices": ", ".join(str(label) for label in Delivery.labels)},
            code="invalid_choice",
        )
    return value


@transaction.atomic
def preference_set(*, user: Any, scope: str, delivery: str) -> NotificationPreference:
    """The member's e-mail choice for one scope ("" = their general choice)."""
    _check_delivery(delivery)
    preference, _created = NotificationPreference.objects.update_or_create(
        user_id=user.pk, scope=scope, defaults={"delivery": delivery}
    )
    return preference


def preferences_save(*, user: Any, general: str, groups: Mapping[int, str]) -> None:
    """Save the preferences page: the general choice ("" = as each kind suggests) and, per group the member
    belongs to, a choice or "" (follow the general one). Raises ValidationError (field name → message) and
    saves nothing on bad input."""
    errors: dict[str, str] = {}
    if general and general not in Delivery.values:
        errors["general"] = gettext("Choose how you want to receive e-mail.")
    mine = {choice.group_id for choice in preference_groups(user)}
    for group_id, delivery in groups.items():
        if group_id not in mine:
            errors[f"group_{group_id}"] = gettext("You are not a member of this group.")
        elif delivery and delivery not in Delivery.values:
            errors[f"group_{group_id}"] = gettext("Choose how you want to receive e-mail about this group.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if general:
            preference_set(user=user, scope="", delivery=general)
        cleared = [f"group:{gid}" for gid, delivery in groups.items() if not delivery]
        if not general:
            cleared.append("")
        NotificationPreference.objects.filter(user_id=user.pk, scope__in=cleared).delete()
        for group_id, delivery in groups.items():
            if delivery:
                preference_set(user=user, scope=f"group:{group_id}", delivery=delivery)
        audit_log_record(
            actor=user,
            action=PREFERENCES_SAVED,
            target=user,
            general=general,
            groups={str(gid): delivery for gid, delivery in sorted(groups.items())},
        )


# --- Unsubscribing (no sign-in) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsubscription:
    user: Any
    scope: str


def unsubscription_for(token: str) -> Unsubscription | None:
    """Whom and what a token unsubscribes; None for a token not made here or a member who has gone."""
    from connective.accounts.models import User

    request = unsubscribe_read(token)
    if request is None:
        return None
    scope = request.scope
    if scope not in {"", ALL_SCOPES} and group_id_of_scope(scope) is None:
        return None
    user = User.objects.filter(pk=request.user_id, is_active=True, deleted_at__isnull=True).first()
    if user is None:
        return None
    return Unsubscription(user=user, scope=scope)


@transaction.atomic
def unsubscribe(*, unsubscription: Unsubscription) -> None:
    """No more e-mail for the scope (for every scope with ALL_SCOPES); the centre still shows everything.
    Doing it twice changes nothing more."""
    user, scope = unsubscription.user, unsubscription.scope
    if scope == ALL_SCOPES:
        NotificationPreference.objects.filter(user_id=user.pk).update(
            delivery=Delivery.NEVER, updated_at=timezone.now()
        )
        preference_set(user=user, scope="", delivery=Delivery.NEVER)
    else:
        preference_set(user=user, scope=scope, delivery=Delivery.NEVER)
    audit_log_record(actor=user, action=UNSUBSCRIBED, target=user, scope=scope)


# --- Account deletion ------------------------------------------------------------------------------------

_FORGET_CHUNK = 500


def notifications_forget_member(*, user: Any) -> None:
    """For account deletion (accounts/privacy.py): the member's notifications and choices go, and the
    notifications others received about what they did no longer carry their name."""
    Notification.objects.filter(recipient_id=user.pk).delete()
    NotificationPreference.objects.filter(user_id=user.pk).delete()
    forget_unread([user.pk])
    while True:
        batch = list(Notification.objects.filter(actor_id=user.pk).order_by("pk")[:_FORGET_CHUNK])
        if not batch:
            return
        for row in batch:
            row.actor_id = None
            if isinstance(row.data, dict) and "actor" in row.data:
                row.data = {**row.data, "actor": ""}
        Notification.objects.bulk_update(batch, ["actor", "data"])
