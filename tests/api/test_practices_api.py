from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from connective.core.models import SDG
from connective.practices.models import (
    LinkKind,
    PracticeDocument,
    PracticeImage,
    PracticeLink,
    PracticeRelation,
    PracticeStatus,
    RelationKind,
)
from connective.practices.tasks import practice_index
from tests.factories import OrganisationFactory, PracticeFactory, city

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/practices/"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def indexed(**kwargs: Any) -> Any:
    practice = PracticeFactory(**kwargs)
    practice_index.call(practice.pk)
    return practice


# --- List -----------------------------------------------------------------------------------------


def test_practice_list_shows_published_practices_compactly(published_practice: Any, author: Any) -> None:
    PracticeFactory(author=author, status=PracticeStatus.DRAFT, published_at=None, slug="a-draft")

    response = Client().get(LIST_URL)

    assert response.status_code == 200
    data = response.json()
    assert (data["count"], data["page"], data["num_pages"], data["next"], data["previous"]) == (
        1,
        1,
        1,
        None,
        None,
    )
    leipzig = published_practice.city
    assert data["results"] == [
        {
            "slug": published_practice.slug,
            "title": "Solar street lighting for safer streets",
            "summary": "A municipal solution that worked.",
            "language": "en",
            "city": {"name": "Leipzig", "geoname_id": leipzig.geoname_id},
            "country": {"code": "DE", "name": "Germany"},
            "region": {"slug": "europe", "name": "Europe"},
            "size": "large",
            "topics": [{"slug": "mobility", "name": "Mobility"}],
            "start_year": 2019,
            "published_at": published_practice.published_at.isoformat().replace("+00:00", "Z"),
            "url": f"http://testserver/en/practices/{published_practice.slug}/",
        }
    ]
    assert data["facets"]["country"] == [
        {"value": "DE", "label": "Germany", "count": 1, "selected": False, "level": 0}
    ]
    assert set(data["facets"]) == {"topic", "sdg", "region", "country", "size", "year", "lang"}


@pytest.mark.parametrize("persona", ["visitor", "member", "author", "editor"])
def test_practice_list_never_shows_drafts_whoever_asks(persona: str, request: Any, author: Any) -> None:
    # Search is public: the list is the same for everyone; drafts are read one by one by those who may.
    user = request.getfixturevalue(persona)
    PracticeFactory(author=author, status=PracticeStatus.DRAFT, published_at=None, slug="a-draft")
    PracticeFactory(slug="shown")

    data = client_for(user).get(LIST_URL).json()

    assert [item["slug"] for item in data["results"]] == ["shown"]


def test_practice_list_speaks_the_readers_language(published_practice: Any) -> None:
    data = Client().get(LIST_URL, headers={"accept-language": "ar"}).json()

    assert data["results"][0]["topics"] == [{"slug": "mobility", "name": "التنقل"}]
    assert data["results"][0]["url"] == f"http://testserver/ar/practices/{published_practice.slug}/"


@pytest.fixture
def catalogue(db: Any) -> dict[str, Any]:
    tunis = city("Tunis", "TN")
    return {
        "tunis": indexed(
            slug="tunis-flood",
            title="Flood warning for the medina",
            city=tunis,
            language="fr",
            start_year=2015,
            topics=["climate-adaptation"],
        ),
        "leipzig": indexed(
            slug="leipzig-bus", title="Night buses on demand", start_year=2020, topics=["mobility"]
        ),
        "amman": indexed(
            slug="amman-water",
            title="Water meters",
            city=city("Amman", "JO"),
            language="ar",
            start_year=2020,
            topics=["water-and-sanitation"],
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=flood", ["tunis-flood"]),
        ("topic=mobility", ["leipzig-bus"]),
        ("topic=municipal-services", ["amman-water", "leipzig-bus"]),  # a cluster includes its subtopics
        ("topic=mobility&topic=climate-adaptation", ["leipzig-bus", "tunis-flood"]),
        ("sdg=6", ["amman-water"]),
        ("region=mena", ["amman-water", "tunis-flood"]),
        ("country=tn", ["tunis-flood"]),
        ("size=metropolis", ["amman-water"]),
        ("year=2020", ["amman-water", "leipzig-bus"]),
        ("lang=fr&lang=ar", ["amman-water", "tunis-flood"]),
        ("region=mena&year=2020", ["amman-water"]),
    ],
)
@pytest.mark.usefixtures("words_only")
def test_practice_list_filters_like_the_browse_page(
    catalogue: dict[str, Any], query: str, expected: list[str]
) -> None:
    catalogue["amman"].sdgs.set(SDG.objects.filter(number=6))
    catalogue["amman"].save()

    data = Client().get(f"{LIST_URL}?{query}").json()

    assert sorted(item["slug"] for item in data["results"]) == expected
    assert data["count"] == len(expected)


