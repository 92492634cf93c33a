from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from connective.core.models import Topic
from connective.network.follows import (
    PRACTICE_UPDATE_QUIET,
    activity_record,
    follow_set,
    follows_of,
)
from connective.network.models import Activity, ActivityVerb, Follow, FollowKind, Visibility
from connective.practices.models import Practice, PracticeStatus
from connective.practices.services import (
    practice_approve,
    practice_back_office_edited,
    practice_create_draft,
    practice_submit,
    practice_update,
)
from tests.factories import OrganisationFactory, ProfileFactory, UserFactory, city

pytestmark = pytest.mark.django_db

NEXT = "/en/practices/?topic=mobility"


def submitted_practice(author: Any, *, title: str = "Flood early warning by SMS") -> Practice:
    practice = practice_create_draft(
        author=author,
        data={
            "title": title,
            "summary": "Residents get a text message two hours before the river floods.",
            "language": "en",
            "city": city("Sfax", "TN"),
            "topics": list(Topic.objects.filter(slug="mobility")),
            "challenge": "Floods surprised residents at night.",
            "solution": "River gauges send alerts through the mobile network.",
            "results": "No casualties in the floods of 2025.",
        },
    )
    practice_submit(actor=author, practice=practice)
    return practice


@pytest.fixture
def person(db: Any) -> Any:
    return ProfileFactory(
        user=UserFactory(first_name="Chidi", last_name="Nwosu"), visibility=Visibility.PUBLIC
    ).user


def target_id(kind: str, person: Any) -> int:
    if kind == FollowKind.PERSON:
        return int(person.pk)
    if kind == FollowKind.ORGANISATION:
        return int(OrganisationFactory(name="City of Sfax").pk)
    if kind == FollowKind.CITY:
        return int(city("Sfax", "TN").pk)
    return int(Topic.objects.get(slug="mobility").pk)


def follow_url(kind: str, object_id: int) -> str:
    return reverse("network:follow", kwargs={"kind": kind, "object_id": object_id})


# --- follow_set ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FollowKind.values)
def test_follow_set_follows_each_kind(member: Any, person: Any, kind: str) -> None:
    object_id = target_id(kind, person)
    assert follow_set(follower=member, kind=kind, object_id=object_id, follow=True) is True
    assert list(Follow.objects.filter(follower=member).values_list("kind", "object_id")) == [
        (kind, object_id)
    ]
    assert follows_of(member)[kind] == {object_id}


@pytest.mark.parametrize("kind", FollowKind.values)
def test_follow_set_unfollows_each_kind(member: Any, person: Any, kind: str) -> None:
    object_id = target_id(kind, person)
    follow_set(follower=member, kind=kind, object_id=object_id, follow=True)
    assert follow_set(follower=member, kind=kind, object_id=object_id, follow=False) is False
    assert Follow.objects.filter(follower=member).count() == 0


def test_follow_set_twice_stores_one_follow(member: Any) -> None:
    topic = Topic.objects.get(slug="mobility")
    follow_set(follower=member, kind="topic", object_id=topic.pk, follow=True)
    assert follow_set(follower=member, kind="topic", object_id=topic.pk, follow=True) is True
    assert Follow.objects.filter(follower=member).count() == 1


def test_follow_set_unfollow_of_something_not_followed_changes_nothing(member: Any) -> None:
    topic = Topic.objects.get(slug="mobility")
    assert follow_set(follower=member, kind="topic", object_id=topic.pk, follow=False) is False
    assert Follow.objects.count() == 0


def test_follow_set_refuses_an_unknown_kind(member: Any) -> None:
    with pytest.raises(Http404):
        follow_set(follower=member, kind="planet", object_id=1, follow=True)
    assert Follow.objects.count() == 0


@pytest.mark.parametrize("kind", FollowKind.values)
def test_follow_set_refuses_an_unknown_object(member: Any, kind: str) -> None:
    with pytest.raises(Http404):
        follow_set(follower=member, kind=kind, object_id=987_654_321, follow=True)
    assert Follow.objects.count() == 0


def test_follow_set_refuses_an_id_too_large_for_the_database(member: Any) -> None:
    with pytest.raises(Http404):
        follow_set(follower=member, kind="city", object_id=2**70, follow=True)


def test_follow_set_refuses_following_yourself(member: Any) -> None:
    ProfileFactory(user=member)
    with pytest.raises(ValidationError) as error:
        follow_set(follower=member, kind="person", object_id=member.pk, follow=True)
    assert error.value.messages == ["You cannot follow yourself."]
    assert Follow.objects.count() == 0


def test_follow_set_refuses_a_hidden_profile(member: Any, person: Any) -> None:
    person.profile.visibility = Visibility.HIDDEN
    person.profile.save()
    with pytest.raises(Http404):
        follow_set(follower=member, kind="person", object_id=person.pk, follow=True)
    assert Follow.objects.count() == 0


def test_follow_set_accepts_a_members_only_profile(member: Any, person: Any) -> None:
    person.profile.visibility = Visibility.MEMBERS
    person.profile.save()
    assert follow_set(follower=member, kind="person", object_id=person.pk, follow=True) is True


