"""Private conversations on the site: writing to a member, the inbox, a conversation, blocking, reporting."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from connective.network.conversations import block_create, conversation_start, message_report_create
from connective.network.models import (
    Block,
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
    Visibility,
)
from tests.factories import ProfileFactory, UserFactory
from tests.network import test_conversations
from tests.network.test_conversations import HELLO, NEUTRAL
from tests.practices.test_detail import client_for

pytestmark = pytest.mark.django_db

# The person written to: the author persona with a public profile.
recipient = test_conversations.recipient

WRITE_URL = "/en/people/amara-okafor/write/"
INBOX_URL = "/en/messages/"


def forget_badge(user: Any) -> None:
    """Each measured page reads the header's unread count afresh (it is cached between pages)."""
    from django.core.cache import cache

    cache.delete(f"network:unread:{user.pk}")


def conversation_url(pk: int) -> str:
    return reverse("network:conversation", kwargs={"pk": pk})


def report_url(message: Message) -> str:
    return reverse("network:message_report", kwargs={"pk": message.conversation_id, "message_pk": message.pk})


def post(client: Client, url: str, captured: Any, data: dict[str, str]) -> Any:
    with captured(execute=True):
        return client.post(url, data)


# --- Writing to a member ------------------------------------------------------------------------------


def test_write_url_is_named() -> None:
    assert reverse("network:write", kwargs={"slug": "amara-okafor"}) == WRITE_URL
    assert reverse("network:inbox") == INBOX_URL


