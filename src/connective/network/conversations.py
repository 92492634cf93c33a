"""Private conversations between members: every read and every write, blocking and reports.

Two members share at most one conversation (`Conversation.pair`, lower user id first), so writing to someone
again continues the same thread. The platform never shows or mails anyone's e-mail address: the recipient
gets a notice (through the notification service: in their notification centre and, as they chose, by e-mail)
with a link, and replies on the site.

A member who is blocked, whose account is inactive or deleted, cannot be written to, and the sender reads the
same neutral sentence in each case, so a block is never revealed. The blocker keeps every conversation they
already have; only new messages from the blocked person stop.

Staff handle reports in the back office: they dismiss a report or remove the message (it then reads "This
message was removed by staff"); each decision is audit-logged and every reporter of that message is told.

Notices are written inside the transaction and e-mailed after commit: a change that rolls back tells no one
anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connective.accounts.models import User
from connective.accounts.rules import is_member, is_programme_staff
from connective.core.models import AuditLog
from connective.core.services import audit_log_record
from connective.network.models import (
    Block,
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
    ReportReason,
    ReportStatus,
)
from connective.network.notices import MESSAGE_KIND, notice_name
from connective.network.selectors import PersonView, person_view, with_profile_data
from connective.notifications.services import notifications_mark_read_for_target, notify

MESSAGE_MAX = 5000
REPORT_COMMENT_MAX = 2000
# How much of a message the e-mail notice quotes: enough to know what it is about, not a copy of it.
NOTICE_EXCERPT = 200
# Sending limits, overridable in settings (MESSAGES_NEW_CONVERSATIONS_PER_DAY, MESSAGES_SENT_PER_HOUR).
DEFAULT_NEW_CONVERSATIONS_PER_DAY = 20
DEFAULT_MESSAGES_PER_HOUR = 60
CONVERSATION_START_ACTION = "conversation.start"

# The one answer a sender gets when the other person cannot receive from them, whatever the reason.
NEUTRAL_REFUSAL = _("This member does not accept messages from you.")

# Before any real message, so "never read" compares like "read long ago".
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "MESSAGES_NEW_CONVERSATIONS_PER_DAY", DEFAULT_NEW_CONVERSATIONS_PER_DAY)),
        int(getattr(settings, "MESSAGES_SENT_PER_HOUR", DEFAULT_MESSAGES_PER_HOUR)),
    )


def conversation_pair(first_id: int, second_id: int) -> str:
    low, high = sorted((first_id, second_id))
    return f"{low}-{high}"


# --- Reads --------------------------------------------------------------------------------------------


def conversation_get_for(*, viewer: Any, pk: int) -> Conversation:
    """The conversation if the viewer takes part in it, else 404 (also for visitors and unknown numbers)."""
    if not is_member(viewer):
        raise Http404("No such conversation.")
    conversation = Conversation.objects.filter(pk=pk, members__user=viewer).first()
    if conversation is None:
        raise Http404("No such conversation.")
    return conversation


def conversation_other(*, conversation: Conversation, viewer: Any) -> User | None:
    """The other member, with what `person_view` reads; None when their account no longer exists."""
    others = ConversationMember.objects.filter(conversation=conversation).exclude(user_id=viewer.pk)
    return with_profile_data(User.objects.filter(pk__in=others.values("user_id"))).first()


def conversation_between(*, viewer: Any, other: Any) -> Conversation | None:
    return Conversation.objects.filter(pair=conversation_pair(viewer.pk, other.pk)).first()


def blockers_between(first: Any, second: Any) -> set[int]:
    """Which of the two blocks the other (their user ids), in one query."""
    if first is None or second is None:
        return set()
    return set(
        Block.objects.filter(
            Q(blocker_id=first.pk, blocked_id=second.pk) | Q(blocker_id=second.pk, blocked_id=first.pk)
        ).values_list("blocker_id", flat=True)
    )


def message_refusal(*, sender: Any, recipient: Any, blockers: set[int] | None = None) -> str | None:
    """Why `sender` may not write to `recipient`, in words for the sender; None when they may.

    `blockers` is `blockers_between(sender, recipient)` when the caller already has it.
    """
    if not is_member(sender) or sender.deleted_at is not None:
        return gettext("Please sign in to send messages.")
    if recipient is not None and recipient.pk == sender.pk:
        return gettext("You cannot write to yourself.")
    if recipient is None or recipient.deleted_at is not None or not recipient.is_active:
        return str(NEUTRAL_REFUSAL)
    if blockers is None:
        blockers = blockers_between(sender, recipient)
    if sender.pk in blockers:
        return gettext("You have blocked this member. Unblock them to write to them.")
    if recipient.pk in blockers:
        return str(NEUTRAL_REFUSAL)
    return None


def _read_until() -> Coalesce:
    return Coalesce("last_read_at", Value(_EPOCH, output_field=DateTimeField()))


def _unread_messages(viewer: Any) -> QuerySet[Message]:
    """Messages of the outer ConversationMember's conversation the viewer has not read yet.

    The outer queryset must be annotated with `read_until`. Removed messages do not count as news.
    """
    return Message.objects.filter(
        conversation_id=OuterRef("conversation_id"),
        created_at__gt=OuterRef("read_until"),
        removed_at__isnull=True,
    ).exclude(sender_id=viewer.pk)


def unread_count(user: Any) -> int:
    """How many conversations hold messages the member has not read (the header badge), in one query."""
    if not is_member(user):
        return 0
    return (
        ConversationMember.objects.filter(user_id=user.pk)
        .annotate(read_until=_read_until())
        .filter(Exists(_unread_messages(user)))
        .count()
    )


UNREAD_CACHE_SECONDS = 60


def _unread_key(user_id: int) -> str:
    return f"network:unread:{user_id}"


def unread_count_cached(user: Any) -> int:
    """unread_count for the header of every page, from the cache when it can.

    Sending and reading clear the members' entries after commit; with a per-process cache (no Redis) another
    process may show a count up to UNREAD_CACHE_SECONDS old.
    """
    if not is_member(user):
        return 0
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = unread_count(user)
        cache.set(key, count, UNREAD_CACHE_SECONDS)
    return int(count)


def _forget_unread(*user_ids: int) -> None:
    keys = [_unread_key(user_id) for user_id in user_ids]
    transaction.on_commit(lambda: cache.delete_many(keys))


def inbox_for(viewer: Any) -> QuerySet[ConversationMember]:
    """The viewer's conversations, newest first, each with its unread count and its latest message."""
    unread = (
        _unread_messages(viewer)
        .order_by()
        .values("conversation_id")
        .annotate(total=Count("id"))
        .values("total")
    )
    latest = Message.objects.filter(conversation_id=OuterRef("conversation_id")).order_by(
        "-created_at", "-id"
    )
    return (
        ConversationMember.objects.filter(user_id=viewer.pk)
        .select_related("conversation")
        .annotate(
            read_until=_read_until(),
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0),
            last_body=Subquery(latest.values("body")[:1]),
            last_sender_id=Subquery(latest.values("sender_id")[:1]),
            last_removed_at=Subquery(latest.values("removed_at")[:1]),
        )
        .order_by("-conversation__last_message_at", "-conversation_id")
    )


