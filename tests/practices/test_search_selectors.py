from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from connective.core.models import SDG
from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import (
    FacetValue,
    PracticeQuery,
    practice_map_points,
    practice_search,
    practice_search_document,
    practice_search_index,
)
from connective.practices.tasks import practice_index, practice_reindex_all
from tests.factories import PracticeFactory, city

pytestmark = pytest.mark.django_db


def indexed(**kwargs: Any) -> Practice:
    sdgs = kwargs.pop("sdgs", None)
    practice = PracticeFactory(**kwargs)
    if sdgs:
        practice.sdgs.set(SDG.objects.filter(number__in=sdgs))
        practice.save()
    practice_index.call(practice.pk)
    return practice


def titles(result: Any) -> list[str]:
    return [practice.title for practice in result.items]


def facet(result: Any, name: str) -> dict[str, tuple[int, bool]]:
    return {value.value: (value.count, value.selected) for value in result.facets[name]}


@pytest.mark.usefixtures("words_only")
def test_practice_search_finds_german_compound_by_its_first_word() -> None:
    indexed(title="Sichere Wasserversorgung für alle Stadtteile", language="de", city=city("Leipzig", "DE"))
    indexed(title="Flood early warning")
    assert titles(practice_search(query={"q": "Wasser"})) == ["Sichere Wasserversorgung für alle Stadtteile"]


def test_practice_search_finds_floods_by_flooding() -> None:
    indexed(title="Early warning", summary="Residents learn of floods by text message.")
    indexed(title="Street lighting")
    assert titles(practice_search(query={"q": "flooding"})) == ["Early warning"]


@pytest.mark.usefixtures("words_only")
def test_practice_search_finds_records_in_other_languages_by_their_own_forms() -> None:
    indexed(title="Prévention des inondations", language="fr", city=city("Lyon", "FR"))
    indexed(title="تحسين إمدادات المياه", language="ar", city=city("Tunis", "TN"))
    indexed(title="Bürgerhaushalt in Städten", language="de", city=city("Leipzig", "DE"))
    assert titles(practice_search(query={"q": "inondation"})) == ["Prévention des inondations"]
    assert titles(practice_search(query={"q": "مياه"})) == ["تحسين إمدادات المياه"]
    assert titles(practice_search(query={"q": "Stadt"})) == ["Bürgerhaushalt in Städten"]


def test_practice_search_finds_place_and_topic_names() -> None:
    indexed(title="Bus lanes", city=city("Tunis", "TN"), topics=["mobility"])
    assert titles(practice_search(query={"q": "Tunisia"})) == ["Bus lanes"]
    assert titles(practice_search(query={"q": "mobility"})) == ["Bus lanes"]


def test_practice_search_ranks_the_exact_title_first() -> None:
    for n in range(3):
        indexed(
            title=f"Neighbourhood plan {n}", summary="Solar street lighting. " * 5 + "solar lighting streets"
        )
    indexed(title="Solar street lighting")
    result = practice_search(query={"q": "solar street lighting"})
    assert result.total == 4
    assert titles(result)[0] == "Solar street lighting"


@pytest.mark.parametrize("status", [PracticeStatus.DRAFT, PracticeStatus.SUBMITTED, PracticeStatus.REJECTED])
def test_practice_search_never_finds_a_practice_that_is_not_published(status: str) -> None:
    practice = indexed(title="Hidden flood plan", status=status, published_at=None)
    assert practice.pk not in practice_search_index().ids()
    # Even a stale index entry is not shown: results come from published practices only.
    practice_search_index().index([practice_search_document(practice)])
    assert practice_search(query={"q": "flood"}).total == 0
    assert practice_search(query={}).total == 0


def test_practice_index_removes_an_unpublished_practice() -> None:
    practice = indexed(title="Flood plan")
    assert practice_search(query={"q": "flood"}).total == 1
    Practice.objects.filter(pk=practice.pk).update(status=PracticeStatus.DRAFT)
    assert practice_index.call(practice.pk) is False
    assert practice.pk not in practice_search_index().ids()
    assert practice_search(query={"q": "flood"}).total == 0


def test_practice_index_removes_a_deleted_practice() -> None:
    practice = indexed(title="Flood plan")
    pk = practice.pk
    practice.delete()
    practice_index.enqueue(pk)
    assert pk not in practice_search_index().ids()


def test_practice_index_updates_changed_text() -> None:
    practice = indexed(title="Flood plan")
    Practice.objects.filter(pk=practice.pk).update(title="Heat plan")
    practice_index.call(practice.pk)
    assert practice_search(query={"q": "flood"}).total == 0
    assert practice_search(query={"q": "heat"}).total == 1


