from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from connective.core.text import render_markdown
from tests.factories import PracticeFactory

pytestmark = pytest.mark.django_db


def test_home_lists_published_practices_only(client: Client, author: Any) -> None:
    PracticeFactory(title="Bus rapid transit in Kigali", author=author)
    PracticeFactory(title="Unreviewed draft idea", status="draft", published_at=None, author=author)
    html = client.get("/en/").content.decode()
    assert "Bus rapid transit in Kigali" in html
    assert "Unreviewed draft idea" not in html


def test_home_in_arabic_is_right_to_left_with_translated_language_links(client: Client) -> None:
    response = client.get("/ar/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in html
    for code in ("en", "de", "fr", "es", "pt"):
        assert f'href="/{code}/" hreflang="{code}"' in html


def test_language_links_keep_the_current_page_and_query(client: Client) -> None:
    html = client.get("/en/accounts/login/?next=/en/").content.decode()
    assert (
        'href="/de/accounts/login/?next=/en/"' in html or 'href="/de/accounts/login/?next=%2Fen%2F"' in html
    )


def test_root_redirects_to_a_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_public_pages_send_a_strict_content_security_policy(client: Client) -> None:
    response = client.get("/en/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_base_layout_loads_nothing_from_other_sites(client: Client) -> None:
    html = client.get("/en/").content.decode()
    loaded = re.findall(r'<(?:link|script|img)[^>]+(?:href|src)="([^"]+)"', html)
    assert loaded, "the page loads its stylesheet"
    assert all(url.startswith("/") for url in loaded), loaded


def test_unknown_page_answers_404_with_translated_page(client: Client) -> None:
    response = client.get("/de/no-such-page/")
    assert response.status_code == 404


def test_robots_and_health(client: Client) -> None:
    assert "Disallow: /admin/" in client.get("/robots.txt").content.decode()
    assert client.get("/healthz").json() == {"status": "ok"}


def test_sitemap_lists_published_practices_in_every_language(client: Client, author: Any) -> None:
    PracticeFactory(slug="kigali-brt", author=author)
    PracticeFactory(slug="secret-draft", status="draft", published_at=None, author=author)
    xml = client.get("/sitemap-practices.xml").content.decode()
    assert "/en/practices/kigali-brt/" in xml
    assert "/ar/practices/kigali-brt/" in xml
    assert "secret-draft" not in xml


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("# Big heading", "<h1>"),
    ],
)
def test_render_markdown_removes_anything_that_could_run(source: str, forbidden: str) -> None:
    assert forbidden not in render_markdown(source)


def test_render_markdown_keeps_lists_and_safe_links() -> None:
    html = render_markdown("- one\n- [two](https://example.org)")
    assert "<li>one</li>" in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener noreferrer"' in html
