"""Moderation services: reports, hiding and restoring, held posts, threads, members; each action logged,
audit-logged, and told to the member it concerns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from connective.core.models import AuditLog
from connective.groups.models import (
    Access,
    Group,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    Post,
    PostReport,
    PostReportReason,
    PostReportStatus,
    PostStatus,
    Thread,
    ThreadSubscription,
)
from connective.groups.moderation import (
    member_mute,
    member_remove,
    member_unmute,
    post_approve,
    post_hide,
    post_reject,
    post_report_create,
    post_restore,
    report_dismiss,
    thread_lock,
    thread_pin,
    thread_unlock,
    thread_unpin,
)
from connective.groups.selectors import GroupAccess, group_access
from connective.notifications.models import Notification
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

REASON = "Personal attacks are not allowed here."


def access_of(user: Any, group: Group) -> GroupAccess:
    return group_access(viewer=user, group=group)


@pytest.fixture
def group(db: Any) -> Group:
    return GroupFactory(name="Urban heat deep dive", slug="urban-heat", access=Access.CLOSED)


@pytest.fixture
def moderator(group: Group) -> Any:
    user = UserFactory(email="moderator@example.org", first_name="Moana", last_name="Derator")
    MembershipFactory(group=group, user=user, role=MemberRole.MODERATOR)
    return user


@pytest.fixture
def members(group: Group, member: Any, author: Any) -> None:
    MembershipFactory(group=group, user=member)
    MembershipFactory(group=group, user=author)


@pytest.fixture
def thread(group: Group, author: Any, members: None) -> Thread:
    thread = ThreadFactory(group=group, author=author, title="Cooling corridors")
    PostFactory(thread=thread, author=author, body="How do you plant shade trees?")
    return thread


@pytest.fixture
def reply(thread: Thread, author: Any) -> Post:
    return PostFactory(thread=thread, author=author, body="You all know nothing.")


def notices(user: Any, kind: str = "groups.moderation") -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def only_log_entry(group: Group) -> ModerationLogEntry:
    entries = list(ModerationLogEntry.objects.filter(group=group))
    assert len(entries) == 1
    return entries[0]


def count_of(thread: Thread) -> int:
    thread.refresh_from_db(fields=["post_count"])
    return thread.post_count


# --- Reports ------------------------------------------------------------------------------------------


def test_post_report_create_saves_the_report_and_tells_the_moderators(
    group: Group, moderator: Any, member: Any, reply: Post
) -> None:
    report = post_report_create(
        reporter=member, access=access_of(member, group), post=reply, reason="abuse", comment=" Rude. "
    )
    assert (report.post, report.reporter, report.reason, report.comment, report.status) == (
        reply,
        member,
        PostReportReason.ABUSE,
        "Rude.",
        PostReportStatus.OPEN,
    )
    told = notices(moderator, "groups.report")
    assert len(told) == 1
    assert told[0].target == f"groups.post:{reply.pk}"
    assert told[0].path == "/en/groups/urban-heat/moderation/"
    assert told[0].actor_id is None
    assert told[0].data["thread"] == "Cooling corridors"
    assert AuditLog.objects.filter(action="groups.report_post", object_id=str(report.pk)).count() == 1
    # Reporting is not a moderation decision.
    assert ModerationLogEntry.objects.count() == 0


def test_post_report_create_twice_is_refused(group: Group, moderator: Any, member: Any, reply: Post) -> None:
    access = access_of(member, group)
    post_report_create(reporter=member, access=access, post=reply, reason="spam")
    with pytest.raises(ValidationError) as caught:
        post_report_create(reporter=member, access=access, post=reply, reason="abuse")
    assert caught.value.code == "duplicate"
    assert PostReport.objects.count() == 1


def test_post_report_create_again_after_dismissal_is_allowed(
    group: Group, moderator: Any, member: Any, reply: Post
) -> None:
    report = post_report_create(reporter=member, access=access_of(member, group), post=reply, reason="spam")
    report_dismiss(moderator=moderator, access=access_of(moderator, group), report=report)
    post_report_create(reporter=member, access=access_of(member, group), post=reply, reason="spam")
    assert PostReport.objects.filter(status=PostReportStatus.OPEN).count() == 1


def test_post_report_create_by_a_reader_who_is_not_a_member_is_denied(author: Any) -> None:
    group = GroupFactory(access=Access.OPEN)
    thread = ThreadFactory(group=group, author=author)
    post = PostFactory(thread=thread, author=author)
    reader = UserFactory()
    with pytest.raises(PermissionDenied):
        post_report_create(reporter=reader, access=access_of(reader, group), post=post, reason="spam")
    assert PostReport.objects.count() == 0


def test_post_report_create_by_a_visitor_is_denied(group: Group, reply: Post) -> None:
    from django.contrib.auth.models import AnonymousUser

    visitor = AnonymousUser()
    with pytest.raises(PermissionDenied):
        post_report_create(reporter=visitor, access=access_of(visitor, group), post=reply, reason="spam")


def test_post_report_create_of_ones_own_post_is_refused(group: Group, author: Any, reply: Post) -> None:
    with pytest.raises(ValidationError) as caught:
        post_report_create(reporter=author, access=access_of(author, group), post=reply, reason="spam")
    assert caught.value.code == "own"


@pytest.mark.parametrize(
    ("reason", "comment", "field"),
    [("", "", "reason"), ("nonsense", "", "reason"), ("spam", "x" * 2001, "comment")],
)
def test_post_report_create_with_bad_input_saves_nothing(
    group: Group, member: Any, reply: Post, reason: str, comment: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        post_report_create(
            reporter=member, access=access_of(member, group), post=reply, reason=reason, comment=comment
        )
    assert list(caught.value.message_dict) == [field]
    assert PostReport.objects.count() == 0
    assert Notification.objects.count() == 0


def test_post_report_create_of_a_hidden_post_is_refused(
    group: Group, moderator: Any, member: Any, reply: Post
) -> None:
    post_hide(moderator=moderator, access=access_of(moderator, group), post=reply, reason=REASON)
    with pytest.raises(ValidationError) as caught:
        post_report_create(reporter=member, access=access_of(member, group), post=reply, reason="spam")
    assert caught.value.code == "state"


def test_post_report_create_in_a_group_without_moderators_tells_staff(
    staff: Any, member: Any, author: Any
) -> None:
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    thread = ThreadFactory(group=group, author=author)
    post = PostFactory(thread=thread, author=author)
    post_report_create(reporter=member, access=access_of(member, group), post=post, reason="spam")
    assert len(notices(staff, "groups.report")) == 1


# --- Hiding and restoring -----------------------------------------------------------------------------


def test_post_hide_hides_the_post_upholds_reports_logs_and_tells_the_author(
    group: Group, moderator: Any, member: Any, author: Any, thread: Thread, reply: Post
) -> None:
    report = post_report_create(reporter=member, access=access_of(member, group), post=reply, reason="abuse")
    assert count_of(thread) == 2
    post_hide(moderator=moderator, access=access_of(moderator, group), post=reply, reason=f"  {REASON} ")

    reply.refresh_from_db()
    assert reply.status == PostStatus.HIDDEN
    assert reply.moderated_by == moderator
    assert reply.moderation_reason == REASON
    assert reply.moderated_at is not None
    assert count_of(thread) == 1
    report.refresh_from_db()
    assert (report.status, report.handled_by) == (PostReportStatus.UPHELD, moderator)

    entry = only_log_entry(group)
    assert (entry.moderator, entry.action, entry.reason, entry.post, entry.thread, entry.member) == (
        moderator,
        ModerationAction.HIDE_POST,
        REASON,
        reply,
        thread,
        author,
    )
    audit = AuditLog.objects.get(action="groups.hide_post")
    assert (audit.actor, audit.object_type, audit.object_id) == (moderator, "groups.post", str(reply.pk))
    assert audit.details["reason"] == REASON

    told = notices(author)
    assert len(told) == 1
    assert told[0].data == {"group": "Urban heat deep dive", "action": "hide_post", "reason": REASON}
    assert told[0].path == f"/en/groups/urban-heat/posts/{reply.pk}/"
    # The reporter learns the outcome too.
    assert [n.data["action"] for n in notices(member)] == ["hide_post"]


def test_post_hide_tells_the_author_by_email(
    group: Group, moderator: Any, author: Any, reply: Post, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_hide(moderator=moderator, access=access_of(moderator, group), post=reply, reason=REASON)
    sent = [message for message in mail.outbox if message.to == ["author@example.org"]]
    assert len(sent) == 1
    assert REASON in sent[0].body


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_post_hide_without_a_reason_changes_nothing(
    group: Group, moderator: Any, thread: Thread, reply: Post, reason: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        post_hide(moderator=moderator, access=access_of(moderator, group), post=reply, reason=reason)
    assert list(caught.value.message_dict) == ["reason"]
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED
    assert count_of(thread) == 2
    assert ModerationLogEntry.objects.count() == 0
    assert Notification.objects.count() == 0


def test_post_hide_with_a_reason_too_long_changes_nothing(group: Group, moderator: Any, reply: Post) -> None:
    with pytest.raises(ValidationError):
        post_hide(moderator=moderator, access=access_of(moderator, group), post=reply, reason="x" * 2001)
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED


def test_post_hide_by_a_member_is_denied(group: Group, member: Any, reply: Post) -> None:
    with pytest.raises(PermissionDenied):
        post_hide(moderator=member, access=access_of(member, group), post=reply, reason=REASON)
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED


def test_post_hide_by_the_moderator_of_another_group_is_denied(group: Group, reply: Post) -> None:
    other = GroupFactory()
    stranger = UserFactory()
    MembershipFactory(group=other, user=stranger, role=MemberRole.MODERATOR)
    with pytest.raises(PermissionDenied):
        post_hide(moderator=stranger, access=access_of(stranger, other), post=reply, reason=REASON)
    with pytest.raises(PermissionDenied):
        post_hide(moderator=stranger, access=access_of(stranger, group), post=reply, reason=REASON)
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED


def test_post_hide_by_programme_staff_who_are_not_members_works(
    group: Group, staff: Any, author: Any, reply: Post
) -> None:
    post_hide(moderator=staff, access=access_of(staff, group), post=reply, reason=REASON)
    reply.refresh_from_db()
    assert reply.status == PostStatus.HIDDEN
    assert only_log_entry(group).moderator == staff
    assert len(notices(author)) == 1


def test_post_hide_of_a_hidden_post_is_refused(
    group: Group, moderator: Any, thread: Thread, reply: Post
) -> None:
    access = access_of(moderator, group)
    post_hide(moderator=moderator, access=access, post=reply, reason=REASON)
    with pytest.raises(ValidationError) as caught:
        post_hide(moderator=moderator, access=access, post=reply, reason=REASON)
    assert caught.value.code == "state"
    assert count_of(thread) == 1


def test_post_restore_publishes_the_post_again_and_tells_the_author(
    group: Group, moderator: Any, author: Any, thread: Thread, reply: Post
) -> None:
    access = access_of(moderator, group)
    post_hide(moderator=moderator, access=access, post=reply, reason=REASON)
    post_restore(moderator=moderator, access=access, post=reply)
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED
    assert reply.moderation_reason == ""
    assert count_of(thread) == 2
    assert list(ModerationLogEntry.objects.values_list("action", flat=True)) == ["restore_post", "hide_post"]
    assert AuditLog.objects.filter(action="groups.restore_post", object_id=str(reply.pk)).count() == 1
    assert [n.data["action"] for n in notices(author)] == ["hide_post", "restore_post"]


def test_post_restore_of_a_published_post_is_refused(group: Group, moderator: Any, reply: Post) -> None:
    with pytest.raises(ValidationError):
        post_restore(moderator=moderator, access=access_of(moderator, group), post=reply)
    assert ModerationLogEntry.objects.count() == 0


# --- Held posts ---------------------------------------------------------------------------------------


@pytest.fixture
def newcomer(group: Group) -> Any:
    user = UserFactory(first_name="Nia", last_name="Newcomer")
    MembershipFactory(group=group, user=user, approved_poster=False)
    return user


@pytest.fixture
def held(thread: Thread, newcomer: Any) -> Post:
    return PostFactory(thread=thread, author=newcomer, status=PostStatus.HELD, body="My first post.")


def test_post_approve_publishes_the_post_trusts_its_author_and_tells_them(
    group: Group, moderator: Any, newcomer: Any, author: Any, thread: Thread, held: Post
) -> None:
    assert count_of(thread) == 1
    post_approve(moderator=moderator, access=access_of(moderator, group), post=held)
    held.refresh_from_db()
    assert held.status == PostStatus.PUBLISHED
    assert held.moderated_by == moderator
    assert count_of(thread) == 2
    assert Membership.objects.get(group=group, user=newcomer).approved_poster is True
    entry = only_log_entry(group)
    assert (entry.action, entry.post, entry.member) == (ModerationAction.APPROVE_POST, held, newcomer)
    assert AuditLog.objects.filter(action="groups.approve_post").count() == 1
    assert [n.data["action"] for n in notices(newcomer)] == ["approve_post"]


def test_post_reject_keeps_the_post_unpublished_and_tells_the_author_why(
    group: Group, moderator: Any, newcomer: Any, thread: Thread, held: Post
) -> None:
    post_reject(moderator=moderator, access=access_of(moderator, group), post=held, reason="Advertising.")
    held.refresh_from_db()
    assert (held.status, held.moderation_reason) == (PostStatus.REJECTED, "Advertising.")
    assert count_of(thread) == 1
    assert Membership.objects.get(group=group, user=newcomer).approved_poster is False
    assert only_log_entry(group).action == ModerationAction.REJECT_POST
    told = notices(newcomer)
    assert told[0].data == {
        "group": "Urban heat deep dive",
        "action": "reject_post",
        "reason": "Advertising.",
    }


def test_post_reject_without_a_reason_changes_nothing(group: Group, moderator: Any, held: Post) -> None:
    with pytest.raises(ValidationError) as caught:
        post_reject(moderator=moderator, access=access_of(moderator, group), post=held, reason="")
    assert list(caught.value.message_dict) == ["reason"]
    held.refresh_from_db()
    assert held.status == PostStatus.HELD
    assert ModerationLogEntry.objects.count() == 0


def test_post_approve_of_a_published_post_is_refused(group: Group, moderator: Any, reply: Post) -> None:
    with pytest.raises(ValidationError) as caught:
        post_approve(moderator=moderator, access=access_of(moderator, group), post=reply)
    assert caught.value.code == "state"


def test_post_approve_by_a_member_is_denied(group: Group, member: Any, held: Post) -> None:
    with pytest.raises(PermissionDenied):
        post_approve(moderator=member, access=access_of(member, group), post=held)
    held.refresh_from_db()
    assert held.status == PostStatus.HELD


# --- Reports dismissed --------------------------------------------------------------------------------


def test_report_dismiss_closes_every_open_report_of_the_post_and_tells_the_reporters(
    group: Group, moderator: Any, member: Any, author: Any, reply: Post
) -> None:
    second = UserFactory()
    MembershipFactory(group=group, user=second)
    first_report = post_report_create(
        reporter=member, access=access_of(member, group), post=reply, reason="spam"
    )
    post_report_create(reporter=second, access=access_of(second, group), post=reply, reason="off_topic")
    report_dismiss(
        moderator=moderator, access=access_of(moderator, group), report=first_report, reason="It is on topic."
    )
    assert set(PostReport.objects.values_list("status", flat=True)) == {PostReportStatus.DISMISSED}
    assert set(PostReport.objects.values_list("handled_by", flat=True)) == {moderator.pk}
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED
    entry = only_log_entry(group)
    assert (entry.action, entry.reason, entry.post) == (
        ModerationAction.DISMISS_REPORT,
        "It is on topic.",
        reply,
    )
    assert [n.data["action"] for n in notices(member)] == ["dismiss_report"]
    assert [n.data["action"] for n in notices(second)] == ["dismiss_report"]
    # The author never learns they were reported.
    assert notices(author) == []


def test_report_dismiss_of_a_handled_report_is_refused(
    group: Group, moderator: Any, member: Any, reply: Post
) -> None:
    report = post_report_create(reporter=member, access=access_of(member, group), post=reply, reason="spam")
    access = access_of(moderator, group)
    report_dismiss(moderator=moderator, access=access, report=report)
    with pytest.raises(ValidationError):
        report_dismiss(moderator=moderator, access=access, report=report)
    assert ModerationLogEntry.objects.count() == 1


def test_report_dismiss_by_a_member_is_denied(group: Group, member: Any, reply: Post) -> None:
    report = post_report_create(reporter=member, access=access_of(member, group), post=reply, reason="spam")
    with pytest.raises(PermissionDenied):
        report_dismiss(moderator=member, access=access_of(member, group), report=report)
    report.refresh_from_db()
    assert report.status == PostReportStatus.OPEN


# --- Threads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "field", "before", "action"),
    [
        (thread_lock, "locked", False, ModerationAction.LOCK_THREAD),
        (thread_unlock, "locked", True, ModerationAction.UNLOCK_THREAD),
        (thread_pin, "pinned", False, ModerationAction.PIN_THREAD),
        (thread_unpin, "pinned", True, ModerationAction.UNPIN_THREAD),
    ],
)
def test_thread_actions_change_the_thread_log_and_tell_its_author(
    group: Group,
    moderator: Any,
    author: Any,
    thread: Thread,
    service: Any,
    field: str,
    before: bool,
    action: ModerationAction,
) -> None:
    Thread.objects.filter(pk=thread.pk).update(**{field: before})
    service(moderator=moderator, access=access_of(moderator, group), thread=thread, reason="Summer is over.")
    thread.refresh_from_db()
    assert getattr(thread, field) is (not before)
    entry = only_log_entry(group)
    assert (entry.action, entry.thread, entry.reason, entry.post) == (action, thread, "Summer is over.", None)
    assert AuditLog.objects.filter(action=f"groups.{action.value}", object_id=str(thread.pk)).count() == 1
    assert [n.data["action"] for n in notices(author)] == [action.value]
    assert notices(author)[0].path == f"/en/groups/urban-heat/threads/{thread.pk}/"


def test_thread_lock_of_a_locked_thread_is_refused(group: Group, moderator: Any, thread: Thread) -> None:
    access = access_of(moderator, group)
    thread_lock(moderator=moderator, access=access, thread=thread)
    with pytest.raises(ValidationError):
        thread_lock(moderator=moderator, access=access, thread=thread)
    assert ModerationLogEntry.objects.count() == 1


def test_thread_pin_by_a_member_is_denied(group: Group, member: Any, thread: Thread) -> None:
    with pytest.raises(PermissionDenied):
        thread_pin(moderator=member, access=access_of(member, group), thread=thread)
    thread.refresh_from_db()
    assert thread.pinned is False


def test_thread_lock_of_a_thread_of_another_group_is_denied(
    moderator: Any, group: Group, author: Any
) -> None:
    elsewhere = ThreadFactory(group=GroupFactory(), author=author)
    with pytest.raises(PermissionDenied):
        thread_lock(moderator=moderator, access=access_of(moderator, group), thread=elsewhere)
    elsewhere.refresh_from_db()
    assert elsewhere.locked is False


# --- Members ------------------------------------------------------------------------------------------


def test_member_mute_keeps_the_member_from_posting_until_then_and_tells_them(
    group: Group, moderator: Any, member: Any, members: None
) -> None:
    until = timezone.now() + timedelta(days=7)
    member_mute(
        moderator=moderator, access=access_of(moderator, group), member=member, until=until, reason=REASON
    )
    membership = Membership.objects.get(group=group, user=member)
    assert membership.muted_until == until
    assert access_of(member, group).can_post is False
    entry = only_log_entry(group)
    assert (entry.action, entry.member, entry.reason) == (ModerationAction.MUTE_MEMBER, member, REASON)
    audit = AuditLog.objects.get(action="groups.mute_member")
    assert (audit.object_type, audit.details["member_id"]) == ("groups.group", member.pk)
    told = notices(member)
    assert (told[0].data["action"], told[0].data["reason"], told[0].data["until"]) == (
        "mute_member",
        REASON,
        until.isoformat(),
    )


def test_member_mute_without_a_reason_changes_nothing(
    group: Group, moderator: Any, member: Any, members: None
) -> None:
    with pytest.raises(ValidationError) as caught:
        member_mute(
            moderator=moderator,
            access=access_of(moderator, group),
            member=member,
            until=timezone.now() + timedelta(days=1),
            reason="",
        )
    assert list(caught.value.message_dict) == ["reason"]
    assert Membership.objects.get(group=group, user=member).muted_until is None
    assert ModerationLogEntry.objects.count() == 0


def test_member_mute_until_a_past_moment_is_refused(
    group: Group, moderator: Any, member: Any, members: None
) -> None:
    with pytest.raises(ValidationError) as caught:
        member_mute(
            moderator=moderator,
            access=access_of(moderator, group),
            member=member,
            until=timezone.now() - timedelta(minutes=1),
            reason=REASON,
        )
    assert list(caught.value.message_dict) == ["until"]
    assert Membership.objects.get(group=group, user=member).muted_until is None


def test_member_mute_of_a_moderator_is_refused(group: Group, moderator: Any, staff: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        member_mute(
            moderator=staff,
            access=access_of(staff, group),
            member=moderator,
            until=timezone.now() + timedelta(days=1),
            reason=REASON,
        )
    assert caught.value.code == "protected"


def test_member_mute_of_someone_outside_the_group_is_refused(group: Group, moderator: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        member_mute(
            moderator=moderator,
            access=access_of(moderator, group),
            member=UserFactory(),
            until=timezone.now() + timedelta(days=1),
            reason=REASON,
        )
    assert caught.value.code == "state"


def test_member_mute_by_a_member_is_denied(group: Group, member: Any, author: Any, members: None) -> None:
    with pytest.raises(PermissionDenied):
        member_mute(
            moderator=member,
            access=access_of(member, group),
            member=author,
            until=timezone.now() + timedelta(days=1),
            reason=REASON,
        )
    assert Membership.objects.get(group=group, user=author).muted_until is None


def test_member_unmute_lets_the_member_post_again(
    group: Group, moderator: Any, member: Any, members: None
) -> None:
    access = access_of(moderator, group)
    member_mute(
        moderator=moderator,
        access=access,
        member=member,
        until=timezone.now() + timedelta(days=1),
        reason=REASON,
    )
    member_unmute(moderator=moderator, access=access, member=member)
    assert Membership.objects.get(group=group, user=member).muted_until is None
    assert access_of(member, group).can_post is True
    assert list(ModerationLogEntry.objects.values_list("action", flat=True)) == [
        "unmute_member",
        "mute_member",
    ]
    assert [n.data["action"] for n in notices(member)] == ["mute_member", "unmute_member"]


def test_member_unmute_of_a_member_who_is_not_muted_is_refused(
    group: Group, moderator: Any, member: Any, members: None
) -> None:
    with pytest.raises(ValidationError):
        member_unmute(moderator=moderator, access=access_of(moderator, group), member=member)
    assert ModerationLogEntry.objects.count() == 0


def test_member_remove_takes_the_member_out_counts_logs_and_tells_them(
    group: Group, moderator: Any, member: Any, thread: Thread
) -> None:
    ThreadSubscription.objects.create(thread=thread, user=member)
    before = Group.objects.get(pk=group.pk).member_count
    member_remove(moderator=moderator, access=access_of(moderator, group), member=member, reason=REASON)
    assert not Membership.objects.filter(group=group, user=member).exists()
    assert Group.objects.get(pk=group.pk).member_count == before - 1
    assert not ThreadSubscription.objects.filter(user=member).exists()
    entry = only_log_entry(group)
    assert (entry.action, entry.member, entry.reason) == (ModerationAction.REMOVE_MEMBER, member, REASON)
    assert AuditLog.objects.filter(action="groups.remove_member", object_id=str(group.pk)).count() == 1
    told = notices(member)
    assert told[0].data == {"group": "Urban heat deep dive", "action": "remove_member", "reason": REASON}
    assert told[0].path == "/en/groups/urban-heat/"
    assert access_of(member, group).can_read is False


def test_member_remove_from_a_secret_group_gives_no_link_to_it(moderator: Any, member: Any) -> None:
    secret = GroupFactory(access=Access.SECRET)
    MembershipFactory(group=secret, user=moderator, role=MemberRole.MODERATOR)
    MembershipFactory(group=secret, user=member)
    member_remove(moderator=moderator, access=access_of(moderator, secret), member=member, reason=REASON)
    assert notices(member)[0].path == ""


def test_member_remove_without_a_reason_changes_nothing(
    group: Group, moderator: Any, member: Any, members: None
) -> None:
    before = Group.objects.get(pk=group.pk).member_count
    with pytest.raises(ValidationError) as caught:
        member_remove(moderator=moderator, access=access_of(moderator, group), member=member, reason=" ")
    assert list(caught.value.message_dict) == ["reason"]
    assert Membership.objects.filter(group=group, user=member).exists()
    assert Group.objects.get(pk=group.pk).member_count == before
    assert ModerationLogEntry.objects.count() == 0


def test_member_remove_of_the_last_moderator_is_refused(group: Group, moderator: Any, staff: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        member_remove(moderator=staff, access=access_of(staff, group), member=moderator, reason=REASON)
    assert caught.value.code == "last_moderator"
    assert Membership.objects.filter(group=group, user=moderator).exists()


def test_member_remove_of_a_moderator_who_is_not_the_last_works(
    group: Group, moderator: Any, staff: Any
) -> None:
    second = UserFactory()
    MembershipFactory(group=group, user=second, role=MemberRole.MODERATOR)
    member_remove(moderator=staff, access=access_of(staff, group), member=moderator, reason=REASON)
    assert not Membership.objects.filter(group=group, user=moderator).exists()


def test_member_remove_of_programme_staff_is_refused(group: Group, moderator: Any, staff: Any) -> None:
    MembershipFactory(group=group, user=staff)
    with pytest.raises(ValidationError) as caught:
        member_remove(moderator=moderator, access=access_of(moderator, group), member=staff, reason=REASON)
    assert caught.value.code == "protected"
    assert Membership.objects.filter(group=group, user=staff).exists()


def test_member_remove_of_oneself_is_refused(group: Group, moderator: Any) -> None:
    second = UserFactory()
    MembershipFactory(group=group, user=second, role=MemberRole.MODERATOR)
    with pytest.raises(ValidationError) as caught:
        member_remove(
            moderator=moderator, access=access_of(moderator, group), member=moderator, reason=REASON
        )
    assert caught.value.code == "self"


def test_member_remove_by_a_member_is_denied(group: Group, member: Any, author: Any, members: None) -> None:
    with pytest.raises(PermissionDenied):
        member_remove(moderator=member, access=access_of(member, group), member=author, reason=REASON)
    assert Membership.objects.filter(group=group, user=author).exists()
