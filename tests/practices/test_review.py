from __future__ import annotations

import html
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from connective.core.models import Topic
from connective.practices.models import Practice, PracticeReview, PracticeStatus, ReviewAction
from connective.practices.services import practice_create_draft, practice_submit, practice_update
from tests.conftest import message_text
from tests.factories import city

pytestmark = pytest.mark.django_db

LIST_URL = "/admin/snippets/practices/practice/"


@pytest.fixture
def submitted(author: Any) -> Practice:
    practice = practice_create_draft(
        author=author,
        data={
            "title": "Flood early warning by SMS",
            "summary": "Residents get a text message two hours before the river floods.",
            "language": "en",
            "city": city("Sfax", "TN"),
            "topics": list(Topic.objects.filter(slug="mobility")),
            "challenge": "Floods surprised residents at night.",
            "solution": "River gauges send alerts through the mobile network.",
            "results": "No casualties in the floods of 2025.",
        },
    )
    practice_update(actor=author, practice=practice, data={"costs": "EUR 120,000 from the city budget."})
    practice_submit(actor=author, practice=practice)
    mail.outbox.clear()
    return practice


def review_url(practice: Practice) -> str:
    return reverse("practice_admin_review", kwargs={"pk": practice.pk})


def test_back_office_listing_shows_submitted_practices(client: Any, editor: Any, submitted: Practice) -> None:
    client.force_login(editor)
    response = client.get(LIST_URL, {"status": "submitted"})
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Flood early warning by SMS" in content
    assert review_url(submitted) in content


def test_back_office_listing_filters_by_status(
    client: Any, editor: Any, submitted: Practice, published_practice: Practice
) -> None:
    client.force_login(editor)
    response = client.get(LIST_URL, {"status": "published"})
    content = html.unescape(response.content.decode())
    assert "Solar street lighting for safer streets" in content
    assert "Flood early warning by SMS" not in content


def test_back_office_listing_searches_titles(
    client: Any, editor: Any, submitted: Practice, published_practice: Practice
) -> None:
    client.force_login(editor)
    response = client.get(LIST_URL, {"q": "flood"})
    content = html.unescape(response.content.decode())
    assert "Flood early warning by SMS" in content
    assert "Solar street lighting for safer streets" not in content


def test_back_office_review_page_shows_record_and_histories(
    client: Any, editor: Any, submitted: Practice
) -> None:
    client.force_login(editor)
    response = client.get(review_url(submitted))
    assert response.status_code == 200
    content = html.unescape(response.content.decode())
    assert "Residents get a text message two hours before the river floods." in content
    assert "EUR 120,000 from the city budget." in content
    assert "Submitted for review" in content
    assert f"/admin/snippets/practices/practice/history/{submitted.pk}/" in content
    assert [choice[0] for choice in response.context["form"].fields["decision"].choices] == [
        "approve",
        "request_changes",
        "reject",
    ]
    assert len(response.context["revisions"]) == 2


def test_back_office_approve_publishes_and_emails_the_author(
    client: Any,
    editor: Any,
    author: Any,
    submitted: Practice,
    smtp_server: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(submitted), {"decision": "approve", "comment": "Clear and complete."}
        )
    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.PUBLISHED
    assert submitted.published_at is not None
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0]["To"] == "author@example.org"
    assert (
        str(make_header(decode_header(received[0]["Subject"])))
        == "Your practice “Flood early warning by SMS” is published"
    )
    text = message_text(received[0])
    assert "Clear and complete." in text
    assert f"http://127.0.0.1:8000/en/practices/{submitted.slug}/" in text


def test_back_office_request_changes_without_comment_is_refused(
    client: Any, editor: Any, submitted: Practice
) -> None:
    client.force_login(editor)
    response = client.post(review_url(submitted), {"decision": "request_changes", "comment": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"comment": ["Write a comment: the author needs to know why."]}
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED
    assert PracticeReview.objects.filter(practice=submitted).count() == 1


def test_back_office_request_changes_records_the_comment(
    client: Any, editor: Any, submitted: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_url(submitted), {"decision": "request_changes", "comment": "Which river?"})
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.CHANGES_REQUESTED
    latest = PracticeReview.objects.filter(practice=submitted).first()
    assert latest is not None
    assert (latest.action, latest.comment, latest.actor) == (
        ReviewAction.REQUEST_CHANGES,
        "Which river?",
        editor,
    )
    assert [message.to for message in mail.outbox] == [["author@example.org"]]


def test_back_office_decision_not_allowed_in_this_state_is_refused(
    client: Any, editor: Any, published_practice: Practice
) -> None:
    client.force_login(editor)
    response = client.post(review_url(published_practice), {"decision": "approve", "comment": ""})
    assert response.status_code == 200
    assert "decision" in response.context["form"].errors
    assert [choice[0] for choice in response.context["form"].fields["decision"].choices] == ["unpublish"]


def test_back_office_review_is_closed_to_members(client: Any, member: Any, submitted: Practice) -> None:
    client.force_login(member)
    response = client.post(review_url(submitted), {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED


def test_back_office_listing_is_closed_to_members(client: Any, member: Any) -> None:
    client.force_login(member)
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_back_office_edit_page_offers_review(client: Any, editor: Any, submitted: Practice) -> None:
    client.force_login(editor)
    response = client.get(f"/admin/snippets/practices/practice/edit/{submitted.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert review_url(submitted) in content
    assert 'name="images-TOTAL_FORMS"' in content
    assert 'name="relations-TOTAL_FORMS"' in content


def test_back_office_history_lists_the_revisions(client: Any, editor: Any, submitted: Practice) -> None:
    client.force_login(editor)
    response = client.get(f"/admin/snippets/practices/practice/history/{submitted.pk}/")
    assert response.status_code == 200
    assert submitted.revisions.count() == 2
    assert html.unescape(response.content.decode()).count("Amara Okafor") >= 2


def test_back_office_has_no_add_button(client: Any, editor: Any) -> None:
    client.force_login(editor)
    response = client.get("/admin/snippets/practices/practice/add/")
    assert response.status_code == 302
