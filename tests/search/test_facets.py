"""Facet tables: counts and masks in memory, rebuilt when the domain's index changes."""

from __future__ import annotations

from typing import Any

import pytest

from connective.search.facets import FacetTable, facet_table, forget_facet_tables
from connective.search.index import Document, SearchIndex


def table() -> FacetTable:
    # Ids deliberately out of order: the table sorts them and keeps each record's values with it.
    return FacetTable(
        ids=[30, 10, 20, 40],
        columns={"lang": ["fr", "en", "en", None], "year": ["2020", "2021", "2020", "2019"]},
        links={
            # 99 is not a record; (10, "water") is given twice and counts once.
            "topic": [(10, "water"), (10, "water"), (10, "waste"), (20, "water"), (99, "water")],
        },
        order=[40, 30, 20, 10],
    )


def test_facet_table_counts_a_column_within_a_mask() -> None:
    facets = table()
    assert facets.count("lang", facets.everything()) == {"fr": 1, "en": 2, None: 1}
    english = facets.where("lang", ["en"])
    assert facets.count("year", english) == {"2021": 1, "2020": 1}


def test_facet_table_counts_links_once_per_record_and_ignores_unknown_records() -> None:
    facets = table()
    assert facets.count("topic", facets.everything()) == {"water": 2, "waste": 1}
    assert facets.count("topic", facets.where("year", ["2020"])) == {"water": 1}


def test_facet_table_where_a_link_matches_any_value() -> None:
    facets = table()
    mask = facets.where("topic", ["waste", "housing"])
    assert facets.page(facets.order, mask, 0, 10) == [10]
    assert facets.page(facets.order, facets.where("topic", ["water", "waste"]), 0, 10) == [20, 10]
    # A value no record has selects nothing rather than failing.
    assert not facets.where("lang", ["sw"]).any()


def test_facet_table_pages_in_the_order_given() -> None:
    facets = table()
    everything = facets.everything()
    assert facets.page(facets.order, everything, 0, 2) == [40, 30]
    assert facets.page(facets.order, everything, 2, 2) == [20, 10]
    assert facets.page(facets.order[::-1], everything, 0, 3) == [10, 20, 30]
    ranked = facets.rows_in_order([20, 77, 40])
    assert facets.page(ranked, everything, 0, 10) == [20, 40]
    assert facets.page(ranked, facets.where("lang", ["en"]), 0, 10) == [20]


def test_facet_table_distinct_values() -> None:
    facets = table()
    assert facets.distinct("year", facets.everything()) == 3
    assert facets.distinct("year", facets.mask_of(facets.rows_in_order([10, 20]))) == 2


def test_facet_table_of_no_records() -> None:
    empty = FacetTable(ids=[], columns={"lang": []}, links={"topic": []}, order=[])
    assert empty.count("lang", empty.everything()) == {}
    assert empty.count("topic", empty.everything()) == {}
    assert empty.page(empty.rows_in_order([1, 2]), empty.everything(), 0, 5) == []


def test_facet_table_rejects_a_column_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="3 values for 2 records"):
        FacetTable(ids=[1, 2], columns={"lang": ["en", "fr", "de"]}, links={}, order=[1, 2])


@pytest.mark.django_db
def test_facet_table_is_rebuilt_only_when_the_index_changes() -> None:
    index = SearchIndex("practice")
    index.clear()
    builds: list[str] = []

    def build(version: str) -> FacetTable:
        builds.append(version)
        ids = sorted(index.ids())
        return FacetTable(ids=ids, columns={}, links={}, order=ids)

    first = facet_table(index, build)
    assert facet_table(index, build) is first
    assert len(builds) == 1
    index.index([Document(5, "en", "Flood plan", "floods")])
    second = facet_table(index, build)
    assert len(builds) == 2
    assert builds[0] != builds[1]
    assert list(second.ids) == [5]
    forget_facet_tables()
    facet_table(index, build)
    assert len(builds) == 3


@pytest.mark.django_db
def test_index_version_changes_with_every_write() -> None:
    index = SearchIndex("practice")
    seen = {index.version()}
    index.index([Document(1, "en", "Flood plan", "floods")])
    seen.add(index.version())
    index.remove([1])
    seen.add(index.version())
    index.clear()
    seen.add(index.version())
    assert len(seen) == 4
    # Reading changes nothing.
    assert index.version() == index.version()


@pytest.mark.django_db
def test_index_ranked_lists_every_match_best_first() -> None:
    index = SearchIndex("practice")
    index.clear()
    index.index([Document(n, "en", f"Plan {n}", "Flood plan for the river.") for n in range(1, 30)])
    index.index(
        [Document(40, "en", "Flood plan", "Flood flood flood."), Document(41, "en", "Heat", "Shade.")]
    )
    ranked: Any = index.ranked("flood")
    assert ranked[0] == 40
    assert sorted(ranked) == [*range(1, 30), 40]
    assert ranked[:5] == [hit.id for hit in index.top("flood", limit=5)]
    assert index.ranked("🙂") is None
    assert index.ranked("volcano") == []


@pytest.mark.django_db
def test_index_ranked_puts_title_matches_first_for_a_broad_query(monkeypatch: Any) -> None:
    from connective.search import index as index_module

    index = SearchIndex("practice")
    index.clear()
    # Bodies that mention the word often, titles that mention it once: a title match still comes first.
    index.index([Document(n, "en", f"Plan {n}", "Flood flood flood flood.") for n in range(1, 8)])
    index.index([Document(20, "en", "Flood plan", "Streets."), Document(21, "en", "Floods", "Rivers.")])
    full = index.ranked("flood")
    monkeypatch.setattr(index_module, "FULL_RANK_LIMIT", 3)
    broad: Any = index.ranked("flood")
    if index.vendor == "sqlite":
        assert sorted(broad[:2]) == [20, 21]
        # The others follow, newest (highest id) first.
        assert broad[2:] == [7, 6, 5, 4, 3, 2, 1]
    assert sorted(broad) == sorted(full or []) == [1, 2, 3, 4, 5, 6, 7, 20, 21]


@pytest.mark.django_db
def test_index_ranked_small_index_ranks_in_one_query(django_assert_num_queries: Any) -> None:
    index = SearchIndex("practice")
    index.clear()
    index.index([Document(1, "en", "Flood plan", "Floods."), Document(2, "en", "Heat", "Flood shelters.")])
    expected = index.ranked("flood")
    with django_assert_num_queries(1):
        assert index.ranked("flood", size=2) == expected == [1, 2]
