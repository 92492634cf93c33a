"""Private conversations: the services and selectors (sending, limits, blocking, reports, notices)."""

from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from connective.accounts.models import Role
from connective.core.models import AuditLog
from connective.network.conversations import (
    CONVERSATION_START_ACTION,
    block_create,
    block_remove,
    conversation_get_for,
    conversation_mark_read,
    conversation_messages,
    conversation_start,
    inbox_entries,
    inbox_for,
    mail_name,
    message_refusal,
    message_report_create,
    message_report_dismiss,
    message_report_remove,
    message_send,
    message_views,
    unread_count,
)
from connective.network.models import (
    Block,
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
    ReportStatus,
    Visibility,
)
from tests.conftest import message_text
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

NEUTRAL = "This member does not accept messages from you."
HELLO = "Hello Amara, we would like to learn how Lagos runs its flood warnings. Could we talk next week?"


@pytest.fixture
def recipient(author: Any) -> Any:
    """The author persona (Amara Okafor) as the person written to, with a public profile."""
    ProfileFactory(user=author, slug="amara-okafor", visibility=Visibility.PUBLIC)
    return author


def start(sender: Any, recipient: Any, body: str = HELLO, captured: Any = None) -> Message:
    if captured is None:
        return conversation_start(sender=sender, recipient=recipient, body=body)
    with captured(execute=True):
        return conversation_start(sender=sender, recipient=recipient, body=body)


def header(message: Any, name: str) -> str:
    return str(make_header(decode_header(message[name])))


# --- Starting and replying ----------------------------------------------------------------------------


def test_conversation_start_creates_the_pair_conversation(member: Any, recipient: Any) -> None:
    message = start(member, recipient)
    conversation = Conversation.objects.get()
    low, high = sorted((member.pk, recipient.pk))
    assert conversation.pair == f"{low}-{high}"
    assert sorted(ConversationMember.objects.values_list("user_id", flat=True)) == sorted(
        [member.pk, recipient.pk]
    )
    assert (message.conversation, message.sender, message.body) == (conversation, member, HELLO)
    assert conversation.last_message_at == message.created_at
    entry = AuditLog.objects.get(action=CONVERSATION_START_ACTION)
    assert (entry.actor, entry.object_id, entry.details) == (
        member,
        str(conversation.pk),
        {"recipient_id": recipient.pk},
    )


def test_conversation_start_reuses_the_pair_conversation_both_ways(member: Any, recipient: Any) -> None:
    first = start(member, recipient)
    second = start(recipient, member, "Yes, gladly. Tuesday at ten?")
    third = start(member, recipient, "Tuesday works.")
    assert first.conversation_id == second.conversation_id == third.conversation_id
    assert Conversation.objects.count() == 1
    assert ConversationMember.objects.count() == 2
    assert AuditLog.objects.filter(action=CONVERSATION_START_ACTION).count() == 1


def test_conversation_start_marks_the_conversation_read_for_the_sender(member: Any, recipient: Any) -> None:
    message = start(member, recipient)
    mine = ConversationMember.objects.get(user=member)
    theirs = ConversationMember.objects.get(user=recipient)
    assert mine.last_read_at == message.created_at
    assert theirs.last_read_at is None


def test_conversation_start_keeps_the_text_as_typed_without_surrounding_blanks(
    member: Any, recipient: Any
) -> None:
    message = start(member, recipient, "  <b>Hello</b>\n\nSecond line  \n")
    assert message.body == "<b>Hello</b>\n\nSecond line"


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_conversation_start_empty_message_is_refused(member: Any, recipient: Any, body: str) -> None:
    with pytest.raises(ValidationError) as raised:
        start(member, recipient, body)
    assert raised.value.message_dict == {"body": ["Please write a message."]}
    assert Conversation.objects.count() == 0
    assert Message.objects.count() == 0


