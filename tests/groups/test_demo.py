"""The working groups of the demo: twelve groups with discussions in six languages, loaded over the directory.

The demo is loaded once for the module (practices, directory and groups, as `make run` does) inside a
transaction rolled back at the end; each test runs in a savepoint within it. Every denormalised counter is
recomputed here from the rows it summarises.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.test import Client, override_settings
from django.urls import resolve

from connective.accounts.models import User
from connective.groups.demo_loader import (
    GROUPS_DEMO_DIR,
    check_groups_demo,
    load_groups_demo,
    read_groups_demo,
)
from connective.groups.discussions import render_post
from connective.groups.models import (
    Access,
    Group,
    Invitation,
    JoinRequest,
    LibraryItem,
    LibraryItemKind,
    MemberRole,
    Membership,
    ModerationAction,
    ModerationLogEntry,
    Post,
    PostReaction,
    PostReport,
    PostReportStatus,
    PostRevision,
    PostStatus,
    RequestStatus,
    Thread,
    ThreadSubscription,
)
from connective.groups.selectors import group_get_for, groups_visible_to
from connective.network.demo_loader import is_example_url
from connective.notifications.kinds import kind_for
from connective.notifications.models import Notification
from connective.practices.demo_loader import (
    MEMBER_EMAIL,
    STAFF_EMAIL,
    DemoDataError,
    DemoSummary,
    load_demo,
)
from connective.practices.models import PracticeStatus
from tests.factories import wagtail_roots

GROUP_FILES = sorted(GROUPS_DEMO_DIR.glob("*.json"))
RECORDS: list[dict[str, Any]] = [json.loads(path.read_text(encoding="utf-8")) for path in GROUP_FILES]
SECRET_SLUG = "steering-group-2027"


@pytest.fixture(scope="module")
def demo(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DemoSummary]:
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        wagtail_roots()
        summary = load_demo()
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo: DemoSummary, db: Any) -> DemoSummary:
    return demo


def _user(key: str) -> User:
    email = {
        "demo-member": MEMBER_EMAIL,
        "demo-staff": STAFF_EMAIL,
    }.get(key, f"{key}@demo.connective-cities.example")
    return User.objects.get(email=email)


def _counts() -> dict[str, int]:
    return {
        "groups": Group.objects.count(),
        "memberships": Membership.objects.count(),
        "threads": Thread.objects.count(),
        "posts": Post.objects.count(),
        "revisions": PostRevision.objects.count(),
        "reactions": PostReaction.objects.count(),
        "reports": PostReport.objects.count(),
        "requests": JoinRequest.objects.count(),
        "invitations": Invitation.objects.count(),
        "library": LibraryItem.objects.count(),
        "subscriptions": ThreadSubscription.objects.count(),
        "log": ModerationLogEntry.objects.count(),
        "notifications": Notification.objects.count(),
        "topics": Group.topics.through.objects.count(),
    }


def test_load_demo_builds_the_twelve_groups_of_the_files(loaded: DemoSummary) -> None:
    groups = Group.objects.order_by("pk")
    assert [group.slug for group in groups] == [record["slug"] for record in RECORDS]
    assert len(RECORDS) == 12
    assert Counter(groups.values_list("access", flat=True)) == {
        Access.OPEN: 7,
        Access.CLOSED: 4,
        Access.SECRET: 1,
    }
    assert loaded.warnings == []
    for group, record in zip(groups, RECORDS, strict=True):
        assert group.name == record["name"]
        assert group.languages == record["languages"]
        assert sorted(group.topics.values_list("slug", flat=True)) == sorted(record["topics"])
        assert (group.region.slug if group.region else None) == record["region"]
        assert group.created_by is not None and group.created_by.email == STAFF_EMAIL
        assert group.cover.name.endswith(".jpg") and group.cover.size > 10_000
        assert 3 <= group.thread_count <= 8, group.slug
        moderators = set(
            group.memberships.filter(role=MemberRole.MODERATOR).values_list("user__email", flat=True)
        )
        assert moderators == {_user(key).email for key in record["moderators"]}
    mena = Group.objects.get(slug="mena-regional-network")
    assert (mena.kind, mena.access, mena.region and mena.region.slug) == ("regional", "closed", "mena")


def test_demo_counters_equal_what_the_rows_say(loaded: DemoSummary) -> None:
    for group in Group.objects.all():
        published = Post.objects.filter(thread__group=group, status=PostStatus.PUBLISHED)
        assert group.member_count == group.memberships.count(), group.slug
        assert group.thread_count == group.threads.count(), group.slug
        assert group.last_activity_at == published.aggregate(last=Max("created_at"))["last"], group.slug
    for thread in Thread.objects.select_related("group"):
        posts = list(thread.posts.order_by("position"))
        published = [post for post in posts if post.status == PostStatus.PUBLISHED]
        assert [post.position for post in posts] == list(range(1, len(posts) + 1)), thread.title
        assert thread.next_position == len(posts) + 1, thread.title
        assert thread.post_count == len(published), thread.title
        assert thread.last_post_at == max(post.created_at for post in published), thread.title
        assert thread.created_at == posts[0].created_at, thread.title
        assert thread.author_id == posts[0].author_id, thread.title
        assert [post.created_at for post in posts] == sorted(post.created_at for post in posts)
        # Everyone who wrote in the thread follows it, as the services subscribe them.
        writers = {post.author_id for post in posts}
        assert set(thread.subscriptions.values_list("user_id", flat=True)) == writers
        for post in posts:
            assert post.body_html == render_post(post.body, thread.group)[0], post.pk
            reactions = Counter(post.reactions.values_list("reaction", flat=True))
            assert post.reaction_counts == dict(reactions), post.pk
            if post.quote_of is not None:
                assert post.quote_of.thread_id == thread.pk and post.quote_of.position < post.position


def test_demo_members_joined_before_they_took_part(loaded: DemoSummary) -> None:
    for membership in Membership.objects.select_related("group"):
        group = membership.group
        assert group.created_at <= membership.joined_at, (group.slug, membership.user_id)
        first_post = (
            Post.objects.filter(thread__group=group, author_id=membership.user_id)
            .order_by("created_at")
            .first()
        )
        if first_post is not None:
            assert membership.joined_at < first_post.created_at, (group.slug, membership.user_id)
    # Only members write, react and report in a group.
    for post in Post.objects.select_related("thread"):
        group_id = post.thread.group_id
        assert Membership.objects.filter(group_id=group_id, user_id=post.author_id).exists(), post.pk
        for user_id in post.reactions.values_list("user_id", flat=True):
            assert Membership.objects.filter(group_id=group_id, user_id=user_id).exists(), post.pk


def test_load_groups_demo_twice_changes_nothing(loaded: DemoSummary) -> None:
    before = _counts()

    again = load_groups_demo()

    assert not again.changed
    assert again.describe() == "Groups demo data already loaded."
    assert load_demo().already_loaded
    assert _counts() == before
    posts = sum(len(thread["posts"]) for record in RECORDS for thread in record["threads"])
    assert before["groups"] == 12
    assert before["threads"] == sum(len(record["threads"]) for record in RECORDS) == 54
    assert before["posts"] == posts
    assert before["memberships"] == sum(
        len(record["moderators"]) + len(record["members"]) for record in RECORDS
    )
    assert before["library"] == sum(len(record.get("library") or []) for record in RECORDS)


def test_demo_discussions_are_multilingual_and_some_discuss_practices(loaded: DemoSummary) -> None:
    bodies = list(Post.objects.values_list("body", flat=True))
    assert any("ال" in body for body in bodies)  # Arabic
    for word in ("Bonjour", "¿", "Obrigad", "Wien", "Klimapartnerschaft", "Thank you"):
        assert any(word.lower() in body.lower() for body in bodies), word
    linked = Thread.objects.filter(practice__isnull=False).select_related("practice")
    assert linked.count() == sum(
        1 for record in RECORDS for thread in record["threads"] if thread.get("practice")
    )
    assert linked.count() >= 2
    assert all(thread.practice.status == PracticeStatus.PUBLISHED for thread in linked if thread.practice)
    assert PostRevision.objects.count() == 2
    revision = PostRevision.objects.select_related("post").get(post__author__email__startswith="lan-nguyen")
    assert "14 %" in revision.body and "16 %" in revision.post.body
    assert revision.post.edited_at == revision.replaced_at
    assert revision.written_at == revision.post.created_at < revision.replaced_at


def test_demo_member_belongs_to_four_groups_and_moderates_the_heat_deep_dive(loaded: DemoSummary) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    roles = dict(Membership.objects.filter(user=member).values_list("group__slug", "role"))
    assert roles == {
        "mena-regional-network": MemberRole.MEMBER,
        "urban-heat-deep-dive": MemberRole.MODERATOR,
        "climate-adaptation-finance": MemberRole.MEMBER,
        "water-loss-reduction": MemberRole.MEMBER,
    }
    invitation = Invitation.objects.get(invitee=member)
    assert invitation.status == RequestStatus.PENDING
    assert invitation.group.slug == "women-municipal-leadership-mena"
    assert invitation.invited_by is not None and invitation.invited_by.email.startswith("rawan-odeh@")
    own_request = JoinRequest.objects.get(user=member)
    assert (own_request.group.slug, own_request.status) == ("mena-regional-network", RequestStatus.ACCEPTED)
    assert own_request.decided_at == Membership.objects.get(user=member, group=own_request.group).joined_at


def test_demo_moderation_queue_has_a_request_a_report_a_held_and_a_hidden_post(loaded: DemoSummary) -> None:
    pending = JoinRequest.objects.get(status=RequestStatus.PENDING)
    assert pending.group.slug == "urban-heat-deep-dive" and pending.group.access == Access.CLOSED
    assert pending.user.email.startswith("amina-hassan@")
    assert not Membership.objects.filter(group=pending.group, user=pending.user).exists()

    report = PostReport.objects.select_related("post__thread__group", "reporter").get()
    assert report.status == PostReportStatus.OPEN
    assert report.post.thread.group.slug == "urban-heat-deep-dive"
    assert report.post.status == PostStatus.PUBLISHED and report.post.author_id != report.reporter_id

    held = Post.objects.select_related("thread__group").get(status=PostStatus.HELD)
    assert held.thread.group.hold_first_posts
    membership = Membership.objects.get(group=held.thread.group, user_id=held.author_id)
    assert membership.approved_poster is False
    assert Membership.objects.filter(approved_poster=False).count() == 1

    hidden = Post.objects.get(status=PostStatus.HIDDEN)
    assert hidden.moderated_by is not None and hidden.moderation_reason
    entry = ModerationLogEntry.objects.get(action=ModerationAction.HIDE_POST)
    assert (entry.post_id, entry.moderator_id, entry.member_id) == (
        hidden.pk,
        hidden.moderated_by_id,
        hidden.author_id,
    )
    pinned = Thread.objects.filter(pinned=True)
    assert (
        ModerationLogEntry.objects.filter(action=ModerationAction.PIN_THREAD).count() == pinned.count() == 3
    )


def test_demo_library_holds_example_links_and_text_documents(loaded: DemoSummary) -> None:
    links = LibraryItem.objects.filter(kind=LibraryItemKind.LINK)
    documents = LibraryItem.objects.filter(kind=LibraryItemKind.DOCUMENT)
    assert links.count() >= 20 and documents.count() == 2
    assert all(is_example_url(url) for url in links.values_list("url", flat=True))
    for document in documents:
        with document.file.open("rb") as stored:
            content = stored.read()
        assert document.size == len(content) > 200
        assert document.content_type == "text/plain"
    for item in LibraryItem.objects.select_related("added_by"):
        assert Membership.objects.filter(group_id=item.group_id, user=item.added_by).exists()


def test_demo_member_notifications_are_visible_to_her_and_point_to_pages(loaded: DemoSummary) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    notifications = list(Notification.objects.filter(recipient=member))

    kinds = Counter(notification.kind for notification in notifications)
    assert kinds["groups.invitation"] == 1
    assert kinds["groups.join_request"] == 1
    assert kinds["groups.report"] == 1
    assert kinds["groups.join_decision"] == 1
    assert kinds["groups.mention"] == 1
    assert kinds["groups.reply"] >= 5 and kinds["groups.new_thread"] >= 3
    assert Notification.objects.exclude(recipient=member).count() == 0
    assert 0 < sum(1 for n in notifications if n.read_at is None) < len(notifications)
    for notification in notifications:
        kind = kind_for(notification.kind)
        assert kind is not None
        assert kind.visible([notification], member) == {notification.pk}, notification.kind
        assert resolve(notification.path).namespace == "groups", notification.path
        assert notification.actor_id != member.pk
        # Already counted as e-mailed: the demo never mails its past.
        assert notification.emailed_at is not None or notification.delivery == "never"
    mention = next(n for n in notifications if n.kind == "groups.mention")
    post = Post.objects.get(pk=int(mention.target.split(":")[1]))
    assert f'data-user="{member.pk}"' in post.body_html and "@Lina Haddad" in post.body_html


def test_demo_secret_group_is_hidden_from_visitors_and_other_members(loaded: DemoSummary) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    staff = User.objects.get(email=STAFF_EMAIL)
    insider = _user("fatou-sarr")

    assert SECRET_SLUG not in groups_visible_to(AnonymousUser()).values_list("slug", flat=True)
    assert SECRET_SLUG not in groups_visible_to(member).values_list("slug", flat=True)
    assert SECRET_SLUG in groups_visible_to(insider).values_list("slug", flat=True)
    assert groups_visible_to(staff).count() == 12
    assert groups_visible_to(AnonymousUser()).count() == 11
    with pytest.raises(Http404):
        group_get_for(viewer=AnonymousUser(), slug=SECRET_SLUG)
    with pytest.raises(Http404):
        group_get_for(viewer=member, slug=SECRET_SLUG)

    page = Client().get("/en/groups/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Steering group 2027 planning" not in text
    assert "Urban heat deep dive" in text


def test_check_groups_demo_names_every_problem(tmp_path: Path, db: Any) -> None:
    from connective.core.places import load_vocabulary

    load_vocabulary()
    broken = copy.deepcopy(RECORDS[3])
    broken["topics"] = ["heat"]
    first, second = broken["threads"][1]["posts"][:2]
    second["hours_ago"] = first["hours_ago"] + 1
    second["by"] = "someone-unknown"
    first["reactions"] = {"like": [first["by"]]}
    broken["threads"][0]["posts"][0]["quote"] = 1
    (tmp_path / "04-broken.json").write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(DemoDataError) as caught:
        check_groups_demo(read_groups_demo(tmp_path))

    assert caught.value.problems == [
        "04-broken.json: topics has unknown topic 'heat'",
        "04-broken.json thread 1 post 1: quote must be the number of an earlier post",
        "04-broken.json thread 2 post 1: like must list other members of the group, once each",
        "04-broken.json thread 2 post 2: by 'someone-unknown', who is not a member of the group",
        "04-broken.json thread 2 post 2: hours_ago must be positive, after the group's start and the post "
        "before",
    ]
