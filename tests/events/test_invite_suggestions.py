"""Practices and people to invite, on the organisers' page of an event: found by the meaning of the event
(real encoder, any language), each with why; never someone already registered or organising; by shared topics
without an encoder; for those who manage the event only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from connective.core.models import Topic
from connective.events.invite import invite_suggestions
from connective.events.models import Event, EventStatus, RegistrationStatus
from connective.network.models import Visibility
from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import practice_search_document, practice_vector_index
from connective.search.tasks import vectors_index
from connective.search.vectors import forget_vector_tables
from tests.factories import EventFactory, PracticeFactory, RegistrationFactory, UserFactory, city
from tests.network.directory_fixtures import person

pytestmark = pytest.mark.django_db

SECTION = "Practices and people to invite"

FLOODS_FR: dict[str, Any] = {
    "title": "Alerte précoce aux crues pour les quartiers riverains",
    "summary": "Lyon prévient les habitants par SMS et sirènes dès que le niveau du Rhône monte.",
    "challenge": "Les crues du fleuve inondent régulièrement les maisons des quartiers bas.",
    "objectives": "Avertir chaque habitant à temps avant une inondation.",
    "solution": "Des capteurs dans le fleuve transmettent les niveaux d'eau au centre d'alerte.",
    "language": "fr",
}
WASTE_ES: dict[str, Any] = {
    "title": "Recogida de residuos con recicladores informales",
    "summary": "Bogotá firmó contratos con cooperativas de recicladores para recoger la basura.",
    "challenge": "La basura doméstica se acumula en las calles de los barrios periféricos.",
    "objectives": "Recoger y separar los residuos de todos los barrios.",
    "solution": "Las cooperativas separan la basura y venden el plástico a los recicladores.",
    "language": "es",
}


@pytest.fixture
def organiser(db: Any) -> Any:
    return person(
        "Amina",
        "Benali",
        position="Hochwasserschutzbeauftragte der Stadt",
        bio="Ich koordiniere die Hochwasserwarnung und die Evakuierung bei Elbhochwasser.",
        bio_language="de",
        expertise=["climate-adaptation"],
    )


@pytest.fixture
def event(organiser: Any) -> Event:
    found = EventFactory(
        title="Hochwasser-Frühwarnung in Flussstädten",
        summary="Wie warnen Städte ihre Anwohner rechtzeitig vor Hochwasser?",
        description=(
            "Praktikerinnen und Praktiker vergleichen Frühwarnsysteme für Flusshochwasser: Pegelsensoren, "
            "Warnungen per SMS und Sirene, Evakuierung tief gelegener Stadtteile."
        ),
        language="de",
        organisers=[organiser],
    )
    assert isinstance(found, Event)
    found.topics.set(Topic.objects.filter(slug="climate-adaptation"))
    # What the background task does after the event is saved.
    vectors_index.call("event", found.pk)
    return found


def make_practice(
    text: dict[str, Any], *, place: tuple[str, str], topics: list[str], **extra: Any
) -> Practice:
    practice = PracticeFactory(city=city(*place), topics=topics, **text, **extra)
    assert isinstance(practice, Practice)
    return practice


def encode(*practices: Practice) -> None:
    practice_vector_index().index([practice_search_document(practice) for practice in practices])


def hydrologist(first_name: str, last_name: str, **extra: Any) -> Any:
    return person(
        first_name,
        last_name,
        position="Hydrologue, systèmes d'alerte aux crues",
        bio="Je conçois des systèmes d'alerte précoce aux inondations pour les villes riveraines.",
        bio_language="fr",
        expertise=["climate-adaptation", "digitalisation"],
        **extra,
    )


@pytest.fixture
def scene(event: Event) -> dict[str, Any]:
    floods = make_practice(FLOODS_FR, place=("Lyon", "FR"), topics=["climate-adaptation"])
    waste = make_practice(WASTE_ES, place=("Bogotá", "CO"), topics=["waste-management"])
    draft = make_practice(
        {**FLOODS_FR, "title": "Brouillon : alerte aux crues"},
        place=("Lyon", "FR"),
        topics=["climate-adaptation"],
        status=PracticeStatus.DRAFT,
    )
    # As if the vector table still held the draft from before it was withdrawn.
    encode(floods, waste, draft)
    invitee = hydrologist("Camille", "Roux")
    registered = hydrologist("Jules", "Martin")
    RegistrationFactory(event=event, user=registered, status=RegistrationStatus.DECLINED)
    gardener = person(
        "Lucía",
        "Gómez",
        position="Jardinera municipal",
        bio="Cuido los parques y jardines de la ciudad.",
        bio_language="es",
        expertise=["urban-green"],
    )
    return {
        "floods": floods,
        "waste": waste,
        "draft": draft,
        "invitee": invitee,
        "registered": registered,
        "gardener": gardener,
    }


def manage_page(event: Event, user: Any) -> Any:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/en/events/{event.slug}/manage/")


def suggestions_section(body: str) -> str:
    """The suggestions' part of the manage page ("" when it has none)."""
    if '<section aria-labelledby="invite-title"' not in body:
        return ""
    return body.split('<section aria-labelledby="invite-title"', 1)[1].split("</section>", 1)[0]


def test_invite_suggestions_finds_french_practice_for_german_event(
    event: Event, scene: dict[str, Any]
) -> None:
    found = invite_suggestions(event=event)
    assert [item.practice.title for item in found.practices] == [FLOODS_FR["title"]]
    item = found.practices[0]
    assert item.shared_topics == ["Climate adaptation"]
    assert item.passage == FLOODS_FR["solution"]
    assert item.score is not None


