"""Whom the organisers of an event might invite: practices on its theme and people who know about it.

An event described in German should bring up a French practice on the same problem and the practitioners
who work on it, whatever language their profile is written in. The event's vector (written in the
background, drafts included) is compared with the published practices' and with the people's at the
members' level ("person_member": only profiles members may open, built from what members may read). Each
suggestion says why: the event's topics it shares, and its passage nearest the event.

People already registered for the event (any status, a declined applicant too: the organisers know them) and
its organisers are never suggested, nor practices already on its programme. Without an encoder, or before the
event's vector is written, practices and people sharing the most of the event's topics stand in.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Count, Q

from connective.accounts.models import User
from connective.events.models import Event, Registration
from connective.events.selectors import event_vector_index
from connective.network.selectors import (
    LEVEL_MEMBERS,
    PersonView,
    person_view,
    visibilities_at,
    with_profile_data,
)
from connective.practices.models import Practice
from connective.practices.selectors import practice_vector_index
from connective.practices.similar import (
    EXTRA_CANDIDATES,
    practices_sharing_topics,
    published_in_order,
    shared_topic_names,
)
from connective.search.vectors import MATCH_MARGIN, MATCH_THRESHOLD, VectorIndex, Vectors

PEOPLE_DOMAIN = "person_member"
# How many people nearest the event by their profile's head are weighed by their passages too.
PEOPLE_CANDIDATES = 50


class _AnyMember:
    """A signed-in member who is none of the people suggested: how the organisers (members, or staff, who
    see what members see in the directory) read a suggestion, matching the index the people come from."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = None


_MEMBER = _AnyMember()


@dataclass(frozen=True)
class PracticeSuggestion:
    """A published practice (with card data) on the event's theme, and why."""

    practice: Practice
    # The meaning score; None when suggested by shared topics alone.
    score: float | None
    # The event's topics it has, named in the active language.
    shared_topics: list[str]
    # Its passage nearest the event ("" when suggested by topics alone).
    passage: str = ""


@dataclass(frozen=True)
class PersonSuggestion:
    """A person as a member sees them (`person.url` links to their profile, where one writes to them)."""

    person: PersonView
    score: float | None
    # The event's topics among the person's topics of expertise they show to members.
    shared_topics: list[str]
    passage: str = ""


@dataclass(frozen=True)
class InviteSuggestions:
    practices: list[PracticeSuggestion] = field(default_factory=list)
    people: list[PersonSuggestion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.practices or self.people)


def _already_there(event: Event) -> tuple[set[int], set[int]]:
    """(ids of the people registered or organising, ids of the practices on the programme)."""
    registered = Registration.objects.filter(event=event).values_list("user_id", flat=True).order_by()
    organisers = (
        Event.organisers.through.objects.filter(event=event).values_list("user_id", flat=True).order_by()
    )
    people = set(registered.union(organisers))
    practices = set(
        Event.practices.through.objects.filter(event=event).values_list("practice_id", flat=True).order_by()
    )
    return people, practices


def _members_may_open() -> Q:
    """People whose profile a member may open (the condition of the members' index)."""
    return Q(is_active=True, deleted_at__isnull=True, profile__visibility__in=visibilities_at(LEVEL_MEMBERS))


def _people_in_order(ids: list[int], limit: int) -> list[PersonView]:
    """The people among `ids` a member may see, in that order, at most `limit` (three queries)."""
    if not ids:
        return []
    users = with_profile_data(User.objects.filter(_members_may_open(), pk__in=ids), links=False)
    found = {user.pk: user for user in users}
    people = [person_view(found[pk], _MEMBER, links=False) for pk in ids if pk in found]
    return [person for person in people if person.url is not None][:limit]


def _people_sharing_topics(
    *, topic_ids: Collection[int], exclude: Collection[int], limit: int
) -> list[PersonView]:
    """People sharing the most of `topic_ids` in the expertise they show members; most recently updated
    profiles first among equals."""
    if not topic_ids:
        return []
    shown = visibilities_at(LEVEL_MEMBERS)
    queryset = (
        User.objects.filter(_members_may_open(), profile__expertise_visibility__in=shown)
        .exclude(pk__in=list(exclude))
        .annotate(
            shared_count=Count(
                "profile__expertise", filter=Q(profile__expertise__in=list(topic_ids)), distinct=True
            )
        )
        .filter(shared_count__gt=0)
        .order_by("-shared_count", "-profile__updated_at", "-pk")
    )
    users = with_profile_data(queryset, links=False)[:limit]
    return [person_view(user, _MEMBER, links=False) for user in users]


