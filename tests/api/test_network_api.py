"""The directory API: people, organisations and cities, each as the caller may see them."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client
from django.utils import timezone

from connective.network.models import ActorType, LanguageLevel, OrganisationType, ProfileLink, Visibility
from connective.practices.tasks import practice_index
from tests.factories import PracticeFactory, city
from tests.network.directory_fixtures import client_for, organisation, person

pytestmark = pytest.mark.django_db

PEOPLE_URL = "/api/v1/people/"
ORGANISATIONS_URL = "/api/v1/organisations/"
CITIES_URL = "/api/v1/cities/"


@pytest.fixture
def nadia(db: Any) -> Any:
    tunis = city("Tunis", "TN")
    utility = organisation(name="Tunis water utility", slug="tunis-water", city=tunis, country_id="TN")
    user = person(
        "Nadia",
        "Benali",
        position="Head of water quality",
        organisation=utility,
        city=tunis,
        actor_type=ActorType.MUNICIPAL_COMPANY,
        expertise=["water-and-sanitation"],
        languages=[("fr", LanguageLevel.NATIVE)],
        bio="Membersonlyword flood early warning.",
        bio_language="fr",
        position_visibility=Visibility.HIDDEN,
    )
    user.profile.slug = "nadia-benali"
    user.profile.save()
    ProfileLink.objects.create(profile=user.profile, url="https://example.org/nadia", label="Blog")
    return user


# --- People -------------------------------------------------------------------------------------------------


def test_people_list_gives_a_visitor_public_fields_only(nadia: Any) -> None:
    response = Client().get(PEOPLE_URL)

    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["page"], data["num_pages"], data["next"], data["previous"], data["sort"]) == (
        1,
        1,
        1,
        None,
        None,
        "name",
    )
    tunis = nadia.city
    assert data["results"] == [
        {
            "slug": "nadia-benali",
            "name": "Nadia Benali",
            "url": "http://testserver/en/people/nadia-benali/",
            "photo_url": None,
            "position": None,
            "organisation": {
                "slug": "tunis-water",
                "name": "Tunis water utility",
                "url": "http://testserver/en/organisations/tunis-water/",
            },
            "city": {"name": "Tunis", "geoname_id": tunis.geoname_id},
            "country": {"code": "TN", "name": "Tunisia"},
            "actor_type": "municipal_company",
            "actor_type_label": "Municipal company",
            "expertise": [{"slug": "water-and-sanitation", "name": "Water and sanitation"}],
            "reasons": [],
        }
    ]
    assert set(data["facets"]) == {"topic", "actor", "lang", "country", "region"}
    assert data["facets"]["lang"] == []
    assert data["facets"]["country"] == [
        {"value": "TN", "label": "Tunisia", "count": 1, "selected": False, "level": 0}
    ]


@pytest.mark.parametrize("url", [PEOPLE_URL, PEOPLE_URL + "nadia-benali/", PEOPLE_URL + "?q=nadia"])
@pytest.mark.parametrize("persona", ["visitor", "member", "staff"])
def test_people_api_never_sends_a_hidden_value(nadia: Any, url: str, persona: str, request: Any) -> None:
    content = client_for(request.getfixturevalue(persona)).get(url).content.decode()

    assert "Nadia Benali" in content
    assert "Head of water quality" not in content


@pytest.mark.parametrize("url", [PEOPLE_URL, PEOPLE_URL + "nadia-benali/", PEOPLE_URL + "?q=nadia"])
def test_people_api_never_sends_members_only_values_to_visitors(nadia: Any, url: str) -> None:
    content = Client().get(url).content.decode()

    assert "Membersonlyword" not in content
    assert "example.org/nadia" not in content
    assert "French" not in content


def test_person_detail_gives_a_member_members_only_fields(nadia: Any, member: Any) -> None:
    response = client_for(member).get(PEOPLE_URL + "nadia-benali/")

    assert response.status_code == 200
    data = response.json()
    assert data["bio"] == "Membersonlyword flood early warning."
    assert data["bio_language"] == "fr"
    assert data["languages"] == [{"code": "fr", "name": "French", "level": "native", "level_label": "Native"}]
    assert data["links"] == [{"url": "https://example.org/nadia", "label": "Blog"}]
    assert data["position"] is None


def test_person_detail_gives_a_visitor_nulls_for_members_only_fields(nadia: Any) -> None:
    data = Client().get(PEOPLE_URL + "nadia-benali/").json()

    assert (data["bio"], data["bio_language"], data["languages"], data["links"], data["position"]) == (
        None,
        None,
        [],
        [],
        None,
    )


def test_person_detail_gives_the_owner_everything(nadia: Any) -> None:
    data = client_for(nadia).get(PEOPLE_URL + "nadia-benali/").json()

    assert data["position"] == "Head of water quality"


@pytest.mark.parametrize(
    ("visibility", "persona", "status"),
    [
        (Visibility.MEMBERS, "visitor", 404),
        (Visibility.MEMBERS, "member", 200),
        (Visibility.HIDDEN, "member", 404),
        (Visibility.HIDDEN, "staff", 404),
    ],
)
def test_person_detail_answers_404_for_profiles_the_caller_may_not_open(
    nadia: Any, visibility: str, persona: str, status: int, request: Any
) -> None:
    nadia.profile.visibility = visibility
    nadia.profile.save()

    response = client_for(request.getfixturevalue(persona)).get(PEOPLE_URL + "nadia-benali/")

    assert response.status_code == status


def test_person_detail_of_an_unknown_slug_is_404(db: Any) -> None:
    response = Client().get(PEOPLE_URL + "nobody/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.usefixtures("words_only")
def test_people_list_searches_like_the_page(nadia: Any, member: Any) -> None:
    contact = person("Chidi", "Nwosu")
    practice_index.call(PracticeFactory(title="Flood warning", contact=contact).pk)

    public = Client().get(PEOPLE_URL + "?q=flood").json()
    members = client_for(member).get(PEOPLE_URL + "?q=flood").json()

    assert [item["name"] for item in public["results"]] == ["Chidi Nwosu"]
    assert public["results"][0]["reasons"] == [
        {"kind": "practices", "text": "Contact for 1 matching practice: “Flood warning”"}
    ]
    assert [item["name"] for item in members["results"]] == ["Nadia Benali", "Chidi Nwosu"]
    assert members["results"][0]["reasons"] == [{"kind": "profile", "text": "Profile mentions “flood”"}]
    assert members["sort"] == "relevance"


def test_people_list_filters_and_counts(nadia: Any, member: Any) -> None:
    person("Jana", "Weber", city=city("Leipzig", "DE"), languages=[("fr", LanguageLevel.BASIC)])

    data = client_for(member).get(PEOPLE_URL + "?lang=fr&level=fluent").json()

    assert [item["name"] for item in data["results"]] == ["Nadia Benali"]
    assert data["facets"]["lang"] == [
        {"value": "fr", "label": "French", "count": 1, "selected": True, "level": 0}
    ]
    assert data["facets"]["region"] == [
        {"value": "mena", "label": "Middle East and North Africa", "count": 1, "selected": False, "level": 0}
    ]


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ("topic=nope", {"topic": ["There is no topic “nope”."]}),
        (
            "lang=xx&level=great",
            {
                "lang": ["“xx” is not a language code: use two letters, e.g. fr for French."],
                "level": ["There is no language level “great”: use basic, working, fluent or native."],
            },
        ),
        ("sort=best", {"sort": ["Sort by relevance, name or newest, not “best”."]}),
        ("page=5", {"page": ["There is no page 5: the results fit on 1 page."]}),
    ],
)
def test_people_list_rejects_bad_filters(nadia: Any, params: str, errors: dict[str, list[str]]) -> None:
    response = Client().get(f"{PEOPLE_URL}?{params}")

    assert response.status_code == 400
    assert response.json() == errors


def test_people_list_pages_link_back_and_forth(db: Any) -> None:
    for n in range(45):
        person("Person", f"Number{n:02d}")

    data = Client().get(PEOPLE_URL + "?page=2").json()

    assert (data["count"], data["num_pages"]) == (45, 3)
    assert data["next"] == "http://testserver/api/v1/people/?page=3"
    assert data["previous"] == "http://testserver/api/v1/people/"
    assert data["results"][0]["name"] == "Person Number20"


@pytest.mark.parametrize(
    ("persona", "params", "shown"),
    [
        ("visitor", "", 20),
        ("visitor", "?q=water", 20),
        ("visitor", "?topic=water-and-sanitation&country=TN&sort=newest&page=2", 6),
        ("member", "?q=flood", 1),
        ("member", "?lang=fr&level=working&region=mena", 1),
    ],
)
@pytest.mark.usefixtures("words_only")
def test_people_list_uses_few_queries(
    nadia: Any, django_assert_max_num_queries: Any, persona: str, params: str, shown: int, request: Any
) -> None:
    # Words only, so that `shown` counts what the words find; the page's test covers meaning too.
    for n in range(25):
        person("Person", f"Number{n:02d}", expertise=["water-and-sanitation"], city=nadia.city)
    client = client_for(request.getfixturevalue(persona))
    client.get(PEOPLE_URL)
    # With words, searching also reads the titles word for word (search/hybrid.py).
    with django_assert_max_num_queries(11):
        response = client.get(PEOPLE_URL + params)
    assert len(response.json()["results"]) == shown


# --- Organisations ------------------------------------------------------------------------------------------


def test_organisation_list_and_detail(nadia: Any) -> None:
    verified = organisation(
        name="Leipzig University",
        slug="uni-leipzig",
        type=OrganisationType.UNIVERSITY,
        verified_at=timezone.now(),
        website="https://uni-leipzig.example",
        description="Research on cities.",
    )
    PracticeFactory(title="Night buses", lead_organisation=verified)

    data = Client().get(ORGANISATIONS_URL + "?verified=yes").json()

    assert data["count"] == 1
    assert data["results"] == [
        {
            "slug": "uni-leipzig",
            "name": "Leipzig University",
            "type": "university",
            "type_label": "University or research institute",
            "website": "https://uni-leipzig.example",
            "city": None,
            "country": {"code": "DE", "name": "Germany"},
            "verified": True,
            "people": 0,
            "practices": 1,
            "url": "http://testserver/en/organisations/uni-leipzig/",
        }
    ]
    assert set(data["facets"]) == {"type", "country", "region", "verified"}
    detail = Client().get(ORGANISATIONS_URL + "tunis-water/").json()
    assert (detail["name"], detail["people"], detail["verified_at"], detail["logo_url"]) == (
        "Tunis water utility",
        1,
        None,
        None,
    )
    assert detail["city"] == {"name": "Tunis", "geoname_id": nadia.city.geoname_id}


def test_organisation_detail_of_an_unknown_slug_is_404(db: Any) -> None:
    assert Client().get(ORGANISATIONS_URL + "nothing/").status_code == 404


def test_organisation_list_rejects_bad_filters(db: Any) -> None:
    response = Client().get(ORGANISATIONS_URL + "?type=castle&country=ZZ")

    assert response.status_code == 400
    assert response.json() == {
        "type": ["There is no organisation type “castle”."],
        "country": ["There is no country with the code “ZZ”."],
    }


def test_organisation_list_uses_few_queries(
    nadia: Any, member: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(25):
        organisation(name=f"Organisation {n}", slug=f"org-{n}")
    client = client_for(member)
    client.get(ORGANISATIONS_URL)
    with django_assert_max_num_queries(10):
        response = client.get(ORGANISATIONS_URL + "?q=organisation&country=DE")
    assert len(response.json()["results"]) == 20


# --- Cities -------------------------------------------------------------------------------------------------


@pytest.fixture
def activity(nadia: Any) -> dict[str, Any]:
    leipzig = city("Leipzig", "DE")
    PracticeFactory(title="Night buses", city=leipzig)
    PracticeFactory(title="Tram", city=leipzig)
    practice_index.call(PracticeFactory(title="Water", city=nadia.city).pk)
    person("Omar", "Haddad", city=leipzig, place_visibility=Visibility.MEMBERS)
    return {"leipzig": leipzig, "tunis": nadia.city}


def test_city_list_counts_activity_as_the_caller_may_see_it(activity: dict[str, Any], member: Any) -> None:
    public = Client().get(CITIES_URL).json()
    members = client_for(member).get(CITIES_URL).json()

    assert [(item["name"], item["counts"]) for item in public["results"]] == [
        ("Tunis", {"practices": 1, "people": 1, "organisations": 1}),
        ("Leipzig", {"practices": 2, "people": 0, "organisations": 0}),
    ]
    assert [(item["name"], item["counts"]["people"]) for item in members["results"]] == [
        ("Leipzig", 1),
        ("Tunis", 1),
    ]
    leipzig = members["results"][0]
    assert leipzig["country"] == {"code": "DE", "name": "Germany"}
    assert leipzig["region"] == {"slug": "europe", "name": "Europe"}
    assert leipzig["url"] == f"http://testserver/en/cities/{activity['leipzig'].geoname_id}/"
    assert leipzig["practices_url"] == f"http://testserver/en/practices/?city={activity['leipzig'].pk}"


def test_city_list_filters_by_country_and_region(activity: dict[str, Any]) -> None:
    assert [item["name"] for item in Client().get(CITIES_URL + "?country=TN").json()["results"]] == ["Tunis"]
    assert [item["name"] for item in Client().get(CITIES_URL + "?region=europe").json()["results"]] == [
        "Leipzig"
    ]
    assert Client().get(CITIES_URL + "?region=oceania").json()["count"] == 0


def test_city_list_rejects_bad_filters(db: Any) -> None:
    response = Client().get(CITIES_URL + "?region=atlantis&page=x")

    assert response.status_code == 400
    assert response.json() == {
        "region": ["There is no region “atlantis”."],
        "page": ["The page must be a number, e.g. 2."],
    }


def test_city_detail_gives_counts_and_404_for_unknown_cities(activity: dict[str, Any]) -> None:
    leipzig = activity["leipzig"]

    data = Client().get(f"{CITIES_URL}{leipzig.geoname_id}/").json()

    assert (data["name"], data["geoname_id"], data["counts"]) == (
        "Leipzig",
        leipzig.geoname_id,
        {"practices": 2, "people": 0, "organisations": 0},
    )
    assert Client().get(f"{CITIES_URL}999999999/").status_code == 404
    assert Client().get(f"{CITIES_URL}leipzig/").status_code == 404


def test_city_list_uses_few_queries(
    activity: dict[str, Any], member: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(member)
    client.get(CITIES_URL)
    with django_assert_max_num_queries(10):
        response = client.get(CITIES_URL + "?region=europe&region=mena")
    assert response.json()["count"] == 2


# --- Schema -------------------------------------------------------------------------------------------------


def test_schema_describes_the_directory_endpoints(db: Any) -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)

    assert set(schema["paths"]) >= {
        "/api/v1/people/",
        "/api/v1/people/{slug}/",
        "/api/v1/organisations/",
        "/api/v1/organisations/{slug}/",
        "/api/v1/cities/",
        "/api/v1/cities/{geoname_id}/",
    }
    people = schema["paths"]["/api/v1/people/"]["get"]
    assert {parameter["name"] for parameter in people["parameters"]} == {
        "q",
        "topic",
        "actor",
        "lang",
        "level",
        "country",
        "region",
        "sort",
        "page",
    }
    assert set(people["responses"]) == {"200", "400"}
    assert set(schema["paths"]["/api/v1/people/{slug}/"]["get"]["responses"]) == {"200", "404"}
    assert set(schema["paths"]["/api/v1/cities/{geoname_id}/"]["get"]["responses"]) == {"200", "404"}
    person_fields = schema["components"]["schemas"]["PersonDetail"]["properties"]
    assert "email" not in person_fields
    assert person_fields["bio"]["nullable"] is True