def test_write_visitor_is_sent_to_sign_in(recipient: Any) -> None:
    response = Client().get(WRITE_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={WRITE_URL}"


def test_write_member_gets_the_form(member: Any, recipient: Any) -> None:
    response = client_for(member).get(WRITE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Write to Amara Okafor" in html
    assert 'name="body"' in html
    assert "author@example.org" not in html


def test_write_to_your_own_profile_is_404(recipient: Any) -> None:
    assert client_for(recipient).get(WRITE_URL).status_code == 404


@pytest.mark.parametrize("visibility", [Visibility.HIDDEN])
def test_write_to_a_profile_you_may_not_see_is_404(member: Any, recipient: Any, visibility: str) -> None:
    recipient.profile.visibility = visibility
    recipient.profile.save()
    assert client_for(member).get(WRITE_URL).status_code == 404
    assert client_for(member).post(WRITE_URL, {"body": HELLO}).status_code == 404
    assert Message.objects.count() == 0


def test_write_to_a_members_only_profile_is_allowed_for_members(member: Any, recipient: Any) -> None:
    recipient.profile.visibility = Visibility.MEMBERS
    recipient.profile.save()
    assert client_for(member).get(WRITE_URL).status_code == 200


@pytest.mark.parametrize("state", ["inactive", "deleted"])
def test_write_to_an_account_that_is_gone_is_404(member: Any, recipient: Any, state: str) -> None:
    if state == "inactive":
        recipient.is_active = False
    else:
        recipient.deleted_at = timezone.now()
    recipient.save()
    assert client_for(member).post(WRITE_URL, {"body": HELLO}).status_code == 404
    assert Message.objects.count() == 0


def test_write_to_an_unknown_person_is_404(member: Any) -> None:
    assert client_for(member).get("/en/people/nobody-here/write/").status_code == 404


def test_write_sends_and_opens_the_conversation(
    member: Any, recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    response = post(client, WRITE_URL, django_capture_on_commit_callbacks, {"body": HELLO})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{conversation_url(message.conversation_id)}#message-{message.pk}"
    assert (message.sender, message.body) == (member, HELLO)
    assert [item.to for item in mail.outbox] == [["author@example.org"]]
    page = client.get(response["Location"]).content.decode()
    assert "Your message was sent." in page
    assert HELLO.replace("'", "&#x27;") in page


def test_write_again_continues_the_same_conversation(member: Any, recipient: Any) -> None:
    client = client_for(member)
    client.post(WRITE_URL, {"body": HELLO})
    page = client.get(WRITE_URL).content.decode()
    conversation = Conversation.objects.get()
    assert f'href="{conversation_url(conversation.pk)}"' in page
    client.post(WRITE_URL, {"body": "Second message"})
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Please write a message."),
        ("y" * 5001, "The message is too long: at most 5000 characters (it has 5001)."),
    ],
)
def test_write_bad_input_is_refused_and_keeps_the_text(
    member: Any, recipient: Any, body: str, error: str, django_capture_on_commit_callbacks: Any
) -> None:
    response = post(client_for(member), WRITE_URL, django_capture_on_commit_callbacks, {"body": body})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    if body.strip():
        assert body in html
    assert Conversation.objects.count() == 0
    assert mail.outbox == []


def test_write_counts_a_browser_line_break_as_one_character(member: Any, recipient: Any) -> None:
    # 2500 lines of one letter: 4999 characters with "\n" line breaks, 7498 as the browser sends them.
    typed = "\r\n".join(["a"] * 2500)
    response = client_for(member).post(WRITE_URL, {"body": typed})
    assert response.status_code == 302
    assert Message.objects.get().body == "\n".join(["a"] * 2500)


def test_write_when_blocked_is_refused_neutrally_and_keeps_the_text(
    member: Any, recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    block_create(blocker=recipient, blocked=member)
    client = client_for(member)
    assert client.get(WRITE_URL).status_code == 403
    response = post(client, WRITE_URL, django_capture_on_commit_callbacks, {"body": "Please answer me."})
    assert response.status_code == 403
    html = response.content.decode()
    assert NEUTRAL in html
    assert "block" not in html.lower().replace("blockquote", "")
    assert "Please answer me." in html
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_write_over_the_daily_limit_is_refused_with_429(
    member: Any, recipient: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MESSAGES_NEW_CONVERSATIONS_PER_DAY = 1
    conversation_start(sender=member, recipient=UserFactory(), body="First")
    mail.outbox.clear()
    response = post(client_for(member), WRITE_URL, django_capture_on_commit_callbacks, {"body": HELLO})
    assert response.status_code == 429
    html = response.content.decode()
    assert "You have started 1 new conversations today, the most allowed." in html
    assert HELLO.replace("'", "&#x27;") in html
    assert Conversation.objects.count() == 1
    assert mail.outbox == []


# --- Inbox --------------------------------------------------------------------------------------------


def test_inbox_visitor_is_sent_to_sign_in() -> None:
    response = Client().get(INBOX_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={INBOX_URL}"


def test_inbox_is_empty_at_first(member: Any) -> None:
    response = client_for(member).get(INBOX_URL)
    assert response.status_code == 200
    assert "No messages yet." in response.content.decode()


def test_inbox_lists_conversations_with_names_links_and_unread(member: Any, recipient: Any) -> None:
    hidden = UserFactory(first_name="Noor", last_name="Saleh")
    ProfileFactory(user=hidden, slug="noor-saleh", visibility=Visibility.HIDDEN)
    first = conversation_start(sender=recipient, recipient=member, body="From Amara")
    second = conversation_start(sender=hidden, recipient=member, body="From Noor")
    conversation_start(sender=hidden, recipient=member, body="From Noor again")
    html = client_for(member).get(INBOX_URL).content.decode()
    # Newest first; Noor's profile is hidden, so her name shows without a link.
    assert html.index("Noor Saleh") < html.index("Amara Okafor")
    assert '<a href="/en/people/amara-okafor/">Amara Okafor</a>' in html
    assert '<th scope="row">Noor Saleh</th>' in html
    assert "/en/people/noor-saleh/" not in html
    assert f'href="{conversation_url(first.conversation_id)}"' in html
    assert f'href="{conversation_url(second.conversation_id)}"' in html
    assert "2 unread" in html and "1 unread" in html


def test_inbox_is_paginated(member: Any) -> None:
    for number in range(27):
        conversation_start(sender=UserFactory(), recipient=member, body=f"Message {number}")
    client = client_for(member)
    first = client.get(INBOX_URL)
    assert len(first.context["entries"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(INBOX_URL, {"page": 2})
    assert len(second.context["entries"]) == 2


def test_inbox_has_bounded_queries(member: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(member)

    def fill(count: int) -> None:
        for _ in range(count):
            person = UserFactory()
            ProfileFactory(user=person)
            conversation_start(sender=person, recipient=member, body="Hello")

    fill(3)
    forget_badge(member)
    with django_assert_max_num_queries(10) as small:
        assert client.get(INBOX_URL).status_code == 200
    fill(22)
    forget_badge(member)
    with django_assert_max_num_queries(10) as large:
        assert client.get(INBOX_URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- One conversation ---------------------------------------------------------------------------------


@pytest.fixture
def talk(member: Any, recipient: Any) -> Conversation:
    """Amara wrote to Mariam."""
    return conversation_start(
        sender=recipient, recipient=member, body="Hello Mariam, how is Sfax?"
    ).conversation


def test_conversation_shows_messages_and_marks_them_read(member: Any, talk: Conversation) -> None:
    response = client_for(member).get(conversation_url(talk.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hello Mariam, how is Sfax?" in html
    assert '<a href="/en/people/amara-okafor/">Amara Okafor</a>' in html
    assert "Block this member" in html
    assert ConversationMember.objects.get(conversation=talk, user=member).last_read_at is not None


@pytest.mark.parametrize("who", ["outsider", "visitor"])
def test_conversation_is_closed_to_others(talk: Conversation, who: str) -> None:
    client = client_for(UserFactory()) if who == "outsider" else Client()
    response = client.get(conversation_url(talk.pk))
    if who == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 302
    assert client.post(conversation_url(talk.pk), {"body": "Hi"}).status_code in {302, 404}
    assert Message.objects.count() == 1


def test_conversation_unknown_is_404(member: Any) -> None:
    assert client_for(member).get(conversation_url(999999)).status_code == 404


def test_conversation_shows_removed_and_former_member_messages(
    member: Any, recipient: Any, talk: Conversation
) -> None:
    Message.objects.filter(conversation=talk).update(removed_at=timezone.now())
    Message.objects.create(conversation=talk, sender=None, body="Written before the account was erased")
    html = client_for(member).get(conversation_url(talk.pk)).content.decode()
    assert "This message was removed by staff" in html
    assert "Hello Mariam, how is Sfax?" not in html
    assert "Former member" in html
    assert "Written before the account was erased" in html


def test_conversation_with_a_deleted_account_names_a_former_member_and_closes(
    member: Any, recipient: Any, talk: Conversation
) -> None:
    recipient.deleted_at = timezone.now()
    recipient.save()
    html = client_for(member).get(conversation_url(talk.pk)).content.decode()
    assert "Conversation with Former member" in html
    assert "Amara Okafor" not in html
    assert NEUTRAL in html
    assert 'name="body"' not in html


def test_conversation_reply_is_sent(
    member: Any, talk: Conversation, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(member)
    response = post(client, conversation_url(talk.pk), django_capture_on_commit_callbacks, {"body": "Sunny!"})
    reply = Message.objects.get(body="Sunny!")
    assert response.status_code == 302
    assert response["Location"] == f"{conversation_url(talk.pk)}#message-{reply.pk}"
    assert reply.sender == member
    assert [item.to for item in mail.outbox] == [["author@example.org"]]


def test_conversation_reply_bad_input_keeps_the_text(member: Any, talk: Conversation) -> None:
    response = client_for(member).post(conversation_url(talk.pk), {"body": "z" * 5001})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The message is too long: at most 5000 characters (it has 5001)." in html
    assert "z" * 5001 in html
    assert Message.objects.count() == 1


def test_conversation_reply_when_blocked_is_refused_neutrally(
    member: Any, recipient: Any, talk: Conversation
) -> None:
    block_create(blocker=member, blocked=recipient)
    client = client_for(recipient)
    page = client.get(conversation_url(talk.pk)).content.decode()
    assert NEUTRAL in page
    assert "Unblock" not in page
    response = client.post(conversation_url(talk.pk), {"body": "Why no answer?"})
    assert response.status_code == 403
    html = response.content.decode()
    assert NEUTRAL in html
    assert "Why no answer?" in html
    assert Message.objects.count() == 1


def test_conversation_reply_over_the_hourly_limit_is_429(
    member: Any, talk: Conversation, settings: Any
) -> None:
    settings.MESSAGES_SENT_PER_HOUR = 1
    client = client_for(member)
    client.post(conversation_url(talk.pk), {"body": "One"})
    response = client.post(conversation_url(talk.pk), {"body": "Two"})
    assert response.status_code == 429
    assert "You have sent 1 messages in the last hour, the most allowed." in response.content.decode()
    assert list(Message.objects.filter(sender=member).values_list("body", flat=True)) == ["One"]


def test_conversation_block_and_unblock(member: Any, recipient: Any, talk: Conversation) -> None:
    client = client_for(member)
    response = client.post(reverse("network:block", kwargs={"pk": talk.pk}))
    assert response.status_code == 302
    assert Block.objects.filter(blocker=member, blocked=recipient).exists()
    page = client.get(conversation_url(talk.pk)).content.decode()
    assert "You blocked Amara Okafor" in page
    assert "Unblock" in page
    assert "Hello Mariam, how is Sfax?" in page  # nothing already there is hidden
    client.post(reverse("network:unblock", kwargs={"pk": talk.pk}))
    assert not Block.objects.exists()
    assert "Block this member" in client.get(conversation_url(talk.pk)).content.decode()


def test_conversation_block_needs_post_and_membership(member: Any, talk: Conversation) -> None:
    assert client_for(member).get(reverse("network:block", kwargs={"pk": talk.pk})).status_code == 405
    assert client_for(UserFactory()).post(reverse("network:block", kwargs={"pk": talk.pk})).status_code == 404
    assert not Block.objects.exists()


def test_conversation_offers_report_only_for_the_other_persons_messages(
    member: Any, talk: Conversation
) -> None:
    mine = Message.objects.create(conversation=talk, sender=member, body="My own words")
    theirs = Message.objects.get(body="Hello Mariam, how is Sfax?")
    html = client_for(member).get(conversation_url(talk.pk)).content.decode()
    assert f'href="{report_url(theirs)}"' in html
    assert f'href="{report_url(mine)}"' not in html


def test_conversation_pages_back_in_time(member: Any, talk: Conversation) -> None:
    Message.objects.bulk_create(
        Message(conversation=talk, sender=member, body=f"Note {number:03d}") for number in range(60)
    )
    client = client_for(member)
    latest = client.get(conversation_url(talk.pk)).content.decode()
    assert "Note 059" in latest and "Note 010" in latest and "Note 009" not in latest
    assert latest.index("Note 010") < latest.index("Note 059")  # oldest first on the page
    assert "Earlier messages" in latest
    earlier = client.get(conversation_url(talk.pk), {"page": 2}).content.decode()
    assert "Note 009" in earlier and "Hello Mariam, how is Sfax?" in earlier


def test_conversation_has_bounded_queries(
    member: Any, recipient: Any, talk: Conversation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(member)
    forget_badge(member)
    # 12, and opening the conversation marks its notices read in the notification centre (the header's
    # notification count is then read afresh).
    with django_assert_max_num_queries(14) as small:
        assert client.get(conversation_url(talk.pk)).status_code == 200
    Message.objects.bulk_create(
        Message(conversation=talk, sender=sender, body=f"Line {number}")
        for number in range(80)
        for sender in (member, recipient)
    )
    forget_badge(member)
    with django_assert_max_num_queries(14) as large:
        assert client.get(conversation_url(talk.pk)).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Reporting ----------------------------------------------------------------------------------------


def test_report_page_shows_the_form(member: Any, talk: Conversation) -> None:
    message = Message.objects.get()
    response = client_for(member).get(report_url(message))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Report a message" in html
    assert 'name="reason"' in html and 'value="harassment"' in html
    assert "Hello Mariam, how is Sfax?" in html


def test_report_is_sent(member: Any, talk: Conversation) -> None:
    message = Message.objects.get()
    client = client_for(member)
    response = client.post(report_url(message), {"reason": "harassment", "comment": "Third time today."})
    assert response.status_code == 302
    report = MessageReport.objects.get()
    assert (report.reporter, report.message, report.reason, report.comment) == (
        member,
        message,
        "harassment",
        "Third time today.",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Thank you. Staff will look at the message" in page
    assert "You reported this message." in page


def test_report_twice_shows_it_was_reported(member: Any, talk: Conversation) -> None:
    message = Message.objects.get()
    message_report_create(reporter=member, message=message, reason="spam")
    client = client_for(member)
    assert "You have already reported this message." in client.get(report_url(message)).content.decode()
    response = client.post(report_url(message), {"reason": "fraud"})
    assert response.status_code == 400
    assert MessageReport.objects.count() == 1


def test_report_without_reason_is_refused_and_keeps_the_comment(member: Any, talk: Conversation) -> None:
    message = Message.objects.get()
    response = client_for(member).post(report_url(message), {"reason": "", "comment": "Please look."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose why you report this message." in html
    assert "Please look." in html
    assert MessageReport.objects.count() == 0


def test_report_of_your_own_message_or_by_outsiders_is_404(
    member: Any, recipient: Any, talk: Conversation
) -> None:
    message = Message.objects.get()
    assert client_for(recipient).get(report_url(message)).status_code == 404
    assert client_for(UserFactory()).post(report_url(message), {"reason": "spam"}).status_code == 404
    assert MessageReport.objects.count() == 0


def test_header_badge_counts_unread_conversations_until_read(
    member: Any, recipient: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        message = conversation_start(sender=recipient, recipient=member, body="Hello Mariam, how is Sfax?")
    client = client_for(member)
    badge = '<span class="badge">1<span class="visually-hidden"> unread</span></span>'
    assert badge in client.get("/en/practices/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(conversation_url(message.conversation_id))
    assert 'class="badge"' not in client.get("/en/practices/").content.decode()
    # The sender has read their own message: no badge for them.
    assert 'class="badge"' not in client_for(recipient).get("/en/practices/").content.decode()
