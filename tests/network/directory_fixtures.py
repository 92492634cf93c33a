"""People and organisations for the directory tests, indexed as the tasks would index them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.test import Client

from connective.core.models import City, Topic
from connective.network.models import Organisation, ProfileLanguage, Visibility
from connective.network.search import index_organisation, index_person
from tests.factories import OrganisationFactory, ProfileFactory, UserFactory


def person(
    first_name: str,
    last_name: str,
    *,
    visibility: str = Visibility.PUBLIC,
    position: str = "",
    organisation: Organisation | None = None,
    city: City | None = None,
    actor_type: str = "",
    expertise: Sequence[str] = (),
    languages: Sequence[tuple[str, str]] = (),
    bio: str = "",
    bio_language: str = "en",
    **visibilities: str,
) -> Any:
    """A member with a profile, indexed. visibilities: e.g. bio_visibility=Visibility.PUBLIC."""
    user = UserFactory(
        first_name=first_name,
        last_name=last_name,
        position=position,
        organisation=organisation,
        city=city,
        country=city.country if city else None,
    )
    profile = ProfileFactory(
        user=user,
        visibility=visibility,
        actor_type=actor_type,
        bio=bio,
        bio_language=bio_language,
        **visibilities,
    )
    profile.expertise.set(Topic.objects.filter(slug__in=expertise))
    for code, level in languages:
        ProfileLanguage.objects.create(profile=profile, language=code, level=level)
    index_person(user.pk)
    return user


def organisation(**kwargs: Any) -> Organisation:
    found = OrganisationFactory(**kwargs)
    index_organisation(found.pk)
    return found


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
