"""The people and organisation pages of the directory: facets, shareable states, bad input, query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from connective.network.models import ActorType, LanguageLevel, OrganisationType, Visibility
from connective.practices.tasks import practice_index
from tests.factories import PracticeFactory, city
from tests.network.directory_fixtures import client_for, organisation, person

pytestmark = pytest.mark.django_db

PEOPLE_URL = "/en/people/"
ORGANISATIONS_URL = "/en/organisations/"


@pytest.fixture
def directory(db: Any) -> dict[str, Any]:
    tunis, leipzig = city("Tunis", "TN"), city("Leipzig", "DE")
    utility = organisation(name="Tunis water utility", slug="tunis-water", city=tunis, country_id="TN")
    university = organisation(name="Leipzig University", slug="uni-leipzig", type=OrganisationType.UNIVERSITY)
    people = [
        person(
            "Nadia",
            "Benali",
            position="Head of water quality",
            organisation=utility,
            city=tunis,
            actor_type=ActorType.MUNICIPAL_COMPANY,
            expertise=["water-and-sanitation"],
            languages=[("fr", LanguageLevel.NATIVE), ("ar", LanguageLevel.NATIVE)],
            bio="Flood early warning for the medina.",
        ),
        person(
            "Jana",
            "Weber",
            position="Researcher",
            organisation=university,
            city=leipzig,
            actor_type=ActorType.SCIENCE,
            expertise=["mobility"],
            bio="Night buses. Secretword-free.",
            position_visibility=Visibility.HIDDEN,
        ),
    ]
    for n in range(24):
        people.append(person("Member", f"Number{n:02d}", city=leipzig, expertise=["housing"]))
    practice = PracticeFactory(title="Flood warning for the medina", contact=people[1])
    practice_index.call(practice.pk)
    return {"people": people, "utility": utility, "university": university}


def test_people_page_lists_people_with_facets_and_pages(client: Client, directory: dict[str, Any]) -> None:
    response = client.get(PEOPLE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "26 people" in html
    assert html.count('<li class="card">') == 20
    assert '<a href="/en/people/' in html
    assert 'href="?topic=housing"' in html
    assert re.search(r"Housing</span> <span class=\"count\">24<", html)
    assert 'href="?page=2" rel="next"' in html
    assert "Head of water quality" in html
    # Jana Weber's position is hidden: it never reaches the page.
    assert "Researcher" not in html


def test_people_page_shows_why_each_person_was_found(client: Client, directory: dict[str, Any]) -> None:
    html = client_for(directory["people"][5]).get(PEOPLE_URL + "?q=flood").content.decode()

    assert "2 people" in html
    assert "Profile mentions “flood”" in html
    assert "Contact for 1 matching practice: “Flood warning for the medina”" in html
    assert 'aria-label="Why this person is shown"' in html


@pytest.mark.usefixtures("words_only")
def test_people_page_hides_members_only_text_from_visitors(client: Client, directory: dict[str, Any]) -> None:
    html = client.get(PEOPLE_URL + "?q=medina").content.decode()

    # The bio (members only) mentions the medina; the practice's title names it too.
    assert "1 person" in html
    assert "Jana Weber" in html
    assert "Nadia Benali" not in html
    assert "Flood early warning" not in html


def test_people_page_marks_selected_filters_and_links_to_remove_them(
    client: Client, directory: dict[str, Any]
) -> None:
    member = directory["people"][5]
    html = client_for(member).get(PEOPLE_URL + "?q=water&lang=fr&level=fluent&country=TN").content.decode()

    assert "1 person" in html
    assert '<a href="?q=water&amp;level=fluent&amp;country=TN" rel="nofollow" aria-current="true">' in html
    assert "Remove Languages spoken: French" in html
    assert "Remove language level: Fluent" in html
    assert 'href="?q=water&amp;lang=fr&amp;country=TN"' in html
    assert '<option value="fluent" selected>' in html
    assert 'value="water"' in html


def test_people_page_sort_form_keeps_the_other_parameters(client: Client, directory: dict[str, Any]) -> None:
    html = client.get(PEOPLE_URL + "?q=number&topic=housing&sort=newest&page=2").content.decode()

    sort_form = html[html.index('class="sort-form"') : html.index("</form>", html.index('class="sort-form"'))]
    assert '<input type="hidden" name="q" value="number">' in sort_form
    assert '<input type="hidden" name="topic" value="housing">' in sort_form
    assert 'name="page"' not in sort_form
    assert '<option value="newest" selected>' in sort_form


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("q=" + "x" * 201, "Search text can be at most 200 characters long (it has 201)."),
        ("topic=nope", "There is no topic “nope”."),
        ("actor=robot", "There is no actor type “robot”."),
        ("lang=klingon", "“klingon” is not a language code: use two letters, e.g. fr for French."),
        ("level=expert", "There is no language level “expert”: use basic, working, fluent or native."),
        ("country=XX", "There is no country with the code “XX”."),
        ("region=atlantis", "There is no region “atlantis”."),
        ("sort=best", "Sort by relevance, name or newest, not “best”."),
        ("page=0", "Pages are counted from 1."),
        ("page=two", "The page must be a number, e.g. 2."),
        ("page=3", "There is no page 3: the results fit on 2 pages."),
        ("topic=" + "&topic=".join(["housing"] * 21), "Choose at most 20 values for Expertise."),
    ],
)
def test_people_page_explains_bad_parameters(
    client: Client, directory: dict[str, Any], params: str, message: str
) -> None:
    response = client.get(f"{PEOPLE_URL}?{params}")

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html


def test_people_page_searches_on_with_the_valid_parameters(client: Client, directory: dict[str, Any]) -> None:
    response = client.get(PEOPLE_URL + "?country=XX&topic=mobility")

    assert response.status_code == 400
    assert "1 person" in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        "",
        "?q=flood",
        "?q=water&sort=name&page=1",
        "?topic=housing&country=DE&region=europe&sort=newest&page=2",
        "?actor=science&lang=fr&level=basic",
    ],
)
@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_people_page_uses_few_queries(
    directory: dict[str, Any], django_assert_max_num_queries: Any, params: str, persona: str, request: Any
) -> None:
    client = client_for(request.getfixturevalue(persona))
    # The first request of a process builds the vocabulary and the facet tables (the people's, and the
    # practices' when the text also finds people through practices).
    client.get(PEOPLE_URL + params)
    # With words, searching also reads the titles word for word and the vectors' version (search/hybrid.py).
    with django_assert_max_num_queries(11):
        response = client.get(PEOPLE_URL + params)
    assert response.status_code == 200


def test_organisation_page_lists_organisations_with_counts(client: Client, directory: dict[str, Any]) -> None:
    response = client.get(ORGANISATIONS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "2 organisations" in html
    assert '<a href="/en/organisations/tunis-water/">Tunis water utility</a>' in html
    assert "1 person · 0 practices" in html
    assert re.search(r"University or research institute</span> <span class=\"count\">1<", html)


def test_organisation_page_filters_and_searches(client: Client, directory: dict[str, Any]) -> None:
    html = client.get(ORGANISATIONS_URL + "?q=water&country=TN").content.decode()

    assert "1 organisation" in html
    assert "Tunis water utility" in html
    assert "Leipzig University" not in html
    assert "Remove Country: Tunisia" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("type=castle", "There is no organisation type “castle”."),
        ("verified=maybe", "Verified is “yes” or “no”, not “maybe”."),
        ("page=9", "There is no page 9: the results fit on 1 page."),
    ],
)
def test_organisation_page_explains_bad_parameters(
    client: Client, directory: dict[str, Any], params: str, message: str
) -> None:
    response = client.get(f"{ORGANISATIONS_URL}?{params}")

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("params", ["", "?q=water", "?type=university&verified=no&sort=newest"])
def test_organisation_page_uses_few_queries(
    client: Client, member: Any, directory: dict[str, Any], django_assert_max_num_queries: Any, params: str
) -> None:
    client.force_login(member)
    client.get(ORGANISATIONS_URL)
    with django_assert_max_num_queries(10):
        response = client.get(ORGANISATIONS_URL + params)
    assert response.status_code == 200
