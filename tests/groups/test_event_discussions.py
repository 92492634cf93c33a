"""A thread can be about an event: linking it (service, page and API), refusing drafts and unknown events with
nothing saved, the link on the thread page, and the event page listing the discussions its reader may read."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connective.events.models import Event, EventStatus
from connective.groups.discussions import event_by_reference, events_to_link, thread_create
from connective.groups.models import Access, Group, Post, PostStatus, Thread
from tests.factories import (
    EventFactory,
    GroupFactory,
    MembershipFactory,
    PostFactory,
    ThreadFactory,
    UserFactory,
)
from tests.groups import test_discussions
from tests.groups.test_discussions import access_of, make_group

pytestmark = pytest.mark.django_db

moderator = test_discussions.moderator

NOT_LINKABLE = "Choose a published event: a draft or an event you cannot see cannot be linked."
UNKNOWN_ON_PAGE = "No published event has this address. Search for it and choose it from the list."
UNKNOWN_IN_API = "No published event has this short name or address."


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def event_url(event: Event) -> str:
    return reverse("events:detail", kwargs={"slug": event.slug})


def new_thread_url(group: Group) -> str:
    return reverse("groups:thread_new", kwargs={"slug": group.slug})


def thread_url(thread: Thread) -> str:
    return reverse("groups:thread", kwargs={"slug": thread.group.slug, "pk": thread.pk})


def counts() -> tuple[int, int]:
    return Thread.objects.count(), Post.objects.count()


@pytest.fixture
def open_group(member: Any, moderator: Any) -> Group:
    return make_group(Access.OPEN, member=member, moderator=moderator)


@pytest.fixture
def conference(db: Any) -> Event:
    return EventFactory(slug="urban-heat-summit", title="Urban Heat Summit 2027")


# --- The service ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [EventStatus.PUBLISHED, EventStatus.POSTPONED, EventStatus.CANCELLED])
def test_thread_create_with_a_public_event_links_it(open_group: Group, member: Any, status: str) -> None:
    event = EventFactory(status=status)

    thread = thread_create(
        author=member, access=access_of(member, open_group), title="Our take-aways", body="B", event=event
    )

    assert Thread.objects.get(pk=thread.pk).event_id == event.pk


@pytest.mark.parametrize("organises", [False, True])
def test_thread_create_about_a_draft_event_is_refused_and_saves_nothing(
    open_group: Group, member: Any, organises: bool
) -> None:
    draft = EventFactory(status=EventStatus.DRAFT, organisers=[member] if organises else [])
    before = counts()

    with pytest.raises(ValidationError) as error:
        thread_create(author=member, access=access_of(member, open_group), title="T", body="B", event=draft)

    assert error.value.message_dict == {"event": [NOT_LINKABLE]}
    assert counts() == before


def test_event_by_reference_takes_a_slug_or_an_address_and_never_a_draft(conference: Event) -> None:
    EventFactory(slug="draft-workshop", status=EventStatus.DRAFT)

    assert event_by_reference("urban-heat-summit") == conference
    assert event_by_reference("http://testserver/en/events/urban-heat-summit/") == conference
    assert event_by_reference("  /fr/events/urban-heat-summit  ") == conference
    assert event_by_reference("draft-workshop") is None
    assert event_by_reference("no-such-event") is None
    assert event_by_reference("   ") is None


def test_events_to_link_finds_upcoming_and_past_titles_but_no_draft(conference: Event) -> None:
    past = EventFactory(
        title="Urban heat webinar",
        starts_at=timezone.now() - timezone.timedelta(days=40),
        ends_at=timezone.now() - timezone.timedelta(days=40),
    )
    EventFactory(title="Urban heat draft", status=EventStatus.DRAFT)
    EventFactory(title="Water in cities")

    assert events_to_link("urban HEAT", limit=8) == [conference, past]
    assert events_to_link("urban heat", limit=1) == [conference]
    assert events_to_link("  ", limit=8) == []


# --- Starting a thread on the site --------------------------------------------------------------------------


def test_thread_new_links_the_event_given_by_its_address(
    open_group: Group, member: Any, conference: Event
) -> None:
    response = client_for(member).post(
        new_thread_url(open_group),
        {
            "title": "After the summit",
            "body": "What we learned.",
            "event": f"http://testserver{event_url(conference)}",
        },
    )

    thread = Thread.objects.get(title="After the summit")
    assert response.status_code == 302
    assert response["Location"] == thread_url(thread)
    assert thread.event_id == conference.pk


@pytest.mark.parametrize("reference", ["no-such-event", "draft-workshop"])
def test_thread_new_with_an_unknown_or_draft_event_keeps_the_text_and_saves_nothing(
    open_group: Group, member: Any, reference: str
) -> None:
    # The organiser of the draft gets the same answer as anyone: the page does not tell drafts apart.
    EventFactory(slug="draft-workshop", status=EventStatus.DRAFT, organisers=[member])
    before = counts()

    response = client_for(member).post(
        new_thread_url(open_group), {"title": "Kept title", "body": "Kept body", "event": reference}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert UNKNOWN_ON_PAGE in html
    assert 'value="Kept title"' in html
    assert "Kept body</textarea>" in html
    assert counts() == before


def test_thread_new_event_search_lists_matches_and_links_the_choice(
    open_group: Group, member: Any, conference: Event
) -> None:
    EventFactory(title="Urban heat draft", status=EventStatus.DRAFT)
    client = client_for(member)
    new_url = new_thread_url(open_group)

    found = client.post(
        new_url,
        {"title": "Summit notes", "body": "Text", "event_query": "heat summit", "find_event": "1"},
    )

    html = found.content.decode()
    assert found.status_code == 200
    assert 'value="Summit notes"' in html
    assert f'name="event_choice" value="{conference.slug}"' in html
    assert "Urban heat draft" not in html
    assert Thread.objects.count() == 0

    client.post(new_url, {"title": "Summit notes", "body": "Text", "event_choice": conference.slug})

    assert Thread.objects.get(title="Summit notes").event_id == conference.pk


def test_thread_new_event_search_without_match_says_so(open_group: Group, member: Any) -> None:
    response = client_for(member).post(
        new_thread_url(open_group),
        {"title": "T", "body": "B", "event_query": "nothing like it", "find_event": "1"},
    )

    assert "No published event matches. Try other words." in response.content.decode()


def test_thread_new_enter_in_the_event_search_box_searches_events(
    open_group: Group, member: Any, conference: Event
) -> None:
    # Without JavaScript, Enter presses the form's first submit button: the practices' "Find".
    response = client_for(member).post(
        new_thread_url(open_group),
        {"title": "T", "body": "B", "practice_query": "", "event_query": "summit", "find_practice": "1"},
    )

    html = response.content.decode()
    assert f'name="event_choice" value="{conference.slug}"' in html
    assert "No published good practice matches." not in html


def test_thread_new_search_keeps_an_event_chosen_before(
    open_group: Group, member: Any, conference: Event
) -> None:
    response = client_for(member).post(
        new_thread_url(open_group),
        {
            "title": "T",
            "body": "B",
            "event_choice": conference.slug,
            "practice_query": "solar",
            "find_practice": "1",
        },
    )

    assert f'name="event" value="{conference.slug}"' in response.content.decode()


# --- The thread page ------------------------------------------------------------------------------------------


def test_thread_page_shows_the_linked_event(open_group: Group, conference: Event) -> None:
    thread = ThreadFactory(group=open_group, event=conference)
    PostFactory(thread=thread)

    html = Client().get(thread_url(thread)).content.decode()

    assert "About the event" in html
    assert 'href="/en/events/urban-heat-summit/" lang="en">Urban Heat Summit 2027</a>' in html


def test_thread_page_hides_an_event_gone_back_to_draft(open_group: Group, conference: Event) -> None:
    thread = ThreadFactory(group=open_group, event=conference)
    PostFactory(thread=thread)
    Event.objects.filter(pk=conference.pk).update(status=EventStatus.DRAFT)

    html = Client().get(thread_url(thread)).content.decode()

    assert "About the event" not in html
    assert "Urban Heat Summit 2027" not in html


# --- The event page -----------------------------------------------------------------------------------------


def _discussion(event: Event, access: str, title: str, *, status: str = PostStatus.PUBLISHED) -> Thread:
    group = GroupFactory(
        access=access, name=f"{access.title()} group", slug=f"{access}-group-{title[:4].lower()}"
    )
    thread = ThreadFactory(group=group, title=title, event=event)
    PostFactory(thread=thread, status=status)
    return thread


@pytest.fixture
def discussions(conference: Event) -> dict[str, Thread]:
    return {
        "open": _discussion(conference, Access.OPEN, "Heat maps after the summit"),
        "closed": _discussion(conference, Access.CLOSED, "Procurement of shade sails"),
        "secret": _discussion(conference, Access.SECRET, "Budget 2028 for the heat pilot"),
        "held": _discussion(conference, Access.OPEN, "Waiting for approval", status=PostStatus.HELD),
    }


def _titles_seen(viewer: Any, event: Event, discussions: dict[str, Thread]) -> list[str]:
    html = client_for(viewer).get(event_url(event)).content.decode()
    return [key for key, thread in discussions.items() if thread.title in html]


def test_event_discussions_visitor_sees_open_groups_only(
    conference: Event, discussions: dict[str, Thread]
) -> None:
    html = Client().get(event_url(conference)).content.decode()

    assert "Discussed in working groups" in html
    assert f'href="{thread_url(discussions["open"])}"' in html
    assert _titles_seen(None, conference, discussions) == ["open"]


def test_event_discussions_member_of_the_closed_group_sees_it(
    conference: Event, discussions: dict[str, Thread], member: Any
) -> None:
    MembershipFactory(group=discussions["closed"].group, user=member)

    assert _titles_seen(member, conference, discussions) == ["open", "closed"]


def test_event_discussions_outsider_never_learns_of_the_secret_group(
    conference: Event, discussions: dict[str, Thread]
) -> None:
    outsider = UserFactory()
    MembershipFactory(group=GroupFactory(access=Access.SECRET), user=outsider)
    secret = discussions["secret"]

    html = client_for(outsider).get(event_url(conference)).content.decode()

    assert _titles_seen(outsider, conference, discussions) == ["open"]
    assert secret.group.name not in html
    assert secret.group.slug not in html
    assert client_for(outsider).get(thread_url(secret)).status_code == 404
    assert Client().get(thread_url(secret)).status_code == 404


def test_event_discussions_member_of_the_secret_group_sees_it(
    conference: Event, discussions: dict[str, Thread], member: Any
) -> None:
    MembershipFactory(group=discussions["secret"].group, user=member)

    assert _titles_seen(member, conference, discussions) == ["open", "secret"]


def test_event_discussions_staff_see_every_group(
    conference: Event, discussions: dict[str, Thread], staff: Any
) -> None:
    assert _titles_seen(staff, conference, discussions) == ["open", "closed", "secret"]


def test_event_page_without_discussions_has_no_section(conference: Event) -> None:
    html = Client().get(event_url(conference)).content.decode()

    assert "Discussed in working groups" not in html


def _queries_for(client: Client, event: Event) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(event_url(event)).status_code == 200
    return len(captured)


def test_event_page_asks_for_discussions_only_when_there_are_some(member: Any) -> None:
    quiet = EventFactory()
    discussed = EventFactory()
    _discussion(discussed, Access.OPEN, "Heat maps after the summit")
    client = client_for(member)
    client.get(event_url(quiet))  # The first request of a session reads what later ones find cached.

    assert _queries_for(client, discussed) == _queries_for(client, quiet) + 1


def test_event_page_queries_are_bounded_with_many_discussions(
    member: Any, django_assert_max_num_queries: Any
) -> None:
    event = EventFactory()
    for number in range(12):
        group = GroupFactory(access=Access.CLOSED if number % 2 else Access.OPEN)
        MembershipFactory(group=group, user=member)
        PostFactory(thread=ThreadFactory(group=group, event=event))
    client = client_for(member)

    with django_assert_max_num_queries(15):
        response = client.get(event_url(event))

    assert len(re.findall(r'href="/en/groups/[^"/]+/threads/\d+/"', response.content.decode())) == 5


# --- The API --------------------------------------------------------------------------------------------------


def api_threads_url(group: Group) -> str:
    return f"/api/v1/groups/{group.slug}/threads/"


def test_api_thread_names_its_event(open_group: Group, conference: Event) -> None:
    thread = ThreadFactory(group=open_group, event=conference)
    PostFactory(thread=thread)

    data = Client().get(f"{api_threads_url(open_group)}{thread.pk}/").json()

    assert data["event"] == {
        "slug": "urban-heat-summit",
        "title": "Urban Heat Summit 2027",
        "url": "http://testserver/en/events/urban-heat-summit/",
    }


def test_api_thread_does_not_name_an_event_gone_back_to_draft(open_group: Group, conference: Event) -> None:
    thread = ThreadFactory(group=open_group, event=conference)
    PostFactory(thread=thread)
    Event.objects.filter(pk=conference.pk).update(status=EventStatus.DRAFT)

    listed = Client().get(api_threads_url(open_group)).json()["results"]
    detail = Client().get(f"{api_threads_url(open_group)}{thread.pk}/").json()

    assert [row["event"] for row in listed] == [None]
    assert detail["event"] is None


def test_api_starting_a_thread_about_an_event_links_it(
    open_group: Group, member: Any, conference: Event
) -> None:
    response = client_for(member).post(
        api_threads_url(open_group),
        {"title": "Summit notes", "body": "What we learned.", "event": "urban-heat-summit"},
        content_type="application/json",
    )

    assert response.status_code == 201
    data = response.json()
    assert Thread.objects.get(pk=data["id"]).event_id == conference.pk
    assert data["event"]["slug"] == "urban-heat-summit"


@pytest.mark.parametrize("reference", ["no-such-event", "draft-workshop"])
def test_api_starting_a_thread_about_an_unknown_or_draft_event_answers_400_and_saves_nothing(
    open_group: Group, member: Any, reference: str
) -> None:
    EventFactory(slug="draft-workshop", status=EventStatus.DRAFT, organisers=[member])
    before = counts()

    response = client_for(member).post(
        api_threads_url(open_group),
        {"title": "T", "body": "B", "event": reference},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"event": [UNKNOWN_IN_API]}
    assert counts() == before


def test_api_thread_list_with_events_takes_a_bounded_number_of_queries(
    member: Any, django_assert_max_num_queries: Any
) -> None:
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    for _ in range(25):
        PostFactory(thread=ThreadFactory(group=group, event=EventFactory()))
    client = client_for(member)

    with django_assert_max_num_queries(8):
        response = client.get(api_threads_url(group))

    results = response.json()["results"]
    assert len(results) == 20
    assert all(row["event"] is not None for row in results)
