"""Organisation and city pages: who and what they list, to whom, in bounded queries; and their sitemaps."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connective.core.models import City
from connective.network.models import Organisation, OrganisationType, Visibility
from connective.practices.models import PracticeStatus
from tests.factories import OrganisationFactory, PracticeFactory, ProfileFactory, UserFactory, city

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def person_in(
    *,
    name: str,
    slug: str,
    organisation: Organisation | None = None,
    place: City | None = None,
    visibility: str = Visibility.PUBLIC,
    **field_visibility: str,
) -> Any:
    first, last = name.split()
    user = UserFactory(
        first_name=first,
        last_name=last,
        organisation=organisation,
        city=place,
        country=place.country if place else None,
    )
    ProfileFactory(user=user, slug=slug, visibility=visibility, **field_visibility)
    return user


@pytest.fixture
def leipzig(db: Any) -> City:
    return city("Leipzig", "DE")


@pytest.fixture
def utility(leipzig: City) -> Organisation:
    return OrganisationFactory(
        name="Stadtwerke Leipzig",
        slug="stadtwerke-leipzig",
        type=OrganisationType.MUNICIPAL_COMPANY,
        city=leipzig,
        website="https://www.l.de/stadtwerke",
        description="Die Stadtwerke versorgen Leipzig mit Strom, Wärme und Wasser.",
        description_language="de",
    )


def organisation_page(organisation: Organisation, viewer: Any = None, query: str = "") -> Any:
    return client_for(viewer).get(reverse("network:organisation", kwargs={"slug": organisation.slug}) + query)


def city_page(place: City, viewer: Any = None, query: str = "") -> Any:
    return client_for(viewer).get(reverse("network:city", kwargs={"geoname_id": place.geoname_id}) + query)


# --- Organisation page ------------------------------------------------------------------------------------


def test_organisation_page_shows_what_the_organisation_is(utility: Organisation, leipzig: City) -> None:
    utility.verified_at = timezone.now()
    utility.save()
    response = organisation_page(utility)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 id="organisation-name">Stadtwerke Leipzig</h1>' in content
    assert "Municipal company" in content
    assert (
        '<span class="status" title="The programme team confirmed that this organisation exists.">Verified</span>'
        in content
    )
    assert f'<a href="/en/cities/{leipzig.geoname_id}/">Leipzig</a>, Germany' in content
    assert '<a href="https://www.l.de/stadtwerke" rel="nofollow noopener noreferrer">Website</a>' in content
    assert '<div class="section-text" lang="de" dir="ltr"><p>Die Stadtwerke versorgen' in content


def test_organisation_page_without_verification_or_logo_shows_neither(utility: Organisation) -> None:
    content = organisation_page(utility).content.decode()
    assert ">Verified</span>" not in content
    assert '<svg class="logo" width="96" height="96"' in content


def test_organisation_page_does_not_link_a_website_that_is_not_a_web_address(utility: Organisation) -> None:
    Organisation.objects.filter(pk=utility.pk).update(website="javascript:alert(1)")
    content = organisation_page(utility).content.decode()
    assert "javascript:" not in content


def test_organisation_page_is_404_for_an_unknown_address(db: Any) -> None:
    assert client_for(None).get("/en/organisations/no-such-organisation/").status_code == 404


def test_organisation_page_lists_members_who_show_their_organisation_to_the_viewer(
    utility: Organisation, member: Any
) -> None:
    person_in(name="Public Person", slug="public-person", organisation=utility)
    person_in(
        name="Members Person",
        slug="members-person",
        organisation=utility,
        organisation_visibility=Visibility.MEMBERS,
    )
    person_in(
        name="Quiet Person",
        slug="quiet-person",
        organisation=utility,
        organisation_visibility=Visibility.HIDDEN,
    )
    person_in(
        name="Hidden Profile", slug="hidden-profile", organisation=utility, visibility=Visibility.HIDDEN
    )
    person_in(name="Elsewhere Person", slug="elsewhere-person", organisation=OrganisationFactory())

    for_visitor = organisation_page(utility).content.decode()
    assert '<a href="/en/people/public-person/">Public Person</a>' in for_visitor
    for absent in ("Members Person", "Quiet Person", "Hidden Profile", "Elsewhere Person"):
        assert absent not in for_visitor

    for_member = organisation_page(utility, member).content.decode()
    assert '<a href="/en/people/public-person/">Public Person</a>' in for_member
    assert '<a href="/en/people/members-person/">Members Person</a>' in for_member
    for absent in ("Quiet Person", "Hidden Profile", "Elsewhere Person"):
        assert absent not in for_member


def test_organisation_page_shows_a_member_their_own_hidden_membership(utility: Organisation) -> None:
    me = person_in(
        name="Quiet Person",
        slug="quiet-person",
        organisation=utility,
        organisation_visibility=Visibility.HIDDEN,
    )
    assert "Quiet Person" in organisation_page(utility, me).content.decode()


def test_organisation_page_pages_members_by_20(utility: Organisation) -> None:
    for number in range(23):
        person_in(name=f"Person {number:02d}x", slug=f"person-{number}", organisation=utility)
    first = organisation_page(utility).content.decode()
    assert first.count('href="/en/people/person-') == 20
    assert 'href="?members=2" rel="next"' in first
    second = organisation_page(utility, query="?members=2").content.decode()
    assert second.count('href="/en/people/person-') == 3


def test_organisation_page_lists_published_practices_it_leads_or_partners_in(utility: Organisation) -> None:
    PracticeFactory(title="District heating from waste heat", lead_organisation=utility)
    partnered = PracticeFactory(title="Solar roofs on schools")
    partnered.partners.set([utility])
    partnered.save()
    PracticeFactory(
        title="Draft water meters", lead_organisation=utility, status=PracticeStatus.DRAFT, published_at=None
    )
    PracticeFactory(title="Other city's buses", lead_organisation=OrganisationFactory())
    content = organisation_page(utility).content.decode()
    assert ">District heating from waste heat</a>" in content
    assert ">Solar roofs on schools</a>" in content
    assert '<span class="relation">lead organisation</span>' in content
    assert '<span class="relation">partner</span>' in content
    assert "Draft water meters" not in content
    assert "Other city" not in content


def test_organisation_page_query_count_is_bounded(
    utility: Organisation, member: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(25):
        person_in(name=f"Person {number:02d}x", slug=f"person-{number}", organisation=utility)
        practice = PracticeFactory(lead_organisation=utility if number % 2 else None)
        practice.partners.set([utility])
        practice.save()
    client = client_for(member)
    url = reverse("network:organisation", kwargs={"slug": utility.slug})
    client.get(url)
    # Measured: 10 = the viewer, the organisation, members (count, page, 3 prefetches), practices (count,
    # page) and the viewer's follows.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_organisation_network_links_partner_organisations_and_people(utility: Organisation) -> None:
    partner = OrganisationFactory(name="Leipzig University", slug="leipzig-university")
    contact = person_in(name="Amina Diallo", slug="amina-diallo")
    practice = PracticeFactory(
        title="District heating from waste heat", lead_organisation=utility, contact=contact
    )
    practice.partners.set([partner])
    practice.save()
    response = client_for(None).get(reverse("network:organisation_network", kwargs={"slug": utility.slug}))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/en/organisations/leipzig-university/">Leipzig University</a>' in content
    assert '<a href="/en/people/amina-diallo/">Amina Diallo</a>' in content
    assert '<a href="/en/organisations/stadtwerke-leipzig/">Stadtwerke Leipzig</a>' not in content


# --- City page --------------------------------------------------------------------------------------------


def test_city_page_shows_the_city_with_a_map(leipzig: City) -> None:
    response = city_page(leipzig)
    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 id="city-name">Leipzig</h1>' in content
    assert "<dt>Country</dt><dd>Germany</dd>" in content
    assert "<dt>Region</dt><dd>Europe</dd>" in content
    assert f"<dt>Population</dt><dd>{leipzig.population:,}</dd>" in content
    assert 'href="/static/core/land.png"' in content
    assert "Leipzig, Germany, marked on a map" in content


def test_city_page_is_404_for_an_unknown_geonames_id(db: Any) -> None:
    assert client_for(None).get("/en/cities/999999999/").status_code == 404


def test_city_page_without_activity_renders_but_is_not_indexed(leipzig: City) -> None:
    response = city_page(leipzig)
    assert response.status_code == 200
    assert '<meta name="robots" content="noindex">' in response.content.decode()


@pytest.mark.parametrize("activity", ["practice", "organisation", "person"])
def test_city_page_with_activity_is_indexed(activity: str, leipzig: City) -> None:
    if activity == "practice":
        PracticeFactory(city=leipzig)
    elif activity == "organisation":
        OrganisationFactory(city=leipzig)
    else:
        person_in(name="Public Person", slug="public-person", place=leipzig)
    assert '<meta name="robots" content="noindex">' not in city_page(leipzig).content.decode()


def test_city_page_lists_people_who_show_their_city_to_the_viewer(leipzig: City, member: Any) -> None:
    person_in(name="Public Person", slug="public-person", place=leipzig)
    person_in(
        name="Members Person", slug="members-person", place=leipzig, place_visibility=Visibility.MEMBERS
    )
    person_in(name="Quiet Person", slug="quiet-person", place=leipzig, place_visibility=Visibility.HIDDEN)
    person_in(name="Hidden Profile", slug="hidden-profile", place=leipzig, visibility=Visibility.HIDDEN)
    for_visitor = city_page(leipzig).content.decode()
    assert '<a href="/en/people/public-person/">Public Person</a>' in for_visitor
    for absent in ("Members Person", "Quiet Person", "Hidden Profile"):
        assert absent not in for_visitor
    for_member = city_page(leipzig, member).content.decode()
    assert '<a href="/en/people/members-person/">Members Person</a>' in for_member
    for absent in ("Quiet Person", "Hidden Profile"):
        assert absent not in for_member


def test_city_page_with_only_a_hidden_person_is_not_indexed(leipzig: City) -> None:
    person_in(name="Quiet Person", slug="quiet-person", place=leipzig, place_visibility=Visibility.MEMBERS)
    assert '<meta name="robots" content="noindex">' in city_page(leipzig).content.decode()


def test_city_page_lists_organisations_and_published_practices(leipzig: City, utility: Organisation) -> None:
    PracticeFactory(title="Leipzig tram priority", city=leipzig)
    PracticeFactory(title="Leipzig draft", city=leipzig, status=PracticeStatus.DRAFT, published_at=None)
    PracticeFactory(title="Dresden bridges", city=city("Dresden", "DE"))
    content = city_page(leipzig).content.decode()
    assert '<a href="/en/organisations/stadtwerke-leipzig/">Stadtwerke Leipzig</a>' in content
    assert ">Leipzig tram priority</a>" in content
    assert "Leipzig draft" not in content
    assert "Dresden bridges" not in content


def test_city_page_shows_20_practices_and_links_to_the_filtered_list(leipzig: City) -> None:
    for number in range(23):
        PracticeFactory(title=f"Leipzig practice {number:02d}", city=leipzig)
    content = city_page(leipzig).content.decode()
    assert content.count(">Leipzig practice ") == 20
    assert f'<a href="/en/practices/?city={leipzig.pk}">See all 23 practices in Leipzig</a>' in content


def test_city_page_query_count_is_bounded(
    leipzig: City, member: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(25):
        person_in(name=f"Person {number:02d}x", slug=f"person-{number}", place=leipzig)
        OrganisationFactory(city=leipzig)
        PracticeFactory(city=leipzig)
    client = client_for(member)
    url = reverse("network:city", kwargs={"geoname_id": leipzig.geoname_id})
    client.get(url)
    # Measured: 12 = the viewer, the city, people (count, page, 3 prefetches), organisations (count, page),
    # practices (count, page) and the viewer's follows.
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- Sitemaps ---------------------------------------------------------------------------------------------


def test_sitemap_lists_every_organisation(utility: Organisation, client: Client) -> None:
    xml = client.get("/sitemap-organisations.xml").content.decode()
    assert "/en/organisations/stadtwerke-leipzig/" in xml
    assert "/fr/organisations/stadtwerke-leipzig/" in xml


def test_sitemap_lists_only_cities_with_public_activity(leipzig: City, client: Client) -> None:
    dresden = city("Dresden", "DE")
    berlin = city("Berlin", "DE")
    munich = city("Munich", "DE")
    hamburg = city("Hamburg", "DE")
    PracticeFactory(city=leipzig)
    OrganisationFactory(city=dresden)
    person_in(name="Public Person", slug="public-person", place=berlin)
    person_in(name="Quiet Person", slug="quiet-person", place=munich, place_visibility=Visibility.MEMBERS)
    PracticeFactory(city=hamburg, status=PracticeStatus.DRAFT, published_at=None)
    xml = client.get("/sitemap-cities.xml").content.decode()
    for listed in (leipzig, dresden, berlin):
        assert f"/en/cities/{listed.geoname_id}/" in xml
    for unlisted in (munich, hamburg):
        assert f"/cities/{unlisted.geoname_id}/" not in xml
