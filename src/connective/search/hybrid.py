"""Ranking by meaning and by words together, as every search box of the platform does.

Measured on the relevance set (`make bench-relevance`): ranking by meaning alone beat words alone in every
language, and an equal-weight fusion of the two was worse than meaning alone, because the words of one
language miss records written in another and then push them down. So meaning leads, and words add a small
bonus that decides between records of similar meaning; a record whose own title holds the query word for
word (a name, a code, an acronym) comes first, which is where words beat meaning.

A record is a result when its words match or its meaning scores at least `MATCH_THRESHOLD` and within
`MATCH_MARGIN` of the best: a query in Spanish finds a German record that shares none of its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
from django.db.models import BooleanField, Case, IntegerField, Model, Q, QuerySet, Value, When

from connective.search.index import SearchIndex
from connective.search.vectors import MATCH_MARGIN, MATCH_THRESHOLD, Scores, VectorIndex

# What the best word match adds to a cosine (the k of reciprocal-rank fusion softens the decline).
LEXICAL_WEIGHT = 0.2
LEXICAL_K = 5.0
# At most this many records are results for their meaning alone.
SEMANTIC_LIMIT = 1000

ModelT = TypeVar("ModelT", bound=Model)


def hybrid_ranked(
    *,
    lexical: Sequence[int] | None,
    scores: Scores | None,
    exact: Sequence[int] = (),
    threshold: float = MATCH_THRESHOLD,
    limit: int = SEMANTIC_LIMIT,
    allowed: Sequence[int] | None = None,
) -> list[int] | None:
    """Ids best first: title matches word for word, then by meaning with a bonus for matching words.

    lexical: the ids matching the words, best first (None: the query held no searchable word).
    scores: every record's score by meaning (None: no model; the words' order is kept).
    exact: ids whose own title holds the query word for word, best first.
    allowed: the only ids that may be found by meaning (what the viewer may see, with the list's filters);
        the margin is measured from the best of them, never from a record the viewer cannot see.
    """
    if lexical is None:
        return None
    first = list(dict.fromkeys(exact))
    if scores is None:
        seen = set(first)
        return first + [record_id for record_id in lexical if record_id not in seen]
    by_meaning = scores.best(limit=limit, minimum=threshold, margin=MATCH_MARGIN, allowed=allowed)
    candidates = np.asarray(
        list(dict.fromkeys([*lexical, *(match.id for match in by_meaning)])), dtype=np.int64
    )
    if not len(candidates):
        return first
    # Records without a vector yet (just written, not encoded) rank by their words alone.
    table = scores.table
    rows = np.searchsorted(table.ids, candidates)
    rows = np.minimum(rows, max(table.size - 1, 0))
    has_vector = (table.ids[rows] == candidates) if table.size else np.zeros(len(candidates), dtype=bool)
    meaning = np.where(has_vector, scores.values[rows] if table.size else 0.0, threshold)
    bonus = np.zeros(len(candidates), dtype=np.float64)
    word_rank = {record_id: position for position, record_id in enumerate(lexical)}
    for position, record_id in enumerate(candidates):
        rank = word_rank.get(int(record_id))
        if rank is not None:
            bonus[position] = LEXICAL_WEIGHT * LEXICAL_K / (LEXICAL_K + rank)
    order = np.argsort(-(meaning + bonus), kind="stable")
    seen = set(first)
    return first + [int(candidates[i]) for i in order if int(candidates[i]) not in seen]


def hybrid_search(
    index: SearchIndex, vectors: VectorIndex, query: str, *, rank: bool = True, size: int | None = None
) -> list[int] | None:
    """The ids a domain's search box finds for `query`, best first (`rank=False`: the same set, any order).

    None when the query holds no searchable word. Without a model (or with its vectors not yet computed),
    the words alone, as before matching by meaning existed.
    """
    lexical = index.ranked(query, size=size) if rank else index.matching(query)
    if lexical is None:
        return None
    scores = vectors.search(query)
    exact = index.title_phrase(query) if rank else []
    return hybrid_ranked(lexical=lexical, scores=scores, exact=exact)


# A database list (groups, events) is ordered by rank for its first this many results, then by its own order.
RANKED_ORDER_LIMIT = 200


def hybrid_queryset(
    queryset: QuerySet[ModelT],
    *,
    vectors: VectorIndex,
    query: str,
    words: Q,
    title: Q,
    ranked: bool = True,
) -> QuerySet[ModelT]:
    """A list kept in the database, narrowed to what matches `query` by its words or its meaning.

    queryset: what the viewer may see, with the list's other filters, in the list's own order.
    words: the records matching the query's words; title: those whose name holds the query as typed.
    ranked: order by rank (exact names first, then meaning and words); else keep the queryset's order.
    Costs one query for the candidates (and the vectors' version) before the list's own.
    """
    scores = vectors.search(query)
    if scores is None:
        return queryset.filter(words)
    rows = list(
        queryset.annotate(
            _words=Case(When(words, then=Value(True)), default=Value(False), output_field=BooleanField()),
            _title=Case(When(title, then=Value(True)), default=Value(False), output_field=BooleanField()),
        ).values_list("pk", "_words", "_title")
    )
    allowed = [row[0] for row in rows]
    lexical = [row[0] for row in rows if row[1]]
    order = (
        hybrid_ranked(
            lexical=lexical,
            scores=scores,
            exact=[row[0] for row in rows if row[2]],
            allowed=allowed,
        )
        or []
    )
    found_by_words = set(lexical)
    narrowed = queryset.filter(words | Q(pk__in=[pk for pk in order if pk not in found_by_words]))
    if not ranked:
        return narrowed
    positions = [
        When(pk=record_id, then=Value(position))
        for position, record_id in enumerate(order[:RANKED_ORDER_LIMIT])
    ]
    if not positions:
        return narrowed
    rank = Case(*positions, default=Value(RANKED_ORDER_LIMIT), output_field=IntegerField())
    # `alias` keeps the model; the stubs lose track of it.
    return narrowed.alias(_rank=rank).order_by("_rank", *queryset.query.order_by)  # type: ignore[return-value]
