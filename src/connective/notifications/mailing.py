"""E-mail of the notification service: one e-mail per notification, and the daily and weekly digests.

Both run as tasks (tasks.py). Each looks at the notifications again when it sends: the member's choice now
(unsubscribed since? moved the group to the weekly digest?) and whether they may still see the subject now (a
post hidden, a group left). What is dropped is set to "never" so no later run tries it again.

Each e-mail is built in its reader's language, names people only by the name the site shows, never by an
address, and carries a one-click unsubscribe (RFC 8058) that needs no sign-in.

Running twice sends nothing twice: the rows are locked and marked e-mailed in the same transaction that
hands the e-mail to the queue (with the database task queue the two land together). Where the database can
(PostgreSQL), rows another run is busy with are skipped rather than waited for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from connective.notifications.kinds import kind_for
from connective.notifications.links import (
    ALL_SCOPES,
    member_language,
    subject_url,
    unsubscribe_url,
    url_in,
)
from connective.notifications.models import Delivery, Notification
from connective.notifications.selectors import (
    excerpts_for,
    render_text,
    scope_names,
    visible_ids,
)
from connective.notifications.services import deliveries_now

# Members whose digests are built in one transaction.
DIGEST_BATCH = 100
# Lines in one digest; the rest are counted, with a link to the centre.
DIGEST_LINES = 50
DIGEST_FREQUENCIES = (Delivery.DAILY.value, Delivery.WEEKLY.value)

_M = TypeVar("_M", bound=Model)


def _locked(queryset: QuerySet[_M]) -> QuerySet[_M]:
    features = connection.features
    if features.has_select_for_update_skip_locked and features.has_select_for_update_of:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    if features.has_select_for_update:
        return queryset.select_for_update()
    # SQLite: its IMMEDIATE transactions (settings.py) already let one writer in at a time.
    return queryset


def _mailable(user: Any) -> bool:
    return bool(user is not None and user.is_active and user.deleted_at is None and user.email)


def _greeting_name(user: Any) -> str:
    # Only a name the member gave; display_name never comes from the address, but "A member of the
    # platform" is no way to greet someone.
    return f"{user.first_name} {user.last_name}".strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _message(*, user: Any, subject: str, text: str, html: str, unsubscribe: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=_one_line(subject),
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _mark(emailed: list[int], moved: dict[str, list[int]]) -> None:
    if emailed:
        Notification.objects.filter(pk__in=emailed).update(emailed_at=timezone.now())
    for delivery, ids in moved.items():
        if ids:
            Notification.objects.filter(pk__in=ids).update(delivery=delivery)


def _send(messages: list[EmailMultiAlternatives]) -> int:
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


# --- One e-mail per notification ----------------------------------------------------------------------


def _immediate_email(
    notification: Notification, user: Any, *, excerpt: str, scope_name: str
) -> EmailMultiAlternatives:
    language = member_language(user)
    kind = kind_for(notification.kind)
    assert kind is not None  # visible_ids keeps only registered kinds
    with translation.override(language):
        sentence = render_text(notification)
        subject = kind.subject(notification) if kind.subject is not None else sentence
        unsubscribe = unsubscribe_url(user=user, scope=notification.scope)
        context = {
            "greeting_name": _greeting_name(user),
            "sentence": sentence,
            "excerpt": excerpt,
            "link": subject_url(notification.path, language),
            "scope_is_group": notification.scope.startswith("group:"),
            "scope_name": scope_name,
            "unsubscribe_url": unsubscribe,
            "preferences_url": url_in(language, "notifications:preferences"),
            "centre_url": url_in(language, "notifications:centre"),
            "site_name": settings.WAGTAIL_SITE_NAME,
            "language": language,
            "rtl": language in settings.LANGUAGES_BIDI,
        }
        text = render_to_string("notifications/email/notification.txt", context)
        html = render_to_string("notifications/email/notification.html", context)
    return _message(user=user, subject=subject, text=text, html=html, unsubscribe=unsubscribe)


def send_immediate_notifications(ids: Iterable[int]) -> int:
    """E-mail each of these notifications that is still waiting for its own e-mail. Returns how many went."""
    wanted = list(ids)
    if not wanted:
        return 0
    with transaction.atomic():
        rows = list(
            _locked(
                Notification.objects.filter(
                    pk__in=wanted, delivery=Delivery.IMMEDIATE, emailed_at__isnull=True
                ).select_related("recipient")
            ).order_by("pk")
        )
        current = deliveries_now(rows)
        moved: dict[str, list[int]] = defaultdict(list)
        per_member: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            choice = current[row.pk]
            if not _mailable(row.recipient):
                moved[Delivery.NEVER].append(row.pk)
            elif choice != Delivery.IMMEDIATE:
                # Unsubscribed, or the scope moved to a digest since: that decides.
                moved[choice].append(row.pk)
            else:
                per_member[row.recipient_id].append(row)
        shown: list[Notification] = []
        for member_rows in per_member.values():
            visible = visible_ids(member_rows, member_rows[0].recipient)
            for row in member_rows:
                if row.pk in visible:
                    shown.append(row)
                else:
                    moved[Delivery.NEVER].append(row.pk)
        excerpts = excerpts_for(shown)
        names: dict[str, dict[str, str]] = {}
        messages = []
        for row in shown:
            language = member_language(row.recipient)
            if language not in names:
                with translation.override(language):
                    names[language] = scope_names({item.scope for item in shown})
            messages.append(
                _immediate_email(
                    row,
                    row.recipient,
                    excerpt=excerpts.get(row.pk, ""),
                    scope_name=names[language][row.scope],
                )
            )
        _mark([row.pk for row in shown], moved)
        return _send(messages)


# --- Digests --------------------------------------------------------------------------------------------


@dataclass
class DigestLine:
    text: str
    excerpt: str
    link: str


@dataclass
class DigestKind:
    label: str
    lines: list[DigestLine] = field(default_factory=list)


@dataclass
class DigestSection:
    scope: str
    heading: str
    unsubscribe_url: str
    kinds: dict[str, DigestKind] = field(default_factory=dict)


def _digest_email(
    user: Any,
    rows: list[Notification],
    *,
    frequency: str,
    excerpts: dict[int, str],
    group_names: dict[str, str],
) -> EmailMultiAlternatives:
    """One member's digest: the newest DIGEST_LINES lines grouped by scope, then by kind."""
    language = member_language(user)
    shown, more = rows[:DIGEST_LINES], len(rows) - DIGEST_LINES
    with translation.override(language):
        names = {**scope_names({""}), **group_names}
        sections: dict[str, DigestSection] = {}
        for row in shown:
            kind = kind_for(row.kind)
            assert kind is not None  # visible_ids keeps only registered kinds
            section = sections.get(row.scope)
            if section is None:
                section = sections[row.scope] = DigestSection(
                    scope=row.scope,
                    heading=names.get(row.scope, names[""]),
                    unsubscribe_url=unsubscribe_url(user=user, scope=row.scope),
                )
            entry = section.kinds.get(row.kind)
            if entry is None:
                entry = section.kinds[row.kind] = DigestKind(label=str(kind.label))
            entry.lines.append(
                DigestLine(
                    text=render_text(row),
                    excerpt=excerpts.get(row.pk, ""),
                    link=subject_url(row.path, language),
                )
            )
        total = len(rows)
        if frequency == Delivery.WEEKLY:
            subject = ngettext(
                "Your weekly digest from %(site)s: %(count)d notification",
                "Your weekly digest from %(site)s: %(count)d notifications",
                total,
            )
        else:
            subject = ngettext(
                "Your daily digest from %(site)s: %(count)d notification",
                "Your daily digest from %(site)s: %(count)d notifications",
                total,
            )
        subject = subject % {"site": settings.WAGTAIL_SITE_NAME, "count": total}
        unsubscribe_all = unsubscribe_url(user=user, scope=ALL_SCOPES)
        context = {
            "greeting_name": _greeting_name(user),
            "weekly": frequency == Delivery.WEEKLY,
            "total": total,
            "sections": [
                {
                    "heading": section.heading,
                    "is_group": section.scope.startswith("group:"),
                    "unsubscribe_url": section.unsubscribe_url,
                    "kinds": list(section.kinds.values()),
                }
                for section in sections.values()
            ],
            "more": max(more, 0),
            "centre_url": url_in(language, "notifications:centre"),
            "preferences_url": url_in(language, "notifications:preferences"),
            "unsubscribe_url": unsubscribe_all,
            "site_name": settings.WAGTAIL_SITE_NAME,
            "language": language,
            "rtl": language in settings.LANGUAGES_BIDI,
        }
        text = render_to_string("notifications/email/digest.txt", context)
        html = render_to_string("notifications/email/digest.html", context)
    return _message(user=user, subject=subject, text=text, html=html, unsubscribe=unsubscribe_all)


