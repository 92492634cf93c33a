from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from connective.core.models import AuditLog, CitySize, Topic
from connective.practices.models import (
    LinkKind,
    Practice,
    PracticeRelation,
    PracticeReview,
    PracticeStatus,
    RelationKind,
    ReviewAction,
)
from connective.practices.services import (
    practice_add_document,
    practice_add_image,
    practice_approve,
    practice_create_draft,
    practice_reject,
    practice_request_changes,
    practice_set_relations,
    practice_submit,
    practice_unpublish,
    practice_update,
)
from tests.conftest import message_text
from tests.factories import PracticeFactory, UserFactory, city

pytestmark = pytest.mark.django_db


def complete_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Community composting in Sfax markets",
        "summary": "Market waste becomes compost for city parks.",
        "language": "en",
        "city": city("Sfax", "TN"),
        "topics": list(Topic.objects.filter(slug="mobility")),
        "challenge": "Organic waste filled the landfill.",
        "solution": "Collection points at every market.",
        "results": "40 % less organic waste in the landfill.",
    }
    data.update(overrides)
    return data


def png_upload(name: str = "photo.png", size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (10, 120, 80)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def draft(author: Any) -> Practice:
    return practice_create_draft(author=author, data=complete_data())


@pytest.fixture
def submitted(author: Any, draft: Practice, django_capture_on_commit_callbacks: Any) -> Practice:
    with django_capture_on_commit_callbacks(execute=True):
        practice_submit(actor=author, practice=draft)
    mail.outbox.clear()
    return draft


def test_practice_create_draft_derives_place_from_the_city(author: Any) -> None:
    practice = practice_create_draft(author=author, data=complete_data())
    sfax = city("Sfax", "TN")
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT
    assert practice.author == author
    assert practice.contact == author
    assert practice.country_id == "TN"
    assert practice.region.slug == "mena"
    assert practice.city_size == CitySize.for_population(sfax.population)
    assert (practice.latitude, practice.longitude) == (sfax.latitude, sfax.longitude)
    assert practice.slug == "community-composting-in-sfax-markets"
    stored = Practice.objects.get(pk=practice.pk)
    assert [topic.slug for topic in stored.topics.all()] == ["mobility"]


def test_practice_create_draft_gives_arabic_titles_an_ascii_slug(author: Any) -> None:
    first = practice_create_draft(author=author, data=complete_data(title="سماد الأسواق"))
    second = practice_create_draft(author=author, data=complete_data(title="سماد الأسواق"))
    assert first.slug == "practice-sfax"
    assert second.slug == "practice-sfax-2"


def test_practice_create_draft_makes_the_slug_unique(author: Any) -> None:
    PracticeFactory(slug="community-composting-in-sfax-markets")
    practice = practice_create_draft(author=author, data=complete_data())
    assert practice.slug == "community-composting-in-sfax-markets-2"


def test_practice_create_draft_saves_a_revision_and_an_audit_entry(author: Any) -> None:
    practice = practice_create_draft(
        author=author, data={"title": "Only a title", "city": city("Sfax", "TN")}
    )
    assert practice.revisions.count() == 1
    assert practice.latest_revision is not None
    assert practice.latest_revision.user == author
    assert (
        AuditLog.objects.filter(
            action="practice.create_draft", object_id=str(practice.pk), actor=author
        ).count()
        == 1
    )


def test_practice_create_draft_without_title_or_city_saves_nothing(author: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        practice_create_draft(author=author, data={"summary": "Some words"})
    assert set(caught.value.message_dict) == {"title", "city"}
    assert Practice.objects.count() == 0


def test_practice_update_adds_a_revision(author: Any, draft: Practice) -> None:
    practice_update(actor=author, practice=draft, data={"title": "Composting in Sfax", "sdgs": []})
    draft.refresh_from_db()
    assert draft.title == "Composting in Sfax"
    assert draft.slug == "community-composting-in-sfax-markets"
    assert draft.revisions.count() == 2


def test_practice_update_by_someone_else_is_denied(member: Any, draft: Practice) -> None:
    with pytest.raises(PermissionDenied):
        practice_update(actor=member, practice=draft, data={"title": "Hijacked"})
    draft.refresh_from_db()
    assert draft.title == "Community composting in Sfax markets"


def test_practice_update_rejects_an_end_before_the_start(author: Any, draft: Practice) -> None:
    with pytest.raises(ValidationError) as caught:
        practice_update(actor=author, practice=draft, data={"start_year": 2020, "end_year": 2018})
    assert caught.value.message_dict == {"end_year": ["The end year cannot be before the start year."]}


def test_practice_submit_moves_to_submitted_and_tells_author_and_editors(
    author: Any, editor: Any, draft: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        review = practice_submit(actor=author, practice=draft)
    draft.refresh_from_db()
    assert draft.status == PracticeStatus.SUBMITTED
    assert draft.submitted_at is not None
    assert review.action == ReviewAction.SUBMIT
    assert sorted(message.to[0] for message in mail.outbox) == ["author@example.org", "editor@example.org"]
    to_author = next(message for message in mail.outbox if message.to == ["author@example.org"])
    assert to_author.subject == "We received your practice “Community composting in Sfax markets”"
    to_editor = next(message for message in mail.outbox if message.to == ["editor@example.org"])
    assert f"http://127.0.0.1:8000/admin/practices/{draft.pk}/review/" in to_editor.body
    assert AuditLog.objects.filter(action="practice.submit", object_id=str(draft.pk)).count() == 1


def test_practice_submit_incomplete_raises_per_field_errors_and_changes_nothing(
    author: Any, django_capture_on_commit_callbacks: Any
) -> None:
    practice = practice_create_draft(
        author=author, data={"title": "Half written", "city": city("Sfax", "TN")}
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as caught:
        practice_submit(actor=author, practice=practice)
    assert set(caught.value.message_dict) == {"summary", "topics", "challenge", "solution", "results"}
    assert caught.value.message_dict["topics"] == ["Choose at least one topic."]
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.DRAFT
    assert PracticeReview.objects.count() == 0
    assert mail.outbox == []


def test_practice_submit_by_another_member_is_denied(member: Any, draft: Practice) -> None:
    with pytest.raises(PermissionDenied):
        practice_submit(actor=member, practice=draft)


def test_practice_approve_publishes_and_emails_author_in_their_language(
    author: Any, editor: Any, submitted: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    author.language = "fr"
    author.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        practice_approve(editor=editor, practice=submitted, comment="Très bien documenté.")
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.PUBLISHED
    assert submitted.published_at is not None
    assert len(callbacks) == 2  # the e-mail and the search index update
    assert [message.to for message in mail.outbox] == [["author@example.org"]]
    body = mail.outbox[0].body
    assert "Très bien documenté." in body
    assert f"http://127.0.0.1:8000/fr/practices/{submitted.slug}/" in body
    assert (
        AuditLog.objects.filter(action="practice.approve", object_id=str(submitted.pk), actor=editor).count()
        == 1
    )


def test_practice_approve_indexes_the_practice_for_search(
    editor: Any, submitted: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    from connective.practices.selectors import practice_search_index

    assert submitted.pk not in practice_search_index().ids()
    with django_capture_on_commit_callbacks(execute=True):
        practice_approve(editor=editor, practice=submitted)
    assert submitted.pk in practice_search_index().ids()


def test_practice_approve_of_a_members_unsubmitted_draft_is_refused(editor: Any, draft: Practice) -> None:
    with pytest.raises(ValidationError) as caught:
        practice_approve(editor=editor, practice=draft)
    assert caught.value.messages == ["A practice that is “Draft” cannot be approved."]
    draft.refresh_from_db()
    assert draft.status == PracticeStatus.DRAFT


def test_practice_approve_of_the_editors_own_draft_publishes_directly(editor: Any) -> None:
    practice = practice_create_draft(author=editor, data=complete_data())
    practice_approve(editor=editor, practice=practice)
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED


def test_practice_approve_by_a_member_is_denied(member: Any, submitted: Practice) -> None:
    with pytest.raises(PermissionDenied):
        practice_approve(editor=member, practice=submitted)
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED


def test_practice_request_changes_needs_a_comment(editor: Any, submitted: Practice) -> None:
    with pytest.raises(ValidationError) as caught:
        practice_request_changes(editor=editor, practice=submitted, comment="  ")
    assert caught.value.message_dict == {"comment": ["Write a comment: the author needs to know why."]}
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED


def test_practice_request_changes_lets_the_author_edit_and_resubmit(
    author: Any, editor: Any, submitted: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        practice_request_changes(editor=editor, practice=submitted, comment="Please add figures.")
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.CHANGES_REQUESTED
    assert (
        mail.outbox[0].subject == "Changes requested for your practice “Community composting in Sfax markets”"
    )
    assert "Please add figures." in mail.outbox[0].body
    assert f"/en/practices/{submitted.slug}/edit/" in mail.outbox[0].body
    practice_update(actor=author, practice=submitted, data={"results": "42 % less waste, measured monthly."})
    practice_submit(actor=author, practice=submitted)
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.SUBMITTED
    assert list(submitted.reviews.values_list("action", flat=True)) == ["submit", "request_changes", "submit"]


def test_practice_reject_is_final_for_the_author(author: Any, editor: Any, submitted: Practice) -> None:
    practice_reject(editor=editor, practice=submitted, comment="Not a municipal practice.")
    submitted.refresh_from_db()
    assert submitted.status == PracticeStatus.REJECTED
    with pytest.raises(PermissionDenied):
        practice_update(actor=author, practice=submitted, data={"title": "Try again"})


def test_practice_reject_of_a_published_practice_is_refused(
    editor: Any, published_practice: Practice
) -> None:
    with pytest.raises(ValidationError):
        practice_reject(editor=editor, practice=published_practice, comment="No.")


def test_practice_unpublish_sends_the_practice_back_to_the_author(
    editor: Any, published_practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        practice_unpublish(editor=editor, practice=published_practice, comment="The figures are outdated.")
    published_practice.refresh_from_db()
    assert published_practice.status == PracticeStatus.CHANGES_REQUESTED
    assert mail.outbox[0].to == ["author@example.org"]
    assert "The figures are outdated." in mail.outbox[0].body


def test_practice_unpublish_of_a_draft_is_refused(editor: Any, draft: Practice) -> None:
    with pytest.raises(ValidationError):
        practice_unpublish(editor=editor, practice=draft, comment="Why?")


def test_practice_approve_email_reaches_a_real_smtp_server(
    author: Any, editor: Any, submitted: Practice, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    author.language = "de"
    author.save()
    with django_capture_on_commit_callbacks(execute=True):
        practice_approve(editor=editor, practice=submitted, comment="Gut gemacht.")
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0]["To"] == "author@example.org"
    text = message_text(received[0])
    assert "Gut gemacht." in text
    assert f"http://127.0.0.1:8000/de/practices/{submitted.slug}/" in text


def test_practice_add_image_creates_a_wagtail_image(author: Any, draft: Practice) -> None:
    attached = practice_add_image(
        actor=author,
        practice=draft,
        file=png_upload(),
        alt_text="Compost heaps at the market",
        caption="2024",
    )
    assert attached.image.width == 40
    assert attached.image.height == 30
    assert attached.alt_text == "Compost heaps at the market"
    assert list(draft.images.all()) == [attached]


def test_practice_add_image_refuses_a_file_that_is_not_an_image(author: Any, draft: Practice) -> None:
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        practice_add_image(actor=author, practice=draft, file=fake, alt_text="Something")
    assert caught.value.message_dict == {
        "image": [
            "This file is not a JPEG, PNG or WebP image. "
            "Please upload a photo or graphic in one of these formats."
        ]
    }
    assert draft.images.count() == 0


def test_practice_add_image_refuses_a_gif(author: Any, draft: Practice) -> None:
    buffer = io.BytesIO()
    PILImage.new("RGB", (5, 5)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as caught:
        practice_add_image(
            actor=author, practice=draft, file=SimpleUploadedFile("a.gif", buffer.getvalue()), alt_text="A"
        )
    assert list(caught.value.message_dict) == ["image"]


def test_practice_add_image_refuses_more_than_ten_megabytes(author: Any, draft: Practice) -> None:
    upload = png_upload()
    upload.size = 10 * 1024 * 1024 + 1
    with pytest.raises(ValidationError) as caught:
        practice_add_image(actor=author, practice=draft, file=upload, alt_text="Big")
    assert caught.value.message_dict == {
        "image": ["The image is 10.0 MB; the limit is 10 MB. Please upload a smaller image."]
    }


def test_practice_add_image_requires_alt_text(author: Any, draft: Practice) -> None:
    with pytest.raises(ValidationError) as caught:
        practice_add_image(actor=author, practice=draft, file=png_upload(), alt_text=" ")
    assert list(caught.value.message_dict) == ["alt_text"]


def test_practice_add_document_stores_a_pdf(author: Any, draft: Practice) -> None:
    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.4 minimal", content_type="application/pdf")
    attached = practice_add_document(actor=author, practice=draft, file=upload, title="Evaluation report")
    assert attached.document.title == "Evaluation report"
    assert attached.document.file.name.endswith(".pdf")


def test_practice_add_document_refuses_an_executable(author: Any, draft: Practice) -> None:
    upload = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as caught:
        practice_add_document(actor=author, practice=draft, file=upload, title="Tool")
    assert list(caught.value.message_dict) == ["document"]


def test_practice_update_replaces_links(author: Any, draft: Practice) -> None:
    practice_update(
        actor=author,
        practice=draft,
        data={
            "links": [{"title": "City report", "url": "https://sfax.example/report", "kind": LinkKind.SOURCE}]
        },
    )
    assert list(draft.links.values_list("title", "url", "kind")) == [
        ("City report", "https://sfax.example/report", "source")
    ]


def test_practice_set_relations_links_published_practices(
    author: Any, draft: Practice, published_practice: Practice
) -> None:
    practice_set_relations(
        actor=author, practice=draft, relations=[(RelationKind.ADAPTS, published_practice)]
    )
    assert list(PracticeRelation.objects.values_list("source", "target", "kind")) == [
        (draft.pk, published_practice.pk, "adapts")
    ]


def test_practice_set_relations_refuses_itself_and_unpublished(author: Any, draft: Practice) -> None:
    other_draft = PracticeFactory(status=PracticeStatus.DRAFT, title="Unpublished idea")
    with pytest.raises(ValidationError) as caught:
        practice_set_relations(
            actor=author,
            practice=draft,
            relations=[(RelationKind.RELATED, draft), (RelationKind.RELATED, other_draft)],
        )
    assert caught.value.message_dict == {
        "relations": ["A practice cannot be related to itself.", "“Unpublished idea” is not published."]
    }
    assert PracticeRelation.objects.count() == 0


def test_practice_editors_receive_each_in_their_language(
    author: Any, editor: Any, staff: Any, draft: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    staff.language = "es"
    staff.save()
    UserFactory(email="inactive-editor@example.org", role="editor", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        practice_submit(actor=author, practice=draft)
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["author@example.org", "editor@example.org", "staff@example.org"]
