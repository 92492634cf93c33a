"""The knowledge base's main journeys, clicked through in real headless Chromium against the live server.

Visitor: search, narrow with a facet, open a practice; member: write to its contact person, whose message
arrives on a real SMTP server. Member: submit a practice; editor (password and TOTP): approve it in the back
office; visitor: find it. Plus the list without JavaScript and the language switcher on a practice page.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from connective.practices.models import Practice, PracticeStatus
from connective.practices.tasks import practice_index
from tests.conftest import SMTPSink, message_text, totp_code
from tests.e2e.conftest import log_in
from tests.factories import PracticeFactory, UserFactory, city

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
CONTACT_EMAIL = "k.weber@dresden.example.org"


def published(**kwargs: Any) -> Practice:
    """A published practice, in the search index as the services would put it there."""
    practice = PracticeFactory(**kwargs)
    practice_index.call(practice.pk)
    return practice


@pytest.fixture
def knowledge_base(author: Any) -> dict[str, Practice]:
    contact = UserFactory(email=CONTACT_EMAIL, first_name="Katrin", last_name="Weber")
    return {
        "dresden": published(
            slug="hochwasser-fruehwarnsystem-dresden",
            title="Hochwasser-Frühwarnsystem für die Elbe",
            summary="Pegel an der Elbe warnen die Bürgerinnen und Bürger zwei Tage vor dem Hochwasser.",
            language="de",
            city=city("Dresden", "DE"),
            topics=["climate-adaptation"],
            challenge="Das Hochwasser von 2002 traf die Stadt ohne Vorwarnung.",
            objectives="",
            solution="Ein Netz aus Pegeln und eine Warn-App für alle Stadtteile.",
            results="Beim Hochwasser 2013 wurden alle Haushalte rechtzeitig gewarnt.",
            author=author,
            contact=contact,
        ),
        "sfax": published(
            slug="flood-early-warning-sfax",
            title="Flood early warning by SMS",
            summary="Residents get a text message two hours before the wadi floods.",
            language="en",
            city=city("Sfax", "TN"),
            topics=["climate-adaptation"],
            author=author,
            contact=contact,
        ),
        "tunis": published(
            slug="flood-resilient-housing-tunis",
            title="Flood-resilient social housing",
            summary="New social housing is built on raised plinths out of the flood zone.",
            language="en",
            city=city("Tunis", "TN"),
            topics=["housing"],
            author=author,
        ),
        "leipzig": published(
            slug="solar-street-lighting-leipzig",
            title="Solar street lighting",
            summary="Street lamps powered by the sun make the night safer.",
            language="en",
            city=city("Leipzig", "DE"),
            topics=["mobility"],
            author=author,
        ),
        "budget": published(
            slug="participatory-budget-tunis",
            title="Participatory budget",
            summary="Neighbourhoods decide how to spend part of the investment budget.",
            language="fr",
            city=city("Tunis", "TN"),
            topics=["citizen-participation"],
            author=author,
        ),
    }


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


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def expect_result_count(page: Any, count: str) -> None:
    """The heading of the results starts with `count`, e.g. "1 practice" (then "showing 1 to 1")."""
    expect(page.locator("#results-title")).to_have_text(re.compile(rf"^{re.escape(count)}(\s|$)"))


def test_visitor_searches_filters_opens_practice_and_member_writes_to_contact(
    page: Any, knowledge_base: dict[str, Practice], member: Any, smtp_server: SMTPSink
) -> None:
    page.goto("/en/")
    page.get_by_role("link", name="Good practices").first.click()
    page.wait_for_url("**/en/practices/")
    expect_result_count(page, "5 practices")

    # An English word finds the English records with "flood", "floods" and "Flood-resilient", and by its
    # meaning the German "Hochwasser" record, which has none of those words.
    page.get_by_label("Search good practices").fill("flood")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/en/practices/\?q=flood$"))
    expect_result_count(page, "3 practices")
    cards = page.locator("ul.cards > li.card h3")
    expect(cards).to_have_count(3)
    expect(cards.filter(has_text="Flood early warning by SMS")).to_have_count(1)
    expect(cards.filter(has_text="Flood-resilient social housing")).to_have_count(1)
    expect(cards.filter(has_text="Hochwasser-Frühwarnsystem für die Elbe")).to_have_count(1)

    # A facet narrows the results, and the narrowed list is a URL one can share.
    page.locator(".facets").get_by_role("link", name=re.compile(r"^Germany 1 practices$")).click()
    page.wait_for_url(lambda url: "country=DE" in url)
    page.get_by_role("link", name="Remove Country: Germany").click()
    page.wait_for_url(lambda url: "country=" not in url)
    page.locator(".facets").get_by_role("link", name=re.compile(r"^Climate adaptation 2 practices$")).click()
    page.wait_for_url(lambda url: "topic=climate-adaptation" in url)
    page.locator(".facets").get_by_role("link", name=re.compile(r"^Tunisia 1 practices$")).click()
    page.wait_for_url(lambda url: "country=TN" in url)
    assert query_of(page.url) == {"q": ["flood"], "topic": ["climate-adaptation"], "country": ["TN"]}
    expect_result_count(page, "1 practice")
    expect(cards).to_have_text(["Flood early warning by SMS"])
    shared = page.url
    other = page.context.new_page()
    other.goto(shared)
    expect(other.locator("ul.cards > li.card h3")).to_have_text(["Flood early warning by SMS"])
    other.close()

    # A German word finds the German record, compounds included ("Hochwasser-Frühwarnsystem").
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url(re.compile(r"/en/practices/$"))
    page.get_by_label("Search good practices").fill("Hochwasser")
    page.get_by_label("Search good practices").press("Enter")
    page.wait_for_url(re.compile(r"\?q=Hochwasser$"))
    # The record with the word first; the English flood records follow by their meaning.
    expect(page.locator("ul.cards > li.card h3").first).to_have_text("Hochwasser-Frühwarnsystem für die Elbe")
    page.get_by_role("link", name="Hochwasser-Frühwarnsystem für die Elbe").click()
    page.wait_for_url("**/en/practices/hochwasser-fruehwarnsystem-dresden/")

    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Hochwasser-Frühwarnsystem für die Elbe")
    expect(title).to_have_attribute("lang", "de")
    for heading, text in [
        ("Challenge", "Das Hochwasser von 2002 traf die Stadt ohne Vorwarnung."),
        ("Solution", "Ein Netz aus Pegeln und eine Warn-App für alle Stadtteile."),
        ("Results and indicators", "Beim Hochwasser 2013 wurden alle Haushalte rechtzeitig gewarnt."),
    ]:
        section = page.locator("section.practice-section").filter(
            has=page.get_by_role("heading", name=heading, exact=True)
        )
        expect(section).to_contain_text(text)
    expect(page.locator("#contact")).to_contain_text("Katrin")
    assert CONTACT_EMAIL not in page.content()

    # The visitor signs in from the contact box and comes back to it.
    page.get_by_role("link", name="Sign in to write to the contact person").click()
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/en/practices/hochwasser-fruehwarnsystem-dresden/" in url)
    assert CONTACT_EMAIL not in page.content()

    contact_box = page.locator("#contact")
    contact_box.get_by_label("Subject").fill("Pegel für Sfax")
    contact_box.get_by_label("Your message").fill(
        "Guten Tag, wir möchten Ihr Frühwarnsystem an unserem Wadi nachbauen. Können wir telefonieren?"
    )
    contact_box.get_by_role("button", name="Send message").click()
    page.wait_for_url(lambda url: url.endswith("/en/practices/hochwasser-fruehwarnsystem-dresden/"))
    expect(page.get_by_role("status").first).to_contain_text("Your message was sent to the contact person.")
    assert CONTACT_EMAIL not in page.content()

    relayed = wait_for_message(smtp_server, lambda m: "Pegel für Sfax" in header(m, "Subject"))
    assert header(relayed, "To") == CONTACT_EMAIL
    assert header(relayed, "Reply-To") == member.email
    body = message_text(relayed)
    assert "wir möchten Ihr Frühwarnsystem an unserem Wadi nachbauen. Können wir telefonieren?" in body
    assert "Hochwasser-Frühwarnsystem für die Elbe" in body
    assert len(smtp_server.messages) == 1


def field(page: Any, label: str) -> Any:
    """A form field by its label, which ends in " *" when a submission needs it."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def wait_for_fresh_totp_window(margin: float = 3.0) -> None:
    # A code typed in the last seconds of its 30-second window may arrive after it expired; wait for the
    # next window instead, a bounded and known wait.
    remaining = 30 - time.time() % 30
    if remaining < margin:
        time.sleep(remaining + 0.1)