@dataclass(frozen=True)
class InboxEntry:
    conversation_id: int
    url: str
    # None when the other person's account no longer exists at all.
    other: PersonView | None
    other_name: str
    last_message_at: datetime
    unread: int
    preview: str
    last_is_mine: bool


PREVIEW_LENGTH = 120


def _preview(body: str | None, removed_at: datetime | None) -> str:
    if removed_at is not None:
        return gettext("This message was removed by staff")
    text = " ".join((body or "").split())
    return text if len(text) <= PREVIEW_LENGTH else text[: PREVIEW_LENGTH - 1].rstrip() + "…"


def inbox_entries(*, viewer: Any, rows: Iterable[ConversationMember]) -> list[InboxEntry]:
    """One page of `inbox_for` as the viewer sees it, with the other people read in a fixed number of
    queries whatever the page's length."""
    rows = list(rows)
    others = ConversationMember.objects.filter(
        conversation_id__in=[row.conversation_id for row in rows]
    ).exclude(user_id=viewer.pk)
    other_of = dict(others.values_list("conversation_id", "user_id"))
    users = {user.pk: user for user in with_profile_data(User.objects.filter(pk__in=set(other_of.values())))}
    entries = []
    for row in rows:
        user = users.get(other_of.get(row.conversation_id, 0))
        view = person_view(user, viewer) if user is not None else None
        annotated: Any = row
        entries.append(
            InboxEntry(
                conversation_id=row.conversation_id,
                url=reverse("network:conversation", kwargs={"pk": row.conversation_id}),
                other=view,
                other_name=view.name if view is not None else gettext("Former member"),
                last_message_at=row.conversation.last_message_at,
                unread=annotated.unread,
                preview=_preview(annotated.last_body, annotated.last_removed_at),
                last_is_mine=annotated.last_sender_id == viewer.pk,
            )
        )
    return entries


