"""Following people, organisations, cities and topics; the activity they produce; the "my network" feed.

A follow names its object by kind and id (models.Follow), so one table serves every kind. Following is only
offered for what the member may see: a person whose profile they may not open cannot be followed, and once a
followed person hides their profile, their activity no longer reaches the follower by name.

An activity is stored with the tags it concerns (actor, people, practice, organisation, city, topics) at the
moment it happens. Whether a member may see it is decided when the feed is read, never when it is written:
a practice unpublished since, or a profile hidden since, must not show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext

from connective.accounts.models import User
from connective.accounts.rules import is_member
from connective.core.models import City, Topic
from connective.network.models import Activity, ActivityVerb, Follow, FollowKind, Organisation
from connective.network.selectors import (
    PersonView,
    person_view,
    profiles_visible_to,
    viewer_level,
    visibilities_at,
    with_brief_profile_data,
    with_profile_data,
)
from connective.practices.models import Practice, PracticeStatus
from connective.practices.selectors import practices_public

FEED_PER_PAGE = 20
# The "my network" page lists at most this many follows of each kind, the most recent first.
FOLLOWS_LISTED = 200
# A published practice is often saved several times in a row (typo fixes, an image); one entry in the feed
# per quiet period is news, more is noise.
PRACTICE_UPDATE_QUIET = timedelta(hours=24)
# Activities that are about a person and nothing else: shown only while the viewer may open their profile.
PERSON_VERBS = frozenset({ActivityVerb.JOINED_ORGANISATION, ActivityVerb.PROFILE_UPDATED})
# Object ids are stored in a PositiveBigIntegerField; anything larger cannot name anything.
_MAX_OBJECT_ID = 2**63 - 1


# --- What can be followed ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowTarget:
    """Something a member follows or may follow, as the member may see it."""

    kind: str
    object_id: int
    name: str
    # None when there is no page to link to (a person whose profile the viewer may not open).
    url: str | None = None


def _follow_kind(kind: str) -> FollowKind:
    try:
        return FollowKind(kind)
    except ValueError:
        raise Http404("No such kind of follow.") from None


def organisation_url(organisation: Organisation) -> str | None:
    # The organisation page belongs to the directory; until it exists there is nothing to link to.
    try:
        return reverse("network:organisation", kwargs={"slug": organisation.slug})
    except NoReverseMatch:
        return None


def city_url(city: City) -> str:
    try:
        return reverse("network:city", kwargs={"geoname_id": city.geoname_id})
    except NoReverseMatch:
        # Without the directory's city page, the knowledge base's practices of the city.
        return f"{reverse('practices:list')}?{urlencode({'city': city.pk})}"


def topic_url(topic: Topic) -> str:
    return f"{reverse('practices:list')}?{urlencode({'topic': topic.slug})}"


def person_label(person: PersonView) -> str:
    """How a feed or list names a person: by name while the viewer may open their profile, else "a member"."""
    if person.url is None and not person.is_owner:
        return gettext("A member")
    return person.name


def _city_name(city: City) -> str:
    return f"{city.name}, {city.country.name}"


def follow_target_get(*, viewer: Any, kind: str, object_id: int) -> FollowTarget:
    """The thing behind (kind, object_id) as `viewer` may see it; 404 when it is unknown or hidden from them."""
    follow_kind = _follow_kind(kind)
    if not 0 < object_id <= _MAX_OBJECT_ID:
        raise Http404("Nothing to follow.")
    if follow_kind == FollowKind.PERSON:
        if not profiles_visible_to(viewer).filter(user_id=object_id).exists():
            raise Http404("No such person.")
        person = person_view(with_profile_data(User.objects.filter(pk=object_id)).get(), viewer)
        return FollowTarget(follow_kind, object_id, person.name, person.url)
    if follow_kind == FollowKind.ORGANISATION:
        organisation = Organisation.objects.filter(pk=object_id).first()
        if organisation is None:
            raise Http404("No such organisation.")
        return FollowTarget(follow_kind, object_id, organisation.name, organisation_url(organisation))
    if follow_kind == FollowKind.CITY:
        city = City.objects.select_related("country").filter(pk=object_id).first()
        if city is None:
            raise Http404("No such city.")
        return FollowTarget(follow_kind, object_id, _city_name(city), city_url(city))
    topic = Topic.objects.filter(pk=object_id).first()
    if topic is None:
        raise Http404("No such topic.")
    return FollowTarget(follow_kind, object_id, topic.name, topic_url(topic))


# --- Following -----------------------------------------------------------------------------------------


@transaction.atomic
def follow_set(*, follower: User, kind: str, object_id: int, follow: bool) -> bool:
    """Follow (or stop following) a person, organisation, city or topic; returns whether `follower` now does.

    Idempotent. Raises Http404 for an unknown kind or object, or one the follower may not see, and
    ValidationError when a member tries to follow themselves. A follow can always be dropped, even when its
    object has since become hidden: a member must be able to tidy their own list.
    """
    if not is_member(follower):
        raise PermissionDenied
    follow_kind = _follow_kind(kind)
    existing = Follow.objects.filter(follower=follower, kind=follow_kind, object_id=object_id)
    if not follow:
        if existing.exists():
            existing.delete()
            return False
        follow_target_get(viewer=follower, kind=follow_kind, object_id=object_id)
        return False
    if follow_kind == FollowKind.PERSON and object_id == follower.pk:
        raise ValidationError(gettext("You cannot follow yourself."), code="self_follow")
    follow_target_get(viewer=follower, kind=follow_kind, object_id=object_id)
    if not existing.exists():
        try:
            with transaction.atomic():
                Follow.objects.create(follower=follower, kind=follow_kind, object_id=object_id)
        except IntegrityError:
            pass  # Two requests followed at once; the other one stored it.
    return True


def follows_of(user: Any) -> dict[str, set[int]]:
    """The ids each kind of thing `user` follows (every kind present, maybe empty), in one query."""
    follows: dict[str, set[int]] = {str(kind): set() for kind in FollowKind}
    if not is_member(user):
        return follows
    for kind, object_id in Follow.objects.filter(follower=user).values_list("kind", "object_id"):
        follows.setdefault(kind, set()).add(object_id)
    return follows


@dataclass
class FollowedThings:
    """What a member follows, each kind most recently followed first, as the member may see it now."""

    people: list[FollowTarget] = field(default_factory=list)
    organisations: list[FollowTarget] = field(default_factory=list)
    cities: list[FollowTarget] = field(default_factory=list)
    topics: list[FollowTarget] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.people) + len(self.organisations) + len(self.cities) + len(self.topics)

    @property
    def truncated(self) -> bool:
        return any(
            len(listed) >= FOLLOWS_LISTED
            for listed in (self.people, self.organisations, self.cities, self.topics)
        )


def _recent_ids(viewer: Any) -> dict[str, list[int]]:
    """The ids each kind of thing the viewer follows, most recent first, at most FOLLOWS_LISTED per kind."""
    ids: dict[str, list[int]] = {str(kind): [] for kind in FollowKind}
    rows = (
        Follow.objects.filter(follower=viewer).order_by("-created_at", "-id").values_list("kind", "object_id")
    )
    for kind, object_id in rows:
        listed = ids.setdefault(kind, [])
        if len(listed) < FOLLOWS_LISTED:
            listed.append(object_id)
    return ids


def followed_things(*, viewer: Any) -> FollowedThings:
    """The lists of the "my network" page, in a fixed number of queries.

    A followed person whose profile the viewer may no longer open stays listed as "a member", so the viewer
    can still unfollow; objects deleted since are left out.
    """
    followed = FollowedThings()
    if not is_member(viewer):
        return followed
    ids = _recent_ids(viewer)
    if ids[FollowKind.PERSON]:
        users = {
            user.pk: user
            for user in with_brief_profile_data(User.objects.filter(pk__in=ids[FollowKind.PERSON]))
        }
        for user_id in ids[FollowKind.PERSON]:
            if user_id in users:
                person = person_view(users[user_id], viewer, brief=True)
                followed.people.append(
                    FollowTarget(FollowKind.PERSON, user_id, person_label(person), person.url)
                )
    if ids[FollowKind.ORGANISATION]:
        organisations = Organisation.objects.in_bulk(ids[FollowKind.ORGANISATION])
        followed.organisations = [
            FollowTarget(
                FollowKind.ORGANISATION, pk, organisations[pk].name, organisation_url(organisations[pk])
            )
            for pk in ids[FollowKind.ORGANISATION]
            if pk in organisations
        ]
    if ids[FollowKind.CITY]:
        cities = City.objects.select_related("country").in_bulk(ids[FollowKind.CITY])
        followed.cities = [
            FollowTarget(FollowKind.CITY, pk, _city_name(cities[pk]), city_url(cities[pk]))
            for pk in ids[FollowKind.CITY]
            if pk in cities
        ]
    if ids[FollowKind.TOPIC]:
        topics = Topic.objects.in_bulk(ids[FollowKind.TOPIC])
        followed.topics = [
            FollowTarget(FollowKind.TOPIC, pk, topics[pk].name, topic_url(topics[pk]))
            for pk in ids[FollowKind.TOPIC]
            if pk in topics
        ]
    return followed


def follow_suggestions(*, viewer: Any) -> list[FollowTarget]:
    """Something to start with for a member who follows nothing: the topics of their expertise, their city
    and organisation; the programme's topic clusters when their profile names none of these."""
    if not is_member(viewer):
        return []
    own = person_view(with_profile_data(User.objects.filter(pk=viewer.pk)).get(), viewer)
    suggestions = [
        FollowTarget(FollowKind.TOPIC, topic.pk, topic.name, topic_url(topic)) for topic in own.expertise
    ]
    if own.city is not None:
        city = own.city
        suggestions.append(FollowTarget(FollowKind.CITY, city.pk, _city_name(city), city_url(city)))
    if own.organisation is not None:
        organisation = own.organisation
        suggestions.append(
            FollowTarget(
                FollowKind.ORGANISATION, organisation.pk, organisation.name, organisation_url(organisation)
            )
        )
    if not suggestions:
        clusters = Topic.objects.filter(parent__isnull=True).order_by("position", "slug")
        suggestions = [
            FollowTarget(FollowKind.TOPIC, topic.pk, topic.name, topic_url(topic)) for topic in clusters
        ]
    return suggestions


