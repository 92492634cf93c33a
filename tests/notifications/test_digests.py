"""Daily and weekly digests, read from a real SMTP server: grouping, language, visibility at send time, the
cap, idempotence and bounded queries."""

from __future__ import annotations

from email.header import decode_header, make_header
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from connective.groups.models import Access, PostStatus
from connective.groups.notices import group_scope
from connective.notifications.mailing import DIGEST_LINES, send_digest_emails
from connective.notifications.models import Delivery, Notification
from connective.notifications.services import notify, preference_set
from connective.notifications.tasks import send_digests
from tests.conftest import message_text
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory
from tests.notifications.helpers import links_in, note

pytestmark = pytest.mark.django_db


def header(message: Any, name: str) -> str:
    # Long headers arrive folded over several lines.
    return " ".join(str(make_header(decode_header(message[name]))).split())


def text_of(message: Any) -> str:
    # SMTP carries CRLF line ends.
    return message_text(message).replace("\r\n", "\n")


def reply(recipient: Any, author: Any, group: Any, thread: Any, post: Any = None) -> Notification:
    """A groups.reply notification (default delivery: the daily digest) about a post in `thread`."""
    post = post or PostFactory(thread=thread, author=author)
    (row,) = notify(
        recipients=[recipient],
        kind="groups.reply",
        actor=author,
        scope=group_scope(group),
        target=post,
        path=f"/en/groups/{group.slug}/posts/{post.pk}/",
        data={"actor": "Amara Okafor", "group": group.name, "thread": thread.title},
    )
    return row


@pytest.fixture
def heat(member: Any) -> Any:
    group = GroupFactory(name="Urban heat", slug="urban-heat")
    MembershipFactory(group=group, user=member)
    return group


@pytest.fixture
def shade(heat: Any) -> Any:
    return ThreadFactory(group=heat, title="Shade maps")


