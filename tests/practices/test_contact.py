from __future__ import annotations

from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connective.core.models import AuditLog
from connective.practices.models import Practice, PracticeStatus
from connective.practices.services import CONTACT_AUDIT_ACTION, practice_contact_send
from tests.conftest import message_text
from tests.factories import PracticeFactory, UserFactory
from tests.practices.test_detail import HIDDEN_STATUSES, client_for, page_url, persona

pytestmark = pytest.mark.django_db

MESSAGE = "We would like to adapt your solar lighting in Sfax. Could we talk about the costs?"


def post_contact(client: Client, practice: Practice, captured: Any, **fields: Any) -> Any:
    data = {"subject": "Solar lighting in Sfax", "message": MESSAGE, "share_email": "on"}
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    with captured(execute=True):
        return client.post(page_url(practice, "contact"), data)


def header(message: Any, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(make_header(decode_header(value)))


def sent_count(sender: Any) -> int:
    return AuditLog.objects.filter(actor=sender, action=CONTACT_AUDIT_ACTION).count()


# --- Access ---------------------------------------------------------------------------------------------


def test_contact_visitor_is_sent_to_sign_in(published_practice: Practice) -> None:
    url = page_url(published_practice, "contact")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_contact_visitor_post_sends_nothing(
    published_practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    response = post_contact(Client(), published_practice, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []
    assert AuditLog.objects.filter(action=CONTACT_AUDIT_ACTION).count() == 0


def test_contact_member_gets_the_form(member: Any, published_practice: Practice) -> None:
    response = client_for(member).get(page_url(published_practice, "contact"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="subject"' in html and 'name="message"' in html
    assert "Your message goes by e-mail to Chidi Nwosu" in html
    assert "contact@example.org" not in html


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
@pytest.mark.parametrize("name", ["visitor", "member"])
def test_contact_unpublished_is_404_for_others(
    name: str, status: str, request: Any, published_practice: Practice
) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=status)
    response = client_for(persona(name, request)).get(page_url(published_practice, "contact"))
    assert response.status_code == 404


@pytest.mark.parametrize("status", HIDDEN_STATUSES)
@pytest.mark.parametrize("name", ["author", "editor"])
def test_contact_unpublished_is_refused_for_author_and_editor(
    name: str,
    status: str,
    request: Any,
    published_practice: Practice,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=status)
    client = client_for(persona(name, request))
    response = post_contact(client, published_practice, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only published practices can be contacted." in html
    assert MESSAGE in html  # what they typed is still there
    assert mail.outbox == []


def test_contact_person_cannot_write_to_themselves(
    published_practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(published_practice.contact)
    response = post_contact(client, published_practice, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert "You are the contact person for this practice." in response.content.decode()
    assert mail.outbox == []


def test_contact_practice_without_contact_is_refused(
    member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    practice = PracticeFactory(contact=None)
    response = post_contact(client_for(member), practice, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert "This practice has no contact person." in response.content.decode()
    assert mail.outbox == []


def test_contact_inactive_contact_is_refused(
    member: Any, published_practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    published_practice.contact.is_active = False
    published_practice.contact.save()
    response = post_contact(client_for(member), published_practice, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert "can no longer be reached" in response.content.decode()
    assert mail.outbox == []


# --- Relay through a real SMTP server -------------------------------------------------------------------


def test_contact_relays_message_with_reply_to_when_sharing(
    member: Any, published_practice: Practice, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    contact = published_practice.contact
    contact.language = "de"
    contact.save()
    client = client_for(member)
    response = post_contact(client, published_practice, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == page_url(published_practice)

    received = smtp_server.wait_for(1)
    assert len(received) == 1
    message = received[0]
    assert message["To"] == "contact@example.org"
    assert message["Reply-To"] == "member@example.org"
    assert "Solar lighting in Sfax" in header(message, "Subject")
    assert "Solar street lighting for safer streets" in header(message, "Subject")
    body = message_text(message)
    assert MESSAGE in body
    assert "Mariam Haddad" in body
    # Written in the contact's language: the link points at the German page.
    assert f"http://127.0.0.1:8000/de/practices/{published_practice.slug}/" in body

    page = client.get(response["Location"]).content.decode()
    assert "Your message was sent to the contact person." in page
    assert "contact@example.org" not in page
    assert "contact@example.org" not in response.content.decode()


def test_contact_without_sharing_has_no_reply_to_and_only_the_name(
    member: Any, published_practice: Practice, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = post_contact(
        client_for(member), published_practice, django_capture_on_commit_callbacks, share_email=None
    )
    assert response.status_code == 302
    message = smtp_server.wait_for(1)[0]
    assert message["To"] == "contact@example.org"
    assert message["Reply-To"] is None
    body = message_text(message)
    assert "Mariam Haddad did not share their e-mail address" in body
    assert "member@example.org" not in body
    assert "member@example.org" not in message.as_string()


def test_contact_records_audit_entry_without_the_text(member: Any, published_practice: Practice) -> None:
    practice_contact_send(
        sender=member, practice=published_practice, subject="Hello", message=MESSAGE, share_email=False
    )
    entry = AuditLog.objects.get(action=CONTACT_AUDIT_ACTION)
    assert entry.actor == member
    assert entry.object_type == "practices.practice"
    assert entry.object_id == str(published_practice.pk)
    assert entry.details == {"recipient_id": published_practice.contact_id, "shared_email": False}


def test_contact_subject_line_breaks_become_spaces(
    member: Any, published_practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        practice_contact_send(
            sender=member,
            practice=published_practice,
            subject="Hello\r\nBcc: victim@example.org",
            message=MESSAGE,
            share_email=True,
        )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Connective Cities] Hello Bcc: victim@example.org (about")
    assert mail.outbox[0].bcc == []


# --- Bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"message": "Too short."},
            "The message is too short: please write at least 20 characters (it has 10).",
        ),
        ({"message": "x" * 5001}, "The message is too long: at most 5000 characters (it has 5001)."),
        ({"subject": "s" * 151}, "The subject can have at most 150 characters (it has 151)."),
        ({"subject": "   "}, "Please write a subject."),
    ],
)
def test_contact_bad_input_is_refused_and_keeps_the_text(
    fields: dict[str, str],
    error: str,
    member: Any,
    published_practice: Practice,
    django_capture_on_commit_callbacks: Any,
) -> None:
    response = post_contact(
        client_for(member), published_practice, django_capture_on_commit_callbacks, **fields
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    typed = {"subject": "Solar lighting in Sfax", "message": MESSAGE, **fields}
    if typed["subject"].strip():
        assert f'value="{typed["subject"]}"' in html
    assert typed["message"] in html
    assert mail.outbox == []
    assert sent_count(member) == 0


def test_contact_service_checks_input_itself(member: Any, published_practice: Practice) -> None:
    with pytest.raises(ValidationError) as raised:
        practice_contact_send(
            sender=member, practice=published_practice, subject="Hi", message="short", share_email=True
        )
    assert raised.value.message_dict == {
        "message": ["The message is too short: please write at least 20 characters."]
    }
    assert sent_count(member) == 0


def test_contact_service_refuses_visitors(published_practice: Practice) -> None:
    with pytest.raises(PermissionDenied, match="Please sign in"):
        practice_contact_send(
            sender=AnonymousUser(),
            practice=published_practice,
            subject="Hi",
            message=MESSAGE,
            share_email=True,
        )


# --- Limits ---------------------------------------------------------------------------------------------


def test_contact_sixth_message_within_an_hour_is_refused(
    member: Any, published_practice: Practice, django_capture_on_commit_callbacks: Any
) -> None:
    other = PracticeFactory(contact=UserFactory())
    for index in range(5):
        practice_contact_send(
            sender=member,
            practice=other if index % 2 else published_practice,
            subject=f"Message {index}",
            message=MESSAGE,
            share_email=True,
        )
    response = post_contact(client_for(member), published_practice, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have reached the limit of messages to contact persons (5 per hour, 20 per day)." in html
    assert MESSAGE in html
    assert sent_count(member) == 5
    assert mail.outbox == []


def test_contact_daily_limit_counts_the_last_24_hours(member: Any, published_practice: Practice) -> None:
    now = timezone.now()
    for hours in range(2, 22):  # 20 messages, none within the last hour
        entry = AuditLog.objects.create(
            actor=member, action=CONTACT_AUDIT_ACTION, object_type="x", object_id="1"
        )
        AuditLog.objects.filter(pk=entry.pk).update(created_at=now - timedelta(hours=hours))
    with pytest.raises(ValidationError) as raised:
        practice_contact_send(
            sender=member, practice=published_practice, subject="Hi", message=MESSAGE, share_email=True
        )
    assert raised.value.code == "rate_limited"

    AuditLog.objects.filter(actor=member).update(created_at=now - timedelta(hours=25))
    practice_contact_send(
        sender=member, practice=published_practice, subject="Hi", message=MESSAGE, share_email=True
    )
    assert sent_count(member) == 21


def test_contact_limit_is_per_sender(member: Any, published_practice: Practice) -> None:
    someone = UserFactory()
    for _ in range(5):
        practice_contact_send(
            sender=someone, practice=published_practice, subject="Hi", message=MESSAGE, share_email=True
        )
    practice_contact_send(
        sender=member, practice=published_practice, subject="Hi", message=MESSAGE, share_email=True
    )
    assert sent_count(member) == 1


def test_contact_status_is_published_only(member: Any, published_practice: Practice) -> None:
    Practice.objects.filter(pk=published_practice.pk).update(status=PracticeStatus.CHANGES_REQUESTED)
    published_practice.refresh_from_db()
    with pytest.raises(PermissionDenied, match="Only published practices"):
        practice_contact_send(
            sender=member, practice=published_practice, subject="Hi", message=MESSAGE, share_email=True
        )
