"""Reads of the groups API. What a viewer may see is decided by connective.groups (selectors, group_selectors,
discussions), the same functions the pages call; this module only loads what the API's representation shows,
in a fixed number of queries, and cuts pages."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import F, Model, Prefetch, Q, QuerySet

from connective.accounts.rules import is_member
from connective.core.models import Topic
from connective.groups.group_selectors import group_search
from connective.groups.models import Group, Thread
from connective.groups.selectors import GroupAccess, threads_of

ModelT = TypeVar("ModelT", bound=Model)

# What person_view(..., brief=True) reads of a user, joined to the row that names the user.
_BRIEF_PERSON = ("profile", "organisation", "city", "country")


def _brief_person(relation: str) -> list[str]:
    return [relation, *(f"{relation}__{part}" for part in _BRIEF_PERSON)]


def groups_listed(*, viewer: Any, query: Mapping[str, Any]) -> QuerySet[Group]:
    """The group list's search (groups.forms.GroupFilterForm's cleaned data), with the topics each group
    shows."""
    topics = Prefetch("topics", queryset=Topic.objects.order_by("position", "slug"))
    return group_search(viewer=viewer, query=query).prefetch_related(topics)


def threads_listed(*, access: GroupAccess, viewer: Any) -> QuerySet[Thread]:
    """The group's threads, pinned first, then by their latest post.

    A thread whose opening post waits for a moderator (or was not approved) has no published post; like its
    page (discussions.thread_for_page), it exists only for its author and the moderators.
    """
    threads = threads_of(access)
    if not access.is_moderator:
        shown = Q(post_count__gt=0)
        if is_member(viewer):
            shown |= Q(author_id=viewer.pk)
        threads = threads.filter(shown)
    return threads.select_related(*_brief_person("author"), "practice").order_by(
        "-pinned", F("last_post_at").desc(nulls_last=True), "-pk"
    )


ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    items: list[ItemT]
    total: int
    page: int
    num_pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def page_count(total: int, page_size: int) -> int:
    return max(1, math.ceil(total / page_size))


def page_of(queryset: QuerySet[ModelT], *, page: int, page_size: int) -> Page[ModelT]:
    """One page of `queryset`: a count and a slice (no slice for a page beyond the last one)."""
    total = queryset.count()
    num_pages = page_count(total, page_size)
    start = (page - 1) * page_size
    items = list(queryset[start : start + page_size]) if page <= num_pages else []
    return Page(items=items, total=total, page=page, num_pages=num_pages)
