"""The index on its own: any ids, any text; run on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from connective.search.index import Document, SearchIndex

pytestmark = pytest.mark.django_db

NASTY_QUERIES = [
    '"',
    'water "supply',
    "(water",
    "water)",
    "water AND",
    "OR water",
    "NEAR(water supply)",
    "water*",
    "*",
    "-water",
    "water -supply",
    "title_exact:water",
    "water:*",
    "'water'",
    "water & | ! <->",
    "🌊 water 💧",
    "المياه",
    "\\",
    "%",
    "water\x00supply",
]


@pytest.fixture
def index() -> SearchIndex:
    index = SearchIndex("practice")
    index.clear()
    index.index(
        [
            Document(1, "de", "Wasserversorgung in Leipzig", "Die Stadt sichert die Wasserversorgung."),
            Document(2, "en", "Flood early warning", "The city warns residents of floods by text message."),
            Document(3, "fr", "Gestion des inondations", "La ville prévient les habitants des inondations."),
            Document(4, "ar", "إدارة المياه في المدينة", "تحسين إمدادات المياه للسكان."),
            Document(5, "en", "Street lighting", "Solar lamps on main streets."),
        ]
    )
    return index


def ids(hits: Any) -> list[int]:
    return [hit.id for hit in hits]


def test_index_finds_a_german_compound_by_its_first_word(index: SearchIndex) -> None:
    assert ids(index.top("Wasser")) == [1]


def test_index_finds_inflected_forms_in_english(index: SearchIndex) -> None:
    assert ids(index.top("flooding")) == [2]


def test_index_finds_french_plural_from_singular(index: SearchIndex) -> None:
    assert ids(index.top("inondation")) == [3]


def test_index_finds_arabic_with_and_without_article(index: SearchIndex) -> None:
    assert ids(index.top("المياه")) == [4]
    assert ids(index.top("مياه")) == [4]


def test_index_requires_every_word(index: SearchIndex) -> None:
    assert ids(index.top("flood warning")) == [2]
    assert ids(index.top("flood lighting")) == []


def test_index_ranks_title_matches_first(index: SearchIndex) -> None:
    index.index(
        [Document(6, "en", "Residents council", "Street lighting street lighting and more street lighting.")]
    )
    assert ids(index.top("street lighting")) == [5, 6]


def test_index_pages_with_limit_and_offset(index: SearchIndex) -> None:
    index.index([Document(n, "en", f"Flood plan {n}", "floods") for n in range(10, 15)])
    first = ids(index.top("flood", limit=3))
    second = ids(index.top("flood", limit=3, offset=3))
    assert len(first) == 3
    assert len(second) == 3
    assert set(first).isdisjoint(second)
    assert set(first + second) == {2, 10, 11, 12, 13, 14}


def test_index_replaces_a_document_indexed_again(index: SearchIndex) -> None:
    index.index([Document(2, "en", "Heat action plan", "Cooling centres.")])
    assert ids(index.top("flood")) == []
    assert ids(index.top("heat")) == [2]
    assert index.ids() == {1, 2, 3, 4, 5}


def test_index_remove_forgets_a_document(index: SearchIndex) -> None:
    index.remove([2, 99])
    assert ids(index.top("flood")) == []
    assert index.ids() == {1, 3, 4, 5}


@pytest.mark.parametrize("typed", NASTY_QUERIES)
def test_index_never_fails_on_what_a_user_types(index: SearchIndex, typed: str) -> None:
    hits = index.top(typed)
    match = index.match_sql(typed)
    if match is not None:
        with connection.cursor() as cursor:
            cursor.execute(*match)
            matched = {row[0] for row in cursor.fetchall()}
        assert matched == set(ids(hits))


def test_index_treats_operators_as_words(index: SearchIndex) -> None:
    index.index([Document(7, "en", "Near and far", "Or not.")])
    assert ids(index.top("NEAR")) == [7]
    assert ids(index.top("water OR flood")) == []


def test_index_returns_nothing_for_a_query_without_words(index: SearchIndex) -> None:
    assert index.match_sql("*** 🙂") is None
    assert index.top("*** 🙂") == []