def test_member_submits_practice_editor_approves_and_it_is_found_in_search(
    page: Any, browser: Any, live_server: Any, member: Any, editor: Any, smtp_server: SMTPSink
) -> None:
    city("Sfax", "TN")  # the form knows only the cities of the GeoNames data that is loaded
    title = "Rainwater harvesting in public schools"

    log_in(page, member.email)
    page.get_by_role("link", name="Share a good practice").click()
    page.wait_for_url("**/en/practices/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Share a good practice")

    field(page, "Title").fill(title)
    field(page, "Summary").fill("Forty schools collect rain from their roofs for toilets and gardens.")
    expect(field(page, "Language of this record")).to_have_value("en")
    field(page, "City").fill("Sfax")
    field(page, "Country").select_option("TN")
    page.get_by_label("Water and sanitation", exact=True).check()
    field(page, "Challenge").fill("Schools paid a third of their budget for tap water.")
    field(page, "Solution").fill("Cisterns under the playgrounds store the winter rain.")
    # "Results and indicators" left out on purpose: submitting must stop and keep what was typed.
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    alert = page.locator("#error-summary")
    expect(alert).to_contain_text("Please correct 1 problem")
    expect(alert.get_by_role("link")).to_have_text(
        ["Results and indicators: Describe the results and how they were measured."]
    )
    expect(field(page, "Title")).to_have_value(title)
    expect(field(page, "Summary")).to_have_value(
        "Forty schools collect rain from their roofs for toilets and gardens."
    )
    expect(field(page, "City")).to_have_value("Sfax")
    expect(field(page, "Country")).to_have_value("TN")
    expect(page.get_by_label("Water and sanitation", exact=True)).to_be_checked()
    expect(field(page, "Challenge")).to_have_value("Schools paid a third of their budget for tap water.")
    expect(field(page, "Solution")).to_have_value("Cisterns under the playgrounds store the winter rain.")
    assert Practice.objects.filter(title=title).count() == 0

    field(page, "Results and indicators").fill("Water bills fell by 60 % in the first year.")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url("**/en/practices/mine/")
    expect(page.get_by_role("status").first).to_contain_text("Your practice was submitted")
    row = page.get_by_role("row").filter(has_text=title)
    expect(row).to_contain_text("Submitted")

    practice = Practice.objects.get(title=title)
    assert practice.status == PracticeStatus.SUBMITTED
    assert practice.contact_id == member.pk
    assert practice.city.name == "Sfax"

    # Under review, the record is nobody's business but its author's and the editors'.
    visitor = browser.new_context(base_url=live_server.url, locale="en-GB")
    visitor.set_default_timeout(15000)
    anonymous = visitor.new_page()
    response = anonymous.goto(f"/en/practices/{practice.slug}/")
    assert response is not None and response.status == 404
    anonymous.goto("/en/practices/?q=rainwater+harvesting")
    expect_result_count(anonymous, "0 practices")
    expect(anonymous.locator("body")).not_to_contain_text(title)

    # The editor follows the link in the e-mail telling them there is a practice to review.
    to_review = wait_for_message(
        smtp_server, lambda m: header(m, "To") == editor.email and title in header(m, "Subject")
    )
    review_link = re.search(r"https?://\S+/admin/practices/\d+/review/", message_text(to_review))
    assert review_link is not None
    review_path = urlsplit(review_link.group(0)).path
    assert review_path == f"/admin/practices/{practice.pk}/review/"

    back_office = browser.new_context(base_url=live_server.url, locale="en-GB")
    back_office.set_default_timeout(15000)
    editor_page = back_office.new_page()
    editor_page.goto(review_path)
    editor_page.wait_for_url(lambda url: "/accounts/login/" in url)
    editor_page.get_by_label("Email").fill(editor.email)
    editor_page.get_by_label("Password").fill(PASSWORD)
    editor_page.get_by_role("button", name="Sign In").click()
    editor_page.wait_for_url("**/accounts/2fa/authenticate/")
    wait_for_fresh_totp_window()
    editor_page.locator("input[name=code]").fill(totp_code())
    editor_page.get_by_role("button", name="Sign In").click()
    editor_page.wait_for_url(lambda url: urlsplit(url).path == review_path)

    expect(editor_page.locator("#record-title")).to_have_text(title)
    editor_page.get_by_label("Approved and published").check()
    editor_page.get_by_label("Comment to the author").fill("Thank you, a clear and useful record.")
    editor_page.get_by_role("button", name="Record decision").click()
    editor_page.wait_for_url(lambda url: "/admin/snippets/practices/practice/" in url)
    expect(editor_page.get_by_text(f"“{title}”: Approved and published.")).to_be_visible()
    back_office.close()

    approved = wait_for_message(
        smtp_server, lambda m: header(m, "To") == member.email and "is published" in header(m, "Subject")
    )
    assert header(approved, "Subject") == f"Your practice “{title}” is published"
    approved_text = message_text(approved)
    assert "Thank you, a clear and useful record." in approved_text
    assert f"/en/practices/{practice.slug}/" in approved_text

    # Now anyone finds it by its title, and can open it.
    anonymous.goto("/en/practices/")
    anonymous.get_by_label("Search good practices").fill("rainwater harvesting schools")
    anonymous.get_by_role("button", name="Search", exact=True).click()
    anonymous.wait_for_url(lambda url: "q=rainwater+harvesting+schools" in url)
    expect_result_count(anonymous, "1 practice")
    anonymous.get_by_role("link", name=title).click()
    anonymous.wait_for_url(f"**/en/practices/{practice.slug}/")
    expect(anonymous.get_by_role("heading", level=1)).to_have_text(title)
    expect(anonymous.locator("#section-results")).to_contain_text(
        "Water bills fell by 60 % in the first year."
    )
    assert member.email not in anonymous.content()
    visitor.close()


