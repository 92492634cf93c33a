from __future__ import annotations

import gzip
import io
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model

from connective.core.models import SDG
from connective.network.models import Visibility
from connective.practices.models import (
    LinkKind,
    Practice,
    PracticeDocument,
    PracticeImage,
    PracticeLink,
    PracticeRelation,
    PracticeStatus,
    RelationKind,
)
from tests.factories import OrganisationFactory, PracticeFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

HIDDEN_STATUSES = [PracticeStatus.DRAFT, PracticeStatus.SUBMITTED, PracticeStatus.REJECTED]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def persona(name: str, request: Any) -> Any:
    return request.getfixturevalue(name)


def page_url(practice: Practice, name: str = "detail", language: str = "en") -> str:
    with translation.override(language):
        return reverse(f"practices:{name}", kwargs={"slug": practice.slug})


def attach_image(
    practice: Practice, *, alt_text: str, position: int, colour: tuple[int, int, int]
) -> PracticeImage:
    buffer = io.BytesIO()
    PILImage.new("RGB", (960, 540), colour).save(buffer, format="PNG")
    image = get_image_model()(title=alt_text)
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name=f"photo-{position}.png")
    image._set_image_file_metadata()
    image.save()
    return PracticeImage.objects.create(practice=practice, image=image, alt_text=alt_text, position=position)


def attach_document(practice: Practice, *, title: str) -> PracticeDocument:
    document = get_document_model()(title=title)
    document.file = ContentFile(b"%PDF-1.4 report " * 64, name="report.pdf")
    document._set_document_file_metadata()
    document.save()
    return PracticeDocument.objects.create(practice=practice, document=document, title=title)


def full_practice(author: Any, *, images: int = 3, related: int = 2, **overrides: Any) -> Practice:
    """A published record with every part the page shows."""
    organisation = OrganisationFactory(name="Stadtwerke Leipzig")
    if "contact" not in overrides:
        overrides["contact"] = UserFactory(
            email="hidden.contact@example.org",
            first_name="Chidi",
            last_name="Nwosu",
            position="Head of street lighting",
            organisation=organisation,
            language="de",
        )
    values: dict[str, Any] = {
        "author": author,
        "title": "Solar street lighting for safer streets",
        "summary": "Solar lamps light the paths to schools.",
        "stakeholders": "Residents and the utility.",
        "results": "Night-time incidents fell by a third.",
        "evidence": "Police statistics 2019 to 2024.",
        "costs": "EUR 1.2 million from the city budget.",
        "success_factors": "Early involvement of residents.",
        "limiting_factors": "Battery replacement costs.",
        "transferability": "Works wherever sun is reliable.",
        "lead_organisation": organisation,
        "end_year": 2024,
    }
    values.update(overrides)
    practice = PracticeFactory(**values)
    practice.sdgs.set(SDG.objects.filter(number__in=[7, 11]))
    practice.partners.set([OrganisationFactory(name="Leipzig University")])
    practice.save()  # parental many-to-many changes are kept in memory until the record is saved
    for position in range(images):
        attach_image(
            practice, alt_text=f"Lamp photo {position}", position=position, colour=(20, 40 * position, 90)
        )
    attach_document(practice, title="Evaluation report")
    PracticeLink.objects.create(
        practice=practice,
        title="City council decision",
        url="https://example.org/decision",
        kind=LinkKind.SOURCE,
    )
    PracticeLink.objects.create(
        practice=practice, title="Project website", url="https://example.org/project", kind=LinkKind.LINK
    )
    for index in range(related):
        other = PracticeFactory(title=f"Adapted lighting in town {index}")
        PracticeRelation.objects.create(source=other, target=practice, kind=RelationKind.ADAPTS)
    return practice


