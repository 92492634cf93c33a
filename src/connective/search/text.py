"""Turning text into index terms and a query into term variants, the same way for every engine.

Stemming happens here in Python, not in the database, so SQLite FTS5 and PostgreSQL (with its language-
neutral "simple" configuration) index and match exactly the same terms. A record is stemmed in its own
language; a query is stemmed in every language, because the reader does not say which language the record
they look for is in.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

STEMMER_LANGUAGES: dict[str, str] = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "pt": "portuguese",
    "ar": "arabic",
}

# Letters and digits only: whatever else a user types (quotes, brackets, operators, '*', emoji) never reaches
# an engine's query parser, so no input can cause a syntax error.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# A longer query costs more and rarely helps; the extra words are ignored.
MAX_QUERY_TERMS = 12
# Shorter stems would match too many unrelated words as prefixes ("sol*" would find "solution").
MIN_PREFIX_LENGTH = 4

_local = threading.local()


def _stemmer(language: str) -> snowballstemmer.Stemmer | None:
    # Stemmer objects keep state while they work, so each thread gets its own.
    cache: dict[str, snowballstemmer.Stemmer] = getattr(_local, "stemmers", None) or {}
    _local.stemmers = cache
    name = STEMMER_LANGUAGES.get(language)
    if name is None:
        return None
    if name not in cache:
        cache[name] = snowballstemmer.stemmer(name)
    return cache[name]


def stem(word: str, language: str) -> str:
    if language == "ar":
        return arabic_light_stem(word)
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else word


# Snowball's Arabic stemmer reads a leading ف or ب as a conjunction or preposition, so "فيضانات" (floods)
# and "فيضان" (flood) get different stems. A light stemmer (the "light10" approach: normalise letters, strip
# the article and frequent prefixes, then suffixes while three letters remain) keeps such pairs together.
_AR_NORMAL = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_AR_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_AR_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")


def arabic_light_stem(word: str) -> str:
    word = fold(word).translate(_AR_NORMAL)
    if len(word) >= 4 and word.startswith("و"):
        word = word[1:]
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    stripped = True
    while stripped:
        stripped = False
        for suffix in _AR_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                stripped = True
                break
    return word


def fold(word: str) -> str:
    """Lower case without diacritics, so 'Bogotá' and 'bogota', 'مِياه' and 'مياه' are the same term."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def tokenize(text: str) -> list[str]:
    """The words of a text, lower-cased, diacritics kept (stemmers need them)."""
    return [match.group(0).casefold() for match in _TOKEN.finditer(text or "")]


def exact_terms(text: str) -> str:
    """Unstemmed terms, for matching a record's own words (an exact title ranks first)."""
    return " ".join(_split_folded(tokenize(text)))


def stemmed_terms(text: str, language: str) -> str:
    """Terms stemmed in the record's language, joined by spaces as the engines expect them."""
    return " ".join(term for token in tokenize(text) for term in _index_terms(token, language))


@functools.lru_cache(maxsize=200_000)
def _index_terms(token: str, language: str) -> tuple[str, ...]:
    # Texts repeat their words; each distinct word is stemmed and folded once.
    return tuple(_split_folded([stem(token, language)]))


def _split_folded(words: list[str]) -> list[str]:
    # Folding can leave a non-letter behind; split again so every term is letters and digits only.
    terms: list[str] = []
    for word in words:
        terms.extend(_TOKEN.findall(fold(word)))
    return terms


@dataclass(frozen=True, order=True)
class Variant:
    """One form of a query word: the word itself (exact) or one language's stem (prefix, for compounds)."""

    term: str
    prefix: bool = False


def query_variants(query: str) -> list[list[Variant]]:
    """For each query word, its variants. A record matches when it has some variant of every word."""
    words: list[str] = []
    for word in tokenize(query):
        if word not in words:
            words.append(word)
    groups: list[list[Variant]] = []
    for word in words[:MAX_QUERY_TERMS]:
        variants: set[Variant] = set()
        for term in _split_folded([word]):
            variants.add(Variant(term))
        for language in STEMMER_LANGUAGES:
            for root in _split_folded([stem(word, language)]):
                # A stem as prefix finds compounds and inflections: German "Wasser" (stem "wass") finds
                # "Wasserversorgung"; English "flooding" (stem "flood") finds "floods".
                variants.add(Variant(root, prefix=len(root) >= MIN_PREFIX_LENGTH))
        # A prefix variant already covers the exact form of the same term.
        prefixes = {v.term for v in variants if v.prefix}
        cleaned = sorted(v for v in variants if v.prefix or v.term not in prefixes)
        if cleaned:
            groups.append(cleaned)
    return groups