def test_follow_set_refuses_a_member_without_profile(member: Any) -> None:
    stranger = UserFactory()
    with pytest.raises(Http404):
        follow_set(follower=member, kind="person", object_id=stranger.pk, follow=True)


def test_follow_set_refuses_a_former_member(member: Any, person: Any) -> None:
    person.deleted_at = timezone.now()
    person.save()
    with pytest.raises(Http404):
        follow_set(follower=member, kind="person", object_id=person.pk, follow=True)


def test_follow_set_lets_a_member_unfollow_someone_who_hid_their_profile(member: Any, person: Any) -> None:
    follow_set(follower=member, kind="person", object_id=person.pk, follow=True)
    person.profile.visibility = Visibility.HIDDEN
    person.profile.save()
    assert follow_set(follower=member, kind="person", object_id=person.pk, follow=False) is False
    assert Follow.objects.count() == 0


def test_follow_set_refuses_a_visitor() -> None:
    with pytest.raises(PermissionDenied):
        follow_set(follower=AnonymousUser(), kind="topic", object_id=1, follow=True)  # type: ignore[arg-type]


def test_follows_of_a_visitor_is_empty() -> None:
    assert follows_of(AnonymousUser()) == {
        "person": set(),
        "organisation": set(),
        "city": set(),
        "topic": set(),
    }


# --- the follow view -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", FollowKind.values)
def test_follow_view_follows_and_returns_to_the_page(
    client: Client, member: Any, person: Any, kind: str
) -> None:
    object_id = target_id(kind, person)
    client.force_login(member)
    response = client.post(follow_url(kind, object_id), {"follow": "1", "next": NEXT})
    assert response.status_code == 302
    assert response["Location"] == NEXT
    assert follows_of(member)[kind] == {object_id}


def test_follow_view_unfollows_and_says_so(client: Client, member: Any) -> None:
    sfax = city("Sfax", "TN")
    follow_set(follower=member, kind="city", object_id=sfax.pk, follow=True)
    client.force_login(member)
    response = client.post(follow_url("city", sfax.pk), {"follow": "0", "next": NEXT}, follow=True)
    assert follows_of(member)["city"] == set()
    assert "You no longer follow Sfax, Tunisia." in response.content.decode()


def test_follow_view_confirms_with_the_name(client: Client, member: Any, person: Any) -> None:
    client.force_login(member)
    response = client.post(follow_url("person", person.pk), {"next": NEXT}, follow=True)
    assert "You now follow Chidi Nwosu." in response.content.decode()


def test_follow_view_refuses_get_with_405(client: Client, member: Any) -> None:
    client.force_login(member)
    topic = Topic.objects.get(slug="mobility")
    assert client.get(follow_url("topic", topic.pk)).status_code == 405
    assert Follow.objects.count() == 0


