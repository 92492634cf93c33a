"""Group discussions: the services (threads, replies, editing, quoting, mentions, reactions, subscriptions,
held posts) and the rules they enforce. Pages are in test_thread_pages.py, files in test_attachments.py."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from connective.core.models import AuditLog
from connective.groups.discussions import (
    BODY_MAX,
    post_create,
    post_edit,
    post_published_effects,
    reaction_toggle,
    render_post,
    thread_create,
    thread_subscription_set,
)
from connective.groups.models import (
    Access,
    Group,
    MemberRole,
    Membership,
    Post,
    PostReaction,
    PostRevision,
    PostStatus,
    Thread,
    ThreadSubscription,
)
from connective.groups.selectors import GroupAccess, group_access
from connective.network.models import Visibility
from connective.notifications.models import Notification
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    PostFactory,
    PracticeFactory,
    ProfileFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OPENING = "We started a heat action plan in Amman. What did your city do first?"


# --- Fixtures shared with test_thread_pages.py and test_attachments.py --------------------------------


@pytest.fixture
def moderator(db: Any) -> Any:
    return UserFactory(email="moderator@example.org", first_name="Moana", last_name="Derat")


@pytest.fixture
def outsider(db: Any) -> Any:
    """A member of the platform and of another group, not of the one tested."""
    user = UserFactory(email="outsider@example.org", first_name="Otto", last_name="Sider")
    MembershipFactory(user=user, group=GroupFactory(name="Another group", slug="another-group"))
    return user


def make_group(access: str, *, member: Any, moderator: Any, **fields: Any) -> Group:
    group = GroupFactory(access=access, name=f"Urban heat ({access})", slug=f"urban-heat-{access}", **fields)
    MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
    MembershipFactory(group=group, user=member)
    group.refresh_from_db()
    return group


def access_of(user: Any, group: Group) -> GroupAccess:
    group.refresh_from_db()
    return group_access(viewer=user, group=group)


@pytest.fixture
def open_group(member: Any, moderator: Any) -> Group:
    return make_group(Access.OPEN, member=member, moderator=moderator)


@pytest.fixture
def closed_group(member: Any, moderator: Any) -> Group:
    return make_group(Access.CLOSED, member=member, moderator=moderator)


def start(group: Group, author: Any, *, title: str = "Heat action plans", body: str = OPENING) -> Thread:
    return thread_create(author=author, access=access_of(author, group), title=title, body=body)


def notifications(kind: str) -> list[tuple[int, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", "path"))


def recipients(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


# --- Starting a thread --------------------------------------------------------------------------------


def test_thread_create_member_publishes_opening_post_and_counts(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)

    post = Post.objects.get(thread=thread)
    assert (thread.title, thread.author_id, thread.post_count, thread.next_position) == (
        "Heat action plans",
        member.pk,
        1,
        2,
    )
    assert (post.position, post.status, post.body) == (1, PostStatus.PUBLISHED, OPENING)
    assert post.body_html == f"<p>{OPENING}</p>\n"
    open_group.refresh_from_db()
    assert open_group.thread_count == 1
    assert open_group.last_activity_at is not None
    assert thread.last_post_at == open_group.last_activity_at
    assert list(ThreadSubscription.objects.values_list("thread_id", "user_id")) == [(thread.pk, member.pk)]


def test_thread_create_tells_the_other_members(open_group: Group, member: Any, moderator: Any) -> None:
    thread = start(open_group, member)

    post = Post.objects.get(thread=thread)
    assert notifications("groups.new_thread") == [
        (moderator.pk, f"/en/groups/urban-heat-open/posts/{post.pk}/")
    ]
    notice = Notification.objects.get(kind="groups.new_thread")
    assert notice.data == {
        "actor": "Mariam Haddad",
        "group": "Urban heat (open)",
        "thread": "Heat action plans",
    }
    assert (notice.actor_id, notice.scope, notice.target) == (
        member.pk,
        f"group:{open_group.pk}",
        f"groups.post:{post.pk}",
    )


def test_thread_create_with_a_practice_links_it(
    open_group: Group, member: Any, published_practice: Any
) -> None:
    thread = thread_create(
        author=member,
        access=access_of(member, open_group),
        title="Lights",
        body="See the practice.",
        practice=published_practice,
    )
    assert thread.practice_id == published_practice.pk


def test_thread_create_with_an_unpublished_practice_is_refused(open_group: Group, member: Any) -> None:
    draft = PracticeFactory(status="draft")
    with pytest.raises(ValidationError) as error:
        thread_create(
            author=member, access=access_of(member, open_group), title="T", body="B", practice=draft
        )
    assert error.value.message_dict == {"practice": ["Choose a published good practice."]}
    assert Thread.objects.count() == 0


@pytest.mark.parametrize(
    ("title", "body", "errors"),
    [
        ("Heat", "   \n\t  ", {"body": ["Please write something."]}),
        ("Heat", "", {"body": ["Please write something."]}),
        ("  ", OPENING, {"title": ["Please give the thread a title."]}),
        ("x" * 201, OPENING, {"title": ["The title is too long: at most 200 characters (it has 201)."]}),
        (
            "Heat",
            "x" * 20_000,
            {"body": [f"The text is too long: at most {BODY_MAX} characters (it has 20000)."]},
        ),
        (
            "",
            "",
            {"title": ["Please give the thread a title."], "body": ["Please write something."]},
        ),
    ],
)
def test_thread_create_bad_input_is_refused_and_nothing_saved(
    open_group: Group, member: Any, title: str, body: str, errors: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as error:
        thread_create(author=member, access=access_of(member, open_group), title=title, body=body)

    assert error.value.message_dict == errors
    assert (Thread.objects.count(), Post.objects.count(), Notification.objects.count()) == (0, 0, 0)
    open_group.refresh_from_db()
    assert open_group.thread_count == 0


def test_thread_create_title_of_200_characters_is_accepted(open_group: Group, member: Any) -> None:
    thread = start(open_group, member, title="t" * 200)
    assert len(thread.title) == 200


def test_thread_create_outsider_of_an_open_group_is_refused(open_group: Group, outsider: Any) -> None:
    with pytest.raises(PermissionDenied) as error:
        start(open_group, outsider)
    assert str(error.value) == "Only members of the group take part in its discussions."
    assert Thread.objects.count() == 0


def test_thread_create_visitor_is_refused(open_group: Group) -> None:
    with pytest.raises(PermissionDenied):
        thread_create(author=None, access=access_of(None, open_group), title="T", body="B")  # type: ignore[arg-type]
    assert Thread.objects.count() == 0


def test_thread_create_muted_member_is_refused(open_group: Group, member: Any) -> None:
    Membership.objects.filter(group=open_group, user=member).update(
        muted_until=timezone.now() + timedelta(days=2)
    )

    with pytest.raises(PermissionDenied) as error:
        start(open_group, member)
    assert str(error.value).startswith("A moderator has muted you in this group until ")
    assert Thread.objects.count() == 0


def test_thread_create_after_the_mute_ended_is_allowed(open_group: Group, member: Any) -> None:
    Membership.objects.filter(group=open_group, user=member).update(
        muted_until=timezone.now() - timedelta(minutes=1)
    )
    assert start(open_group, member).post_count == 1


def test_thread_create_in_an_archived_group_is_refused(open_group: Group, member: Any, staff: Any) -> None:
    Group.objects.filter(pk=open_group.pk).update(archived_at=timezone.now())

    for person in (member, staff):
        with pytest.raises(PermissionDenied) as error:
            start(open_group, person)
        assert str(error.value) == "This group is archived: its discussions can be read but not continued."
    assert Thread.objects.count() == 0


def test_thread_create_staff_who_are_not_members_may_post(closed_group: Group, staff: Any) -> None:
    assert start(closed_group, staff).post_count == 1


def test_thread_create_with_an_access_of_someone_else_is_refused(
    open_group: Group, member: Any, outsider: Any
) -> None:
    with pytest.raises(PermissionDenied):
        thread_create(author=outsider, access=access_of(member, open_group), title="T", body="B")
    assert Thread.objects.count() == 0


# --- Markdown -----------------------------------------------------------------------------------------


def test_post_markdown_script_is_inert(open_group: Group, member: Any) -> None:
    body = (
        "Hello <script>alert('x')</script> and <img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1)) **bold**"
    )
    thread = start(open_group, member, body=body)

    post = Post.objects.get(thread=thread)
    assert post.body == body
    assert "<script" not in post.body_html
    assert "<img" not in post.body_html
    assert "<a" not in post.body_html
    assert "[click](javascript:alert(1))" in post.body_html
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in post.body_html
    assert "<strong>bold</strong>" in post.body_html


def test_post_markdown_headings_start_at_level_three(open_group: Group, member: Any) -> None:
    thread = start(open_group, member, body="# Big\n\ntext")
    assert Post.objects.get(thread=thread).body_html == "<h3>Big</h3>\n<p>text</p>\n"


# --- Replies ------------------------------------------------------------------------------------------


def test_post_create_takes_the_next_position_and_counts(
    open_group: Group, member: Any, moderator: Any
) -> None:
    thread = start(open_group, member)

    first = post_create(author=moderator, access=access_of(moderator, open_group), thread=thread, body="One")
    second = post_create(author=member, access=access_of(member, open_group), thread=thread, body="Two")

    assert (first.position, second.position) == (2, 3)
    thread.refresh_from_db()
    assert (thread.post_count, thread.next_position) == (3, 4)
    assert list(Post.objects.filter(thread=thread).values_list("position", flat=True)) == [1, 2, 3]


def test_post_create_notifies_followers_but_not_the_writer(
    open_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    MembershipFactory(group=open_group, user=author)
    thread = start(open_group, member)
    Notification.objects.all().delete()

    reply = post_create(
        author=moderator, access=access_of(moderator, open_group), thread=thread, body="Shade first."
    )

    # The thread's author follows it; the moderator now follows it too but wrote the reply.
    assert notifications("groups.reply") == [(member.pk, f"/en/groups/urban-heat-open/posts/{reply.pk}/")]
    assert set(ThreadSubscription.objects.filter(thread=thread).values_list("user_id", flat=True)) == {
        member.pk,
        moderator.pk,
    }
    post_create(author=member, access=access_of(member, open_group), thread=thread, body="Thanks!")
    assert recipients("groups.reply") == {member.pk, moderator.pk}


def test_post_create_does_not_notify_followers_who_left_a_closed_group(
    closed_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    MembershipFactory(group=closed_group, user=author)
    thread = start(closed_group, member)
    thread_subscription_set(
        user=author, access=access_of(author, closed_group), thread=thread, subscribed=True
    )
    Membership.objects.filter(group=closed_group, user=author).delete()

    post_create(author=moderator, access=access_of(moderator, closed_group), thread=thread, body="Update.")

    assert recipients("groups.reply") == {member.pk}


def test_post_create_in_a_locked_thread_is_refused_to_members(
    open_group: Group, member: Any, moderator: Any
) -> None:
    thread = start(open_group, member)
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    thread.refresh_from_db()

    with pytest.raises(PermissionDenied) as error:
        post_create(author=member, access=access_of(member, open_group), thread=thread, body="Still here")
    assert str(error.value) == "This thread is locked: a moderator closed it to new replies."
    assert Post.objects.filter(thread=thread).count() == 1

    post = post_create(
        author=moderator, access=access_of(moderator, open_group), thread=thread, body="Closing note"
    )
    assert post.position == 2


def test_post_create_locked_after_the_page_was_read_is_refused(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)
    # The thread was read unlocked; a moderator locks it before the reply arrives.
    Thread.objects.filter(pk=thread.pk).update(locked=True)

    with pytest.raises(PermissionDenied):
        post_create(author=member, access=access_of(member, open_group), thread=thread, body="Late")
    assert Post.objects.filter(thread=thread).count() == 1


def test_post_create_in_a_thread_of_another_group_is_refused(
    open_group: Group, member: Any, moderator: Any
) -> None:
    other = make_group(Access.CLOSED, member=UserFactory(), moderator=UserFactory())
    thread = ThreadFactory(group=other)

    with pytest.raises(PermissionDenied):
        post_create(author=member, access=access_of(member, open_group), thread=thread, body="Hello")
    assert Post.objects.count() == 0


def test_post_create_empty_reply_is_refused_and_nothing_saved(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)
    Notification.objects.all().delete()

    with pytest.raises(ValidationError) as error:
        post_create(author=member, access=access_of(member, open_group), thread=thread, body=" \r\n ")
    assert error.value.message_dict == {"body": ["Please write something."]}
    thread.refresh_from_db()
    assert (thread.post_count, thread.next_position, Post.objects.count()) == (1, 2, 1)
    assert Notification.objects.count() == 0


def test_post_positions_cannot_repeat(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.create(thread=thread, author=member, position=1, body="Again", body_html="<p>Again</p>")


def test_post_create_twice_quickly_gets_distinct_positions(
    open_group: Group, member: Any, moderator: Any
) -> None:
    thread = start(open_group, member)
    positions = [
        post_create(
            author=person, access=access_of(person, open_group), thread=thread, body=f"Reply {n}"
        ).position
        for n, person in enumerate([member, moderator, member, moderator])
    ]
    assert positions == [2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers (PostgreSQL)")
def test_post_create_concurrent_replies_never_share_a_position(member: Any, moderator: Any) -> None:
    group = make_group(Access.OPEN, member=member, moderator=moderator)
    thread = start(group, member)
    writers = [UserFactory() for _ in range(6)]
    for writer in writers:
        MembershipFactory(group=group, user=writer)
    barrier = threading.Barrier(len(writers))
    failures: list[BaseException] = []

    def write(writer: Any) -> None:
        try:
            access = access_of(writer, Group.objects.get(pk=group.pk))
            barrier.wait()
            post_create(author=writer, access=access, thread=thread, body=f"From {writer.pk}")
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(writer,)) for writer in writers]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    positions = sorted(Post.objects.filter(thread=thread).values_list("position", flat=True))
    assert positions == [1, 2, 3, 4, 5, 6, 7]
    thread.refresh_from_db()
    assert (thread.post_count, thread.next_position) == (7, 8)


# --- Quoting ------------------------------------------------------------------------------------------


def test_post_create_quote_of_a_post_of_the_thread(open_group: Group, member: Any, moderator: Any) -> None:
    thread = start(open_group, member)
    opening = Post.objects.get(thread=thread)

    reply = post_create(
        author=moderator,
        access=access_of(moderator, open_group),
        thread=thread,
        body="Agreed",
        quote_of=opening,
    )
    assert reply.quote_of_id == opening.pk


def test_post_create_quote_of_another_thread_or_a_hidden_post_is_refused(
    open_group: Group, member: Any, moderator: Any
) -> None:
    thread = start(open_group, member)
    elsewhere = Post.objects.get(thread=start(open_group, member, title="Other"))
    hidden = PostFactory(thread=thread, author=moderator, status=PostStatus.HIDDEN)

    for quoted in (elsewhere, hidden):
        with pytest.raises(ValidationError) as error:
            post_create(
                author=member, access=access_of(member, open_group), thread=thread, body="Hm", quote_of=quoted
            )
        assert error.value.message_dict == {
            "quote_of": ["You can quote only a published post of this thread."]
        }
    assert Post.objects.filter(thread=thread).count() == 2


# --- Mentions -----------------------------------------------------------------------------------------


def test_mention_of_a_member_links_and_notifies(closed_group: Group, member: Any, moderator: Any) -> None:
    ProfileFactory(user=moderator, slug="moana-derat", visibility=Visibility.MEMBERS)
    thread = start(closed_group, member, body="What do you think, @moana-derat?")

    post = Post.objects.get(thread=thread)
    assert post.body_html == (
        f'<p>What do you think, <a class="mention" data-user="{moderator.pk}" href="/people/moana-derat/">'
        "@Moana Derat</a>?</p>\n"
    )
    assert notifications("groups.mention") == [
        (moderator.pk, f"/en/groups/urban-heat-closed/posts/{post.pk}/")
    ]
    # Told once, as a mention, not also of the new thread.
    assert recipients("groups.new_thread") == set()


def test_mention_of_someone_who_cannot_read_stays_text(
    closed_group: Group, member: Any, outsider: Any
) -> None:
    ProfileFactory(user=outsider, slug="otto-sider")
    thread = start(closed_group, member, body="Maybe @otto-sider knows?")

    post = Post.objects.get(thread=thread)
    assert post.body_html == "<p>Maybe @otto-sider knows?</p>\n"
    assert recipients("groups.mention") == set()


def test_mention_in_an_open_group_reaches_any_reader(open_group: Group, member: Any, outsider: Any) -> None:
    ProfileFactory(user=outsider, slug="otto-sider")
    start(open_group, member, body="Maybe @otto-sider knows?")
    assert recipients("groups.mention") == {outsider.pk}


def test_mention_of_staff_in_a_closed_group_notifies_them(
    closed_group: Group, member: Any, staff: Any
) -> None:
    ProfileFactory(user=staff, slug="sta-ff")
    start(closed_group, member, body="@sta-ff could the programme help?")
    assert recipients("groups.mention") == {staff.pk}


def test_mention_in_code_in_addresses_and_of_unknown_slugs_is_ignored(
    open_group: Group, member: Any, moderator: Any
) -> None:
    ProfileFactory(user=moderator, slug="moana-derat")
    body = "Write to team@moana-derat or `@moana-derat`, not @nobody-here.\n\n    @moana-derat in code"
    html, mentioned = render_post(body, open_group)
    assert mentioned == []
    assert 'class="mention"' not in html


def test_mention_of_a_hidden_profile_is_marked_without_a_link(
    open_group: Group, member: Any, moderator: Any
) -> None:
    ProfileFactory(user=moderator, slug="moana-derat", visibility=Visibility.HIDDEN)
    html, mentioned = render_post("Hi @moana-derat.", open_group)
    assert html == f'<p>Hi <strong class="mention" data-user="{moderator.pk}">@Moana Derat</strong>.</p>\n'
    assert mentioned == [moderator]


def test_mention_in_a_reply_replaces_the_reply_notice(open_group: Group, member: Any, moderator: Any) -> None:
    ProfileFactory(user=member, slug="mariam-haddad")
    thread = start(open_group, member)
    Notification.objects.all().delete()

    post_create(
        author=moderator, access=access_of(moderator, open_group), thread=thread, body="@mariam-haddad yes"
    )

    assert recipients("groups.mention") == {member.pk}
    assert recipients("groups.reply") == set()


def test_mention_cannot_be_forged_with_html(open_group: Group, member: Any, moderator: Any) -> None:
    from connective.groups.discussions import _mentioned_ids

    html, mentioned = render_post(
        f'<a class="mention" data-user="{moderator.pk}" href="/x">@x</a> [y](/people/y/ "t")', open_group
    )
    assert mentioned == []
    assert '<a class="mention"' not in html
    assert _mentioned_ids(html) == set()


# --- Held posts ---------------------------------------------------------------------------------------


@pytest.fixture
def holding_group(member: Any, moderator: Any, author: Any) -> Group:
    group = make_group(Access.CLOSED, member=member, moderator=moderator, hold_first_posts=True)
    MembershipFactory(group=group, user=author, approved_poster=False)
    return group


def test_post_create_by_a_new_member_is_held_and_tells_only_moderators(
    holding_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    ProfileFactory(user=member, slug="mariam-haddad")
    thread = start(holding_group, member)
    Notification.objects.all().delete()

    post = post_create(
        author=author, access=access_of(author, holding_group), thread=thread, body="Hello @mariam-haddad"
    )

    assert (post.status, post.position) == (PostStatus.HELD, 2)
    thread.refresh_from_db()
    assert (thread.post_count, thread.next_position) == (1, 3)
    assert notifications("groups.held_post") == [
        (moderator.pk, f"/en/groups/urban-heat-closed/posts/{post.pk}/")
    ]
    assert recipients("groups.reply") == set()
    assert recipients("groups.mention") == set()


def test_thread_create_by_a_new_member_is_held_and_not_counted(
    holding_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    thread = start(holding_group, author)

    assert thread.post_count == 0
    assert Post.objects.get(thread=thread).status == PostStatus.HELD
    holding_group.refresh_from_db()
    assert holding_group.thread_count == 0
    assert recipients("groups.new_thread") == set()
    assert recipients("groups.held_post") == {moderator.pk}


def test_held_post_without_moderators_goes_to_staff(member: Any, author: Any, staff: Any) -> None:
    group = GroupFactory(access=Access.CLOSED, hold_first_posts=True)
    MembershipFactory(group=group, user=author, approved_poster=False)
    start(group, author)
    assert recipients("groups.held_post") == {staff.pk}


def test_post_published_effects_after_approval_counts_and_notifies(
    holding_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    ProfileFactory(user=moderator, slug="moana-derat")
    thread = start(holding_group, member)
    post = post_create(
        author=author, access=access_of(author, holding_group), thread=thread, body="Hi @moana-derat"
    )
    Notification.objects.all().delete()

    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)
    post.status = PostStatus.PUBLISHED
    post_published_effects(post)

    thread.refresh_from_db()
    assert thread.post_count == 2
    assert recipients("groups.mention") == {moderator.pk}
    assert recipients("groups.reply") == {member.pk}


def test_post_published_effects_of_an_opening_post_counts_the_thread(
    holding_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    thread = start(holding_group, author)
    post = Post.objects.get(thread=thread)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED)

    post_published_effects(post)

    holding_group.refresh_from_db()
    thread.refresh_from_db()
    assert (holding_group.thread_count, thread.post_count) == (1, 1)
    assert recipients("groups.new_thread") == {member.pk, moderator.pk}


# --- Editing ------------------------------------------------------------------------------------------


def test_post_edit_by_the_author_keeps_the_earlier_text(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)
    post = Post.objects.get(thread=thread)
    written = post.created_at

    edited = post_edit(
        editor=member, access=access_of(member, open_group), post=post, body="Better **words**"
    )

    assert (edited.body, edited.body_html) == ("Better **words**", "<p>Better <strong>words</strong></p>\n")
    assert edited.edited_at is not None
    revision = PostRevision.objects.get(post=post)
    assert (revision.body, revision.written_at, revision.edited_by_id) == (OPENING, written, member.pk)
    assert AuditLog.objects.filter(action="groups.post_edit").count() == 0


def test_post_edit_second_time_dates_the_revision_by_the_first_edit(open_group: Group, member: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    first = post_edit(editor=member, access=access_of(member, open_group), post=post, body="Second")
    post_edit(editor=member, access=access_of(member, open_group), post=first, body="Third")
    assert list(PostRevision.objects.order_by("pk").values_list("body", "written_at")) == [
        (OPENING, post.created_at),
        ("Second", first.edited_at),
    ]


def test_post_edit_unchanged_text_keeps_no_revision(open_group: Group, member: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    edited = post_edit(editor=member, access=access_of(member, open_group), post=post, body=OPENING + "\n")
    assert (edited.edited_at, PostRevision.objects.count()) == (None, 0)


def test_post_edit_by_another_member_is_refused(open_group: Group, member: Any, author: Any) -> None:
    MembershipFactory(group=open_group, user=author)
    post = Post.objects.get(thread=start(open_group, member))

    with pytest.raises(PermissionDenied) as error:
        post_edit(editor=author, access=access_of(author, open_group), post=post, body="Mine now")
    assert str(error.value) == "You can edit only your own posts."
    post.refresh_from_db()
    assert (post.body, PostRevision.objects.count()) == (OPENING, 0)


def test_post_edit_by_a_moderator_is_audit_logged(open_group: Group, member: Any, moderator: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))

    post_edit(
        editor=moderator, access=access_of(moderator, open_group), post=post, body="Phone number removed."
    )

    log = AuditLog.objects.get(action="groups.post_edit")
    assert (log.actor_id, log.object_id, log.details) == (
        moderator.pk,
        str(post.pk),
        {"author_id": member.pk},
    )
    assert PostRevision.objects.get(post=post).edited_by_id == moderator.pk


def test_post_edit_empty_text_is_refused_and_nothing_changed(open_group: Group, member: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    with pytest.raises(ValidationError) as error:
        post_edit(editor=member, access=access_of(member, open_group), post=post, body="  ")
    assert error.value.message_dict == {"body": ["Please write something."]}
    post.refresh_from_db()
    assert (post.body, post.edited_at, PostRevision.objects.count()) == (OPENING, None, 0)


def test_post_edit_of_a_hidden_post_by_its_author_is_refused(open_group: Group, member: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    Post.objects.filter(pk=post.pk).update(status=PostStatus.HIDDEN)
    post.refresh_from_db()
    with pytest.raises(PermissionDenied):
        post_edit(editor=member, access=access_of(member, open_group), post=post, body="Sneaky")


def test_post_edit_in_a_locked_thread_by_its_author_is_refused(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    with pytest.raises(PermissionDenied):
        post_edit(
            editor=member,
            access=access_of(member, open_group),
            post=Post.objects.get(thread=thread),
            body="Late",
        )


def test_post_edit_tells_only_newly_mentioned_readers(
    open_group: Group, member: Any, moderator: Any, author: Any
) -> None:
    ProfileFactory(user=moderator, slug="moana-derat")
    ProfileFactory(user=author, slug="amara-okafor")
    post = Post.objects.get(thread=start(open_group, member, body="Hi @moana-derat"))
    assert recipients("groups.mention") == {moderator.pk}

    post_edit(
        editor=member,
        access=access_of(member, open_group),
        post=post,
        body="Hi @moana-derat and @amara-okafor",
    )

    assert sorted(
        Notification.objects.filter(kind="groups.mention").values_list("recipient_id", flat=True)
    ) == sorted([moderator.pk, author.pk])


# --- Reactions ----------------------------------------------------------------------------------------


def test_reaction_toggle_gives_and_takes_back(open_group: Group, member: Any, moderator: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))

    post = reaction_toggle(
        user=moderator, access=access_of(moderator, open_group), post=post, reaction="like"
    )
    assert post.reaction_counts == {"like": 1}
    post = reaction_toggle(user=member, access=access_of(member, open_group), post=post, reaction="like")
    post = reaction_toggle(user=member, access=access_of(member, open_group), post=post, reaction="thanks")
    assert post.reaction_counts == {"like": 2, "thanks": 1}

    post = reaction_toggle(
        user=moderator, access=access_of(moderator, open_group), post=post, reaction="like"
    )
    post = reaction_toggle(user=member, access=access_of(member, open_group), post=post, reaction="thanks")

    post.refresh_from_db()
    assert post.reaction_counts == {"like": 1}
    assert list(PostReaction.objects.values_list("user_id", "reaction")) == [(member.pk, "like")]


def test_reaction_toggle_unknown_reaction_is_refused(open_group: Group, member: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    with pytest.raises(ValidationError):
        reaction_toggle(user=member, access=access_of(member, open_group), post=post, reaction="angry")
    assert PostReaction.objects.count() == 0


def test_reaction_toggle_by_a_reader_who_is_not_a_member_is_refused(
    open_group: Group, member: Any, outsider: Any
) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    with pytest.raises(PermissionDenied):
        reaction_toggle(user=outsider, access=access_of(outsider, open_group), post=post, reaction="like")
    assert PostReaction.objects.count() == 0


def test_reaction_toggle_on_a_hidden_post_is_refused(open_group: Group, member: Any, moderator: Any) -> None:
    post = Post.objects.get(thread=start(open_group, member))
    Post.objects.filter(pk=post.pk).update(status=PostStatus.HIDDEN)
    with pytest.raises(ValidationError):
        reaction_toggle(user=moderator, access=access_of(moderator, open_group), post=post, reaction="like")
    assert PostReaction.objects.count() == 0


def test_reaction_toggle_on_a_post_of_another_group_is_refused(open_group: Group, member: Any) -> None:
    foreign = PostFactory(thread=ThreadFactory(group=GroupFactory()))
    with pytest.raises(PermissionDenied):
        reaction_toggle(user=member, access=access_of(member, open_group), post=foreign, reaction="like")


# --- Following ----------------------------------------------------------------------------------------


def test_thread_subscription_set_follows_and_unfollows(open_group: Group, member: Any, outsider: Any) -> None:
    thread = start(open_group, member)

    assert thread_subscription_set(
        user=outsider, access=access_of(outsider, open_group), thread=thread, subscribed=True
    )
    assert thread_subscription_set(
        user=outsider, access=access_of(outsider, open_group), thread=thread, subscribed=True
    )
    assert ThreadSubscription.objects.filter(thread=thread, user=outsider).count() == 1

    thread_subscription_set(
        user=member, access=access_of(member, open_group), thread=thread, subscribed=False
    )
    assert list(ThreadSubscription.objects.values_list("user_id", flat=True)) == [outsider.pk]


def test_thread_subscription_set_outsider_of_a_closed_group_is_refused(
    closed_group: Group, member: Any, outsider: Any
) -> None:
    thread = start(closed_group, member)
    with pytest.raises(PermissionDenied):
        thread_subscription_set(
            user=outsider, access=access_of(outsider, closed_group), thread=thread, subscribed=True
        )
    assert ThreadSubscription.objects.filter(user=outsider).count() == 0


def test_thread_subscription_set_visitor_is_refused(open_group: Group, member: Any) -> None:
    thread = start(open_group, member)
    with pytest.raises(PermissionDenied):
        thread_subscription_set(user=None, access=access_of(None, open_group), thread=thread, subscribed=True)  # type: ignore[arg-type]
