"""The group pages: the list, a group's home, members, joining and leaving, requests, invitations and
settings, for every access type and persona."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connective.core.models import Region, Topic
from connective.groups.models import (
    Access,
    Group,
    GroupKind,
    Invitation,
    JoinRequest,
    MemberRole,
    Membership,
    RequestStatus,
    Thread,
)
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    OrganisationFactory,
    ProfileFactory,
    ThreadFactory,
    UserFactory,
)
from tests.groups.membership_fixtures import (
    ACCESS_TYPES,
    PERSONAS,
    World,
    client_for,
    world_fixture,  # noqa: F401  (the `world` fixture)
)

pytestmark = pytest.mark.django_db

LIST_URL = "/en/groups/"


def detail_url(group: Group) -> str:
    return f"/en/groups/{group.slug}/"


def members_url(group: Group) -> str:
    return f"/en/groups/{group.slug}/members/"


# --- Who sees what ------------------------------------------------------------------------------------------

# (access, persona) pairs that may know the group exists; all others get 404 for the group's pages.
KNOWS = {
    (access, persona)
    for access in ACCESS_TYPES
    for persona in PERSONAS
    if access != Access.SECRET or persona in {"member", "moderator", "staff"}
}
# ... and those who may read inside it (threads, members).
READS = {
    (access, persona)
    for access, persona in KNOWS
    if access == Access.OPEN or persona in {"member", "moderator", "staff"}
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", ACCESS_TYPES)
def test_group_home_shows_threads_only_to_readers(world: World, access: str, persona: str) -> None:
    group = world.groups[access]
    ThreadFactory(group=group, title="Cool roofs in Tunis", post_count=1)

    response = client_for(world.user(persona)).get(detail_url(group))

    if (access, persona) not in KNOWS:
        assert response.status_code == 404
        assert group.name not in response.content.decode()
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 id="group-name">{group.name}</h1>' in html
    assert "Moana Derato" in html  # the moderators are named on every group's page
    assert ("Cool roofs in Tunis" in html) == ((access, persona) in READS)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("access", ACCESS_TYPES)
def test_members_page_is_for_readers_only(world: World, access: str, persona: str) -> None:
    group = world.groups[access]

    response = client_for(world.user(persona)).get(members_url(group))

    if (access, persona) not in READS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 members" in html
    assert "Mariam Haddad" in html
    assert html.count('<span class="status">Moderator</span>') == 1
    assert ("Name moderator" in html) == (persona in {"moderator", "staff"})


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_list_shows_secret_groups_only_to_those_who_know_them(world: World, persona: str) -> None:
    response = client_for(world.user(persona)).get(LIST_URL)

    assert response.status_code == 200
    html = response.content.decode()
    knows_secret = persona in {"member", "moderator", "staff"}
    assert ("Budget negotiations" in html) == knows_secret
    assert f"{4 if knows_secret else 3} groups" in html
    assert "Urban heat deep dive" in html
    assert "Women in municipal leadership" in html


def test_group_list_shows_a_secret_group_to_an_invitee(world: World) -> None:
    outsider = world.user("outsider")
    Invitation.objects.create(group=world.groups[Access.SECRET], invitee=outsider)

    html = client_for(outsider).get(LIST_URL).content.decode()

    assert "Budget negotiations" in html
    assert "You have 1 invitation to a group." in html
    assert client_for(outsider).get(detail_url(world.groups[Access.SECRET])).status_code == 200


def test_group_list_filtering_by_secret_access_finds_nothing_for_outsiders(world: World) -> None:
    response = client_for(world.user("outsider")).get(LIST_URL, {"access": "secret"})

    assert response.status_code == 200
    assert "0 groups" in response.content.decode()
    assert "Budget negotiations" not in response.content.decode()


def test_group_card_shows_counts_region_languages_and_membership(world: World) -> None:
    group = world.groups[Access.OPEN]
    Group.objects.filter(pk=group.pk).update(
        region=Region.objects.get(slug="mena"), languages=["ar", "fr"], thread_count=7
    )

    html = client_for(world.user("member")).get(LIST_URL).content.decode()

    card = html[html.index("Urban heat deep dive") :]
    card = card[: card.index("</li>")]
    assert "2 members · 7 threads" in card
    assert "Middle East" in card
    assert '<span class="lang-badge" title="Arabic">AR</span>' in card
    assert "You are a member" in card
    assert '<span class="access-badge access-open"' in card


# --- The list's filters -----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db: Any) -> dict[str, Group]:
    mena = Region.objects.get(slug="mena")
    latin = Region.objects.get(slug="latin-america")
    heat = GroupFactory(name="Urban heat", summary="Shade and water", region=latin, languages=["es", "pt"])
    housing = GroupFactory(name="Affordable housing", kind=GroupKind.REGIONAL, region=mena, languages=["ar"])
    closed = GroupFactory(name="Mayors' circle", access=Access.CLOSED, region=mena, languages=["fr", "ar"])
    housing.topics.set([Topic.objects.get(slug="housing")])
    heat.topics.set([Topic.objects.get(slug="climate-adaptation")])
    return {"heat": heat, "housing": housing, "closed": closed}


def names_on(client: Client, params: dict[str, str]) -> list[str]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return [group.name for group, _role in response.context["cards"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Affordable housing", "Mayors' circle", "Urban heat"]),
        ({"q": "water"}, ["Urban heat"]),
        ({"q": "HOUSING"}, ["Affordable housing"]),
        ({"kind": "regional"}, ["Affordable housing"]),
        ({"access": "closed"}, ["Mayors' circle"]),
        ({"region": "mena"}, ["Affordable housing", "Mayors' circle"]),
        ({"topic": "housing"}, ["Affordable housing"]),
        # A cluster takes in its subtopics.
        ({"topic": "integrated-urban-development"}, ["Affordable housing", "Urban heat"]),
        ({"language": "ar"}, ["Affordable housing", "Mayors' circle"]),
        ({"language": "pt"}, ["Urban heat"]),
        ({"sort": "members"}, ["Affordable housing", "Mayors' circle", "Urban heat"]),
    ],
)
def test_group_list_filters(catalogue: dict[str, Group], params: dict[str, str], expected: list[str]) -> None:
    assert names_on(Client(), params) == expected


def test_group_list_my_groups_shows_only_mine(catalogue: dict[str, Group], member: Any) -> None:
    MembershipFactory(group=catalogue["closed"], user=member)
    client = client_for(member)

    assert names_on(client, {"mine": "on"}) == ["Mayors' circle"]
    assert names_on(Client(), {"mine": "on"}) == []


def test_group_list_sorted_by_activity_puts_recent_first(catalogue: dict[str, Group]) -> None:
    Group.objects.filter(pk=catalogue["heat"].pk).update(last_activity_at=timezone.now())
    assert names_on(Client(), {"sort": "active"})[0] == "Urban heat"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"region": "atlantis"}, "Region: There is no region “atlantis”."),
        ({"kind": "social"}, "Kind: There is no kind of group “social”."),
        ({"language": "klingon"}, "Working language: “klingon” is not a language code"),
        ({"q": "x" * 201}, "Search text can be at most 200 characters long (it has 201)."),
        ({"page": "9"}, "There is no page 9: the groups fit on 1 page."),
    ],
)
def test_group_list_with_bad_filters_says_what_is_wrong(
    catalogue: dict[str, Group], params: dict[str, str], message: str
) -> None:
    response = Client().get(LIST_URL, params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_group_list_is_paginated(db: Any) -> None:
    for number in range(30):
        GroupFactory(name=f"Group {number:02d}")

    first = Client().get(LIST_URL)
    second = Client().get(LIST_URL, {"page": "2"})

    assert len(first.context["cards"]) == 24
    assert [group.name for group, _role in second.context["cards"]] == [f"Group {n}" for n in range(24, 30)]
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_group_list_of_50_groups_uses_at_most_10_queries(
    world: World, persona: str, django_assert_max_num_queries: Any
) -> None:
    for number in range(50):
        group = GroupFactory(name=f"Group {number}", region=Region.objects.get(slug="mena"), languages=["fr"])
        if number % 3 == 0:
            MembershipFactory(group=group, user=world.user("member"))
    client = client_for(world.user(persona))
    client.get(LIST_URL)  # the first request of a process loads the vocabulary of the filters

    with django_assert_max_num_queries(10):
        response = client.get(LIST_URL, {"region": "mena", "sort": "members"})

    assert response.status_code == 200
    assert len(response.context["cards"]) == 24


# --- A group's home -----------------------------------------------------------------------------------------


def test_group_home_lists_threads_pinned_first_with_links(world: World) -> None:
    group = world.groups[Access.OPEN]
    older = ThreadFactory(group=group, title="Guidelines for this group", pinned=True, post_count=1)
    Thread.objects.filter(pk=older.pk).update(last_post_at=timezone.now() - timedelta(days=30))
    newer = ThreadFactory(group=group, title="Heat wave alerts", post_count=3)

    html = client_for(world.user("member")).get(detail_url(group)).content.decode()

    assert html.index("Guidelines for this group") < html.index("Heat wave alerts")
    assert f'href="/en/groups/urban-heat/threads/{newer.pk}/"' in html
    assert "3 posts" in html
    assert '<span class="status">Pinned</span>' in html


def test_group_home_hides_threads_waiting_for_approval_from_other_readers(world: World) -> None:
    group = world.groups[Access.OPEN]
    author = world.user("member")
    ThreadFactory(group=group, title="Waiting for a moderator", author=author, post_count=0)

    assert "Waiting for a moderator" not in Client().get(detail_url(group)).content.decode()
    assert "Waiting for a moderator" in client_for(author).get(detail_url(group)).content.decode()
    assert (
        "Waiting for a moderator"
        in client_for(world.user("moderator")).get(detail_url(group)).content.decode()
    )


def test_group_home_paginates_threads(world: World) -> None:
    group = world.groups[Access.OPEN]
    for number in range(35):
        ThreadFactory(group=group, title=f"Topic {number}", post_count=1)

    first = client_for(world.user("member")).get(detail_url(group))
    second = client_for(world.user("member")).get(detail_url(group), {"page": "2"})

    assert len(first.context["threads_page"].object_list) == 30
    assert len(second.context["threads_page"].object_list) == 5


@pytest.mark.parametrize("persona", ["visitor", "member", "moderator"])
def test_group_home_with_50_threads_uses_a_bounded_number_of_queries(
    world: World, persona: str, django_assert_max_num_queries: Any
) -> None:
    group = world.groups[Access.CLOSED if persona != "visitor" else Access.OPEN]
    for number in range(50):
        ThreadFactory(group=group, title=f"Topic {number}", post_count=2, author=UserFactory())
    client = client_for(world.user(persona))
    client.get(detail_url(group))

    with django_assert_max_num_queries(10):
        response = client.get(detail_url(group))

    assert response.status_code == 200
    assert len(response.context["threads_page"].object_list) == 30


def test_group_home_renders_the_description_as_sanitised_markdown(world: World) -> None:
    group = world.groups[Access.OPEN]
    Group.objects.filter(pk=group.pk).update(
        description="## Aims\n\nShade, **cool roofs**.\n\n<script>alert('x')</script>",
        description_language="ar",
    )

    html = Client().get(detail_url(group)).content.decode()

    assert "<h3>Aims</h3>" in html
    assert "<strong>cool roofs</strong>" in html
    assert "<script>alert" not in html
    assert 'lang="ar" dir="rtl"' in html


def test_group_home_links_the_feed_of_open_groups_only(world: World) -> None:
    open_html = Client().get(detail_url(world.groups[Access.OPEN])).content.decode()
    closed_html = Client().get(detail_url(world.groups[Access.CLOSED])).content.decode()

    assert (
        '<link rel="alternate" type="application/atom+xml" title="New threads and posts in Urban heat deep dive" '
        'href="/en/groups/urban-heat/feed.atom">'
    ) in open_html
    assert "feed.atom" not in closed_html


def test_group_home_of_a_closed_group_offers_outsiders_the_request_form(world: World) -> None:
    group = world.groups[Access.CLOSED]

    outsider_html = client_for(world.user("outsider")).get(detail_url(group)).content.decode()
    visitor_html = Client().get(detail_url(group)).content.decode()
    member_html = client_for(world.user("member")).get(detail_url(group)).content.decode()

    assert 'id="join-request"' in outsider_html
    assert "Sign in to ask to join" in visitor_html
    assert 'id="join-request"' not in visitor_html
    assert 'id="join-request"' not in member_html
    assert "Leave the group" in member_html


def test_group_home_of_a_secret_group_is_marked_noindex(world: World) -> None:
    html = client_for(world.user("member")).get(detail_url(world.groups[Access.SECRET])).content.decode()
    assert '<meta name="robots" content="noindex">' in html


def test_header_links_the_group_list(db: Any) -> None:
    html = Client().get(LIST_URL).content.decode()
    assert '<a href="/en/groups/" aria-current="page">Groups</a>' in html


# --- Joining, asking, leaving -------------------------------------------------------------------------------


def test_joining_an_open_group_from_its_page(world: World) -> None:
    group = world.groups[Access.OPEN]
    outsider = world.user("outsider")

    response = client_for(outsider).post(f"/en/groups/{group.slug}/join/")

    assert response.status_code == 302
    assert response["Location"] == detail_url(group)
    assert Membership.objects.filter(group=group, user=outsider).exists()


def test_joining_asks_visitors_to_sign_in(world: World) -> None:
    response = Client().post(f"/en/groups/{world.groups[Access.OPEN].slug}/join/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_asking_to_join_a_closed_group_from_its_page(world: World) -> None:
    group = world.groups[Access.CLOSED]
    outsider = world.user("outsider")
    client = client_for(outsider)

    response = client.post(f"/en/groups/{group.slug}/join/", {"message": "I chair the council's committee."})

    assert response.status_code == 302
    join_request = JoinRequest.objects.get(group=group)
    assert (join_request.user, join_request.message) == (outsider, "I chair the council's committee.")
    assert not Membership.objects.filter(group=group, user=outsider).exists()
    html = client.get(detail_url(group)).content.decode()
    assert "The moderators will answer you." in html
    assert "Withdraw my request" in html

    client.post(f"/en/groups/{group.slug}/withdraw/")
    join_request.refresh_from_db()
    assert join_request.status == RequestStatus.WITHDRAWN


def test_asking_to_join_with_an_overlong_message_keeps_the_text_and_saves_nothing(world: World) -> None:
    group = world.groups[Access.CLOSED]
    typed = "I would like to join. " * 100

    response = client_for(world.user("outsider")).post(f"/en/groups/{group.slug}/join/", {"message": typed})

    assert response.status_code == 400
    html = response.content.decode()
    assert f"Write at most 2000 characters (this has {len(typed.strip())})." in html
    assert typed.strip() in html
    assert JoinRequest.objects.count() == 0


def test_joining_a_closed_group_directly_is_impossible(world: World) -> None:
    group = world.groups[Access.CLOSED]
    # The page offers a request; even a forged "join" with no message makes a request, never a membership.
    client_for(world.user("outsider")).post(f"/en/groups/{group.slug}/join/")
    assert not Membership.objects.filter(group=group, user=world.user("outsider")).exists()


def test_joining_or_asking_for_a_secret_group_answers_404_to_outsiders(world: World) -> None:
    group = world.groups[Access.SECRET]
    client = client_for(world.user("outsider"))

    assert client.post(f"/en/groups/{group.slug}/join/", {"message": "Hello"}).status_code == 404
    assert client.post(f"/en/groups/{group.slug}/leave/").status_code == 404
    assert JoinRequest.objects.count() == 0
    assert Membership.objects.filter(group=group).count() == 2


def test_leaving_a_group_from_its_page(world: World) -> None:
    group = world.groups[Access.SECRET]
    member = world.user("member")

    response = client_for(member).post(f"/en/groups/{group.slug}/leave/")

    assert response["Location"] == LIST_URL
    assert not Membership.objects.filter(group=group, user=member).exists()


def test_leaving_as_the_last_moderator_says_why_not(world: World) -> None:
    group = world.groups[Access.OPEN]
    client = client_for(world.user("moderator"))

    response = client.post(f"/en/groups/{group.slug}/leave/", follow=True)

    assert "You are the only moderator of this group." in response.content.decode()
    assert Membership.objects.filter(group=group, user=world.user("moderator")).exists()


# --- Requests, as moderators see them -----------------------------------------------------------------------


@pytest.fixture
def waiting(world: World) -> JoinRequest:
    return JoinRequest.objects.create(
        group=world.groups[Access.CLOSED], user=world.user("outsider"), message="I run the gender unit."
    )


@pytest.mark.parametrize(
    ("persona", "status"), [("moderator", 200), ("staff", 200), ("member", 404), ("outsider", 404)]
)
def test_requests_page_is_for_moderators(
    world: World, waiting: JoinRequest, persona: str, status: int
) -> None:
    response = client_for(world.user(persona)).get("/en/groups/women-leadership/requests/")

    assert response.status_code == status
    if status == 200:
        assert "I run the gender unit." in response.content.decode()
        assert "Otto Sider" in response.content.decode()


def test_accepting_a_request_with_a_message(world: World, waiting: JoinRequest) -> None:
    url = f"/en/groups/women-leadership/requests/{waiting.pk}/"

    response = client_for(world.user("moderator")).post(url, {"decision": "accept", "response": "Welcome!"})

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.response) == ("accepted", "Welcome!")
    assert Membership.objects.filter(group=waiting.group, user=world.user("outsider")).exists()


def test_declining_with_an_overlong_message_keeps_it_and_changes_nothing(
    world: World, waiting: JoinRequest
) -> None:
    typed = "Sorry. " * 300

    response = client_for(world.user("moderator")).post(
        f"/en/groups/women-leadership/requests/{waiting.pk}/", {"decision": "decline", "response": typed}
    )

    assert response.status_code == 400
    assert typed.strip() in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == "pending"


def test_deciding_as_a_member_answers_404(world: World, waiting: JoinRequest) -> None:
    response = client_for(world.user("member")).post(
        f"/en/groups/women-leadership/requests/{waiting.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "pending"


# --- Invitations --------------------------------------------------------------------------------------------


def test_invitations_page_lists_mine_and_accepting_opens_the_group(world: World) -> None:
    group = world.groups[Access.SECRET]
    outsider = world.user("outsider")
    invitation = Invitation.objects.create(
        group=group, invitee=outsider, invited_by=world.user("moderator"), message="Come and talk budgets."
    )
    client = client_for(outsider)

    html = client.get("/en/groups/invitations/").content.decode()
    assert "Budget negotiations" in html
    assert "Invited by Moana Derato" in html
    assert "Come and talk budgets." in html

    response = client.post(f"/en/groups/invitations/{invitation.pk}/", {"decision": "accept"})

    assert response["Location"] == detail_url(group)
    assert Membership.objects.filter(group=group, user=outsider).exists()
    assert "Come and talk budgets." not in client.get("/en/groups/invitations/").content.decode()


def test_answering_someone_elses_invitation_answers_404(world: World) -> None:
    invitation = Invitation.objects.create(group=world.groups[Access.SECRET], invitee=world.user("outsider"))
    response = client_for(world.user("member")).post(
        f"/en/groups/invitations/{invitation.pk}/", {"decision": "accept"}
    )
    assert response.status_code == 404


def test_inviting_a_person_found_by_name(world: World) -> None:
    outsider = world.user("outsider")
    ProfileFactory(user=outsider)
    client = client_for(world.user("moderator"))
    url = "/en/groups/budget-talks/invite/"

    found = client.get(url, {"q": "otto"})
    assert f'value="user:{outsider.pk}"' in found.content.decode()
    response = client.post(url, {"q": "otto", "target": f"user:{outsider.pk}", "message": "Join us"})

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.invitee, invitation.message, invitation.group) == (
        outsider,
        "Join us",
        world.groups[Access.SECRET],
    )


def test_inviting_an_organisation(world: World) -> None:
    city_hall = OrganisationFactory(name="Municipality of Sfax")
    people = [UserFactory(organisation=city_hall) for _ in range(2)]
    client = client_for(world.user("moderator"))
    url = "/en/groups/budget-talks/invite/"

    assert f'value="organisation:{city_hall.pk}"' in client.get(url, {"q": "sfax"}).content.decode()
    response = client.post(url, {"q": "sfax", "target": f"organisation:{city_hall.pk}"}, follow=True)

    assert "2 people of Municipality of Sfax are invited." in response.content.decode()
    assert sorted(Invitation.objects.values_list("invitee_id", flat=True)) == sorted(p.pk for p in people)


def test_inviting_with_bad_input_keeps_the_message_and_saves_nothing(world: World) -> None:
    client = client_for(world.user("moderator"))
    url = "/en/groups/budget-talks/invite/"

    no_one = client.post(url, {"q": "otto", "message": "Please join"})
    bogus = client.post(url, {"q": "otto", "target": "user:999999", "message": "Please join"})

    assert no_one.status_code == 400
    assert "Choose a person or an organisation to invite." in no_one.content.decode()
    assert "Please join" in no_one.content.decode()
    assert bogus.status_code == 400
    assert "This person cannot be invited." in bogus.content.decode()
    assert Invitation.objects.count() == 0


def test_invite_page_is_for_moderators(world: World) -> None:
    assert client_for(world.user("member")).get("/en/groups/budget-talks/invite/").status_code == 404
    assert client_for(world.user("staff")).get("/en/groups/budget-talks/invite/").status_code == 200


# --- Moderators on the members page ---------------------------------------------------------------------


def test_naming_a_moderator_from_the_members_page(world: World) -> None:
    group = world.groups[Access.OPEN]
    member = world.user("member")
    url = f"/en/groups/{group.slug}/members/{member.pk}/moderator/"

    assert client_for(member).post(url, {"moderator": "1"}).status_code == 404
    response = client_for(world.user("moderator")).post(url, {"moderator": "1"})

    assert response["Location"] == members_url(group)
    assert Membership.objects.get(group=group, user=member).role == MemberRole.MODERATOR


# --- Settings -----------------------------------------------------------------------------------------------


def settings_data(**changes: Any) -> dict[str, Any]:
    return {
        "summary": "Six cities compare heat plans.",
        "description": "We meet monthly.",
        "description_language": "en",
        "languages": "en, French",
        "region": "",
        **changes,
    }


def test_settings_page_lets_moderators_describe_the_group(world: World) -> None:
    group = world.groups[Access.OPEN]
    client = client_for(world.user("moderator"))
    url = f"/en/groups/{group.slug}/settings/"

    assert "Who may join" not in client.get(url).content.decode()
    response = client.post(url, settings_data(access="secret"))

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.summary, group.languages, group.access) == (
        "Six cities compare heat plans.",
        ["en", "fr"],
        "open",
    )


def test_settings_page_lets_staff_change_access(world: World) -> None:
    group = world.groups[Access.OPEN]
    client = client_for(world.user("staff"))
    url = f"/en/groups/{group.slug}/settings/"

    assert "Who may join" in client.get(url).content.decode()
    client.post(url, settings_data(name="Urban heat", kind="thematic", access="closed"))

    group.refresh_from_db()
    assert (group.name, group.access) == ("Urban heat", "closed")


def test_settings_with_a_foreign_region_keeps_the_text_and_saves_nothing(world: World) -> None:
    group = world.groups[Access.OPEN]

    response = client_for(world.user("moderator")).post(
        f"/en/groups/{group.slug}/settings/", settings_data(region="999999", summary="Typed summary")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is no such region. Choose one from the list." in html
    assert 'value="Typed summary"' in html
    group.refresh_from_db()
    assert group.summary == "Cities comparing what works."


def test_settings_with_an_empty_name_from_staff_saves_nothing(world: World) -> None:
    group = world.groups[Access.OPEN]

    response = client_for(world.user("staff")).post(
        f"/en/groups/{group.slug}/settings/", settings_data(name="  ", kind="thematic", access="open")
    )

    assert response.status_code == 400
    assert "Give the group a name." in response.content.decode()
    group.refresh_from_db()
    assert group.name == "Urban heat deep dive"


@pytest.mark.parametrize("persona", ["visitor", "outsider", "member"])
def test_settings_page_is_closed_to_non_moderators(world: World, persona: str) -> None:
    response = client_for(world.user(persona)).get("/en/groups/urban-heat/settings/")
    assert response.status_code in ({302} if persona == "visitor" else {404})


# --- Search engines -------------------------------------------------------------------------------------------


def test_sitemap_lists_open_and_closed_groups_only(world: World) -> None:
    xml = Client().get("/sitemap-groups.xml").content.decode()

    assert "/en/groups/urban-heat/" in xml
    assert "/en/groups/women-leadership/" in xml
    assert "budget-talks" not in xml


@pytest.mark.parametrize("persona", PERSONAS)
def test_group_home_links_members_to_their_email_choice_for_the_group(world: World, persona: str) -> None:
    group = world.groups[Access.OPEN]

    html = client_for(world.user(persona)).get(detail_url(group)).content.decode()

    link = f'href="/en/notifications/preferences/#field-group_{group.pk}"'
    assert (link in html) == (persona in {"member", "moderator"})