# --- Visibility -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["visitor", "member", "author", "editor"])
def test_detail_published_is_visible_to_everyone(
    name: str, request: Any, published_practice: Practice
) -> None:
    response = client_for(persona(name, request)).get(page_url(published_practice))
    assert response.status_code == 200
    assert "Solar street lighting for safer streets" in response.content.decode()


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
@pytest.mark.parametrize("name", ["visitor", "member"])
def test_detail_unpublished_is_404_for_others(
    name: str, status: str, request: Any, published_practice: Practice
) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=status)
    response = client_for(persona(name, request)).get(page_url(published_practice))
    assert response.status_code == 404


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
@pytest.mark.parametrize("name", ["author", "editor"])
def test_detail_unpublished_shows_status_banner_to_author_and_editor(
    name: str, status: str, request: Any, published_practice: Practice
) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=status)
    response = client_for(persona(name, request)).get(page_url(published_practice))
    assert response.status_code == 200
    html = response.content.decode()
    label = str(PracticeStatus(status).label)
    assert f"Not published: {label}." in html
    assert '<meta name="robots" content="noindex">' in html


def test_detail_published_has_no_status_banner(published_practice: Practice) -> None:
    html = client_for(None).get(page_url(published_practice)).content.decode()
    assert "status-banner" not in html
    assert "noindex" not in html


def test_detail_unknown_slug_is_404(db: Any) -> None:
    assert Client().get("/en/practices/no-such-practice/").status_code == 404


# --- Content --------------------------------------------------------------------------------------------


def test_detail_renders_every_section_with_its_heading(author: Any) -> None:
    practice = full_practice(author)
    html = client_for(None).get(page_url(practice)).content.decode()
    sections = practice.sections()
    assert len(sections) == 10
    for field, heading, text in sections:
        assert f'<h2 id="heading-{field}">{heading}</h2>' in html
        assert f"<p>{text}</p>" in html


def test_detail_skips_empty_sections(published_practice: Practice) -> None:
    html = client_for(None).get(page_url(published_practice)).content.decode()
    assert 'id="heading-solution"' in html
    assert 'id="heading-costs"' not in html


def test_detail_fact_box_shows_place_period_topics_sdgs_and_organisations(author: Any) -> None:
    practice = full_practice(author, last_verified="2026-03-01")
    html = client_for(None).get(page_url(practice)).content.decode()
    facts = html[html.index('<dl class="facts">') : html.index("</dl>")]
    assert f'<dd><a href="/en/cities/{practice.city.geoname_id}/">Leipzig</a></dd>' in facts
    assert "<dd>Germany</dd>" in facts
    assert f"<dd>{practice.get_city_size_display()}</dd>" in facts
    assert "<dd>2019\u20132024</dd>" in facts
    assert f'href="{reverse("practices:list")}?topic=mobility"' in facts
    assert 'fill="#FCC30B"' in facts  # SDG 7 in its own colour
    assert "SDG 11: Sustainable cities and communities" in facts
    lead = practice.lead_organisation
    partner = practice.partners.get()
    assert f'<dd><a href="/en/organisations/{lead.slug}/">Stadtwerke Leipzig</a></dd>' in facts
    assert f'<li><a href="/en/organisations/{partner.slug}/">Leipzig University</a></li>' in facts
    assert "Creative Commons Attribution 4.0 (CC BY 4.0)" in facts
    assert '<time datetime="2026-03-01">' in facts


def test_detail_marks_content_language_and_direction(author: Any) -> None:
    practice = PracticeFactory(
        author=author, language="ar", title="إنارة الشوارع بالطاقة الشمسية", solution="مصابيح شمسية في كل حي."
    )
    html = client_for(None).get(page_url(practice)).content.decode()
    assert '<h1 id="practice-title" lang="ar" dir="rtl">إنارة الشوارع بالطاقة الشمسية</h1>' in html
    assert '<div class="section-text" lang="ar" dir="rtl"><p>مصابيح شمسية في كل حي.</p>' in html
    assert '<span class="lang-badge" title="Arabic">AR</span>' in html