def _digest_batch(frequency: str, member_ids: list[int]) -> int:
    from connective.accounts.models import User

    with transaction.atomic():
        rows = list(
            _locked(
                Notification.objects.filter(
                    recipient_id__in=member_ids, delivery=frequency, emailed_at__isnull=True
                )
            ).order_by("-created_at", "-pk")
        )
        if not rows:
            return 0
        users = {user.pk: user for user in User.objects.filter(pk__in={row.recipient_id for row in rows})}
        current = deliveries_now(rows)
        moved: dict[str, list[int]] = defaultdict(list)
        per_member: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            choice = current[row.pk]
            if not _mailable(users.get(row.recipient_id)):
                moved[Delivery.NEVER].append(row.pk)
            elif choice == Delivery.NEVER or (choice in DIGEST_FREQUENCIES and choice != frequency):
                # Unsubscribed, or moved to the other digest since: it waits for that one, or for no mail.
                moved[choice].append(row.pk)
            else:
                per_member[row.recipient_id].append(row)
        kept: dict[int, list[Notification]] = {}
        for member_id, member_rows in per_member.items():
            visible = visible_ids(member_rows, users[member_id])
            moved[Delivery.NEVER].extend(row.pk for row in member_rows if row.pk not in visible)
            if mine := [row for row in member_rows if row.pk in visible]:
                kept[member_id] = mine
        shown = [row for member_rows in kept.values() for row in member_rows[:DIGEST_LINES]]
        excerpts = excerpts_for(shown)
        group_scopes = {row.scope for row in shown if row.scope}
        names_by_language: dict[str, dict[str, str]] = {}
        messages = []
        for member_id, member_rows in kept.items():
            user = users[member_id]
            language = member_language(user)
            if language not in names_by_language:
                with translation.override(language):
                    names_by_language[language] = scope_names(group_scopes)
            messages.append(
                _digest_email(
                    user,
                    member_rows,
                    frequency=frequency,
                    excerpts=excerpts,
                    group_names=names_by_language[language],
                )
            )
        _mark([row.pk for member_rows in kept.values() for row in member_rows], moved)
        return _send(messages)


def send_digest_emails(frequency: str) -> int:
    """Send every member their digest of `frequency` ("daily" or "weekly"). Returns how many e-mails went."""
    if frequency not in DIGEST_FREQUENCIES:
        raise ValueError(f"Unknown digest frequency {frequency!r}; use daily or weekly.")
    sent = 0
    after = 0
    while True:
        member_ids = list(
            Notification.objects.filter(delivery=frequency, emailed_at__isnull=True, recipient_id__gt=after)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:DIGEST_BATCH]
        )
        if not member_ids:
            return sent
        after = member_ids[-1]
        sent += _digest_batch(frequency, member_ids)
