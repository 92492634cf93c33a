"""Reads for the group pages: the list of groups, members, requests, invitations and the people to invite.

Visibility comes from selectors.py (groups_visible_to, GroupAccess); these functions only narrow and shape
what it allows, with the joins done, so each page costs a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from connective.accounts.rules import is_member
from connective.core.models import Topic
from connective.groups.models import (
    Access,
    Group,
    Invitation,
    JoinRequest,
    MemberRole,
    Membership,
    Post,
    PostStatus,
    RequestStatus,
)
from connective.groups.selectors import GroupAccess, groups_visible_to
from connective.network.models import Organisation
from connective.search.hybrid import hybrid_queryset
from connective.search.index import Document
from connective.search.text import STEMMER_LANGUAGES
from connective.search.vectors import VectorIndex

SORT_RELEVANCE = "relevance"
SORT_NAME = "name"
SORT_ACTIVE = "active"
SORT_MEMBERS = "members"
INVITE_CANDIDATE_LIMIT = 20
FEED_ENTRY_LIMIT = 50


def group_vector_index() -> VectorIndex:
    return VectorIndex("group")


def group_search(*, viewer: Any, query: Mapping[str, Any]) -> QuerySet[Group]:
    """The groups `viewer` may know exist, narrowed by the list's filters (GroupFilterForm.cleaned_data):
    q (words or a question in any language: found by the name or summary and by meaning, see
    search/hybrid.py), kind, access, region (slug), topic (slug; a cluster takes in its subtopics), language
    (ISO 639-1 code), mine (only the viewer's groups), sort (best match first by default when searching)."""
    groups = groups_visible_to(viewer).select_related("region")
    if query.get("kind"):
        groups = groups.filter(kind=query["kind"])
    if query.get("access"):
        groups = groups.filter(access=query["access"])
    if query.get("region"):
        groups = groups.filter(region__slug=query["region"])
    if query.get("topic"):
        slug = query["topic"]
        tagged = Group.topics.through.objects.filter(group_id=OuterRef("pk")).filter(
            Q(topic__slug=slug) | Q(topic__parent__slug=slug)
        )
        groups = groups.filter(Exists(tagged))
    if query.get("language"):
        # The codes are checked two-letter codes; matched with their quotes in the stored JSON list, which
        # works alike on SQLite and PostgreSQL.
        groups = groups.filter(languages__icontains=f'"{query["language"]}"')
    if query.get("mine"):
        if not is_member(viewer):
            return groups.none()
        groups = groups.filter(Exists(Membership.objects.filter(group=OuterRef("pk"), user=viewer)))
    text = (query.get("q") or "").strip()
    sort = query.get("sort") or (SORT_RELEVANCE if text else SORT_NAME)
    if sort == SORT_ACTIVE:
        groups = groups.order_by(F("last_activity_at").desc(nulls_last=True), "name", "pk")
    elif sort == SORT_MEMBERS:
        groups = groups.order_by("-member_count", "name", "pk")
    else:
        groups = groups.order_by("name", "pk")
    if not text:
        return groups
    # A contains-search is enough for a few thousand groups, and finds parts of words in any script.
    words = Q()
    for word in text.split()[:8]:
        words &= Q(name__icontains=word) | Q(summary__icontains=word)
    return hybrid_queryset(
        groups,
        vectors=group_vector_index(),
        query=text,
        words=words,
        title=Q(name__icontains=text),
        ranked=sort == SORT_RELEVANCE,
    )


def group_documents(ids: Sequence[int]) -> list[Document]:
    """What matching by meaning reads of a group: its name, summary and description (all groups: a list
    shows only those the viewer may see)."""
    groups = Group.objects.filter(pk__in=list(ids)).prefetch_related("topics").order_by("pk")
    documents = []
    for group in groups:
        language = group.description_language if group.description_language in STEMMER_LANGUAGES else "en"
        topics = [
            str(topic.names.get(language) or topic.names.get("en") or "") for topic in group.topics.all()
        ]
        documents.append(
            Document(
                id=group.pk,
                language=language,
                title=group.name,
                body="\n".join([group.summary, group.description, *topics]),
                passages=tuple(text for text in (group.summary, group.description) if text),
            )
        )
    return documents


def roles_in(*, viewer: Any, group_ids: Iterable[int]) -> dict[int, str]:
    """The viewer's role in each of these groups they belong to, in one query."""
    if not is_member(viewer):
        return {}
    return dict(
        Membership.objects.filter(user=viewer, group_id__in=list(group_ids)).values_list("group_id", "role")
    )


def invitations_pending_for(user: Any) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(invitee=user, status=RequestStatus.PENDING)
        .select_related("group", "invited_by", "organisation")
        .order_by("-created_at", "-pk")
    )


