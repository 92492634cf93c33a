"""The directory's CSV and JSON exports hold what the one who downloads them may see, and nothing else."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from connective.network.models import OrganisationType, Visibility
from tests.factories import city
from tests.network.directory_fixtures import client_for, organisation, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    sfax = city("Sfax", "TN")
    utility = organisation(name="ONAS Sfax", slug="onas-sfax", type=OrganisationType.MUNICIPAL_COMPANY)
    amina = person(
        "Amina",
        "Belkacem",
        position="Head of wastewater treatment",
        organisation=utility,
        city=sfax,
        expertise=["water-and-sanitation"],
        languages=[("fr", "fluent")],
        position_visibility=Visibility.MEMBERS,
        organisation_visibility=Visibility.HIDDEN,
        languages_visibility=Visibility.PUBLIC,
    )
    person("Jonas", "Becker", visibility=Visibility.MEMBERS, position="Urban planner")
    person("Hidden", "Person", visibility=Visibility.HIDDEN)
    return {"amina": amina, "utility": utility}


def rows(response: Any) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_people_export_csv_holds_only_public_fields_for_a_visitor(people: dict[str, Any]) -> None:
    response = client_for(None).get("/en/people/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode("utf-8-sig")
    (row,) = rows(response)
    assert row["name"] == "Amina Belkacem"
    assert row["url"].endswith(f"/en/people/{people['amina'].profile.slug}/")
    assert (row["position"], row["organisation"], row["city"], row["country"]) == ("", "", "Sfax", "TN")
    assert (row["expertise"], row["languages"]) == ("water-and-sanitation", "fr:fluent")
    for secret in ("Head of wastewater treatment", "ONAS Sfax", "Jonas", "Hidden", "@"):
        assert secret not in body


def test_people_export_json_adds_members_only_fields_for_a_member(
    people: dict[str, Any], member: Any
) -> None:
    response = client_for(member).get("/en/people/export.json?sort=name")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert (data["count"], data["total"], data["truncated"]) == (2, 2, False)
    by_name = {record["name"]: record for record in data["people"]}
    assert set(by_name) == {"Amina Belkacem", "Jonas Becker"}
    assert by_name["Amina Belkacem"]["position"] == "Head of wastewater treatment"
    # Hidden from everyone but its owner, staff included.
    assert by_name["Amina Belkacem"]["organisation"] == ""
    assert "ONAS Sfax" not in response.content.decode()


def test_people_export_for_staff_hides_what_the_owner_hid(people: dict[str, Any], staff: Any) -> None:
    body = client_for(staff).get("/en/people/export.csv").content.decode("utf-8-sig")
    assert "Head of wastewater treatment" in body
    assert "ONAS Sfax" not in body
    assert "Hidden Person" not in body


def test_people_export_follows_the_search(people: dict[str, Any]) -> None:
    response = client_for(None).get("/en/people/export.csv?lang=fr")
    assert [row["name"] for row in rows(response)] == ["Amina Belkacem"]
    assert rows(client_for(None).get("/en/people/export.csv?lang=de")) == []


@pytest.mark.parametrize(
    ("params", "message"),
    [("?lang=xx", "is not a language code"), ("?sort=sideways", "Sort"), ("?page=abc", "page")],
)
def test_people_export_refuses_bad_filters(people: dict[str, Any], params: str, message: str) -> None:
    response = client_for(None).get("/en/people/export.csv" + params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message.lower() in response.content.decode().lower()


def test_directory_export_answers_404_for_another_format(people: dict[str, Any]) -> None:
    assert client_for(None).get("/en/people/export.xml").status_code == 404
    assert client_for(None).get("/en/organisations/export.pdf").status_code == 404


def test_organisations_export_lists_organisations_with_visible_counts(people: dict[str, Any]) -> None:
    response = client_for(None).get("/en/organisations/export.json")
    assert response.status_code == 200
    (record,) = json.loads(response.content)["organisations"]
    assert record["name"] == "ONAS Sfax"
    assert record["type"] == "municipal_company"
    assert record["url"].endswith("/en/organisations/onas-sfax/")
    # Amina hides her organisation: she is not counted among its people.
    assert record["people"] == 0


def test_people_export_has_bounded_queries(
    people: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = client_for(None)
    client.get("/en/people/export.csv")
    for number in range(15):
        person("Extra", f"Person {number}", languages=[("en", "native")])
    with django_assert_max_num_queries(10):
        assert client.get("/en/people/export.csv").status_code == 200


def test_directory_lists_link_their_exports(people: dict[str, Any]) -> None:
    html = client_for(None).get("/en/people/?lang=fr").content.decode()
    assert '<a href="/en/people/export.csv?lang=fr" rel="nofollow">CSV</a>' in html
    html = client_for(None).get("/en/organisations/").content.decode()
    assert '<a href="/en/organisations/export.json?" rel="nofollow">JSON</a>' in html
