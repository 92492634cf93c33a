"""Atom feeds of open groups; every other group has none, for anyone. (defusedxml comes with Wagtail's
image library.)"""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client

from connective.groups.models import Access, PostStatus
from tests.factories import PostFactory, ThreadFactory, UserFactory
from tests.groups.membership_fixtures import (
    PERSONAS,
    World,
    client_for,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed_url(world: World, access: str) -> str:
    return f"/en/groups/{world.groups[access].slug}/feed.atom"


def entries(response: Any) -> list[dict[str, str]]:
    root = fromstring(response.content)
    return [
        {
            "title": entry.findtext(f"{ATOM}title") or "",
            "link": entry.find(f"{ATOM}link").get("href", ""),  # type: ignore[union-attr]
            "author": entry.findtext(f"{ATOM}author/{ATOM}name") or "",
            "summary": entry.findtext(f"{ATOM}summary") or "",
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_feed_of_an_open_group_lists_new_threads_and_replies(world: World) -> None:
    group = world.groups[Access.OPEN]
    author = UserFactory(first_name="Amara", last_name="Okafor")
    thread = ThreadFactory(group=group, title="Cool roofs")
    opening = PostFactory(thread=thread, author=author, body="We painted **200 roofs**.")
    reply = PostFactory(thread=thread, author=world.user("member"), body="How much did it cost?")

    response = Client().get(feed_url(world, Access.OPEN))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = fromstring(response.content)
    assert root.findtext(f"{ATOM}title") == "Urban heat deep dive"
    assert entries(response) == [
        {
            "title": "Reply in “Cool roofs”",
            "link": f"http://testserver/en/groups/urban-heat/posts/{reply.pk}/",
            "author": "Mariam Haddad",
            "summary": "<p>How much did it cost?</p>\n",
        },
        {
            "title": "New thread: Cool roofs",
            "link": f"http://testserver/en/groups/urban-heat/posts/{opening.pk}/",
            "author": "Amara Okafor",
            "summary": "<p>We painted <strong>200 roofs</strong>.</p>\n",
        },
    ]


def test_feed_leaves_out_hidden_and_held_posts(world: World) -> None:
    thread = ThreadFactory(group=world.groups[Access.OPEN], title="Cool roofs")
    PostFactory(thread=thread, body="Visible")
    PostFactory(thread=thread, body="Hidden by a moderator", status=PostStatus.HIDDEN)
    PostFactory(thread=thread, body="Waiting for approval", status=PostStatus.HELD)

    summaries = [entry["summary"] for entry in entries(Client().get(feed_url(world, Access.OPEN)))]

    assert summaries == ["<p>Visible</p>\n"]


def test_feed_holds_the_latest_50_posts(world: World) -> None:
    thread = ThreadFactory(group=world.groups[Access.OPEN])
    for number in range(55):
        PostFactory(thread=thread, body=f"Post {number}")

    found = entries(Client().get(feed_url(world, Access.OPEN)))

    assert len(found) == 50
    assert found[0]["summary"] == "<p>Post 54</p>\n"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", [Access.CLOSED, Access.SECRET])
def test_feed_of_a_closed_or_secret_group_answers_404_to_everyone(
    world: World, access: str, persona: str
) -> None:
    ThreadFactory(group=world.groups[access], title="Budget lines")

    response = client_for(world.user(persona)).get(feed_url(world, access))

    assert response.status_code == 404
    assert b"Budget lines" not in response.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_feed_of_an_open_group_is_the_same_for_everyone(world: World, persona: str) -> None:
    PostFactory(thread=ThreadFactory(group=world.groups[Access.OPEN], title="Shade"), body="Trees")

    response = client_for(world.user(persona)).get(feed_url(world, Access.OPEN))

    assert [entry["title"] for entry in entries(response)] == ["New thread: Shade"]


def test_feed_of_an_unknown_group_answers_404(db: Any) -> None:
    assert Client().get("/en/groups/no-such-group/feed.atom").status_code == 404
