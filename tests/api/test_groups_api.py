"""The groups API: groups, threads and posts as each persona may see them, and posting with the pages' rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import yaml
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from connective.core.models import Region, Topic
from connective.groups.models import (
    Access,
    Attachment,
    Group,
    GroupKind,
    MemberRole,
    Membership,
    Post,
    PostStatus,
    Thread,
)
from connective.network.models import Visibility
from connective.practices.models import PracticeStatus
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

GROUPS_URL = "/api/v1/groups/"
PERSONAS = ["visitor", "outsider", "member", "moderator", "staff"]
# Who may know a secret group exists, and who may read inside a closed one.
INSIDERS = {"member", "moderator", "staff"}


@dataclass
class World:
    """An open, a closed and a secret group, each with one thread of four posts: published, hidden, held
    (by a newcomer whose first posts wait) and published again; plus another open group for the outsider."""

    groups: dict[str, Group]
    threads: dict[str, Thread]
    posts: dict[str, dict[str, Post]]
    users: dict[str, Any]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def threads_url(slug: str) -> str:
    return f"{GROUPS_URL}{slug}/threads/"


def thread_url(slug: str, thread: Thread) -> str:
    return f"{threads_url(slug)}{thread.pk}/"


def posts_url(slug: str, thread: Thread) -> str:
    return f"{thread_url(slug, thread)}posts/"


@pytest.fixture
def world(db: Any, member: Any, staff: Any) -> World:
    moderator = UserFactory(email="moderator@example.org", first_name="Omar", last_name="Fassi")
    outsider = UserFactory(email="outsider@example.org", first_name="Olga", last_name="Petrova")
    writer = UserFactory(email="writer@example.org", first_name="Wanjiru", last_name="Kamau")
    newcomer = UserFactory(email="newcomer@example.org", first_name="Nuno", last_name="Costa")
    ProfileFactory(user=writer, slug="wanjiru-kamau", visibility=Visibility.PUBLIC)
    ProfileFactory(user=moderator, slug="omar-fassi", visibility=Visibility.MEMBERS)
    other = GroupFactory(name="Another group", slug="another-group", access=Access.OPEN)
    MembershipFactory(group=other, user=outsider)
    groups: dict[str, Group] = {"other": other}
    threads: dict[str, Thread] = {}
    posts: dict[str, dict[str, Post]] = {}
    for access in (Access.OPEN, Access.CLOSED, Access.SECRET):
        group = GroupFactory(name=f"{access.label} group", slug=f"{access}-group", access=access)
        MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
        MembershipFactory(group=group, user=member)
        MembershipFactory(group=group, user=writer)
        MembershipFactory(group=group, user=newcomer, approved_poster=False)
        thread = ThreadFactory(group=group, author=writer, title=f"Heat plans in the {access} group")
        posts[str(access)] = {
            "opening": PostFactory(thread=thread, author=writer, body=f"Opening of {access}: **shade**."),
            "hidden": PostFactory(
                thread=thread, author=writer, body="Hiddenword rude remark.", status=PostStatus.HIDDEN
            ),
            "held": PostFactory(
                thread=thread, author=newcomer, body="Heldword first post.", status=PostStatus.HELD
            ),
            "reply": PostFactory(thread=thread, author=member, body="A reply."),
        }
        Group.objects.filter(pk=group.pk).update(thread_count=1)
        group.refresh_from_db()
        groups[str(access)] = group
        threads[str(access)] = thread
    users = {
        "visitor": None,
        "outsider": outsider,
        "member": member,
        "moderator": moderator,
        "staff": staff,
        "writer": writer,
        "newcomer": newcomer,
    }
    return World(groups=groups, threads=threads, posts=posts, users=users)


# --- Which groups each persona sees ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_list_shows_secret_groups_only_to_insiders(world: World, persona: str) -> None:
    response = client_for(world.users[persona]).get(GROUPS_URL)

    assert response.status_code == 200
    slugs = [group["slug"] for group in response.json()["results"]]
    expected = ["another-group", "closed-group", "open-group"]
    if persona in INSIDERS:
        expected.append("secret-group")
    assert slugs == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_list_never_names_a_secret_group_to_outsiders_even_when_asked(
    world: World, persona: str
) -> None:
    response = client_for(world.users[persona]).get(GROUPS_URL, {"access": "secret", "q": "Secret"})

    assert response.status_code == 200
    expected = ["secret-group"] if persona in INSIDERS else []
    assert [group["slug"] for group in response.json()["results"]] == expected


def test_group_list_shows_a_secret_group_to_an_invitee(world: World) -> None:
    from connective.groups.models import Invitation

    invitee = world.users["outsider"]
    Invitation.objects.create(
        group=world.groups["secret"], invitee=invitee, invited_by=world.users["moderator"]
    )

    slugs = [group["slug"] for group in client_for(invitee).get(GROUPS_URL).json()["results"]]
    detail = client_for(invitee).get(f"{GROUPS_URL}secret-group/")
    threads = client_for(invitee).get(threads_url("secret-group"))

    assert "secret-group" in slugs
    assert detail.status_code == 200
    assert detail.json()["caller"]["is_invited"] is True
    assert detail.json()["caller"]["can_read"] is False
    assert detail.json()["threads_url"] is None
    assert threads.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", ["open", "closed", "secret"])
def test_group_detail_answers_404_for_a_secret_group_to_outsiders(
    world: World, persona: str, access: str
) -> None:
    response = client_for(world.users[persona]).get(f"{GROUPS_URL}{access}-group/")

    hidden = access == "secret" and persona not in INSIDERS
    assert response.status_code == (404 if hidden else 200)
    if hidden:
        assert "Secret" not in response.content.decode()


def test_group_detail_of_a_secret_group_answers_like_a_group_that_does_not_exist(world: World) -> None:
    secret = client_for(world.users["outsider"]).get(f"{GROUPS_URL}secret-group/")
    missing = client_for(world.users["outsider"]).get(f"{GROUPS_URL}no-such-group/")

    assert (secret.status_code, secret.json()) == (missing.status_code, missing.json())


def _content_urls(world: World, access: str) -> list[str]:
    slug = f"{access}-group"
    thread = world.threads[access]
    return [threads_url(slug), thread_url(slug, thread), posts_url(slug, thread)]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", ["open", "closed", "secret"])
def test_threads_and_posts_answer_404_to_those_who_may_not_read(
    world: World, persona: str, access: str
) -> None:
    client = client_for(world.users[persona])

    codes = [client.get(url).status_code for url in _content_urls(world, access)]

    readable = access == "open" or persona in INSIDERS
    assert codes == ([200, 200, 200] if readable else [404, 404, 404])


def test_closed_group_is_listed_and_described_to_visitors_but_not_its_threads(world: World) -> None:
    client = Client()

    listed = [group["slug"] for group in client.get(GROUPS_URL).json()["results"]]
    detail = client.get(f"{GROUPS_URL}closed-group/").json()

    assert "closed-group" in listed
    assert detail["caller"]["can_read"] is False
    assert detail["threads_url"] is None
    assert detail["thread_count"] == 1
    assert "Heat plans" not in str(detail)


def test_a_thread_of_another_group_answers_404(world: World) -> None:
    foreign = world.threads["secret"]

    response = client_for(world.users["member"]).get(thread_url("open-group", foreign))
    posts = client_for(world.users["member"]).get(posts_url("open-group", foreign))

    assert (response.status_code, posts.status_code) == (404, 404)


# --- What a group looks like ----------------------------------------------------------------------------------


def test_group_detail_describes_the_group_and_the_caller(world: World) -> None:
    group = world.groups["open"]
    group.kind = GroupKind.REGIONAL
    group.region = Region.objects.get(slug="mena")
    group.languages = ["ar", "fr"]
    group.summary = "Cities of the region compare heat plans."
    group.description = "We meet **monthly**.\n\n<script>alert(1)</script>"
    group.description_language = "fr"
    group.save()
    group.topics.set(Topic.objects.filter(slug="climate-adaptation"))

    response = client_for(world.users["member"]).get(f"{GROUPS_URL}open-group/")

    assert response.status_code == 200
    data = response.json()
    assert {key: data[key] for key in ("slug", "name", "kind", "kind_label", "access", "access_label")} == {
        "slug": "open-group",
        "name": "Open group",
        "kind": "regional",
        "kind_label": "Regional",
        "access": "open",
        "access_label": "Open",
    }
    assert data["summary"] == "Cities of the region compare heat plans."
    assert data["description"] == "We meet **monthly**.\n\n<script>alert(1)</script>"
    assert "<strong>monthly</strong>" in data["description_html"]
    assert "<script" not in data["description_html"]
    assert data["description_language"] == "fr"
    assert data["region"] == {"slug": "mena", "name": "Middle East and North Africa"}
    assert data["topics"] == [{"slug": "climate-adaptation", "name": "Climate adaptation"}]
    assert data["languages"] == ["ar", "fr"]
    assert (data["member_count"], data["thread_count"]) == (4, 1)
    assert data["archived"] is False
    assert data["is_member"] is True
    assert data["cover_url"] is None
    assert data["url"] == "http://testserver/en/groups/open-group/"
    assert data["api_url"] == "http://testserver/api/v1/groups/open-group/"
    assert data["threads_url"] == "http://testserver/api/v1/groups/open-group/threads/"
    assert data["moderators"] == [
        {
            "name": "Omar Fassi",
            "slug": "omar-fassi",
            "url": "http://testserver/en/people/omar-fassi/",
            "photo_url": None,
        }
    ]
    assert data["caller"] == {
        "is_member": True,
        "is_moderator": False,
        "is_invited": False,
        "can_read": True,
        "can_post": True,
        "posts_held": False,
        "muted_until": None,
    }


def test_group_detail_shows_visitors_only_the_public_part_of_moderators(world: World) -> None:
    data = Client().get(f"{GROUPS_URL}open-group/").json()

    # Omar's profile is for members only: a visitor gets his name, with no profile to open.
    assert data["moderators"] == [{"name": "Omar Fassi", "slug": None, "url": None, "photo_url": None}]
    assert data["is_member"] is False
    assert data["caller"] == {
        "is_member": False,
        "is_moderator": False,
        "is_invited": False,
        "can_read": True,
        "can_post": False,
        "posts_held": False,
        "muted_until": None,
    }


@pytest.mark.parametrize(
    ("persona", "moderates", "posts"),
    [
        ("visitor", False, False),
        ("outsider", False, False),
        ("member", False, True),
        ("moderator", True, True),
        ("staff", True, True),
    ],
)
def test_group_detail_tells_each_persona_what_it_may_do(
    world: World, persona: str, moderates: bool, posts: bool
) -> None:
    caller = client_for(world.users[persona]).get(f"{GROUPS_URL}open-group/").json()["caller"]

    assert (caller["is_moderator"], caller["can_post"]) == (moderates, posts)


def test_group_detail_tells_a_muted_member_until_when(world: World) -> None:
    until = timezone.now() + timedelta(days=3)
    Membership.objects.filter(group=world.groups["open"], user=world.users["member"]).update(
        muted_until=until
    )

    caller = client_for(world.users["member"]).get(f"{GROUPS_URL}open-group/").json()["caller"]

    assert caller["can_post"] is False
    assert caller["muted_until"] == until.isoformat().replace("+00:00", "Z")


# --- Filters ---------------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db: Any) -> dict[str, Group]:
    heat = GroupFactory(
        name="Urban heat deep dive",
        slug="urban-heat",
        kind=GroupKind.THEMATIC,
        languages=["en", "fr"],
        region=None,
        summary="Six cities against heat waves.",
    )
    heat.topics.set(Topic.objects.filter(slug="climate-adaptation"))
    women = GroupFactory(
        name="Women in municipal leadership",
        slug="women-leadership",
        kind=GroupKind.REGIONAL,
        access=Access.CLOSED,
        languages=["ar", "en"],
        region=Region.objects.get(slug="mena"),
        member_count=12,
    )
    women.topics.set(Topic.objects.filter(slug="gender-equality"))
    buses = GroupFactory(
        name="Electric buses",
        slug="electric-buses",
        kind=GroupKind.THEMATIC,
        languages=["es"],
        region=Region.objects.get(slug="asia"),
        summary="Fleets, depots and charging.",
        member_count=3,
    )
    buses.topics.set(Topic.objects.filter(slug="mobility"))
    return {"heat": heat, "women": women, "buses": buses}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["electric-buses", "urban-heat", "women-leadership"]),
        ({"kind": "regional"}, ["women-leadership"]),
        ({"access": "closed"}, ["women-leadership"]),
        ({"region": "mena"}, ["women-leadership"]),
        ({"topic": "mobility"}, ["electric-buses"]),
        # A cluster stands for its subtopics.
        ({"topic": "integrated-urban-development"}, ["urban-heat"]),
        ({"language": "en"}, ["urban-heat", "women-leadership"]),
        ({"language": "ES"}, ["electric-buses"]),
        ({"q": "heat waves"}, ["urban-heat"]),
        ({"q": "charging"}, ["electric-buses"]),
        ({"q": "nothing like it"}, []),
        ({"sort": "members"}, ["women-leadership", "electric-buses", "urban-heat"]),
    ],
)
def test_group_list_filters_like_the_group_list_page(
    catalogue: dict[str, Group], query: dict[str, Any], expected: list[str]
) -> None:
    response = Client().get(GROUPS_URL, query)

    assert response.status_code == 200
    assert [group["slug"] for group in response.json()["results"]] == expected


def test_group_list_gives_the_callers_role(catalogue: dict[str, Group], member: Any) -> None:
    MembershipFactory(group=catalogue["heat"], user=member, role=MemberRole.MODERATOR)
    MembershipFactory(group=catalogue["buses"], user=member)

    everything = client_for(member).get(GROUPS_URL).json()["results"]
    mine = client_for(member).get(GROUPS_URL, {"mine": "1"}).json()["results"]

    assert [(group["slug"], group["is_member"], group["role"]) for group in everything] == [
        ("electric-buses", True, "member"),
        ("urban-heat", True, "moderator"),
        ("women-leadership", False, None),
    ]
    assert [group["slug"] for group in mine] == ["electric-buses", "urban-heat"]


def test_group_list_item_describes_the_group(catalogue: dict[str, Group]) -> None:
    data = Client().get(GROUPS_URL, {"q": "women"}).json()

    assert data["results"] == [
        {
            "slug": "women-leadership",
            "name": "Women in municipal leadership",
            "kind": "regional",
            "kind_label": "Regional",
            "access": "closed",
            "access_label": "Closed",
            "summary": "Cities comparing what works.",
            "region": {"slug": "mena", "name": "Middle East and North Africa"},
            "topics": [{"slug": "gender-equality", "name": "Gender equality"}],
            "languages": ["ar", "en"],
            "member_count": 12,
            "thread_count": 0,
            "last_activity_at": None,
            "archived": False,
            "is_member": False,
            "role": None,
            "cover_url": None,
            "url": "http://testserver/en/groups/women-leadership/",
            "api_url": "http://testserver/api/v1/groups/women-leadership/",
        }
    ]
    assert (data["count"], data["page"], data["num_pages"], data["sort"]) == (1, 1, 1, "name")


def test_group_list_sorts_by_latest_activity(catalogue: dict[str, Group]) -> None:
    now = timezone.now()
    Group.objects.filter(pk=catalogue["women"].pk).update(last_activity_at=now)
    Group.objects.filter(pk=catalogue["heat"].pk).update(last_activity_at=now - timedelta(days=1))

    data = Client().get(GROUPS_URL, {"sort": "active"}).json()

    assert data["sort"] == "active"
    assert [group["slug"] for group in data["results"]] == [
        "women-leadership",
        "urban-heat",
        "electric-buses",
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"kind": "social"}, "kind", "There is no kind of group “social”."),
        ({"access": "private"}, "access", "Access is open, closed or secret, not “private”."),
        ({"region": "atlantis"}, "region", "There is no region “atlantis”."),
        ({"topic": "cooking"}, "topic", "There is no topic “cooking”."),
        ({"language": "xx"}, "language", "“xx” is not a language code: use two letters, e.g. fr for French."),
        ({"sort": "size"}, "sort", "Sort by best match, name, activity or members, not “size”."),
        ({"page": "two"}, "page", "The page must be a number, e.g. 2."),
        ({"page": "0"}, "page", "Pages are counted from 1."),
        ({"page": "2"}, "page", "There is no page 2: the groups fit on 1 page."),
        (
            {"q": "x" * 201},
            "q",
            "Search text can be at most 200 characters long (it has 201). Use a few distinctive words.",
        ),
    ],
)
def test_group_list_rejects_a_wrong_parameter_with_its_message(
    catalogue: dict[str, Group], query: dict[str, str], field: str, message: str
) -> None:
    response = Client().get(GROUPS_URL, query)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_group_list_messages_follow_the_reader_language(catalogue: dict[str, Group]) -> None:
    response = Client().get(GROUPS_URL, {"page": "0"}, headers={"accept-language": "de"})

    assert response.status_code == 400
    assert response.json() == {"page": ["Die Seiten werden ab 1 gezählt."]}


def test_group_list_pages_by_twenty(db: Any) -> None:
    for number in range(45):
        GroupFactory(name=f"Group {number:02d}", slug=f"group-{number:02d}")

    first = Client().get(GROUPS_URL).json()
    third = Client().get(GROUPS_URL, {"page": 3}).json()

    assert (first["count"], first["num_pages"], first["page"]) == (45, 3, 1)
    assert first["next"] == "http://testserver/api/v1/groups/?page=2"
    assert first["previous"] is None
    assert [group["slug"] for group in first["results"]] == [f"group-{n:02d}" for n in range(20)]
    assert [group["slug"] for group in third["results"]] == [f"group-{n}" for n in range(40, 45)]
    assert third["next"] is None
    assert third["previous"] == "http://testserver/api/v1/groups/?page=2"


# --- Threads and posts ----------------------------------------------------------------------------------------


def test_thread_list_shows_pinned_threads_first_then_the_latest(world: World) -> None:
    group = world.groups["open"]
    now = timezone.now()
    old = PostFactory(thread=ThreadFactory(group=group, title="Old but pinned", pinned=True)).thread
    fresh = PostFactory(thread=ThreadFactory(group=group, title="Fresh")).thread
    Thread.objects.filter(pk=old.pk).update(last_post_at=now - timedelta(days=9))
    Thread.objects.filter(pk=fresh.pk).update(last_post_at=now + timedelta(minutes=1))

    data = Client().get(threads_url("open-group")).json()

    assert [thread["id"] for thread in data["results"]] == [old.pk, fresh.pk, world.threads["open"].pk]
    assert data["count"] == 3
    assert [thread["pinned"] for thread in data["results"]] == [True, False, False]


def test_thread_detail_describes_the_thread(world: World) -> None:
    practice = PracticeFactory(slug="shade-trees", title="Shade trees on every school yard")
    thread = world.threads["open"]
    Thread.objects.filter(pk=thread.pk).update(practice=practice)

    response = client_for(world.users["member"]).get(thread_url("open-group", thread))

    assert response.status_code == 200
    data = response.json()
    assert data["id"] == thread.pk
    assert data["title"] == "Heat plans in the open group"
    assert data["author"] == {
        "name": "Wanjiru Kamau",
        "slug": "wanjiru-kamau",
        "url": "http://testserver/en/people/wanjiru-kamau/",
        "photo_url": None,
    }
    assert data["post_count"] == 2
    assert (data["pinned"], data["locked"]) == (False, False)
    assert data["practice"] == {
        "slug": "shade-trees",
        "title": "Shade trees on every school yard",
        "url": "http://testserver/en/practices/shade-trees/",
    }
    assert data["group"] == {"slug": "open-group", "name": "Open group"}
    assert data["caller"] == {"can_reply": True, "is_subscribed": False}
    assert data["url"] == f"http://testserver/en/groups/open-group/threads/{thread.pk}/"
    assert data["api_url"] == f"http://testserver/api/v1/groups/open-group/threads/{thread.pk}/"
    assert data["posts_url"] == f"http://testserver/api/v1/groups/open-group/threads/{thread.pk}/posts/"


def test_thread_detail_does_not_name_a_practice_that_is_no_longer_published(world: World) -> None:
    practice = PracticeFactory(slug="withdrawn", status=PracticeStatus.DRAFT)
    Thread.objects.filter(pk=world.threads["open"].pk).update(practice=practice)

    data = Client().get(thread_url("open-group", world.threads["open"])).json()

    assert data["practice"] is None


def _posts(world: World, persona: str, access: str = "open") -> list[dict[str, Any]]:
    response = client_for(world.users[persona]).get(posts_url(f"{access}-group", world.threads[access]))
    assert response.status_code == 200
    return list(response.json()["results"])


@pytest.mark.parametrize("persona", ["visitor", "outsider", "member", "writer"])
def test_posts_show_a_hidden_post_as_a_placeholder_to_readers(world: World, persona: str) -> None:
    posts = _posts(world, persona)

    hidden = world.posts["open"]["hidden"]
    assert [post["id"] for post in posts] == [
        world.posts["open"]["opening"].pk,
        hidden.pk,
        world.posts["open"]["reply"].pk,
    ]
    placeholder = posts[1]
    assert placeholder == {
        "id": hidden.pk,
        "position": 2,
        "status": "hidden",
        "author": None,
        "body": None,
        "body_html": None,
        "quote": None,
        "created_at": placeholder["created_at"],
        "edited_at": None,
        "reactions": [],
        "attachments": [],
        "is_mine": persona == "writer",
        "can_edit": False,
        "url": f"http://testserver/en/groups/open-group/posts/{hidden.pk}/",
    }


@pytest.mark.parametrize(
    "persona", ["visitor", "outsider", "member", "moderator", "staff", "writer", "newcomer"]
)
def test_posts_never_send_hidden_or_held_text_to_those_who_may_not_see_it(world: World, persona: str) -> None:
    url = posts_url("open-group", world.threads["open"])

    content = client_for(world.users[persona]).get(url).content.decode()

    moderates = persona in {"moderator", "staff"}
    assert ("Hiddenword" in content) is moderates
    assert ("Heldword" in content) is (moderates or persona == "newcomer")


@pytest.mark.parametrize("persona", ["moderator", "staff"])
def test_posts_give_moderators_every_post_whole(world: World, persona: str) -> None:
    posts = _posts(world, persona)

    assert [(post["position"], post["status"]) for post in posts] == [
        (1, "published"),
        (2, "hidden"),
        (3, "held"),
        (4, "published"),
    ]
    assert posts[1]["body"] == "Hiddenword rude remark."
    assert posts[1]["author"]["name"] == "Wanjiru Kamau"
    assert posts[2]["author"]["name"] == "Nuno Costa"


def test_posts_show_a_held_post_to_its_author(world: World) -> None:
    posts = _posts(world, "newcomer")

    assert [(post["position"], post["status"]) for post in posts] == [
        (1, "published"),
        (2, "hidden"),
        (3, "held"),
        (4, "published"),
    ]
    assert posts[2]["body"] == "Heldword first post."
    assert posts[2]["is_mine"] is True


def test_posts_give_body_and_rendered_html_with_quote_attachments_and_reactions(world: World) -> None:
    from connective.groups.models import PostReaction

    thread = world.threads["open"]
    opening = world.posts["open"]["opening"]
    quoting = PostFactory(
        thread=thread,
        author=world.users["writer"],
        body="> shade\n\nAgreed.",
        quote_of=opening,
        reaction_counts={"like": 2},
    )
    PostReaction.objects.create(post=quoting, user=world.users["member"], reaction="like")
    attachment = Attachment(post=quoting, name="plan.pdf", content_type="application/pdf", size=7)
    attachment.file.save("plan.pdf", ContentFile(b"%PDF-1."), save=True)

    posts = _posts(world, "member")

    assert posts[0]["body"] == "Opening of open: **shade**."
    assert posts[0]["body_html"] == "<p>Opening of open: <strong>shade</strong>.</p>\n"
    last = posts[-1]
    assert last["quote"] == {"id": opening.pk, "position": 1, "author_name": "Wanjiru Kamau", "shown": True}
    assert last["reactions"] == [
        {"reaction": "like", "label": "Like", "count": 2, "given": True},
        {"reaction": "thanks", "label": "Thanks", "count": 0, "given": False},
        {"reaction": "insightful", "label": "Insightful", "count": 0, "given": False},
        {"reaction": "agree", "label": "Agree", "count": 0, "given": False},
    ]
    assert last["attachments"] == [
        {
            "name": "plan.pdf",
            "content_type": "application/pdf",
            "size": 7,
            "url": f"http://testserver/en/groups/open-group/attachments/{attachment.pk}/",
        }
    ]
    assert last["author"] == {
        "name": "Wanjiru Kamau",
        "slug": "wanjiru-kamau",
        "url": "http://testserver/en/people/wanjiru-kamau/",
        "photo_url": None,
    }
    assert (last["is_mine"], last["can_edit"]) == (False, False)
    assert posts[2]["is_mine"] is True  # the member's own reply


def test_posts_page_by_position_as_the_thread_page(world: World) -> None:
    thread = world.threads["open"]
    for number in range(40):
        PostFactory(thread=thread, author=world.users["writer"], body=f"Reply {number}")

    first = Client().get(posts_url("open-group", thread)).json()
    second = Client().get(posts_url("open-group", thread), {"page": 2}).json()

    # Page 1 holds positions 1 to 30, of which the held post (3) is not shown to visitors.
    assert [post["position"] for post in first["results"]] == [1, 2, *range(4, 31)]
    assert [post["position"] for post in second["results"]] == list(range(31, 45))
    assert (first["count"], first["num_pages"], second["page"]) == (43, 2, 2)
    assert first["next"] == f"http://testserver/api/v1/groups/open-group/threads/{thread.pk}/posts/?page=2"
    assert second["previous"] == f"http://testserver/api/v1/groups/open-group/threads/{thread.pk}/posts/"
    over = Client().get(posts_url("open-group", thread), {"page": 3})
    assert over.status_code == 400
    assert over.json() == {"page": ["There is no page 3: the results fit on 2 pages."]}


def test_a_thread_whose_opening_post_waits_exists_only_for_its_author_and_moderators(world: World) -> None:
    newcomer = world.users["newcomer"]
    waiting = ThreadFactory(group=world.groups["open"], author=newcomer, title="Waitingword thread")
    PostFactory(thread=waiting, author=newcomer, body="Waiting.", status=PostStatus.HELD)

    for persona in ("visitor", "member"):
        client = client_for(world.users[persona])
        assert "Waitingword" not in client.get(threads_url("open-group")).content.decode()
        assert client.get(thread_url("open-group", waiting)).status_code == 404
        assert client.get(posts_url("open-group", waiting)).status_code == 404
    for persona in ("newcomer", "moderator"):
        client = client_for(world.users[persona])
        assert "Waitingword" in client.get(threads_url("open-group")).content.decode()
        assert client.get(thread_url("open-group", waiting)).status_code == 200


# --- Query counts ------------------------------------------------------------------------------------------------


def _many_people(count: int) -> list[Any]:
    people = [UserFactory() for _ in range(count)]
    for number, person in enumerate(people):
        ProfileFactory(user=person, slug=f"someone-{number}")
    return people


@pytest.mark.parametrize("persona", ["visitor", "member", "staff"])
def test_group_list_takes_a_bounded_number_of_queries(
    db: Any, persona: str, request: Any, django_assert_max_num_queries: Any
) -> None:
    user = request.getfixturevalue(persona)
    topics = list(Topic.objects.all()[:3])
    for number in range(25):
        group = GroupFactory(region=Region.objects.get(slug="mena"))
        group.topics.set(topics)
        if user is not None and number % 2:
            MembershipFactory(group=group, user=user)
    client = client_for(user)
    client.get(GROUPS_URL)  # the filter vocabulary is cached after the first request

    with django_assert_max_num_queries(7):
        response = client.get(GROUPS_URL, {"language": "en", "topic": "mobility"})
    with django_assert_max_num_queries(7):
        response = client.get(GROUPS_URL)

    assert len(response.json()["results"]) == 20


def test_thread_list_takes_a_bounded_number_of_queries(
    member: Any, django_assert_max_num_queries: Any
) -> None:
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    practice = PracticeFactory()
    for person in _many_people(25):
        PostFactory(thread=ThreadFactory(group=group, author=person, practice=practice), author=person)

    client = client_for(member)

    with django_assert_max_num_queries(8):
        response = client.get(threads_url(group.slug))

    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("persona", ["visitor", "member", "staff"])
def test_post_list_takes_a_bounded_number_of_queries(
    db: Any, persona: str, request: Any, django_assert_max_num_queries: Any
) -> None:
    user = request.getfixturevalue(persona)
    group = GroupFactory()
    if persona == "member":
        MembershipFactory(group=group, user=user)
    thread = ThreadFactory(group=group)
    previous = None
    for number, person in enumerate(_many_people(35)):
        post = PostFactory(
            thread=thread,
            author=person,
            quote_of=previous,
            status=PostStatus.HIDDEN if number % 5 == 1 else PostStatus.PUBLISHED,
            reaction_counts={"like": 1},
        )
        Attachment.objects.create(
            post=post, file="x.pdf", name="x.pdf", content_type="application/pdf", size=1
        )
        previous = post

    client = client_for(user)

    with django_assert_max_num_queries(10):
        response = client.get(posts_url(group.slug, thread))

    # Page 1 holds positions 1 to 30, whatever is hidden among them.
    assert len(response.json()["results"]) == 30


# --- Posting ----------------------------------------------------------------------------------------------------


def _start(client: Client, slug: str = "open-group", **data: Any) -> Any:
    payload = {"title": "Cool roofs", "body": "Who has tried **white roofs**?", **data}
    return client.post(threads_url(slug), payload, content_type="application/json")


def _reply(client: Client, thread: Thread, slug: str = "open-group", **data: Any) -> Any:
    payload = {"body": "We did, in Tunis.", **data}
    return client.post(posts_url(slug, thread), payload, content_type="application/json")


def _counts() -> tuple[int, int, int]:
    return Thread.objects.count(), Post.objects.count(), Attachment.objects.count()


@pytest.mark.parametrize("persona", ["member", "moderator", "staff"])
def test_starting_a_thread_saves_it_with_its_opening_post(
    world: World, persona: str, django_capture_on_commit_callbacks: Any
) -> None:
    practice = PracticeFactory(slug="cool-roofs-athens", title="Cool roofs in Athens")

    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client_for(world.users[persona]), practice="cool-roofs-athens")

    assert response.status_code == 201
    data = response.json()
    thread = Thread.objects.get(pk=data["id"])
    assert (thread.group, thread.title, thread.author, thread.practice) == (
        world.groups["open"],
        "Cool roofs",
        world.users[persona],
        practice,
    )
    opening = Post.objects.get(thread=thread)
    assert (opening.position, opening.status, opening.body) == (
        1,
        PostStatus.PUBLISHED,
        "Who has tried **white roofs**?",
    )
    assert opening.body_html == "<p>Who has tried <strong>white roofs</strong>?</p>\n"
    assert data["title"] == "Cool roofs"
    assert data["post_count"] == 1
    assert data["practice"]["slug"] == "cool-roofs-athens"
    assert data["caller"] == {"can_reply": True, "is_subscribed": True}


def test_replying_saves_the_post_at_the_end_of_the_thread(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    thread = world.threads["open"]
    opening = world.posts["open"]["opening"]

    with django_capture_on_commit_callbacks(execute=True):
        response = _reply(client_for(world.users["member"]), thread, quote_of=opening.pk)

    assert response.status_code == 201
    data = response.json()
    post = Post.objects.get(pk=data["id"])
    assert (post.thread, post.author, post.position, post.quote_of) == (
        thread,
        world.users["member"],
        5,
        opening,
    )
    assert (data["position"], data["status"], data["body"]) == (5, "published", "We did, in Tunis.")
    assert data["body_html"] == "<p>We did, in Tunis.</p>\n"
    assert data["quote"] == {"id": opening.pk, "position": 1, "author_name": "Wanjiru Kamau", "shown": True}
    assert data["author"]["name"] == "Mariam Haddad"
    assert data["is_mine"] is True
    thread.refresh_from_db()
    assert thread.post_count == 3


def test_a_newcomers_reply_waits_for_a_moderator(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    Group.objects.filter(pk=world.groups["open"].pk).update(hold_first_posts=True)
    thread = world.threads["open"]

    with django_capture_on_commit_callbacks(execute=True):
        response = _reply(client_for(world.users["newcomer"]), thread, body="Mywaitingword reply.")

    assert response.status_code == 201
    assert response.json()["status"] == "held"
    assert Post.objects.get(pk=response.json()["id"]).status == PostStatus.HELD
    assert (
        "Mywaitingword"
        in client_for(world.users["newcomer"]).get(posts_url("open-group", thread)).content.decode()
    )
    assert (
        "Mywaitingword"
        not in client_for(world.users["member"]).get(posts_url("open-group", thread)).content.decode()
    )


@pytest.mark.parametrize("persona", ["visitor", "outsider"])
def test_readers_who_are_not_members_may_not_post_in_an_open_group(world: World, persona: str) -> None:
    client = client_for(world.users[persona])
    before = _counts()

    started = _start(client)
    replied = _reply(client, world.threads["open"])

    assert (started.status_code, replied.status_code) == (403, 403)
    message = (
        "Please sign in to take part in the discussion."
        if persona == "visitor"
        else "Only members of the group take part in its discussions."
    )
    assert started.json() == {"detail": message}
    assert replied.json() == {"detail": message}
    assert _counts() == before


@pytest.mark.parametrize("persona", ["visitor", "outsider"])
@pytest.mark.parametrize("access", ["closed", "secret"])
def test_posting_where_the_caller_may_not_read_answers_404(world: World, persona: str, access: str) -> None:
    client = client_for(world.users[persona])
    before = _counts()

    started = _start(client, slug=f"{access}-group")
    replied = _reply(client, world.threads[access], slug=f"{access}-group")

    assert (started.status_code, replied.status_code) == (404, 404)
    assert _counts() == before


@pytest.mark.parametrize("access", ["closed", "secret"])
def test_members_post_in_closed_and_secret_groups(world: World, access: str) -> None:
    client = client_for(world.users["member"])

    started = _start(client, slug=f"{access}-group")
    replied = _reply(client, world.threads[access], slug=f"{access}-group")

    assert (started.status_code, replied.status_code) == (201, 201)


def test_a_muted_member_may_not_post(world: World) -> None:
    until = timezone.now() + timedelta(days=2)
    Membership.objects.filter(group=world.groups["open"], user=world.users["member"]).update(
        muted_until=until
    )
    client = client_for(world.users["member"])
    before = _counts()

    started = _start(client)
    replied = _reply(client, world.threads["open"])

    assert (started.status_code, replied.status_code) == (403, 403)
    assert started.json()["detail"].startswith("A moderator has muted you in this group until ")
    assert _counts() == before


@pytest.mark.parametrize("persona", ["member", "moderator", "staff"])
def test_nobody_posts_in_an_archived_group(world: World, persona: str) -> None:
    Group.objects.filter(pk=world.groups["open"].pk).update(archived_at=timezone.now())
    client = client_for(world.users[persona])
    before = _counts()

    started = _start(client)
    replied = _reply(client, world.threads["open"])

    assert (started.status_code, replied.status_code) == (403, 403)
    assert started.json() == {
        "detail": "This group is archived: its discussions can be read but not continued."
    }
    assert _counts() == before


def test_a_locked_thread_takes_replies_from_moderators_only(world: World) -> None:
    thread = world.threads["open"]
    Thread.objects.filter(pk=thread.pk).update(locked=True)

    refused = _reply(client_for(world.users["member"]), thread)
    detail = client_for(world.users["member"]).get(thread_url("open-group", thread)).json()
    allowed = _reply(client_for(world.users["moderator"]), thread)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "This thread is locked: a moderator closed it to new replies."}
    assert detail["caller"]["can_reply"] is False
    assert allowed.status_code == 201


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"title": "", "body": ""},
            {"title": ["Please give the thread a title."], "body": ["Please write something."]},
        ),
        ({"body": "   \n\n  "}, {"body": ["Please write something."]}),
        ({"title": "t" * 201}, {"title": ["The title is too long: at most 200 characters (it has 201)."]}),
        (
            {"body": "b" * 10_001},
            {"body": ["The text is too long: at most 10000 characters (it has 10001)."]},
        ),
        (
            {"practice": "no-such-practice"},
            {"practice": ["No published good practice has this short name or address."]},
        ),
        ({"body": None}, {"body": ["This field may not be null."]}),
    ],
)
def test_starting_a_thread_with_bad_input_answers_400_and_saves_nothing(
    world: World, data: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    before = _counts()

    response = _start(client_for(world.users["member"]), **data)

    assert response.status_code == 400
    assert response.json() == errors
    assert _counts() == before


def test_starting_a_thread_about_a_draft_practice_is_refused(world: World) -> None:
    PracticeFactory(slug="draft-practice", status=PracticeStatus.DRAFT)
    before = _counts()

    response = _start(client_for(world.users["member"]), practice="draft-practice")

    assert response.status_code == 400
    assert list(response.json()) == ["practice"]
    assert _counts() == before


def test_replying_with_an_empty_body_answers_400_and_saves_nothing(world: World) -> None:
    before = _counts()

    response = _reply(client_for(world.users["member"]), world.threads["open"], body="")

    assert response.status_code == 400
    assert response.json() == {"body": ["Please write something."]}
    assert _counts() == before


@pytest.mark.parametrize("which", ["hidden", "held", "other-thread", "missing"])
def test_replying_may_quote_only_a_published_post_of_the_thread(world: World, which: str) -> None:
    quoted = {
        "hidden": world.posts["open"]["hidden"].pk,
        "held": world.posts["open"]["held"].pk,
        "other-thread": world.posts["closed"]["opening"].pk,
        "missing": 999_999,
    }[which]
    before = _counts()

    response = _reply(client_for(world.users["member"]), world.threads["open"], quote_of=quoted)

    assert response.status_code == 400
    assert response.json() == {"quote_of": ["You can quote only a published post of this thread."]}
    assert _counts() == before


def _pdf(name: str = "plan.pdf") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n", content_type="application/pdf")


def test_replying_with_files_as_multipart_attaches_them(world: World) -> None:
    thread = world.threads["open"]

    response = client_for(world.users["member"]).post(
        posts_url("open-group", thread), {"body": "Our plan, attached.", "attachments": [_pdf()]}
    )

    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["id"])
    assert [(a.name, a.content_type) for a in post.attachments.all()] == [("plan.pdf", "application/pdf")]
    assert [a["name"] for a in response.json()["attachments"]] == ["plan.pdf"]


def test_starting_a_thread_with_a_forbidden_file_answers_400_and_saves_nothing(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    program = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00\x03" + b"\x00" * 64, content_type="application/pdf")
    before = _counts()

    response = client_for(world.users["member"]).post(
        threads_url("open-group"), {"title": "Plans", "body": "See the file.", "attachments": [program]}
    )

    assert response.status_code == 400
    assert list(response.json()) == ["attachments"]
    assert response.json()["attachments"][0].startswith(
        "“plan.pdf”: This type of file cannot be shared here."
    )
    assert _counts() == before


def test_a_write_without_the_csrf_token_is_refused_and_saves_nothing(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["member"])
    before = _counts()

    response = _reply(client, world.threads["open"])

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert _counts() == before


def test_out_of_range_ids_answer_like_missing_ones(world: World) -> None:
    huge = "9" * 30
    client = client_for(world.users["member"])

    thread = client.get(f"{threads_url('open-group')}{huge}/")
    posts = client.get(f"{threads_url('open-group')}{huge}/posts/")
    quote = _reply(client, world.threads["open"], quote_of=int(huge))

    assert (thread.status_code, posts.status_code, quote.status_code) == (404, 404, 400)


def test_writes_are_throttled_per_member(world: World, settings: Any) -> None:
    settings.API_GROUP_WRITE_RATE = "2/min"
    client = client_for(world.users["member"])

    codes = [_reply(client, world.threads["open"], body=f"Reply {n}").status_code for n in range(3)]

    assert codes == [201, 201, 429]
    assert client.get(posts_url("open-group", world.threads["open"])).status_code == 200


# --- Schema ------------------------------------------------------------------------------------------------------


def test_schema_describes_the_group_endpoints(db: Any) -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)

    paths = schema["paths"]
    assert set(paths) >= {
        "/api/v1/groups/",
        "/api/v1/groups/{slug}/",
        "/api/v1/groups/{group_slug}/threads/",
        "/api/v1/groups/{group_slug}/threads/{thread_id}/",
        "/api/v1/groups/{group_slug}/threads/{thread_id}/posts/",
    }
    listing = paths["/api/v1/groups/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} == {
        "q",
        "kind",
        "access",
        "region",
        "topic",
        "language",
        "mine",
        "sort",
        "page",
    }
    assert set(paths["/api/v1/groups/{slug}/"]["get"]["responses"]) == {"200", "404"}
    reply = paths["/api/v1/groups/{group_slug}/threads/{thread_id}/posts/"]["post"]
    assert set(reply["responses"]) == {"201", "400", "403", "404"}
    assert set(reply["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    assert "CSRF" in reply["description"]
    components = schema["components"]["schemas"]
    assert set(components["PostCreate"]["properties"]) == {"body", "quote_of"}
    assert set(components["PostCreateUpload"]["properties"]) == {"body", "quote_of", "attachments"}
    assert set(components["ThreadCreate"]["properties"]) == {"title", "body", "practice", "event"}