def test_practice_reindex_all_indexes_only_published_practices() -> None:
    published = [PracticeFactory(title=f"Flood plan {n}") for n in range(3)]
    PracticeFactory(title="Flood draft", status=PracticeStatus.DRAFT, published_at=None)
    practice_search_index().index([practice_search_document(PracticeFactory.build(pk=999999, title="Ghost"))])
    assert practice_reindex_all.call() == 3
    assert practice_search_index().ids() == {p.pk for p in published}


def test_rebuild_search_index_command_reports_the_count(capsys: Any) -> None:
    PracticeFactory(title="Flood plan")
    call_command("rebuild_search_index")
    assert capsys.readouterr().out == "Indexed 1 published practices.\n"
    assert practice_search(query={"q": "flood"}).total == 1


def test_practice_search_without_matching_words_finds_nothing() -> None:
    indexed(title="Flood plan")
    result = practice_search(query={"q": "*** 🙂"})
    assert (result.total, result.items, result.num_pages) == (0, [], 1)


@pytest.mark.usefixtures("words_only")
def test_practice_search_filters_combine_facets_and_alternate_values() -> None:
    leipzig, tunis, kigali = city("Leipzig", "DE"), city("Tunis", "TN"), city("Kigali", "RW")
    indexed(title="A", city=leipzig, topics=["mobility"], sdgs=[11], start_year=2019, language="de")
    indexed(title="B", city=tunis, topics=["housing"], sdgs=[11, 6], start_year=2020, language="fr")
    indexed(title="C", city=kigali, topics=["informal-settlements"], sdgs=[1], start_year=2020)
    indexed(title="D", city=tunis, topics=["mobility", "housing"], start_year=2021, language="ar")

    def found(**query: Any) -> list[str]:
        return sorted(titles(practice_search(query=query)))

    assert found(topic=["mobility"]) == ["A", "D"]
    assert found(topic=["mobility", "housing"]) == ["A", "B", "D"]
    assert found(topic=["integrated-urban-development"]) == ["B", "C", "D"]
    assert found(sdg=[11]) == ["A", "B"]
    assert found(sdg=["6", "1"]) == ["B", "C"]
    assert found(region=["mena"]) == ["B", "D"]
    assert found(region=["sub-saharan-africa", "europe"]) == ["A", "C"]
    assert found(country=["TN"]) == ["B", "D"]
    assert found(year=[2020]) == ["B", "C"]
    assert found(lang=["fr", "ar"]) == ["B", "D"]
    assert found(size=[leipzig.size.value]) == sorted(
        t for t, c in [("A", leipzig), ("B", tunis), ("C", kigali), ("D", tunis)] if c.size == leipzig.size
    )
    assert found(city=tunis.pk) == ["B", "D"]
    assert found(topic=["housing"], country=["TN"], year=[2021]) == ["D"]
    assert found(q="B", country=["DE"]) == []
    assert found(q="B", country=["TN"]) == ["B"]


def test_practice_search_counts_facets_over_the_whole_matched_set() -> None:
    tunis, leipzig = city("Tunis", "TN"), city("Leipzig", "DE")
    for n in range(25):
        indexed(title=f"Flood plan {n}", city=tunis if n % 5 else leipzig, topics=["climate-adaptation"])
    indexed(title="Bus lanes", city=tunis, topics=["mobility"])
    result = practice_search(query={"q": "flood"}, page_size=10)
    assert (result.total, len(result.items), result.num_pages) == (25, 10, 3)
    assert facet(result, "country") == {"TN": (20, False), "DE": (5, False)}
    assert facet(result, "topic") == {
        "integrated-urban-development": (25, False),
        "climate-adaptation": (25, False),
    }
    assert facet(result, "region") == {"mena": (20, False), "europe": (5, False)}


def test_practice_search_counts_each_facet_without_its_own_filter() -> None:
    tunis, leipzig = city("Tunis", "TN"), city("Leipzig", "DE")
    indexed(title="A", city=tunis, topics=["mobility"], language="fr")
    indexed(title="B", city=tunis, topics=["housing"], language="ar")
    indexed(title="C", city=leipzig, topics=["mobility"], language="de")
    result = practice_search(query={"country": ["TN"], "topic": ["mobility"]})
    assert titles(result) == ["A"]
    # Country counts apply the topic filter only; topic counts apply the country filter only.
    assert facet(result, "country") == {"TN": (1, True), "DE": (1, False)}
    assert facet(result, "topic")["mobility"] == (1, True)
    assert facet(result, "topic")["housing"] == (1, False)
    assert facet(result, "lang") == {"fr": (1, False)}


def test_practice_search_facet_labels_follow_the_interface_language() -> None:
    from django.utils import translation

    indexed(title="A", city=city("Tunis", "TN"), topics=["mobility"], sdgs=[11])
    with translation.override("de"):
        result = practice_search(query={})
    assert result.facets["topic"][-1] == FacetValue("mobility", "Mobilität", 1, False, level=1)
    assert result.facets["country"] == [FacetValue("TN", "Tunesien", 1, False)]
    assert result.facets["sdg"] == [FacetValue("11", "11. Nachhaltige Städte und Gemeinden", 1, False)]


