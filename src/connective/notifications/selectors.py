"""Reads of the notification service: the centre, the unread count, preferences and what a scope is called.

Whether a member may still see what a notification is about is the kind's question (kinds.py `visible`),
asked once per kind for many notifications, so a page of the centre costs the same few queries whatever is on
it. A notification whose kind is no longer registered is seen by no one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language, gettext

from connective.accounts.rules import is_member
from connective.notifications.kinds import kind_for
from connective.notifications.links import ALL_SCOPES, localized_path
from connective.notifications.models import Notification, NotificationPreference

CENTRE_PER_PAGE = 25
UNREAD_CACHE_SECONDS = 60
GROUP_SCOPE_PREFIX = "group:"


def group_id_of_scope(scope: str) -> int | None:
    if not scope.startswith(GROUP_SCOPE_PREFIX):
        return None
    try:
        return int(scope.removeprefix(GROUP_SCOPE_PREFIX))
    except ValueError:
        return None


# --- Visibility -----------------------------------------------------------------------------------------


def visible_ids(notifications: Iterable[Notification], user: Any) -> set[int]:
    """Ids of those of `user`'s notifications whose subject they may see now; one call per kind."""
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        if notification.recipient_id == user.pk:
            by_kind[notification.kind].append(notification)
    visible: set[int] = set()
    for key, items in by_kind.items():
        kind = kind_for(key)
        if kind is not None:
            visible |= kind.visible(items, user) & {item.pk for item in items}
    return visible


def excerpts_for(notifications: Iterable[Notification]) -> dict[int, str]:
    """The quoted text e-mails show under each notification that has one; one call per kind."""
    by_kind: dict[str, list[Notification]] = defaultdict(list)
    for notification in notifications:
        by_kind[notification.kind].append(notification)
    result: dict[int, str] = {}
    for key, items in by_kind.items():
        kind = kind_for(key)
        if kind is not None and kind.excerpts is not None:
            result.update(kind.excerpts(items))
    return result


def render_text(notification: Notification) -> str:
    """The notification's sentence in the active language."""
    kind = kind_for(notification.kind)
    return kind.render(notification) if kind is not None else ""


# --- The centre -----------------------------------------------------------------------------------------


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class CentreEntry:
    pk: int
    text: str
    created_at: datetime
    unread: bool
    # Through notifications:mark_read, which marks it read and goes on to the subject.
    open_url: str


@dataclass(frozen=True)
class CentrePage:
    page: Page[Notification]
    entries: list[CentreEntry]
    # Unread ones on the page about things the viewer may no longer see: the view marks them read, so the
    # header never counts what the centre does not show.
    hidden_unread: list[int]


def centre_page(*, viewer: Any, page_number: Any) -> CentrePage:
    """One page of the viewer's notifications, newest first, without those about things they may no
    longer see."""
    page = Paginator(notifications_of(viewer), CENTRE_PER_PAGE).get_page(page_number)
    rows = list(page.object_list)
    visible = visible_ids(rows, viewer)
    entries = [
        CentreEntry(
            pk=row.pk,
            text=render_text(row),
            created_at=row.created_at,
            unread=row.read_at is None,
            open_url=reverse("notifications:mark_read", kwargs={"pk": row.pk}),
        )
        for row in rows
        if row.pk in visible
    ]
    hidden_unread = [row.pk for row in rows if row.pk not in visible and row.read_at is None]
    return CentrePage(page=page, entries=entries, hidden_unread=hidden_unread)


def notification_get_for(*, viewer: Any, pk: int) -> Notification:
    """The viewer's own notification if they may still see its subject; 404 otherwise (also for others')."""
    if not is_member(viewer):
        raise Http404("No such notification.")
    notification = Notification.objects.filter(pk=pk, recipient_id=viewer.pk).first()
    if notification is None or notification.pk not in visible_ids([notification], viewer):
        raise Http404("No such notification.")
    return notification


def subject_path(notification: Notification, language: str | None = None) -> str:
    """Where the notification leads, in `language` (the active one by default); "" without a subject."""
    path = notification.path
    # Only a path on this site: a stored value is never allowed to send the reader elsewhere.
    if not path.startswith("/") or path.startswith("//"):
        return ""
    return localized_path(path, language or get_language() or "en")


# --- Unread count (the header badge) ---------------------------------------------------------------------


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user: Any) -> int:
    if not is_member(user):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def unread_count_cached(user: Any) -> int:
    """unread_count for the header of every page, from the cache when it can.

    New notifications and reads clear the entry at once and again after commit (a page rendered meanwhile
    might have cached the old count); with a per-process cache another process may lag by
    UNREAD_CACHE_SECONDS.
    """
    if not is_member(user):
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def forget_unread(user_ids: Iterable[int]) -> None:
    keys = [_unread_key(user_id) for user_id in user_ids]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


# --- Preferences and scopes ------------------------------------------------------------------------------


def preferences_of(user: Any) -> dict[str, str]:
    """The member's choices, scope → delivery."""
    return dict(NotificationPreference.objects.filter(user_id=user.pk).values_list("scope", "delivery"))


@dataclass(frozen=True)
class GroupChoice:
    group_id: int
    name: str
    scope: str


def preference_groups(user: Any) -> list[GroupChoice]:
    """The groups the member belongs to, by name: one row each on the preferences page. One query."""
    from connective.groups.models import Membership

    memberships = (
        Membership.objects.filter(user_id=user.pk)
        .select_related("group")
        .only("group__id", "group__name")
        .order_by("group__name", "group_id")
    )
    return [
        GroupChoice(group_id=m.group_id, name=m.group.name, scope=f"{GROUP_SCOPE_PREFIX}{m.group_id}")
        for m in memberships
    ]


def scope_names(scopes: Iterable[str]) -> dict[str, str]:
    """What each scope is called, in the active language: a group's name, or a general name. One query."""
    from connective.groups.models import Group

    wanted = set(scopes)
    group_ids = {gid for scope in wanted if (gid := group_id_of_scope(scope)) is not None}
    groups = dict(Group.objects.filter(pk__in=group_ids).values_list("pk", "name")) if group_ids else {}
    names: dict[str, str] = {}
    for scope in wanted:
        gid = group_id_of_scope(scope)
        if scope == ALL_SCOPES:
            names[scope] = gettext("All notifications")
        elif gid is not None:
            names[scope] = groups.get(gid) or gettext("A group that no longer exists")
        else:
            names[scope] = gettext("Across the platform")
    return names
