from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from connective.core.models import SDG
from connective.practices.exports import EXPORT_COLUMNS
from connective.practices.models import (
    LinkKind,
    Practice,
    PracticeLink,
    PracticeRelation,
    PracticeStatus,
    RelationKind,
)
from tests.factories import OrganisationFactory, PracticeFactory, city

pytestmark = pytest.mark.django_db

ARABIC_TITLE = "عدادات المياه الذكية في عمّان"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


@pytest.fixture
def amman(published_practice: Any, author: Any) -> Any:
    practice = PracticeFactory(
        slug="amman-water",
        title=ARABIC_TITLE,
        summary="قياس استهلاك المياه | لكل أسرة",
        language="ar",
        city=city("Amman", "JO"),
        topics=["water-and-sanitation", "digitalisation"],
        contact=published_practice.contact,
        lead_organisation=OrganisationFactory(slug="amman-municipality"),
        start_year=2020,
        end_year=2024,
        licence="cc0",
        solution="First line.\nSecond line, with a comma.",
    )
    practice.sdgs.set(SDG.objects.filter(number__in=[6, 11]))
    practice.partners.set([OrganisationFactory(slug="giz"), OrganisationFactory(slug="jica")])
    practice.save()
    PracticeLink.objects.create(
        practice=practice, title="Water | Authority", url="https://example.org/w", kind=LinkKind.LINK
    )
    PracticeLink.objects.create(
        practice=practice, title="Study", url="https://example.org/s.pdf", kind=LinkKind.SOURCE
    )
    PracticeRelation.objects.create(source=practice, target=published_practice, kind=RelationKind.ADAPTS)
    PracticeFactory(slug="secret-draft", status=PracticeStatus.DRAFT, published_at=None, author=author)
    return practice


def test_export_csv_has_every_visible_practice_with_arabic_intact(
    amman: Any, published_practice: Any
) -> None:
    response = Client().get("/en/practices/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="practices-')
    assert response["Content-Disposition"].endswith('.csv"')
    text = body(response)
    assert text.splitlines()[0] == "\ufeff" + ",".join(EXPORT_COLUMNS)
    rows = {row["slug"]: row for row in csv_rows(text)}
    assert set(rows) == {"amman-water", published_practice.slug}
    row = rows["amman-water"]
    assert row["title"] == ARABIC_TITLE
    assert row["summary"] == "قياس استهلاك المياه | لكل أسرة"
    assert (row["country"], row["city"], row["region"], row["city_size"]) == (
        "JO",
        "Amman",
        "mena",
        "metropolis",
    )
    assert row["topics"] == "digitalisation|water-and-sanitation"
    assert row["sdgs"] == "6|11"
    assert row["partners"] == "giz|jica"
    assert row["links"] == "Water \\| Authority <https://example.org/w>"
    assert row["sources"] == "Study <https://example.org/s.pdf>"
    assert row["related"] == f"adapts:{published_practice.slug}"
    assert row["solution"] == "First line.\nSecond line, with a comma."
    assert (row["start_year"], row["end_year"], row["licence"]) == ("2020", "2024", "cc0")
    assert row["url"] == "http://testserver/en/practices/amman-water/"
    # The contact's e-mail address is not for the public.
    assert row["contact_email"] == ""
    assert "@" not in text


def test_export_gives_editors_the_contact_address(amman: Any, editor: Any) -> None:
    rows = csv_rows(body(client_for(editor).get("/en/practices/export.csv")))

    assert {row["slug"]: row["contact_email"] for row in rows}["amman-water"] == "contact@example.org"
    assert "secret-draft" not in {row["slug"] for row in rows}


def test_export_honours_the_filters_of_the_list(amman: Any) -> None:
    rows = csv_rows(body(Client().get("/en/practices/export.csv?region=mena&sdg=6&page=1")))

    assert [row["slug"] for row in rows] == ["amman-water"]


def test_export_json_holds_records_with_lists(amman: Any, published_practice: Any) -> None:
    response = Client().get("/en/practices/export.json?country=JO")

    assert response["Content-Type"] == "application/json; charset=utf-8"
    data = json.loads(body(response))
    assert (data["count"], data["total"], data["truncated"]) == (1, 1, False)
    [record] = data["practices"]
    assert list(record) == EXPORT_COLUMNS
    assert record["title"] == ARABIC_TITLE
    assert (record["topics"], record["sdgs"]) == (["digitalisation", "water-and-sanitation"], [6, 11])
    assert record["links"] == ["Water | Authority <https://example.org/w>"]


def test_export_with_a_bad_filter_is_400_and_says_why(db: Any) -> None:
    response = Client().get("/en/practices/export.csv?topic=nope&sdg=40")

    assert response.status_code == 400
    assert response.content.decode().splitlines() == [
        "Topic: There is no topic “nope”.",
        "SDG: There is no SDG 40: use a number from 1 to 17.",
    ]


def test_export_of_an_unknown_format_is_404(db: Any) -> None:
    assert Client().get("/en/practices/export.xlsx").status_code == 404


def test_export_query_count_does_not_grow_with_rows(db: Any, django_assert_max_num_queries: Any) -> None:
    for number in range(30):
        PracticeFactory(slug=f"p-{number:02d}", topics=["mobility", "housing"])
    Client().get("/en/practices/export.csv")  # warms the vocabulary cache

    with django_assert_max_num_queries(16):
        rows = csv_rows(body(Client().get("/en/practices/export.csv")))

    assert len(rows) == 30


def test_export_stops_at_the_cap_and_says_so(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("connective.practices.views.export.EXPORT_LIMIT", 2)
    for number in range(3):
        PracticeFactory(slug=f"p-{number}")

    response = Client().get("/en/practices/export.json?sort=oldest")

    data = json.loads(body(response))
    assert (data["count"], data["total"], data["truncated"]) == (2, 3, True)
    assert [record["slug"] for record in data["practices"]] == ["p-0", "p-1"]
    assert (response["X-Total-Count"], response["X-Exported-Count"]) == ("3", "2")


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    # Publication time is the import's own; everything else must come back as it went out.
    return {key: value for key, value in record.items() if key != "published_at"}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_then_import_into_an_empty_database_gives_equal_records(
    amman: Any, editor: Any, fmt: str, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    amman.last_verified = amman.published_at.date()
    amman.save()
    client = client_for(editor)
    first = body(client.get(f"/en/practices/export.{fmt}"))
    path = tmp_path / f"practices.{fmt}"
    path.write_text(first, encoding="utf-8")
    # As when committed: the deletion and the import each update the search index.
    with django_capture_on_commit_callbacks(execute=True):
        Practice.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_practices", str(path), "--status", "published", stdout=io.StringIO())

    second = body(client.get(f"/en/practices/export.{fmt}"))
    if fmt == "csv":
        before, after = csv_rows(first), csv_rows(second)
    else:
        before, after = json.loads(first)["practices"], json.loads(second)["practices"]
    assert len(after) == 2
    assert sorted(map(_comparable, after), key=lambda r: r["slug"]) == sorted(
        map(_comparable, before), key=lambda r: r["slug"]
    )