def conversation_messages(conversation: Conversation) -> QuerySet[Message]:
    """Newest first, for paging back in time; a page is shown oldest first."""
    return Message.objects.filter(conversation=conversation).order_by("-created_at", "-id")


@dataclass(frozen=True)
class MessageView:
    pk: int
    is_mine: bool
    sender_name: str
    sender_url: str | None
    # Empty when staff removed the message: its text never reaches the page.
    body: str
    is_removed: bool
    created_at: datetime
    can_report: bool
    reported: bool


def message_views(
    *, viewer: Any, messages: Sequence[Message], other: PersonView | None, other_id: int | None
) -> list[MessageView]:
    """Messages as the viewer reads them, oldest first. `other` is the other member's person view."""
    reported = set(
        MessageReport.objects.filter(reporter_id=viewer.pk, message__in=list(messages)).values_list(
            "message_id", flat=True
        )
    )
    views = []
    for message in sorted(messages, key=lambda item: (item.created_at, item.pk)):
        is_mine = message.sender_id == viewer.pk
        if is_mine:
            name, url = gettext("You"), None
        elif message.sender_id is not None and message.sender_id == other_id and other is not None:
            name, url = other.name, other.url
        else:
            # The sender's account is gone (the foreign key was cleared) or was deleted.
            name, url = gettext("Former member"), None
        removed = message.removed_at is not None
        views.append(
            MessageView(
                pk=message.pk,
                is_mine=is_mine,
                sender_name=name,
                sender_url=url,
                body="" if removed else message.body,
                is_removed=removed,
                created_at=message.created_at,
                can_report=not is_mine and not removed and message.pk not in reported,
                reported=message.pk in reported,
            )
        )
    return views


def message_get_reportable(*, viewer: Any, conversation: Conversation, pk: int) -> Message:
    """A message of the other person in a conversation the viewer takes part in, or 404."""
    message = Message.objects.filter(conversation=conversation, pk=pk).exclude(sender_id=viewer.pk).first()
    if message is None:
        raise Http404("No such message.")
    return message


def message_report_exists(*, reporter: Any, message: Message) -> bool:
    return MessageReport.objects.filter(reporter_id=reporter.pk, message=message).exists()


def reports_for_staff(*, status: str | None) -> QuerySet[MessageReport]:
    """The back-office queue: open reports first in line, oldest first, so nothing waits forever."""
    reports = MessageReport.objects.select_related(
        "message", "message__sender", "reporter", "handled_by"
    ).order_by("created_at", "id")
    if status:
        reports = reports.filter(status=status)
    return reports


