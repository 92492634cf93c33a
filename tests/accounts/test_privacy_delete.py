from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse

from connective.accounts.models import Role, User
from connective.accounts.privacy import (
    ACCOUNT_DELETED,
    DELETE_ATTEMPTS,
    export_storage,
    privacy_export_build,
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
    Profile,
    ProfileLanguage,
    ProfileLink,
)
from connective.network.selectors import person_view
from connective.practices.models import Practice
from connective.practices.services import practice_contact_refusal
from tests.conftest import totp_code
from tests.factories import OrganisationFactory, PracticeFactory, ProfileFactory, UserFactory, city

pytestmark = pytest.mark.django_db

DELETE_URL = "/en/account/delete/"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _private_dirs(settings: Any, tmp_path: Path) -> None:
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def reindexed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The people whose directory entries were queued for re-indexing."""
    import connective.network.tasks as network_tasks

    queued: list[int] = []

    class Recorder:
        def enqueue(self, user_id: int) -> None:
            queued.append(user_id)

    monkeypatch.setattr(network_tasks, "person_index", Recorder())
    return queued


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_delete(client: Client, captured: Any, **fields: Any) -> Any:
    data = {"password": PASSWORD, "confirm": "on"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    with captured(execute=True):
        return client.post(DELETE_URL, data)


@pytest.fixture
def other(db: Any) -> Any:
    return UserFactory(email="other@example.org", first_name="Oskar", last_name="Lindqvist")


@pytest.fixture
def leaving(member: Any, other: Any) -> Any:
    """The member, with a profile, photo, follows, blocks, a conversation and practices."""
    member.position = "Head of mobility planning"
    member.organisation = OrganisationFactory(name="Tunis municipality")
    member.city = city("Leipzig", "DE")
    member.country = member.city.country
    member.language = "fr"
    member.save()
    profile = ProfileFactory(user=member, slug="mariam-haddad", bio="Planner in Tunis.")
    profile.photo.save("portrait.png", ContentFile(b"\x89PNG fake image"), save=True)
    profile.expertise.set(Topic.objects.filter(slug="mobility"))
    ProfileLanguage.objects.create(profile=profile, language="ar", level="native")
    ProfileLink.objects.create(profile=profile, url="https://example.org/mariam", label="Blog")
    Follow.objects.create(follower=member, kind=FollowKind.PERSON, object_id=other.pk)
    Follow.objects.create(follower=other, kind=FollowKind.PERSON, object_id=member.pk)
    Follow.objects.create(follower=other, kind=FollowKind.TOPIC, object_id=member.pk)  # same id, not a person
    Block.objects.create(blocker=member, blocked=other)
    Block.objects.create(blocker=other, blocked=member)
    conversation = Conversation.objects.create(pair=f"{min(member.pk, other.pk)}-{max(member.pk, other.pk)}")
    ConversationMember.objects.create(conversation=conversation, user=member)
    ConversationMember.objects.create(conversation=conversation, user=other)
    Message.objects.create(conversation=conversation, sender=member, body="Hello Oskar, about bus lanes.")
    Message.objects.create(conversation=conversation, sender=other, body="Hi Mariam, gladly.")
    practice = PracticeFactory(author=member, contact=member, title="Bus lanes for Tunis")
    Activity.objects.create(verb=ActivityVerb.PRACTICE_PUBLISHED, actor=member, practice=practice)
    Activity.objects.create(verb=ActivityVerb.PROFILE_UPDATED, actor=member)
    return member


# --- Access and bad input --------------------------------------------------------------------------------


def test_delete_page_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(DELETE_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={DELETE_URL}"


def test_delete_page_shows_password_field_and_no_code_without_two_factor(member: Any) -> None:
    html = client_for(member).get(DELETE_URL).content.decode()
    assert 'name="password"' in html
    assert 'name="confirm"' in html
    assert 'name="code"' not in html


def test_delete_page_asks_for_the_code_with_two_factor(editor: Any) -> None:
    html = client_for(editor).get(DELETE_URL).content.decode()
    assert 'name="code"' in html


def test_delete_with_wrong_password_changes_nothing(
    leaving: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    response = post_delete(client_for(leaving), django_capture_on_commit_callbacks, password="wrong password")
    assert response.status_code == 400
    assert "This password is not correct." in response.content.decode()
    leaving.refresh_from_db()
    assert (leaving.email, leaving.first_name, leaving.is_active, leaving.deleted_at) == (
        "member@example.org",
        "Mariam",
        True,
        None,
    )
    assert Profile.objects.filter(user=leaving).exists()
    assert default_storage.exists(Profile.objects.get(user=leaving).photo.name)
    assert Follow.objects.count() == 3
    assert not AuditLog.objects.filter(action=ACCOUNT_DELETED).exists()
    assert reindexed == []


def test_delete_without_password_asks_for_it(leaving: Any, django_capture_on_commit_callbacks: Any) -> None:
    response = post_delete(client_for(leaving), django_capture_on_commit_callbacks, password=None)
    assert response.status_code == 400
    assert "Please enter your password." in response.content.decode()
    assert User.objects.get(pk=leaving.pk).deleted_at is None


def test_delete_without_confirmation_changes_nothing(
    leaving: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = post_delete(client_for(leaving), django_capture_on_commit_callbacks, confirm=None)
    assert response.status_code == 400
    assert "Please tick the box to confirm that you want to delete your account." in response.content.decode()
    leaving.refresh_from_db()
    assert (leaving.is_active, leaving.deleted_at, leaving.email) == (True, None, "member@example.org")


def test_delete_with_two_factor_needs_the_code(editor: Any, django_capture_on_commit_callbacks: Any) -> None:
    response = post_delete(client_for(editor), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "Please enter the code from your authenticator app." in response.content.decode()
    assert User.objects.get(pk=editor.pk).deleted_at is None


def test_delete_with_a_wrong_code_changes_nothing(
    editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"
    response = post_delete(client_for(editor), django_capture_on_commit_callbacks, code=wrong)
    assert response.status_code == 400
    assert "This code is not correct. Please enter the current code." in response.content.decode()
    editor.refresh_from_db()
    assert (editor.deleted_at, editor.is_active, editor.role) == (None, True, Role.EDITOR)
    assert Authenticator.objects.filter(user=editor).count() == 1


def test_delete_with_the_right_code_deletes(
    editor: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    response = post_delete(client_for(editor), django_capture_on_commit_callbacks, code=totp_code())
    assert response.status_code == 302
    editor.refresh_from_db()
    assert editor.deleted_at is not None
    # A deleted account keeps no privileges and no second factor.
    assert (editor.role, editor.is_staff, editor.is_superuser, list(editor.groups.all())) == (
        Role.MEMBER,
        False,
        False,
        [],
    )
    assert not Authenticator.objects.filter(user=editor).exists()


def test_delete_after_too_many_wrong_passwords_is_refused(
    member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    for _attempt in range(DELETE_ATTEMPTS):
        post_delete(client, django_capture_on_commit_callbacks, password="wrong password")
    response = post_delete(client, django_capture_on_commit_callbacks)  # now with the right one
    assert response.status_code == 429
    assert "Too many wrong attempts. Please wait 15 minutes and try again." in response.content.decode()
    assert User.objects.get(pk=member.pk).deleted_at is None


# --- What deleting does ----------------------------------------------------------------------------------


def test_delete_erases_exactly_the_personal_fields(
    leaving: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    before = User.objects.get(pk=leaving.pk)
    response = post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    after = User.objects.get(pk=leaving.pk)
    assert (after.first_name, after.last_name, after.email, after.position) == (
        "",
        "",
        f"deleted-{leaving.pk}@former-member.invalid",
        "",
    )
    assert (after.organisation_id, after.city_id, after.country_id) == (None, None, None)
    assert after.has_usable_password() is False
    assert after.is_active is False
    assert after.deleted_at is not None
    # What is not personal stays as it was.
    assert (after.date_joined, after.language) == (before.date_joined, before.language)
    assert after.display_name == "Former member"
    assert reindexed == [leaving.pk]


def test_delete_removes_profile_photo_follows_blocks_and_addresses(
    leaving: Any, other: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    photo = Profile.objects.get(user=leaving).photo.name
    assert default_storage.exists(photo)
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    assert not Profile.objects.filter(user=leaving).exists()
    assert not ProfileLanguage.objects.exists()
    assert not ProfileLink.objects.exists()
    assert not default_storage.exists(photo)
    # Their follows and the follows of them go; a follow of a topic with the same number stays.
    assert list(Follow.objects.values_list("follower_id", "kind", "object_id")) == [
        (other.pk, FollowKind.TOPIC, leaving.pk)
    ]
    assert not Block.objects.exists()
    assert not EmailAddress.objects.filter(user=leaving).exists()
    assert EmailAddress.objects.filter(user=other).count() == 1
    # Activity about the person goes, activity about what they contributed stays.
    assert list(Activity.objects.filter(actor=leaving).values_list("verb", flat=True)) == [
        ActivityVerb.PRACTICE_PUBLISHED
    ]


def test_delete_keeps_practices_under_former_member(
    leaving: Any, member: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    practice = Practice.objects.select_related("author", "contact").get(title="Bus lanes for Tunis")
    assert (practice.author_id, practice.contact_id) == (leaving.pk, leaving.pk)
    assert practice.is_published
    assert practice.contact is not None
    assert practice.contact.display_name == "Former member"
    viewer = UserFactory()
    assert person_view(practice.contact, viewer).name == "Former member"
    assert person_view(practice.contact, viewer).url is None
    page = Client().get(practice.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mariam" not in html
    assert "Head of mobility planning" not in html


def test_delete_contact_relay_refuses_a_deleted_contact(
    leaving: Any, other: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    practice = Practice.objects.get(title="Bus lanes for Tunis")
    assert (
        practice_contact_refusal(sender=other, practice=practice)
        == "The contact person of this practice can no longer be reached."
    )


def test_delete_keeps_sent_messages_for_the_other_person(
    leaving: Any, other: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    messages = list(Message.objects.order_by("id").select_related("sender"))
    assert [
        (message.body, message.sender.display_name if message.sender else None) for message in messages
    ] == [
        ("Hello Oskar, about bus lanes.", "Former member"),
        ("Hi Mariam, gladly.", "Oskar Lindqvist"),
    ]
    assert ConversationMember.objects.filter(user=other).count() == 1


def test_delete_removes_the_members_exports(
    member: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    name = privacy_export_build(user_id=member.pk) or ""
    assert export_storage().exists(name)
    post_delete(client_for(member), django_capture_on_commit_callbacks)
    assert not export_storage().exists(name)


def test_delete_logs_out_and_shows_the_confirmation(
    leaving: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    client = client_for(leaving)
    response = post_delete(client, django_capture_on_commit_callbacks)
    assert response["Location"] == "/en/account/delete/done/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Your account is deleted" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/en/account/privacy/").status_code == 302


def test_delete_ends_the_members_other_sessions(
    leaving: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    elsewhere = client_for(leaving)
    assert elsewhere.get("/en/account/privacy/").status_code == 200
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    response = elsewhere.get("/en/account/privacy/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_deleted_member_cannot_sign_in(
    leaving: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    client = Client()
    for login in ("member@example.org", f"deleted-{leaving.pk}@former-member.invalid"):
        response = client.post("/en/accounts/login/", {"login": login, "password": PASSWORD})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_delete_is_audited_without_personal_data(
    leaving: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    entry = AuditLog.objects.get(action=ACCOUNT_DELETED)
    assert (entry.actor_id, entry.object_type, entry.object_id, entry.details) == (
        leaving.pk,
        "accounts.user",
        str(leaving.pk),
        {},
    )


def test_staff_see_account_deletions_in_the_audit_log(
    leaving: Any, staff: Any, django_capture_on_commit_callbacks: Any, reindexed: list[int]
) -> None:
    post_delete(client_for(leaving), django_capture_on_commit_callbacks)
    response = client_for(staff).get("/admin/audit_log/", {"action": ACCOUNT_DELETED})
    assert response.status_code == 200
    html = response.content.decode()
    assert ACCOUNT_DELETED in html
    assert "member@example.org" not in html


def test_deleted_page_sends_a_signed_in_member_back(member: Any) -> None:
    response = client_for(member).get("/en/account/delete/done/")
    assert response.status_code == 302
    assert response["Location"] == "/en/account/privacy/"
