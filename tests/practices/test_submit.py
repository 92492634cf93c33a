from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from connective.core.models import SDG, Topic
from connective.practices.models import Practice, PracticeReview, PracticeStatus, ReviewAction
from connective.practices.services import practice_create_draft
from tests.factories import OrganisationFactory, PracticeFactory, UserFactory, city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tunisian_cities(db: Any) -> None:
    # The city chooser looks names up among the GeoNames cities, loaded per country on first use.
    city("Sfax", "TN")


def form_data(**overrides: Any) -> dict[str, Any]:
    mobility = Topic.objects.get(slug="mobility")
    data: dict[str, Any] = {
        "title": "Bus rapid transit for Sfax",
        "summary": "Dedicated bus lanes cut commuting times in half.",
        "language": "en",
        "city_name": "sfax",
        "country": "TN",
        "topics": [str(mobility.pk)],
        "sdgs": [str(SDG.objects.get(number=11).pk)],
        "challenge": "Congested roads and long commutes.",
        "objectives": "Halve commuting times.",
        "solution": "Two dedicated bus corridors with level boarding.",
        "stakeholders": "Transport authority, drivers' union, residents' forums.",
        "results": "Average commute fell from 70 to 35 minutes.",
        "evidence": "Household survey of 2,000 residents.",
        "costs": "EUR 40 million from the national budget and a development bank loan.",
        "start_year": "2018",
        "end_year": "2023",
        "success_factors": "Political backing from the mayor.",
        "limiting_factors": "Informal minibus operators resisted at first.",
        "transferability": "Works where main roads are at least four lanes wide.",
        "contact_email": "",
        "licence": "cc-by-4.0",
        "last_verified": "2026-10-01",
        "related": "",
        "adapts": "",
        "replicates": "",
        "links-TOTAL_FORMS": "3",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "30",
        "links-0-title": "Transport authority report",
        "links-0-url": "https://transport.example/brt-report",
        "links-0-kind": "source",
        "links-1-title": "",
        "links-1-url": "",
        "links-1-kind": "link",
        "links-2-title": "",
        "links-2-url": "",
        "links-2-kind": "link",
        "action": "draft",
    }
    data.update(overrides)
    return data


def png_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (32, 24), (200, 80, 20)).save(buffer, format="PNG")
    return SimpleUploadedFile("bus lane.png", buffer.getvalue(), content_type="image/png")


