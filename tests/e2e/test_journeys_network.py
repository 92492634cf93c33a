"""The network's main journey, clicked through in real headless Chromium against the live server.

A member looks for someone who knows about water and sanitation and speaks French, narrows the people
directory with its facets, opens the expert's profile and writes to them; the expert is told by e-mail (on a
real SMTP server), sees the unread badge, reads the message and answers; the member reads the answer. Plus
WCAG 2.2 AA checks (axe-core) of the directory, a profile, the inbox and a conversation.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from connective.core.models import Topic
from connective.network.conversations import conversation_start
from connective.network.models import Conversation, LanguageLevel, ProfileLanguage
from connective.network.search import directory_reindex_all
from tests.conftest import SMTPSink, message_text
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import axe_violations
from tests.factories import ProfileFactory, UserFactory, city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXPERT_EMAIL = "a.belkacem@sfax.example.org"
FIRST_MESSAGE = (
    "Bonjour Madame Belkacem, nous préparons un réseau d'assainissement pour trois quartiers de Tunis. "
    "Pourriez-vous nous raconter votre expérience à Sfax ?"
)
ANSWER = "Avec plaisir ! Je vous envoie notre cahier des charges et nous pouvons parler jeudi."


def expert_person(
    first_name: str,
    last_name: str,
    *,
    email: str,
    slug: str,
    position: str,
    place: tuple[str, str],
    languages: list[tuple[str, str]],
) -> Any:
    user = UserFactory(
        email=email,
        first_name=first_name,
        last_name=last_name,
        position=position,
        city=city(*place),
        country_id=place[1],
    )
    profile = ProfileFactory(user=user, slug=slug)
    profile.expertise.set(Topic.objects.filter(slug="water-and-sanitation"))
    for code, level in languages:
        ProfileLanguage.objects.create(profile=profile, language=code, level=level)
    return user


@pytest.fixture
def experts(db: Any) -> dict[str, Any]:
    """Two people who know about water and sanitation, only one of whom speaks French, in the directory."""
    found = {
        "expert": expert_person(
            "Amina",
            "Belkacem",
            email=EXPERT_EMAIL,
            slug="amina-belkacem",
            position="Head of sanitation planning",
            place=("Sfax", "TN"),
            languages=[("ar", LanguageLevel.NATIVE), ("fr", LanguageLevel.FLUENT)],
        ),
        "other": expert_person(
            "Jonas",
            "Becker",
            email="j.becker@leipzig.example.org",
            slug="jonas-becker",
            position="Wastewater engineer",
            place=("Leipzig", "DE"),
            languages=[("de", LanguageLevel.NATIVE), ("en", LanguageLevel.FLUENT)],
        ),
    }
    directory_reindex_all()
    return found


def header(message: Message, name: str) -> str:
    return str(make_header(decode_header(message[name] or "")))


def wait_for_message(sink: SMTPSink, matches: Callable[[Message], bool], timeout: float = 10.0) -> Message:
    """The first message on the SMTP server that `matches`, waiting for it to arrive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(sink.messages):
            if matches(message):
                return message
        time.sleep(0.05)
    received = [(header(m, "To"), header(m, "Subject")) for m in sink.messages]
    raise AssertionError(f"No matching message arrived; received: {received}")


def expect_result_count(page: Any, count: str) -> None:
    """The heading of the results starts with `count`, e.g. "1 person" (then "showing 1 to 1")."""
    expect(page.locator("#results-title")).to_have_text(re.compile(rf"^{re.escape(count)}(\s|$)"))


def main_nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="Main")


def conversation_path(pk: int) -> re.Pattern[str]:
    """The conversation's address, with or without the anchor of the message just sent."""
    return re.compile(rf"/en/messages/{pk}/(#message-\d+)?$")


