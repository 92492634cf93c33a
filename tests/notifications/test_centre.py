"""The notification centre, opening and reading notifications, the header's count, and private-message
notices arriving in the centre."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from connective.groups.models import PostStatus
from connective.groups.notices import group_scope
from connective.network.conversations import conversation_start
from connective.notifications.models import Notification
from connective.notifications.selectors import unread_count_cached
from connective.notifications.services import notify
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    PostFactory,
    ProfileFactory,
    ThreadFactory,
    UserFactory,
)
from tests.notifications.helpers import note

pytestmark = pytest.mark.django_db

CENTRE = "/en/notifications/"
BADGE = '<span class="badge">{}<span class="visually-hidden"> unread</span></span>'


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_url(row: Notification, language: str = "en") -> str:
    return f"/{language}/notifications/{row.pk}/"


def test_centre_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(CENTRE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={CENTRE}"


def test_centre_lists_own_notifications_newest_first_with_unread_marked(member: Any, author: Any) -> None:
    older = note(member, "older")
    newer = note(member, "newer")
    note(author, "for Amara only")
    Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)
    response = client_for(member).get(CENTRE)
    assert response.status_code == 200
    entries = response.context["entries"]
    assert [(entry.pk, entry.text, entry.unread) for entry in entries] == [
        (newer.pk, "Note: newer [en]", True),
        (older.pk, "Note: older [en]", False),
    ]
    html = response.content.decode()
    assert "for Amara only" not in html
    assert (
        f'<span class="status">Unread</span> <a href="{open_url(newer)}" dir="auto">Note: newer [en]</a>'
        in html
    )
    assert f'<a href="{open_url(older)}" dir="auto">Note: older [en]</a>' in html
    assert 'aria-label="Your notifications, the newest first"' in html
    assert "Mark all as read" in html


def test_centre_leaves_out_what_the_reader_may_no_longer_see_and_stops_counting_it(member: Any) -> None:
    note(member, "visible")
    hidden = note(member, "secret", hidden=True)
    client = client_for(member)
    html = client.get(CENTRE).content.decode()
    assert "Note: visible" in html
    assert "secret" not in html
    hidden.refresh_from_db()
    assert hidden.read_at is not None
    assert BADGE.format(1) in client.get(CENTRE).content.decode()


def test_centre_hides_a_group_notification_about_a_hidden_post(member: Any, author: Any) -> None:
    group = GroupFactory(name="Urban heat")
    MembershipFactory(group=group, user=member)
    post = PostFactory(thread=ThreadFactory(group=group, title="Shade maps"), author=author)
    notify(
        recipients=[member],
        kind="groups.mention",
        actor=author,
        scope=group_scope(group),
        target=post,
        data={"actor": "Amara Okafor", "group": "Urban heat", "thread": "Shade maps"},
    )
    client = client_for(member)
    assert "Amara Okafor mentioned you in “Shade maps” (Urban heat)" in client.get(CENTRE).content.decode()
    post.status = PostStatus.HIDDEN
    post.save()
    assert "mentioned you" not in client.get(CENTRE).content.decode()


def test_centre_is_paginated(member: Any) -> None:
    for number in range(27):
        note(member, f"n{number:02d}")
    client = client_for(member)
    first = client.get(CENTRE)
    assert len(first.context["entries"]) == 25
    assert first.context["entries"][0].text == "Note: n26 [en]"
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(CENTRE, {"page": 2})
    assert [entry.text for entry in second.context["entries"]] == ["Note: n01 [en]", "Note: n00 [en]"]


def test_centre_empty_says_so(member: Any) -> None:
    html = client_for(member).get(CENTRE).content.decode()
    assert "No notifications yet." in html
    assert "Mark all as read" not in html


def test_centre_has_bounded_queries(member: Any, author: Any, django_assert_max_num_queries: Any) -> None:
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    thread = ThreadFactory(group=group)
    client = client_for(member)

    def fill(count: int) -> None:
        for _ in range(count):
            note(member)
            post = PostFactory(thread=thread, author=author)
            notify(recipients=[member], kind="groups.reply", scope=group_scope(group), target=post)

    fill(2)
    # Each measured page reads the header's counts afresh (they are cached between pages).
    cache.clear()
    with django_assert_max_num_queries(14) as small:
        assert client.get(CENTRE).status_code == 200
    fill(20)
    cache.clear()
    with django_assert_max_num_queries(14) as large:
        assert client.get(CENTRE).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Opening one, reading all --------------------------------------------------------------------------


def test_open_marks_read_and_goes_to_the_subject_in_the_readers_language(member: Any) -> None:
    row = note(member, path="/fr/practices/")
    response = client_for(member).get(open_url(row, "de"))
    assert response.status_code == 302
    assert response["Location"] == "/de/practices/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_open_without_a_subject_goes_to_the_centre(member: Any) -> None:
    row = note(member, path="")
    response = client_for(member).get(open_url(row))
    assert response["Location"] == "/en/notifications/"


def test_open_never_leaves_the_site(member: Any) -> None:
    row = note(member, path="//evil.example/steal")
    response = client_for(member).get(open_url(row))
    assert response["Location"] == "/en/notifications/"


def test_open_someone_elses_notification_is_404_and_changes_nothing(member: Any, author: Any) -> None:
    theirs = note(author)
    assert client_for(member).get(open_url(theirs)).status_code == 404
    assert client_for(member).get("/en/notifications/999999/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_a_notification_about_what_the_reader_may_no_longer_see_is_404(member: Any) -> None:
    row = note(member, hidden=True)
    assert client_for(member).get(open_url(row)).status_code == 404


def test_open_by_a_visitor_is_sent_to_sign_in(member: Any) -> None:
    row = note(member)
    response = Client().get(open_url(row))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_mark_all_read_reads_only_ones_own(member: Any, author: Any) -> None:
    note(member)
    note(member)
    theirs = note(author)
    client = client_for(member)
    response = client.post("/en/notifications/read/")
    assert response.status_code == 302
    assert response["Location"] == "/en/notifications/"
    assert Notification.objects.filter(recipient=member, read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "All your notifications are marked as read." in client.get(CENTRE).content.decode()


def test_mark_all_read_by_get_is_refused(member: Any) -> None:
    note(member)
    assert client_for(member).get("/en/notifications/read/").status_code == 405
    assert Notification.objects.filter(read_at=None).count() == 1


# --- The header -------------------------------------------------------------------------------------------


def test_header_bell_shows_the_unread_count_until_read(member: Any) -> None:
    client = client_for(member)
    html = client.get("/en/practices/").content.decode()
    assert '<span class="visually-hidden">Notifications</span></a>' in html
    assert 'href="/en/notifications/"' in html
    first = note(member)
    note(member)
    assert BADGE.format(2) in client.get("/en/practices/").content.decode()
    client.get(open_url(first))
    assert BADGE.format(1) in client.get("/en/practices/").content.decode()
    client.post("/en/notifications/read/")
    assert 'class="badge"' not in client.get("/en/practices/").content.decode()


def test_header_count_is_cached_between_pages(member: Any, django_assert_num_queries: Any) -> None:
    note(member)
    assert unread_count_cached(member) == 1
    with django_assert_num_queries(0):
        assert unread_count_cached(member) == 1
    cache.clear()
    with django_assert_num_queries(1):
        assert unread_count_cached(member) == 1


def test_header_count_is_zero_for_visitors() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert unread_count_cached(AnonymousUser()) == 0


# --- Private messages arrive in the centre ------------------------------------------------------------


def test_private_message_notice_is_in_the_centre_and_read_with_the_conversation(
    member: Any, author: Any
) -> None:
    ProfileFactory(user=member, slug="mariam-haddad")
    message = conversation_start(sender=author, recipient=member, body="Hello Mariam, how is Sfax?")
    client = client_for(member)
    entries = client.get(CENTRE).context["entries"]
    assert [entry.text for entry in entries] == ["Amara Okafor wrote to you"]
    row = Notification.objects.get(recipient=member)
    assert (row.kind, row.target, row.path, row.data) == (
        "network.message",
        f"network.conversation:{message.conversation_id}",
        f"/en/messages/{message.conversation_id}/",
        {"actor": "Amara Okafor", "message": message.pk},
    )
    client.get(f"/en/messages/{message.conversation_id}/")
    row.refresh_from_db()
    assert row.read_at is not None


def test_private_message_notice_names_a_member_without_name_in_the_readers_language(member: Any) -> None:
    nameless = UserFactory(email="quiet.person@example.org", first_name="", last_name="")
    conversation_start(sender=nameless, recipient=member, body="Hello")
    assert Notification.objects.get().data["actor"] == ""
    entries = client_for(member).get(CENTRE).context["entries"]
    assert [entry.text for entry in entries] == ["A member of the platform wrote to you"]


def test_private_message_notice_disappears_when_staff_remove_the_message(member: Any, author: Any) -> None:
    from django.utils import timezone

    from connective.network.models import Message

    message = conversation_start(sender=author, recipient=member, body="Buy cheap watches")
    Message.objects.filter(pk=message.pk).update(removed_at=timezone.now())
    assert client_for(member).get(CENTRE).context["entries"] == []
