"""Every read of people and organisations, filtered by what the viewer may see.

A profile field has a visibility (public, members, hidden: models.Visibility). Pages, the API, search, exports
and e-mails never read a profile's fields from the model: they read a `PersonView`, which `person_view()`
fills with what the viewer may see and nothing else. A hidden field is not loaded into it at all, so no
template or serializer can show it by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy

from connective.accounts.models import User
from connective.accounts.rules import is_member
from connective.core.models import City, Country, Topic
from connective.network.models import (
    ActorType,
    LanguageLevel,
    Organisation,
    Profile,
    ProfileLanguage,
    ProfileLink,
    Visibility,
)
from connective.practices.models import Practice
from connective.practices.selectors import practices_public

# What a viewer may see: a visitor sees public fields, a member also members-only ones, the owner everything.
LEVEL_PUBLIC = 0
LEVEL_MEMBERS = 1
LEVEL_OWNER = 2
_REQUIRED_LEVEL = {
    Visibility.PUBLIC: LEVEL_PUBLIC,
    Visibility.MEMBERS: LEVEL_MEMBERS,
    Visibility.HIDDEN: LEVEL_OWNER,
}


def viewer_level(viewer: Any, owner_id: int | None = None) -> int:
    """LEVEL_OWNER for the profile's owner, LEVEL_MEMBERS for any signed-in member (staff included: in the
    directory they see what members see; the back office is where they see more), LEVEL_PUBLIC otherwise."""
    if not is_member(viewer):
        return LEVEL_PUBLIC
    if owner_id is not None and viewer.pk == owner_id:
        return LEVEL_OWNER
    return LEVEL_MEMBERS


def visible_at(visibility: str, level: int) -> bool:
    return _REQUIRED_LEVEL.get(Visibility(visibility), LEVEL_OWNER) <= level


def visibilities_at(level: int) -> list[str]:
    """The visibility values a viewer at `level` may see, for filtering querysets."""
    return [str(value) for value, required in _REQUIRED_LEVEL.items() if required <= level]


@dataclass(frozen=True)
class LanguageSkill:
    code: str
    name: str
    level: str
    level_label: str


@dataclass(frozen=True)
class PersonView:
    """What one viewer may see of one person. Fields the viewer may not see are None or empty."""

    user_id: int
    name: str
    initials: str
    # None when the viewer may not open the profile (its visibility), so names show without a link.
    url: str | None
    slug: str | None
    is_owner: bool
    photo_url: str | None = None
    position: str = ""
    organisation: Organisation | None = None
    city: City | None = None
    country: Country | None = None
    actor_type: str = ""
    expertise: list[Topic] = field(default_factory=list)
    languages: list[LanguageSkill] = field(default_factory=list)
    bio: str = ""
    bio_language: str = ""
    links: list[ProfileLink] = field(default_factory=list)

    @property
    def actor_type_label(self) -> str:
        return str(ActorType(self.actor_type).label) if self.actor_type else ""


def _initials(name: str) -> str:
    parts = [part for part in name.split() if part]
    return "".join(part[0] for part in parts[:2]).upper() or "?"


def _language_name(code: str) -> str:
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return str(language.name) if language else code


def person_view(user: Any, viewer: Any, *, brief: bool = False, links: bool = True) -> PersonView:
    """The person as `viewer` may see them. `user.profile` should be prefetched with `with_profile_data`.

    A former member (deleted account) is a name only. A member without a profile, or whose profile the
    viewer may not open, is a name without a link. `brief`: the name, link, photo, position, organisation and
    place only, for a mention on another page (needs only `profile`, `organisation`, `city`, `country`).
    `links=False`: without the profile's links, for lists that do not show them (see with_profile_data).
    """
    name = user.display_name
    profile: Profile | None = getattr(user, "profile", None) if user.deleted_at is None else None
    level = viewer_level(viewer, user.pk)
    if profile is None or not visible_at(profile.visibility, level):
        return PersonView(
            user_id=user.pk,
            name=name,
            initials=_initials(name),
            url=None,
            slug=None,
            is_owner=level == LEVEL_OWNER,
        )

    def shows(part: str) -> bool:
        return visible_at(profile.field_visibility(part), level)

    return PersonView(
        user_id=user.pk,
        name=name,
        initials=_initials(name),
        url=reverse("network:person", kwargs={"slug": profile.slug}),
        slug=profile.slug,
        is_owner=level == LEVEL_OWNER,
        photo_url=profile.photo.url if profile.photo and shows("photo") else None,
        position=user.position if shows("position") else "",
        organisation=user.organisation if shows("organisation") else None,
        city=user.city if shows("place") else None,
        country=user.country if shows("place") else None,
        actor_type=profile.actor_type if shows("actor_type") else "",
        expertise=list(profile.expertise.all()) if shows("expertise") and not brief else [],
        languages=[
            LanguageSkill(
                skill.language,
                _language_name(skill.language),
                skill.level,
                str(LanguageLevel(skill.level).label),
            )
            for skill in profile.languages.all()
        ]
        if shows("languages") and not brief
        else [],
        bio=profile.bio if shows("bio") and not brief else "",
        bio_language=profile.bio_language if shows("bio") and not brief else "",
        links=list(profile.links.all()) if shows("links") and links and not brief else [],
    )


def with_profile_data(queryset: QuerySet[Any], *, links: bool = True) -> QuerySet[Any]:
    """Users with everything `person_view` reads, in a fixed number of queries (`links=False`: all but the
    profile's links, for `person_view(..., links=False)`)."""
    prefetches: list[Any] = [
        "profile__expertise",
        Prefetch("profile__languages", queryset=ProfileLanguage.objects.order_by("id")),
    ]
    if links:
        prefetches.append(Prefetch("profile__links", queryset=ProfileLink.objects.order_by("position", "id")))
    return queryset.select_related("profile", "organisation", "city", "country").prefetch_related(*prefetches)


def with_brief_profile_data(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Users with what `person_view(..., brief=True)` reads, in the same query."""
    return queryset.select_related("profile", "organisation", "city", "country")


def profiles_visible_to(viewer: Any) -> QuerySet[Profile]:
    """Profiles the viewer may open: public ones, members-only ones for members, and the viewer's own."""
    level = viewer_level(viewer)
    visible = Q(visibility__in=visibilities_at(level), user__is_active=True, user__deleted_at__isnull=True)
    if level >= LEVEL_MEMBERS:
        visible |= Q(user=viewer)
    return Profile.objects.filter(visible)


def person_get_visible(*, viewer: Any, slug: str) -> PersonView:
    """The person behind a profile address as the viewer may see them, or 404."""
    from connective.accounts.models import User

    profile = profiles_visible_to(viewer).filter(slug=slug).values_list("user_id", flat=True).first()
    if profile is None:
        raise Http404("No such person.")
    user = with_profile_data(User.objects.filter(pk=profile)).get()
    return person_view(user, viewer)


# --- People, organisation and city pages -------------------------------------------------------------

# Who-works-with-whom reads at most this many practices of one person or organisation (the newest).
NETWORK_PRACTICE_LIMIT = 200

# How a page names someone's part in a practice.
ROLE_LABELS = {
    "contact": gettext_lazy("contact person"),
    "author": gettext_lazy("author"),
    "lead": gettext_lazy("lead organisation"),
    "partner": gettext_lazy("partner"),
}


def people_showing(viewer: Any, part: str) -> QuerySet[User]:
    """Members whose profile `viewer` may open and whose `part` (a models.PROFILE_FIELDS name) they may see."""
    level = viewer_level(viewer)
    shown = Q(**{f"profile__{part}_visibility__in": visibilities_at(level)})
    if level >= LEVEL_MEMBERS:
        shown |= Q(pk=viewer.pk)
    # The profile's conditions as a join, not `profile IN (visible profiles)`: SQLite would list every
    # visible profile first (45 ms at 50,000 people) for a page that shows twenty.
    return User.objects.filter(_user_may_be_seen(viewer, level)).filter(shown)


def _user_may_be_seen(viewer: Any, level: int) -> Q:
    """profiles_visible_to's conditions, seen from the user."""
    visible = Q(profile__visibility__in=visibilities_at(level), is_active=True, deleted_at__isnull=True)
    if level >= LEVEL_MEMBERS:
        visible |= Q(pk=viewer.pk, profile__isnull=False)
    return visible


def cities_with_activity() -> QuerySet[City]:
    """Cities a visitor finds something in: a published practice, an organisation, or a person who shows
    their city to everyone. The sitemap and search list only these; other city pages are not indexed."""
    practices = practices_public().order_by().values("city_id")
    organisations = Organisation.objects.filter(city__isnull=False).order_by().values("city_id")
    people = people_showing(None, "place").filter(city__isnull=False).order_by().values("city_id")
    return City.objects.filter(Q(pk__in=practices) | Q(pk__in=organisations) | Q(pk__in=people))


def person_practices(*, user_id: int) -> QuerySet[Practice]:
    """Published practices the person is contact person for or author of, newest first."""
    return (
        practices_public()
        .filter(Q(contact_id=user_id) | Q(author_id=user_id))
        .select_related("city", "country")
        .order_by("-published_at", "-id")
    )


def organisation_practices(*, organisation: Organisation) -> QuerySet[Practice]:
    """Published practices the organisation leads or is a partner in, newest first."""
    partner_of = Practice.partners.through.objects.filter(organisation=organisation).values("practice_id")
    return (
        practices_public()
        .filter(Q(lead_organisation=organisation) | Q(pk__in=partner_of))
        .select_related("city", "country")
        .order_by("-published_at", "-id")
    )


@dataclass
class Connection:
    """Someone linked to the page's person or organisation, with the practices that link them."""

    name: str
    person: PersonView | None = None
    organisation: Organisation | None = None
    # (practice, the role of this person or organisation in it)
    via: list[tuple[Practice, str]] = field(default_factory=list)


@dataclass
class Network:
    people: list[Connection]
    organisations: list[Connection]
    # True when only the newest NETWORK_PRACTICE_LIMIT practices were read.
    truncated: bool


def network_of(
    practices: QuerySet[Practice],
    viewer: Any,
    *,
    user_id: int | None = None,
    organisation_id: int | None = None,
) -> Network:
    """Who shares a practice with the person `user_id` or the organisation `organisation_id`.

    Bounded: the practices (with lead organisation, contact and author), their partners, and the people
    with everything person_view reads; whatever the number of practices up to NETWORK_PRACTICE_LIMIT.
    """
    rows = list(
        practices.select_related("lead_organisation").prefetch_related("partners")[
            : NETWORK_PRACTICE_LIMIT + 1
        ]
    )
    truncated = len(rows) > NETWORK_PRACTICE_LIMIT
    rows = rows[:NETWORK_PRACTICE_LIMIT]
    people: dict[int, list[tuple[Practice, str]]] = {}
    organisations: dict[int, Connection] = {}
    for practice in rows:
        for role, other in (("contact", practice.contact_id), ("author", practice.author_id)):
            if other is not None and other != user_id:
                people.setdefault(other, []).append((practice, str(ROLE_LABELS[role])))
        linked = [("lead", practice.lead_organisation)] if practice.lead_organisation else []
        linked += [("partner", partner) for partner in practice.partners.all()]
        for role, organisation in linked:
            if organisation is None or organisation.pk == organisation_id:
                continue
            entry = organisations.setdefault(
                organisation.pk, Connection(name=organisation.name, organisation=organisation)
            )
            entry.via.append((practice, str(ROLE_LABELS[role])))
    person_entries: list[Connection] = []
    if people:
        users = with_profile_data(User.objects.filter(pk__in=list(people)))
        for user in users:
            view = person_view(user, viewer)
            # Someone whose profile the viewer may not open is left out: naming them here would tell who
            # they work with.
            if view.url is None:
                continue
            person_entries.append(Connection(name=view.name, person=view, via=_merged(people[user.pk])))
    person_entries.sort(key=lambda entry: entry.name.casefold())
    organisation_entries = sorted(organisations.values(), key=lambda entry: entry.name.casefold())
    for entry in organisation_entries:
        entry.via = _merged(entry.via)
    return Network(people=person_entries, organisations=organisation_entries, truncated=truncated)


def _merged(via: list[tuple[Practice, str]]) -> list[tuple[Practice, str]]:
    """One line per practice, with every role in it ("contact person, author")."""
    roles: dict[int, tuple[Practice, list[str]]] = {}
    for practice, role in via:
        entry = roles.setdefault(practice.pk, (practice, []))
        if role not in entry[1]:
            entry[1].append(role)
    return [(practice, ", ".join(names)) for practice, names in roles.values()]
