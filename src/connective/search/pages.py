"""One page of search results, as every search page and API list shows it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

ItemT = TypeVar("ItemT")


@dataclass
class ResultPage(Generic[ItemT]):
    """One page of results, with the total, facet counts and the sort applied."""

    items: list[ItemT]
    total: int
    page: int
    num_pages: int
    # facet -> values with their counts (FacetValue of the domain's selectors)
    facets: dict[str, list[Any]]
    sort: str
    page_size: int = 20
    # The page asked for is beyond the last one: items is empty (the form's check_page says so).
    page_out_of_range: bool = False

    @property
    def has_previous(self) -> bool:
        return 1 < self.page <= self.num_pages + 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return self.start_index + len(self.items) - 1 if self.items else 0
