"""Directory search (network/search.py): what each viewer finds, counts and is told, and nothing more."""

from __future__ import annotations

from typing import Any

import pytest

from connective.network.models import ActorType, LanguageLevel, OrganisationType, Visibility
from connective.network.search import (
    organisation_search,
    people_search,
)
from connective.practices.tasks import practice_index
from tests.factories import PracticeFactory, city
from tests.network.directory_fixtures import organisation, person

pytestmark = pytest.mark.django_db

PERSONAS = ["visitor", "member", "staff"]


def names(result: Any) -> list[str]:
    return [found.person.name for found in result.items]


def search(viewer: Any, **query: Any) -> Any:
    return people_search(viewer=viewer, query=query)


def facet(result: Any, key: str) -> dict[str, int]:
    return {value.value: value.count for value in result.facets[key]}


# --- Visibility of the text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "found"), [("visitor", []), ("member", ["Nadia Benali"]), ("staff", ["Nadia Benali"])]
)
def test_people_search_finds_a_members_only_bio_word_for_members_only(
    persona: str, found: list[str], request: Any
) -> None:
    person("Nadia", "Benali", bio="Cholera prevention in informal settlements.")  # bio: members by default

    assert names(search(request.getfixturevalue(persona), q="cholera")) == found


@pytest.mark.parametrize("persona", [*PERSONAS, "owner"])
def test_people_search_never_finds_a_hidden_bio_word(persona: str, request: Any) -> None:
    owner = person("Nadia", "Benali", bio="Cholera prevention.", bio_visibility=Visibility.HIDDEN)
    viewer = owner if persona == "owner" else request.getfixturevalue(persona)

    assert names(search(viewer, q="cholera")) == []
    # The person is found otherwise: only the hidden field is left out.
    assert names(search(viewer, q="benali")) == ["Nadia Benali"]


def test_people_search_finds_a_public_bio_word_for_everyone(visitor: None) -> None:
    person("Nadia", "Benali", bio="Cholera prevention.", bio_visibility=Visibility.PUBLIC)

    assert names(search(visitor, q="cholera")) == ["Nadia Benali"]


@pytest.mark.parametrize(
    ("persona", "found"), [("visitor", []), ("member", ["Nadia Benali"]), ("staff", ["Nadia Benali"])]
)
def test_people_search_shows_members_only_profiles_to_members_only(
    persona: str, found: list[str], request: Any
) -> None:
    person("Nadia", "Benali", visibility=Visibility.MEMBERS)

    assert names(search(request.getfixturevalue(persona), q="nadia")) == found
    assert names(search(request.getfixturevalue(persona))) == found


@pytest.mark.parametrize("persona", [*PERSONAS, "owner"])
def test_people_search_never_lists_a_hidden_profile(persona: str, request: Any) -> None:
    owner = person("Nadia", "Benali", visibility=Visibility.HIDDEN, bio_visibility=Visibility.PUBLIC)
    viewer = owner if persona == "owner" else request.getfixturevalue(persona)

    assert search(viewer).total == 0
    assert search(viewer, q="nadia").total == 0


def test_people_search_lets_the_owner_find_themself_as_a_member_would() -> None:
    owner = person(
        "Nadia", "Benali", bio="Cholera prevention.", position="Secret agent", position_visibility="hidden"
    )

    assert names(search(owner, q="cholera")) == ["Nadia Benali"]
    assert names(search(owner, q="agent")) == []
    # The card shows the owner everything of their own profile.
    assert search(owner, q="cholera").items[0].person.position == "Secret agent"


def test_people_search_leaves_out_deactivated_and_deleted_accounts(visitor: None) -> None:
    from django.utils import timezone

    from connective.network.search import index_person

    gone = person("Nadia", "Benali")
    left = person("Omar", "Haddad")
    gone.is_active = False
    gone.save()
    left.deleted_at = timezone.now()
    left.save()
    index_person(gone.pk)
    index_person(left.pk)

    assert search(visitor).total == 0


