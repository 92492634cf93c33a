"""Reporting and moderation on the site: who reaches which page, the queue, the log, the decision forms, the
controls beside posts and threads, and staff's list of every report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connective.groups.models import (
    Access,
    Group,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    Post,
    PostReport,
    PostReportStatus,
    PostStatus,
    Thread,
)
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory
from tests.practices.test_detail import client_for

pytestmark = pytest.mark.django_db

REASON = "Personal attacks are not allowed here."


@pytest.fixture
def moderator(db: Any) -> Any:
    return UserFactory(email="moderator@example.org", first_name="Moana", last_name="Derator")


@pytest.fixture
def outsider(db: Any) -> Any:
    """Signed in, and a member of another group only."""
    user = UserFactory(email="outsider@example.org", first_name="Otto", last_name="Side")
    MembershipFactory(group=GroupFactory(name="Another group", slug="another-group"), user=user)
    return user


def make_group(access: str, moderator: Any, member: Any, author: Any) -> Group:
    group = GroupFactory(name=f"The {access} group", slug=f"the-{access}-group", access=access)
    MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
    MembershipFactory(group=group, user=member)
    MembershipFactory(group=group, user=author)
    return group


@pytest.fixture
def group(moderator: Any, member: Any, author: Any) -> Group:
    return make_group(Access.CLOSED, moderator, member, author)


@pytest.fixture
def thread(group: Group, author: Any) -> Thread:
    thread = ThreadFactory(group=group, author=author, title="Cooling corridors")
    PostFactory(thread=thread, author=author, body="How do you plant shade trees?")
    return thread


@pytest.fixture
def reply(thread: Thread, author: Any) -> Post:
    return PostFactory(thread=thread, author=author, body="You all know **nothing**.")


def report_url(group: Group, post: Post) -> str:
    return reverse("groups:report", kwargs={"slug": group.slug, "pk": post.pk})


def queue_url(group: Group) -> str:
    return reverse("groups:moderation", kwargs={"slug": group.slug})


def post_action_url(group: Group, post: Post) -> str:
    return reverse("groups:moderate_post", kwargs={"slug": group.slug, "pk": post.pk})


def text_of(response: Any) -> str:
    return response.content.decode()


# --- URL names ----------------------------------------------------------------------------------------


def test_moderation_urls_are_named() -> None:
    assert reverse("groups:all_reports") == "/en/groups/reports/"
    assert reverse("groups:report", kwargs={"slug": "g", "pk": 3}) == "/en/groups/g/posts/3/report/"
    assert reverse("groups:moderation", kwargs={"slug": "g"}) == "/en/groups/g/moderation/"
    assert reverse("groups:moderation_log", kwargs={"slug": "g"}) == "/en/groups/g/moderation/log/"
    assert (
        reverse("groups:moderate_post", kwargs={"slug": "g", "pk": 3}) == "/en/groups/g/moderation/posts/3/"
    )
    assert (
        reverse("groups:moderate_thread", kwargs={"slug": "g", "pk": 3})
        == "/en/groups/g/moderation/threads/3/"
    )
    assert (
        reverse("groups:moderate_member", kwargs={"slug": "g", "user_pk": 3})
        == "/en/groups/g/moderation/members/3/"
    )


# --- Who reaches which page ---------------------------------------------------------------------------

# Readers without the right get 403; whoever may not read the group (or know it exists) gets 404.
MODERATOR_PAGE_STATUS = {
    Access.OPEN: {"visitor": 403, "outsider": 403, "member": 403, "moderator": 200, "staff": 200},
    Access.CLOSED: {"visitor": 404, "outsider": 404, "member": 403, "moderator": 200, "staff": 200},
    Access.SECRET: {"visitor": 404, "outsider": 404, "member": 403, "moderator": 200, "staff": 200},
}
PERSONAS = ["visitor", "outsider", "member", "moderator", "staff"]


def moderator_pages(group: Group, thread: Thread, post: Post, member: Any) -> list[str]:
    slug = group.slug
    return [
        reverse("groups:moderation", kwargs={"slug": slug}),
        reverse("groups:moderation_log", kwargs={"slug": slug}),
        reverse("groups:moderate_post", kwargs={"slug": slug, "pk": post.pk}),
        reverse("groups:moderate_thread", kwargs={"slug": slug, "pk": thread.pk}),
        reverse("groups:moderate_member", kwargs={"slug": slug, "user_pk": member.pk}),
    ]


@pytest.mark.parametrize("access", [Access.OPEN, Access.CLOSED, Access.SECRET])
@pytest.mark.parametrize("persona", PERSONAS)
def test_moderator_pages_answer_each_persona(
    request: Any, access: str, persona: str, moderator: Any, member: Any, author: Any, outsider: Any
) -> None:
    group = make_group(access, moderator, member, author)
    thread = ThreadFactory(group=group, author=author)
    post = PostFactory(thread=thread, author=author)
    client = client_for(request.getfixturevalue(persona))
    expected = MODERATOR_PAGE_STATUS[access][persona]
    for url in moderator_pages(group, thread, post, author):
        assert client.get(url).status_code == expected, url
    # A decision posted by someone without the right changes nothing.
    response = client.post(post_action_url(group, post), {"action": "hide", "reason": REASON})
    assert response.status_code == (expected if expected != 200 else 302)
    post.refresh_from_db()
    assert post.status == (PostStatus.HIDDEN if expected == 200 else PostStatus.PUBLISHED)


REPORT_PAGE_STATUS = {
    Access.OPEN: {"visitor": 302, "outsider": 403, "member": 200, "moderator": 200, "staff": 200},
    Access.CLOSED: {"visitor": 404, "outsider": 404, "member": 200, "moderator": 200, "staff": 200},
    Access.SECRET: {"visitor": 404, "outsider": 404, "member": 200, "moderator": 200, "staff": 200},
}


@pytest.mark.parametrize("access", [Access.OPEN, Access.CLOSED, Access.SECRET])
@pytest.mark.parametrize("persona", PERSONAS)
def test_report_page_answers_each_persona(
    request: Any, access: str, persona: str, moderator: Any, member: Any, author: Any, outsider: Any
) -> None:
    group = make_group(access, moderator, member, author)
    post = PostFactory(thread=ThreadFactory(group=group, author=author), author=author)
    response = client_for(request.getfixturevalue(persona)).get(report_url(group, post))
    assert response.status_code == REPORT_PAGE_STATUS[access][persona]
    if response.status_code == 302:
        assert response["Location"].startswith("/en/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS)
def test_all_reports_page_is_there_for_staff_only(request: Any, persona: str, outsider: Any) -> None:
    response = client_for(request.getfixturevalue(persona)).get("/en/groups/reports/")
    assert response.status_code == (200 if persona == "staff" else 404)


def test_moderator_pages_of_an_unknown_post_thread_or_member_answer_404(
    group: Group, moderator: Any, thread: Thread, outsider: Any
) -> None:
    client = client_for(moderator)
    elsewhere = PostFactory(thread=ThreadFactory(group=GroupFactory()))
    assert client.get(post_action_url(group, elsewhere)).status_code == 404
    assert (
        client.get(reverse("groups:moderate_thread", kwargs={"slug": group.slug, "pk": 999999})).status_code
        == 404
    )
    # Someone who is not a member of this group.
    url = reverse("groups:moderate_member", kwargs={"slug": group.slug, "user_pk": outsider.pk})
    assert client.get(url).status_code == 404


# --- Reporting ----------------------------------------------------------------------------------------


def test_report_page_sends_the_report_thanks_and_marks_the_post(
    group: Group,
    member: Any,
    moderator: Any,
    thread: Thread,
    reply: Post,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(report_url(group, reply), {"reason": "abuse", "comment": "Insulting."})
    assert response.status_code == 302
    assert response["Location"] == f"/en/groups/{group.slug}/posts/{reply.pk}/"
    report = PostReport.objects.get()
    assert (report.reporter, report.reason, report.comment) == (member, "abuse", "Insulting.")
    page = client.get(response["Location"], follow=True)
    html = text_of(page)
    assert "Thank you for your report." in html
    assert html.count("You reported this") == 1
    # The other post of the thread can still be reported.
    assert html.count(f"/en/groups/{group.slug}/posts/") >= 1
    assert report_url(group, thread.posts.order_by("position").first()) in html
    assert report_url(group, reply) not in html


def test_report_page_again_says_it_was_reported(group: Group, member: Any, reply: Post) -> None:
    client = client_for(member)
    client.post(report_url(group, reply), {"reason": "spam"})
    response = client.get(report_url(group, reply))
    assert "You reported this post." in text_of(response)
    assert '<form method="post" novalidate>' not in text_of(response)
    assert client.post(report_url(group, reply), {"reason": "spam"}).status_code == 400
    assert PostReport.objects.count() == 1


def test_report_page_without_a_reason_keeps_the_comment(group: Group, member: Any, reply: Post) -> None:
    response = client_for(member).post(report_url(group, reply), {"comment": "Please look at this."})
    assert response.status_code == 400
    html = text_of(response)
    assert "Choose why you report this post." in html
    assert "Please look at this." in html
    assert PostReport.objects.count() == 0


def test_report_page_of_ones_own_post_offers_no_form(group: Group, author: Any, reply: Post) -> None:
    response = client_for(author).post(report_url(group, reply), {"reason": "spam"})
    assert response.status_code == 400
    assert "This is your own post." in text_of(response)
    assert PostReport.objects.count() == 0


def test_report_page_of_a_hidden_post_answers_404(group: Group, member: Any, reply: Post) -> None:
    Post.objects.filter(pk=reply.pk).update(status=PostStatus.HIDDEN)
    assert client_for(member).get(report_url(group, reply)).status_code == 404


# --- Controls beside posts and threads ----------------------------------------------------------------


def thread_page(client: Client, thread: Thread) -> str:
    response = client.get(reverse("groups:thread", kwargs={"slug": thread.group.slug, "pk": thread.pk}))
    assert response.status_code == 200
    return text_of(response)


def test_thread_page_shows_moderators_the_hide_and_thread_controls(
    group: Group, moderator: Any, thread: Thread, reply: Post
) -> None:
    html = thread_page(client_for(moderator), thread)
    assert html.count("Hide this post") == 2
    assert "Moderate this thread" in html
    assert post_action_url(group, reply) in html
    assert reverse("groups:moderate_thread", kwargs={"slug": group.slug, "pk": thread.pk}) in html
    assert report_url(group, reply) not in html


def test_thread_page_shows_members_the_report_link_but_not_on_their_own_posts(
    group: Group, member: Any, author: Any, thread: Thread, reply: Post
) -> None:
    html = thread_page(client_for(member), thread)
    assert report_url(group, reply) in html
    assert "Hide this post" not in html
    assert "Moderate this thread" not in html
    own = thread_page(client_for(author), thread)
    assert report_url(group, reply) not in own


def test_thread_page_shows_visitors_of_an_open_group_no_controls(
    moderator: Any, member: Any, author: Any
) -> None:
    group = make_group(Access.OPEN, moderator, member, author)
    thread = ThreadFactory(group=group, author=author)
    post = PostFactory(thread=thread, author=author)
    html = thread_page(Client(), thread)
    assert report_url(group, post) not in html
    assert "Hide this post" not in html


def test_thread_page_shows_moderators_restore_for_a_hidden_post(
    group: Group, moderator: Any, thread: Thread, reply: Post
) -> None:
    Post.objects.filter(pk=reply.pk).update(status=PostStatus.HIDDEN)
    html = thread_page(client_for(moderator), thread)
    assert "Restore this post" in html


def test_thread_page_shows_moderators_approve_and_reject_for_a_held_post(
    group: Group, moderator: Any, thread: Thread
) -> None:
    newcomer = UserFactory()
    MembershipFactory(group=group, user=newcomer, approved_poster=False)
    held = PostFactory(thread=thread, author=newcomer, status=PostStatus.HELD)
    client = client_for(moderator)
    html = thread_page(client, thread)
    assert "Approve the post" in html
    assert "Do not publish the post" in html
    back = reverse("groups:thread", kwargs={"slug": group.slug, "pk": thread.pk}) + f"#post-{held.pk}"
    response = client.post(post_action_url(group, held), {"action": "approve", "reason": "", "next": back})
    assert response["Location"] == back
    held.refresh_from_db()
    assert held.status == PostStatus.PUBLISHED


def test_hide_from_the_thread_page_comes_back_to_the_post(
    group: Group, moderator: Any, author: Any, thread: Thread, reply: Post
) -> None:
    client = client_for(moderator)
    back = reverse("groups:thread", kwargs={"slug": group.slug, "pk": thread.pk}) + f"#post-{reply.pk}"
    response = client.post(post_action_url(group, reply), {"action": "hide", "reason": REASON, "next": back})
    assert response["Location"] == back
    html = thread_page(client, thread)
    assert "Restore this post" in html
    # Readers see only that a moderator hid it.
    assert "You all know" not in thread_page(client_for(author), thread)


# --- The queue ----------------------------------------------------------------------------------------


def test_queue_shows_reported_posts_with_reasons_comments_and_count(
    group: Group, moderator: Any, member: Any, thread: Thread, reply: Post
) -> None:
    other = UserFactory()
    MembershipFactory(group=group, user=other)
    client_for(member).post(report_url(group, reply), {"reason": "abuse", "comment": "Insulting the city."})
    client_for(other).post(report_url(group, reply), {"reason": "off_topic"})
    html = text_of(client_for(moderator).get(queue_url(group)))
    assert "Reported by 2 members" in html
    assert "Harassment or abuse" in html
    assert "Off topic" in html
    assert "Insulting the city." in html
    assert "<strong>nothing</strong>" in html
    # Reporters stay anonymous in the queue.
    assert member.display_name not in html
    assert "No posts are waiting for approval." in html


def test_queue_shows_held_posts_with_approve_and_reject(group: Group, moderator: Any, thread: Thread) -> None:
    newcomer = UserFactory(first_name="Nia", last_name="Newcomer")
    MembershipFactory(group=group, user=newcomer, approved_poster=False)
    held = PostFactory(thread=thread, author=newcomer, status=PostStatus.HELD, body="Hello from Tunis.")
    html = text_of(client_for(moderator).get(queue_url(group)))
    assert "Hello from Tunis." in html
    assert "Nia Newcomer" in html
    assert "Approve the post" in html
    assert html.count(post_action_url(group, held)) == 2
    assert "No open reports." in html


def test_queue_hide_from_the_queue_hides_and_comes_back(
    group: Group, moderator: Any, member: Any, reply: Post
) -> None:
    client_for(member).post(report_url(group, reply), {"reason": "abuse"})
    client = client_for(moderator)
    response = client.post(
        post_action_url(group, reply), {"action": "hide", "reason": REASON, "next": queue_url(group)}
    )
    assert response.status_code == 302
    assert response["Location"] == queue_url(group)
    reply.refresh_from_db()
    assert reply.status == PostStatus.HIDDEN
    assert PostReport.objects.get().status == PostReportStatus.UPHELD
    assert "No open reports." in text_of(client.get(queue_url(group)))


def test_queue_hide_without_a_reason_says_so_and_changes_nothing(
    group: Group, moderator: Any, reply: Post
) -> None:
    response = client_for(moderator).post(
        post_action_url(group, reply), {"action": "hide", "reason": "", "next": queue_url(group)}
    )
    assert response.status_code == 400
    html = text_of(response)
    assert "Please give a reason: the member reads it." in html
    assert '<input type="radio" name="action" value="hide" id="id_action_0" required checked>' in html
    reply.refresh_from_db()
    assert reply.status == PostStatus.PUBLISHED
    assert ModerationLogEntry.objects.count() == 0


def test_queue_dismiss_dismisses_every_report_of_the_post(
    group: Group, moderator: Any, member: Any, reply: Post
) -> None:
    client_for(member).post(report_url(group, reply), {"reason": "spam"})
    response = client_for(moderator).post(post_action_url(group, reply), {"action": "dismiss", "reason": ""})
    assert response.status_code == 302
    assert PostReport.objects.get().status == PostReportStatus.DISMISSED
    assert ModerationLogEntry.objects.get().action == ModerationAction.DISMISS_REPORT


def test_queue_reject_without_a_reason_keeps_the_post_held(
    group: Group, moderator: Any, thread: Thread
) -> None:
    newcomer = UserFactory()
    MembershipFactory(group=group, user=newcomer, approved_poster=False)
    held = PostFactory(thread=thread, author=newcomer, status=PostStatus.HELD)
    response = client_for(moderator).post(post_action_url(group, held), {"action": "reject", "reason": ""})
    assert response.status_code == 400
    held.refresh_from_db()
    assert held.status == PostStatus.HELD
    response = client_for(moderator).post(post_action_url(group, held), {"action": "approve"})
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == PostStatus.PUBLISHED


def test_moderate_post_ignores_a_next_address_on_another_site(
    group: Group, moderator: Any, reply: Post
) -> None:
    response = client_for(moderator).post(
        post_action_url(group, reply), {"action": "hide", "reason": REASON, "next": "https://evil.example/"}
    )
    assert response["Location"] == queue_url(group)


def fill_queue(group: Group, thread: Thread, count: int) -> None:
    reporters = [UserFactory() for _ in range(2)]
    for reporter in reporters:
        MembershipFactory(group=group, user=reporter)
    for number in range(count):
        post = PostFactory(thread=thread, author=thread.author, body=f"Reported post {number}")
        for reporter in reporters:
            PostReport.objects.create(
                post=post, reporter=reporter, reason="spam", comment=f"Comment {number}"
            )
        PostFactory(thread=thread, author=thread.author, status=PostStatus.HELD, body=f"Held post {number}")


def test_queue_with_50_reported_and_50_held_posts_takes_a_bounded_number_of_queries(
    group: Group, moderator: Any, thread: Thread, django_assert_max_num_queries: Any
) -> None:
    fill_queue(group, thread, 50)
    client = client_for(moderator)
    with django_assert_max_num_queries(16):
        response = client.get(queue_url(group))
    assert response.status_code == 200
    html = text_of(response)
    assert html.count("Reported by 2 members") == 20
    assert html.count('class="card held-post"') == 20
    assert "Page 1 of 3" in html
    second = client.get(queue_url(group) + "?page=3&held=2")
    assert text_of(second).count("Reported by 2 members") == 10
    assert text_of(second).count('class="card held-post"') == 20


# --- Threads and members ------------------------------------------------------------------------------


def test_moderate_thread_locks_and_pins_from_the_thread_page(
    group: Group, moderator: Any, thread: Thread
) -> None:
    url = reverse("groups:moderate_thread", kwargs={"slug": group.slug, "pk": thread.pk})
    client = client_for(moderator)
    thread_url = reverse("groups:thread", kwargs={"slug": group.slug, "pk": thread.pk})
    response = client.post(url, {"action": "lock", "reason": "", "next": thread_url})
    assert response["Location"] == thread_url
    response = client.post(url, {"action": "pin", "reason": "Read this first."})
    assert response["Location"] == thread_url
    thread.refresh_from_db()
    assert (thread.locked, thread.pinned) == (True, True)
    assert list(ModerationLogEntry.objects.values_list("action", "reason")) == [
        ("pin_thread", "Read this first."),
        ("lock_thread", ""),
    ]
    # Locking twice explains itself.
    response = client.post(url, {"action": "lock"})
    assert response.status_code == 400
    assert "This thread is already locked." in text_of(response)


def member_url(group: Group, user: Any) -> str:
    return reverse("groups:moderate_member", kwargs={"slug": group.slug, "user_pk": user.pk})


@pytest.mark.parametrize("days", [1, 7, 30])
def test_moderate_member_mutes_for_the_chosen_days(
    group: Group, moderator: Any, member: Any, days: int
) -> None:
    before = timezone.now()
    response = client_for(moderator).post(
        member_url(group, member), {"action": "mute", "days": str(days), "reason": REASON}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/groups/{group.slug}/members/"
    muted_until = Membership.objects.get(group=group, user=member).muted_until
    assert muted_until is not None
    assert before + timedelta(days=days) <= muted_until <= timezone.now() + timedelta(days=days)


def test_moderate_member_mute_without_days_or_reason_says_so(
    group: Group, moderator: Any, member: Any
) -> None:
    client = client_for(moderator)
    response = client.post(member_url(group, member), {"action": "mute", "reason": REASON})
    assert response.status_code == 400
    assert "Choose how long the member stays muted." in text_of(response)
    assert REASON in text_of(response)
    response = client.post(member_url(group, member), {"action": "mute", "days": "7", "reason": ""})
    assert response.status_code == 400
    assert "Please give a reason: the member reads it." in text_of(response)
    assert Membership.objects.get(group=group, user=member).muted_until is None


def test_moderate_member_unmute_and_remove(group: Group, moderator: Any, member: Any) -> None:
    client = client_for(moderator)
    client.post(member_url(group, member), {"action": "mute", "days": "1", "reason": REASON})
    page = text_of(client.get(member_url(group, member)))
    assert "Muted until" in page
    assert client.post(member_url(group, member), {"action": "unmute"}).status_code == 302
    assert Membership.objects.get(group=group, user=member).muted_until is None
    response = client.post(member_url(group, member), {"action": "remove", "reason": ""})
    assert response.status_code == 400
    assert Membership.objects.filter(group=group, user=member).exists()
    response = client.post(member_url(group, member), {"action": "remove", "reason": REASON})
    assert response.status_code == 302
    assert not Membership.objects.filter(group=group, user=member).exists()


def test_moderate_member_remove_of_the_last_moderator_says_why(
    group: Group, moderator: Any, staff: Any
) -> None:
    response = client_for(staff).post(member_url(group, moderator), {"action": "remove", "reason": REASON})
    assert response.status_code == 400
    assert "This is the group&#x27;s last moderator." in text_of(response)


# --- The log ------------------------------------------------------------------------------------------


def test_moderation_log_lists_who_when_what_why_with_links(
    group: Group, moderator: Any, author: Any, thread: Thread, reply: Post
) -> None:
    client = client_for(moderator)
    client.post(post_action_url(group, reply), {"action": "hide", "reason": REASON})
    client.post(
        reverse("groups:moderate_thread", kwargs={"slug": group.slug, "pk": thread.pk}), {"action": "lock"}
    )
    html = text_of(client.get(reverse("groups:moderation_log", kwargs={"slug": group.slug})))
    assert "Hid a post" in html
    assert "Locked a thread" in html
    assert REASON in html
    assert html.count("Moana Derator") == 2
    assert f'href="/en/groups/{group.slug}/posts/{reply.pk}/"' in html
    assert f'href="/en/groups/{group.slug}/threads/{thread.pk}/"' in html


def test_moderation_log_of_120_entries_is_paginated_with_a_bounded_number_of_queries(
    group: Group, moderator: Any, member: Any, thread: Thread, reply: Post, django_assert_max_num_queries: Any
) -> None:
    ModerationLogEntry.objects.bulk_create(
        ModerationLogEntry(
            group=group,
            moderator=moderator,
            action=[ModerationAction.HIDE_POST, ModerationAction.LOCK_THREAD, ModerationAction.MUTE_MEMBER][
                n % 3
            ],
            reason=f"Reason {n}",
            post=reply if n % 3 == 0 else None,
            thread=thread if n % 3 != 2 else None,
            member=member if n % 3 == 2 else None,
        )
        for n in range(120)
    )
    client = client_for(moderator)
    url = reverse("groups:moderation_log", kwargs={"slug": group.slug})
    with django_assert_max_num_queries(12):
        response = client.get(url)
    html = text_of(response)
    assert html.count("<tr>") == 51
    assert "Page 1 of 3" in html
    assert text_of(client.get(url + "?page=3")).count("<tr>") == 21


# --- Staff: every group's reports ---------------------------------------------------------------------


def test_all_reports_lists_open_reports_of_every_group_including_secret_ones(
    staff: Any, moderator: Any, member: Any, author: Any, django_assert_max_num_queries: Any
) -> None:
    secret = make_group(Access.SECRET, moderator, member, author)
    closed = GroupFactory(name="Closed circle", slug="closed-circle", access=Access.CLOSED)
    MembershipFactory(group=closed, user=member)
    for group, body in ((secret, "Secret insult"), (closed, "Closed insult")):
        post = PostFactory(thread=ThreadFactory(group=group, author=author), author=author, body=body)
        PostReport.objects.create(post=post, reporter=member, reason="abuse")
    handled = PostFactory(thread=ThreadFactory(group=closed, author=author), author=author, body="Old story")
    PostReport.objects.create(post=handled, reporter=member, reason="spam", status=PostReportStatus.DISMISSED)
    client = client_for(staff)
    with django_assert_max_num_queries(8):
        response = client.get("/en/groups/reports/")
    html = text_of(response)
    assert "Secret insult" in html
    assert "Closed insult" in html
    assert "Old story" not in html
    assert "The secret group" in html
    assert "Closed circle" in html
