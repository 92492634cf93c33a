"""Unsubscribing without signing in: the confirmation page, the button, the RFC 8058 one-click POST, and
links that were tampered with."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from connective.core.models import AuditLog
from connective.groups.notices import group_scope
from connective.notifications.links import ALL_SCOPES, unsubscribe_token
from connective.notifications.models import Delivery, NotificationPreference
from connective.notifications.services import preference_set
from tests.factories import GroupFactory
from tests.notifications.helpers import note

pytestmark = pytest.mark.django_db


def url(token: str, language: str = "en") -> str:
    return f"/{language}/notifications/unsubscribe/{token}/"


def choices(user: Any) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("scope", "delivery"))


@pytest.fixture
def heat(db: Any) -> Any:
    return GroupFactory(name="Urban heat")


def test_unsubscribe_page_asks_without_sign_in_and_changes_nothing(member: Any, heat: Any) -> None:
    response = Client().get(url(unsubscribe_token(user_id=member.pk, scope=group_scope(heat))))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop e-mails about the group “Urban heat”?" in html
    assert html.count('<button type="submit">Stop these e-mails</button>') == 1
    assert "no-store" in response["Cache-Control"]
    assert choices(member) == {}


def test_unsubscribe_button_stops_the_group_and_is_audit_logged(member: Any, heat: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    address = url(unsubscribe_token(user_id=member.pk, scope=group_scope(heat)))
    page = client.get(address)
    token = page.context["csrf_token"]
    response = client.post(address, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 200
    assert "You will receive no more e-mails about the group “Urban heat”." in response.content.decode()
    assert choices(member) == {group_scope(heat): "never"}
    entry = AuditLog.objects.get(action="notifications.unsubscribe")
    assert (entry.actor_id, entry.details) == (member.pk, {"scope": group_scope(heat)})


def test_unsubscribe_button_without_csrf_token_is_refused(member: Any, heat: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(unsubscribe_token(user_id=member.pk, scope=group_scope(heat))))
    assert response.status_code == 403
    assert choices(member) == {}


def test_unsubscribe_one_click_post_needs_no_csrf_token(member: Any, heat: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url(unsubscribe_token(user_id=member.pk, scope=group_scope(heat)), "de"),
        {"List-Unsubscribe": "One-Click"},
    )
    assert response.status_code == 200
    assert choices(member) == {group_scope(heat): "never"}


def test_unsubscribe_twice_keeps_one_choice(member: Any, heat: Any) -> None:
    address = url(unsubscribe_token(user_id=member.pk, scope=group_scope(heat)))
    Client().post(address, {"List-Unsubscribe": "One-Click"})
    Client().post(address, {"List-Unsubscribe": "One-Click"})
    assert NotificationPreference.objects.filter(user=member).count() == 1


def test_unsubscribe_general_scope_sets_the_general_choice(member: Any) -> None:
    response = Client().get(url(unsubscribe_token(user_id=member.pk, scope="")))
    assert "Stop e-mails about notifications outside your groups" in response.content.decode()
    Client().post(url(unsubscribe_token(user_id=member.pk, scope="")), {"List-Unsubscribe": "One-Click"})
    assert choices(member) == {"": "never"}


def test_unsubscribe_from_everything_overrides_every_choice(member: Any, heat: Any) -> None:
    preference_set(user=member, scope=group_scope(heat), delivery=Delivery.IMMEDIATE)
    preference_set(user=member, scope="group:999", delivery=Delivery.DAILY)
    response = Client().get(url(unsubscribe_token(user_id=member.pk, scope=ALL_SCOPES)))
    assert "Stop all notification e-mails from this site?" in response.content.decode()
    Client().post(
        url(unsubscribe_token(user_id=member.pk, scope=ALL_SCOPES)), {"List-Unsubscribe": "One-Click"}
    )
    assert choices(member) == {"": "never", group_scope(heat): "never", "group:999": "never"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_unsubscribe_tampered_token_shows_an_error_and_changes_nothing(
    member: Any, author: Any, heat: Any, method: str
) -> None:
    genuine = unsubscribe_token(user_id=member.pk, scope=group_scope(heat))
    payload, rest = genuine.split(":", 1)
    # Someone else's id in the payload, with the original signature.
    forged = (
        signing.dumps({"u": author.pk, "s": group_scope(heat)}, salt="other").split(":", 1)[0] + ":" + rest
    )
    for token in (forged, genuine[:-3], "nonsense", payload):
        response = getattr(Client(), method)(url(token), {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert NotificationPreference.objects.count() == 0
    assert not AuditLog.objects.filter(action="notifications.unsubscribe").exists()


def test_unsubscribe_token_of_another_purpose_is_refused(member: Any) -> None:
    # A genuine signature with another salt (the personal-data export link's) is no unsubscribe token.
    other = signing.dumps({"u": member.pk, "s": ""}, salt="connective.accounts.privacy.export", compress=True)
    response = Client().post(url(other), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_unsubscribe_token_with_an_unknown_scope_is_refused(member: Any) -> None:
    response = Client().get(url(unsubscribe_token(user_id=member.pk, scope="practices:1")))
    assert response.status_code == 400


def test_unsubscribe_for_a_deleted_account_is_refused(member: Any) -> None:
    token = unsubscribe_token(user_id=member.pk, scope="")
    member.deleted_at = timezone.now()
    member.save()
    assert Client().post(url(token), {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_unsubscribe_link_from_an_email_stops_the_next_ones(
    member: Any, heat: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        note(member, "first", scope=group_scope(heat))
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    link = header.removeprefix("<http://127.0.0.1:8000").removesuffix(">")
    # What a mail program does for the one-click header: a POST with exactly this body.
    response = Client(enforce_csrf_checks=True).post(
        link, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        later = note(member, "second", scope=group_scope(heat))
    assert later.delivery == "never"
    assert len(mail.outbox) == 1
