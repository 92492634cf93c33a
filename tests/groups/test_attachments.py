"""Files attached to posts: accepted by their content (not their name), limited in size and number, stored
under unguessable names, and served only to those who may read the post, as downloads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from connective.groups.discussions import post_create, thread_create
from connective.groups.models import Access, Attachment, Group, Post, PostStatus, Thread
from tests.conftest import private_files_under
from tests.factories import MembershipFactory
from tests.groups import test_discussions
from tests.groups.test_discussions import access_of, make_group, start
from tests.practices.test_detail import client_for

pytestmark = pytest.mark.django_db

moderator = test_discussions.moderator
outsider = test_discussions.outsider

OOXML = "application/vnd.openxmlformats-officedocument"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    private_files_under(settings, tmp_path)
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def office(main_part: str, main_type: str, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(main_part, "<document/>")
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


DOCX = office("word/document.xml", f"{OOXML}.wordprocessingml.document.main+xml")
XLSX = office("xl/workbook.xml", f"{OOXML}.spreadsheetml.sheet.main+xml")
PPTX = office("ppt/presentation.xml", f"{OOXML}.presentationml.presentation.main+xml")
DOCM = office(
    "word/document.xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    {"word/vbaProject.bin": "macro"},
)


def upload(name: str, content: bytes, claimed: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=claimed)


@pytest.fixture
def group(member: Any, moderator: Any) -> Group:
    return make_group(Access.CLOSED, member=member, moderator=moderator)


@pytest.fixture
def thread(group: Group, member: Any) -> Thread:
    return start(group, member)


# --- Accepted by content ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "stored_name", "content_type"),
    [
        ("Heat plan.pdf", PDF, "Heat-plan.pdf", "application/pdf"),
        ("map.png", PNG, "map.png", "image/png"),
        ("photo.jpeg", JPEG, "photo.jpg", "image/jpeg"),
        ("tree.webp", WEBP, "tree.webp", "image/webp"),
        ("budget.docx", DOCX, "budget.docx", f"{OOXML}.wordprocessingml.document"),
        ("budget.xlsx", XLSX, "budget.xlsx", f"{OOXML}.spreadsheetml.sheet"),
        ("slides.pptx", PPTX, "slides.pptx", f"{OOXML}.presentationml.presentation"),
        (
            "notes.odt",
            opendocument("application/vnd.oasis.opendocument.text"),
            "notes.odt",
            "application/vnd.oasis.opendocument.text",
        ),
        (
            "sheet.ods",
            opendocument("application/vnd.oasis.opendocument.spreadsheet"),
            "sheet.ods",
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        (
            "talk.odp",
            opendocument("application/vnd.oasis.opendocument.presentation"),
            "talk.odp",
            "application/vnd.oasis.opendocument.presentation",
        ),
        ("trees.csv", b"street,trees\nRainbow St,12\nZahran,7\n", "trees.csv", "text/csv"),
        ("Überblick.txt", "Schattenbäume an Schulwegen.\n".encode(), "Uberblick.txt", "text/plain"),
        # A PDF named like a picture is a PDF: the content decides, and the stored name follows it.
        ("scan.png", PDF, "scan.pdf", "application/pdf"),
    ],
)
def test_attachment_accepted_by_content(
    group: Group,
    thread: Thread,
    member: Any,
    _media: Path,
    name: str,
    content: bytes,
    stored_name: str,
    content_type: str,
) -> None:
    post = post_create(
        author=member,
        access=access_of(member, group),
        thread=thread,
        body="See attached.",
        attachments=[upload(name, content, claimed="text/html")],
    )

    attachment = Attachment.objects.get(post=post)
    assert (attachment.name, attachment.content_type, attachment.size) == (
        stored_name,
        content_type,
        len(content),
    )
    # Stored under a random name, not the uploader's.
    assert Path(attachment.file.name).name != stored_name
    assert Path(attachment.file.name).suffix == Path(stored_name).suffix
    assert attachment.file.name.startswith("groups/attachments/")
    assert (_media / attachment.file.name).read_bytes() == content


def test_attachment_five_files_on_a_new_thread(group: Group, member: Any) -> None:
    files = [upload(f"part-{n}.pdf", PDF) for n in range(5)]
    thread = thread_create(
        author=member, access=access_of(member, group), title="Plans", body="Five parts.", attachments=files
    )
    post = Post.objects.get(thread=thread)
    assert list(post.attachments.values_list("name", flat=True)) == [f"part-{n}.pdf" for n in range(5)]


# --- Refused, and nothing saved -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "report.pdf",
            b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64,
            "This type of file cannot be shared here.",
        ),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "This type of file cannot be shared here."),
        ("macros.docx", DOCM, "This type of file cannot be shared here."),
        ("archive.docx", office("other.xml", "application/xml"), "This type of file cannot be shared here."),
        ("setup.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "This type of file cannot be shared here."),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_attachment_forbidden_type_is_refused_and_nothing_saved(
    group: Group, thread: Thread, member: Any, _media: Path, name: str, content: bytes, problem: str
) -> None:
    before = stored_files(_media)
    with pytest.raises(ValidationError) as error:
        post_create(
            author=member,
            access=access_of(member, group),
            thread=thread,
            body="See attached.",
            attachments=[upload(name, content, claimed="application/pdf")],
        )

    messages = error.value.message_dict["attachments"]
    assert len(messages) == 1
    assert messages[0].startswith(f"“{name}”: {problem}")
    assert (Post.objects.filter(thread=thread).count(), Attachment.objects.count()) == (1, 0)
    assert stored_files(_media) == before


def test_attachment_refusal_names_the_allowed_types(group: Group, thread: Thread, member: Any) -> None:
    with pytest.raises(ValidationError) as error:
        post_create(
            author=member,
            access=access_of(member, group),
            thread=thread,
            body="x",
            attachments=[upload("tool.exe", b"MZ" + b"\x00" * 10)],
        )
    assert error.value.message_dict["attachments"] == [
        "“tool.exe”: This type of file cannot be shared here. Allowed are: PDF, Word, Excel, PowerPoint, "
        "OpenDocument, JPEG, PNG, WebP, GIF, plain text, CSV or Markdown."
    ]


def test_attachment_over_the_size_limit_is_refused(
    group: Group, thread: Thread, member: Any, settings: Any, _media: Path
) -> None:
    settings.GROUP_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(ValidationError) as error:
        post_create(
            author=member,
            access=access_of(member, group),
            thread=thread,
            body="Big one",
            attachments=[upload("small.pdf", PDF), upload("big.pdf", big)],
        )
    assert error.value.message_dict["attachments"] == [
        "“big.pdf”: The file is 1.0 MB; the limit is 1 MB. Please upload a smaller file."
    ]
    assert (Attachment.objects.count(), stored_files(_media)) == (0, [])


def test_attachment_default_limit_is_10_mb(group: Group, thread: Thread, member: Any) -> None:
    eleven = PDF + b"0" * (11 * 1024 * 1024)
    with pytest.raises(ValidationError) as error:
        post_create(
            author=member,
            access=access_of(member, group),
            thread=thread,
            body="Big",
            attachments=[upload("big.pdf", eleven)],
        )
    assert error.value.message_dict["attachments"] == [
        "“big.pdf”: The file is 11.0 MB; the limit is 10 MB. Please upload a smaller file."
    ]


def test_attachment_six_files_are_refused(group: Group, thread: Thread, member: Any, _media: Path) -> None:
    with pytest.raises(ValidationError) as error:
        post_create(
            author=member,
            access=access_of(member, group),
            thread=thread,
            body="Many",
            attachments=[upload(f"{n}.pdf", PDF) for n in range(6)],
        )
    assert error.value.message_dict == {
        "attachments": ["You can attach at most 5 files to a post (you chose 6)."]
    }
    assert (Attachment.objects.count(), stored_files(_media)) == (0, [])


def test_attachment_error_comes_with_the_other_errors(group: Group, thread: Thread, member: Any) -> None:
    with pytest.raises(ValidationError) as error:
        post_create(
            author=member,
            access=access_of(member, group),
            thread=thread,
            body=" ",
            attachments=[upload("a.exe", b"MZ")],
        )
    assert set(error.value.message_dict) == {"body", "attachments"}


# --- On the page --------------------------------------------------------------------------------------


def test_reply_page_with_a_forbidden_file_keeps_the_text_and_says_why(
    group: Group, thread: Thread, member: Any
) -> None:
    response = client_for(member).post(
        reverse("groups:reply", kwargs={"slug": group.slug, "pk": thread.pk}),
        {"body": "Our plan, attached.", "attachments": [upload("plan.pdf", b"MZ\x90\x00")]},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "“plan.pdf”: This type of file cannot be shared here." in html
    assert "Our plan, attached." in html
    assert "Please choose your files again" in html
    assert Post.objects.filter(thread=thread).count() == 1


def test_reply_page_with_files_attaches_them_and_lists_them(
    group: Group, thread: Thread, member: Any
) -> None:
    client = client_for(member)
    response = client.post(
        reverse("groups:reply", kwargs={"slug": group.slug, "pk": thread.pk}),
        {"body": "Two files.", "attachments": [upload("plan.pdf", PDF), upload("map.png", PNG)]},
    )
    assert response.status_code == 302
    post = Post.objects.get(thread=thread, position=2)
    names = list(post.attachments.values_list("pk", "name"))
    assert [name for _pk, name in names] == ["plan.pdf", "map.png"]
    html = client.get(reverse("groups:thread", kwargs={"slug": group.slug, "pk": thread.pk})).content.decode()
    for pk, name in names:
        assert f'<a href="/en/groups/{group.slug}/attachments/{pk}/" download>{name}</a>' in html


# --- Served only to readers ---------------------------------------------------------------------------


def attachment_on(thread: Thread, author: Any, *, status: str = PostStatus.PUBLISHED) -> Attachment:
    post = post_create(
        author=author,
        access=access_of(author, thread.group),
        thread=thread,
        body="File",
        attachments=[upload("plan.pdf", PDF)],
    )
    Post.objects.filter(pk=post.pk).update(status=status)
    return Attachment.objects.get(post=post)


def download_url(attachment: Attachment) -> str:
    return reverse(
        "groups:attachment", kwargs={"slug": attachment.post.thread.group.slug, "pk": attachment.pk}
    )


@pytest.mark.parametrize(
    ("access", "persona", "status"),
    [
        (Access.OPEN, "visitor", 200),
        (Access.OPEN, "outsider", 200),
        (Access.OPEN, "member", 200),
        (Access.CLOSED, "visitor", 404),
        (Access.CLOSED, "outsider", 404),
        (Access.CLOSED, "member", 200),
        (Access.CLOSED, "moderator", 200),
        (Access.CLOSED, "staff", 200),
        (Access.SECRET, "visitor", 404),
        (Access.SECRET, "outsider", 404),
        (Access.SECRET, "member", 200),
        (Access.SECRET, "staff", 200),
    ],
)
def test_attachment_download_only_for_readers(
    member: Any, moderator: Any, request: Any, access: str, persona: str, status: int
) -> None:
    group = make_group(access, member=member, moderator=moderator)
    attachment = attachment_on(start(group, member), member)

    response = client_for(request.getfixturevalue(persona)).get(download_url(attachment))

    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == 'attachment; filename="plan.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF


def test_attachment_of_a_hidden_post_only_for_moderators(
    thread: Thread, member: Any, moderator: Any, staff: Any
) -> None:
    attachment = attachment_on(thread, member, status=PostStatus.HIDDEN)
    assert client_for(member).get(download_url(attachment)).status_code == 404
    assert client_for(moderator).get(download_url(attachment)).status_code == 200
    assert client_for(staff).get(download_url(attachment)).status_code == 200


def test_attachment_of_a_held_post_for_its_author_and_moderators(
    group: Group, thread: Thread, member: Any, moderator: Any, author: Any
) -> None:
    MembershipFactory(group=group, user=author)
    attachment = attachment_on(thread, author, status=PostStatus.HELD)
    assert client_for(author).get(download_url(attachment)).status_code == 200
    assert client_for(moderator).get(download_url(attachment)).status_code == 200
    assert client_for(member).get(download_url(attachment)).status_code == 404


def test_attachment_under_another_group_address_is_404(thread: Thread, member: Any, moderator: Any) -> None:
    attachment = attachment_on(thread, member)
    other = make_group(Access.OPEN, member=member, moderator=moderator)
    wrong = reverse("groups:attachment", kwargs={"slug": other.slug, "pk": attachment.pk})
    assert client_for(member).get(wrong).status_code == 404
    assert (
        Client().get(reverse("groups:attachment", kwargs={"slug": other.slug, "pk": 999999})).status_code
        == 404
    )


def test_attachment_is_stored_outside_the_public_media_folder(
    group: Group, thread: Thread, member: Any, _media: Path
) -> None:
    client_for(member).post(
        reverse("groups:reply", kwargs={"slug": group.slug, "pk": thread.pk}),
        {"body": "The plan.", "attachments": [upload("plan.pdf", PDF)]},
    )
    attachment = Attachment.objects.get(post__thread=thread)
    stored = Path(attachment.file.path)
    assert stored.read_bytes() == PDF
    assert stored.parent.parent.parent.parent == _media / "groups"
    assert stored_files(_media / "public") == []
