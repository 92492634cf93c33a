from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_schema_describes_the_practice_endpoints(db: Any) -> None:
    response = Client().get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["info"]["title"] == "Connective Cities API"
    assert set(schema["paths"]) >= {"/api/v1/practices/", "/api/v1/practices/{slug}/"}
    listing = schema["paths"]["/api/v1/practices/"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} >= {
        "q",
        "topic",
        "sdg",
        "region",
        "country",
        "size",
        "year",
        "lang",
        "sort",
        "page",
    }
    assert set(listing["responses"]) == {"200", "400"}
    page = schema["components"]["schemas"]["PracticePage"]["properties"]
    assert set(page) == {"count", "next", "previous", "page", "num_pages", "sort", "results", "facets"}
    detail = schema["components"]["schemas"]["PracticeDetail"]["properties"]
    assert "email" not in yaml.safe_dump(schema["components"]["schemas"]["Contact"])
    assert {"sections", "sdgs", "images", "documents", "links", "related", "contact", "licence"} <= set(
        detail
    )


def test_schema_is_valid_and_generated_without_warnings(tmp_path: Path) -> None:
    # --fail-on-warn turns any drf-spectacular warning (an undocumented view or field) into a failure.
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/practices/{slug}/" in yaml.safe_load(target.read_text())["paths"]


def test_api_docs_page_loads_nothing_from_other_sites(db: Any) -> None:
    response = Client().get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert references, "the page should load its scripts and styles"
    assert all(reference.startswith("/static/") for reference in references), references
    assert "swagger-ui-bundle.js" in html
    assert '"/api/schema/"' in html