# --- Activity ------------------------------------------------------------------------------------------


@transaction.atomic
def activity_record(
    *,
    verb: str,
    actor: User | None = None,
    practice: Practice | None = None,
    organisation: Organisation | None = None,
    city: City | None = None,
    topics: Iterable[Topic] = (),
    people: Iterable[User] = (),
) -> Activity:
    """Store that something happened, tagged with what it concerns, for the feeds of those who follow it.

    Call it inside the service's transaction: a change that rolls back leaves no activity behind.
    """
    activity = Activity.objects.create(
        verb=ActivityVerb(verb), actor=actor, practice=practice, organisation=organisation, city=city
    )
    topic_ids = list(dict.fromkeys(topic.pk for topic in topics))
    if topic_ids:
        activity.topics.set(topic_ids)
    people_ids = list(dict.fromkeys(person.pk for person in people if person is not None))
    if people_ids:
        activity.people.set(people_ids)
    return activity


def activity_record_for_practice(*, practice: Practice, verb: str) -> Activity | None:
    """The activity of a practice being published or updated while published; None when it is not news.

    The actor is the practice's author (not the editor who approved it): followers want to know who did the
    work. An update within PRACTICE_UPDATE_QUIET of the practice's last activity is not recorded again.
    """
    if practice.status != PracticeStatus.PUBLISHED:
        return None
    if verb == ActivityVerb.PRACTICE_UPDATED:
        since = timezone.now() - PRACTICE_UPDATE_QUIET
        if Activity.objects.filter(practice=practice, created_at__gte=since).exists():
            return None
    author = practice.author if practice.author_id else None
    contact = practice.contact if practice.contact_id else None
    return activity_record(
        verb=verb,
        actor=author,
        practice=practice,
        organisation=practice.lead_organisation if practice.lead_organisation_id else None,
        city=practice.city,
        topics=practice.topics.all(),
        people=[person for person in (contact, author) if person is not None],
    )