def _by_topics(
    *, topic_ids: set[int], people_out: set[int], practices_out: set[int], limit: int
) -> InviteSuggestions:
    practices = practices_sharing_topics(topic_ids=topic_ids, exclude=practices_out, limit=limit)
    people = _people_sharing_topics(topic_ids=topic_ids, exclude=people_out, limit=limit)
    return InviteSuggestions(
        practices=[
            PracticeSuggestion(practice, None, shared_topic_names(practice.topics.all(), topic_ids))
            for practice in practices
        ],
        people=[
            PersonSuggestion(person, None, shared_topic_names(person.expertise, topic_ids))
            for person in people
        ],
    )


def _practices_by_meaning(
    vector: Vectors, language: str, *, topic_ids: set[int], exclude: set[int], limit: int
) -> list[PracticeSuggestion]:
    vectors = practice_vector_index()
    scores = vectors.compare(vector, language=language)
    if scores is None:
        return []
    matches = scores.best(
        limit=limit + EXTRA_CANDIDATES, minimum=MATCH_THRESHOLD, margin=MATCH_MARGIN, exclude=exclude
    )
    by_id = {match.id: match.score for match in matches}
    practices = published_in_order(matches, limit=limit)
    passages = vectors.passages(vector, [practice.pk for practice in practices])
    return [
        PracticeSuggestion(
            practice=practice,
            score=by_id[practice.pk],
            shared_topics=shared_topic_names(practice.topics.all(), topic_ids),
            passage=passages[practice.pk].text if practice.pk in passages else "",
        )
        for practice in practices
    ]


def _people_by_meaning(
    vector: Vectors, language: str, *, topic_ids: set[int], exclude: set[int], limit: int
) -> list[PersonSuggestion]:
    """People nearest the event: the nearest heads, re-ranked by their best passage where that is nearer.

    A profile's head is mostly its name and its topics named in six languages, so its vector says little of
    what the person does: a flood hydrologist's and a gardener's scored alike against a flood-warning event
    (0.22 and 0.27), where their best lines (the biography, the position) told them apart (0.53 and 0.18).
    Passage scores are plain cosines, head scores corrected for each language's pull; both run on the same
    scale, and the floor and margin apply to the better of the two.
    """
    vectors = VectorIndex(PEOPLE_DOMAIN)
    scores = vectors.compare(vector, language=language)
    if scores is None:
        return []
    candidates = scores.best(limit=PEOPLE_CANDIDATES, exclude=exclude)
    passages = vectors.passages(vector, [match.id for match in candidates])
    best = {
        match.id: max(match.score, passages[match.id].score) if match.id in passages else match.score
        for match in candidates
    }
    ranked = sorted(best, key=lambda user_id: -best[user_id])
    if not ranked:
        return []
    floor = max(MATCH_THRESHOLD, best[ranked[0]] - MATCH_MARGIN)
    kept = [user_id for user_id in ranked if best[user_id] >= floor][: limit + EXTRA_CANDIDATES]
    return [
        PersonSuggestion(
            person=person,
            score=best[person.user_id],
            shared_topics=shared_topic_names(person.expertise, topic_ids),
            passage=passages[person.user_id].text if person.user_id in passages else "",
        )
        for person in _people_in_order(kept, limit)
    ]


def invite_suggestions(*, event: Event, limit: int = 6) -> InviteSuggestions:
    """Published practices and people on the event's theme, best first, each with why; at most `limit` each.

    For the event's organisers and programme staff (the caller checks). Queries: at most 14 with the encoder
    (those already there: 2, the event's topics, its vector, each index's version, the practices with topics
    and images, the people with profiles, expertise and languages, the passages of each; one more per index
    whose table is reloaded), 9 without.
    """
    people_out, practices_out = _already_there(event)
    topic_ids = set(event.topics.values_list("pk", flat=True))
    found = event_vector_index().record_vector(event.pk)
    if found is None:
        return _by_topics(
            topic_ids=topic_ids, people_out=people_out, practices_out=practices_out, limit=limit
        )
    vector, language = found
    return InviteSuggestions(
        practices=_practices_by_meaning(
            vector, language, topic_ids=topic_ids, exclude=practices_out, limit=limit
        ),
        people=_people_by_meaning(vector, language, topic_ids=topic_ids, exclude=people_out, limit=limit),
    )
