"""The group library: sharing documents and links, the type check by content, search, downloads, removal,
and who reaches which page."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from connective.core.models import AuditLog
from connective.groups.library import library_item_add, library_item_remove, library_items
from connective.groups.models import Access, Group, LibraryItem, LibraryItemKind, MemberRole, Membership
from connective.groups.selectors import GroupAccess, group_access
from connective.groups.uploads import UPLOAD_MAX_BYTES, sniff, upload_check
from tests.conftest import private_files_under
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.practices.test_detail import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def office_zip(main_type: str, part: str = "word/document.xml") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/{part}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


def odf_zip(mimetype: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", mimetype, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    private_files_under(settings, tmp_path)
    return tmp_path


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def moderator(db: Any) -> Any:
    return UserFactory(email="moderator@example.org", first_name="Moana", last_name="Derator")


@pytest.fixture
def outsider(db: Any) -> Any:
    user = UserFactory(email="outsider@example.org")
    MembershipFactory(group=GroupFactory(), user=user)
    return user


def make_group(access: str, moderator: Any, member: Any) -> Group:
    group = GroupFactory(name=f"The {access} group", slug=f"the-{access}-group", access=access)
    MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
    MembershipFactory(group=group, user=member)
    return group


@pytest.fixture
def group(moderator: Any, member: Any) -> Group:
    return make_group(Access.CLOSED, moderator, member)


def access_of(user: Any, group: Group) -> GroupAccess:
    return group_access(viewer=user, group=group)


def add_document(
    user: Any, group: Group, name: str = "heat-plan.pdf", content: bytes = PDF, **fields: Any
) -> Any:
    values = {"title": "Heat action plan", "description": "", "language": "en", **fields}
    return library_item_add(
        adder=user,
        access=access_of(user, group),
        kind=LibraryItemKind.DOCUMENT,
        file=upload(name, content),
        **values,
    )


def add_link(user: Any, group: Group, url: str = "https://example.org/heat", **fields: Any) -> Any:
    values = {"title": "Heat portal", "description": "", "language": "en", **fields}
    return library_item_add(
        adder=user, access=access_of(user, group), kind=LibraryItemKind.LINK, url=url, **values
    )


# --- The type check -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", PDF, "application/pdf"),
        ("renamed.exe", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        (
            "notes.docx",
            office_zip(DOCX_MAIN),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "notes.odt",
            odf_zip("application/vnd.oasis.opendocument.text"),
            "application/vnd.oasis.opendocument.text",
        ),
        ("data.csv", b"city,heat days\nTunis,42\nCasablanca,17\n", "text/csv"),
        ("readme.txt", "Réunion à Tunis, 10 h.\n".encode(), "text/plain"),
    ],
)
def test_sniff_recognises_allowed_types_by_content(name: str, content: bytes, expected: str) -> None:
    kind = sniff(io.BytesIO(content), name)
    assert kind is not None
    assert kind.content_type == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!doctype html><script>alert(1)</script>"),
        ("page.pdf", b"<!doctype html><script>alert(1)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("macros.docx", office_zip(DOCM_MAIN)),
        ("archive.zip", office_zip("text/plain", part="files/a.txt")),
        ("binary.txt", b"text\x00with\x00nul"),
        ("latin1.txt", "caf\xe9".encode("latin-1")),
    ],
)
def test_sniff_refuses_other_files(name: str, content: bytes) -> None:
    assert sniff(io.BytesIO(content), name) is None


def test_upload_check_names_the_file_after_its_detected_type() -> None:
    checked = upload_check(upload("../../Plan d'action (final).exe", PDF))
    assert checked.name == "Plan-d-action-final.pdf"
    assert (checked.content_type, checked.size) == ("application/pdf", len(PDF))


def test_upload_check_refuses_an_empty_file() -> None:
    with pytest.raises(ValidationError) as caught:
        upload_check(upload("empty.pdf", b""))
    assert caught.value.code == "empty"


# --- Adding -------------------------------------------------------------------------------------------


def test_library_item_add_stores_a_document_under_an_unguessable_name(
    group: Group, member: Any, media_root: Path
) -> None:
    item = add_document(member, group, description="What Tunis does in summer.", language="fr")
    item.refresh_from_db()
    assert (item.kind, item.title, item.language, item.added_by) == (
        "document",
        "Heat action plan",
        "fr",
        member,
    )
    assert (item.content_type, item.size, item.url) == ("application/pdf", len(PDF), "")
    folder, name = item.file.name.rsplit("/", 2)[-2:]
    assert name == "heat-plan.pdf"
    assert len(folder) == 32
    assert (media_root / item.file.name).read_bytes() == PDF
    assert (
        AuditLog.objects.filter(action="groups.library_add", object_id=str(item.pk), actor=member).count()
        == 1
    )


def test_library_item_add_stores_a_link(group: Group, member: Any) -> None:
    item = add_link(member, group, url=" https://example.org/heat ")
    assert (item.kind, item.url, item.file.name) == ("link", "https://example.org/heat", "")


@pytest.mark.parametrize(
    "url",
    ["", "javascript:alert(1)", "ftp://example.org/file", "data:text/html,hi", "example.org", "https://"],
)
def test_library_item_add_refuses_a_link_that_is_not_http(group: Group, member: Any, url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        add_link(member, group, url=url)
    assert list(caught.value.message_dict) == ["url"]
    assert LibraryItem.objects.count() == 0


def test_library_item_add_refuses_a_forbidden_file_and_saves_nothing(
    group: Group, member: Any, media_root: Path
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_document(member, group, name="plan.pdf", content=b"<html><script>alert(1)</script></html>")
    assert caught.value.message_dict["file"] == [
        "This type of file cannot be shared here. Allowed are: PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, "
        "PNG, WebP, GIF, plain text, CSV or Markdown."
    ]
    assert LibraryItem.objects.count() == 0
    assert stored_files(media_root) == []


def test_library_item_add_refuses_a_file_over_20_mb_and_saves_nothing(
    group: Group, member: Any, media_root: Path
) -> None:
    content = PDF + b"\x00" * (UPLOAD_MAX_BYTES + 1 - len(PDF))
    with pytest.raises(ValidationError) as caught:
        add_document(member, group, content=content)
    assert caught.value.message_dict["file"] == [
        "The file is 20.0 MB; the limit is 20 MB. Please upload a smaller file."
    ]
    assert LibraryItem.objects.count() == 0
    assert stored_files(media_root) == []


def test_library_item_add_accepts_a_file_of_exactly_20_mb(group: Group, member: Any) -> None:
    content = PDF + b"\x00" * (UPLOAD_MAX_BYTES - len(PDF))
    assert add_document(member, group, content=content).size == UPLOAD_MAX_BYTES


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"title": "  "}, "title"), ({"title": "x" * 201}, "title"), ({"language": "xx"}, "language")],
)
def test_library_item_add_with_bad_fields_saves_nothing(
    group: Group, member: Any, media_root: Path, fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        add_document(member, group, **fields)
    assert field in caught.value.message_dict
    assert LibraryItem.objects.count() == 0
    assert stored_files(media_root) == []


def test_library_item_add_accepts_a_working_language_of_the_group(group: Group, member: Any) -> None:
    Group.objects.filter(pk=group.pk).update(languages=["en", "sw"])
    group.refresh_from_db()
    assert add_link(member, group, language="sw").language == "sw"


def test_library_item_add_by_someone_who_may_not_post_is_denied(
    group: Group, outsider: Any, member: Any
) -> None:
    open_group = GroupFactory(access=Access.OPEN)
    with pytest.raises(PermissionDenied):
        add_link(outsider, open_group)
    from datetime import timedelta

    from django.utils import timezone

    Membership.objects.filter(group=group, user=member).update(muted_until=timezone.now() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        add_link(member, group)
    assert LibraryItem.objects.count() == 0


# --- Search -------------------------------------------------------------------------------------------


def test_library_items_search_matches_every_word_in_title_or_description(group: Group, member: Any) -> None:
    plan = add_document(member, group, title="Heat action plan", description="Cooling measures for Tunis.")
    portal = add_link(
        member, group, title="Urban heat portal", description="Maps of heat islands.", language="fr"
    )
    add_link(member, group, title="Mobility data", description="Bus lines.")
    access = access_of(member, group)
    assert list(library_items(access, q="heat")) == [portal, plan]
    assert list(library_items(access, q="HEAT tunis")) == [plan]
    assert list(library_items(access, q="islands")) == [portal]
    assert list(library_items(access, q="heat", kind="document")) == [plan]
    assert list(library_items(access, q="heat", language="fr")) == [portal]
    assert list(library_items(access, q="nothing-like-this")) == []


def test_library_items_of_a_closed_group_are_none_for_outsiders(
    group: Group, member: Any, outsider: Any
) -> None:
    add_link(member, group)
    assert list(library_items(access_of(outsider, group))) == []


# --- Removal ------------------------------------------------------------------------------------------


def test_library_item_remove_by_the_adder_deletes_row_and_file(
    group: Group, member: Any, media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    item = add_document(member, group)
    with django_capture_on_commit_callbacks(execute=True):
        library_item_remove(actor=member, access=access_of(member, group), item=item)
    assert LibraryItem.objects.count() == 0
    assert stored_files(media_root) == []
    audit = AuditLog.objects.get(action="groups.library_remove")
    assert (audit.actor, audit.details["added_by_id"], audit.details["title"]) == (
        member,
        member.pk,
        "Heat action plan",
    )


def test_library_item_remove_by_a_moderator_is_logged(group: Group, member: Any, moderator: Any) -> None:
    item = add_link(member, group)
    library_item_remove(actor=moderator, access=access_of(moderator, group), item=item)
    assert LibraryItem.objects.count() == 0
    assert AuditLog.objects.get(action="groups.library_remove").actor == moderator


def test_library_item_remove_by_another_member_is_denied(group: Group, member: Any) -> None:
    item = add_link(member, group)
    other = UserFactory()
    MembershipFactory(group=group, user=other)
    with pytest.raises(PermissionDenied):
        library_item_remove(actor=other, access=access_of(other, group), item=item)
    assert LibraryItem.objects.count() == 1


# --- Pages --------------------------------------------------------------------------------------------

LIBRARY_STATUS = {
    Access.OPEN: {"visitor": 200, "outsider": 200, "member": 200, "moderator": 200, "staff": 200},
    Access.CLOSED: {"visitor": 404, "outsider": 404, "member": 200, "moderator": 200, "staff": 200},
    Access.SECRET: {"visitor": 404, "outsider": 404, "member": 200, "moderator": 200, "staff": 200},
}
ADD_STATUS = {
    Access.OPEN: {"visitor": 302, "outsider": 403, "member": 200, "moderator": 200, "staff": 200},
    Access.CLOSED: {"visitor": 404, "outsider": 404, "member": 200, "moderator": 200, "staff": 200},
    Access.SECRET: {"visitor": 404, "outsider": 404, "member": 200, "moderator": 200, "staff": 200},
}
PERSONAS = ["visitor", "outsider", "member", "moderator", "staff"]


@pytest.mark.parametrize("access", [Access.OPEN, Access.CLOSED, Access.SECRET])
@pytest.mark.parametrize("persona", PERSONAS)
def test_library_pages_answer_each_persona(
    request: Any, access: str, persona: str, moderator: Any, member: Any, outsider: Any
) -> None:
    group = make_group(access, moderator, member)
    item = add_document(member, group)
    client = client_for(request.getfixturevalue(persona))
    expected = LIBRARY_STATUS[access][persona]
    list_response = client.get(reverse("groups:library", kwargs={"slug": group.slug}))
    assert list_response.status_code == expected
    download = client.get(reverse("groups:library_item", kwargs={"slug": group.slug, "pk": item.pk}))
    assert download.status_code == expected
    if expected == 200:
        assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    add = client.get(reverse("groups:library_add", kwargs={"slug": group.slug}))
    assert add.status_code == ADD_STATUS[access][persona]


def test_library_page_lists_items_with_search_and_filters(group: Group, member: Any) -> None:
    add_document(member, group, title="Heat action plan", description="Cooling measures for Tunis.")
    add_link(member, group, title="Urban heat portal", language="fr")
    add_link(member, group, title="Mobility data")
    client = client_for(member)
    url = reverse("groups:library", kwargs={"slug": group.slug})
    html = client.get(url).content.decode()
    assert "3 items" in html
    assert 'href="https://example.org/heat" rel="nofollow noopener noreferrer ugc"' in html
    html = client.get(url, {"q": "heat", "kind": "link"}).content.decode()
    assert "1 item" in html
    assert "Urban heat portal" in html
    assert "Heat action plan" not in html
    html = client.get(url, {"language": "fr"}).content.decode()
    assert "Urban heat portal" in html
    assert "Mobility data" not in html
    html = client.get(url, {"q": "zebra"}).content.decode()
    assert "Nothing in the library matches." in html


def test_library_page_of_50_items_is_paginated_with_a_bounded_number_of_queries(
    group: Group, member: Any, django_assert_max_num_queries: Any
) -> None:
    adders = [UserFactory() for _ in range(5)]
    LibraryItem.objects.bulk_create(
        LibraryItem(
            group=group,
            kind=LibraryItemKind.LINK,
            title=f"Link {n}",
            url=f"https://example.org/{n}",
            added_by=adders[n % 5],
        )
        for n in range(50)
    )
    client = client_for(member)
    url = reverse("groups:library", kwargs={"slug": group.slug})
    with django_assert_max_num_queries(10):
        response = client.get(url)
    html = response.content.decode()
    assert html.count('class="result"') == 25
    assert "Page 1 of 2" in html


def test_library_download_is_an_attachment_that_is_never_sniffed(group: Group, member: Any) -> None:
    item = add_document(member, group, name="Heat plan.pdf")
    response = client_for(member).get(
        reverse("groups:library_item", kwargs={"slug": group.slug, "pk": item.pk})
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Heat-plan.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "sandbox" in response["Content-Security-Policy"]


def test_library_download_of_a_link_or_another_groups_item_answers_404(
    group: Group, member: Any, moderator: Any
) -> None:
    link = add_link(member, group)
    other = make_group(Access.OPEN, moderator, UserFactory())
    elsewhere = add_document(moderator, other)
    client = client_for(member)
    assert (
        client.get(reverse("groups:library_item", kwargs={"slug": group.slug, "pk": link.pk})).status_code
        == 404
    )
    url = reverse("groups:library_item", kwargs={"slug": group.slug, "pk": elsewhere.pk})
    assert client.get(url).status_code == 404


def test_library_add_page_shares_a_document(group: Group, member: Any) -> None:
    response = client_for(member).post(
        reverse("groups:library_add", kwargs={"slug": group.slug}),
        {
            "kind": "document",
            "title": "Heat action plan",
            "description": "",
            "language": "en",
            "file": upload("plan.pdf", PDF),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/en/groups/{group.slug}/library/"
    assert LibraryItem.objects.get().content_type == "application/pdf"


def test_library_add_page_refuses_a_forbidden_file_and_keeps_what_was_typed(
    group: Group, member: Any, media_root: Path
) -> None:
    response = client_for(member).post(
        reverse("groups:library_add", kwargs={"slug": group.slug}),
        {
            "kind": "document",
            "title": "My typed title",
            "description": "My typed description",
            "language": "en",
            "file": upload("virus.pdf", b"MZ\x90\x00 not a pdf"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "This type of file cannot be shared here." in html
    assert 'value="My typed title"' in html
    assert "My typed description" in html
    assert LibraryItem.objects.count() == 0
    assert stored_files(media_root) == []


def test_library_add_page_refuses_a_link_that_is_not_http(group: Group, member: Any) -> None:
    response = client_for(member).post(
        reverse("groups:library_add", kwargs={"slug": group.slug}),
        {"kind": "link", "title": "Bad", "language": "en", "url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert "Give a web address starting with https:// or http://." in response.content.decode()
    assert LibraryItem.objects.count() == 0


def test_library_remove_page_for_the_adder_a_moderator_and_others(
    group: Group, member: Any, moderator: Any
) -> None:
    mine = add_link(member, group, title="Mine")
    theirs = add_link(moderator, group, title="Theirs")
    client = client_for(member)
    html = client.get(reverse("groups:library", kwargs={"slug": group.slug})).content.decode()
    assert html.count("Remove from the library") == 1

    def remove_url(item: LibraryItem) -> str:
        return reverse("groups:library_remove", kwargs={"slug": group.slug, "pk": item.pk})

    assert client.post(remove_url(theirs)).status_code == 403
    assert client.post(remove_url(mine)).status_code == 302
    assert list(LibraryItem.objects.values_list("title", flat=True)) == ["Theirs"]
    other = add_link(member, group, title="Again")
    assert client_for(moderator).post(remove_url(other)).status_code == 302
    assert Client().post(remove_url(theirs)).status_code == 404
    assert list(LibraryItem.objects.values_list("title", flat=True)) == ["Theirs"]
