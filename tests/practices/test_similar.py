"""Similar practices, in any language, on a practice's page: found by meaning with the real encoder, each
with why (shared topics, the passage that matched), published ones only; by shared topics without an encoder."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import (
    practice_get_visible,
    practice_search_document,
    practice_vector_index,
)
from connective.practices.similar import SimilarPractice, similar_practices
from connective.search.vectors import forget_vector_tables
from tests.factories import PracticeFactory, city

pytestmark = pytest.mark.django_db

FLOODS_ES: dict[str, Any] = {
    "title": "Alerta temprana de inundaciones para los barrios ribereños",
    "summary": "Valencia avisa a los vecinos por SMS y sirenas cuando sube el nivel del río.",
    "challenge": "Las crecidas del río inundan cada otoño las casas de los barrios más bajos.",
    "objectives": "Que ningún vecino quede sin aviso antes de una inundación.",
    "solution": "Sensores en el río envían los niveles de agua a la central, que alerta a la población.",
    "language": "es",
}
FLOODS_DE: dict[str, Any] = {
    "title": "Hochwasser-Frühwarnsystem für die Elbauen",
    "summary": "Dresden warnt Anwohner per SMS und Sirene, sobald die Pegel der Elbe steigen.",
    "challenge": "Hochwasser der Elbe überflutet immer wieder die Häuser in den tief gelegenen Stadtteilen.",
    "objectives": "Alle Anwohner rechtzeitig vor dem Hochwasser warnen.",
    "solution": "Pegelsensoren melden den Wasserstand an die Leitstelle, die die Bevölkerung alarmiert.",
    "language": "de",
}
WASTE_FR: dict[str, Any] = {
    "title": "Collecte des déchets avec les récupérateurs informels",
    "summary": "Dakar a signé des contrats avec des coopératives de récupérateurs de déchets.",
    "challenge": "Les ordures ménagères s'accumulent dans les rues des quartiers périphériques.",
    "objectives": "Collecter et trier les déchets de tous les quartiers.",
    "solution": "Les coopératives trient les ordures et revendent le plastique aux recycleurs.",
    "language": "fr",
}


def make_practice(
    text: dict[str, Any], *, place: tuple[str, str], topics: list[str], **extra: Any
) -> Practice:
    practice = PracticeFactory(city=city(*place), topics=topics, **text, **extra)
    assert isinstance(practice, Practice)
    return practice


def encode(*practices: Practice) -> None:
    """What the background task does after publishing: the practices' vectors, in place."""
    practice_vector_index().index([practice_search_document(practice) for practice in practices])


@pytest.fixture
def floods() -> dict[str, Practice]:
    practices = {
        "es": make_practice(FLOODS_ES, place=("Valencia", "ES"), topics=["climate-adaptation"]),
        "de": make_practice(
            FLOODS_DE, place=("Dresden", "DE"), topics=["climate-adaptation", "digitalisation"]
        ),
        "fr": make_practice(WASTE_FR, place=("Dakar", "SN"), topics=["waste-management"]),
    }
    encode(*practices.values())
    return practices


def page(practice: Practice, user: Any = None) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    with translation.override("en"):
        response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def titles(found: list[SimilarPractice]) -> list[str]:
    return [item.practice.title for item in found]


def test_similar_practices_finds_german_practice_from_spanish_one(floods: dict[str, Practice]) -> None:
    found = similar_practices(practice=floods["es"])
    assert titles(found) == [FLOODS_DE["title"]]
    assert found[0].score is not None


def test_similar_practices_explains_with_shared_topic_and_passage(floods: dict[str, Practice]) -> None:
    with translation.override("de"):
        found = similar_practices(practice=floods["es"])
    assert found[0].shared_topics == ["Klimaanpassung"]
    # The sensors that alert the population: the German passage nearest the Spanish practice.
    assert found[0].passage == FLOODS_DE["solution"]


def test_similar_practices_leaves_out_unpublished_practices(floods: dict[str, Practice]) -> None:
    draft = make_practice(
        {**FLOODS_DE, "title": "Entwurf: Hochwasserwarnung an der Elbe"},
        place=("Dresden", "DE"),
        topics=["climate-adaptation"],
        status=PracticeStatus.DRAFT,
    )
    # As if the vector table still held it from before it was withdrawn.
    encode(draft)
    assert titles(similar_practices(practice=floods["es"])) == [FLOODS_DE["title"]]
    assert "Entwurf: Hochwasserwarnung" not in page(floods["es"])