def test_practice_submit_page_requires_login(client: Any) -> None:
    url = reverse("practices:submit")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_practice_submit_page_shows_the_form_in_fieldsets(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.get(reverse("practices:submit"))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.count("<fieldset>") >= 9
    assert 'name="city_name"' in content
    assert '<button type="submit" name="action" value="draft"' in content
    assert '<button type="submit" name="action" value="submit"' in content
    assert 'name="links-2-url"' in content


def test_practice_submit_saves_a_draft_with_partial_data(client: Any, member: Any) -> None:
    client.force_login(member)
    data = {
        key: value
        for key, value in form_data().items()
        if key in {"title", "city_name", "country", "licence", "action"} or key.startswith("links-")
    }
    response = client.post(reverse("practices:submit"), data)
    practice = Practice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:edit", kwargs={"slug": practice.slug})
    assert practice.status == PracticeStatus.DRAFT
    assert practice.title == "Bus rapid transit for Sfax"
    assert practice.city.name == "Sfax"
    assert practice.author == member
    assert list(practice.links.values_list("url", flat=True)) == ["https://transport.example/brt-report"]


def test_practice_submit_draft_without_a_city_keeps_everything_typed(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(reverse("practices:submit"), form_data(city_name="", country=""))
    assert response.status_code == 400
    assert Practice.objects.count() == 0
    content = html.unescape(response.content.decode())
    assert "A draft needs the city where the practice takes place." in content
    assert "Dedicated bus lanes cut commuting times in half." in content


def test_practice_submit_with_errors_keeps_every_value(client: Any, member: Any) -> None:
    organisation = OrganisationFactory(name="Sfax Transport Authority")
    contact = UserFactory(email="colleague@example.org")
    client.force_login(member)
    data = form_data(
        city_name="Atlantis",
        action="submit",
        lead_organisation=str(organisation.pk),
        partners=[str(organisation.pk)],
        contact_email=contact.email,
    )
    response = client.post(reverse("practices:submit"), data)
    assert response.status_code == 400
    assert Practice.objects.count() == 0
    content = html.unescape(response.content.decode())
    assert 'role="alert"' in content
    assert '<a href="#id_city_name">City: We do not know a city called Atlantis in Tunisia.' in content
    for key, value in data.items():
        if key in {
            "action",
            "country",
            "licence",
            "language",
            "topics",
            "sdgs",
            "lead_organisation",
            "partners",
        }:
            continue
        if (
            key.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS", "kind"))
            or not value
        ):
            continue
        assert value in content, key
    assert '<option value="TN" selected>' in content
    assert f'value="{data["topics"][0]}" id="id_topics_' in content
    topic_input = content.split(f'value="{data["topics"][0]}" id="id_topics_')[1].split(">")[0]
    assert "checked" in topic_input
    assert f'<option value="{organisation.pk}" selected>' in content
    assert '<option value="source" selected>' in content


def test_practice_submit_incomplete_lists_what_is_missing(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(
        reverse("practices:submit"), form_data(action="submit", topics=[], challenge="", results="")
    )
    assert response.status_code == 400
    content = html.unescape(response.content.decode())
    assert '<a href="#id_topics_0">Topics: Choose at least one topic.</a>' in content
    assert '<a href="#id_challenge">Challenge: Describe the challenge the city faced.</a>' in content
    assert "Please correct 3 problems" in content
    assert Practice.objects.count() == 0


def test_practice_submit_complete_goes_to_review(
    client: Any, member: Any, editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("practices:submit"), form_data(action="submit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:mine")
    practice = Practice.objects.get()
    assert practice.status == PracticeStatus.SUBMITTED
    assert practice.contact == member
    assert practice.start_year == 2018
    assert str(practice.last_verified) == "2026-10-01"
    assert list(practice.sdgs.values_list("number", flat=True)) == [11]
    assert sorted(message.to[0] for message in mail.outbox) == ["editor@example.org", "member@example.org"]


def test_practice_submit_rejects_a_bad_url_and_year(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(
        reverse("practices:submit"), form_data(**{"links-1-url": "not a url", "start_year": "19"})
    )
    assert response.status_code == 400
    assert Practice.objects.count() == 0
    content = html.unescape(response.content.decode())
    assert "Enter a valid URL." in content
    assert "Ensure this value is greater than or equal to 1950." in content


def test_practice_submit_unknown_contact_email_is_an_error(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(reverse("practices:submit"), form_data(contact_email="nobody@example.org"))
    assert response.status_code == 400
    assert "No member has the e-mail address nobody@example.org." in html.unescape(response.content.decode())


def test_practice_submit_with_image_and_related_practice(
    client: Any, member: Any, published_practice: Practice
) -> None:
    client.force_login(member)
    data = form_data(
        image=png_upload(),
        image_alt="The new bus lane",
        adapts=f"http://127.0.0.1:8000/en/practices/{published_practice.slug}/",
    )
    response = client.post(reverse("practices:submit"), data)
    assert response.status_code == 302
    practice = Practice.objects.get(author=member)
    assert list(practice.images.values_list("alt_text", flat=True)) == ["The new bus lane"]
    assert list(practice.relations.values_list("target__slug", "kind")) == [
        (published_practice.slug, "adapts")
    ]


def test_practice_submit_image_without_alt_text_is_refused(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(reverse("practices:submit"), form_data(image=png_upload(), image_alt=""))
    assert response.status_code == 400
    assert Practice.objects.count() == 0


def test_practice_submit_unknown_related_practice_is_an_error(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.post(reverse("practices:submit"), form_data(related="no-such-practice"))
    assert response.status_code == 400
    assert "No published practice has the address “no-such-practice”." in html.unescape(
        response.content.decode()
    )


@pytest.fixture
def own_draft(author: Any) -> Practice:
    return practice_create_draft(
        author=author,
        data={"title": "Market compost", "summary": "Waste to compost.", "city": city("Sfax", "TN")},
    )


def test_practice_edit_shows_the_authors_values(client: Any, author: Any, own_draft: Practice) -> None:
    client.force_login(author)
    response = client.get(reverse("practices:edit", kwargs={"slug": own_draft.slug}))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Market compost"' in content
    assert 'value="Sfax"' in content


def test_practice_edit_saves_changes(client: Any, author: Any, own_draft: Practice) -> None:
    client.force_login(author)
    url = reverse("practices:edit", kwargs={"slug": own_draft.slug})
    response = client.post(url, form_data(title="Market compost in Sfax"))
    assert response.status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.title == "Market compost in Sfax"
    assert own_draft.slug == "market-compost"
    assert own_draft.revisions.count() == 2


def test_practice_edit_by_another_member_is_not_found(client: Any, member: Any, own_draft: Practice) -> None:
    client.force_login(member)
    response = client.get(reverse("practices:edit", kwargs={"slug": own_draft.slug}))
    assert response.status_code == 404


def test_practice_edit_of_someone_elses_published_practice_is_not_found(
    client: Any, member: Any, published_practice: Practice
) -> None:
    client.force_login(member)
    response = client.post(reverse("practices:edit", kwargs={"slug": published_practice.slug}), form_data())
    assert response.status_code == 404
    published_practice.refresh_from_db()
    assert published_practice.title == "Solar street lighting for safer streets"


def test_practice_edit_while_under_review_is_refused(client: Any, author: Any, own_draft: Practice) -> None:
    own_draft.status = PracticeStatus.SUBMITTED
    own_draft.save()
    client.force_login(author)
    response = client.post(
        reverse("practices:edit", kwargs={"slug": own_draft.slug}), form_data(title="Changed")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("practices:mine")
    own_draft.refresh_from_db()
    assert own_draft.title == "Market compost"


def test_practice_edit_by_an_editor_goes_to_the_back_office(
    client: Any, editor: Any, own_draft: Practice
) -> None:
    client.force_login(editor)
    response = client.get(reverse("practices:edit", kwargs={"slug": own_draft.slug}))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/snippets/practices/practice/edit/{own_draft.pk}/"


def test_practice_edit_requires_login(client: Any, own_draft: Practice) -> None:
    response = client.get(reverse("practices:edit", kwargs={"slug": own_draft.slug}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_practices_lists_status_and_last_comment(
    client: Any, author: Any, editor: Any, own_draft: Practice, published_practice: Practice
) -> None:
    own_draft.status = PracticeStatus.CHANGES_REQUESTED
    own_draft.save()
    PracticeReview.objects.create(practice=own_draft, actor=editor, action=ReviewAction.SUBMIT)
    PracticeReview.objects.create(
        practice=own_draft,
        actor=editor,
        action=ReviewAction.REQUEST_CHANGES,
        comment="Add the costs, please.",
    )
    PracticeFactory(title="Someone else's practice")
    client.force_login(author)
    response = client.get(reverse("practices:mine"))
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Market compost" in content
    assert "Solar street lighting for safer streets" in content
    assert "Someone else's practice" not in content
    assert "Add the costs, please." in content
    assert "Changes requested" in content
    assert reverse("practices:edit", kwargs={"slug": own_draft.slug}) in content
    assert reverse("practices:edit", kwargs={"slug": published_practice.slug}) not in content


def test_my_practices_is_paginated_with_bounded_queries(
    client: Any, author: Any, django_assert_max_num_queries: Any
) -> None:
    for number in range(25):
        PracticeFactory(author=author, title=f"Practice {number:02d}")
    client.force_login(author)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("practices:mine"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 20
    second = client.get(reverse("practices:mine") + "?page=2")
    assert len(second.context["page"].object_list) == 5


def test_my_practices_requires_login(client: Any) -> None:
    response = client.get(reverse("practices:mine"))
    assert response.status_code == 302
