"""Practices like a given one, in any language, each with the reason it is shown.

A reader of a practice in Spanish should learn that a German city solved the same problem, even when they
would never have searched in German. The practice's vector is compared with every published practice's
(search/vectors.py, which corrects for each language's pull); each result names the topics both share and
quotes its passage nearest the practice, so the reader sees why it is there rather than trusting a score.

Without an encoder, or before the practice's vector is written (it is encoded in the background), the
practices sharing the most topics with it stand in, newest first among equals.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import get_language

from connective.core.models import Topic
from connective.practices.models import Practice
from connective.practices.selectors import (
    practice_search_index,
    practice_vector_index,
    practices_public,
    with_card_data,
)
from connective.search.embeddings import encoder
from connective.search.vectors import MATCH_MARGIN, MATCH_THRESHOLD, Match

# The vector table may lag a moment behind a practice being unpublished; asking for a few more matches than
# shown keeps the list full after those are dropped.
EXTRA_CANDIDATES = 10


@dataclass(frozen=True)
class SimilarPractice:
    """A published practice (with card data) like another one, and why: topics both share (names in the
    active language) and its passage nearest the other practice ("" when matched by topics alone)."""

    practice: Practice
    # The meaning score (cosine, roughly -0.3 to 0.9); None when matched by shared topics alone.
    score: float | None
    shared_topics: list[str]
    passage: str = ""


def shared_topic_names(topics: Iterable[Topic], wanted: Collection[int]) -> list[str]:
    """The names (active language) of the topics among `topics` whose id is in `wanted`, in their order."""
    return [topic.name for topic in topics if topic.pk in wanted]


def practices_sharing_topics(
    *, topic_ids: Collection[int], exclude: Collection[int] = (), limit: int
) -> list[Practice]:
    """Published practices with card data sharing the most of `topic_ids`, newest first among equals.

    Three queries (the practices, their topics, their images); none without topics.
    """
    if not topic_ids or limit <= 0:
        return []
    wanted = list(topic_ids)
    queryset = (
        practices_public()
        .exclude(pk__in=list(exclude))
        .annotate(shared_count=Count("topics", filter=Q(topics__in=wanted), distinct=True))
        .filter(shared_count__gt=0)
        .order_by("-shared_count", "-published_at", "-id")
    )
    return list(with_card_data(queryset)[:limit])


def published_in_order(matches: Iterable[Match], *, limit: int) -> list[Practice]:
    """The published practices among `matches` (with card data), in the matches' order, at most `limit`.

    Three queries; the check against the database drops a practice unpublished since it was encoded.
    """
    ids = [match.id for match in matches]
    if not ids or limit <= 0:
        return []
    found = {practice.pk: practice for practice in with_card_data(practices_public().filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found][:limit]


# The list is kept this long per practice, language and version of the vectors (which changes whenever a
# practice is encoded, published or unpublished): the practice page is the most read page, and the list
# costs five queries to build, one (the version) to reuse.
CACHE_SECONDS = 600


def similar_practices(*, practice: Practice, limit: int = 5) -> list[SimilarPractice]:
    """`similar_list`, kept in the cache (see CACHE_SECONDS); one query when it is there.

    The key holds the versions of the words' index and of the vectors: a practice published, changed or
    withdrawn changes one of them (the fallback by topics follows the former).
    """
    tokens = [practice_search_index().version(), practice_vector_index().version()]
    meaning = "on" if encoder() is not None else "off"
    key = f"practice-similar:{practice.pk}:{limit}:{get_language()}:{meaning}:" + ":".join(tokens)
    found = cache.get(key)
    if found is None:
        found = similar_list(practice=practice, limit=limit)
        cache.set(key, found, CACHE_SECONDS)
    return list(found)


def similar_list(*, practice: Practice, limit: int = 5) -> list[SimilarPractice]:
    """Published practices like `practice`, in any language, best first, each with its reason.

    `practice` may be unpublished (its author or an editor reading it): only published ones are listed, never
    the practice itself. Its topics are read from `practice.topics.all()` (prefetch them to save a query).
    Queries: at most 7 with the encoder (the vector, the index version, the practices with their topics and
    images, the passages, and the practice's topics unless prefetched), two more when the vector table is
    reloaded; at most 4 without.
    """
    my_topics = {topic.pk for topic in practice.topics.all()}
    vectors = practice_vector_index()
    found = vectors.record_vector(practice.pk)
    if found is None:
        fallback = practices_sharing_topics(topic_ids=my_topics, exclude=[practice.pk], limit=limit)
        return [
            SimilarPractice(other, None, shared_topic_names(other.topics.all(), my_topics))
            for other in fallback
        ]
    vector, language = found
    # What `vectors.similar` does, from the vector already read for the passages: one query less on the
    # most read page of the platform.
    compared = vectors.compare(vector, language=language)
    if compared is None:
        return []
    matches = compared.best(
        limit=limit + EXTRA_CANDIDATES,
        minimum=MATCH_THRESHOLD,
        margin=MATCH_MARGIN,
        exclude=[practice.pk],
    )
    scores = {match.id: match.score for match in matches}
    others = published_in_order(matches, limit=limit)
    passages = vectors.passages(vector, [other.pk for other in others])
    return [
        SimilarPractice(
            practice=other,
            score=scores[other.pk],
            shared_topics=shared_topic_names(other.topics.all(), my_topics),
            passage=passages[other.pk].text if other.pk in passages else "",
        )
        for other in others
    ]