def test_people_search_finds_people_by_place_and_organisation_when_shown() -> None:
    tunis = city("Tunis", "TN")
    utility = organisation(name="Tunis water utility", slug="tunis-water")
    person("Nadia", "Benali", city=tunis, organisation=utility)
    person("Omar", "Haddad", city=tunis, place_visibility=Visibility.MEMBERS)

    assert names(search(None, q="tunis")) == ["Nadia Benali"]
    assert sorted(names(search(None, q="tunisia"))) == ["Nadia Benali"]
    assert names(search(None, q="utility")) == ["Nadia Benali"]


@pytest.mark.usefixtures("words_only")
def test_people_search_finds_expertise_in_any_language() -> None:
    person("Nadia", "Benali", expertise=["water-and-sanitation"])

    assert names(search(None, q="sanitation")) == ["Nadia Benali"]
    assert names(search(None, q="Wasserversorgung assainissement")) == []
    assert names(search(None, q="assainissement")) == ["Nadia Benali"]


# --- Facets -------------------------------------------------------------------------------------------------


def test_people_facets_count_only_fields_visible_to_the_viewer(visitor: None, member: Any) -> None:
    tunis = city("Tunis", "TN")
    person("Nadia", "Benali", city=tunis, expertise=["housing"], actor_type=ActorType.SCIENCE)
    person(
        "Omar",
        "Haddad",
        city=tunis,
        expertise=["housing"],
        actor_type=ActorType.SCIENCE,
        place_visibility=Visibility.MEMBERS,
        expertise_visibility=Visibility.MEMBERS,
        actor_type_visibility=Visibility.HIDDEN,
    )

    public = search(visitor)
    assert public.total == 2
    assert facet(public, "topic") == {"integrated-urban-development": 1, "housing": 1}
    assert facet(public, "country") == {"TN": 1}
    assert facet(public, "region") == {"mena": 1}
    assert facet(public, "actor") == {"science": 1}
    members = search(member)
    assert facet(members, "topic") == {"integrated-urban-development": 2, "housing": 2}
    assert facet(members, "country") == {"TN": 2}
    assert facet(members, "actor") == {"science": 1}


def test_people_filters_do_not_match_hidden_fields(visitor: None, member: Any) -> None:
    person("Nadia", "Benali", expertise=["housing"], expertise_visibility=Visibility.MEMBERS)

    assert search(visitor, topic=["housing"]).total == 0
    assert names(search(member, topic=["housing"])) == ["Nadia Benali"]


def test_people_filter_by_cluster_includes_its_subtopics(visitor: None) -> None:
    person("Nadia", "Benali", expertise=["housing"])
    person("Omar", "Haddad", expertise=["mobility"])

    result = search(visitor, topic=["integrated-urban-development"])

    assert names(result) == ["Nadia Benali"]
    # Each facet is counted without its own filter: the other cluster still shows what it would add.
    assert facet(result, "topic") == {
        "integrated-urban-development": 1,
        "housing": 1,
        "municipal-services": 1,
        "mobility": 1,
    }
    assert [value.value for value in result.facets["topic"] if value.selected] == [
        "integrated-urban-development"
    ]


def test_people_filter_by_language_and_least_level(member: Any) -> None:
    person("Nadia", "Benali", languages=[("fr", LanguageLevel.NATIVE), ("en", LanguageLevel.WORKING)])
    person("Omar", "Haddad", languages=[("fr", LanguageLevel.BASIC)])

    assert sorted(names(search(member, lang=["fr"]))) == ["Nadia Benali", "Omar Haddad"]
    fluent = search(member, lang=["fr"], level=LanguageLevel.FLUENT)
    assert names(fluent) == ["Nadia Benali"]
    # With a level, each language counts the people speaking it at least that well.
    assert facet(fluent, "lang") == {"fr": 1}
    assert facet(search(member, lang=["fr"]), "lang") == {"fr": 2, "en": 1}
    assert [value.label for value in fluent.facets["lang"]] == ["French"]


@pytest.mark.usefixtures("words_only")
def test_people_languages_are_members_only_by_default(visitor: None) -> None:
    person("Nadia", "Benali", languages=[("fr", LanguageLevel.NATIVE)])

    assert facet(search(visitor), "lang") == {}
    assert search(visitor, lang=["fr"]).total == 0
    assert search(visitor, q="french").total == 0


