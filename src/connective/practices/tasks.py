"""Background work of the knowledge base: keeping the search index in step with published practices.

Services call `transaction.on_commit(lambda: practice_index.enqueue(practice.pk))` after every change to a
practice, so the index never sees a change that was rolled back, and a slow index never slows a page.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import (
    practice_search_document,
    practice_search_index,
    practice_vector_index,
)

REINDEX_BATCH = 500


@task()
def practice_index(practice_id: int) -> bool:
    """Index a published practice, or remove it when it is unpublished or deleted. True when it is indexed."""
    index = practice_search_index()
    vectors = practice_vector_index()
    practice = (
        Practice.objects.filter(pk=practice_id, status=PracticeStatus.PUBLISHED)
        .select_related("city", "country", "lead_organisation")
        .prefetch_related("topics")
        .first()
    )
    if practice is None:
        # Drafts, practices under review, rejected or deleted ones are never found.
        index.remove([practice_id])
        vectors.remove([practice_id])
        return False
    document = practice_search_document(practice)
    index.index([document])
    # Encoding by meaning takes longer than the words; it runs here too, after the words are searchable.
    vectors.index([document])
    return True


@task()
def practice_reindex_all() -> int:
    """Rebuild the whole practice index from the published practices. Returns how many were indexed.

    Words only: vectors are kept by `practice_index` and completed by `manage.py vectors --refresh`, which
    encodes only what is missing (encoding 100,000 practices takes minutes, the words seconds).
    """
    index = practice_search_index()
    published = (
        Practice.objects.filter(status=PracticeStatus.PUBLISHED)
        .select_related("city", "country", "lead_organisation")
        .prefetch_related("topics")
        .order_by("pk")
    )
    count = 0
    last_pk = 0
    # One transaction: readers keep the old index until the new one is complete.
    with transaction.atomic():
        index.clear()
        while True:
            # Keyset batches keep memory flat however many practices there are.
            batch = list(published.filter(pk__gt=last_pk)[:REINDEX_BATCH])
            if not batch:
                return count
            index.index(practice_search_document(practice) for practice in batch)
            count += len(batch)
            last_pk = batch[-1].pk