def test_practice_search_shows_a_selected_value_without_matches() -> None:
    indexed(title="A", city=city("Tunis", "TN"))
    result = practice_search(query={"country": ["TN"], "year": [1999]})
    assert result.total == 0
    # The year facet is counted without the year filter: the reader sees which year would find something.
    assert facet(result, "year") == {"2019": (1, False), "1999": (0, True)}


def test_practice_search_sorts_by_relevance_newest_and_oldest() -> None:
    now = timezone.now()
    indexed(title="Flood", summary="x", published_at=now - timedelta(days=3))
    indexed(title="Old plan", summary="flood", published_at=now - timedelta(days=9))
    indexed(title="New plan", summary="flood", published_at=now - timedelta(days=1))
    assert titles(practice_search(query={"q": "flood"}))[0] == "Flood"
    assert practice_search(query={"q": "flood"}).sort == "relevance"
    assert titles(practice_search(query={"q": "flood", "sort": "newest"})) == [
        "New plan",
        "Flood",
        "Old plan",
    ]
    assert titles(practice_search(query={"q": "flood", "sort": "oldest"})) == [
        "Old plan",
        "Flood",
        "New plan",
    ]
    assert titles(practice_search(query={})) == ["New plan", "Flood", "Old plan"]
    assert practice_search(query={"sort": "relevance"}).sort == "newest"


def test_practice_search_pages_through_the_results() -> None:
    now = timezone.now()
    for n in range(5):
        indexed(title=f"Flood plan {n}", published_at=now - timedelta(days=n))
    pages = [practice_search(query={"q": "flood"}, page=page, page_size=2) for page in (1, 2, 3)]
    assert [len(p.items) for p in pages] == [2, 2, 1]
    assert sorted(t for p in pages for t in titles(p)) == [f"Flood plan {n}" for n in range(5)]
    by_date = practice_search(query={"sort": "newest"}, page=3, page_size=2)
    assert (titles(by_date), by_date.has_previous, by_date.has_next) == (["Flood plan 4"], True, False)
    beyond = practice_search(query={"q": "flood"}, page=4, page_size=2)
    assert (beyond.items, beyond.page_out_of_range, beyond.num_pages, beyond.total) == ([], True, 3, 5)


def test_practice_search_accepts_a_practice_query() -> None:
    indexed(title="Flood plan", city=city("Tunis", "TN"))
    result = practice_search(query=PracticeQuery(q="flood", country=("TN",)))
    assert titles(result) == ["Flood plan"]


def test_practice_map_shows_one_point_per_practice_for_small_sets() -> None:
    tunis = city("Tunis", "TN")
    practice = indexed(title="Bus lanes", city=tunis)
    indexed(title="Draft", city=tunis, status=PracticeStatus.DRAFT, published_at=None)
    world = practice_map_points(query={})
    assert (world.total, world.aggregated) == (1, False)
    (point,) = world.points
    assert (point.label, point.url, point.count) == ("Bus lanes", practice.get_absolute_url(), 1)
    assert (point.x, point.y) == (round(tunis.longitude + 180, 1), round(90 - tunis.latitude, 1))
    assert world.groups == [("Middle East and North Africa", [("Tunisia", [point])])]


def test_practice_map_groups_large_sets_by_city(settings: Any, monkeypatch: Any) -> None:
    from connective.practices import selectors

    monkeypatch.setattr(selectors, "MAP_POINT_LIMIT", 3)
    monkeypatch.setattr(selectors, "MAP_LIST_CITY_LIMIT", 1)
    tunis, leipzig = city("Tunis", "TN"), city("Leipzig", "DE")
    for n in range(3):
        indexed(title=f"Flood {n}", city=tunis)
    indexed(title="Flood in Leipzig", city=leipzig)
    world = practice_map_points(query={"q": "flood"})
    assert (world.total, world.aggregated, world.city_count, world.listed_cities) == (4, True, 2, 1)
    assert [(p.label, p.count) for p in world.points] == [("Tunis", 3), ("Leipzig", 1)]
    assert world.points[0].url == f"/en/practices/?q=flood&city={tunis.pk}"
    assert world.groups == [("Middle East and North Africa", [("Tunisia", [world.points[0]])])]


def test_deleting_a_published_practice_anywhere_takes_it_out_of_search_and_counts(
    django_capture_on_commit_callbacks: Any,
) -> None:
    practice = indexed(title="Flood plan", language="en")
    pk = practice.pk
    assert facet(practice_search(query={}), "lang") == {"en": (1, False)}
    # The back office deletes with the ORM, not through services.
    with django_capture_on_commit_callbacks(execute=True):
        practice.delete()
    assert pk not in practice_search_index().ids()
    result = practice_search(query={})
    assert (result.total, result.facets["lang"]) == (0, [])