# --- The "my network" feed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    """One activity as the viewer may see it now."""

    id: int
    verb: str
    verb_label: str
    created_at: datetime
    # Who or what the sentence is about: the actor, or the organisation for "was verified".
    subject_name: str
    subject_url: str | None
    practice: Practice | None
    organisation: Organisation | None
    organisation_url: str | None
    city: City | None
    topics: list[Topic]
    # The names of the followed things that brought the activity here ("because you follow …").
    reasons: list[str]


def _followed_topic_ids(topic_ids: set[int]) -> set[int]:
    # Following a cluster follows its subtopics too: practices are mostly tagged with subtopics.
    if not topic_ids:
        return set()
    return set(
        Topic.objects.filter(Q(pk__in=topic_ids) | Q(parent_id__in=topic_ids)).values_list("pk", flat=True)
    )


def _feed_queryset(
    *, viewer: Any, people: set[int], organisations: set[int], cities: set[int], topics: set[int]
) -> QuerySet[Activity]:
    matches = Q()
    if people:
        matches |= Q(actor_id__in=people) | Q(
            pk__in=Activity.people.through.objects.filter(user_id__in=people).values("activity_id")
        )
    if organisations:
        matches |= Q(organisation_id__in=organisations)
    if cities:
        matches |= Q(city_id__in=cities)
    if topics:
        matches |= Q(pk__in=Activity.topics.through.objects.filter(topic_id__in=topics).values("activity_id"))
    if not matches:
        return Activity.objects.none()
    visible_people = profiles_visible_to(viewer).values("user_id")
    return (
        Activity.objects.filter(matches)
        # Decided now, not when the activity was stored: a practice unpublished since is not shown, and
        # news about a person only while the viewer may open their profile.
        .filter(Q(practice__isnull=True) | Q(practice_id__in=practices_public().values("pk")))
        .filter(~Q(verb__in=PERSON_VERBS) | Q(actor_id__in=visible_people))
        # "Joined an organisation" tells where someone works: only while they show their organisation to
        # the viewer and still work there.
        .filter(
            ~Q(verb=ActivityVerb.JOINED_ORGANISATION)
            | Q(actor_id=viewer.pk)
            | Q(
                actor__profile__organisation_visibility__in=visibilities_at(viewer_level(viewer)),
                actor__organisation_id=F("organisation_id"),
            )
        )
        .select_related("practice__city__country", "organisation", "city__country")
        .prefetch_related(
            Prefetch("topics", queryset=Topic.objects.order_by("position", "slug")),
            # A feed names people and links them: the brief view is all it needs.
            Prefetch("actor", queryset=with_brief_profile_data(User.objects.all())),
            Prefetch("people", queryset=with_brief_profile_data(User.objects.all())),
        )
        .order_by("-created_at", "-id")
    )