def test_practice_list_searches_and_filters_without_javascript(
    browser: Any, live_server: Any, knowledge_base: dict[str, Practice]
) -> None:
    context = browser.new_context(base_url=live_server.url, locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        page.goto("/en/practices/")
        assert page.evaluate("1 + 1") == 2  # the test's own evaluation still runs; the page's scripts do not
        page.get_by_label("Search good practices").fill("flood")
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_url(re.compile(r"\?q=flood$"))
        # The two English records with the word, and the German one by its meaning.
        expect_result_count(page, "3 practices")

        page.locator(".facets").get_by_role("link", name=re.compile(r"^Tunisia 2 practices$")).click()
        page.wait_for_url(lambda url: "country=TN" in url)
        expect_result_count(page, "2 practices")
        page.locator(".facets").get_by_role("link", name=re.compile(r"^Housing 1 practices$")).click()
        page.wait_for_url(lambda url: "topic=housing" in url)
        assert query_of(page.url) == {"q": ["flood"], "country": ["TN"], "topic": ["housing"]}
        expect(page.locator("ul.cards > li.card h3")).to_have_text(["Flood-resilient social housing"])

        page.get_by_role("link", name="Remove Topic: Housing").click()
        page.wait_for_url(lambda url: "topic=" not in url)
        expect_result_count(page, "2 practices")

        page.get_by_label("Sort by").select_option("newest")
        page.get_by_role("button", name="Sort").click()
        page.wait_for_url(lambda url: "sort=newest" in url)
        assert query_of(page.url) == {"q": ["flood"], "country": ["TN"], "sort": ["newest"]}
    finally:
        context.close()


def test_language_switcher_on_practice_page_keeps_the_practice(
    page: Any, knowledge_base: dict[str, Practice]
) -> None:
    page.goto("/en/practices/flood-early-warning-sfax/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    page.get_by_role("link", name="AR Arabic").click()
    page.wait_for_url("**/ar/practices/flood-early-warning-sfax/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    # The interface turns to Arabic; the record stays in its own language and direction.
    title = page.get_by_role("heading", level=1)
    expect(title).to_have_text("Flood early warning by SMS")
    expect(title).to_have_attribute("lang", "en")
    expect(title).to_have_attribute("dir", "ltr")
    page.get_by_role("link", name=re.compile(r"^DE")).click()
    page.wait_for_url("**/de/practices/flood-early-warning-sfax/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Flood early warning by SMS")


KEY_PAGES = [
    ("home", "/en/"),
    ("list-query", "/en/practices/?q=flood"),
    ("detail", "/en/practices/hochwasser-fruehwarnsystem-dresden/"),
    ("map", "/en/practices/map/"),
    ("submit", "/en/practices/new/"),
    ("mine", "/en/practices/mine/"),
    ("detail-ar", "/ar/practices/flood-early-warning-sfax/"),
    ("list-ar", "/ar/practices/?q=flood"),
]


@pytest.mark.parametrize("width", [1280, 375])
def test_key_pages_fit_the_screen_width(
    browser: Any, live_server: Any, knowledge_base: dict[str, Practice], member: Any, width: int
) -> None:
    """No page scrolls sideways on a phone or a desktop. Set E2E_SCREENSHOTS=<dir> to keep screenshots."""
    shots = os.environ.get("E2E_SCREENSHOTS")
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": width, "height": 900}
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    try:
        log_in(page, member.email)
        too_wide = {}
        for name, path in KEY_PAGES:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide[path] = scroll_width
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"), full_page=True)
        assert too_wide == {}
    finally:
        context.close()