def test_practice_list_sorts_oldest_first(catalogue: dict[str, Any]) -> None:
    data = Client().get(f"{LIST_URL}?sort=oldest").json()

    assert [item["slug"] for item in data["results"]] == ["tunis-flood", "leipzig-bus", "amman-water"]
    assert data["sort"] == "oldest"


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("topic=nope", {"topic": ["There is no topic “nope”."]}),
        ("sdg=18", {"sdg": ["There is no SDG 18: use a number from 1 to 17."]}),
        ("sdg=six", {"sdg": ["“six” is not an SDG number: use a number from 1 to 17."]}),
        ("region=atlantis", {"region": ["There is no region “atlantis”."]}),
        ("country=ZZ", {"country": ["There is no country with the code “ZZ”."]}),
        ("size=huge", {"size": ["There is no city size “huge”."]}),
        ("year=soon", {"year": ["“soon” is not a year: use four digits, e.g. 2020."]}),
        ("lang=xx", {"lang": ["There is no content language “xx”."]}),
        ("city=abc", {"city": ["The city must be given by its number."]}),
        ("sort=best", {"sort": ["Sort by relevance, newest or oldest, not “best”."]}),
        ("page=abc", {"page": ["The page must be a number, e.g. 2."]}),
        ("page=0", {"page": ["Pages are counted from 1."]}),
        ("page=5", {"page": ["There is no page 5: the results fit on 1 page."]}),
        (
            "q=" + "x" * 201,
            {
                "q": [
                    "Search text can be at most 200 characters long (it has 201). "
                    "Use a few distinctive words."
                ]
            },
        ),
        (
            "topic=nope&sdg=0",
            {
                "topic": ["There is no topic “nope”."],
                "sdg": ["There is no SDG 0: use a number from 1 to 17."],
            },
        ),
    ],
)
def test_practice_list_bad_parameter_is_400_with_messages(
    published_practice: Any, query: str, errors: dict[str, list[str]]
) -> None:
    response = Client().get(f"{LIST_URL}?{query}")

    assert response.status_code == 400
    assert response.json() == errors


def test_practice_list_paginates_by_20(db: Any) -> None:
    for number in range(45):
        PracticeFactory(slug=f"p-{number:02d}")

    first = Client().get(f"{LIST_URL}?topic=mobility").json()
    third = Client().get(f"{LIST_URL}?topic=mobility&page=3").json()

    assert (first["count"], first["num_pages"], len(first["results"])) == (45, 3, 20)
    assert first["next"] == "http://testserver/api/v1/practices/?page=2&topic=mobility"
    assert first["previous"] is None
    assert (third["page"], len(third["results"]), third["next"]) == (3, 5, None)
    assert third["previous"] == "http://testserver/api/v1/practices/?page=2&topic=mobility"
    second = Client().get(first["next"]).json()
    assert second["previous"] == "http://testserver/api/v1/practices/?topic=mobility"
    slugs = [item["slug"] for page in (first, second, third) for item in page["results"]]
    assert sorted(slugs) == [f"p-{number:02d}" for number in range(45)]


def test_practice_list_page_of_20_has_bounded_queries(db: Any, django_assert_max_num_queries: Any) -> None:
    partner = OrganisationFactory()
    for number in range(25):
        practice = PracticeFactory(slug=f"p-{number:02d}", topics=["mobility", "housing", "tourism"])
        practice.sdgs.set(SDG.objects.filter(number__in=[7, 11]))
        practice.partners.set([partner])
        practice.save()
    Client().get(LIST_URL)  # warms the vocabulary cache

    with django_assert_max_num_queries(6):
        response = Client().get(LIST_URL)

    assert len(response.json()["results"]) == 20


# --- Detail ---------------------------------------------------------------------------------------


@pytest.fixture
def draft(author: Any) -> Any:
    return PracticeFactory(author=author, status=PracticeStatus.DRAFT, published_at=None, slug="a-draft")


