from __future__ import annotations

import pytest

from connective.search.text import (
    MAX_QUERY_TERMS,
    Variant,
    exact_terms,
    fold,
    query_variants,
    stemmed_terms,
    tokenize,
)


def test_tokenize_keeps_letters_and_digits_only() -> None:
    assert tokenize('Floods (2020) "AND" NEAR/3 water-supply* -x 🌊 المياه_') == [
        "floods",
        "2020",
        "and",
        "near",
        "3",
        "water",
        "supply",
        "x",
        "المياه",
    ]


def test_fold_removes_diacritics_in_latin_and_arabic_script() -> None:
    assert fold("Bogotá") == "bogota"
    assert fold("مِيَاه") == "مياه"


def test_stemmed_terms_use_the_record_language() -> None:
    assert stemmed_terms("Wasserversorgungen in Städten", "de") == "wasserversorg in stadt"
    assert stemmed_terms("Floods and flooding", "en") == "flood and flood"


def test_exact_terms_are_not_stemmed() -> None:
    assert exact_terms("Floods and Flooding") == "floods and flooding"


def test_query_variants_hold_the_word_and_a_stem_of_each_language() -> None:
    assert query_variants("flooding") == [[Variant("flood", prefix=True), Variant("flooding", prefix=True)]]


def test_query_variants_make_german_stem_a_prefix_for_compounds() -> None:
    (variants,) = query_variants("Wasser")
    assert Variant("wass", prefix=True) in variants
    assert Variant("wasser", prefix=True) in variants


def test_query_variants_keep_short_stems_exact() -> None:
    (variants,) = query_variants("solar")
    assert Variant("sol", prefix=False) in variants


@pytest.mark.parametrize("typed", ["", "   ", "***", '""', "()", "-", "🙂🌍", "&|!:'"])
def test_query_variants_are_empty_without_a_word(typed: str) -> None:
    assert query_variants(typed) == []


def test_query_variants_drop_repeated_words_and_stop_at_the_limit() -> None:
    words = " ".join(f"word{n}" for n in range(MAX_QUERY_TERMS + 5))
    assert len(query_variants(words + " word0")) == MAX_QUERY_TERMS


@pytest.mark.parametrize(
    ("first", "second"),
    [("فيضانات", "فيضان"), ("النفايات", "نفايات"), ("المياه", "مياه"), ("والمدينة", "مدينة")],
)
def test_arabic_light_stem_keeps_singular_plural_and_article_together(first: str, second: str) -> None:
    from connective.search.text import arabic_light_stem

    assert arabic_light_stem(first) == arabic_light_stem(second)


def test_arabic_light_stem_never_cuts_below_three_letters() -> None:
    from connective.search.text import arabic_light_stem

    assert arabic_light_stem("السكان") == "سكان"
    assert arabic_light_stem("مدن") == "مدن"