def test_member_finds_french_speaking_expert_writes_and_reads_the_answer(
    page: Any,
    browser: Any,
    live_server: Any,
    experts: dict[str, Any],
    member: Any,
    smtp_server: SMTPSink,
) -> None:
    log_in(page, member.email)
    main_nav(page).get_by_role("link", name="People", exact=True).click()
    page.wait_for_url(re.compile(r"/en/people/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect_result_count(page, "2 people")

    # Facets narrow the list: first the topic, then the language; each step is a URL one can share.
    facets = page.locator(".facets")
    facets.get_by_role("link", name=re.compile(r"^Water and sanitation 2 people$")).click()
    page.wait_for_url(lambda url: "topic=water-and-sanitation" in url)
    expect_result_count(page, "2 people")
    facets.get_by_role("link", name=re.compile(r"^French 1 person$")).click()
    page.wait_for_url(lambda url: "lang=fr" in url)
    assert parse_qs(urlsplit(page.url).query) == {"topic": ["water-and-sanitation"], "lang": ["fr"]}
    expect_result_count(page, "1 person")
    cards = page.locator("ul.cards > li.card")
    expect(cards.locator("h3")).to_have_text(["Amina Belkacem"])
    expect(cards).to_contain_text("Head of sanitation planning")
    expect(cards).to_contain_text("French (fluent)")
    expect(page.locator("main")).not_to_contain_text("Jonas Becker")
    expect(page.get_by_role("link", name="Remove Languages spoken: French")).to_be_visible()

    cards.get_by_role("link", name="Amina Belkacem").click()
    page.wait_for_url(re.compile(r"/en/people/amina-belkacem/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Belkacem")
    facts = page.locator(".practice-aside")
    expect(facts).to_contain_text("Water and sanitation")
    expect(facts).to_contain_text("French (Fluent)")
    expect(facts).to_contain_text("Sfax")
    assert EXPERT_EMAIL not in page.content()

    page.get_by_role("link", name="Write a message").click()
    page.wait_for_url(re.compile(r"/en/people/amina-belkacem/write/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Write to Amina Belkacem")
    page.get_by_label("Your message").fill(FIRST_MESSAGE)
    page.get_by_role("button", name="Send message").click()
    page.wait_for_url(lambda url: "/en/messages/" in url)

    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 1
    expect(page).to_have_url(conversation_path(conversation.pk))
    expect(page.get_by_role("status").first).to_contain_text("Your message was sent.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation with Amina Belkacem")
    thread = page.get_by_role("list", name="Messages")
    expect(thread.get_by_role("listitem")).to_have_count(1)
    expect(thread.get_by_role("listitem")).to_contain_text([FIRST_MESSAGE])
    expect(thread.get_by_role("listitem").first).to_contain_text("You")
    assert EXPERT_EMAIL not in page.content()

    # The expert is told by e-mail, without the member's address, and follows the link to the conversation.
    notice = wait_for_message(smtp_server, lambda m: header(m, "To") == EXPERT_EMAIL)
    assert header(notice, "Subject") == "Mariam Haddad wrote to you on Connective Cities"
    assert header(notice, "Reply-To") == ""
    notice_text = message_text(notice)
    assert "Hello Amina Belkacem," in notice_text
    assert "nous préparons un réseau d'assainissement pour trois quartiers de Tunis" in notice_text
    assert f"/en/messages/{conversation.pk}/" in notice_text
    assert member.email not in notice.as_string()

    expert_context = browser.new_context(base_url=live_server.url, locale="en-GB")
    expert_context.set_default_timeout(15000)
    expert = expert_context.new_page()
    try:
        log_in(expert, EXPERT_EMAIL)
        main_nav(expert).get_by_role("link", name="Messages 1 unread").click()
        expert.wait_for_url(re.compile(r"/en/messages/$"))
        expect(expert.get_by_role("heading", level=1)).to_have_text("Messages")
        rows = expert.locator("table.inbox tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.get_by_role("rowheader")).to_have_text("Mariam Haddad")
        expect(rows).to_contain_text("1 unread")
        rows.get_by_role("link", name=re.compile(r"^Bonjour Madame Belkacem")).click()
        expert.wait_for_url(conversation_path(conversation.pk))
        expect(expert.get_by_role("heading", level=1)).to_have_text("Conversation with Mariam Haddad")
        expert_thread = expert.get_by_role("list", name="Messages")
        expect(expert_thread.get_by_role("listitem")).to_have_count(1)
        expect(expert_thread.get_by_role("listitem").first).to_contain_text("Mariam Haddad")
        expect(expert_thread.get_by_role("listitem").first).to_contain_text(FIRST_MESSAGE)

        expert.get_by_label("Your message").fill(ANSWER)
        expert.get_by_role("button", name="Send message").click()
        expert.wait_for_url(re.compile(rf"/en/messages/{conversation.pk}/#message-\d+$"))
        expect(expert_thread.get_by_role("listitem")).to_have_count(2)
        expect(expert_thread.get_by_role("listitem").last).to_contain_text(ANSWER)
        # Having read the conversation, the expert has nothing unread left.
        expect(main_nav(expert).get_by_role("link", name="Messages", exact=True)).to_be_visible()
        expect(main_nav(expert).locator(".badge")).to_have_count(0)
    finally:
        expert_context.close()

    # The member is told by e-mail too, and reads the answer in the conversation, below their own message.
    answered = wait_for_message(smtp_server, lambda m: header(m, "To") == member.email)
    assert header(answered, "Subject") == "Amina Belkacem wrote to you on Connective Cities"
    assert EXPERT_EMAIL not in answered.as_string()
    assert len(smtp_server.messages) == 2

    page.goto("/en/")
    main_nav(page).get_by_role("link", name="Messages 1 unread").click()
    page.wait_for_url(re.compile(r"/en/messages/$"))
    inbox_row = page.locator("table.inbox tbody tr")
    expect(inbox_row.get_by_role("rowheader")).to_have_text("Amina Belkacem")
    expect(inbox_row).to_contain_text("1 unread")
    inbox_row.get_by_role("link", name=re.compile(r"^Avec plaisir")).click()
    page.wait_for_url(conversation_path(conversation.pk))
    items = page.get_by_role("list", name="Messages").get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text(FIRST_MESSAGE)
    expect(items.last).to_contain_text("Amina Belkacem")
    expect(items.last).to_contain_text(ANSWER)
    expect(main_nav(page).locator(".badge")).to_have_count(0)


@pytest.fixture
def conversation(experts: dict[str, Any], member: Any) -> Conversation:
    message = conversation_start(sender=member, recipient=experts["expert"], body=FIRST_MESSAGE)
    conversation_start(sender=experts["expert"], recipient=member, body=ANSWER)
    return message.conversation


@pytest.mark.parametrize(
    "path",
    [
        "/en/people/",
        "/en/people/?topic=water-and-sanitation&lang=fr",
        "/en/people/amina-belkacem/",
        "/en/people/amina-belkacem/write/",
        "/en/messages/",
        "/en/messages/{pk}/",
        "/ar/messages/{pk}/",
    ],
)
def test_network_page_has_no_wcag_violations(
    page: Any, conversation: Conversation, member: Any, path: str
) -> None:
    log_in(page, member.email)
    response = page.goto(path.format(pk=conversation.pk))
    assert response is not None and response.status == 200
    assert axe_violations(page) == []
