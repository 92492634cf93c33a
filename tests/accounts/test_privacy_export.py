from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail, signing
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from connective.accounts.privacy import (
    EXPORT_DOWNLOADED,
    EXPORT_REQUESTED,
    KINDS,
    export_storage,
    privacy_export_build,
    privacy_export_token,
    privacy_export_url,
)
from connective.core.models import AuditLog, Topic
from connective.network.models import (
    Activity,
    ActivityVerb,
    Block,
    Conversation,
    ConversationMember,
    Follow,
    FollowKind,
    Message,
    MessageReport,
    ProfileLanguage,
    ProfileLink,
    ReportReason,
    Visibility,
)
from connective.practices.models import PracticeStatus
from tests.conftest import message_text
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    PracticeFactory,
    ProfileFactory,
    RegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PRIVACY_URL = "/en/account/privacy/"


@pytest.fixture(autouse=True)
def _private_dirs(settings: Any, tmp_path: Path) -> None:
    # Each test has its own export and media directories: user ids repeat between tests on SQLite.
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def open_zip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def stored_zip(name: str) -> zipfile.ZipFile:
    with export_storage().open(name, "rb") as handle:
        return open_zip(handle.read())


def csv_rows(archive: zipfile.ZipFile, kind: str) -> list[dict[str, str]]:
    text = archive.read(f"{kind}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def download_path(user: Any, name: str) -> str:
    return privacy_export_url(user=user, name=name).removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def other(db: Any) -> Any:
    return UserFactory(email="other@example.org", first_name="Oskar", last_name="Lindqvist")


@pytest.fixture
def rich_member(member: Any, other: Any) -> Any:
    """The member with something of every kind of data, much of it involving another member."""
    member.position = "Head of mobility planning"
    member.language = "en"
    member.save()
    profile = ProfileFactory(
        user=member,
        slug="mariam-haddad",
        bio="Planner in Tunis.",
        bio_visibility=Visibility.HIDDEN,
        position_visibility=Visibility.MEMBERS,
    )
    profile.expertise.set(Topic.objects.filter(slug="mobility"))
    ProfileLanguage.objects.create(profile=profile, language="ar", level="native")
    ProfileLink.objects.create(profile=profile, url="https://example.org/mariam", label="Blog")
    organisation = OrganisationFactory(name="Tunis municipality")
    Follow.objects.create(follower=member, kind=FollowKind.PERSON, object_id=other.pk)
    Follow.objects.create(follower=member, kind=FollowKind.ORGANISATION, object_id=organisation.pk)
    Follow.objects.create(
        follower=member, kind=FollowKind.TOPIC, object_id=Topic.objects.get(slug="mobility").pk
    )
    practice = PracticeFactory(author=member, contact=other, title="Bus lanes for Tunis")
    PracticeFactory(
        author=other,
        contact=member,
        title="Draft about cycling",
        status=PracticeStatus.DRAFT,
        published_at=None,
    )
    PracticeFactory(author=other, contact=other, title="Not hers at all")
    Activity.objects.create(verb=ActivityVerb.PRACTICE_PUBLISHED, actor=member, practice=practice)
    Activity.objects.create(verb=ActivityVerb.PROFILE_UPDATED, actor=other)
    conversation = Conversation.objects.create(pair=f"{min(member.pk, other.pk)}-{max(member.pk, other.pk)}")
    ConversationMember.objects.create(conversation=conversation, user=member)
    ConversationMember.objects.create(conversation=conversation, user=other)
    Message.objects.create(conversation=conversation, sender=member, body="Hello Oskar, about bus lanes.")
    received = Message.objects.create(conversation=conversation, sender=other, body="Hi Mariam, gladly.")
    Message.objects.create(
        conversation=conversation, sender=other, body="Buy cheap watches", removed_at=timezone.now()
    )
    MessageReport.objects.create(message=received, reporter=member, reason=ReportReason.OTHER, comment="Test")
    Block.objects.create(blocker=member, blocked=other)
    # Someone else's conversation, which must not appear.
    third = UserFactory(email="third@example.org", first_name="Tariq", last_name="Aziz")
    elsewhere = Conversation.objects.create(pair=f"{other.pk}-{third.pk}")
    ConversationMember.objects.create(conversation=elsewhere, user=other)
    ConversationMember.objects.create(conversation=elsewhere, user=third)
    Message.objects.create(conversation=elsewhere, sender=third, body="A secret between others.")
    return member


# --- The privacy page and asking for an export ---------------------------------------------------------


def test_privacy_page_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(PRIVACY_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={PRIVACY_URL}"


def test_privacy_page_member_sees_what_is_kept_and_the_button(member: Any) -> None:
    response = client_for(member).get(PRIVACY_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "What we keep about you" in html
    assert "Prepare my data" in html
    assert 'href="/en/account/delete/"' in html
    assert "no-store" in response["Cache-Control"]


def test_privacy_export_request_emails_a_working_link_through_smtp(
    rich_member: Any, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(rich_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PRIVACY_URL)
    assert response.status_code == 302
    assert response["Location"] == PRIVACY_URL

    received = smtp_server.wait_for(1)
    assert len(received) == 1
    message = received[0]
    assert message["To"] == "member@example.org"
    assert message["Subject"] == "[Connective Cities] Your data is ready to download"
    body = message_text(message)
    assert "Hello Mariam Haddad," in body
    link = re.search(r"http://127\.0\.0\.1:8000(/en/account/privacy/download/\S+/)", body)
    assert link is not None, body

    download = client.get(link.group(1))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert "no-store" in download["Cache-Control"]
    archive = open_zip(b"".join(download.streaming_content))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == "member@example.org"

    page = client.get(PRIVACY_URL).content.decode()
    assert "is ready: use the link in the e-mail we sent you" in page


def test_privacy_export_zip_holds_the_members_data_and_no_other_email(rich_member: Any, other: Any) -> None:
    name = privacy_export_build(user_id=rich_member.pk)
    assert name is not None
    archive = stored_zip(name)
    assert sorted(archive.namelist()) == sorted(
        ["data.json", "README.txt", *[f"{kind.name}.csv" for kind in KINDS]]
    )
    data = json.loads(archive.read("data.json"))

    assert data["account"] == {
        "first_name": "Mariam",
        "last_name": "Haddad",
        "email": "member@example.org",
        "language": "en",
        "role": "Member",
        "date_joined": rich_member.date_joined.isoformat(),
        "last_login": "",
        "two_factor": False,
    }
    assert data["email_addresses"] == [{"email": "member@example.org", "verified": True, "primary": True}]
    profile = {row["field"]: (row["value"], row["visibility"]) for row in data["profile"]}
    assert profile["profile"] == ("http://127.0.0.1:8000/en/people/mariam-haddad/", "public")
    assert profile["position"] == ("Head of mobility planning", "members")
    assert profile["bio"] == ("Planner in Tunis.", "hidden")  # hidden from others, not from its owner
    assert profile["languages"] == ("Arabic (Native)", "members")
    assert profile["expertise"] == ("Mobility", "public")
    assert data["languages"] == [{"language": "ar", "name": "Arabic", "level": "Native"}]
    assert data["links"] == [{"label": "Blog", "url": "https://example.org/mariam"}]
    assert data["expertise"] == [{"topic": "mobility", "name": "Mobility"}]
    assert [(row["kind"], row["name"]) for row in data["follows"]] == [
        ("Person", "Oskar Lindqvist"),
        ("Organisation", "Tunis municipality"),
        ("Topic", "Mobility"),
    ]
    assert [(row["what"], row["practice"]) for row in data["activities"]] == [
        ("published a good practice", "Bus lanes for Tunis")
    ]
    assert [row["with"] for row in data["conversations"]] == ["Oskar Lindqvist"]
    assert [(row["direction"], row["from"], row["message"], row["removed"]) for row in data["messages"]] == [
        ("sent", "you", "Hello Oskar, about bus lanes.", False),
        ("received", "Oskar Lindqvist", "Hi Mariam, gladly.", False),
        ("received", "Oskar Lindqvist", "", True),
    ]
    assert [(row["reason"], row["comment"]) for row in data["message_reports"]] == [
        ("Something else", "Test")
    ]
    assert [row["blocked"] for row in data["blocks"]] == ["Oskar Lindqvist"]
    assert sorted((row["title"], row["status"], row["role"]) for row in data["practices"]) == [
        ("Bus lanes for Tunis", "Published", "author"),
        ("Draft about cycling", "Draft", "contact person"),
    ]
    published = next(row for row in data["practices"] if row["title"] == "Bus lanes for Tunis")
    assert published["url"].startswith("http://127.0.0.1:8000/en/practices/")

    everything = b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8")
    assert "other@example.org" not in everything
    assert "third@example.org" not in everything
    assert "A secret between others." not in everything
    assert "Not hers at all" not in everything
    assert "Buy cheap watches" not in everything


def test_privacy_export_csv_files_match_the_json(rich_member: Any) -> None:
    archive = stored_zip(privacy_export_build(user_id=rich_member.pk) or "")
    account = csv_rows(archive, "account")
    assert [(row["first_name"], row["email"], row["two_factor"]) for row in account] == [
        ("Mariam", "member@example.org", "0")
    ]
    messages = csv_rows(archive, "messages")
    assert [row["message"] for row in messages] == ["Hello Oskar, about bus lanes.", "Hi Mariam, gladly.", ""]
    profile = {row["field"]: row["visibility"] for row in csv_rows(archive, "profile")}
    assert profile["bio"] == "hidden"
    assert csv_rows(archive, "languages") == [{"language": "ar", "name": "Arabic", "level": "Native"}]
    # Every kind has its header even when the member has none of it.
    assert archive.read("blocks.csv").decode("utf-8-sig").splitlines()[0] == "blocked,since"


def test_privacy_export_csv_neutralises_formulas_but_json_keeps_text(member: Any, other: Any) -> None:
    conversation = Conversation.objects.create(pair=f"{member.pk}-{other.pk}")
    ConversationMember.objects.create(conversation=conversation, user=member)
    ConversationMember.objects.create(conversation=conversation, user=other)
    Message.objects.create(conversation=conversation, sender=other, body='=HYPERLINK("http://evil.example")')
    archive = stored_zip(privacy_export_build(user_id=member.pk) or "")
    assert csv_rows(archive, "messages")[0]["message"] == '\'=HYPERLINK("http://evil.example")'
    assert (
        json.loads(archive.read("data.json"))["messages"][0]["message"] == '=HYPERLINK("http://evil.example")'
    )


def test_privacy_export_includes_the_profile_photo(member: Any) -> None:
    profile = ProfileFactory(user=member)
    profile.photo.save("portrait.png", ContentFile(b"\x89PNG fake image"), save=True)
    archive = stored_zip(privacy_export_build(user_id=member.pk) or "")
    assert archive.read("photo.png") == b"\x89PNG fake image"


def test_privacy_export_of_member_without_profile_has_empty_profile(member: Any) -> None:
    data = json.loads(stored_zip(privacy_export_build(user_id=member.pk) or "").read("data.json"))
    assert (data["profile"], data["languages"], data["links"]) == ([], [], [])


def test_privacy_export_in_the_members_language(member: Any) -> None:
    member.language = "de"
    member.save()
    PracticeFactory(author=member, contact=member, title="Stadtbahn")
    data = json.loads(stored_zip(privacy_export_build(user_id=member.pk) or "").read("data.json"))
    assert data["account"]["role"] == "Mitglied"
    assert "http://127.0.0.1:8000/de/account/privacy/download/" in mail.outbox[-1].body


def test_privacy_export_reads_a_bounded_number_of_queries(
    rich_member: Any, other: Any, django_assert_max_num_queries: Any
) -> None:
    conversation = Conversation.objects.get(members__user=rich_member)
    Message.objects.bulk_create(
        Message(
            conversation=conversation, sender=other if index % 2 else rich_member, body=f"Message {index}"
        )
        for index in range(120)
    )
    for index in range(15):
        PracticeFactory(author=rich_member, contact=other, title=f"Practice {index}")
    for index in range(15):
        RegistrationFactory(user=rich_member, event=EventFactory(title=f"Event {index}"))
    # 20, one each for the member's notifications and notification choices, and three for events
    # (registrations, feedback given, proposals).
    with django_assert_max_num_queries(25):
        name = privacy_export_build(user_id=rich_member.pk)
    assert len(json.loads(stored_zip(name or "").read("data.json"))["messages"]) == 123


def test_privacy_export_replaces_the_earlier_export(member: Any) -> None:
    first = privacy_export_build(user_id=member.pk, now=timezone.now() - timedelta(hours=2))
    second = privacy_export_build(user_id=member.pk)
    assert first != second
    storage = export_storage()
    assert storage.exists(second or "")
    assert not storage.exists(first or "")


def test_privacy_export_for_a_deleted_member_builds_nothing(member: Any) -> None:
    member.deleted_at = timezone.now()
    member.save()
    assert privacy_export_build(user_id=member.pk) is None
    assert mail.outbox == []


# --- Rate limit and audit ------------------------------------------------------------------------------


def test_privacy_export_second_request_within_the_hour_is_refused(
    member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(PRIVACY_URL).status_code == 302
        response = client.post(PRIVACY_URL)
    assert response.status_code == 429
    assert (
        "You can ask for your data once an hour. Please try again in 60 minutes." in response.content.decode()
    )
    assert AuditLog.objects.filter(action=EXPORT_REQUESTED, actor=member).count() == 1
    assert len(mail.outbox) == 1


def test_privacy_export_is_allowed_again_after_an_hour(
    member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PRIVACY_URL)
    AuditLog.objects.filter(action=EXPORT_REQUESTED).update(created_at=timezone.now() - timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PRIVACY_URL)
    assert response.status_code == 302
    assert AuditLog.objects.filter(action=EXPORT_REQUESTED, actor=member).count() == 2
    assert len(mail.outbox) == 2


def test_privacy_export_limit_is_per_member(
    member: Any, other: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(PRIVACY_URL)
        response = client_for(other).post(PRIVACY_URL)
    assert response.status_code == 302
    assert len(mail.outbox) == 2


def test_privacy_export_request_and_download_are_audited(
    member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PRIVACY_URL)
    name = export_storage().listdir(str(member.pk))[1][0]
    assert client.get(download_path(member, f"{member.pk}/{name}")).status_code == 200
    entries = list(
        AuditLog.objects.order_by("id").values_list("action", "actor_id", "object_type", "object_id")
    )
    assert entries == [
        (EXPORT_REQUESTED, member.pk, "accounts.user", str(member.pk)),
        (EXPORT_DOWNLOADED, member.pk, "accounts.user", str(member.pk)),
    ]


def test_staff_find_privacy_actions_in_the_audit_log(
    member: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(PRIVACY_URL)
    response = client_for(staff).get("/admin/audit_log/", {"action": EXPORT_REQUESTED})
    assert response.status_code == 200
    assert EXPORT_REQUESTED in response.content.decode()


# --- Who may download ----------------------------------------------------------------------------------


@pytest.fixture
def export_name(member: Any) -> str:
    return privacy_export_build(user_id=member.pk) or ""


def test_privacy_download_works_for_the_member(member: Any, export_name: str) -> None:
    response = client_for(member).get(download_path(member, export_name))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="connective-cities-my-data-')


def test_privacy_download_is_404_for_another_member(member: Any, other: Any, export_name: str) -> None:
    response = client_for(other).get(download_path(member, export_name))
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action=EXPORT_DOWNLOADED).exists()


def test_privacy_download_is_404_for_staff(member: Any, staff: Any, export_name: str) -> None:
    assert client_for(staff).get(download_path(member, export_name)).status_code == 404


def test_privacy_download_visitor_is_sent_to_sign_in(member: Any, export_name: str) -> None:
    path = download_path(member, export_name)
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('account_login')}?next=")


def test_privacy_download_with_a_forged_token_is_404(member: Any, export_name: str) -> None:
    forged = signing.dumps({"u": member.pk, "f": export_name}, salt="something else", compress=True)
    response = client_for(member).get(reverse("accounts:privacy_download", kwargs={"token": forged}))
    assert response.status_code == 404


def test_privacy_download_token_for_another_members_file_is_404(
    member: Any, other: Any, export_name: str
) -> None:
    # A genuine token for `other` naming the member's file opens nothing.
    token = privacy_export_token(user_id=other.pk, name=export_name)
    response = client_for(other).get(reverse("accounts:privacy_download", kwargs={"token": token}))
    assert response.status_code == 404


def test_privacy_download_is_404_after_seven_days(member: Any, export_name: str) -> None:
    path = download_path(member, export_name)
    with freeze_time(timezone.now() + timedelta(days=7, minutes=1)):
        response = client_for(member).get(path)
    assert response.status_code == 404


def test_privacy_download_still_works_just_before_seven_days(member: Any, export_name: str) -> None:
    path = download_path(member, export_name)
    with freeze_time(timezone.now() + timedelta(days=6, hours=23)):
        response = client_for(member).get(path)
    assert response.status_code == 200


def test_privacy_download_is_404_once_the_file_is_gone(member: Any, export_name: str) -> None:
    export_storage().delete(export_name)
    assert client_for(member).get(download_path(member, export_name)).status_code == 404


# --- Purging expired exports ---------------------------------------------------------------------------


def test_privacy_purge_exports_deletes_only_expired_files(member: Any, other: Any) -> None:
    old = privacy_export_build(user_id=member.pk, now=timezone.now() - timedelta(days=8)) or ""
    fresh = privacy_export_build(user_id=other.pk, now=timezone.now() - timedelta(days=6)) or ""
    output = io.StringIO()
    call_command("privacy_purge_exports", stdout=output)
    assert output.getvalue() == "Deleted 1 expired export(s).\n"
    storage = export_storage()
    assert not storage.exists(old)
    assert storage.exists(fresh)


def test_privacy_purge_task_deletes_expired_files(member: Any) -> None:
    from connective.accounts.tasks import privacy_purge

    old = privacy_export_build(user_id=member.pk, now=timezone.now() - timedelta(days=8)) or ""
    result = privacy_purge.enqueue()
    assert result.return_value == 1
    assert not export_storage().exists(old)


def test_privacy_exports_are_not_under_media(member: Any, export_name: str, settings: Any) -> None:
    location = Path(export_storage().path(export_name)).resolve()
    assert not location.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert Client().get(f"/media/{export_name}").status_code == 404
