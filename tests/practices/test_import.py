from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from connective.core.models import AuditLog
from connective.practices.exports import COLUMNS
from connective.practices.models import LinkKind, Practice, PracticeRelation, PracticeStatus
from tests.factories import OrganisationFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

SFAX_SUMMARY = "تحويل النفايات العضوية إلى سماد في الأسواق البلدية."


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def good_row(**overrides: str) -> dict[str, str]:
    row = {
        "slug": "sfax-market-compost",
        "title": "سماد الأسواق في صفاقس",
        "summary": SFAX_SUMMARY,
        "language": "ar",
        "country": "TN",
        "city": "SFAX",
        "topics": "waste-management|circular-economy",
        "sdgs": "11|12",
        "challenge": "Markets threw away 40 tonnes a day.",
        "start_year": "2018",
        "end_year": "2022",
        "licence": "cc-by-sa-4.0",
        "last_verified": "2026-03-01",
        "links": "Municipality of Sfax <https://www.commune-sfax.gov.tn/>",
        "sources": "Report \\| 2022 <https://example.org/report.pdf>",
        "related": "adapts:cordoba-compost",
    }
    row.update(overrides)
    return row


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_practices", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_csv_creates_every_row_with_relations_inside_the_file(tmp_path: Path, member: Any) -> None:
    path = write_csv(
        tmp_path / "practices.csv",
        [
            good_row(contact_email="MEMBER@example.org"),
            good_row(
                slug="cordoba-compost",
                title="Compost in Córdoba",
                summary="Neighbourhood composting.",
                language="es",
                country="ES",
                city="cordoba",
                topics="waste-management",
                sdgs="",
                links="",
                sources="",
                related="",
                licence="",
                last_verified="",
                end_year="",
            ),
        ],
    )

    out, err = run(str(path), "--status", "published")

    assert err == ""
    assert out == "2 practice(s) were created and 0 were updated from practices.csv (status: published).\n"
    sfax = Practice.objects.get(slug="sfax-market-compost")
    assert sfax.title == "سماد الأسواق في صفاقس"
    assert sfax.summary == SFAX_SUMMARY
    assert (sfax.city.name, sfax.city.geoname_id, sfax.country_id, sfax.region.slug) == (
        "Sfax",
        2467454,
        "TN",
        "mena",
    )
    assert (sfax.latitude, sfax.longitude) == (sfax.city.latitude, sfax.city.longitude)
    assert sfax.city_size == "large"
    assert sorted(sfax.topics.values_list("slug", flat=True)) == ["circular-economy", "waste-management"]
    assert list(sfax.sdgs.values_list("number", flat=True)) == [11, 12]
    assert (sfax.start_year, sfax.end_year, sfax.licence) == (2018, 2022, "cc-by-sa-4.0")
    assert sfax.last_verified.isoformat() == "2026-03-01"
    assert sfax.contact == member
    assert sfax.status == PracticeStatus.PUBLISHED
    assert sfax.published_at is not None
    assert list(sfax.links.order_by("kind").values_list("kind", "title", "url")) == [
        (LinkKind.LINK, "Municipality of Sfax", "https://www.commune-sfax.gov.tn/"),
        (LinkKind.SOURCE, "Report | 2022", "https://example.org/report.pdf"),
    ]
    cordoba = Practice.objects.get(slug="cordoba-compost")
    # Córdoba in Spain, found by its ASCII name, not the far larger Córdoba in Argentina.
    assert (cordoba.city.geoname_id, cordoba.licence, cordoba.end_year) == (2519240, "cc-by-4.0", None)
    assert list(PracticeRelation.objects.values_list("source__slug", "target__slug", "kind")) == [
        ("sfax-market-compost", "cordoba-compost", "adapts")
    ]
    assert AuditLog.objects.filter(action="practice.import.create").count() == 2


def test_import_default_status_is_draft_and_author_is_set(tmp_path: Path, author: Any) -> None:
    path = write_csv(tmp_path / "one.csv", [good_row(related="")])

    run(str(path), "--author", "author@example.org")

    practice = Practice.objects.get(slug="sfax-market-compost")
    assert (practice.status, practice.author, practice.published_at) == (PracticeStatus.DRAFT, author, None)


def test_import_json_updates_an_existing_practice_by_slug(tmp_path: Path) -> None:
    existing = PracticeFactory(slug="sfax-market-compost", title="Old title")
    partner = OrganisationFactory(slug="giz")
    items = [
        {
            "slug": "sfax-market-compost",
            "title": "New title",
            "summary": "Updated.",
            "language": "fr",
            "country": "TN",
            "city": "Sfax",
            "topics": ["waste-management"],
            "sdgs": [12],
            "partners": ["giz"],
            "lead_organisation": "giz",
            "start_year": 2019,
            "related": [],
        }
    ]
    path = tmp_path / "practices.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")

    out, _err = run(str(path), "--status", "published")

    assert out == "0 practice(s) were created and 1 were updated from practices.json (status: published).\n"
    practice = Practice.objects.get(pk=existing.pk)
    assert (practice.title, practice.language, practice.city.name, practice.lead_organisation) == (
        "New title",
        "fr",
        "Sfax",
        partner,
    )
    assert list(practice.partners.all()) == [partner]
    assert list(practice.topics.values_list("slug", flat=True)) == ["waste-management"]
    assert Practice.objects.count() == 1


