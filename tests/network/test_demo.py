"""The network part of the demo: people and organisations of every region, profiles, follows, conversations.

The demo is loaded once for the module (the practices' demo with it, as `make run` does) inside a transaction
rolled back at the end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings

from connective.accounts.models import User
from connective.core.models import City, Region
from connective.network.demo_loader import (
    NETWORK_DEMO_DIR,
    NetworkDemoFiles,
    check_network_demo,
    draw_portrait,
    is_example_url,
    load_network_demo,
    read_network_demo_json,
)
from connective.network.models import (
    Activity,
    ActivityVerb,
    Conversation,
    ConversationMember,
    Follow,
    FollowKind,
    Message,
    Organisation,
    OrganisationType,
    Profile,
    ProfileLanguage,
    ProfileLink,
    Visibility,
)
from connective.network.selectors import person_view, with_profile_data
from connective.practices.demo_loader import (
    DEMO_DIR,
    MEMBER_EMAIL,
    STAFF_EMAIL,
    DemoDataError,
    DemoSummary,
    load_demo,
)
from connective.practices.models import Practice, PracticeStatus
from tests.factories import wagtail_roots

PEOPLE_JSON: list[dict[str, Any]] = json.loads((NETWORK_DEMO_DIR / "people.json").read_text(encoding="utf-8"))
ORGANISATIONS_JSON: list[dict[str, Any]] = json.loads(
    (NETWORK_DEMO_DIR / "organisations.json").read_text(encoding="utf-8")
)
PRACTICE_PEOPLE: list[dict[str, Any]] = json.loads((DEMO_DIR / "people.json").read_text(encoding="utf-8"))
PRACTICES_JSON: list[dict[str, Any]] = json.loads((DEMO_DIR / "practices.json").read_text(encoding="utf-8"))


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


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "profiles": Profile.objects.count(),
        "languages": ProfileLanguage.objects.count(),
        "links": ProfileLink.objects.count(),
        "expertise": Profile.expertise.through.objects.count(),
        "organisations": Organisation.objects.count(),
        "verified": Organisation.objects.filter(verified_at__isnull=False).count(),
        "follows": Follow.objects.count(),
        "conversations": Conversation.objects.count(),
        "messages": Message.objects.count(),
        "activities": Activity.objects.count(),
    }


def test_load_demo_builds_about_150_people_and_60_organisations(loaded: DemoSummary) -> None:
    new_people = [record for record in PEOPLE_JSON if "first_name" in record]
    assert Profile.objects.count() == len(PEOPLE_JSON) == 152
    assert User.objects.count() == len(PRACTICE_PEOPLE) + 4 + len(new_people) == 152
    assert Organisation.objects.count() == len(ORGANISATIONS_JSON) == 60
    # The summary `make run` prints counts the directory's people and organisations too.
    assert (loaded.people, loaded.organisations) == (152, 60)
    assert loaded.warnings == []


def test_load_demo_twice_changes_nothing(loaded: DemoSummary) -> None:
    before = _counts()

    again = load_demo()
    network = load_network_demo()

    assert again.already_loaded
    assert not network.changed
    assert network.describe() == "Network demo data already loaded."
    assert _counts() == before
    assert before == {
        "users": 152,
        "profiles": 152,
        "languages": sum(len(record["languages"]) for record in PEOPLE_JSON),
        "links": sum(len(record.get("links") or []) for record in PEOPLE_JSON),
        "expertise": sum(len(record["expertise"]) for record in PEOPLE_JSON),
        "organisations": 60,
        "verified": sum(1 for record in ORGANISATIONS_JSON if record["verified"]),
        "follows": 82,
        "conversations": 8,
        "messages": 24,
        "activities": len(PRACTICES_JSON) + before["verified"],
    }


def test_demo_people_live_in_real_cities_of_every_region(loaded: DemoSummary) -> None:
    people = User.objects.filter(profile__isnull=False).select_related("city__country", "country")
    for user in people:
        assert user.city is not None, user.email
        assert user.city.geoname_id > 0 and user.city.population >= 15000, user.email
        assert user.country == user.city.country, user.email
    regions = set(people.values_list("country__region__slug", flat=True))
    assert regions == set(Region.objects.values_list("slug", flat=True))
    assert len(regions) == 7
    tbilisi = User.objects.select_related("city").get(email="nino-beridze@demo.connective-cities.example")
    assert (tbilisi.city.name, tbilisi.city.country_id) == ("Tbilisi", "GE")


def test_demo_organisations_cover_every_type_described_some_verified_by_staff(loaded: DemoSummary) -> None:
    organisations = Organisation.objects.select_related("city", "verified_by")
    assert set(organisations.values_list("type", flat=True)) == set(OrganisationType.values)
    assert not organisations.filter(description="").exists()
    assert set(organisations.values_list("description_language", flat=True)) == {
        "en",
        "de",
        "fr",
        "es",
        "pt",
        "ar",
    }
    verified = organisations.filter(verified_at__isnull=False)
    assert sorted(verified.values_list("slug", flat=True)) == sorted(
        record["key"] for record in ORGANISATIONS_JSON if record["verified"]
    )
    assert {organisation.verified_by.email for organisation in verified if organisation.verified_by} == {
        STAFF_EMAIL
    }
    for organisation in organisations:
        assert organisation.city is not None and organisation.city.country_id == organisation.country_id
        assert is_example_url(organisation.website), organisation.website


def test_demo_profiles_have_biographies_in_six_languages_and_languages_with_levels(
    loaded: DemoSummary,
) -> None:
    profiles = Profile.objects.all()
    assert not profiles.filter(bio="").exists()
    assert not profiles.filter(actor_type="").exists()
    assert Counter(profiles.values_list("bio_language", flat=True)) == {
        "en": 77,
        "fr": 21,
        "es": 19,
        "de": 16,
        "pt": 11,
        "ar": 8,
    }
    assert not profiles.filter(languages__isnull=True).exists()
    assert not profiles.filter(expertise__isnull=True).exists()
    levels = set(ProfileLanguage.objects.values_list("level", flat=True))
    assert levels == {"basic", "working", "fluent", "native"}
    salimata = Profile.objects.get(user__email="salimata-ouedraogo@demo.connective-cities.example")
    # Her biography is the one the practices' demo wrote for her, not a copy.
    practice_bio = next(record["bio"] for record in PRACTICE_PEOPLE if record["key"] == "salimata-ouedraogo")
    assert (salimata.bio, salimata.bio_language) == (practice_bio, "fr")


def test_demo_profiles_mix_visibilities(loaded: DemoSummary) -> None:
    assert Counter(Profile.objects.values_list("visibility", flat=True)) == {
        Visibility.PUBLIC: 137,
        Visibility.MEMBERS: 11,
        Visibility.HIDDEN: 4,
    }
    assert Profile.objects.filter(links_visibility=Visibility.MEMBERS).count() == 2
    assert Profile.objects.filter(links_visibility=Visibility.HIDDEN).count() == 1
    assert Profile.objects.filter(photo_visibility=Visibility.HIDDEN).count() == 1
    dina = with_profile_data(User.objects.filter(email="dina-nasser@demo.connective-cities.example")).get()
    visitor_sees, owner_sees = person_view(dina, None), person_view(dina, dina)
    assert visitor_sees.links == [] and len(owner_sees.links) == 1
    assert visitor_sees.bio == owner_sees.bio != ""


def test_demo_member_has_a_complete_profile(loaded: DemoSummary) -> None:
    member = with_profile_data(User.objects.filter(email=MEMBER_EMAIL)).get()
    own = person_view(member, member)

    assert own.url == "/en/people/lina-haddad/"
    assert own.photo_url is not None and own.photo_url.endswith("/lina-haddad.jpg")
    assert own.position == "Urban planner"
    assert own.organisation is not None and own.organisation.slug == "amman-gam"
    assert own.city is not None and (own.city.name, own.city.country_id) == ("Amman", "JO")
    assert own.actor_type == "municipal_administration"
    assert [topic.slug for topic in own.expertise] == [
        "urban-planning",
        "public-space",
        "climate-adaptation",
        "water-and-sanitation",
    ]
    assert [(skill.code, skill.level) for skill in own.languages] == [
        ("ar", "native"),
        ("en", "fluent"),
        ("fr", "working"),
        ("de", "basic"),
    ]
    assert own.bio.startswith("Lina is an urban planner") and own.bio_language == "en"
    assert [link.url for link in own.links] == [
        "https://plans.example.org/amman-east",
        "https://photos.example.org/lina-haddad/summer-streets",
    ]
    assert member.profile.photo.size > 1000
    # Her links are for members; a visitor sees the rest.
    public = person_view(member, None)
    assert public.links == [] and public.bio == own.bio and public.photo_url == own.photo_url


def test_demo_practice_contacts_have_profiles(loaded: DemoSummary) -> None:
    practices = Practice.objects.filter(status=PracticeStatus.PUBLISHED).select_related("contact__profile")
    assert practices.count() == len(PRACTICES_JSON)
    for practice in practices:
        contact = practice.contact
        assert contact is not None, practice.slug
        profile = contact.profile
        assert profile.bio and profile.actor_type and profile.expertise.exists(), practice.slug
        # A contact whose profile members only may open is shown to visitors by name, without a link.
        assert profile.visibility in (Visibility.PUBLIC, Visibility.MEMBERS), practice.slug
    contacts_for_members = {
        practice.contact.email
        for practice in practices
        if practice.contact and practice.contact.profile.visibility == Visibility.MEMBERS
    }
    assert len(contacts_for_members) == 4


def test_demo_links_point_to_example_addresses_only(loaded: DemoSummary) -> None:
    urls = list(ProfileLink.objects.values_list("url", flat=True))
    assert len(urls) == 30
    assert all(is_example_url(url) for url in urls)
    assert not is_example_url("https://www.example-city.org/")
    assert not is_example_url("http://example.org/")


def test_demo_follows_give_the_member_a_network(loaded: DemoSummary) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    kinds = Counter(Follow.objects.filter(follower=member).values_list("kind", flat=True))
    assert kinds == {
        FollowKind.PERSON: 7,
        FollowKind.ORGANISATION: 4,
        FollowKind.CITY: 3,
        FollowKind.TOPIC: 3,
    }
    cities = City.objects.filter(
        pk__in=Follow.objects.filter(follower=member, kind=FollowKind.CITY).values("object_id")
    )
    assert sorted(cities.values_list("name", flat=True)) == ["Irbid", "Mexico City", "Ramallah"]
    followers_of_member = Follow.objects.filter(kind=FollowKind.PERSON, object_id=member.pk).count()
    assert followers_of_member == 3


def test_demo_conversations_leave_one_unread_for_the_member(loaded: DemoSummary) -> None:
    from connective.network.conversations import conversation_pair, unread_count

    member = User.objects.get(email=MEMBER_EMAIL)
    for conversation in Conversation.objects.prefetch_related("members", "messages"):
        members = list(conversation.members.all())
        messages = list(conversation.messages.all())
        assert len(members) == 2
        assert conversation.pair == conversation_pair(members[0].user_id, members[1].user_id)
        assert {message.sender_id for message in messages} <= {member.user_id for member in members}
        assert conversation.last_message_at == messages[-1].created_at
    assert ConversationMember.objects.filter(user=member).count() == 3
    assert unread_count(member) == 1
    rania = User.objects.get(email="rania-haddad@demo.connective-cities.example")
    assert unread_count(rania) == 0
    assert Message.objects.filter(body__startswith="Liebe Eva").count() == 1
    assert Message.objects.filter(body__startswith="¡Hola Juliana!").count() == 1


def test_demo_activities_announce_practices_and_verifications(loaded: DemoSummary) -> None:
    for practice in Practice.objects.filter(status=PracticeStatus.PUBLISHED):
        activity = Activity.objects.get(verb=ActivityVerb.PRACTICE_PUBLISHED, practice=practice)
        assert activity.created_at == practice.published_at
        assert activity.actor_id == practice.author_id
        assert activity.city_id == practice.city_id
        assert set(activity.topics.values_list("pk", flat=True)) == set(
            practice.topics.values_list("pk", flat=True)
        )
    verified = Organisation.objects.filter(verified_at__isnull=False)
    announced = Activity.objects.filter(verb=ActivityVerb.ORGANISATION_VERIFIED)
    assert sorted(announced.values_list("organisation_id", flat=True)) == sorted(
        verified.values_list("pk", flat=True)
    )


def test_demo_directory_is_indexed(loaded: DemoSummary) -> None:
    search = pytest.importorskip("connective.network.search")
    from connective.network.selectors import LEVEL_MEMBERS, LEVEL_PUBLIC

    members_level = set(
        Profile.objects.exclude(visibility=Visibility.HIDDEN).values_list("user_id", flat=True)
    )
    public_level = set(Profile.objects.filter(visibility=Visibility.PUBLIC).values_list("user_id", flat=True))
    assert search.person_search_index(LEVEL_MEMBERS).ids() == members_level
    assert search.person_search_index(LEVEL_PUBLIC).ids() == public_level
    assert search.organisation_search_index().ids() == set(Organisation.objects.values_list("pk", flat=True))


def test_load_network_demo_fills_what_an_older_demo_lacks_and_keeps_what_people_wrote(
    loaded: DemoSummary,
) -> None:
    member = User.objects.get(email=MEMBER_EMAIL)
    Profile.objects.filter(user=member).update(bio="Written by me.")
    User.objects.filter(pk=member.pk).update(organisation=None)
    missing = Profile.objects.filter(user__email__in=["aline-uwase@demo.connective-cities.example"])
    missing.delete()
    Conversation.objects.filter(messages__body__startswith="Liebe Eva").delete()

    summary = load_network_demo()

    assert (summary.profiles, summary.conversations, summary.messages) == (1, 1, 4)
    assert (summary.people, summary.organisations, summary.described, summary.follows) == (0, 0, 0, 0)
    assert Profile.objects.get(user=member).bio == "Written by me."
    assert User.objects.get(pk=member.pk).organisation is None
    aline = Profile.objects.get(user__email="aline-uwase@demo.connective-cities.example")
    assert aline.languages.count() == 3 and aline.photo


def test_check_network_demo_names_the_record_and_field_of_each_problem(loaded: DemoSummary) -> None:
    files = read_network_demo_json()
    people = list(files.people)
    first_new = next(position for position, record in enumerate(people) if "first_name" in record)
    people[first_new] = {
        **people[first_new],
        "city": "Nowhereville",
        "expertise": ["no-such-topic"],
        "links": [{"label": "Home", "url": "https://someone.real-site.org/"}],
    }
    people[1] = {**people[1], "position": "Mayor"}
    organisations = [*files.organisations, {**files.organisations[-1]}]
    broken = dataclasses.replace(files, people=people, organisations=organisations)
    assert isinstance(broken, NetworkDemoFiles)

    with pytest.raises(DemoDataError) as raised:
        check_network_demo(broken)

    new_key, existing_key = people[first_new]["key"], people[1]["key"]
    assert raised.value.problems == [
        f"organisations.json {organisations[-1]['key']!r}: key is used twice",
        f"people.json {existing_key!r}: is a demo login; give only profile data, not position",
        f"people.json {new_key!r}: city 'Nowhereville' is not in GeoNames for country {people[first_new]['country']!r}",
        f"people.json {new_key!r}: expertise has unknown topic 'no-such-topic'",
        f"people.json {new_key!r}: links has an entry without a label or an https example address: "
        "{'label': 'Home', 'url': 'https://someone.real-site.org/'}",
    ]


def test_draw_portrait_draws_the_same_picture_for_the_same_person() -> None:
    first, again, other = draw_portrait("lina"), draw_portrait("lina"), draw_portrait("kofi")
    assert first == again != other
    assert first[:2] == b"\xff\xd8"  # a JPEG
    assert 2_000 < len(first) < 40_000
