"""The staff queue of reported messages in the back office, and staff decisions on it."""

from __future__ import annotations

from email.header import decode_header, make_header
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from connective.accounts.models import Role
from connective.core.models import AuditLog
from connective.network.conversations import conversation_start, message_report_create
from connective.network.models import ConversationMember, Message, MessageReport, ReportStatus
from tests.conftest import _with_totp, message_text
from tests.factories import UserFactory
from tests.network import test_conversations

pytestmark = pytest.mark.django_db

# The person written to: the author persona with a public profile.
recipient = test_conversations.recipient

QUEUE_URL = "/admin/network/reports/"
SPAM = "Buy cheap solar panels now at example.com, best prices in town!"


@pytest.fixture
def administrator(db: Any) -> Any:
    from connective.accounts.services import user_set_role

    user = UserFactory(email="admin@example.org", first_name="Ada", last_name="Min")
    return _with_totp(user_set_role(actor=None, user=user, role=Role.ADMINISTRATOR))


@pytest.fixture
def report(member: Any, recipient: Any) -> MessageReport:
    """Amara wrote spam to Mariam, who reported it."""
    message = conversation_start(sender=recipient, recipient=member, body=SPAM)
    mail.outbox.clear()
    return message_report_create(reporter=member, message=message, reason="spam", comment="Advertising.")


def decision_url(report: MessageReport) -> str:
    return reverse("network_admin_report", kwargs={"pk": report.pk})


def admin_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_queue_url_is_named() -> None:
    assert reverse("network_admin_reports") == QUEUE_URL


