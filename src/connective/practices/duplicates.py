"""Is this practice already in the knowledge base? Asked before a submitted practice is saved.

The submission form (views/submit.py) asks it so that a member re-entering a practice someone already shared,
perhaps in another language, is shown the existing record before adding a second one; the later project-idea
form is meant to ask the same service about its ideas' practices. Only published practices are compared:
a draft or a record under review is its author's business until an editor publishes it.

Two checks, either of which makes a practice a possible duplicate:
- by meaning: the typed title and summary, encoded as a record's head is (vectors.document_head), against
  the head of every published practice, in any language. A score of at least DUPLICATE_THRESHOLD (see its
  calibration in search/vectors.py) counts.
- by words: a published practice with the same title once case, accents and punctuation are set aside.
  This is all that is checked when matching by meaning is off or the encoder is unavailable.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.utils.translation import gettext

from connective.practices.models import Practice
from connective.practices.selectors import (
    practice_search_index,
    practice_vector_index,
    practices_public,
)
from connective.search.embeddings import encoder
from connective.search.index import Document
from connective.search.text import exact_terms
from connective.search.vectors import DUPLICATE_THRESHOLD, document_head

# Candidates asked of the vector index beyond `limit`: some may have been unpublished since they were indexed.
_CANDIDATE_FACTOR = 4
# Records holding the typed title as a phrase, of which those whose whole title it is are kept.
_TITLE_CANDIDATES = 20


@dataclass(frozen=True)
class NearDuplicate:
    """A published practice that may be the one being submitted, and why it was found."""

    practice: Practice
    # How close in meaning (0 to 1; None when found by its title alone).
    score: float | None
    reason: str


def near_duplicates(
    *,
    title: str,
    summary: str,
    language: str | None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[NearDuplicate]:
    """Published practices that may be the practice described by `title` and `summary`, most certain first.

    Same titles come first, then the closest in meaning. `language`: the language it is written in ("" or
    None when not given: it is guessed). `exclude_id`: the practice being edited, which is never its own
    duplicate. Queries: at most five (the title match, the practices, and the vector table's version and,
    when it changed, its rows and a check for vectors of another model).
    """
    title = title.strip()
    summary = summary.strip()
    if limit <= 0 or not (title or summary):
        return []
    excluded: set[int] = {exclude_id} if exclude_id is not None else set()
    same_title = _same_title_ids(title, excluded)
    close = _close_in_meaning(
        title=title, summary=summary, language=language or None, excluded=excluded, limit=limit
    )
    wanted = list(dict.fromkeys([*same_title, *close]))
    if not wanted:
        return []
    found = {
        practice.pk: practice
        for practice in practices_public().filter(pk__in=wanted).select_related("city", "country")
    }
    typed = exact_terms(title)
    titled = [pk for pk in same_title if pk in found and exact_terms(found[pk].title) == typed]
    duplicates = [NearDuplicate(found[pk], close.get(pk), gettext("same title")) for pk in titled]
    duplicates.extend(
        NearDuplicate(found[pk], score, gettext("very similar title and summary"))
        for pk, score in close.items()
        if pk in found and pk not in titled
    )
    return duplicates[:limit]


def _same_title_ids(title: str, excluded: Collection[int]) -> list[int]:
    # The index finds titles holding the words as a phrase; whether the whole title is the same is decided
    # on the practices themselves (near_duplicates), where the title is read anyway.
    if not exact_terms(title):
        return []
    return [
        pk
        for pk in practice_search_index().title_phrase(title, limit=_TITLE_CANDIDATES)
        if pk not in excluded
    ]


def _close_in_meaning(
    *, title: str, summary: str, language: str | None, excluded: Collection[int], limit: int
) -> dict[int, float]:
    """{practice id: score} of the indexed practices at least DUPLICATE_THRESHOLD close, best first."""
    model = encoder()
    if model is None:
        return {}
    # Encoded as the records' own heads are, so that the same practice written twice scores as alike as it can.
    head = document_head(Document(id=0, language=language or "", title=title, body=summary))
    vector = model.encode([head])[0]
    scores = practice_vector_index().compare(vector, language=language)
    if scores is None:
        return {}
    matches = scores.best(limit=limit * _CANDIDATE_FACTOR, minimum=DUPLICATE_THRESHOLD, exclude=excluded)
    return {match.id: match.score for match in matches}
