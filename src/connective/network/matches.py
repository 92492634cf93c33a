"""Matches for you: the published practices, people and working groups that fit a member's expertise.

The member's own profile is the query: its vector in the members' directory index ("person_member", the text
any member may read of it) is compared with every practice, person and group, in any language. Each match
says why: the topics of expertise it shares with the member (named in the reader's language) and the passage
of it nearest the member's profile.

Without an encoder, or before the member's profile is encoded (that happens in the background), matches come
from the topics of expertise alone: practices and groups tagged with them, people who name them too, those
sharing the most first.

Visibility comes from the selectors the rest of the platform uses: published practices only, people as
`person_view` shows them to the member, groups the member may know exist. Every list is read in a fixed
number of queries, whatever the number of records.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from connective.accounts.models import User
from connective.accounts.rules import is_member
from connective.core.models import Topic
from connective.groups.group_selectors import group_vector_index
from connective.groups.models import Group, Membership
from connective.groups.selectors import groups_visible_to
from connective.network.models import Profile
from connective.network.search import PERSON_DOMAINS, language_name, person_search_document
from connective.network.selectors import (
    LEVEL_MEMBERS,
    PersonView,
    people_showing,
    person_view,
    visibilities_at,
    with_profile_data,
)
from connective.practices.models import Practice
from connective.practices.selectors import practice_vector_index, practices_public
from connective.search.vectors import MATCH_MARGIN, MATCH_THRESHOLD, VectorIndex, document_passages

T = TypeVar("T")

DEFAULT_LIMIT = 6
# Candidates read from the vectors for each place in a list: some drop out when the database is asked again
# (a practice unpublished or a profile hidden since its vectors were written, the member's own practices).
CANDIDATES_PER_PLACE = 3


@dataclass(frozen=True)
class MatchItem(Generic[T]):
    """One match and why it was made."""

    # A Practice, a PersonView (what the member may see of the person) or a Group.
    object: T
    # By meaning: the cosine of the corrected vectors (see search/vectors.py). By topics: how many are shared.
    score: float
    # Names, in the active language, of the member's topics of expertise the match is tagged with too.
    shared_topics: list[str]
    # The passage of the match nearest the member's profile; "" without one (or without an encoder).
    passage: str
    # The language the match is written in (ISO 639-1); "" when it has no text of its own to read.
    language: str

    @property
    def language_name(self) -> str:
        return language_name(self.language) if self.language else ""


@dataclass
class Matches:
    practices: list[MatchItem[Practice]] = field(default_factory=list)
    people: list[MatchItem[PersonView]] = field(default_factory=list)
    groups: list[MatchItem[Group]] = field(default_factory=list)
    # Nothing to match on: the member's profile names no expertise (nor anything else to compare by meaning).
    needs_profile: bool = False
    # True when matched by meaning, False when by shared topics of expertise.
    by_meaning: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.practices or self.people or self.groups)


@dataclass(frozen=True)
class _Member:
    user: Any
    topics: list[Topic]

    @property
    def topic_ids(self) -> set[int]:
        return {topic.pk for topic in self.topics}

    def shared(self, topics: Collection[Topic]) -> list[str]:
        theirs = {topic.pk for topic in topics}
        return [topic.name for topic in self.topics if topic.pk in theirs]


def matches_for(*, user: Any, limit: int = DEFAULT_LIMIT) -> Matches:
    """What fits `user`'s expertise: at most `limit` practices, people and groups each, best first."""
    if not is_member(user):
        return Matches(needs_profile=True)
    profile = Profile.objects.filter(user_id=user.pk).prefetch_related("expertise").first()
    topics = list(profile.expertise.all()) if profile is not None else []
    has_text = profile is not None and bool(profile.bio.strip() or (user.position or "").strip())
    if not topics and not has_text:
        return Matches(needs_profile=True)
    member = _Member(user=user, topics=topics)
    found = VectorIndex(PERSON_DOMAINS[LEVEL_MEMBERS]).record_vector(user.pk)
    if found is not None:
        vector, language = found
        return Matches(
            practices=_practices_by_meaning(member, vector, language, limit),
            people=_people_by_meaning(member, vector, language, limit),
            groups=_groups_by_meaning(member, vector, language, limit),
            by_meaning=True,
        )
    if not topics:
        # A biography alone is matched by meaning only; with no encoder it gives nothing to go on.
        return Matches(needs_profile=True)
    return Matches(
        practices=_practices_by_topics(member, limit),
        people=_people_by_topics(member, limit),
        groups=_groups_by_topics(member, limit),
    )