# --- Writes: messages ---------------------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationError({"body": [gettext("Please write a message.")]}, code="required")
    if len(body) > MESSAGE_MAX:
        raise ValidationError(
            {
                "body": [
                    gettext("The message is too long: at most %(limit)d characters (it has %(length)d).")
                    % {"limit": MESSAGE_MAX, "length": len(body)}
                ]
            },
            code="max_length",
        )
    return body


def _lock_sender(sender: User) -> None:
    # Two sends at the same moment cannot both slip under a limit (PostgreSQL; SQLite's immediate
    # transactions already run one writer at a time).
    list(User.objects.select_for_update().filter(pk=sender.pk).values_list("pk", flat=True))


def _check_limits(sender: User, *, new_conversation: bool) -> None:
    per_day, per_hour = _limits()
    now = timezone.now()
    if new_conversation:
        started = AuditLog.objects.filter(
            actor_id=sender.pk, action=CONVERSATION_START_ACTION, created_at__gte=now - timedelta(days=1)
        ).count()
        if started >= per_day:
            raise ValidationError(
                gettext(
                    "You have started %(limit)d new conversations today, the most allowed. Please try "
                    "again tomorrow; you can still answer the conversations you have."
                )
                % {"limit": per_day},
                code="rate_limited",
            )
    sent = Message.objects.filter(sender_id=sender.pk, created_at__gte=now - timedelta(hours=1)).count()
    if sent >= per_hour:
        raise ValidationError(
            gettext(
                "You have sent %(limit)d messages in the last hour, the most allowed. Please try again later."
            )
            % {"limit": per_hour},
            code="rate_limited",
        )


def _append(*, conversation: Conversation, sender: User, recipient: User, body: str) -> Message:
    now = timezone.now()
    recipient_member = ConversationMember.objects.filter(conversation=conversation, user=recipient).first()
    read_until = (
        recipient_member.last_read_at if recipient_member and recipient_member.last_read_at else _EPOCH
    )
    # One notice per unread stretch: further messages before the recipient reads them add no more mail.
    already_waiting = (
        Message.objects.filter(conversation=conversation, created_at__gt=read_until, removed_at__isnull=True)
        .exclude(sender_id=recipient.pk)
        .exists()
    )
    message = Message.objects.create(conversation=conversation, sender=sender, body=body, created_at=now)
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    conversation.last_message_at = now
    # Whoever writes has read the conversation up to their own message.
    ConversationMember.objects.filter(conversation=conversation, user=sender).update(last_read_at=now)
    _forget_unread(sender.pk, recipient.pk)
    if not already_waiting:
        notify(
            recipients=[recipient],
            kind=MESSAGE_KIND,
            actor=sender,
            target=conversation,
            path=reverse("network:conversation", kwargs={"pk": conversation.pk}),
            data={"actor": notice_name(sender), "message": message.pk},
        )
    return message


def conversation_start(*, sender: User, recipient: User, body: str) -> Message:
    """Write to a member: continues the pair's conversation, or starts it. Returns the new message.

    Raises PermissionDenied (its message says why, neutrally) when the sender may not write to the
    recipient, and ValidationError for bad input or a reached limit (code "rate_limited"). Nothing is saved
    or sent then.
    """
    refusal = message_refusal(sender=sender, recipient=recipient)
    if refusal is not None:
        raise PermissionDenied(refusal)
    body = _clean_body(body)
    with transaction.atomic():
        _lock_sender(sender)
        pair = conversation_pair(sender.pk, recipient.pk)
        conversation = Conversation.objects.filter(pair=pair).first()
        _check_limits(sender, new_conversation=conversation is None)
        if conversation is None:
            try:
                with transaction.atomic():
                    conversation = Conversation.objects.create(pair=pair)
                    ConversationMember.objects.bulk_create(
                        [
                            ConversationMember(conversation=conversation, user=sender),
                            ConversationMember(conversation=conversation, user=recipient),
                        ]
                    )
            except IntegrityError:
                # The other person started it at the same moment; continue theirs.
                conversation = Conversation.objects.get(pair=pair)
            else:
                audit_log_record(
                    actor=sender,
                    action=CONVERSATION_START_ACTION,
                    target=conversation,
                    recipient_id=recipient.pk,
                )
        return _append(conversation=conversation, sender=sender, recipient=recipient, body=body)