def test_detail_english_content_on_arabic_interface_stays_left_to_right(published_practice: Practice) -> None:
    html = client_for(None).get(page_url(published_practice, language="ar")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html
    assert '<h1 id="practice-title" lang="en" dir="ltr">Solar street lighting for safer streets</h1>' in html


def test_detail_images_use_renditions_with_alt_text_and_lazy_loading_after_the_first(author: Any) -> None:
    practice = full_practice(author, images=3)
    html = client_for(None).get(page_url(practice)).content.decode()
    tags = re.findall(r"<img [^>]*>", html)
    assert len(tags) == 3
    assert 'alt="Lamp photo 0"' in tags[0] and 'loading="lazy"' not in tags[0]
    assert all('loading="lazy"' in tag for tag in tags[1:])
    assert all("srcset=" in tag and ".format-webp.webp 960w" in tag for tag in tags)
    assert 'alt="Lamp photo 2"' in tags[2]


def test_detail_lists_documents_with_type_and_size_and_links(author: Any) -> None:
    practice = full_practice(author)
    document = practice.documents.get().document
    html = client_for(None).get(page_url(practice)).content.decode()
    assert f'<a href="{document.url}" lang="en" dir="ltr">Evaluation report</a>' in html
    assert "(PDF, 1.0\xa0KB)" in html
    assert (
        '<a href="https://example.org/decision" rel="nofollow noopener noreferrer">City council decision</a>'
        in html
    )
    assert (
        '<a href="https://example.org/project" rel="nofollow noopener noreferrer">Project website</a>' in html
    )


def test_detail_shows_related_practices_from_both_sides(author: Any) -> None:
    practice = full_practice(author, related=1)
    replicated = PracticeFactory(title="Original lighting scheme")
    PracticeRelation.objects.create(source=practice, target=replicated, kind=RelationKind.REPLICATES)
    hidden = PracticeFactory(title="Draft that relates", status=PracticeStatus.DRAFT)
    PracticeRelation.objects.create(source=hidden, target=practice, kind=RelationKind.RELATED)
    html = client_for(None).get(page_url(practice)).content.decode()
    related = html[html.index('<ul class="related-list">') :]
    assert '<span class="relation">Replicates:</span>' in related
    assert "Original lighting scheme" in related
    assert '<span class="relation">Adapted by:</span>' in related
    assert "Adapted lighting in town 0" in related
    assert "Draft that relates" not in html


def test_detail_locator_map_marks_the_city_without_localised_numbers(published_practice: Practice) -> None:
    practice = published_practice
    expected_x = f"{round(practice.longitude + 180, 1)}"
    expected_y = f"{round(90 - practice.latitude, 1)}"
    for language in ("en", "de"):
        html = client_for(None).get(page_url(practice, language=language)).content.decode()
        assert f'<circle cx="{expected_x}" cy="{expected_y}" r="3"' in html
    assert "<script" not in html
    assert "tile" not in html


def test_detail_contact_shows_name_position_organisation_but_never_the_address(
    author: Any, editor: Any, member: Any
) -> None:
    practice = full_practice(author)
    profile = ProfileFactory(user=practice.contact, slug="chidi-nwosu")
    organisation = practice.contact.organisation
    for user in (None, member, author, editor):
        html = client_for(user).get(page_url(practice)).content.decode()
        assert (
            f'<strong><a href="/en/people/{profile.slug}/">Chidi Nwosu</a></strong><br>Head of street lighting<br>'
            f'<a href="/en/organisations/{organisation.slug}/">Stadtwerke Leipzig</a>'
        ) in html
        assert "hidden.contact@example.org" not in html
        assert "hidden.contact" not in html


def test_detail_contact_shows_only_what_their_profile_shows_the_reader(author: Any, member: Any) -> None:
    practice = full_practice(author)
    ProfileFactory(
        user=practice.contact,
        visibility=Visibility.PUBLIC,
        position_visibility=Visibility.HIDDEN,
        organisation_visibility=Visibility.MEMBERS,
    )
    visitor_html = client_for(None).get(page_url(practice)).content.decode()
    member_html = client_for(member).get(page_url(practice)).content.decode()
    # The organisation is also the practice's lead organisation; in the contact box it is a link.
    in_contact_box = (
        f'<br><a href="/en/organisations/{practice.contact.organisation.slug}/">Stadtwerke Leipzig</a></p>'
    )
    assert "Head of street lighting" not in visitor_html + member_html
    assert in_contact_box not in visitor_html
    assert in_contact_box in member_html


def test_detail_contact_without_a_visible_profile_is_a_name_without_a_link(author: Any) -> None:
    practice = full_practice(author)
    ProfileFactory(user=practice.contact, visibility=Visibility.MEMBERS)
    html = client_for(None).get(page_url(practice)).content.decode()
    assert "<strong>Chidi Nwosu</strong>" in html
    assert "Head of street lighting" not in html


def test_detail_visitor_gets_sign_in_link_instead_of_form(published_practice: Practice) -> None:
    html = client_for(None).get(page_url(published_practice)).content.decode()
    login = reverse("account_login")
    assert f'<a href="{login}?next={page_url(published_practice)}%23contact">' in html
    assert 'name="message"' not in html


def test_detail_member_gets_contact_form(member: Any, published_practice: Practice) -> None:
    html = client_for(member).get(page_url(published_practice)).content.decode()
    assert f'action="{page_url(published_practice, "contact")}"' in html
    assert 'name="message"' in html
    assert (
        '<input type="checkbox" name="share_email" aria-describedby="id_share_email_helptext" '
        'id="id_share_email" checked>'
    ) in html


def test_detail_contact_person_is_not_offered_to_write_to_themselves(published_practice: Practice) -> None:
    html = client_for(published_practice.contact).get(page_url(published_practice)).content.decode()
    assert "You are the contact person for this practice." in html
    assert 'name="message"' not in html


def test_detail_offers_pdf_download_and_no_script(published_practice: Practice) -> None:
    html = client_for(None).get(page_url(published_practice)).content.decode()
    assert f'href="{page_url(published_practice, "pdf")}">Download PDF</a>' in html
    assert "<script" not in html
    assert "window.print" not in html


# --- Safety of member text ------------------------------------------------------------------------------


def test_detail_sanitises_script_and_javascript_links_in_sections(author: Any) -> None:
    practice = PracticeFactory(
        author=author,
        title="<script>alert('title')</script>",
        solution="Works.\n\n<script>alert('x')</script>\n\n[click me](javascript:alert(1)) "
        '<img src=x onerror="alert(2)">',
    )
    PracticeLink.objects.create(
        practice=practice, title="Bad link", url="javascript:alert(3)", kind=LinkKind.LINK
    )
    html = client_for(None).get(page_url(practice)).content.decode()
    assert "<script" not in html
    assert 'href="javascript:' not in html
    assert "<img src=x" not in html
    # What was refused stays visible as plain text, so the author can see and fix it.
    assert "[click me](javascript:alert(1)) &lt;img src=x" in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert "Bad link" not in html


# --- Weight and queries ---------------------------------------------------------------------------------


def test_detail_page_is_under_60_kb_compressed(author: Any) -> None:
    practice = full_practice(author)
    content = client_for(None).get(page_url(practice)).content
    assert len(gzip.compress(content)) < 60 * 1024


def test_detail_query_count_is_bounded_for_a_visitor(
    author: Any, django_assert_max_num_queries: Any, client: Client
) -> None:
    practice = full_practice(author, images=3, related=3)
    url = page_url(practice)
    client.get(url)  # renditions are created on the first view
    # Measured: 10 = the practice + 6 prefetches (topics, SDGs, partners, links, images, documents with their
    # files) + the images' renditions + 1 for related practices (both directions) + 1 for the versions the
    # cached similar practices are kept under.
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


def test_detail_query_count_does_not_grow_with_images_and_relations(
    author: Any, django_assert_num_queries: Any, client: Client
) -> None:
    small = full_practice(author, images=1, related=1)
    client.get(page_url(small))
    with django_assert_num_queries(10):
        client.get(page_url(small))
    large = full_practice(
        UserFactory(email="author2@example.org"),
        images=6,
        related=5,
        slug="large-practice",
        contact=UserFactory(email="contact2@example.org", first_name="Li", last_name="Wei"),
        lead_organisation=None,
    )
    client.get(page_url(large))
    with django_assert_num_queries(10):
        client.get(page_url(large))


def test_detail_query_count_is_bounded_for_a_member(
    author: Any, member: Any, django_assert_max_num_queries: Any
) -> None:
    practice = full_practice(author, images=3, related=3)
    client = client_for(member)
    client.get(page_url(practice))
    # Measured: 11 (the visitor's 10, plus the user; the session comes from the cache).
    with django_assert_max_num_queries(11):
        assert client.get(page_url(practice)).status_code == 200