def test_invite_suggestions_suggests_people_with_a_reason(event: Event, scene: dict[str, Any]) -> None:
    found = invite_suggestions(event=event)
    assert [item.person.user_id for item in found.people] == [scene["invitee"].pk]
    item = found.people[0]
    assert item.person.name == "Camille Roux"
    assert item.person.url == f"/en/people/{scene['invitee'].profile.slug}/"
    assert item.shared_topics == ["Climate adaptation"]
    # Their biography, not their topics named in six languages.
    assert (
        item.passage == "Je conçois des systèmes d'alerte précoce aux inondations pour les villes riveraines."
    )


def test_invite_suggestions_leave_out_registered_people_and_organisers(
    event: Event, scene: dict[str, Any], organiser: Any
) -> None:
    suggested = {item.person.user_id for item in invite_suggestions(event=event).people}
    assert scene["registered"].pk not in suggested
    assert organiser.pk not in suggested


def test_invite_suggestions_leave_out_practices_already_on_the_programme(
    event: Event, scene: dict[str, Any]
) -> None:
    event.practices.add(scene["floods"])
    assert invite_suggestions(event=event).practices == []


def test_manage_page_shows_suggestions_with_their_reasons(
    event: Event, scene: dict[str, Any], organiser: Any
) -> None:
    response = manage_page(event, organiser)
    assert response.status_code == 200
    body = suggestions_section(response.content.decode())
    assert f'<h2 id="invite-title">{SECTION}</h2>' in body
    assert (
        f'<a href="/en/practices/{scene["floods"].slug}/" lang="fr" dir="ltr">{FLOODS_FR["title"]}</a>'
        in body
    )
    assert "Written in French · Lyon, France" in body
    assert f'<a href="/en/people/{scene["invitee"].profile.slug}/">Camille Roux</a>' in body
    assert body.count("shared topics: Climate adaptation.") == 2
    assert "Jules Martin" not in body
    assert "Brouillon" not in body
    assert WASTE_ES["title"] not in body


def test_manage_page_shows_suggestions_to_staff(event: Event, scene: dict[str, Any], staff: Any) -> None:
    response = manage_page(event, staff)
    assert response.status_code == 200
    assert SECTION in response.content.decode()


@pytest.mark.parametrize("persona", ["visitor", "member", "participant"])
def test_manage_page_answers_404_to_outsiders(persona: str, event: Event, scene: dict[str, Any]) -> None:
    user = None if persona == "visitor" else UserFactory()
    if persona == "participant":
        RegistrationFactory(event=event, user=user)
    assert manage_page(event, user).status_code == 404


def test_invite_suggestions_fall_back_to_shared_topics_without_encoder(settings: Any, organiser: Any) -> None:
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()
    event = EventFactory(language="de", organisers=[organiser], status=EventStatus.DRAFT)
    event.topics.set(Topic.objects.filter(slug__in=["climate-adaptation", "digitalisation"]))
    one_topic = make_practice(FLOODS_FR, place=("Lyon", "FR"), topics=["climate-adaptation"])
    both_topics = make_practice(
        {**FLOODS_FR, "title": "Capteurs connectés"},
        place=("Lyon", "FR"),
        topics=["climate-adaptation", "digitalisation"],
    )
    make_practice(WASTE_ES, place=("Bogotá", "CO"), topics=["waste-management"])
    make_practice(
        {**FLOODS_FR, "title": "Brouillon"},
        place=("Lyon", "FR"),
        topics=["climate-adaptation"],
        status=PracticeStatus.DRAFT,
    )
    invitee = hydrologist("Camille", "Roux")
    registered = hydrologist("Jules", "Martin")
    RegistrationFactory(event=event, user=registered)
    hydrologist("Hidden", "Expertise", expertise_visibility=Visibility.HIDDEN)
    hydrologist("Hidden", "Profile", visibility=Visibility.HIDDEN)
    person("Lucía", "Gómez", expertise=["urban-green"])

    found = invite_suggestions(event=event)

    assert [item.practice.title for item in found.practices] == [both_topics.title, one_topic.title]
    assert found.practices[0].shared_topics == ["Digitalisation", "Climate adaptation"]
    assert [(item.score, item.passage) for item in found.practices] == [(None, ""), (None, "")]
    assert [item.person.user_id for item in found.people] == [invitee.pk]
    assert found.people[0].shared_topics == ["Digitalisation", "Climate adaptation"]
    body = suggestions_section(manage_page(event, organiser).content.decode())
    assert SECTION in body
    assert "Capteurs connectés" in body
    assert "Camille Roux" in body
    assert "Jules Martin" not in body
    assert "<q " not in body


def test_invite_suggestions_fall_back_before_the_event_vector_is_written(organiser: Any) -> None:
    event = EventFactory(language="de", organisers=[organiser])
    event.topics.set(Topic.objects.filter(slug="climate-adaptation"))
    floods = make_practice(FLOODS_FR, place=("Lyon", "FR"), topics=["climate-adaptation"])
    encode(floods)
    found = invite_suggestions(event=event)
    assert [item.practice.pk for item in found.practices] == [floods.pk]
    assert found.practices[0].passage == ""


def test_manage_page_shows_no_section_without_suggestions(organiser: Any) -> None:
    event = EventFactory(language="de", organisers=[organiser])
    assert not invite_suggestions(event=event)
    assert SECTION not in manage_page(event, organiser).content.decode()


def test_invite_suggestions_queries_are_bounded(
    event: Event, scene: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for number in range(4):
        RegistrationFactory(event=event)
        hydrologist("Nadia", f"Hydro {number}")
    invite_suggestions(event=event)
    with django_assert_max_num_queries(14):
        found = invite_suggestions(event=event)
    assert len(found.people) == 5