def test_follow_view_sends_a_visitor_to_sign_in(client: Client) -> None:
    topic = Topic.objects.get(slug="mobility")
    response = client.post(follow_url("topic", topic.pk), {"follow": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert Follow.objects.count() == 0


def test_follow_view_needs_the_csrf_token(member: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    topic = Topic.objects.get(slug="mobility")
    assert client.post(follow_url("topic", topic.pk), {"follow": "1"}).status_code == 403
    assert Follow.objects.count() == 0


def test_follow_view_answers_404_for_an_unknown_kind(client: Client, member: Any) -> None:
    client.force_login(member)
    assert client.post(follow_url("planet", 1), {"follow": "1"}).status_code == 404


@pytest.mark.parametrize("kind", FollowKind.values)
def test_follow_view_answers_404_for_an_unknown_object(client: Client, member: Any, kind: str) -> None:
    client.force_login(member)
    assert client.post(follow_url(kind, 987_654_321), {"follow": "1"}).status_code == 404


def test_follow_view_answers_404_for_a_hidden_profile(client: Client, member: Any, person: Any) -> None:
    person.profile.visibility = Visibility.HIDDEN
    person.profile.save()
    client.force_login(member)
    assert client.post(follow_url("person", person.pk), {"follow": "1"}).status_code == 404
    assert Follow.objects.count() == 0


def test_follow_view_refuses_following_yourself_with_a_message(client: Client, member: Any) -> None:
    ProfileFactory(user=member)
    client.force_login(member)
    response = client.post(follow_url("person", member.pk), {"follow": "1", "next": NEXT}, follow=True)
    assert response.redirect_chain == [(NEXT, 302)]
    assert "You cannot follow yourself." in response.content.decode()
    assert Follow.objects.count() == 0


def test_follow_view_rejects_a_bad_follow_value(client: Client, member: Any) -> None:
    client.force_login(member)
    topic = Topic.objects.get(slug="mobility")
    assert client.post(follow_url("topic", topic.pk), {"follow": "yes"}).status_code == 400
    assert Follow.objects.count() == 0


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", ""]
)
def test_follow_view_never_returns_to_another_site(client: Client, member: Any, next_url: str) -> None:
    client.force_login(member)
    topic = Topic.objects.get(slug="mobility")
    response = client.post(follow_url("topic", topic.pk), {"follow": "1", "next": next_url})
    assert response["Location"] == reverse("network:my_network")


# --- template tags -------------------------------------------------------------------------------------


def render(source: str, user: Any, path: str = "/en/somewhere/?a=1") -> str:
    request = RequestFactory().get(path)
    request.user = user
    template = Template("{% load network %}" + source)
    return template.render(Context({"request": request, "user": user, "csrf_token": "TOKEN"}))


def test_follow_state_reads_the_follows_once_per_request(member: Any, django_assert_num_queries: Any) -> None:
    topics = list(Topic.objects.order_by("pk")[:5])
    follow_set(follower=member, kind="topic", object_id=topics[0].pk, follow=True)
    source = "".join(
        f'{{% follow_state "topic" {topic.pk} as on %}}{{{{ on|yesno:"Y,N" }}}}' for topic in topics
    )
    with django_assert_num_queries(1):
        assert render(source, member) == "YNNNN"


def test_follow_state_is_false_for_a_visitor(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert render('{% follow_state "topic" 1 as on %}{{ on }}', AnonymousUser()) == "False"


def test_follow_button_posts_with_csrf_and_the_current_page(member: Any) -> None:
    topic = Topic.objects.get(slug="mobility")
    html = render(f'{{% follow_button "topic" {topic.pk} "Mobility" %}}', member)
    assert f'action="{follow_url("topic", topic.pk)}"' in html
    assert 'method="post"' in html
    assert 'name="csrfmiddlewaretoken" value="TOKEN"' in html
    assert '<input type="hidden" name="next" value="/en/somewhere/?a=1">' in html
    assert '<input type="hidden" name="follow" value="1">' in html
    assert 'Follow<span class="visually-hidden"> Mobility</span>' in html


def test_follow_button_of_something_followed_offers_to_stop(member: Any) -> None:
    topic = Topic.objects.get(slug="mobility")
    follow_set(follower=member, kind="topic", object_id=topic.pk, follow=True)
    html = render(f'{{% follow_button "topic" {topic.pk} "Mobility" %}}', member)
    assert '<input type="hidden" name="follow" value="0">' in html
    assert "Stop following" in html


def test_follow_button_asks_a_visitor_to_sign_in() -> None:
    html = render('{% follow_button "topic" 1 "Mobility" %}', AnonymousUser())
    assert "<form" not in html
    assert "Sign in to follow" in html
    assert "?next=/en/somewhere/%3Fa%3D1" in html


# --- activity recorded by the knowledge base -----------------------------------------------------------


def test_practice_approve_records_a_published_activity_tagged_with_what_it_concerns(
    author: Any, editor: Any
) -> None:
    practice = submitted_practice(author)
    organisation = OrganisationFactory(name="City of Sfax")
    contact = UserFactory(first_name="Chidi", last_name="Nwosu")
    practice_update(
        actor=editor, practice=practice, data={"lead_organisation": organisation, "contact": contact}
    )
    practice_approve(editor=editor, practice=practice)
    activity = Activity.objects.get()
    assert activity.verb == ActivityVerb.PRACTICE_PUBLISHED
    assert activity.actor == author
    assert activity.practice == practice
    assert activity.organisation == organisation
    assert activity.city == city("Sfax", "TN")
    assert list(activity.topics.values_list("slug", flat=True)) == ["mobility"]
    assert set(activity.people.all()) == {author, contact}


def test_practice_update_of_a_draft_records_no_activity(author: Any) -> None:
    practice = submitted_practice(author)
    assert Activity.objects.count() == 0
    assert practice.status == PracticeStatus.SUBMITTED


def test_practice_update_while_published_records_an_update_once_per_quiet_period(
    author: Any, editor: Any
) -> None:
    practice = submitted_practice(author)
    practice_approve(editor=editor, practice=practice)
    practice_update(actor=editor, practice=practice, data={"costs": "EUR 120,000."})
    assert list(Activity.objects.values_list("verb", flat=True)) == [ActivityVerb.PRACTICE_PUBLISHED]
    Activity.objects.update(created_at=timezone.now() - PRACTICE_UPDATE_QUIET - timedelta(minutes=1))
    practice_update(actor=editor, practice=practice, data={"costs": "EUR 130,000."})
    practice_back_office_edited(actor=editor, practice=practice)
    assert list(Activity.objects.values_list("verb", "actor")) == [
        (ActivityVerb.PRACTICE_UPDATED, author.pk),
        (ActivityVerb.PRACTICE_PUBLISHED, author.pk),
    ]


def test_activity_record_stores_each_tag_once(member: Any, author: Any) -> None:
    mobility = Topic.objects.get(slug="mobility")
    activity = activity_record(
        verb=ActivityVerb.PROFILE_UPDATED, actor=member, topics=[mobility, mobility], people=[author, author]
    )
    assert list(activity.topics.all()) == [mobility]
    assert list(activity.people.all()) == [author]


def test_activity_record_refuses_an_unknown_verb(member: Any) -> None:
    with pytest.raises(ValueError):
        activity_record(verb="danced", actor=member)
    assert Activity.objects.count() == 0
