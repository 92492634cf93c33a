"""Group discussions on the site: who reads which thread (each persona on open, closed and secret groups),
replying, quoting, starting a thread, editing and history, reactions, following, and the page's cost."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connective.groups.discussions import post_create, post_edit, reaction_toggle
from connective.groups.models import (
    Access,
    Group,
    Membership,
    Post,
    PostReaction,
    PostStatus,
    Thread,
    ThreadSubscription,
)
from tests.factories import MembershipFactory, PostFactory, UserFactory
from tests.groups import test_discussions
from tests.groups.test_discussions import OPENING, access_of, make_group, start
from tests.practices.test_detail import client_for

pytestmark = pytest.mark.django_db

moderator = test_discussions.moderator
outsider = test_discussions.outsider

PERSONAS = ("visitor", "outsider", "member", "moderator", "staff")
# Who reads a thread: anyone in an open group; members, moderators and staff in closed and secret ones.
READERS = {
    Access.OPEN: set(PERSONAS),
    Access.CLOSED: {"member", "moderator", "staff"},
    Access.SECRET: {"member", "moderator", "staff"},
}
CASES = [(access, persona) for access in READERS for persona in PERSONAS]


@pytest.fixture
def world(member: Any, moderator: Any) -> dict[str, Any]:
    """One group of each access type, each with a thread started by the member."""
    groups = {access: make_group(access, member=member, moderator=moderator) for access in READERS}
    threads = {access: start(group, member) for access, group in groups.items()}
    return {"groups": groups, "threads": threads}


def thread_url(thread: Thread, page: int | None = None) -> str:
    url = reverse("groups:thread", kwargs={"slug": thread.group.slug, "pk": thread.pk})
    return f"{url}?page={page}" if page else url


def url(name: str, group: Group, pk: int) -> str:
    return reverse(f"groups:{name}", kwargs={"slug": group.slug, "pk": pk})


def html_of(response: Any) -> str:
    return response.content.decode()


def post_form(client: Client, target: str, captured: Any, data: dict[str, Any]) -> Any:
    with captured(execute=True):
        return client.post(target, data)


# --- Who reads what -----------------------------------------------------------------------------------


def test_thread_urls_are_named() -> None:
    assert reverse("groups:thread", kwargs={"slug": "heat", "pk": 4}) == "/en/groups/heat/threads/4/"
    assert reverse("groups:thread_new", kwargs={"slug": "heat"}) == "/en/groups/heat/threads/new/"
    assert reverse("groups:reply", kwargs={"slug": "heat", "pk": 4}) == "/en/groups/heat/threads/4/reply/"
    assert reverse("groups:post", kwargs={"slug": "heat", "pk": 9}) == "/en/groups/heat/posts/9/"
    assert reverse("groups:post_edit", kwargs={"slug": "heat", "pk": 9}) == "/en/groups/heat/posts/9/edit/"
    assert (
        reverse("groups:post_history", kwargs={"slug": "heat", "pk": 9}) == "/en/groups/heat/posts/9/history/"
    )
    assert reverse("groups:react", kwargs={"slug": "heat", "pk": 9}) == "/en/groups/heat/posts/9/react/"
    assert reverse("groups:attachment", kwargs={"slug": "heat", "pk": 3}) == "/en/groups/heat/attachments/3/"


@pytest.mark.parametrize(("access", "persona"), CASES)
def test_thread_page_is_there_only_for_readers(
    world: dict[str, Any], request: Any, access: str, persona: str
) -> None:
    thread = world["threads"][access]
    response = client_for(request.getfixturevalue(persona)).get(thread_url(thread))

    if persona in READERS[access]:
        assert response.status_code == 200
        assert OPENING in html_of(response)
    else:
        assert response.status_code == 404
        assert OPENING not in html_of(response)
        assert "Heat action plans" not in html_of(response)


@pytest.mark.parametrize(("access", "persona"), CASES)
def test_post_link_redirects_only_readers(
    world: dict[str, Any], request: Any, access: str, persona: str
) -> None:
    thread = world["threads"][access]
    post = Post.objects.get(thread=thread)
    response = client_for(request.getfixturevalue(persona)).get(url("post", thread.group, post.pk))

    if persona in READERS[access]:
        assert response.status_code == 302
        assert response["Location"] == f"{thread_url(thread)}#post-{post.pk}"
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(("access", "persona"), [case for case in CASES if case[1] != "visitor"])
def test_reply_page_is_there_only_for_readers(
    world: dict[str, Any], request: Any, access: str, persona: str
) -> None:
    thread = world["threads"][access]
    response = client_for(request.getfixturevalue(persona)).get(url("reply", thread.group, thread.pk))
    if persona not in READERS[access]:
        assert response.status_code == 404
    elif persona == "outsider":
        # Reads the open group but does not take part: told why, no form.
        assert response.status_code == 403
        assert "Only members of the group take part in its discussions." in html_of(response)
        assert 'name="body"' not in html_of(response)
    else:
        assert response.status_code == 200
        assert 'name="body"' in html_of(response)


@pytest.mark.parametrize(("access", "persona"), CASES)
def test_post_history_is_there_only_for_moderators(
    world: dict[str, Any], request: Any, access: str, persona: str
) -> None:
    thread = world["threads"][access]
    post = Post.objects.get(thread=thread)
    response = client_for(request.getfixturevalue(persona)).get(url("post_history", thread.group, post.pk))
    if persona == "visitor":
        assert response.status_code == 302
    elif persona in {"moderator", "staff"}:
        assert response.status_code == 200
    else:
        assert response.status_code == 404


def test_unknown_thread_and_thread_of_another_group_are_404(world: dict[str, Any], member: Any) -> None:
    open_group = world["groups"][Access.OPEN]
    closed_thread = world["threads"][Access.CLOSED]
    client = client_for(member)
    assert (
        client.get(reverse("groups:thread", kwargs={"slug": open_group.slug, "pk": 999999})).status_code
        == 404
    )
    # A closed group's thread under the open group's address is not there.
    assert (
        client.get(
            reverse("groups:thread", kwargs={"slug": open_group.slug, "pk": closed_thread.pk})
        ).status_code
        == 404
    )


# --- What a thread page shows -------------------------------------------------------------------------


def test_thread_page_member_gets_reply_form_reactions_and_quote(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.CLOSED]
    post = Post.objects.get(thread=thread)
    html = html_of(client_for(member).get(thread_url(thread)))

    assert f'id="post-{post.pk}"' in html
    assert f'action="{url("reply", thread.group, thread.pk)}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert f'action="{url("react", thread.group, post.pk)}"' in html
    assert f'href="{url("reply", thread.group, thread.pk)}?quote={post.pk}"' in html
    assert f'href="{url("post_edit", thread.group, post.pk)}"' in html
    assert "Stop following" in html


def test_thread_page_visitor_of_an_open_group_reads_and_is_asked_to_sign_in(world: dict[str, Any]) -> None:
    thread = world["threads"][Access.OPEN]
    html = html_of(Client().get(thread_url(thread)))
    assert "Sign in to take part" in html
    assert 'name="body"' not in html
    assert "groups:react" not in html and "/react/" not in html
    assert "Follow this thread" not in html


def test_thread_page_outsider_of_an_open_group_reads_without_forms(
    world: dict[str, Any], outsider: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    html = html_of(client_for(outsider).get(thread_url(thread)))
    assert "Only members of the group take part in its discussions." in html
    assert 'name="body"' not in html
    assert "/react/" not in html
    assert "?quote=" not in html
    assert "Follow this thread" in html


def test_thread_page_muted_member_is_told_until_when(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    Membership.objects.filter(group=thread.group, user=member).update(
        muted_until=timezone.now() + timedelta(days=3)
    )
    html = html_of(client_for(member).get(thread_url(thread)))
    assert "A moderator has muted you in this group until" in html
    assert 'name="body"' not in html


def test_thread_page_locked_thread_takes_replies_from_moderators_only(
    world: dict[str, Any], member: Any, moderator: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    Thread.objects.filter(pk=thread.pk).update(locked=True)
    member_html = html_of(client_for(member).get(thread_url(thread)))
    assert "This thread is locked: a moderator closed it to new replies." in member_html
    assert 'name="body"' not in member_html
    assert 'name="body"' in html_of(client_for(moderator).get(thread_url(thread)))


def test_thread_page_hidden_post_shows_a_placeholder_to_readers_and_the_text_to_moderators(
    world: dict[str, Any], member: Any, moderator: Any, staff: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    post = post_create(
        author=moderator,
        access=access_of(moderator, thread.group),
        thread=thread,
        body="A phone number: 0123",
    )
    Post.objects.filter(pk=post.pk).update(status=PostStatus.HIDDEN, moderation_reason="Personal data")

    for reader in (None, member):
        html = html_of(client_for(reader).get(thread_url(thread)))
        assert "This post was hidden by a moderator." in html
        assert "0123" not in html
        assert "Personal data" not in html
    for person in (moderator, staff):
        html = html_of(client_for(person).get(thread_url(thread)))
        assert "A phone number: 0123" in html
        assert "Hidden by a moderator: only moderators see this text. Reason: Personal data" in html


def test_thread_page_held_post_is_marked_to_its_author_and_unseen_by_others(
    world: dict[str, Any], member: Any, moderator: Any, author: Any
) -> None:
    group = world["groups"][Access.CLOSED]
    Group.objects.filter(pk=group.pk).update(hold_first_posts=True)
    MembershipFactory(group=group, user=author, approved_poster=False)
    thread = world["threads"][Access.CLOSED]
    post_create(author=author, access=access_of(author, group), thread=thread, body="My first words here")

    author_html = html_of(client_for(author).get(thread_url(thread)))
    assert "My first words here" in author_html
    assert (
        "Waiting for a moderator’s approval: only you and the moderators see this post for now."
        in author_html
    )
    assert "My first words here" not in html_of(client_for(member).get(thread_url(thread)))
    moderator_html = html_of(client_for(moderator).get(thread_url(thread)))
    assert "My first words here" in moderator_html
    assert "Waiting for approval: only moderators and the author see this post." in moderator_html


def test_thread_page_held_opening_post_hides_the_thread_from_others(
    world: dict[str, Any], member: Any, moderator: Any, author: Any
) -> None:
    group = world["groups"][Access.OPEN]
    Group.objects.filter(pk=group.pk).update(hold_first_posts=True)
    MembershipFactory(group=group, user=author, approved_poster=False)
    thread = start(group, author, title="Waiting thread")

    assert client_for(author).get(thread_url(thread)).status_code == 200
    assert client_for(moderator).get(thread_url(thread)).status_code == 200
    assert client_for(member).get(thread_url(thread)).status_code == 404
    assert Client().get(thread_url(thread)).status_code == 404


def test_thread_page_shows_the_linked_practice(
    world: dict[str, Any], member: Any, published_practice: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    Thread.objects.filter(pk=thread.pk).update(practice=published_practice)
    html = html_of(Client().get(thread_url(thread)))
    assert "About the good practice" in html
    assert (
        f'href="/en/practices/{published_practice.slug}/">Solar street lighting for safer streets</a>' in html
    )


def test_thread_page_paginates_by_position(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    for number in range(2, 66):
        PostFactory(thread=thread, author=member, body=f"Reply at {number}.")

    page_two = html_of(Client().get(thread_url(thread, 2)))
    shown = [int(n) for n in re.findall(r"Reply at (\d+)\.", page_two)]
    assert shown == list(range(31, 61))
    assert "Page 2 of 3" in page_two
    assert f'href="{thread_url(thread)}" rel="prev"' in page_two
    assert f'href="{thread_url(thread, 3)}" rel="next"' in page_two
    last = html_of(Client().get(thread_url(thread, 3)))
    assert [int(n) for n in re.findall(r"Reply at (\d+)\.", last)] == list(range(61, 66))
    # Out of range and nonsense page numbers show the nearest page.
    assert "Reply at 61." in html_of(Client().get(thread_url(thread, 99)))
    assert OPENING in html_of(Client().get(thread_url(thread) + "?page=abc"))


def test_post_link_goes_to_the_page_that_shows_the_post(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    posts = [PostFactory(thread=thread, author=member) for _ in range(44)]
    forty_fifth = posts[-1]
    assert forty_fifth.position == 45

    response = Client().get(url("post", thread.group, forty_fifth.pk))
    assert response["Location"] == f"{thread_url(thread, 2)}#post-{forty_fifth.pk}"


def test_post_link_of_a_held_post_is_404_to_other_members(
    world: dict[str, Any], member: Any, author: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    held = PostFactory(thread=thread, author=author, status=PostStatus.HELD)
    assert client_for(member).get(url("post", thread.group, held.pk)).status_code == 404
    assert client_for(author).get(url("post", thread.group, held.pk)).status_code == 302


# --- Replying and quoting -----------------------------------------------------------------------------


def test_reply_member_posts_and_lands_on_the_post(
    world: dict[str, Any], member: Any, moderator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    thread = world["threads"][Access.CLOSED]
    response = post_form(
        client_for(moderator),
        url("reply", thread.group, thread.pk),
        django_capture_on_commit_callbacks,
        {"body": "Shade trees and cool roofs."},
    )

    reply = Post.objects.get(thread=thread, position=2)
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(thread)}#post-{reply.pk}"
    assert (reply.author_id, reply.body) == (moderator.pk, "Shade trees and cool roofs.")
    assert "Shade trees and cool roofs." in html_of(client_for(member).get(thread_url(thread)))


def test_reply_empty_is_refused_and_keeps_nothing_but_says_why(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    response = client_for(member).post(url("reply", thread.group, thread.pk), {"body": "   "})
    assert response.status_code == 400
    assert "Please write something." in html_of(response)
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_too_long_is_refused_and_keeps_the_text(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    typed = "Our findings. " * 1500
    response = client_for(member).post(url("reply", thread.group, thread.pk), {"body": typed})
    assert response.status_code == 400
    html = html_of(response)
    assert "The text is too long: at most 10000 characters (it has 21000)." in html
    assert typed.strip() in html
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_by_an_outsider_is_refused(world: dict[str, Any], outsider: Any) -> None:
    thread = world["threads"][Access.OPEN]
    response = client_for(outsider).post(url("reply", thread.group, thread.pk), {"body": "Me too"})
    assert response.status_code == 403
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_by_a_visitor_is_sent_to_sign_in(world: dict[str, Any]) -> None:
    thread = world["threads"][Access.OPEN]
    response = Client().post(url("reply", thread.group, thread.pk), {"body": "Me too"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Post.objects.filter(thread=thread).count() == 1


def test_quote_button_prefills_the_reply_and_the_quote_shows_in_the_thread(
    world: dict[str, Any], member: Any, moderator: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    opening = Post.objects.get(thread=thread)
    client = client_for(moderator)

    form_html = html_of(client.get(url("reply", thread.group, thread.pk) + f"?quote={opening.pk}"))
    assert f'name="quote_of" value="{opening.pk}"' in form_html
    assert "You quote" in form_html and OPENING in form_html

    response = client.post(
        url("reply", thread.group, thread.pk), {"body": "Trees first.", "quote_of": opening.pk}
    )
    assert response.status_code == 302
    reply = Post.objects.get(thread=thread, position=2)
    assert reply.quote_of_id == opening.pk

    html = html_of(Client().get(thread_url(thread)))
    quote = html[html.index(f'id="post-{reply.pk}"') :]
    assert '<blockquote class="post-quote">' in quote
    assert f'<a href="{url("post", thread.group, opening.pk)}">Mariam Haddad wrote</a>' in quote


def test_reply_quoting_a_post_of_another_thread_is_refused(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    elsewhere = Post.objects.get(thread=world["threads"][Access.CLOSED])
    response = client_for(member).post(
        url("reply", thread.group, thread.pk), {"body": "Quoting", "quote_of": elsewhere.pk}
    )
    assert response.status_code == 400
    assert "You can quote only a published post of this thread." in html_of(response)
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_mention_links_the_member_in_the_page(
    world: dict[str, Any], member: Any, moderator: Any
) -> None:
    from tests.factories import ProfileFactory

    ProfileFactory(user=member, slug="mariam-haddad")
    thread = world["threads"][Access.OPEN]
    client_for(moderator).post(url("reply", thread.group, thread.pk), {"body": "Thanks @mariam-haddad!"})
    html = html_of(Client().get(thread_url(thread)))
    assert (
        f'<a class="mention" data-user="{member.pk}" href="/people/mariam-haddad/">@Mariam Haddad</a>!'
        in html
    )


def test_reply_script_in_markdown_is_inert_on_the_page(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    client_for(member).post(
        url("reply", thread.group, thread.pk),
        {"body": "<script>alert('boom')</script>\n\n<b onclick=x>hi</b>"},
    )
    html = html_of(Client().get(thread_url(thread)))
    assert "<script>alert" not in html
    assert (
        "&lt;script&gt;alert(&#x27;boom&#x27;)&lt;/script&gt;" in html
        or "&lt;script&gt;alert('boom')&lt;/script&gt;" in html
    )
    assert "<b onclick" not in html


# --- Starting a thread --------------------------------------------------------------------------------


def test_thread_new_member_starts_a_thread(world: dict[str, Any], member: Any) -> None:
    group = world["groups"][Access.SECRET]
    new_url = reverse("groups:thread_new", kwargs={"slug": group.slug})
    assert client_for(member).get(new_url).status_code == 200

    response = client_for(member).post(new_url, {"title": "Cool roofs", "body": "Who painted roofs white?"})

    thread = Thread.objects.get(group=group, title="Cool roofs")
    assert response.status_code == 302
    assert response["Location"] == thread_url(thread)
    assert Post.objects.get(thread=thread).body == "Who painted roofs white?"


def test_thread_new_bad_input_keeps_what_was_typed(world: dict[str, Any], member: Any) -> None:
    group = world["groups"][Access.OPEN]
    response = client_for(member).post(
        reverse("groups:thread_new", kwargs={"slug": group.slug}), {"title": "Cool roofs", "body": " "}
    )
    assert response.status_code == 400
    html = html_of(response)
    assert "Please write something." in html
    assert 'value="Cool roofs"' in html
    assert Thread.objects.filter(group=group).count() == 1


def test_thread_new_outsider_is_told_why_and_closed_outsider_gets_404(
    world: dict[str, Any], outsider: Any
) -> None:
    client = client_for(outsider)
    open_response = client.get(
        reverse("groups:thread_new", kwargs={"slug": world["groups"][Access.OPEN].slug})
    )
    assert open_response.status_code == 403
    assert "Only members of the group take part in its discussions." in html_of(open_response)
    for access in (Access.CLOSED, Access.SECRET):
        slug = world["groups"][access].slug
        assert client.get(reverse("groups:thread_new", kwargs={"slug": slug})).status_code == 404
        assert (
            client.post(
                reverse("groups:thread_new", kwargs={"slug": slug}), {"title": "x", "body": "y"}
            ).status_code
            == 404
        )
    assert Thread.objects.count() == 3


def test_thread_new_practice_search_keeps_the_text_and_links_the_choice(
    world: dict[str, Any], member: Any, published_practice: Any
) -> None:
    from connective.practices.tasks import practice_index

    practice_index.call(published_practice.pk)
    group = world["groups"][Access.OPEN]
    new_url = reverse("groups:thread_new", kwargs={"slug": group.slug})
    client = client_for(member)

    found = client.post(
        new_url,
        {
            "title": "Street lights",
            "body": "Has anyone tried this?",
            "practice_query": "solar lighting",
            "find_practice": "1",
        },
    )
    html = html_of(found)
    assert found.status_code == 200
    assert 'value="Street lights"' in html and "Has anyone tried this?" in html
    assert f'name="practice_choice" value="{published_practice.slug}"' in html
    assert "Please write something." not in html

    client.post(
        new_url,
        {
            "title": "Street lights",
            "body": "Has anyone tried this?",
            "practice_choice": published_practice.slug,
        },
    )
    assert Thread.objects.get(title="Street lights").practice_id == published_practice.pk


def test_thread_new_practice_by_address_and_unknown_practice(
    world: dict[str, Any], member: Any, published_practice: Any
) -> None:
    group = world["groups"][Access.OPEN]
    new_url = reverse("groups:thread_new", kwargs={"slug": group.slug})
    client = client_for(member)

    bad = client.post(new_url, {"title": "Lights", "body": "Text", "practice": "no-such-practice"})
    assert bad.status_code == 400
    assert "No published good practice has this address." in html_of(bad)
    assert not Thread.objects.filter(title="Lights").exists()

    client.post(
        new_url,
        {
            "title": "Lights",
            "body": "Text",
            "practice": f"http://testserver/en/practices/{published_practice.slug}/",
        },
    )
    assert Thread.objects.get(title="Lights").practice_id == published_practice.pk


# --- Editing and history ------------------------------------------------------------------------------


def test_post_edit_author_changes_the_text_and_the_post_shows_edited(
    world: dict[str, Any], member: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    post = Post.objects.get(thread=thread)
    client = client_for(member)
    edit_url = url("post_edit", thread.group, post.pk)

    assert OPENING in html_of(client.get(edit_url))
    response = client.post(edit_url, {"body": "A clearer question."})

    assert response.status_code == 302
    html = html_of(Client().get(thread_url(thread)))
    assert "A clearer question." in html
    assert re.search(r'<span class="edited">edited [^<]+</span>', html)


def test_post_edit_another_member_is_refused(world: dict[str, Any], author: Any) -> None:
    thread = world["threads"][Access.OPEN]
    MembershipFactory(group=thread.group, user=author)
    post = Post.objects.get(thread=thread)
    client = client_for(author)

    assert client.get(url("post_edit", thread.group, post.pk)).status_code == 403
    assert client.post(url("post_edit", thread.group, post.pk), {"body": "Taken over"}).status_code == 403
    post.refresh_from_db()
    assert post.body == OPENING


def test_post_edit_empty_text_is_refused_and_kept(world: dict[str, Any], member: Any) -> None:
    thread = world["threads"][Access.OPEN]
    post = Post.objects.get(thread=thread)
    response = client_for(member).post(url("post_edit", thread.group, post.pk), {"body": ""})
    assert response.status_code == 400
    assert "Please write something." in html_of(response)
    post.refresh_from_db()
    assert post.body == OPENING


def test_post_history_moderator_reads_earlier_versions(
    world: dict[str, Any], member: Any, moderator: Any
) -> None:
    thread = world["threads"][Access.CLOSED]
    post = Post.objects.get(thread=thread)
    post_edit(editor=member, access=access_of(member, thread.group), post=post, body="Version two")

    thread_html = html_of(client_for(moderator).get(thread_url(thread)))
    assert f'href="{url("post_history", thread.group, post.pk)}"' in thread_html
    assert "post_history" not in html_of(client_for(member).get(thread_url(thread)))
    assert url("post_history", thread.group, post.pk) not in html_of(
        client_for(member).get(thread_url(thread))
    )

    history = html_of(client_for(moderator).get(url("post_history", thread.group, post.pk)))
    assert "Version two" in history
    assert OPENING in history
    assert client_for(member).get(url("post_history", thread.group, post.pk)).status_code == 404


# --- Reactions and following --------------------------------------------------------------------------


def test_react_member_gives_a_reaction_and_sees_it_pressed(
    world: dict[str, Any], member: Any, moderator: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    post = Post.objects.get(thread=thread)
    response = client_for(moderator).post(url("react", thread.group, post.pk), {"reaction": "thanks"})

    assert response["Location"] == f"{thread_url(thread)}#post-{post.pk}"
    html = html_of(client_for(moderator).get(thread_url(thread)))
    assert (
        '<button type="submit" name="reaction" value="thanks" class="reaction" aria-pressed="true">Thanks '
        '<span class="count">1</span></button>'
    ) in html
    member_html = html_of(client_for(member).get(thread_url(thread)))
    assert (
        'value="thanks" class="reaction" aria-pressed="false">Thanks <span class="count">1</span>'
        in member_html
    )
    visitor_html = html_of(Client().get(thread_url(thread)))
    assert '<span class="reaction">Thanks <span class="count">1</span></span>' in visitor_html


def test_react_outsider_and_bad_reaction_change_nothing(
    world: dict[str, Any], member: Any, outsider: Any
) -> None:
    thread = world["threads"][Access.OPEN]
    post = Post.objects.get(thread=thread)
    client_for(outsider).post(url("react", thread.group, post.pk), {"reaction": "like"})
    client_for(member).post(url("react", thread.group, post.pk), {"reaction": "angry"})
    assert PostReaction.objects.count() == 0
    assert (
        client_for(outsider)
        .post(url("react", world["groups"][Access.CLOSED], post.pk), {"reaction": "like"})
        .status_code
        == 404
    )


def test_follow_and_unfollow_a_thread(world: dict[str, Any], outsider: Any) -> None:
    thread = world["threads"][Access.OPEN]
    client = client_for(outsider)
    follow_url = url("thread_subscription", thread.group, thread.pk)

    client.post(follow_url, {"follow": "1"})
    assert ThreadSubscription.objects.filter(thread=thread, user=outsider).exists()
    assert "Stop following" in html_of(client.get(thread_url(thread)))
    client.post(follow_url, {"follow": "0"})
    assert not ThreadSubscription.objects.filter(thread=thread, user=outsider).exists()
    closed = world["threads"][Access.CLOSED]
    assert (
        client.post(url("thread_subscription", closed.group, closed.pk), {"follow": "1"}).status_code == 404
    )


# --- Cost of a thread page ----------------------------------------------------------------------------

WORDS = (
    "In Amman we mapped the hottest streets with volunteers and thermal sensors, then planted shade trees "
    "along school routes. The municipality paid for the trees; residents water them in summer."
)


@pytest.fixture
def long_thread(world: dict[str, Any], member: Any, moderator: Any) -> Thread:
    """A thread of 200 posts by many authors, with quotes, reactions, attachments and a hidden post."""
    from django.core.files.base import ContentFile

    from connective.groups.models import Attachment
    from tests.factories import ProfileFactory

    thread = world["threads"][Access.CLOSED]
    group = thread.group
    authors = [member, moderator]
    for _ in range(8):
        person = UserFactory()
        MembershipFactory(group=group, user=person)
        ProfileFactory(user=person)
        authors.append(person)
    opening = Post.objects.get(thread=thread)
    for number in range(2, 201):
        post = PostFactory(
            thread=thread,
            author=authors[number % len(authors)],
            body=f"Reply {number}. {WORDS}",
            quote_of=opening if number % 7 == 0 else None,
            status=PostStatus.HIDDEN if number == 10 else PostStatus.PUBLISHED,
            reaction_counts={"like": 2} if number % 5 == 0 else {},
        )
        if number % 9 == 0:
            Attachment.objects.create(
                post=post,
                file=ContentFile(b"%PDF-1.4 tiny", name="plan.pdf"),
                name="plan.pdf",
                content_type="application/pdf",
                size=12,
            )
    for post in Post.objects.filter(thread=thread, position__in=[5, 15, 25]):
        reaction_toggle(user=member, access=access_of(member, group), post=post, reaction="like")
    return thread


@pytest.mark.parametrize("persona", ["visitor", "member", "moderator", "staff"])
@pytest.mark.parametrize("page", [1, 4, 7])
def test_thread_page_of_200_posts_takes_at_most_10_queries(
    long_thread: Thread, request: Any, persona: str, page: int, django_assert_max_num_queries: Any
) -> None:
    viewer = request.getfixturevalue(persona)
    if persona == "visitor":
        Group.objects.filter(pk=long_thread.group_id).update(access=Access.OPEN)
    client = client_for(viewer)
    # Steady state: the header's unread-message count is cached between pages (network.conversations).
    client.get(thread_url(long_thread, page))
    with django_assert_max_num_queries(10):
        response = client.get(thread_url(long_thread, page))
    assert response.status_code == 200
    assert html_of(response).count('<li id="post-') == (30 if page < 7 else 20)


def test_thread_page_of_30_posts_weighs_under_60_kb_compressed(long_thread: Thread, member: Any) -> None:
    from django.contrib.staticfiles import finders

    html = client_for(member).get(thread_url(long_thread, 2)).content
    stylesheets = re.findall(rb'<link rel="stylesheet" href="/static/([^"]+)"', html)
    assets = b"".join(Path(str(finders.find(name.decode()))).read_bytes() for name in stylesheets)
    assert stylesheets  # the page's own styles are counted
    assert b"<img" not in html
    weight = len(gzip.compress(html)) + len(gzip.compress(assets))
    assert weight < 60 * 1024, weight
    assert settings.STATIC_URL == "/static/"


# --- The cached part of each post ---------------------------------------------------------------------


def test_thread_page_shows_an_edit_made_after_the_post_was_cached(member: Any, moderator: Any) -> None:
    group = make_group(Access.OPEN, member=member, moderator=moderator)
    thread = start(group, member)
    post = thread.posts.get()
    reader = Client()
    assert OPENING.split()[0] in html_of(reader.get(thread_url(thread)))

    post_edit(
        editor=member, access=access_of(member, group), post=post, body="Shade trees first, then cool roofs."
    )

    html = html_of(reader.get(thread_url(thread)))
    assert "Shade trees first, then cool roofs." in html
    assert OPENING not in html


def test_thread_page_cached_post_follows_the_readers_language(member: Any, moderator: Any) -> None:
    group = make_group(Access.OPEN, member=member, moderator=moderator)
    thread = start(group, member)
    PostFactory(thread=thread, author=member, body="Second post.")
    post_edit(
        editor=member, access=access_of(member, group), post=thread.posts.last(), body="Second post, edited."
    )
    reader = Client()
    english = html_of(reader.get(thread_url(thread)))
    french_url = thread_url(thread).replace("/en/", "/fr/", 1)
    french = html_of(reader.get(french_url))
    assert "edited" in english
    assert "edited " not in french
    assert "modifié" in french