def test_conversation_start_message_over_5000_characters_is_refused(member: Any, recipient: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        start(member, recipient, "x" * 5001)
    assert raised.value.message_dict == {
        "body": ["The message is too long: at most 5000 characters (it has 5001)."]
    }
    assert Message.objects.count() == 0


def test_conversation_start_message_of_5000_characters_is_sent(member: Any, recipient: Any) -> None:
    assert len(start(member, recipient, "x" * 5000).body) == 5000


def test_conversation_start_to_yourself_is_refused(member: Any) -> None:
    with pytest.raises(PermissionDenied, match=r"You cannot write to yourself."):
        start(member, member)
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize("state", ["inactive", "deleted"])
def test_conversation_start_to_an_account_that_is_gone_is_refused_neutrally(
    member: Any, recipient: Any, state: str
) -> None:
    if state == "inactive":
        recipient.is_active = False
    else:
        recipient.deleted_at = timezone.now()
    recipient.save()
    with pytest.raises(PermissionDenied) as raised:
        start(member, recipient)
    assert str(raised.value) == NEUTRAL
    assert Message.objects.count() == 0


def test_conversation_start_by_a_visitor_is_refused(recipient: Any) -> None:
    with pytest.raises(PermissionDenied, match=r"Please sign in to send messages."):
        conversation_start(sender=AnonymousUser(), recipient=recipient, body=HELLO)  # type: ignore[arg-type]


def test_message_send_replies_in_the_conversation(member: Any, recipient: Any) -> None:
    first = start(member, recipient)
    reply = message_send(sender=recipient, conversation=first.conversation, body="Gladly.")
    assert list(Message.objects.values_list("sender_id", "body")) == [
        (member.pk, HELLO),
        (recipient.pk, "Gladly."),
    ]
    first.conversation.refresh_from_db()
    assert first.conversation.last_message_at == reply.created_at


def test_message_send_by_an_outsider_is_refused(member: Any, recipient: Any) -> None:
    conversation = start(member, recipient).conversation
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        message_send(sender=outsider, conversation=conversation, body="Let me in.")
    assert Message.objects.count() == 1


def test_message_send_when_the_other_account_was_deleted_is_refused_neutrally(
    member: Any, recipient: Any
) -> None:
    conversation = start(member, recipient).conversation
    recipient.deleted_at = timezone.now()
    recipient.save()
    with pytest.raises(PermissionDenied) as raised:
        message_send(sender=member, conversation=conversation, body="Are you there?")
    assert str(raised.value) == NEUTRAL
    assert Message.objects.count() == 1


# --- Rate limits ---------------------------------------------------------------------------------------


def test_new_conversations_are_limited_per_day(member: Any, settings: Any) -> None:
    settings.MESSAGES_NEW_CONVERSATIONS_PER_DAY = 2
    people = [UserFactory() for _ in range(3)]
    start(member, people[0])
    start(member, people[1])
    with pytest.raises(ValidationError) as raised:
        start(member, people[2])
    assert raised.value.code == "rate_limited"
    assert raised.value.messages == [
        "You have started 2 new conversations today, the most allowed. Please try again tomorrow; you can "
        "still answer the conversations you have."
    ]
    assert Conversation.objects.count() == 2
    assert Message.objects.count() == 2
    # Writing in a conversation that exists is not a new one.
    start(member, people[0], "A follow-up.")
    assert Message.objects.count() == 3


def test_new_conversations_older_than_a_day_do_not_count(member: Any, settings: Any) -> None:
    settings.MESSAGES_NEW_CONVERSATIONS_PER_DAY = 1
    start(member, UserFactory())
    AuditLog.objects.filter(action=CONVERSATION_START_ACTION).update(
        created_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    start(member, UserFactory())
    assert Conversation.objects.count() == 2


def test_new_conversations_default_limit_is_20_a_day(member: Any) -> None:
    for _ in range(20):
        start(member, UserFactory())
    with pytest.raises(ValidationError) as raised:
        start(member, UserFactory())
    assert raised.value.code == "rate_limited"
    assert Conversation.objects.count() == 20


def test_messages_are_limited_per_hour(member: Any, recipient: Any, settings: Any) -> None:
    settings.MESSAGES_SENT_PER_HOUR = 3
    conversation = start(member, recipient).conversation
    message_send(sender=member, conversation=conversation, body="Two")
    message_send(sender=member, conversation=conversation, body="Three")
    with pytest.raises(ValidationError) as raised:
        message_send(sender=member, conversation=conversation, body="Four")
    assert raised.value.code == "rate_limited"
    assert raised.value.messages == [
        "You have sent 3 messages in the last hour, the most allowed. Please try again later."
    ]
    assert Message.objects.count() == 3
    # The other person's messages do not count against the sender.
    message_send(sender=recipient, conversation=conversation, body="My reply")
    Message.objects.filter(sender=member).update(created_at=timezone.now() - timedelta(minutes=61))
    message_send(sender=member, conversation=conversation, body="Four, an hour later")
    assert Message.objects.filter(sender=member).count() == 4


def test_messages_default_limit_is_60_an_hour(member: Any, recipient: Any) -> None:
    conversation = start(member, recipient).conversation
    Message.objects.bulk_create(
        Message(conversation=conversation, sender=member, body=f"Message {number}") for number in range(59)
    )
    with pytest.raises(ValidationError) as raised:
        message_send(sender=member, conversation=conversation, body="The 61st")
    assert raised.value.code == "rate_limited"
    assert Message.objects.filter(sender=member).count() == 60


# --- Blocking -----------------------------------------------------------------------------------------


def test_block_stops_the_blocked_member_with_the_neutral_refusal(member: Any, recipient: Any) -> None:
    conversation = start(member, recipient).conversation
    block_create(blocker=recipient, blocked=member)
    with pytest.raises(PermissionDenied) as in_conversation:
        message_send(sender=member, conversation=conversation, body="Hello again")
    with pytest.raises(PermissionDenied) as anew:
        start(member, recipient, "Hello again")
    assert str(in_conversation.value) == str(anew.value) == NEUTRAL
    assert Message.objects.count() == 1


def test_block_keeps_the_blockers_conversations(member: Any, recipient: Any) -> None:
    start(member, recipient)
    block_create(blocker=recipient, blocked=member)
    rows = list(inbox_for(recipient))
    assert [row.conversation_id for row in rows] == [Conversation.objects.get().pk]
    assert rows[0].unread == 1  # type: ignore[attr-defined]


def test_block_the_blocker_may_not_write_until_they_unblock(member: Any, recipient: Any) -> None:
    conversation = start(member, recipient).conversation
    block_create(blocker=recipient, blocked=member)
    with pytest.raises(PermissionDenied, match=r"You have blocked this member. Unblock them"):
        message_send(sender=recipient, conversation=conversation, body="Wait")
    assert block_remove(blocker=recipient, blocked=member) is True
    message_send(sender=recipient, conversation=conversation, body="Sorry, let us talk.")
    message_send(sender=member, conversation=conversation, body="Thank you.")
    assert Message.objects.count() == 3


def test_block_twice_keeps_one_block_and_is_audit_logged_once(member: Any, recipient: Any) -> None:
    block_create(blocker=recipient, blocked=member)
    block_create(blocker=recipient, blocked=member)
    assert Block.objects.filter(blocker=recipient, blocked=member).count() == 1
    entry = AuditLog.objects.get(action="network.block")
    assert (entry.actor, entry.object_type, entry.object_id) == (recipient, "accounts.user", str(member.pk))


def test_unblock_without_a_block_changes_nothing(member: Any, recipient: Any) -> None:
    assert block_remove(blocker=recipient, blocked=member) is False
    assert AuditLog.objects.filter(action="network.unblock").count() == 0


def test_unblock_is_audit_logged(member: Any, recipient: Any) -> None:
    block_create(blocker=recipient, blocked=member)
    block_remove(blocker=recipient, blocked=member)
    assert Block.objects.count() == 0
    assert AuditLog.objects.filter(action="network.unblock", actor=recipient).count() == 1


def test_block_yourself_is_refused(member: Any) -> None:
    with pytest.raises(ValidationError, match=r"You cannot block yourself."):
        block_create(blocker=member, blocked=member)
    assert Block.objects.count() == 0


def test_message_refusal_is_none_between_members(member: Any, recipient: Any) -> None:
    assert message_refusal(sender=member, recipient=recipient) is None


# --- Reading: inbox, unread, conversation -------------------------------------------------------------


def test_conversation_get_for_is_404_for_outsiders_and_visitors(member: Any, recipient: Any) -> None:
    conversation = start(member, recipient).conversation
    assert conversation_get_for(viewer=member, pk=conversation.pk) == conversation
    with pytest.raises(Http404):
        conversation_get_for(viewer=UserFactory(), pk=conversation.pk)
    with pytest.raises(Http404):
        conversation_get_for(viewer=AnonymousUser(), pk=conversation.pk)
    with pytest.raises(Http404):
        conversation_get_for(viewer=member, pk=conversation.pk + 1000)


def test_unread_count_counts_conversations_with_news_in_one_query(
    member: Any, recipient: Any, django_assert_num_queries: Any
) -> None:
    other = UserFactory()
    start(recipient, member, "One")
    start(recipient, member, "Two")
    start(other, member, "Three")
    start(member, UserFactory(), "Mine only")
    with django_assert_num_queries(1):
        assert unread_count(member) == 2
    conversation_mark_read(viewer=member, conversation=Conversation.objects.get(members__user=other))
    assert unread_count(member) == 1
    assert unread_count(recipient) == 0
    assert unread_count(AnonymousUser()) == 0


def test_unread_count_ignores_removed_messages(member: Any, recipient: Any) -> None:
    start(recipient, member)
    Message.objects.update(removed_at=timezone.now())
    assert unread_count(member) == 0


def test_inbox_lists_newest_first_with_unread_counts(member: Any, recipient: Any) -> None:
    other = UserFactory(first_name="Lina", last_name="Souza")
    older = start(recipient, member, "Older").conversation
    newer = start(other, member, "Newer one").conversation
    message_send(sender=other, conversation=newer, body="Newest of all")
    rows = list(inbox_for(member))
    entries = inbox_entries(viewer=member, rows=rows)
    assert [(entry.conversation_id, entry.other_name, entry.unread, entry.preview) for entry in entries] == [
        (newer.pk, "Lina Souza", 2, "Newest of all"),
        (older.pk, "Amara Okafor", 1, "Older"),
    ]
    message_send(sender=member, conversation=older, body="My answer")
    first = inbox_entries(viewer=member, rows=inbox_for(member))[0]
    assert (first.conversation_id, first.unread, first.last_is_mine) == (older.pk, 0, True)


def test_inbox_shows_a_hidden_profile_by_name_without_link(member: Any, recipient: Any) -> None:
    hidden = UserFactory(first_name="Noor", last_name="Saleh")
    ProfileFactory(user=hidden, visibility=Visibility.HIDDEN)
    start(hidden, member)
    start(recipient, member)
    entries = {entry.other_name: entry for entry in inbox_entries(viewer=member, rows=inbox_for(member))}
    assert entries["Noor Saleh"].other is not None
    assert entries["Noor Saleh"].other.url is None
    assert entries["Amara Okafor"].other is not None
    assert entries["Amara Okafor"].other.url == "/en/people/amara-okafor/"


def test_inbox_entries_use_a_fixed_number_of_queries(member: Any, django_assert_max_num_queries: Any) -> None:
    for _ in range(12):
        ProfileFactory(user=(person := UserFactory()))
        start(person, member)
    rows = list(inbox_for(member)[:25])
    with django_assert_max_num_queries(6):
        entries = inbox_entries(viewer=member, rows=rows)
    assert len(entries) == 12


def test_message_views_name_former_members_and_hide_removed_text(member: Any, recipient: Any) -> None:
    conversation = start(member, recipient).conversation
    gone = message_send(sender=recipient, conversation=conversation, body="Rude words")
    Message.objects.filter(pk=gone.pk).update(removed_at=timezone.now())
    orphan = Message.objects.create(conversation=conversation, sender=None, body="From an erased account")
    messages = list(conversation_messages(conversation))
    views = message_views(viewer=member, messages=messages, other=None, other_id=recipient.pk)
    assert [(view.sender_name, view.body, view.is_removed, view.can_report) for view in views] == [
        ("You", HELLO, False, False),
        ("Former member", "", True, False),
        ("Former member", "From an erased account", False, True),
    ]
    assert views[2].pk == orphan.pk


def test_message_views_mark_what_the_viewer_reported(member: Any, recipient: Any) -> None:
    message = start(recipient, member)
    message_report_create(reporter=member, message=message, reason="spam")
    view = message_views(viewer=member, messages=[message], other=None, other_id=recipient.pk)[0]
    assert (view.reported, view.can_report) == (True, False)


# --- E-mail notice ------------------------------------------------------------------------------------


def test_notice_reaches_the_recipient_without_addresses_and_with_the_link(
    member: Any, recipient: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    recipient.language = "de"
    recipient.save()
    long_text = "A" * 150 + "B" * 50 + "SECRET-TAIL" + "C" * 100
    message = start(member, recipient, long_text, django_capture_on_commit_callbacks)
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    notice = received[0]
    assert notice["To"] == "author@example.org"
    assert notice["Reply-To"] is None
    assert "member@example.org" not in notice.as_string()
    assert "Mariam Haddad" in header(notice, "Subject")
    body = message_text(notice)
    assert "author@example.org" not in body
    assert "A" * 150 + "B" * 50 in body
    assert "SECRET-TAIL" not in body
    # In the recipient's language: the link opens the German page.
    assert f"http://127.0.0.1:8000/de/messages/{message.conversation_id}/" in body


def test_notice_names_a_member_without_name_without_their_address(
    recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    nameless = UserFactory(email="quiet.person@example.org", first_name="", last_name="")
    start(nameless, recipient, HELLO, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert "quiet.person" not in mail.outbox[0].message().as_string()
    assert "A member of the platform" in mail.outbox[0].subject
    assert mail_name(nameless, recipient) == "A member of the platform"


def test_notice_is_sent_once_per_unread_stretch(
    member: Any, recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    conversation = start(member, recipient, HELLO, django_capture_on_commit_callbacks).conversation
    with django_capture_on_commit_callbacks(execute=True):
        message_send(sender=member, conversation=conversation, body="And one more thing.")
    assert [item.to for item in mail.outbox] == [["author@example.org"]]
    conversation_mark_read(viewer=recipient, conversation=conversation)
    with django_capture_on_commit_callbacks(execute=True):
        message_send(sender=member, conversation=conversation, body="Did you see this?")
    assert [item.to for item in mail.outbox] == [["author@example.org"], ["author@example.org"]]


def test_notice_is_not_sent_for_a_refused_message(
    member: Any, recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    block_create(blocker=recipient, blocked=member)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        start(member, recipient)
    assert mail.outbox == []


# --- Reports ------------------------------------------------------------------------------------------


@pytest.fixture
def reported(member: Any, recipient: Any) -> MessageReport:
    """Amara wrote to Mariam, who reports the message as spam."""
    message = start(recipient, member, "Buy cheap solar panels at example.com!")
    return message_report_create(reporter=member, message=message, reason="spam", comment="Advertising.")


def test_report_is_recorded_and_audit_logged(reported: MessageReport, member: Any) -> None:
    assert (reported.reporter, reported.reason, reported.comment, reported.status) == (
        member,
        "spam",
        "Advertising.",
        ReportStatus.OPEN,
    )
    entry = AuditLog.objects.get(action="message.report")
    assert (entry.actor, entry.object_id, entry.details) == (
        member,
        str(reported.pk),
        {"message_id": reported.message_id, "reason": "spam"},
    )


def test_report_twice_is_refused(reported: MessageReport, member: Any) -> None:
    with pytest.raises(ValidationError, match=r"You have already reported this message."):
        message_report_create(reporter=member, message=reported.message, reason="fraud")
    assert MessageReport.objects.count() == 1


def test_report_of_your_own_message_is_refused(member: Any, recipient: Any) -> None:
    message = start(member, recipient)
    with pytest.raises(ValidationError, match=r"You cannot report your own message."):
        message_report_create(reporter=member, message=message, reason="spam")
    assert MessageReport.objects.count() == 0


def test_report_by_an_outsider_is_refused(member: Any, recipient: Any) -> None:
    message = start(member, recipient)
    with pytest.raises(PermissionDenied):
        message_report_create(reporter=UserFactory(), message=message, reason="spam")
    assert MessageReport.objects.count() == 0


@pytest.mark.parametrize(
    ("reason", "comment", "errors"),
    [
        ("", "", {"reason": ["Choose why you report this message."]}),
        ("because", "", {"reason": ["Choose why you report this message."]}),
        (
            "other",
            "c" * 2001,
            {"comment": ["The comment is too long: at most 2000 characters (it has 2001)."]},
        ),
    ],
)
def test_report_bad_input_is_refused(
    member: Any, recipient: Any, reason: str, comment: str, errors: dict[str, list[str]]
) -> None:
    message = start(recipient, member)
    with pytest.raises(ValidationError) as raised:
        message_report_create(reporter=member, message=message, reason=reason, comment=comment)
    assert raised.value.message_dict == errors
    assert MessageReport.objects.count() == 0


def test_report_dismiss_by_staff_records_logs_and_tells_the_reporter(
    reported: MessageReport, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message_report_dismiss(staff=staff, report=reported)
    reported.refresh_from_db()
    assert (reported.status, reported.handled_by) == (ReportStatus.DISMISSED, staff)
    assert reported.handled_at is not None
    assert Message.objects.get(pk=reported.message_id).removed_at is None
    entry = AuditLog.objects.get(action="message_report.dismiss")
    assert (entry.actor, entry.object_id) == (staff, str(reported.pk))
    assert [item.to for item in mail.outbox] == [["member@example.org"]]
    assert "decided not to remove it" in mail.outbox[0].body


def test_report_remove_by_staff_removes_the_message_and_closes_every_report(
    reported: MessageReport, staff: Any, recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Conversations have two members; a third is added directly so that one message gets two reports.
    other_reporter = UserFactory(email="second@example.org")
    ConversationMember.objects.create(conversation_id=reported.message.conversation_id, user=other_reporter)
    second = message_report_create(reporter=other_reporter, message=reported.message, reason="fraud")
    with django_capture_on_commit_callbacks(execute=True):
        message_report_remove(staff=staff, report=reported)
    message = Message.objects.get(pk=reported.message_id)
    assert message.removed_at is not None
    assert sorted(MessageReport.objects.values_list("status", flat=True)) == [
        ReportStatus.REMOVED,
        ReportStatus.REMOVED,
    ]
    assert AuditLog.objects.filter(action="message_report.remove", actor=staff).count() == 2
    removal = AuditLog.objects.get(action="message.remove")
    assert (removal.actor, removal.object_id) == (staff, str(message.pk))
    assert sorted(removal.details["reports"]) == sorted([reported.pk, second.pk])
    assert sorted(item.to[0] for item in mail.outbox) == ["member@example.org", "second@example.org"]
    assert "Staff have removed the message" in mail.outbox[0].body
    assert "Buy cheap solar panels" not in mail.outbox[0].body


def test_report_handled_twice_is_refused(reported: MessageReport, staff: Any) -> None:
    message_report_dismiss(staff=staff, report=reported)
    with pytest.raises(ValidationError, match=r"This report has already been handled."):
        message_report_remove(staff=staff, report=reported)
    assert Message.objects.get(pk=reported.message_id).removed_at is None


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EDITOR])
def test_report_decisions_are_refused_to_members_and_editors(
    reported: MessageReport, role: str, editor: Any, member: Any
) -> None:
    actor = editor if role == Role.EDITOR else member
    with pytest.raises(PermissionDenied):
        message_report_remove(staff=actor, report=reported)
    with pytest.raises(PermissionDenied):
        message_report_dismiss(staff=actor, report=reported)
    reported.refresh_from_db()
    assert reported.status == ReportStatus.OPEN
    assert Message.objects.get(pk=reported.message_id).removed_at is None


def test_report_of_a_removed_message_is_refused(reported: MessageReport, staff: Any, recipient: Any) -> None:
    message_report_remove(staff=staff, report=reported)
    third = UserFactory()
    ConversationMember.objects.create(conversation_id=reported.message.conversation_id, user=third)
    message = Message.objects.get(pk=reported.message_id)
    with pytest.raises(ValidationError, match=r"Staff have already removed this message."):
        message_report_create(reporter=third, message=message, reason="spam")
