"""Which records of each domain should have vectors, and their documents: what `refresh` needs.

Each app registers its domains when it is ready (its AppConfig), so the search module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from connective.search.index import Document


@dataclass(frozen=True)
class VectorSource:
    domain: str
    # Every record that should be found by its meaning (published, visible at the domain's level).
    ids: Callable[[], Iterable[int]]
    # The documents of some of those ids; an id that no longer qualifies is simply left out.
    documents: Callable[[Sequence[int]], Iterable[Document]]


_sources: dict[str, VectorSource] = {}


def register_vector_source(source: VectorSource) -> None:
    _sources[source.domain] = source


def vector_source(domain: str) -> VectorSource:
    try:
        return _sources[domain]
    except KeyError:
        raise LookupError(f"No vector source is registered for {domain!r}.") from None


def vector_domains() -> list[str]:
    return sorted(_sources)