# --- Shared by both ways of matching ----------------------------------------------------------------------


def _practices_shown(member: _Member) -> QuerySet[Practice]:
    # A member's own practices are theirs already, not a discovery.
    return (
        practices_public()
        .exclude(author_id=member.user.pk)
        .exclude(contact_id=member.user.pk)
        .select_related("city", "country")
        .prefetch_related("topics")
    )


def _groups_open_to(member: _Member) -> QuerySet[Group]:
    """Groups the member may know exist, does not belong to, and could still take part in."""
    mine = Membership.objects.filter(group=OuterRef("pk"), user_id=member.user.pk)
    return groups_visible_to(member.user).filter(archived_at__isnull=True).exclude(Exists(mine))


def _people_seen(member: _Member, ids: Sequence[int]) -> dict[int, PersonView]:
    """The people among `ids` whose profile the member may open, as the member may see them."""
    # The vectors may be a moment behind a change of visibility: the database is asked again.
    users = with_profile_data(
        User.objects.filter(
            pk__in=list(ids),
            is_active=True,
            deleted_at__isnull=True,
            profile__visibility__in=visibilities_at(LEVEL_MEMBERS),
        ).exclude(pk=member.user.pk),
        links=False,
    ).order_by()
    views = {user.pk: person_view(user, member.user, links=False) for user in users}
    return {pk: view for pk, view in views.items() if view.url is not None}


# --- By meaning -------------------------------------------------------------------------------------------


def _ranked(
    index: VectorIndex,
    vector: np.ndarray,
    language: str,
    limit: int,
    *,
    allowed: Collection[int] | None = None,
    exclude: Collection[int] = (),
) -> dict[int, float]:
    """Candidate ids with their scores, best first (dicts keep their order)."""
    scores = index.compare(vector, language=language)
    if scores is None:
        return {}
    best = scores.best(
        limit=limit * CANDIDATES_PER_PLACE,
        minimum=MATCH_THRESHOLD,
        margin=MATCH_MARGIN,
        allowed=allowed,
        exclude=exclude,
    )
    return {match.id: match.score for match in best}


def _passages(index: VectorIndex, vector: np.ndarray, ids: Collection[int]) -> dict[int, str]:
    return {record_id: passage.text for record_id, passage in index.passages(vector, ids).items()}


def _practices_by_meaning(
    member: _Member, vector: np.ndarray, language: str, limit: int
) -> list[MatchItem[Practice]]:
    index = practice_vector_index()
    ranked = _ranked(index, vector, language, limit)
    if not ranked:
        return []
    found = {practice.pk: practice for practice in _practices_shown(member).filter(pk__in=list(ranked))}
    ids = [pk for pk in ranked if pk in found][:limit]
    passages = _passages(index, vector, ids)
    return [
        MatchItem(
            object=found[pk],
            score=ranked[pk],
            shared_topics=member.shared(found[pk].topics.all()),
            passage=passages.get(pk, ""),
            language=found[pk].language,
        )
        for pk in ids
    ]


