"""The documentation after an event: outcomes, documents (files checked by content, photos images only, links),
practices presented (published only), who may manage it and who may download what."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from connective.core.models import AuditLog
from connective.events.documentation import (
    document_add,
    document_remove,
    outcomes_update,
    practice_link,
    practice_unlink,
)
from connective.events.models import DocumentKind, Event, EventDocument, EventStatus
from connective.practices.models import PracticeStatus
from tests.conftest import private_files_under
from tests.factories import EventFactory, PracticeFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _private_files(settings: Any, tmp_path: Path) -> None:
    private_files_under(settings, tmp_path)


@pytest.fixture
def world(staff: Any) -> dict[str, Any]:
    organiser = UserFactory(first_name="Olga", last_name="Organiser")
    now = timezone.now()
    event = EventFactory(
        organisers=[organiser], starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1)
    )
    participant = UserFactory(first_name="Paula", last_name="Participant")
    RegistrationFactory(event=event, user=participant)
    return {
        "event": event,
        "url": f"/en/events/{event.slug}/manage/documentation/",
        "people": {
            "visitor": None,
            "other": UserFactory(first_name="Otto", last_name="Other"),
            "participant": participant,
            "organiser": organiser,
            "staff": staff,
        },
    }


def add_file(
    event: Event, *, participants_only: bool = False, kind: str = DocumentKind.PRESENTATION
) -> EventDocument:
    return document_add(
        event=event,
        actor=None,
        kind=kind,
        title="Opening slides",
        file=upload("slides.pdf", PDF_BYTES, "application/pdf"),
        participants_only=participants_only,
    )


# --- services -----------------------------------------------------------------------------------------


def test_outcomes_update_saves_markdown_and_logs(world: dict[str, Any]) -> None:
    organiser = world["people"]["organiser"]
    outcomes_update(event=world["event"], actor=organiser, outcomes="## Agreed\r\n\r\n* Two pilot streets  ")
    world["event"].refresh_from_db()
    assert world["event"].outcomes == "## Agreed\n\n* Two pilot streets"
    log = AuditLog.objects.get(action="event.outcomes_update")
    assert (log.actor_id, log.object_id) == (organiser.pk, str(world["event"].pk))


def test_outcomes_update_too_long_is_refused(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        outcomes_update(event=world["event"], actor=None, outcomes="x" * 20001)
    assert caught.value.message_dict == {
        "outcomes": ["The outcomes are too long: at most 20000 characters (they have 20001)."]
    }
    world["event"].refresh_from_db()
    assert world["event"].outcomes == ""


def test_document_add_stores_a_checked_file_in_private_storage(world: dict[str, Any], tmp_path: Path) -> None:
    document = add_file(world["event"], participants_only=True)
    assert (
        document.kind,
        document.title,
        document.content_type,
        document.size,
        document.participants_only,
    ) == (
        "presentation",
        "Opening slides",
        "application/pdf",
        len(PDF_BYTES),
        True,
    )
    assert document.file.name.startswith(f"events/{timezone.now().year}/")
    assert document.file.name.endswith("/slides.pdf")
    assert (tmp_path / document.file.name).read_bytes() == PDF_BYTES
    assert not (tmp_path / "public").exists() or not any((tmp_path / "public").rglob("*.pdf"))
    log = AuditLog.objects.get(action="event.document_add")
    assert log.details == {"document": document.pk, "kind": "presentation", "title": "Opening slides"}


def test_document_add_photo_must_be_an_image(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        document_add(
            event=world["event"],
            actor=None,
            kind=DocumentKind.PHOTO,
            title="Group photo",
            file=upload("photo.pdf", PDF_BYTES),
        )
    assert caught.value.message_dict == {"file": ["A photo must be a JPEG, PNG, WebP or GIF image."]}
    photo = document_add(
        event=world["event"],
        actor=None,
        kind=DocumentKind.PHOTO,
        title="Group photo",
        file=upload("photo.png", PNG_BYTES),
    )
    assert (photo.content_type, EventDocument.objects.count()) == ("image/png", 1)


def test_document_add_forbidden_type_is_refused_and_nothing_stored(
    world: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(ValidationError) as caught:
        document_add(
            event=world["event"],
            actor=None,
            kind=DocumentKind.DOCUMENT,
            title="Tool",
            file=upload("report.pdf", EXE_BYTES),
        )
    assert list(caught.value.message_dict) == ["file"]
    assert caught.value.message_dict["file"][0].startswith("This type of file cannot be shared here.")
    assert EventDocument.objects.count() == 0
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_document_add_link_needs_a_web_address(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        document_add(
            event=world["event"],
            actor=None,
            kind=DocumentKind.LINK,
            title="Recording",
            url="javascript:alert(1)",
        )
    assert caught.value.message_dict == {"url": ["Give a web address starting with https:// or http://."]}
    link = document_add(
        event=world["event"],
        actor=None,
        kind=DocumentKind.LINK,
        title="Recording",
        url="https://video.example.org/1",
    )
    assert (link.url, bool(link.file)) == ("https://video.example.org/1", False)


def test_document_add_without_title_or_file_says_both(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        document_add(event=world["event"], actor=None, kind=DocumentKind.DOCUMENT, title="  ")
    assert caught.value.message_dict == {
        "title": ["Give the document a title."],
        "file": ["Choose the file to add."],
    }
    assert EventDocument.objects.count() == 0


def test_document_remove_deletes_the_row_and_the_file(
    world: dict[str, Any], tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    document = add_file(world["event"])
    stored = tmp_path / document.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        document_remove(document=document, actor=world["people"]["organiser"])
    assert EventDocument.objects.count() == 0
    assert not stored.exists()
    assert AuditLog.objects.get(action="event.document_remove").details["title"] == "Opening slides"


def test_practice_link_only_published_practices(world: dict[str, Any], author: Any) -> None:
    draft = PracticeFactory(author=author, status=PracticeStatus.DRAFT)
    with pytest.raises(ValidationError) as caught:
        practice_link(event=world["event"], actor=None, practice=draft)
    assert caught.value.message_dict == {"practice": ["Only published practices can be linked."]}
    assert world["event"].practices.count() == 0

    published = PracticeFactory(author=author)
    practice_link(event=world["event"], actor=None, practice=published)
    assert list(world["event"].practices.all()) == [published]
    with pytest.raises(ValidationError):
        practice_link(event=world["event"], actor=None, practice=published)
    practice_unlink(event=world["event"], actor=None, practice=published)
    assert world["event"].practices.count() == 0
    assert list(
        AuditLog.objects.filter(action__startswith="event.practice_")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == [
        "event.practice_link",
        "event.practice_unlink",
    ]


# --- the organisers' page -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("visitor", 404), ("other", 404), ("participant", 404), ("organiser", 200), ("staff", 200)],
)
def test_documentation_page_is_for_organisers(world: dict[str, Any], persona: str, status: int) -> None:
    response = client_for(world["people"][persona]).get(world["url"])
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert 'name="outcomes-outcomes"' in html
        assert 'name="document-file"' in html
        assert 'name="practice-practice"' in html


@pytest.mark.parametrize("persona", ["visitor", "other", "participant"])
def test_documentation_page_post_by_others_is_404_and_changes_nothing(
    world: dict[str, Any], persona: str
) -> None:
    response = client_for(world["people"][persona]).post(
        world["url"], {"action": "outcomes", "outcomes-outcomes": "Taken over"}
    )
    assert response.status_code == 404
    world["event"].refresh_from_db()
    assert world["event"].outcomes == ""


def test_documentation_page_saves_outcomes(world: dict[str, Any]) -> None:
    response = client_for(world["people"]["organiser"]).post(
        world["url"], {"action": "outcomes", "outcomes-outcomes": "Three cities start pilots."}, follow=True
    )
    assert response.redirect_chain == [(world["url"], 302)]
    assert "The outcomes are saved." in response.content.decode()
    world["event"].refresh_from_db()
    assert world["event"].outcomes == "Three cities start pilots."


def test_documentation_page_outcomes_too_long_keeps_the_text(world: dict[str, Any]) -> None:
    response = client_for(world["people"]["organiser"]).post(
        world["url"], {"action": "outcomes", "outcomes-outcomes": "z" * 20001}
    )
    assert response.status_code == 400
    assert "The text is too long: at most 20000 characters (it has 20001)." in response.content.decode()
    world["event"].refresh_from_db()
    assert world["event"].outcomes == ""


def test_documentation_page_uploads_a_document(world: dict[str, Any]) -> None:
    response = client_for(world["people"]["organiser"]).post(
        world["url"],
        {
            "action": "document",
            "document-kind": "presentation",
            "document-title": "Keynote",
            "document-file": upload("keynote.pdf", PDF_BYTES, "application/pdf"),
            "document-participants_only": "on",
        },
        follow=True,
    )
    assert "“Keynote” is added." in response.content.decode()
    document = EventDocument.objects.get()
    assert (document.title, document.kind, document.participants_only, document.added_by) == (
        "Keynote",
        "presentation",
        True,
        world["people"]["organiser"],
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "document-kind": "document",
                "document-title": "Virus",
                "document-file": ("tool.exe", EXE_BYTES),
            },
            "This type of file cannot be shared here.",
        ),
        (
            {"document-kind": "photo", "document-title": "Photo", "document-file": ("p.pdf", PDF_BYTES)},
            "A photo must be a JPEG, PNG, WebP or GIF image.",
        ),
        ({"document-kind": "document", "document-title": "No file"}, "Choose the file to add."),
        (
            {"document-kind": "link", "document-title": "Recording", "document-url": "ftp://example.org/x"},
            "Give a web address starting with https:// or http://.",
        ),
        (
            {"document-kind": "link", "document-title": "", "document-url": "https://example.org"},
            "Give the document a title.",
        ),
        (
            {"document-kind": "poster", "document-title": "X"},
            "Choose a document, a presentation, a photo or a link.",
        ),
    ],
)
def test_documentation_page_bad_document_is_refused_and_nothing_saved(
    world: dict[str, Any], data: dict[str, Any], message: str
) -> None:
    post: dict[str, Any] = {"action": "document"}
    for key, value in data.items():
        post[key] = upload(*value) if isinstance(value, tuple) else value
    response = client_for(world["people"]["organiser"]).post(world["url"], post)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert EventDocument.objects.count() == 0


def test_documentation_page_links_a_practice_by_address_or_slug(world: dict[str, Any], author: Any) -> None:
    first = PracticeFactory(author=author, slug="solar-lights", title="Solar lights")
    second = PracticeFactory(author=author, slug="school-streets", title="School streets")
    client = client_for(world["people"]["organiser"])
    response = client.post(
        world["url"],
        {"action": "practice", "practice-practice": "https://cities.example.org/en/practices/solar-lights/"},
        follow=True,
    )
    assert "“Solar lights” is linked." in response.content.decode()
    client.post(world["url"], {"action": "practice", "practice-practice": "school-streets"})
    assert set(world["event"].practices.all()) == {first, second}

    response = client.post(
        world["url"], {"action": "unlink_practice", "practice": str(first.pk)}, follow=True
    )
    assert "“Solar lights” is no longer linked." in response.content.decode()
    assert list(world["event"].practices.all()) == [second]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("unpublished-one", "No published practice has this address."),
        ("https://cities.example.org/en/practices/nothing-here/", "No published practice has this address."),
        ("", "Give the address of a published practice."),
    ],
)
def test_documentation_page_bad_practice_is_refused(
    world: dict[str, Any], author: Any, reference: str, message: str
) -> None:
    PracticeFactory(author=author, slug="unpublished-one", status=PracticeStatus.SUBMITTED)
    response = client_for(world["people"]["organiser"]).post(
        world["url"], {"action": "practice", "practice-practice": reference}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert world["event"].practices.count() == 0


def test_documentation_page_removes_a_document_of_this_event_only(world: dict[str, Any]) -> None:
    mine = add_file(world["event"])
    theirs = add_file(EventFactory())
    client = client_for(world["people"]["organiser"])
    assert (
        client.post(world["url"], {"action": "remove_document", "document": str(theirs.pk)}).status_code
        == 404
    )
    response = client.post(world["url"], {"action": "remove_document", "document": str(mine.pk)}, follow=True)
    assert "“Opening slides” is removed." in response.content.decode()
    assert list(EventDocument.objects.all()) == [theirs]


def test_documentation_page_unknown_action_changes_nothing(world: dict[str, Any]) -> None:
    response = client_for(world["people"]["organiser"]).post(world["url"], {"action": "delete_event"})
    assert response.status_code == 400
    assert "This action is unknown. Please use the buttons on the page." in response.content.decode()
    assert Event.objects.filter(pk=world["event"].pk).exists()


def test_documentation_page_queries_are_bounded(
    world: dict[str, Any], author: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(15):
        document_add(
            event=world["event"],
            actor=None,
            kind=DocumentKind.LINK,
            title=f"Link {n}",
            url=f"https://example.org/{n}",
        )
        practice_link(event=world["event"], actor=None, practice=PracticeFactory(author=author))
    client = client_for(world["people"]["organiser"])
    client.get(world["url"])
    with django_assert_max_num_queries(10):
        response = client.get(world["url"])
    assert response.content.decode().count('name="action" value="remove_document"') == 15


# --- downloads ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["visitor", "other", "participant", "organiser", "staff"])
def test_document_download_of_a_public_document_is_for_everyone(world: dict[str, Any], persona: str) -> None:
    document = add_file(world["event"])
    response = client_for(world["people"][persona]).get(
        f"/en/events/{world['event'].slug}/documents/{document.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="slides.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    ("persona", "status"),
    [("visitor", 404), ("other", 404), ("participant", 200), ("organiser", 200), ("staff", 200)],
)
def test_document_download_participants_only(world: dict[str, Any], persona: str, status: int) -> None:
    document = add_file(world["event"], participants_only=True)
    response = client_for(world["people"][persona]).get(
        f"/en/events/{world['event'].slug}/documents/{document.pk}/"
    )
    assert response.status_code == status


def test_document_download_participants_only_is_404_for_the_waitlist(world: dict[str, Any]) -> None:
    document = add_file(world["event"], participants_only=True)
    waiting = RegistrationFactory(event=world["event"], status="waitlisted")
    response = client_for(waiting.user).get(f"/en/events/{world['event'].slug}/documents/{document.pk}/")
    assert response.status_code == 404


def test_document_download_of_a_draft_event_is_404_for_others(world: dict[str, Any]) -> None:
    document = add_file(world["event"])
    Event.objects.filter(pk=world["event"].pk).update(status=EventStatus.DRAFT)
    url = f"/en/events/{world['event'].slug}/documents/{document.pk}/"
    assert client_for(world["people"]["participant"]).get(url).status_code == 404
    assert client_for(world["people"]["organiser"]).get(url).status_code == 200


def test_document_download_of_a_link_or_another_event_is_404(world: dict[str, Any]) -> None:
    link = document_add(
        event=world["event"],
        actor=None,
        kind=DocumentKind.LINK,
        title="Recording",
        url="https://example.org/r",
    )
    elsewhere = add_file(EventFactory())
    client = client_for(world["people"]["organiser"])
    assert client.get(f"/en/events/{world['event'].slug}/documents/{link.pk}/").status_code == 404
    assert client.get(f"/en/events/{world['event'].slug}/documents/{elsewhere.pk}/").status_code == 404