def test_practice_page_shows_similar_practice_with_its_reason(floods: dict[str, Practice]) -> None:
    body = page(floods["es"])
    assert "Similar practices, in any language" in body
    assert f">{FLOODS_DE['title']}</a>" in body
    assert "Written in German · Dresden, Germany" in body
    assert "shared topics: Climate adaptation." in body
    passage = similar_practices(practice=floods["es"])[0].passage
    assert f'<q lang="de" dir="ltr">{passage}</q>' in body
    assert WASTE_FR["title"] not in body


def test_practice_page_escapes_and_truncates_the_passage(floods: dict[str, Practice]) -> None:
    # Every passage of the German practice is long and holds markup, whichever of them matches best.
    for field in ("summary", "challenge", "objectives", "solution"):
        setattr(
            floods["de"], field, f"<b>Hochwasser</b> der Elbe ({field}) und Warnung per SMS " + "Pegel " * 80
        )
    floods["de"].save()
    encode(floods["de"])
    body = page(floods["es"])
    quoted = body.split('<q lang="de" dir="ltr">', 1)[1].split("</q>", 1)[0]
    assert quoted.startswith("&lt;b&gt;Hochwasser&lt;/b&gt; der Elbe (")
    assert quoted.endswith("…")
    assert len(quoted.replace("&lt;", "<").replace("&gt;", ">")) == 240


def test_practice_page_shows_no_section_without_similar_practices() -> None:
    alone = make_practice(FLOODS_ES, place=("Valencia", "ES"), topics=["climate-adaptation"])
    encode(alone)
    assert similar_practices(practice=alone) == []
    assert "Similar practices" not in page(alone)


def test_similar_practices_falls_back_to_shared_topics_without_encoder(settings: Any) -> None:
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()
    source = make_practice(
        FLOODS_ES, place=("Valencia", "ES"), topics=["climate-adaptation", "digitalisation"]
    )
    one_topic = make_practice(FLOODS_DE, place=("Dresden", "DE"), topics=["climate-adaptation"])
    newer_one_topic = make_practice(
        {**FLOODS_DE, "title": "Starkregen-Karte"}, place=("Dresden", "DE"), topics=["digitalisation"]
    )
    both_topics = make_practice(
        {**FLOODS_DE, "title": "Digitale Pegel"},
        place=("Dresden", "DE"),
        topics=["climate-adaptation", "digitalisation"],
    )
    make_practice(WASTE_FR, place=("Dakar", "SN"), topics=["waste-management"])
    make_practice(
        {**FLOODS_DE, "title": "Entwurf"},
        place=("Dresden", "DE"),
        topics=["climate-adaptation"],
        status=PracticeStatus.DRAFT,
    )
    found = similar_practices(practice=source)
    assert titles(found) == [both_topics.title, newer_one_topic.title, one_topic.title]
    assert found[0].shared_topics == ["Digitalisation", "Climate adaptation"]
    assert [item.passage for item in found] == ["", "", ""]
    assert [item.score for item in found] == [None, None, None]
    body = page(source)
    assert "Similar practices, in any language" in body
    assert "Starkregen-Karte" in body
    assert "Collecte des déchets" not in body
    assert "<q " not in body


def test_similar_practices_falls_back_before_the_vector_is_written(floods: dict[str, Practice]) -> None:
    newcomer = make_practice(
        {**FLOODS_ES, "title": "Diques verdes"}, place=("Valencia", "ES"), topics=["climate-adaptation"]
    )
    assert titles(similar_practices(practice=newcomer)) == [FLOODS_DE["title"], FLOODS_ES["title"]]


def test_similar_practices_queries_are_bounded(
    floods: dict[str, Practice], django_assert_max_num_queries: Any
) -> None:
    practice = practice_get_visible(user=None, slug=floods["es"].slug)
    similar_practices(practice=practice)
    with django_assert_max_num_queries(6):
        similar_practices(practice=practice)


@pytest.mark.parametrize("extra", [0, 6])
def test_practice_page_queries_do_not_grow_with_similar_practices(
    extra: int, floods: dict[str, Practice], django_assert_max_num_queries: Any
) -> None:
    more = [
        make_practice(
            {
                **FLOODS_DE,
                "title": f"Hochwasserwarnung {number}",
                "summary": f"Stadt {number} warnt per SMS vor Hochwasser.",
            },
            place=("Dresden", "DE"),
            topics=["climate-adaptation"],
        )
        for number in range(extra)
    ]
    encode(*more)
    page(floods["es"])
    with django_assert_max_num_queries(14):
        body = page(floods["es"])
    assert body.count("Written in German") == 1 + min(extra, 4)
