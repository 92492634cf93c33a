"""The notification service: notify, preferences at write and send time, the e-mail for each notification,
links in the reader's language, and privacy (export, account deletion)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from connective.accounts.privacy import account_delete, export_storage, privacy_export_build
from connective.groups.models import PostStatus
from connective.groups.notices import group_scope
from connective.notifications.links import localized_path
from connective.notifications.mailing import send_immediate_notifications
from connective.notifications.models import Delivery, Notification, NotificationPreference
from connective.notifications.services import delivery_for, notify, preference_set
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory
from tests.notifications.helpers import NOTE, links_in, note

pytestmark = pytest.mark.django_db


# --- notify -------------------------------------------------------------------------------------------


def test_notify_writes_one_per_recipient_but_not_to_the_actor_nor_to_accounts_that_are_gone(
    member: Any, author: Any
) -> None:
    inactive = UserFactory(is_active=False)
    deleted = UserFactory(deleted_at=timezone.now())
    created = notify(
        recipients=[member, author, inactive, deleted, None, member],
        kind=NOTE,
        actor=author,
        data={"text": "hi"},
    )
    assert [row.recipient_id for row in created] == [member.pk]
    row = Notification.objects.get()
    assert (row.kind, row.actor_id, row.scope, row.data, row.read_at, row.emailed_at) == (
        NOTE,
        author.pk,
        "",
        {"text": "hi"},
        None,
        None,
    )


def test_notify_unknown_kind_is_refused(member: Any) -> None:
    with pytest.raises(ValueError, match=r"Unknown notification kind 'nope\.nothing'"):
        notify(recipients=[member], kind="nope.nothing")
    assert Notification.objects.count() == 0


def test_notify_target_is_stored_as_label_and_key(member: Any) -> None:
    group = GroupFactory()
    (row,) = notify(recipients=[member], kind=NOTE, target=group)
    assert row.target == f"groups.group:{group.pk}"


def test_delivery_for_prefers_the_scope_then_the_general_choice_then_the_kind_default(
    member: Any, author: Any
) -> None:
    third = UserFactory()
    preference_set(user=member, scope="group:7", delivery=Delivery.WEEKLY)
    preference_set(user=member, scope="", delivery=Delivery.NEVER)
    preference_set(user=author, scope="", delivery=Delivery.DAILY)
    assert delivery_for(user_ids=[member.pk, author.pk, third.pk], scope="group:7", default="immediate") == {
        member.pk: "weekly",
        author.pk: "daily",
        third.pk: "immediate",
    }
    assert delivery_for(user_ids=[member.pk], scope="group:8", default="immediate") == {member.pk: "never"}


def test_notify_records_the_delivery_chosen_for_the_scope(member: Any) -> None:
    preference_set(user=member, scope="group:3", delivery=Delivery.DAILY)
    assert note(member, scope="group:3").delivery == "daily"
    assert note(member, scope="").delivery == "immediate"


def test_preference_set_refuses_an_unknown_delivery(member: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        preference_set(user=member, scope="", delivery="hourly")
    assert NotificationPreference.objects.count() == 0


# --- The e-mail for each notification ------------------------------------------------------------------


def test_immediate_email_goes_after_commit_in_the_readers_language_with_unsubscribe(
    member: Any, author: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member.language = "de"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        row = note(member, "Heat plans", path="/fr/practices/", actor=author)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["member@example.org"]
    assert sent.subject == "Note: Heat plans [de]"
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = sent.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/de/notifications/unsubscribe/")
    assert unsubscribe.endswith("/>")
    text = sent.body
    # "Hello …," has its German translation already.
    assert text.startswith("Guten Tag Mariam Haddad,\n\nNote: Heat plans [de]\n")
    links = links_in(text)
    assert links[0] == "http://127.0.0.1:8000/de/practices/"
    assert unsubscribe[1:-1] in links
    assert "http://127.0.0.1:8000/de/notifications/preferences/" in links
    assert "http://127.0.0.1:8000/de/notifications/" in links
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="http://127.0.0.1:8000/de/practices/"' in html
    everything = sent.message().as_string()
    assert "author@example.org" not in everything
    row.refresh_from_db()
    assert row.emailed_at is not None


def test_immediate_email_is_not_sent_when_the_change_rolls_back(
    member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        note(member)
        raise RuntimeError("the change fails")
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_immediate_email_greets_a_member_without_name_without_their_address(
    django_capture_on_commit_callbacks: Any,
) -> None:
    nameless = UserFactory(email="quiet.person@example.org", first_name="", last_name="")
    with django_capture_on_commit_callbacks(execute=True):
        note(nameless)
    assert mail.outbox[0].body.startswith("Hello,\n")
    assert "quiet.person" not in mail.outbox[0].body


def test_send_immediate_twice_sends_once(member: Any) -> None:
    row = note(member)
    assert send_immediate_notifications([row.pk]) == 1
    assert send_immediate_notifications([row.pk]) == 0
    assert len(mail.outbox) == 1


def test_send_immediate_leaves_out_what_the_reader_may_no_longer_see(member: Any) -> None:
    row = note(member, hidden=True)
    assert send_immediate_notifications([row.pk]) == 0
    assert mail.outbox == []
    row.refresh_from_db()
    # Not tried again: it will never be e-mailed; it stays (hidden) in the centre's data.
    assert (row.delivery, row.emailed_at) == ("never", None)


def test_send_immediate_respects_an_unsubscribe_made_since(member: Any) -> None:
    row = note(member, scope="group:4")
    preference_set(user=member, scope="group:4", delivery=Delivery.NEVER)
    assert send_immediate_notifications([row.pk]) == 0
    row.refresh_from_db()
    assert (row.delivery, row.emailed_at) == ("never", None)


def test_send_immediate_moves_a_notification_to_the_digest_chosen_since(member: Any) -> None:
    row = note(member)
    preference_set(user=member, scope="", delivery=Delivery.WEEKLY)
    assert send_immediate_notifications([row.pk]) == 0
    row.refresh_from_db()
    assert (row.delivery, row.emailed_at) == ("weekly", None)


def test_group_mention_email_links_the_post_and_offers_to_stop_that_group(
    member: Any, author: Any, django_capture_on_commit_callbacks: Any
) -> None:
    group = GroupFactory(name="Urban heat")
    MembershipFactory(group=group, user=member)
    post = PostFactory(thread=ThreadFactory(group=group, title="Shade maps"), author=author)
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[member],
            kind="groups.mention",
            actor=author,
            scope=group_scope(group),
            target=post,
            path=f"/en/groups/{group.slug}/posts/{post.pk}/",
            data={"actor": "Amara Okafor", "group": "Urban heat", "thread": "Shade maps"},
        )
    sent = mail.outbox[0]
    assert sent.subject == "Amara Okafor mentioned you in “Shade maps” (Urban heat)"
    assert f"http://127.0.0.1:8000/en/groups/{group.slug}/posts/{post.pk}/" in sent.body
    assert "Stop e-mail about the group “Urban heat” (one click, no sign-in):" in sent.body


def test_group_mention_about_a_post_hidden_before_sending_is_not_mailed(member: Any, author: Any) -> None:
    group = GroupFactory()
    MembershipFactory(group=group, user=member)
    post = PostFactory(thread=ThreadFactory(group=group), author=author)
    (row,) = notify(
        recipients=[member], kind="groups.mention", actor=author, scope=group_scope(group), target=post
    )
    post.status = PostStatus.HIDDEN
    post.save()
    assert send_immediate_notifications([row.pk]) == 0
    assert mail.outbox == []


# --- Links in the reader's language ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/en/practices/", "/ar/practices/"),
        ("/fr/messages/12/", "/ar/messages/12/"),
        ("/practices/", "/ar/practices/"),
        ("/pages/about/", "/pages/about/"),
        ("/api/v1/practices/", "/api/v1/practices/"),
    ],
)
def test_localized_path_gives_the_readers_language_prefix(path: str, expected: str) -> None:
    assert localized_path(path, "ar") == expected


# --- Privacy ----------------------------------------------------------------------------------------------


@pytest.fixture
def _private_dirs(settings: Any, tmp_path: Path) -> None:
    settings.PRIVACY_EXPORT_ROOT = tmp_path / "exports"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.usefixtures("_private_dirs")
def test_privacy_export_holds_the_members_notifications_and_choices(member: Any, author: Any) -> None:
    group = GroupFactory(name="Urban heat")
    note(member, "first", path="/en/practices/")
    later = note(member, "second", scope=group_scope(group))
    Notification.objects.filter(pk=later.pk).update(read_at=timezone.now())
    note(author, "not hers")
    preference_set(user=member, scope=group_scope(group), delivery=Delivery.WEEKLY)
    name = privacy_export_build(user_id=member.pk)
    assert name is not None
    with export_storage().open(name, "rb") as handle:
        archive = zipfile.ZipFile(handle)
        data = json.loads(archive.read("data.json"))
        header = archive.read("notifications.csv").decode("utf-8-sig").splitlines()[0]
    assert header == "created,kind,text,about,link,read,email,emailed"
    rows = data["notifications"]
    assert [(row["kind"], row["text"], row["about"], row["link"]) for row in rows] == [
        (NOTE, "Note: first [en]", "Across the platform", "http://127.0.0.1:8000/en/practices/"),
        (NOTE, "Note: second [en]", "Urban heat", "http://127.0.0.1:8000/en/practices/"),
    ]
    assert rows[0]["read"] == "" and rows[1]["read"] != ""
    assert data["notification_preferences"] == [
        {
            "about": "Urban heat",
            "email": "A weekly digest",
            "updated": NotificationPreference.objects.get().updated_at.isoformat(),
        }
    ]


def test_account_delete_removes_the_members_notifications_and_choices_and_their_name_in_others(
    member: Any, author: Any
) -> None:
    note(member, "for Mariam")
    preference_set(user=member, scope="", delivery=Delivery.DAILY)
    # Kinds keep the actor's name in data to write their sentence (groups.notices: data["actor"]).
    (about_her,) = notify(
        recipients=[author], kind=NOTE, actor=member, data={"text": "x", "actor": "Mariam Haddad"}
    )
    account_delete(user=member, password="correct horse battery staple", confirmed=True)
    assert Notification.objects.filter(recipient=member).count() == 0
    assert NotificationPreference.objects.filter(user=member).count() == 0
    about_her.refresh_from_db()
    assert (about_her.actor_id, about_her.data) == (None, {"text": "x", "actor": ""})


def test_deleting_the_user_row_cascades_to_notifications_and_choices(member: Any) -> None:
    note(member)
    preference_set(user=member, scope="", delivery=Delivery.DAILY)
    member.delete()
    assert Notification.objects.count() == 0
    assert NotificationPreference.objects.count() == 0