def _feed_item(
    activity: Activity,
    *,
    viewer: Any,
    people: set[int],
    organisations: set[int],
    cities: set[int],
    topics: set[int],
) -> FeedItem:
    actor = person_view(activity.actor, viewer, brief=True) if activity.actor is not None else None
    organisation = activity.organisation
    if activity.verb == ActivityVerb.ORGANISATION_VERIFIED and organisation is not None:
        subject_name, subject_url = organisation.name, organisation_url(organisation)
    elif actor is not None:
        subject_name, subject_url = person_label(actor), actor.url
    else:
        subject_name, subject_url = gettext("A member"), None
    reasons: list[str] = []
    for person in [activity.actor, *activity.people.all()]:
        if person is not None and person.pk in people:
            name = person_label(person_view(person, viewer, brief=True))
            if name not in reasons:
                reasons.append(name)
    if organisation is not None and organisation.pk in organisations:
        reasons.append(organisation.name)
    if activity.city is not None and activity.city.pk in cities:
        reasons.append(activity.city.name)
    activity_topics = list(activity.topics.all())
    reasons.extend(topic.name for topic in activity_topics if topic.pk in topics)
    return FeedItem(
        id=activity.pk,
        verb=activity.verb,
        verb_label=str(ActivityVerb(activity.verb).label),
        created_at=activity.created_at,
        subject_name=subject_name,
        subject_url=subject_url,
        practice=activity.practice,
        organisation=organisation,
        organisation_url=organisation_url(organisation) if organisation is not None else None,
        city=activity.city,
        topics=activity_topics,
        reasons=reasons,
    )


def my_network_feed(*, viewer: Any, page: int) -> Page[FeedItem]:
    """A page of the activities about what `viewer` follows, newest first, each as they may see it now.

    About a dozen queries whatever the page or the number of activities. A page beyond the last gives the
    last page.
    """
    follows = follows_of(viewer)
    people: set[int] = set()
    if follows[FollowKind.PERSON]:
        # A followed person whose profile the viewer may no longer open brings nothing into the feed.
        people = set(
            profiles_visible_to(viewer)
            .filter(user_id__in=follows[FollowKind.PERSON])
            .values_list("user_id", flat=True)
        )
    organisations = follows[FollowKind.ORGANISATION]
    cities = follows[FollowKind.CITY]
    topics = _followed_topic_ids(follows[FollowKind.TOPIC])
    queryset = _feed_queryset(
        viewer=viewer, people=people, organisations=organisations, cities=cities, topics=topics
    )
    # The page carries feed items, the paginator counted activities.
    paginator: Paginator[Any] = Paginator(queryset, FEED_PER_PAGE)
    activities = paginator.get_page(page)
    items = [
        _feed_item(
            activity,
            viewer=viewer,
            people=people,
            organisations=organisations,
            cities=cities,
            topics=topics,
        )
        for activity in activities.object_list
    ]
    return Page(items, activities.number, paginator)
