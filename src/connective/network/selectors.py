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


def person_view(user: Any, viewer: Any, *, brief: bool = False) -> PersonView:
    """The person as `viewer` may see them. `user.profile` should be prefetched with `with_profile_data`.

    A former member (deleted account) is a name only. A member without a profile, or whose profile the
    viewer may not open, is a name without a link. `brief`: the name, link, photo, position, organisation and
    place only, for a mention on another page (needs only `profile`, `organisation`, `city`, `country`).
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
        links=list(profile.links.all()) if shows("links") and not brief else [],
    )


def with_profile_data(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Users with everything `person_view` reads, in a fixed number of queries."""
    return queryset.select_related("profile", "organisation", "city", "country").prefetch_related(
        "profile__expertise",
        Prefetch("profile__languages", queryset=ProfileLanguage.objects.order_by("id")),
        Prefetch("profile__links", queryset=ProfileLink.objects.order_by("position", "id")),
    )


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