def message_send(*, sender: User, conversation: Conversation, body: str) -> Message:
    """Reply in a conversation the sender takes part in; the same refusals and limits as a first message."""
    if not ConversationMember.objects.filter(conversation=conversation, user_id=sender.pk).exists():
        raise PermissionDenied(gettext("You do not take part in this conversation."))
    recipient = conversation_other(conversation=conversation, viewer=sender)
    refusal = message_refusal(sender=sender, recipient=recipient)
    if refusal is not None:
        raise PermissionDenied(refusal)
    assert recipient is not None  # message_refusal refuses a missing recipient
    body = _clean_body(body)
    with transaction.atomic():
        _lock_sender(sender)
        _check_limits(sender, new_conversation=False)
        return _append(conversation=conversation, sender=sender, recipient=recipient, body=body)


def conversation_mark_read(*, viewer: Any, conversation: Conversation) -> None:
    ConversationMember.objects.filter(conversation=conversation, user_id=viewer.pk).update(
        last_read_at=timezone.now()
    )
    _forget_unread(viewer.pk)
    # Having read the conversation, its notices in the notification centre are read too.
    notifications_mark_read_for_target(user=viewer, target=conversation)


# --- Writes: blocking ---------------------------------------------------------------------------------


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> Block:
    """`blocker` receives nothing more from `blocked`, who is not told. Blocking twice changes nothing."""
    if not is_member(blocker):
        raise PermissionDenied
    if blocker.pk == blocked.pk:
        raise ValidationError(gettext("You cannot block yourself."), code="self")
    block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    if created:
        audit_log_record(actor=blocker, action="network.block", target=blocked)
    return block


@transaction.atomic
def block_remove(*, blocker: User, blocked: User) -> bool:
    """Lift a block; True when there was one."""
    if not is_member(blocker):
        raise PermissionDenied
    deleted, _counts = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    if deleted:
        audit_log_record(actor=blocker, action="network.unblock", target=blocked)
    return bool(deleted)


# --- Writes: reports ----------------------------------------------------------------------------------


def message_report_create(
    *, reporter: User, message: Message, reason: str, comment: str = ""
) -> MessageReport:
    """Report a message of the other person to staff, once per message and reporter."""
    if (
        not is_member(reporter)
        or not ConversationMember.objects.filter(
            conversation_id=message.conversation_id, user_id=reporter.pk
        ).exists()
    ):
        raise PermissionDenied
    if message.sender_id == reporter.pk:
        raise ValidationError(gettext("You cannot report your own message."), code="own")
    if message.removed_at is not None:
        raise ValidationError(gettext("Staff have already removed this message."), code="removed")
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    if reason not in ReportReason.values:
        errors["reason"] = [gettext("Choose why you report this message.")]
    if len(comment) > REPORT_COMMENT_MAX:
        errors["comment"] = [
            gettext("The comment is too long: at most %(limit)d characters (it has %(length)d).")
            % {"limit": REPORT_COMMENT_MAX, "length": len(comment)}
        ]
    if errors:
        raise ValidationError(errors)
    duplicate = ValidationError(gettext("You have already reported this message."), code="duplicate")
    if message_report_exists(reporter=reporter, message=message):
        raise duplicate
    try:
        with transaction.atomic():
            report = MessageReport.objects.create(
                message=message, reporter=reporter, reason=reason, comment=comment
            )
            audit_log_record(
                actor=reporter, action="message.report", target=report, message_id=message.pk, reason=reason
            )
    except IntegrityError:
        raise duplicate from None
    return report


def _require_staff(staff: Any) -> None:
    if not is_programme_staff(staff):
        raise PermissionDenied