def test_daily_digest_reaches_the_member_grouped_by_group_and_kind(
    member: Any, author: Any, heat: Any, shade: Any, smtp_server: Any
) -> None:
    water = GroupFactory(name="Water in cities", slug="water", access=Access.CLOSED)
    MembershipFactory(group=water, user=member)
    heat_post = PostFactory(thread=shade, author=author)
    first = reply(member, author, heat, shade, heat_post)
    second = reply(member, author, water, ThreadFactory(group=water, title="Leak detection"))
    other = note(member, "Practice approved", path="/en/practices/")
    Notification.objects.filter(pk=other.pk).update(delivery=Delivery.DAILY)

    assert send_digest_emails("daily") == 1
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    digest = received[0]
    assert header(digest, "To") == "member@example.org"
    assert header(digest, "Subject") == "Your daily digest from Connective Cities: 3 notifications"
    assert header(digest, "List-Unsubscribe").startswith(
        "<http://127.0.0.1:8000/en/notifications/unsubscribe/"
    )
    assert header(digest, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    text = text_of(digest)
    assert text.startswith(
        "Hello Mariam Haddad,\n\nHere is your daily digest from Connective Cities: 3 notifications.\n"
    )
    # Newest first: the note, then the water group, then urban heat; within each, the kind's heading.
    assert text.index("== Across the platform ==") < text.index("== Water in cities ==")
    assert text.index("== Water in cities ==") < text.index("== Urban heat ==")
    assert (
        "== Urban heat ==\n\nNew replies in threads you take part in\n"
        "- Amara Okafor replied in “Shade maps” (Urban heat)\n"
        f"  http://127.0.0.1:8000/en/groups/urban-heat/posts/{heat_post.pk}/\n"
    ) in text
    assert "- Amara Okafor replied in “Leak detection” (Water in cities)" in text
    assert "Test notes\n- Note: Practice approved [en]\n  http://127.0.0.1:8000/en/practices/\n" in text
    assert (
        "Stop e-mail about the group “Urban heat”: http://127.0.0.1:8000/en/notifications/unsubscribe/"
        in text
    )
    assert "http://127.0.0.1:8000/en/notifications/preferences/" in links_in(text)
    assert "author@example.org" not in digest.as_string()
    assert Notification.objects.filter(pk__in=[first.pk, second.pk, other.pk], emailed_at=None).count() == 0


def test_daily_digest_twice_sends_nothing_twice(
    member: Any, author: Any, heat: Any, shade: Any, smtp_server: Any
) -> None:
    reply(member, author, heat, shade)
    assert send_digest_emails("daily") == 1
    assert send_digest_emails("daily") == 0
    smtp_server.wait_for(1)
    assert len(smtp_server.messages) == 1
    # A new notification afterwards comes in the next digest, alone.
    reply(member, author, heat, shade)
    assert send_digest_emails("daily") == 1
    second = smtp_server.wait_for(2)
    assert len(second) == 2
    assert "1 notification." in text_of(second[1])


def test_daily_digest_is_written_in_the_members_language(
    member: Any, author: Any, heat: Any, shade: Any, smtp_server: Any
) -> None:
    member.language = "de"
    member.save()
    row = note(member, "Hitze", path="/en/practices/")
    Notification.objects.filter(pk=row.pk).update(delivery=Delivery.DAILY)
    reply(member, author, heat, shade)
    send_digest_emails("daily")
    text = text_of(smtp_server.wait_for(1)[0])
    assert text.startswith("Guten Tag Mariam Haddad,")
    # The kind renders while German is active; every link opens the German pages.
    assert "- Note: Hitze [de]\n  http://127.0.0.1:8000/de/practices/\n" in text
    links = links_in(text)
    assert links
    assert all(link.startswith("http://127.0.0.1:8000/de/") for link in links)


def test_daily_digest_leaves_out_a_post_hidden_before_it_is_sent(
    member: Any, author: Any, heat: Any, shade: Any, smtp_server: Any
) -> None:
    kept_post = PostFactory(thread=shade, author=author, body="Kept")
    hidden_post = PostFactory(thread=shade, author=author, body="Hidden")
    kept = reply(member, author, heat, shade, kept_post)
    hidden = reply(member, author, heat, shade, hidden_post)
    hidden_post.status = PostStatus.HIDDEN
    hidden_post.save()

    assert send_digest_emails("daily") == 1
    text = text_of(smtp_server.wait_for(1)[0])
    assert f"/posts/{kept_post.pk}/" in text
    assert f"/posts/{hidden_post.pk}/" not in text
    assert "1 notification." in text
    kept.refresh_from_db()
    hidden.refresh_from_db()
    assert kept.emailed_at is not None
    # Left out for good: set to "never" so no later digest tries it again.
    assert (hidden.delivery, hidden.emailed_at) == ("never", None)
    assert send_digest_emails("daily") == 0


def test_daily_digest_leaves_out_a_closed_group_the_member_has_left(
    member: Any, author: Any, smtp_server: Any
) -> None:
    closed = GroupFactory(name="Closed circle", access=Access.CLOSED)
    membership = MembershipFactory(group=closed, user=member)
    reply(member, author, closed, ThreadFactory(group=closed))
    membership.delete()
    assert send_digest_emails("daily") == 0
    assert smtp_server.messages == []
    assert Notification.objects.get().delivery == "never"


def test_daily_digest_is_capped_with_a_link_to_the_centre(
    member: Any, author: Any, heat: Any, shade: Any, settings: Any
) -> None:
    for number in range(DIGEST_LINES + 5):
        row = note(member, f"item {number:02d}")
        Notification.objects.filter(pk=row.pk).update(delivery=Delivery.DAILY)
    assert send_digest_emails("daily") == 1
    text = mail.outbox[0].body
    assert text.count("- Note: item") == DIGEST_LINES
    assert "- Note: item 54 [en]" in text and "- Note: item 04 [en]" not in text
    assert (
        "And 5 more notifications in your notification centre: http://127.0.0.1:8000/en/notifications/"
        in text
    )
    assert "55 notifications." in text
    assert Notification.objects.filter(emailed_at=None).count() == 0


def test_weekly_digest_sends_only_weekly_notifications(
    member: Any, author: Any, heat: Any, shade: Any
) -> None:
    preference_set(user=member, scope=group_scope(heat), delivery=Delivery.WEEKLY)
    weekly = reply(member, author, heat, shade)
    daily = note(member, "daily one")
    Notification.objects.filter(pk=daily.pk).update(delivery=Delivery.DAILY)
    assert weekly.delivery == "weekly"
    assert send_digests.enqueue("weekly").return_value == 1
    assert mail.outbox[0].subject == "Your weekly digest from Connective Cities: 1 notification"
    assert "Here is your weekly digest" in mail.outbox[0].body
    assert "daily one" not in mail.outbox[0].body
    assert Notification.objects.get(pk=daily.pk).emailed_at is None


def test_digest_follows_a_choice_changed_since_the_notification(
    member: Any, author: Any, heat: Any, shade: Any
) -> None:
    moved = reply(member, author, heat, shade)
    stopped = note(member, "general")
    Notification.objects.filter(pk=stopped.pk).update(delivery=Delivery.DAILY)
    preference_set(user=member, scope=group_scope(heat), delivery=Delivery.WEEKLY)
    preference_set(user=member, scope="", delivery=Delivery.NEVER)
    assert send_digest_emails("daily") == 0
    moved.refresh_from_db()
    stopped.refresh_from_db()
    assert (moved.delivery, moved.emailed_at) == ("weekly", None)
    assert (stopped.delivery, stopped.emailed_at) == ("never", None)
    assert send_digest_emails("weekly") == 1


def test_digest_skips_members_whose_account_is_gone(member: Any, author: Any, heat: Any, shade: Any) -> None:
    reply(member, author, heat, shade)
    member.is_active = False
    member.save()
    assert send_digest_emails("daily") == 0
    assert Notification.objects.get().delivery == "never"


def test_digest_one_email_per_member(author: Any, heat: Any, shade: Any) -> None:
    people = [UserFactory() for _ in range(3)]
    for person in people:
        MembershipFactory(group=heat, user=person)
        reply(person, author, heat, shade)
        reply(person, author, heat, shade)
    assert send_digest_emails("daily") == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert all("2 notifications." in message.body for message in mail.outbox)


def test_digest_queries_do_not_grow_with_the_number_of_notifications(
    author: Any, heat: Any, shade: Any, django_assert_max_num_queries: Any
) -> None:
    people = [UserFactory() for _ in range(2)]
    for person in people:
        MembershipFactory(group=heat, user=person)

    def fill(each: int) -> None:
        for person in people:
            for _ in range(each):
                reply(person, author, heat, shade)

    fill(1)
    with django_assert_max_num_queries(30) as small:
        assert send_digest_emails("daily") == 2
    fill(20)
    with django_assert_max_num_queries(30) as large:
        assert send_digest_emails("daily") == 2
    assert len(large.captured_queries) == len(small.captured_queries)


def test_send_digests_command_runs_the_digest(member: Any, author: Any, heat: Any, shade: Any) -> None:
    from io import StringIO

    reply(member, author, heat, shade)
    out = StringIO()
    call_command("send_digests", "daily", stdout=out)
    assert out.getvalue() == "Sent 1 daily digest(s).\n"
    assert len(mail.outbox) == 1


def test_send_digests_command_refuses_an_unknown_frequency() -> None:
    with pytest.raises(CommandError, match=r"invalid choice: 'hourly'"):
        call_command("send_digests", "hourly")


def test_send_digest_emails_refuses_an_unknown_frequency() -> None:
    with pytest.raises(ValueError, match=r"Unknown digest frequency 'immediate'"):
        send_digest_emails("immediate")
