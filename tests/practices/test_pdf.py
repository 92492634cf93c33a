from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from connective.practices.models import Practice, PracticeStatus
from connective.practices.views.detail import _pdf_fetcher
from tests.factories import PracticeFactory
from tests.practices.test_detail import HIDDEN_STATUSES, client_for, full_practice, page_url, persona

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rendered PDFs are cached by record version; a test must render its own.
    cache.clear()


def read_pdf(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def pdf_text(reader: PdfReader) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def font_names(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def image_count(reader: PdfReader) -> int:
    # WeasyPrint shares one resource dictionary between pages, so count distinct images.
    return len({image.name for page in reader.pages for image in page.images})


def test_pdf_contains_title_sections_source_and_licence(author: Any) -> None:
    practice = full_practice(author, images=2)
    response = client_for(None).get(page_url(practice, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{practice.slug}.pdf"'
    reader = read_pdf(response.content)
    assert reader.metadata is not None and reader.metadata.title == "Solar street lighting for safer streets"
    text = pdf_text(reader)
    assert "Solar street lighting for safer streets" in text
    for _field, heading, section_text in practice.sections():
        assert heading in text
        assert section_text in text
    assert f"http://testserver/en/practices/{practice.slug}/" in text
    assert "Creative Commons Attribution 4.0 (CC BY 4.0)" in text
    assert "Chidi Nwosu" in text
    assert "hidden.contact@example.org" not in text
    assert image_count(reader) == 2


@pytest.mark.parametrize("name", ["visitor", "member", "author", "editor"])
def test_pdf_published_is_public_and_cacheable(name: str, request: Any, published_practice: Practice) -> None:
    response = client_for(persona(name, request)).get(page_url(published_practice, "pdf"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    assert "Solar street lighting for safer streets" in pdf_text(read_pdf(response.content))


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
@pytest.mark.parametrize("name", ["visitor", "member"])
def test_pdf_unpublished_is_404_for_others(
    name: str, status: str, request: Any, published_practice: Practice
) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=status)
    response = client_for(persona(name, request)).get(page_url(published_practice, "pdf"))
    assert response.status_code == 404


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
@pytest.mark.parametrize("name", ["author", "editor"])
def test_pdf_unpublished_is_private_for_author_and_editor(
    name: str, status: str, request: Any, published_practice: Practice
) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=status)
    response = client_for(persona(name, request)).get(page_url(published_practice, "pdf"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    label = str(PracticeStatus(status).label)
    assert f"Not published: {label}." in pdf_text(read_pdf(response.content))


def test_pdf_arabic_practice_renders_with_an_arabic_capable_font(author: Any) -> None:
    practice = PracticeFactory(
        author=author,
        language="ar",
        title="إنارة الشوارع بالطاقة الشمسية",
        summary="مصابيح شمسية تنير الطريق إلى المدارس.",
        solution="مصابيح شمسية في كل حي.",
    )
    response = client_for(None).get(page_url(practice, "pdf", language="ar"))
    assert response.status_code == 200
    reader = read_pdf(response.content)
    assert reader.metadata is not None and reader.metadata.title == "إنارة الشوارع بالطاقة الشمسية"
    assert any(name.endswith("+DejaVu-Sans") for name in font_names(reader))


def test_pdf_is_rendered_once_per_version(published_practice: Practice) -> None:
    client = client_for(None)
    first = client.get(page_url(published_practice, "pdf")).content
    assert client.get(page_url(published_practice, "pdf")).content == first
    published_practice.summary = "Changed summary for the new version."
    published_practice.save()
    changed = client.get(page_url(published_practice, "pdf")).content
    assert "Changed summary for the new version." in pdf_text(read_pdf(changed))


def test_pdf_fetcher_refuses_other_sites_and_paths_outside_media(published_practice: Practice) -> None:
    fetcher = _pdf_fetcher()
    for url in (
        "https://tracker.example.com/pixel.png",
        "http://127.0.0.1:8000/en/practices/",
        "storage:../settings.py",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_pdf_fetcher_reads_local_static_files(settings: Any) -> None:
    response = _pdf_fetcher().fetch(f"{settings.SITE_URL}/static/core/favicon.svg")
    assert response.content_type == "image/svg+xml"
    assert response.read().startswith(b"<svg")
