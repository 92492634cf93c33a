"""Matches for you: practices, people and working groups that fit a member's expertise, and why.

These run the real multilingual encoder: a member whose profile speaks German about flood protection is
matched with a Spanish practice, a Portuguese engineer and a Spanish working group about floods.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from connective.core.models import Topic
from connective.groups.models import Access, Group
from connective.network.matches import Matches, matches_for
from connective.network.models import Profile, Visibility
from connective.network.search import index_person
from connective.network.selectors import PersonView
from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import practice_search_document, practice_vector_index
from connective.search.tasks import vectors_index
from connective.search.vectors import document_passages, forget_vector_tables
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    PracticeFactory,
    ProfileFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/en/network/matches/"

FLOOD_BIO_DE = (
    "Ich leite in der Stadtverwaltung den Hochwasserschutz. Wir bauen Deiche und Rückhaltebecken und warnen "
    "die Anwohner früh, wenn der Fluss nach Starkregen über die Ufer tritt und Wohngebiete überschwemmt."
)

ENGINEER_BIO = "Projeto diques e bacias de retenção para proteger os bairros contra enchentes e inundações."


@dataclass
class World:
    member: Any
    practices: dict[str, Practice] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)


def profile_for(
    user: Any, *, bio: str = "", language: str = "en", topics: tuple[str, ...] = (), **kw: Any
) -> Profile:
    profile = ProfileFactory(user=user, bio=bio, bio_language=language, **kw)
    profile.expertise.set(Topic.objects.filter(slug__in=topics))
    return profile


def index_practices(*practices: Practice) -> None:
    practice_vector_index().index([practice_search_document(practice) for practice in practices])


def group_with(topics: tuple[str, ...] = (), **kw: Any) -> Group:
    group = GroupFactory(**kw)
    group.topics.set(Topic.objects.filter(slug__in=topics))
    vectors_index.call("group", group.pk)
    return group


def build_world() -> World:
    """A German-speaking flood protection officer, and what may or may not be suggested to her."""
    member = UserFactory(first_name="Greta", last_name="Hoffmann", position="Referentin für Hochwasserschutz")
    profile_for(
        member, bio=FLOOD_BIO_DE, language="de", topics=("climate-adaptation",), visibility=Visibility.MEMBERS
    )
    world = World(member=member)

    world.practices["flood_es"] = PracticeFactory(
        title="Protección contra inundaciones en los barrios ribereños",
        language="es",
        summary="El municipio construyó diques y canales para proteger a los vecinos de las crecidas del río.",
        challenge="Cada temporada de lluvias el río se desbordaba e inundaba cientos de viviendas.",
        objectives="Reducir los daños de las inundaciones y avisar a tiempo a la población.",
        solution="Diques, cuencas de retención y alertas tempranas por SMS cuando sube el nivel del agua.",
        topics=["climate-adaptation"],
    )
    world.practices["budget_pt"] = PracticeFactory(
        title="Orçamento participativo nos bairros",
        language="pt",
        summary="Os moradores decidem em assembleias como investir parte do orçamento municipal.",
        challenge="Poucos moradores confiavam na prefeitura.",
        objectives="Mais participação dos cidadãos nas decisões.",
        solution="Assembleias de bairro votam as prioridades do plano de investimentos.",
        topics=["citizen-participation"],
    )
    world.practices["draft_fr"] = PracticeFactory(
        title="Digues contre les crues de la Loire",
        language="fr",
        summary="La ville protège les quartiers inondables par des digues et une alerte précoce.",
        status=PracticeStatus.DRAFT,
        published_at=None,
        topics=["climate-adaptation"],
    )
    world.practices["own_en"] = PracticeFactory(
        title="Flood barriers along the river banks",
        summary="Mobile flood walls protect the old town when the river rises after heavy rain.",
        author=member,
        topics=["climate-adaptation"],
    )
    index_practices(*world.practices.values())

    engineer = UserFactory(first_name="João", last_name="Silva", position="Engenheiro hidráulico")
    profile_for(
        engineer,
        bio=ENGINEER_BIO,
        language="pt",
        topics=("climate-adaptation",),
    )
    guide = UserFactory(first_name="Ana", last_name="Costa", position="Tourism officer")
    profile_for(
        guide, bio="I promote guided tours of the historic centre and its museums.", topics=("tourism",)
    )
    hidden = UserFactory(first_name="Hidde", last_name="Verborgen", position="Flood risk manager")
    profile_for(
        hidden,
        bio="I plan dikes and flood early warning for low-lying districts.",
        topics=("climate-adaptation",),
        visibility=Visibility.HIDDEN,
    )
    world.people = {"engineer": engineer, "guide": guide, "hidden": hidden}
    for user in (member, engineer, guide, hidden):
        index_person(user.pk)

    world.groups["flood_es"] = group_with(
        ("climate-adaptation",),
        name="Ciudades frente a las inundaciones",
        summary="Municipios que comparten cómo protegerse de las crecidas de los ríos.",
        description="Diques, alerta temprana y planes de evacuación ante inundaciones.",
        description_language="es",
    )
    world.groups["secret_de"] = group_with(
        ("climate-adaptation",),
        name="Hochwasser-Krisenstab der Partnerstädte",
        summary="Vertrauliche Abstimmung der Städte bei Hochwasser und Überschwemmungen.",
        description="Deiche, Pegelstände und Evakuierung bei Hochwasser.",
        description_language="de",
        access=Access.SECRET,
    )
    world.groups["own_en"] = group_with(
        ("climate-adaptation",),
        name="Flood resilience network",
        summary="Cities protecting their districts from river floods.",
        description="Dikes, retention basins and early warning.",
        description_language="en",
    )
    MembershipFactory(group=world.groups["own_en"], user=member)
    world.groups["tourism_en"] = group_with(
        ("tourism",),
        name="Tourism in heritage towns",
        summary="Guided tours, museums and visitors in historic centres.",
        description="How towns welcome visitors.",
        description_language="en",
    )
    return world


@pytest.fixture
def world() -> World:
    return build_world()


def practice_ids(matches: Matches) -> list[int]:
    return [item.object.pk for item in matches.practices]


def people_ids(matches: Matches) -> list[int]:
    return [item.object.user_id for item in matches.people]


def group_ids(matches: Matches) -> list[int]:
    return [item.object.pk for item in matches.groups]


def page(client: Client, url: str = URL) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


# --- The selector, by meaning ------------------------------------------------------------------------------


def test_matches_for_german_flood_expertise_puts_the_spanish_flood_practice_first(world: World) -> None:
    matches = matches_for(user=world.member)

    assert matches.by_meaning is True
    assert matches.needs_profile is False
    assert practice_ids(matches)[0] == world.practices["flood_es"].pk
    assert world.practices["budget_pt"].pk not in practice_ids(matches)


def test_matches_for_says_why_a_practice_matches_and_in_which_language(world: World) -> None:
    first = matches_for(user=world.member).practices[0]

    flood = world.practices["flood_es"]
    assert (first.language, first.language_name) == ("es", "Spanish")
    assert first.shared_topics == ["Climate adaptation"]
    assert first.passage in document_passages(practice_search_document(flood))
    assert first.score > 0.1


def test_matches_for_leaves_out_drafts_and_the_members_own_practices(world: World) -> None:
    ids = practice_ids(matches_for(user=world.member))

    assert world.practices["draft_fr"].pk not in ids
    assert world.practices["own_en"].pk not in ids


def test_matches_for_finds_the_flood_engineer_and_never_the_member_or_a_hidden_profile(world: World) -> None:
    matches = matches_for(user=world.member)

    ids = people_ids(matches)
    assert ids[0] == world.people["engineer"].pk
    assert world.member.pk not in ids
    assert world.people["hidden"].pk not in ids
    first = matches.people[0]
    assert isinstance(first.object, PersonView)
    assert (first.object.name, first.language, first.shared_topics) == (
        "João Silva",
        "pt",
        ["Climate adaptation"],
    )
    # The passage is from what the profile says, never a line that only repeats a topic's name.
    assert first.passage in {"", "Engenheiro hidráulico", ENGINEER_BIO}


def test_matches_for_people_show_only_what_a_member_may_see(world: World) -> None:
    Profile.objects.filter(user=world.people["engineer"]).update(
        bio_visibility=Visibility.HIDDEN, expertise_visibility=Visibility.HIDDEN
    )

    engineer = next(
        item
        for item in matches_for(user=world.member).people
        if item.object.user_id == world.people["engineer"].pk
    )

    # The vectors still hold the biography; neither it nor the hidden expertise is quoted.
    assert (engineer.object.bio, engineer.object.expertise, engineer.shared_topics) == ("", [], [])
    assert "enchentes" not in engineer.passage
    assert engineer.language == ""


def test_matches_for_suggests_a_visible_group_and_never_a_secret_one(world: World) -> None:
    ids = group_ids(matches_for(user=world.member))

    assert ids[0] == world.groups["flood_es"].pk
    assert world.groups["secret_de"].pk not in ids
    assert world.groups["tourism_en"].pk not in ids


def test_matches_for_does_not_suggest_groups_the_member_belongs_to(world: World) -> None:
    ids = group_ids(matches_for(user=world.member))

    assert world.groups["own_en"].pk not in ids


def test_matches_for_group_says_why_it_matches(world: World) -> None:
    first = matches_for(user=world.member).groups[0]

    assert (first.language, first.shared_topics) == ("es", ["Climate adaptation"])
    assert first.passage in {
        "Municipios que comparten cómo protegerse de las crecidas de los ríos.",
        "Diques, alerta temprana y planes de evacuación ante inundaciones.",
    }


def test_matches_for_names_shared_topics_in_the_active_language(world: World) -> None:
    from django.utils import translation

    with translation.override("de"):
        first = matches_for(user=world.member).practices[0]

    assert first.shared_topics == ["Klimaanpassung"]


def test_matches_for_respects_the_limit(world: World) -> None:
    matches = matches_for(user=world.member, limit=1)

    assert (len(matches.practices), len(matches.people), len(matches.groups)) == (1, 1, 1)


# --- Needing a profile --------------------------------------------------------------------------------------


def test_matches_for_a_member_without_a_profile_needs_one(world: World) -> None:
    newcomer = UserFactory()

    matches = matches_for(user=newcomer)

    assert (matches.needs_profile, matches.practices, matches.people, matches.groups) == (True, [], [], [])


def test_matches_for_an_empty_profile_needs_expertise(world: World) -> None:
    newcomer = UserFactory(position="")
    profile_for(newcomer)
    index_person(newcomer.pk)

    matches = matches_for(user=newcomer)

    assert (matches.needs_profile, matches.practices, matches.people, matches.groups) == (True, [], [], [])


def test_matches_for_a_profile_not_yet_encoded_falls_back_to_its_topics(world: World) -> None:
    newcomer = UserFactory(position="")
    profile_for(newcomer, topics=("climate-adaptation",))

    matches = matches_for(user=newcomer)

    assert (matches.needs_profile, matches.by_meaning) == (False, False)
    assert world.practices["flood_es"].pk in practice_ids(matches)


# --- Without an encoder ---------------------------------------------------------------------------------------


def test_matches_for_without_an_encoder_ranks_by_shared_topics(world: World, settings: Any) -> None:
    Profile.objects.get(user=world.member).expertise.add(Topic.objects.get(slug="mobility"))
    both = PracticeFactory(title="Flood-safe bus routes", topics=["climate-adaptation", "mobility"])
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()

    matches = matches_for(user=world.member)

    assert (matches.by_meaning, matches.needs_profile) == (False, False)
    assert practice_ids(matches) == [both.pk, world.practices["flood_es"].pk]
    assert [item.shared_topics for item in matches.practices] == [
        ["Climate adaptation", "Mobility"],
        ["Climate adaptation"],
    ]
    assert [(item.score, item.passage) for item in matches.practices] == [(2.0, ""), (1.0, "")]
    assert people_ids(matches) == [world.people["engineer"].pk]
    assert group_ids(matches) == [world.groups["flood_es"].pk]


# --- Queries ----------------------------------------------------------------------------------------------


def add_records(count: int) -> None:
    """More practices, people and groups about floods, each with its vectors."""
    practices = [
        PracticeFactory(
            title=f"Flood warning number {n}",
            summary="Sirens warn residents of river floods.",
            topics=["climate-adaptation"],
        )
        for n in range(count)
    ]
    index_practices(*practices)
    for n in range(count):
        person = UserFactory(position="Flood engineer")
        profile_for(person, bio=f"Dikes and flood defences, project {n}.", topics=("climate-adaptation",))
        index_person(person.pk)
        group_with(("climate-adaptation",), name=f"Flood group {n}", summary="Cities against river floods.")


# By meaning: the member's vector, then per domain the index version, its vectors (a cold process), a check
# for vectors of another model, the records (with their topics, or the people with their profile data) and
# the passages; the groups' visible ids once. By topics: the member, then each list and its prefetches.
@pytest.mark.parametrize(("encoder", "queries"), [("on", 23), ("off", 10)])
def test_matches_for_reads_a_bounded_number_of_queries(
    world: World, settings: Any, encoder: str, queries: int, django_assert_max_num_queries: Any
) -> None:
    add_records(8)
    if encoder == "off":
        settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()

    with django_assert_max_num_queries(queries):
        matches = matches_for(user=world.member)

    assert (len(matches.practices), len(matches.people), len(matches.groups)) == (6, 6, 6)


# --- The page ---------------------------------------------------------------------------------------------


def test_matches_page_has_its_url() -> None:
    assert reverse("network:matches") == URL


def test_matches_page_sends_a_visitor_to_sign_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_matches_page_shows_each_match_with_its_language_and_why(client: Client, world: World) -> None:
    client.force_login(world.member)

    content = page(client)

    flood = world.practices["flood_es"]
    for heading in ("Good practices", "People", "Working groups"):
        assert f">{heading}</h2>" in content
    assert f'<a href="{flood.get_absolute_url()}" lang="es" dir="ltr">{flood.title}</a>' in content
    assert "Written in Spanish" in content
    assert "Why:</strong> your expertise in Climate adaptation" in content
    assert "João Silva" in content
    assert "Ciudades frente a las inundaciones" in content
    assert world.groups["secret_de"].name not in content
    assert world.groups["own_en"].name not in content
    assert world.practices["draft_fr"].title not in content


def test_matches_page_escapes_the_passage(client: Client, world: World) -> None:
    flood = world.practices["flood_es"]
    # Markup around every passage of the practice, whichever of them matches.
    for part in ("summary", "challenge", "objectives", "solution"):
        setattr(flood, part, f"<b>{getattr(flood, part)}</b>")
    flood.save()
    index_practices(flood)
    client.force_login(world.member)

    raw = client.get(URL).content.decode()

    assert "<b>" not in raw
    assert "&lt;b&gt;" in raw


def test_matches_page_names_topics_in_the_readers_language(client: Client, world: World) -> None:
    client.force_login(world.member)

    content = page(client, "/de/network/matches/")

    assert "Klimaanpassung" in content


def test_matches_page_asks_for_expertise_when_the_profile_has_none(client: Client, world: World) -> None:
    newcomer = UserFactory()
    client.force_login(newcomer)

    content = page(client)

    assert "Matches come from the expertise in your profile" in content
    assert f'href="{reverse("network:profile_edit")}"' in content
    assert ">Good practices</h2>" not in content


def test_my_network_page_links_to_matches(client: Client, world: World) -> None:
    client.force_login(world.member)

    content = page(client, reverse("network:my_network"))

    assert f'href="{URL}"' in content