def _people_by_meaning(
    member: _Member, vector: np.ndarray, language: str, limit: int
) -> list[MatchItem[PersonView]]:
    index = VectorIndex(PERSON_DOMAINS[LEVEL_MEMBERS])
    ranked = _ranked(index, vector, language, limit, exclude=[member.user.pk])
    if not ranked:
        return []
    views = _people_seen(member, list(ranked))
    ids = [pk for pk in ranked if pk in views][:limit]
    passages = _passages(index, vector, ids)
    items = []
    for pk in ids:
        view = views[pk]
        passage = passages.get(pk, "")
        # The passage was written when the person was last indexed; a part they have hidden since is not
        # quoted, only what the member may read of them now.
        if passage and passage not in document_passages(person_search_document(view)):
            passage = ""
        # A profile lists its topics of expertise one to a line, in every language; such a line quoted as
        # the passage would only repeat the shared topics.
        if passage in {name for topic in view.expertise for name in topic.names.values()}:
            passage = ""
        items.append(
            MatchItem(
                object=view,
                score=ranked[pk],
                shared_topics=member.shared(view.expertise),
                passage=passage,
                language=view.bio_language if view.bio else "",
            )
        )
    return items


def _groups_by_meaning(
    member: _Member, vector: np.ndarray, language: str, limit: int
) -> list[MatchItem[Group]]:
    index = group_vector_index()
    allowed = set(_groups_open_to(member).values_list("pk", flat=True))
    if not allowed:
        return []
    ranked = _ranked(index, vector, language, limit, allowed=allowed)
    if not ranked:
        return []
    found = {
        group.pk: group for group in Group.objects.filter(pk__in=list(ranked)).prefetch_related("topics")
    }
    ids = [pk for pk in ranked if pk in found][:limit]
    passages = _passages(index, vector, ids)
    return [
        MatchItem(
            object=found[pk],
            score=ranked[pk],
            shared_topics=member.shared(found[pk].topics.all()),
            passage=passages.get(pk, ""),
            language=found[pk].description_language,
        )
        for pk in ids
    ]


# --- By shared topics of expertise ------------------------------------------------------------------------


def _practices_by_topics(member: _Member, limit: int) -> list[MatchItem[Practice]]:
    shared = Count("topics", filter=Q(topics__in=member.topic_ids), distinct=True)
    practices = list(
        _practices_shown(member)
        .annotate(shared=shared)
        .filter(shared__gt=0)
        .order_by("-shared", F("published_at").desc(nulls_last=True), "-pk")[:limit]
    )
    return [
        MatchItem(
            object=practice,
            score=float(practice.shared),  # type: ignore[attr-defined]
            shared_topics=member.shared(practice.topics.all()),
            passage="",
            language=practice.language,
        )
        for practice in practices
    ]


def _people_by_topics(member: _Member, limit: int) -> list[MatchItem[PersonView]]:
    # Only people who show their expertise to members: nobody is found by a topic the member may not see.
    shared = Count("profile__expertise", filter=Q(profile__expertise__in=member.topic_ids), distinct=True)
    ranked = list(
        people_showing(member.user, "expertise")
        .exclude(pk=member.user.pk)
        .annotate(shared=shared)
        .filter(shared__gt=0)
        .order_by("-shared", F("profile__updated_at").desc(), "pk")
        .values_list("pk", "shared")[:limit]
    )
    views = _people_seen(member, [pk for pk, _shared in ranked])
    return [
        MatchItem(
            object=views[pk],
            score=float(count),
            shared_topics=member.shared(views[pk].expertise),
            passage="",
            language=views[pk].bio_language if views[pk].bio else "",
        )
        for pk, count in ranked
        if pk in views
    ]


def _groups_by_topics(member: _Member, limit: int) -> list[MatchItem[Group]]:
    shared = Count("topics", filter=Q(topics__in=member.topic_ids), distinct=True)
    groups = list(
        _groups_open_to(member)
        .annotate(shared=shared)
        .filter(shared__gt=0)
        .prefetch_related("topics")
        .order_by("-shared", F("last_activity_at").desc(nulls_last=True), "name", "pk")[:limit]
    )
    return [
        MatchItem(
            object=group,
            score=float(group.shared),  # type: ignore[attr-defined]
            shared_topics=member.shared(group.topics.all()),
            passage="",
            language=group.description_language,
        )
        for group in groups
    ]
