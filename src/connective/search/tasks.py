"""Background work of matching by meaning: encoding records after they change, and again for a new model.

Encoding takes a few milliseconds a passage, so it never runs in a request: the domains' own index tasks
(practices, the directory) encode after they write the full-text index, and groups and events enqueue
`vectors_index` after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django_tasks import task

from connective.search.embeddings import encoder
from connective.search.sources import vector_source
from connective.search.vectors import VectorIndex

REFRESH_BATCH = 200


@dataclass(frozen=True)
class Refreshed:
    encoded: int
    removed: int


def vectors_refresh_domain(domain: str) -> Refreshed:
    """Encode the records with no vector of the current model; drop vectors of records no longer found."""
    model = encoder()
    if model is None:
        return Refreshed(0, 0)
    source = vector_source(domain)
    vectors = VectorIndex(domain)
    wanted = {int(record_id) for record_id in source.ids()}
    current = vectors.ids(model=model.name)
    removed = vectors.ids() - wanted
    vectors.remove(removed)
    missing = sorted(wanted - current)
    encoded = 0
    for start in range(0, len(missing), REFRESH_BATCH):
        encoded += vectors.index(source.documents(missing[start : start + REFRESH_BATCH]), model=model)
    return Refreshed(encoded, len(removed))


@task()
def vectors_refresh(domain: str) -> int:
    """`vectors_refresh_domain` in the background; returns how many records were encoded."""
    return vectors_refresh_domain(domain).encoded


@task()
def vectors_index(domain: str, record_id: int) -> bool:
    """Encode one record again, or drop its vectors when it is no longer found. True when it has vectors."""
    documents = list(vector_source(domain).documents([record_id]))
    vectors = VectorIndex(domain)
    if not documents:
        vectors.remove([record_id])
        return False
    vectors.index(documents)
    return True