@pytest.mark.parametrize("persona", ["staff", "administrator"])
def test_queue_lists_open_reports_for_staff(persona: str, request: Any, report: MessageReport) -> None:
    response = admin_client(request.getfixturevalue(persona)).get(QUEUE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reported messages" in html
    assert "Spam or advertising" in html
    assert "Buy cheap solar panels" in html
    assert "Amara Okafor" in html and "Mariam Haddad" in html
    assert f'href="{decision_url(report)}"' in html


def test_queue_is_refused_to_editors(editor: Any, report: MessageReport) -> None:
    # The back office answers a PermissionDenied by sending the editor to its dashboard with a notice.
    client = admin_client(editor)
    for response in (
        client.get(QUEUE_URL),
        client.get(decision_url(report)),
        client.post(decision_url(report), {"decision": "remove"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == "/admin/"
    assert "Sorry, you do not have permission" in client.get("/admin/").content.decode()
    assert Message.objects.get().removed_at is None
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


@pytest.mark.parametrize("persona", ["member", "visitor"])
def test_queue_is_closed_to_members_and_visitors(persona: str, request: Any, report: MessageReport) -> None:
    user = request.getfixturevalue(persona)
    client = admin_client(user) if user is not None else Client()
    for response in (
        client.get(QUEUE_URL),
        client.post(decision_url(report), {"decision": "remove"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login")) or response[
            "Location"
        ].startswith(reverse("account_login"))
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_menu_item_shows_for_staff_only(staff: Any, editor: Any) -> None:
    assert "Reported messages" in admin_client(staff).get("/admin/").content.decode()
    assert "Reported messages" not in admin_client(editor).get("/admin/").content.decode()


def test_queue_filters_by_status(staff: Any, report: MessageReport) -> None:
    client = admin_client(staff)
    assert len(client.get(QUEUE_URL, {"status": "dismissed"}).context["page"].object_list) == 0
    MessageReport.objects.update(status=ReportStatus.DISMISSED)
    assert len(client.get(QUEUE_URL).context["page"].object_list) == 0
    assert len(client.get(QUEUE_URL, {"status": "dismissed"}).context["page"].object_list) == 1
    assert len(client.get(QUEUE_URL, {"status": "all"}).context["page"].object_list) == 1
    # An unknown filter falls back to the open reports.
    assert client.get(QUEUE_URL, {"status": "bogus"}).context["status"] == "open"


def test_queue_has_bounded_queries(staff: Any, django_assert_max_num_queries: Any) -> None:
    client = admin_client(staff)
    victim = UserFactory()

    def fill(count: int) -> None:
        for _ in range(count):
            message = conversation_start(sender=UserFactory(), recipient=victim, body="Spam")
            message_report_create(reporter=victim, message=message, reason="spam")

    fill(2)
    client.get(QUEUE_URL)  # The back office caches its menu and settings after the first page.
    with django_assert_max_num_queries(14) as small:
        assert client.get(QUEUE_URL).status_code == 200
    fill(20)
    with django_assert_max_num_queries(14) as large:
        assert client.get(QUEUE_URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_decision_page_shows_the_message_and_every_report(staff: Any, report: MessageReport) -> None:
    html = admin_client(staff).get(decision_url(report)).content.decode()
    assert SPAM in html
    assert "Advertising." in html
    assert 'value="dismiss"' in html and 'value="remove"' in html


def test_decision_dismiss_tells_the_reporter(
    staff: Any, report: MessageReport, smtp_server: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(staff).post(decision_url(report), {"decision": "dismiss"})
    assert response.status_code == 302
    assert response["Location"] == QUEUE_URL
    report.refresh_from_db()
    assert (report.status, report.handled_by) == (ReportStatus.DISMISSED, staff)
    assert Message.objects.get().removed_at is None
    assert AuditLog.objects.filter(action="message_report.dismiss", actor=staff).count() == 1
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    assert received[0]["To"] == "member@example.org"
    assert str(make_header(decode_header(received[0]["Subject"]))) == (
        "Your report of a message on Connective Cities"
    )
    body = message_text(received[0])
    assert "decided not to remove it" in body
    assert f"http://127.0.0.1:8000/en/messages/{report.message.conversation_id}/" in body
    assert "author@example.org" not in received[0].as_string()


def test_decision_remove_removes_the_message_for_both(
    staff: Any,
    member: Any,
    recipient: Any,
    report: MessageReport,
    django_capture_on_commit_callbacks: Any,
) -> None:
    second_reporter = UserFactory(email="second@example.org")
    ConversationMember.objects.create(conversation_id=report.message.conversation_id, user=second_reporter)
    message_report_create(reporter=second_reporter, message=report.message, reason="fraud")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client(staff).post(decision_url(report), {"decision": "remove"})
    assert response.status_code == 302
    assert Message.objects.get().removed_at is not None
    assert set(MessageReport.objects.values_list("status", flat=True)) == {ReportStatus.REMOVED}
    assert AuditLog.objects.filter(action="message.remove", actor=staff).count() == 1
    assert sorted(item.to[0] for item in mail.outbox) == ["member@example.org", "second@example.org"]
    conversation_url = reverse("network:conversation", kwargs={"pk": report.message.conversation_id})
    for person in (member, recipient):
        page = admin_client(person).get(conversation_url).content.decode()
        assert "This message was removed by staff" in page
        assert "Buy cheap solar panels" not in page


def test_decision_on_a_handled_report_is_refused(staff: Any, report: MessageReport) -> None:
    client = admin_client(staff)
    client.post(decision_url(report), {"decision": "dismiss"})
    response = client.get(decision_url(report))
    assert "This report has been handled: Dismissed." in response.content.decode()
    response = client.post(decision_url(report), {"decision": "remove"})
    assert response.status_code == 200
    assert "This report has already been handled." in response.content.decode()
    assert Message.objects.get().removed_at is None


def test_decision_without_choice_is_refused(staff: Any, report: MessageReport) -> None:
    response = admin_client(staff).post(decision_url(report), {})
    assert response.status_code == 200
    assert response.context["form"].errors == {"decision": ["Choose a decision."]}
    report.refresh_from_db()
    assert report.status == ReportStatus.OPEN


def test_decision_on_an_unknown_report_is_404(staff: Any) -> None:
    assert admin_client(staff).get("/admin/network/reports/999999/").status_code == 404