@pytest.mark.parametrize(
    ("persona", "status_code"), [("visitor", 404), ("member", 404), ("author", 200), ("editor", 200)]
)
def test_practice_detail_of_a_draft_is_for_its_author_and_editors(
    draft: Any, persona: str, status_code: int, request: Any
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(f"{LIST_URL}a-draft/")

    assert response.status_code == status_code
    if status_code == 200:
        assert (response.json()["slug"], response.json()["status"]) == ("a-draft", "draft")
    else:
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("persona", ["visitor", "member", "author", "editor"])
def test_practice_detail_of_a_published_practice_is_for_everyone(
    published_practice: Any, persona: str, request: Any
) -> None:
    response = client_for(request.getfixturevalue(persona)).get(f"{LIST_URL}{published_practice.slug}/")

    assert response.status_code == 200
    assert response.json()["title"] == "Solar street lighting for safer streets"


def test_practice_detail_of_an_unknown_slug_is_404(db: Any) -> None:
    assert Client().get(f"{LIST_URL}no-such-practice/").status_code == 404


@pytest.fixture
def full_practice(published_practice: Any, author: Any) -> Any:
    practice = published_practice
    lead = OrganisationFactory(slug="stadt-leipzig", name="Stadt Leipzig", website="https://www.leipzig.de/")
    practice.lead_organisation = lead
    practice.partners.set([OrganisationFactory(slug="giz", name="GIZ")])
    practice.sdgs.set(SDG.objects.filter(number__in=[7, 11]))
    practice.end_year = 2023
    practice.results = "Night-time accidents fell by a third."
    practice.save()
    image = Image.objects.create(title="Lamp", file=get_test_image_file())
    PracticeImage.objects.create(
        practice=practice, image=image, alt_text="A solar lamp at dusk", caption="Lamp"
    )
    document = Document.objects.create(
        title="Report", file=ContentFile(b"%PDF-1.4 report", name="report.pdf")
    )
    PracticeDocument.objects.create(practice=practice, document=document, title="Final report")
    PracticeLink.objects.create(
        practice=practice, title="City site", url="https://www.leipzig.de/", kind=LinkKind.LINK
    )
    adapted = PracticeFactory(slug="dresden-lights", title="Dresden adapts the lights")
    PracticeRelation.objects.create(source=adapted, target=practice, kind=RelationKind.ADAPTS)
    hidden = PracticeFactory(
        slug="hidden-draft", status=PracticeStatus.DRAFT, published_at=None, author=author
    )
    PracticeRelation.objects.create(source=practice, target=hidden, kind=RelationKind.RELATED)
    return practice


def test_practice_detail_holds_the_whole_record(full_practice: Any) -> None:
    response = Client().get(f"{LIST_URL}{full_practice.slug}/")

    data = response.json()
    leipzig = full_practice.city
    assert data["city"] == {
        "name": "Leipzig",
        "geoname_id": leipzig.geoname_id,
        "latitude": leipzig.latitude,
        "longitude": leipzig.longitude,
        "population": leipzig.population,
    }
    assert (data["country"], data["region"], data["size"]) == (
        {"code": "DE", "name": "Germany"},
        {"slug": "europe", "name": "Europe"},
        "large",
    )
    assert data["sections"]["challenge"] == "Rising costs and unhappy residents."
    assert data["sections"]["results"] == "Night-time accidents fell by a third."
    assert data["sections"]["costs"] == ""
    assert len(data["sections"]) == 10
    assert data["sdgs"] == [
        {"number": 7, "name": "Affordable and clean energy"},
        {"number": 11, "name": "Sustainable cities and communities"},
    ]
    assert data["period"] == {"start_year": 2019, "end_year": 2023}
    assert data["lead_organisation"] == {
        "slug": "stadt-leipzig",
        "name": "Stadt Leipzig",
        "type": "municipality",
        "website": "https://www.leipzig.de/",
    }
    assert [partner["slug"] for partner in data["partners"]] == ["giz"]
    assert data["contact"] == {"display_name": "Chidi Nwosu"}
    [image] = data["images"]
    assert image["url"].startswith("http://testserver/media/images/")
    assert (image["alt_text"], image["caption"]) == ("A solar lamp at dusk", "Lamp")
    [document] = data["documents"]
    assert document["title"] == "Final report"
    assert document["url"].startswith("http://testserver/documents/")
    assert data["links"] == [{"title": "City site", "url": "https://www.leipzig.de/", "kind": "link"}]
    # The draft it relates to stays hidden; the practice that adapts it reads as "adapted by".
    assert data["related"] == [
        {
            "slug": "dresden-lights",
            "title": "Dresden adapts the lights",
            "kind": "adapted_by",
            "url": "http://testserver/en/practices/dresden-lights/",
        }
    ]
    assert (data["licence"], data["licence_name"]) == (
        "cc-by-4.0",
        "Creative Commons Attribution 4.0 (CC BY 4.0)",
    )
    assert (data["last_verified"], data["language"]) == (None, "en")
    assert data["url"] == f"http://testserver/en/practices/{full_practice.slug}/"


def test_practice_detail_never_shows_an_email_address(full_practice: Any, editor: Any) -> None:
    body = client_for(editor).get(f"{LIST_URL}{full_practice.slug}/").content.decode()

    assert "@" not in body


def test_practice_detail_has_bounded_queries(full_practice: Any, django_assert_max_num_queries: Any) -> None:
    Client().get(f"{LIST_URL}{full_practice.slug}/")  # the image rendition is made once

    with django_assert_max_num_queries(14):
        response = Client().get(f"{LIST_URL}{full_practice.slug}/")

    assert response.status_code == 200


def test_practice_api_is_read_only(published_practice: Any, editor: Any) -> None:
    client = client_for(editor)

    assert client.post(LIST_URL, {"title": "x"}).status_code == 405
    assert client.delete(f"{LIST_URL}{published_practice.slug}/").status_code == 405
    assert client.patch(f"{LIST_URL}{published_practice.slug}/", {}).status_code == 405