def test_people_filters_combine(member: Any) -> None:
    tunis, leipzig = city("Tunis", "TN"), city("Leipzig", "DE")
    person("Nadia", "Benali", city=tunis, actor_type=ActorType.SCIENCE)
    person("Omar", "Haddad", city=tunis, actor_type=ActorType.CIVIL_SOCIETY)
    person("Jana", "Weber", city=leipzig, actor_type=ActorType.SCIENCE)

    assert names(search(member, actor=["science"], country=["TN"])) == ["Nadia Benali"]
    assert sorted(names(search(member, actor=["science"], region=["europe", "mena"]))) == [
        "Jana Weber",
        "Nadia Benali",
    ]


# --- "Who knows about X" ------------------------------------------------------------------------------------


@pytest.fixture
def flood_experts(db: Any) -> dict[str, Any]:
    contact = person("Chidi", "Nwosu", bio="Works on buses.", bio_visibility=Visibility.PUBLIC)
    writer = person(
        "Nadia", "Benali", bio="Flood early warning for coastal towns.", bio_visibility=Visibility.PUBLIC
    )
    expert = person("Omar", "Haddad", expertise=["climate-adaptation"])
    for title in ("Flood warning for the medina", "Flood insurance for small firms"):
        practice = PracticeFactory(title=title, contact=contact)
        practice_index.call(practice.pk)
    return {"contact": contact, "writer": writer, "expert": expert}


def test_people_search_finds_contact_persons_of_matching_practices(flood_experts: dict[str, Any]) -> None:
    result = search(None, q="flood")

    assert names(result) == ["Nadia Benali", "Chidi Nwosu"]
    reasons = {found.person.name: [reason.text for reason in found.reasons] for found in result.items}
    assert reasons == {
        "Nadia Benali": ["Profile mentions “flood”"],
        "Chidi Nwosu": ["Contact for 2 matching practices: “Flood insurance for small firms” and others"],
    }


def test_people_search_ranks_text_and_contributions_together(flood_experts: dict[str, Any]) -> None:
    # The contact person also writes about floods now: text and practices together put them first.
    from connective.network.search import index_person

    contact = flood_experts["contact"]
    contact.profile.bio = "Flood defence and buses."
    contact.profile.save()
    index_person(contact.pk)

    result = search(None, q="flood")

    assert names(result) == ["Chidi Nwosu", "Nadia Benali"]
    assert [reason.kind for reason in result.items[0].reasons] == ["profile", "practices"]


def test_people_search_explains_an_expertise_match(flood_experts: dict[str, Any]) -> None:
    result = search(None, q="climate")

    assert names(result) == ["Omar Haddad"]
    assert [reason.text for reason in result.items[0].reasons] == ["Expertise: Climate adaptation"]


def test_people_search_reasons_cite_only_what_the_viewer_may_see(visitor: None, member: Any) -> None:
    contact = person("Chidi", "Nwosu", bio="Flood defence.")  # bio for members only
    practice = PracticeFactory(title="Flood warning for the medina", contact=contact)
    practice_index.call(practice.pk)

    public = search(visitor, q="flood")
    assert [[reason.text for reason in found.reasons] for found in public.items] == [
        ["Contact for 1 matching practice: “Flood warning for the medina”"]
    ]
    members = search(member, q="flood")
    assert [[reason.kind for reason in found.reasons] for found in members.items] == [
        ["profile", "practices"]
    ]


@pytest.mark.usefixtures("words_only")
def test_people_search_ignores_practices_that_are_not_published(visitor: None) -> None:
    from connective.practices.models import PracticeStatus

    contact = person("Chidi", "Nwosu")
    draft = PracticeFactory(
        title="Flood plan", contact=contact, status=PracticeStatus.DRAFT, published_at=None
    )
    practice_index.call(draft.pk)

    assert search(visitor, q="flood").total == 0


def test_people_search_does_not_list_contacts_the_viewer_may_not_see(visitor: None, member: Any) -> None:
    contact = person("Chidi", "Nwosu", visibility=Visibility.MEMBERS)
    practice = PracticeFactory(title="Flood plan", contact=contact)
    practice_index.call(practice.pk)

    assert search(visitor, q="flood").total == 0
    assert names(search(member, q="flood")) == ["Chidi Nwosu"]