def invitation_count_for(user: Any) -> int:
    if not is_member(user):
        return 0
    return Invitation.objects.filter(invitee=user, status=RequestStatus.PENDING).count()


def members_of(access: GroupAccess) -> QuerySet[Membership]:
    """The members of a group the viewer may read, moderators first, with what person_view(brief) reads."""
    if not access.can_read:
        return Membership.objects.none()
    return (
        Membership.objects.filter(group=access.group)
        .select_related("user__profile", "user__organisation", "user__city", "user__country")
        .order_by("-role", "user__last_name", "user__first_name", "pk")
    )


def moderators_of(group: Group) -> list[Membership]:
    """Shown on the group's page to everyone who may see the group, closed groups included."""
    return list(
        Membership.objects.filter(group=group, role=MemberRole.MODERATOR)
        .select_related("user__profile", "user__organisation", "user__city", "user__country")
        .order_by("joined_at", "pk")
    )


def join_requests_pending(access: GroupAccess) -> QuerySet[JoinRequest]:
    if not access.is_moderator:
        return JoinRequest.objects.none()
    return (
        JoinRequest.objects.filter(group=access.group, status=RequestStatus.PENDING)
        .select_related("user__profile", "user__organisation", "user__city", "user__country")
        .order_by("created_at", "pk")
    )


def join_requests_waiting(access: GroupAccess) -> int:
    """How many requests to join wait for the moderators (0 for anyone else)."""
    if not access.is_moderator:
        return 0
    return JoinRequest.objects.filter(group=access.group, status=RequestStatus.PENDING).count()


def join_request_pending_of(*, viewer: Any, group: Group) -> JoinRequest | None:
    if not is_member(viewer):
        return None
    return JoinRequest.objects.filter(group=group, user=viewer, status=RequestStatus.PENDING).first()


def invitation_pending_of(*, viewer: Any, group: Group) -> Invitation | None:
    if not is_member(viewer):
        return None
    return (
        Invitation.objects.filter(group=group, invitee=viewer, status=RequestStatus.PENDING)
        .select_related("invited_by")
        .first()
    )


def invite_candidates(*, viewer: Any, access: GroupAccess, text: str) -> tuple[list[Any], list[Organisation]]:
    """People (whose profile the moderator may open, so hidden profiles are not found) and organisations
    whose name has every word of `text`; people already in the group or invited are left out."""
    from connective.accounts.models import User

    words = (text or "").split()[:5]
    if not words or not access.is_moderator:
        return [], []
    from connective.network.selectors import profiles_visible_to

    people = User.objects.filter(
        Exists(profiles_visible_to(viewer).filter(user=OuterRef("pk"))),
        is_active=True,
        deleted_at__isnull=True,
    )
    organisations = Organisation.objects.all()
    for word in words:
        people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        organisations = organisations.filter(name__icontains=word)
    people = people.exclude(
        Exists(Membership.objects.filter(group=access.group, user=OuterRef("pk")))
    ).exclude(
        Exists(
            Invitation.objects.filter(
                group=access.group, invitee=OuterRef("pk"), status=RequestStatus.PENDING
            )
        )
    )
    return (
        list(
            people.select_related("profile", "organisation", "city", "country").order_by(
                "last_name", "first_name", "pk"
            )[:INVITE_CANDIDATE_LIMIT]
        ),
        list(organisations.select_related("country").order_by("name", "pk")[:INVITE_CANDIDATE_LIMIT]),
    )


def topics_of(group: Group) -> list[Topic]:
    return list(group.topics.order_by("position", "slug"))


def feed_posts(group: Group) -> list[Post]:
    """The latest published posts of an open group, newest first (a thread's first post is the thread)."""
    if group.access != Access.OPEN:
        return []
    return list(
        Post.objects.filter(thread__group=group, status=PostStatus.PUBLISHED)
        .select_related("thread", "author")
        .order_by("-created_at", "-pk")[:FEED_ENTRY_LIMIT]
    )