def _lock_open_report(report: MessageReport) -> MessageReport:
    locked = MessageReport.objects.select_for_update(of=("self",)).select_related("message").get(pk=report.pk)
    if locked.status != ReportStatus.OPEN:
        raise ValidationError(gettext("This report has already been handled."), code="handled")
    return locked


@transaction.atomic
def message_report_dismiss(*, staff: User, report: MessageReport) -> MessageReport:
    """Staff looked and leave the message as it is; the reporter is told."""
    _require_staff(staff)
    report = _lock_open_report(report)
    report.status = ReportStatus.DISMISSED
    report.handled_at = timezone.now()
    report.handled_by = staff
    report.save(update_fields=["status", "handled_at", "handled_by"])
    audit_log_record(
        actor=staff, action="message_report.dismiss", target=report, message_id=report.message_id
    )
    _notify_reporters([report])
    return report


@transaction.atomic
def message_report_remove(*, staff: User, report: MessageReport) -> MessageReport:
    """Staff remove the reported message; every open report of it is closed and each reporter told."""
    _require_staff(staff)
    report = _lock_open_report(report)
    now = timezone.now()
    message = report.message
    Message.objects.filter(pk=message.pk, removed_at__isnull=True).update(removed_at=now)
    message.removed_at = now
    closed = list(
        MessageReport.objects.select_for_update(of=("self",))
        .filter(message=message, status=ReportStatus.OPEN)
        .select_related("reporter", "message")
    )
    for item in closed:
        item.status = ReportStatus.REMOVED
        item.handled_at = now
        item.handled_by = staff
        audit_log_record(actor=staff, action="message_report.remove", target=item, message_id=message.pk)
    MessageReport.objects.bulk_update(closed, ["status", "handled_at", "handled_by"])
    audit_log_record(
        actor=staff,
        action="message.remove",
        target=message,
        conversation_id=message.conversation_id,
        reports=[item.pk for item in closed],
    )
    _notify_reporters(closed)
    report.refresh_from_db()
    return report


REPORT_DECISIONS: dict[str, Callable[..., MessageReport]] = {
    "dismiss": message_report_dismiss,
    "remove": message_report_remove,
}


# --- E-mail -------------------------------------------------------------------------------------------


def _language_of(user: User) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in languages else settings.LANGUAGE_CODE


def mail_name(user: User, reader: User) -> str:
    """The name an e-mail shows: what the reader would see on the site, but never drawn from an e-mail
    address (display_name falls back to the address's local part for members without a name)."""
    if user.deleted_at is None and not f"{user.first_name}{user.last_name}".strip():
        return gettext("A member of the platform")
    return person_view(user, reader).name


def _conversation_link(conversation_id: int) -> str:
    return settings.SITE_URL + reverse("network:conversation", kwargs={"pk": conversation_id})


def notice_excerpt(body: str) -> str:
    """What a message notice quotes (network/notices.py): the beginning, never a copy of a long message."""
    return body if len(body) <= NOTICE_EXCERPT else body[:NOTICE_EXCERPT].rstrip() + "…"


def _outcome_email(report: MessageReport) -> EmailMessage | None:
    reporter = report.reporter
    if reporter is None or not reporter.is_active or reporter.deleted_at is not None:
        return None
    with translation.override(_language_of(reporter)):
        context = {
            "reporter_name": mail_name(reporter, reporter),
            "removed": report.status == ReportStatus.REMOVED,
            "reported_at": report.created_at,
            "link": _conversation_link(report.message.conversation_id),
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        subject = gettext("Your report of a message on %(site)s") % {"site": settings.WAGTAIL_SITE_NAME}
        body = render_to_string("network/email/report_outcome.txt", context)
    return EmailMessage(subject=subject, body=body, to=[reporter.email])


def _notify_reporters(reports: Iterable[MessageReport]) -> None:
    emails = [email for email in (_outcome_email(report) for report in reports) if email is not None]
    if emails:
        transaction.on_commit(lambda: get_connection().send_messages(emails))