def test_import_bad_csv_rows_are_all_reported_and_nothing_is_imported(tmp_path: Path) -> None:
    PracticeFactory(slug="already-here")
    path = write_csv(
        tmp_path / "bad.csv",
        [
            good_row(slug="fine-one", related="already-here"),
            good_row(
                slug="bad one", language="xx", sdgs="11|18", topics="waste-management|nonsense", related=""
            ),
            {},  # a blank row counts as a spreadsheet row but is skipped
            good_row(slug="fine-one", related="", city="Atlantis", start_year="2030", end_year="2020"),
            good_row(
                slug="third",
                title="",
                country="ZZ",
                licence="gpl",
                contact_email="nobody@example.org",
                links="not a url",
                related="missing-practice",
                last_verified="31/01/2026",
            ),
        ],
    )

    err = io.StringIO()

    with pytest.raises(CommandError, match=r"^15 problem\(s\) in bad.csv; nothing was imported.$"):
        call_command("import_practices", str(path), "--status", "published", stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 3: slug: Use only letters, numbers, hyphens and underscores.",
        "line 3: language: Unknown language xx; use one of en, de, fr, es, pt, ar.",
        "line 3: topics: Unknown topic nonsense.",
        "line 3: sdgs: 18 is not an SDG; use numbers 1 to 17.",
        "line 5: slug: Duplicate of line 2.",
        "line 5: city: No city named Atlantis in TN.",
        "line 5: start_year: Must be a year from 1900 to 2026.",
        "line 5: end_year: The end year is before the start year.",
        "line 6: title: This field is required.",
        "line 6: country: Unknown country code ZZ.",
        "line 6: contact_email: No user has the e-mail address nobody@example.org.",
        "line 6: licence: Unknown licence gpl; use one of cc-by-4.0, cc-by-sa-4.0, cc0, all-rights-reserved.",
        "line 6: last_verified: 31/01/2026 is not a date like 2026-01-31.",
        "line 6: links: not a url is not a web address (http or https).",
        "line 6: related: No practice missing-practice here or in the file.",
    ]

    assert Practice.objects.count() == 1
    assert Practice.objects.get().slug == "already-here"


def test_import_csv_header_problems_are_reported_on_line_1(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [good_row()], columns=["slug", "title", "summary", "langauge"])
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_practices", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "line 1: langauge: Unknown column.",
        "line 1: language: This required column is missing.",
        "line 1: country: This required column is missing.",
        "line 1: city: This required column is missing.",
        "line 1: topics: This required column is missing.",
    ]


def test_import_json_errors_name_the_item_index(tmp_path: Path) -> None:
    items: list[Any] = [
        {
            "slug": "a",
            "title": "A",
            "summary": "S",
            "language": "en",
            "country": "TN",
            "city": "Tunis",
            "topics": ["mobility"],
        },
        {
            "slug": "b",
            "title": "B",
            "summary": "S",
            "language": "en",
            "country": "TN",
            "city": "Tunis",
            "topics": [],
            "sdgs": [0],
            "start_year": "soon",
        },
    ]
    path = tmp_path / "data.txt"  # no telling extension: the content says JSON
    path.write_text(json.dumps({"practices": items}), encoding="utf-8")
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_practices", str(path), stdout=io.StringIO(), stderr=err)

    assert err.getvalue().splitlines() == [
        "item 1: topics: Name at least one topic.",
        "item 1: sdgs: 0 is not an SDG; use numbers 1 to 17.",
        "item 1: start_year: 'soon' is not a whole number.",
    ]
    assert Practice.objects.count() == 0


def test_import_dry_run_checks_but_saves_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", [good_row(related="")])

    out, _err = run(str(path), "--dry-run", "--status", "published")

    assert out == "1 practice(s) would be created and 0 would be updated from one.csv (status: published).\n"
    assert Practice.objects.count() == 0


def test_import_unknown_author_stops_before_reading(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "one.csv", [good_row(related="")])

    with pytest.raises(CommandError, match=r"^No user has the e-mail address ghost@example\.org\.$"):
        run(str(path), "--author", "ghost@example.org")

    assert Practice.objects.count() == 0


def test_import_published_schedules_indexing_after_commit(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    path = write_csv(tmp_path / "one.csv", [good_row(related="")])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run(str(path), "--status", "published")

    assert len(callbacks) == 1
    from connective.practices.selectors import practice_search_index

    practice = Practice.objects.get(slug="sfax-market-compost")
    assert practice_search_index().ids() == {practice.pk}


def test_import_draft_schedules_no_indexing(tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    path = write_csv(tmp_path / "one.csv", [good_row(related="")])
    UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        run(str(path))

    assert callbacks == []