def test_people_search_without_a_searchable_word_finds_nobody(visitor: None) -> None:
    person("Nadia", "Benali")

    result = search(visitor, q="!!! ***")

    assert (result.total, result.items, result.num_pages) == (0, [], 1)


# --- Sorting and pages --------------------------------------------------------------------------------------


def test_people_search_sorts_by_name_by_default_and_by_newest_on_request(visitor: None) -> None:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for days, (first, last) in enumerate([("Omar", "Haddad"), ("Nadia", "Benali"), ("Jana", "Weber")]):
        user = person(first, last)
        user.date_joined = now - timedelta(days=days)
        user.save()
    from connective.network.search import index_person

    index_person(user.pk)  # A change of the index rebuilds the facet table, which holds the order.

    assert names(search(visitor)) == ["Nadia Benali", "Omar Haddad", "Jana Weber"]
    assert search(visitor).sort == "name"
    assert names(search(visitor, sort="newest")) == ["Omar Haddad", "Nadia Benali", "Jana Weber"]


def test_people_search_pages(visitor: None) -> None:
    for n in range(5):
        person("Person", f"Number{n}")

    result = people_search(viewer=visitor, query={}, page=2, page_size=2)

    assert names(result) == ["Person Number2", "Person Number3"]
    assert (result.total, result.num_pages, result.has_next, result.has_previous) == (5, 3, True, True)
    beyond = people_search(viewer=visitor, query={}, page=4, page_size=2)
    assert (beyond.items, beyond.page_out_of_range) == ([], True)


# --- Organisations ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("words_only")
def test_organisation_search_finds_name_description_type_and_place(visitor: None) -> None:
    organisation(
        name="Régie des eaux",
        slug="regie",
        type=OrganisationType.MUNICIPAL_COMPANY,
        city=city("Tunis", "TN"),
        country_id="TN",
        description="Drinking water for the capital.",
    )
    organisation(name="Leipzig University", slug="uni-leipzig", type=OrganisationType.UNIVERSITY)

    def found(**query: Any) -> list[str]:
        return [item.organisation.name for item in organisation_search(viewer=visitor, query=query).items]

    assert found(q="regie") == ["Régie des eaux"]
    assert found(q="drinking") == ["Régie des eaux"]
    assert found(q="tunisia") == ["Régie des eaux"]
    assert found(q="Stadtwerk") == []
    assert found(q="university") == ["Leipzig University"]
    assert found(type=["university"]) == ["Leipzig University"]
    assert found() == ["Leipzig University", "Régie des eaux"]


def test_organisation_search_does_not_find_organisations_by_their_people(visitor: None) -> None:
    utility = organisation(name="Water utility", slug="utility")
    person("Nadia", "Benali", organisation=utility)

    assert organisation_search(viewer=visitor, query={"q": "nadia"}).total == 0


def test_organisation_search_facets_and_verified_filter(visitor: None) -> None:
    from django.utils import timezone

    organisation(name="Verified city", slug="verified", verified_at=timezone.now())
    organisation(name="New city", slug="new", type=OrganisationType.NGO)

    result = organisation_search(viewer=visitor, query={"verified": ["yes"]})

    assert [item.organisation.name for item in result.items] == ["Verified city"]
    assert facet(result, "verified") == {"yes": 1, "no": 1}
    assert facet(result, "type") == {"municipality": 1}
    assert facet(result, "country") == {"DE": 1}


def test_organisation_search_counts_only_people_the_viewer_may_find(visitor: None, member: Any) -> None:
    utility = organisation(name="Water utility", slug="utility")
    person("Nadia", "Benali", organisation=utility)
    person("Omar", "Haddad", organisation=utility, organisation_visibility=Visibility.MEMBERS)
    person("Jana", "Weber", organisation=utility, visibility=Visibility.HIDDEN)
    PracticeFactory(title="Water meters", lead_organisation=utility)

    public = organisation_search(viewer=visitor, query={}).items[0]
    assert (public.people, public.practices) == (1, 1)
    assert organisation_search(viewer=member, query={}).items[0].people == 2
