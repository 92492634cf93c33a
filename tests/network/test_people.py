"""The person page and who-works-with-whom: what each viewer sees, and what never leaves the server."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from connective.core.models import Topic
from connective.network.models import (
    ActorType,
    LanguageLevel,
    Profile,
    ProfileLanguage,
    ProfileLink,
    Visibility,
)
from connective.practices.models import PracticeStatus
from tests.factories import OrganisationFactory, PracticeFactory, ProfileFactory, UserFactory, city

pytestmark = pytest.mark.django_db

POSITION = "Head of climate adaptation"
BIO = "I run the flood early-warning programme of the city."
LINK = "https://example.org/chidi-nwosu-portfolio"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def make_person(**profile_values: Any) -> Profile:
    """A person with every part of a profile filled in; visibilities as given (defaults otherwise)."""
    organisation = OrganisationFactory(name="Stadtwerke Leipzig", slug="stadtwerke-leipzig")
    user = UserFactory(
        email="chidi.private@example.org",
        first_name="Chidi",
        last_name="Nwosu",
        position=POSITION,
        organisation=organisation,
        city=city("Leipzig", "DE"),
        country=organisation.country,
    )
    values: dict[str, Any] = {
        "user": user,
        "slug": "chidi-nwosu",
        "visibility": Visibility.PUBLIC,
        "actor_type": ActorType.MUNICIPAL_ADMINISTRATION,
        "bio": BIO,
        "bio_language": "en",
    }
    values.update(profile_values)
    profile: Profile = ProfileFactory(**values)
    profile.expertise.set(Topic.objects.filter(slug="mobility"))
    ProfileLanguage.objects.create(profile=profile, language="it", level=LanguageLevel.FLUENT)
    ProfileLink.objects.create(profile=profile, url=LINK, label="Portfolio")
    return profile


def page(profile: Profile, viewer: Any) -> Any:
    return client_for(viewer).get(reverse("network:person", kwargs={"slug": profile.slug}))


# --- Visibility of the whole profile ----------------------------------------------------------------------


def test_person_page_shows_a_public_profile_to_a_visitor() -> None:
    profile = make_person()
    response = page(profile, None)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 id="person-name">Chidi Nwosu</h1>' in content
    assert POSITION in content
    assert 'href="/en/organisations/stadtwerke-leipzig/">Stadtwerke Leipzig</a>' in content
    assert f'href="/en/cities/{profile.user.city.geoname_id}/">Leipzig</a>, Germany' in content
    assert "Municipal administration" in content


@pytest.mark.parametrize("visibility", [Visibility.MEMBERS, Visibility.HIDDEN])
def test_person_page_is_404_for_a_visitor_when_the_profile_is_not_public(visibility: str) -> None:
    profile = make_person(visibility=visibility)
    response = page(profile, None)
    assert response.status_code == 404
    assert "Chidi" not in response.content.decode()


def test_person_page_shows_a_members_only_profile_to_a_member(member: Any) -> None:
    profile = make_person(visibility=Visibility.MEMBERS)
    assert page(profile, member).status_code == 200


@pytest.mark.parametrize("persona", ["member", "staff"])
def test_person_page_is_404_for_others_when_the_profile_is_hidden(persona: str, request: Any) -> None:
    profile = make_person(visibility=Visibility.HIDDEN)
    assert page(profile, request.getfixturevalue(persona)).status_code == 404


def test_person_page_shows_a_hidden_profile_to_its_owner() -> None:
    profile = make_person(visibility=Visibility.HIDDEN)
    response = page(profile, profile.user)
    assert response.status_code == 200
    assert "This is your profile with everything in it." in response.content.decode()


def test_person_page_is_404_for_a_deleted_account(member: Any) -> None:
    profile = make_person()
    profile.user.deleted_at = timezone.now()
    profile.user.save()
    assert page(profile, member).status_code == 404


def test_person_page_is_404_for_an_unknown_address() -> None:
    assert client_for(None).get("/en/people/nobody-here/").status_code == 404


# --- Visibility of each field -----------------------------------------------------------------------------


def test_person_page_leaves_members_only_fields_out_for_a_visitor() -> None:
    # Defaults: languages, biography and links are for members only.
    content = page(make_person(), None).content.decode()
    assert BIO not in content
    assert LINK not in content
    assert "Italian" not in content
    assert "Languages" not in content


@pytest.mark.parametrize("persona", ["member", "staff"])
def test_person_page_shows_members_only_fields_to_members(persona: str, request: Any) -> None:
    content = page(make_person(), request.getfixturevalue(persona)).content.decode()
    assert BIO in content
    assert f'<a href="{LINK}" rel="nofollow noopener noreferrer me">Portfolio</a>' in content
    assert '<span lang="en">Italian</span> <span class="meta">(Fluent)</span>' in content


HIDDEN_EVERYTHING = {
    f"{name}_visibility": Visibility.HIDDEN
    for name in (
        "photo",
        "position",
        "organisation",
        "place",
        "actor_type",
        "expertise",
        "languages",
        "bio",
        "links",
    )
}


@pytest.mark.parametrize("persona", ["visitor", "member", "staff"])
def test_person_page_never_shows_a_hidden_field_to_others(persona: str, request: Any) -> None:
    profile = make_person(**HIDDEN_EVERYTHING)
    response = page(profile, request.getfixturevalue(persona))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Chidi Nwosu" in content
    for secret in (
        POSITION,
        "Stadtwerke Leipzig",
        "Leipzig",
        "Municipal administration",
        BIO,
        LINK,
        "Italian",
    ):
        assert secret not in content, secret
    # Topic names also appear in the site's navigation nowhere, so their absence is meaningful.
    assert Topic.objects.get(slug="mobility").name not in content


def test_person_page_shows_hidden_fields_to_the_owner() -> None:
    profile = make_person(**HIDDEN_EVERYTHING)
    content = page(profile, profile.user).content.decode()
    for value in (POSITION, "Stadtwerke Leipzig", "Municipal administration", BIO, LINK, "Italian"):
        assert value in content, value


def test_person_page_never_shows_the_email_address(member: Any) -> None:
    content = page(make_person(), member).content.decode()
    assert "chidi.private" not in content


def test_person_page_writes_the_biography_in_its_language() -> None:
    profile = make_person(bio="أعمل في التخطيط الحضري.", bio_language="ar", bio_visibility=Visibility.PUBLIC)
    content = page(profile, None).content.decode()
    assert '<div class="section-text" lang="ar" dir="rtl"><p>أعمل في التخطيط الحضري.</p></div>' in content


# --- Photo and default avatar -----------------------------------------------------------------------------


def with_photo(profile: Profile) -> Profile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 40), (10, 120, 90)).save(buffer, format="PNG")
    profile.photo.save("face.png", ContentFile(buffer.getvalue()), save=True)
    return profile


def test_person_page_shows_the_photo_when_it_is_public() -> None:
    profile = with_photo(make_person())
    content = page(profile, None).content.decode()
    assert f'<image href="{profile.photo.url}" width="64" height="64"' in content
    assert 'role="img" aria-label="Photo of Chidi Nwosu"' in content


def test_person_page_shows_initials_instead_of_a_hidden_photo(member: Any) -> None:
    profile = with_photo(make_person(photo_visibility=Visibility.HIDDEN))
    content = page(profile, member).content.decode()
    assert profile.photo.name not in content
    assert 'aria-label="Initials of Chidi Nwosu"' in content
    assert ">CN</text>" in content


# --- Contributions and actions ----------------------------------------------------------------------------


def test_person_page_lists_published_practices_of_the_person_with_their_role(author: Any) -> None:
    profile = make_person()
    PracticeFactory(title="Flood sirens for Leipzig", contact=profile.user, author=author)
    PracticeFactory(title="Tree planting by schools", author=profile.user, contact=author)
    PracticeFactory(
        title="Unpublished bike lanes",
        contact=profile.user,
        status=PracticeStatus.SUBMITTED,
        published_at=None,
    )
    PracticeFactory(title="Someone else's practice", contact=author, author=author)
    content = page(profile, None).content.decode()
    assert ">Flood sirens for Leipzig</a>" in content
    assert ">Tree planting by schools</a>" in content
    assert '<span class="relation">contact person</span>' in content
    assert '<span class="relation">author</span>' in content
    assert "Unpublished bike lanes" not in content
    assert "Someone else" not in content


def test_person_page_pages_the_practices_by_20(author: Any) -> None:
    profile = make_person()
    for number in range(21):
        PracticeFactory(title=f"Practice {number:02d} of Chidi", contact=profile.user, author=author)
    first = page(profile, None).content.decode()
    assert first.count(" of Chidi</a>") == 20
    assert "Page 1 of 2" in first
    second = client_for(None).get(reverse("network:person", kwargs={"slug": profile.slug}) + "?page=2")
    assert second.content.decode().count(" of Chidi</a>") == 1


def test_person_page_offers_a_message_link_to_other_members(member: Any) -> None:
    profile = make_person()
    content = page(profile, member).content.decode()
    assert '<a class="button" href="/en/people/chidi-nwosu/write/">Write a message</a>' in content


def test_person_page_does_not_offer_the_owner_a_message_to_themselves() -> None:
    profile = make_person()
    content = page(profile, profile.user).content.decode()
    assert "Write a message" not in content
    assert 'href="/en/profile/edit/"' in content


def test_person_page_asks_a_visitor_to_sign_in_before_writing() -> None:
    content = page(make_person(), None).content.decode()
    assert "Write a message" not in content
    assert "Sign in to write a message" in content


def test_person_page_query_count_is_bounded(
    author: Any, member: Any, django_assert_max_num_queries: Any
) -> None:
    profile = make_person()
    for _number in range(25):
        PracticeFactory(contact=profile.user, author=author)
    client = client_for(member)
    url = reverse("network:person", kwargs={"slug": profile.slug})
    client.get(url)
    # Measured: 9 = the viewer, the profile lookup, the person with 3 prefetches (topics, languages, links),
    # the practice count and page, and the viewer's follows (the follow button).
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


# --- Who works with whom ----------------------------------------------------------------------------------


def network_page(profile: Profile, viewer: Any) -> Any:
    return client_for(viewer).get(reverse("network:person_network", kwargs={"slug": profile.slug}))


def test_person_network_names_people_and_organisations_with_the_linking_practice() -> None:
    profile = make_person()
    colleague = ProfileFactory(user=UserFactory(first_name="Amina", last_name="Diallo"), slug="amina-diallo")
    lead = OrganisationFactory(name="City of Dakar")
    partner = OrganisationFactory(name="Dakar University")
    practice = PracticeFactory(
        title="Shared flood maps", contact=profile.user, author=colleague.user, lead_organisation=lead
    )
    practice.partners.set([partner])
    practice.save()
    response = network_page(profile, None)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<a href="/en/people/amina-diallo/">Amina Diallo</a>' in content
    assert f'<a href="/en/organisations/{lead.slug}/">City of Dakar</a>' in content
    assert f'<a href="/en/organisations/{partner.slug}/">Dakar University</a>' in content
    assert content.count(">Shared flood maps</a>") == 3
    assert '<span class="relation">author</span>' in content
    assert '<span class="relation">lead organisation</span>' in content
    assert '<span class="relation">partner</span>' in content


@pytest.mark.parametrize("visibility", [Visibility.HIDDEN, Visibility.MEMBERS])
def test_person_network_leaves_out_people_the_viewer_may_not_see(visibility: str) -> None:
    profile = make_person()
    hidden = ProfileFactory(
        user=UserFactory(first_name="Secret", last_name="Colleague"),
        slug="secret-colleague",
        visibility=visibility,
    )
    PracticeFactory(title="Shared flood maps", contact=profile.user, author=hidden.user)
    content = network_page(profile, None).content.decode()
    assert "Secret" not in content
    assert "secret-colleague" not in content


def test_person_network_ignores_unpublished_practices() -> None:
    profile = make_person()
    other = ProfileFactory(user=UserFactory(first_name="Draft", last_name="Partner"), slug="draft-partner")
    PracticeFactory(contact=profile.user, author=other.user, status=PracticeStatus.DRAFT, published_at=None)
    content = network_page(profile, None).content.decode()
    assert "Draft Partner" not in content


def test_person_network_is_404_when_the_profile_is_hidden(member: Any) -> None:
    profile = make_person(visibility=Visibility.HIDDEN)
    assert network_page(profile, member).status_code == 404


def test_person_network_query_count_does_not_grow_with_practices(
    django_assert_max_num_queries: Any,
) -> None:
    profile = make_person()
    for number in range(15):
        colleague = ProfileFactory(user=UserFactory(), slug=f"colleague-{number}")
        practice = PracticeFactory(
            contact=profile.user, author=colleague.user, lead_organisation=OrganisationFactory()
        )
        practice.partners.set([OrganisationFactory(), OrganisationFactory()])
        practice.save()
    client = client_for(None)
    url = reverse("network:person_network", kwargs={"slug": profile.slug})
    client.get(url)
    # Measured: the person (profile lookup, user, 3 prefetches), the practices, their partners, and the
    # people with their profiles (user, 3 prefetches).
    with django_assert_max_num_queries(11):
        response = client.get(url)
    assert response.content.decode().count('href="/en/people/colleague-') == 15


# --- Sitemap ----------------------------------------------------------------------------------------------


def test_sitemap_lists_public_profiles_only(client: Client) -> None:
    ProfileFactory(slug="public-person", visibility=Visibility.PUBLIC)
    ProfileFactory(slug="members-person", visibility=Visibility.MEMBERS)
    ProfileFactory(slug="hidden-person", visibility=Visibility.HIDDEN)
    gone = ProfileFactory(slug="deleted-person", visibility=Visibility.PUBLIC)
    gone.user.deleted_at = timezone.now()
    gone.user.save()
    xml = client.get("/sitemap-people.xml").content.decode()
    assert "/en/people/public-person/" in xml
    assert "/ar/people/public-person/" in xml
    assert "members-person" not in xml
    assert "hidden-person" not in xml
    assert "deleted-person" not in xml
