from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from connective.core.models import Topic
from connective.network.follows import FEED_PER_PAGE, activity_record, follow_set, my_network_feed
from connective.network.models import ActivityVerb, Visibility
from connective.practices.models import PracticeStatus
from connective.practices.services import practice_approve, practice_unpublish
from tests.factories import OrganisationFactory, PracticeFactory, ProfileFactory, UserFactory, city
from tests.network.test_follows import submitted_practice

pytestmark = pytest.mark.django_db

URL = "/en/my-network/"


def page_text(client: Client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def follow(user: Any, kind: str, object_id: int) -> None:
    follow_set(follower=user, kind=kind, object_id=object_id, follow=True)


@pytest.fixture
def signed_in(client: Client, member: Any) -> Client:
    client.force_login(member)
    return client


def test_my_network_has_its_url() -> None:
    assert reverse("network:my_network") == URL


def test_my_network_sends_a_visitor_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_network_feed_shows_a_newly_approved_practice_in_a_followed_city_and_topic_once(
    signed_in: Client, member: Any, author: Any, editor: Any
) -> None:
    follow(member, "city", city("Sfax", "TN").pk)
    follow(member, "topic", Topic.objects.get(slug="mobility").pk)
    practice = submitted_practice(author)
    assert my_network_feed(viewer=member, page=1).paginator.count == 0
    practice_approve(editor=editor, practice=practice)
    feed = my_network_feed(viewer=member, page=1)
    assert [item.practice for item in feed.object_list] == [practice]
    assert feed.object_list[0].reasons == ["Sfax", "Mobility"]
    text = page_text(signed_in)
    assert text.count("Flood early warning by SMS") == 1
    assert f'href="{practice.get_absolute_url()}"' in text
    assert "Because you follow Sfax, Mobility" in text


def test_my_network_feed_leaves_out_a_practice_unpublished_since(
    member: Any, author: Any, editor: Any
) -> None:
    follow(member, "city", city("Sfax", "TN").pk)
    practice = submitted_practice(author)
    practice_approve(editor=editor, practice=practice)
    practice_unpublish(editor=editor, practice=practice, comment="The figures are wrong.")
    assert practice.status == PracticeStatus.CHANGES_REQUESTED
    assert list(my_network_feed(viewer=member, page=1).object_list) == []


def test_my_network_feed_leaves_out_what_is_not_followed(member: Any, author: Any, editor: Any) -> None:
    follow(member, "city", city("Leipzig", "DE").pk)
    follow(member, "topic", Topic.objects.get(slug="housing").pk)
    practice_approve(editor=editor, practice=submitted_practice(author))
    assert list(my_network_feed(viewer=member, page=1).object_list) == []


def test_my_network_feed_follows_a_cluster_through_its_subtopics(
    member: Any, author: Any, editor: Any
) -> None:
    cluster = Topic.objects.get(slug="mobility").parent
    assert cluster is not None
    follow(member, "topic", cluster.pk)
    practice = submitted_practice(author)
    practice_approve(editor=editor, practice=practice)
    assert [item.practice for item in my_network_feed(viewer=member, page=1).object_list] == [practice]


def test_my_network_feed_shows_practices_of_a_followed_organisation(
    member: Any, author: Any, editor: Any
) -> None:
    organisation = OrganisationFactory(name="City of Sfax")
    follow(member, "organisation", organisation.pk)
    practice = submitted_practice(author)
    practice.lead_organisation = organisation
    practice.save()
    practice_approve(editor=editor, practice=practice)
    items = my_network_feed(viewer=member, page=1).object_list
    assert [(item.practice, item.reasons) for item in items] == [(practice, ["City of Sfax"])]


def test_my_network_feed_names_a_followed_person(
    signed_in: Client, member: Any, author: Any, editor: Any
) -> None:
    profile = ProfileFactory(user=author, visibility=Visibility.MEMBERS)
    follow(member, "person", author.pk)
    practice_approve(editor=editor, practice=submitted_practice(author))
    text = page_text(signed_in)
    assert f'<a href="/en/people/{profile.slug}/">Amara Okafor</a>' in text
    item = my_network_feed(viewer=member, page=1).object_list[0]
    assert (item.subject_name, item.verb_label, item.reasons) == (
        "Amara Okafor",
        "published a good practice",
        ["Amara Okafor"],
    )


def test_my_network_feed_drops_a_followed_person_who_hid_their_profile(
    signed_in: Client, member: Any, author: Any, editor: Any
) -> None:
    profile = ProfileFactory(user=author, visibility=Visibility.PUBLIC)
    follow(member, "person", author.pk)
    practice_approve(editor=editor, practice=submitted_practice(author))
    profile.visibility = Visibility.HIDDEN
    profile.save()
    assert list(my_network_feed(viewer=member, page=1).object_list) == []
    text = page_text(signed_in)
    assert "Amara Okafor" not in text
    # Still listed, without a name, so that the member can stop following.
    assert "A member" in text
    assert "Stop following" in text


def test_my_network_feed_shows_a_hidden_person_as_a_member_when_something_else_is_followed(
    signed_in: Client, member: Any, author: Any, editor: Any
) -> None:
    ProfileFactory(user=author, visibility=Visibility.HIDDEN)
    follow(member, "city", city("Sfax", "TN").pk)
    practice_approve(editor=editor, practice=submitted_practice(author))
    item = my_network_feed(viewer=member, page=1).object_list[0]
    assert (item.subject_name, item.subject_url, item.reasons) == ("A member", None, ["Sfax"])
    text = page_text(signed_in)
    assert "Amara Okafor" not in text
    assert "Flood early warning by SMS" in text


def test_my_network_feed_shows_news_about_a_person_only_while_their_profile_is_visible(
    member: Any, author: Any
) -> None:
    profile = ProfileFactory(user=author, visibility=Visibility.PUBLIC)
    mobility = Topic.objects.get(slug="mobility")
    follow(member, "topic", mobility.pk)
    activity_record(verb=ActivityVerb.PROFILE_UPDATED, actor=author, topics=[mobility])
    assert [item.subject_name for item in my_network_feed(viewer=member, page=1).object_list] == [
        "Amara Okafor"
    ]
    profile.visibility = Visibility.HIDDEN
    profile.save()
    assert list(my_network_feed(viewer=member, page=1).object_list) == []


@pytest.mark.parametrize(
    ("organisation_visibility", "still_there", "shown"),
    [
        (Visibility.PUBLIC, True, True),
        (Visibility.MEMBERS, True, True),
        (Visibility.HIDDEN, True, False),
        (Visibility.PUBLIC, False, False),
    ],
)
def test_my_network_feed_shows_who_joined_an_organisation_only_while_they_show_it(
    member: Any, author: Any, organisation_visibility: str, still_there: bool, shown: bool
) -> None:
    organisation = OrganisationFactory(name="City of Sfax")
    ProfileFactory(user=author, organisation_visibility=organisation_visibility)
    author.organisation = organisation if still_there else OrganisationFactory(name="Elsewhere")
    author.save()
    follow(member, "organisation", organisation.pk)
    activity_record(verb=ActivityVerb.JOINED_ORGANISATION, actor=author, organisation=organisation)
    subjects = [item.subject_name for item in my_network_feed(viewer=member, page=1).object_list]
    assert subjects == (["Amara Okafor"] if shown else [])


def test_my_network_feed_names_the_organisation_that_was_verified(member: Any, staff: Any) -> None:
    organisation = OrganisationFactory(name="City of Sfax")
    follow(member, "organisation", organisation.pk)
    activity_record(verb=ActivityVerb.ORGANISATION_VERIFIED, actor=staff, organisation=organisation)
    item = my_network_feed(viewer=member, page=1).object_list[0]
    assert (item.subject_name, item.verb_label) == ("City of Sfax", "was verified")


def test_my_network_feed_is_paginated_newest_first(member: Any) -> None:
    sfax = city("Sfax", "TN")
    follow(member, "city", sfax.pk)
    practices = [PracticeFactory(title=f"Practice {n}", city=sfax) for n in range(FEED_PER_PAGE + 3)]
    for practice in practices:
        activity_record(verb=ActivityVerb.PRACTICE_PUBLISHED, practice=practice, city=sfax)
    first = my_network_feed(viewer=member, page=1)
    second = my_network_feed(viewer=member, page=2)
    assert [item.practice for item in first.object_list] == practices[::-1][:FEED_PER_PAGE]
    assert [item.practice for item in second.object_list] == practices[::-1][FEED_PER_PAGE:]
    assert my_network_feed(viewer=member, page=99).number == 2


def test_my_network_uses_a_bounded_number_of_queries_with_many_activities(
    signed_in: Client, member: Any, django_assert_max_num_queries: Any
) -> None:
    sfax = city("Sfax", "TN")
    mobility = Topic.objects.get(slug="mobility")
    organisation = OrganisationFactory(name="City of Sfax")
    follow(member, "city", sfax.pk)
    follow(member, "topic", mobility.pk)
    follow(member, "organisation", organisation.pk)
    for _ in range(30):
        person = ProfileFactory(
            user=UserFactory(organisation=organisation, city=sfax), visibility=Visibility.PUBLIC
        ).user
        person.profile.expertise.set([mobility])
        follow(member, "person", person.pk)
        practice = PracticeFactory(city=sfax, author=person, contact=person)
        activity_record(
            verb=ActivityVerb.PRACTICE_PUBLISHED,
            actor=person,
            practice=practice,
            organisation=organisation,
            city=sfax,
            topics=[mobility],
            people=[person, UserFactory()],
        )
        activity_record(verb=ActivityVerb.PROFILE_UPDATED, actor=person, topics=[mobility])
    page_text(signed_in)
    with django_assert_max_num_queries(16):
        text = page_text(signed_in)
    assert text.count("published a good practice") == 10
    assert text.count("updated their profile") == 10
    with django_assert_max_num_queries(16):
        page_text(signed_in, URL + "?page=3")


def test_my_network_lists_what_the_member_follows_with_buttons_to_stop(
    signed_in: Client, member: Any
) -> None:
    person = ProfileFactory(user=UserFactory(first_name="Chidi", last_name="Nwosu")).user
    organisation = OrganisationFactory(name="City of Sfax")
    sfax = city("Sfax", "TN")
    mobility = Topic.objects.get(slug="mobility")
    for kind, object_id in (
        ("person", person.pk),
        ("organisation", organisation.pk),
        ("city", sfax.pk),
        ("topic", mobility.pk),
    ):
        follow(member, kind, object_id)
    text = page_text(signed_in)
    for name in ("Chidi Nwosu", "City of Sfax", "Sfax, Tunisia", "Mobility"):
        assert f'Stop following<span class="visually-hidden"> {name}</span>' in text
    assert f'action="/en/follow/city/{sfax.pk}/"' in text
    assert '<input type="hidden" name="next" value="/en/my-network/">' in text
    assert "Suggestions to start with" not in text


def test_my_network_suggests_the_topics_of_the_members_expertise(signed_in: Client, member: Any) -> None:
    profile = ProfileFactory(user=member)
    profile.expertise.set(Topic.objects.filter(slug__in=["mobility", "housing"]))
    text = page_text(signed_in)
    assert "Suggestions to start with" in text
    assert "You do not follow anything yet." in text
    mobility = Topic.objects.get(slug="mobility")
    assert f'action="/en/follow/topic/{mobility.pk}/"' in text
    assert 'Follow<span class="visually-hidden"> Mobility</span>' in text


def test_my_network_suggests_the_topic_clusters_to_a_member_with_an_empty_profile(
    signed_in: Client, member: Any
) -> None:
    text = page_text(signed_in)
    clusters = Topic.objects.filter(parent__isnull=True)
    assert clusters.count() == 4
    for cluster in clusters:
        assert f'action="/en/follow/topic/{cluster.pk}/"' in text


def test_my_network_ignores_a_bad_page_number(signed_in: Client, member: Any) -> None:
    follow(member, "city", city("Sfax", "TN").pk)
    assert signed_in.get(URL + "?page=abc").status_code == 200
    assert signed_in.get(URL + "?page=-3").status_code == 200
