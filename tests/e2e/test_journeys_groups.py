"""The working groups' main journey, clicked through in real headless Chromium against the live server.

A municipal officer from Sfax asks to join the closed "Women in municipal leadership" group; the moderator in
Amman accepts her from the requests page; she replies in a thread; another member reports the reply; the
moderator hides it from the moderation queue with a reason; readers then see only that a moderator hid it, and
the author finds the decision and its reason in her notification centre. Plus WCAG 2.2 AA checks (axe-core)
of the group list, a group, a thread and the moderation queue.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from connective.groups.models import (
    Access,
    GroupKind,
    JoinRequest,
    MemberRole,
    ModerationAction,
    ModerationLogEntry,
    Post,
    PostReport,
    PostStatus,
    RequestStatus,
)
from tests.e2e.conftest import log_in
from tests.e2e.test_accessibility import axe_violations
from tests.factories import GroupFactory, MembershipFactory, PostFactory, ThreadFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUEST = (
    "I lead the gender unit of the Municipality of Sfax and would like to learn from your mentoring scheme."
)
WELCOME = "Welcome, Salma! Please introduce your unit in the introductions thread."
REPLY = "In Sfax we started a mentoring pair scheme for newly elected councillors in 2025; happy to share."
HIDE_REASON = "Shares a colleague's private phone number; please send it by private message instead."


@pytest.fixture
def closed_group(db: Any) -> dict[str, Any]:
    group = GroupFactory(
        name="Women in municipal leadership (MENA)",
        slug="women-in-municipal-leadership-mena",
        kind=GroupKind.REGIONAL,
        access=Access.CLOSED,
        summary="Elected women and senior officers from municipalities in the Middle East and North Africa.",
    )
    moderator = UserFactory(email="r.khatib@amman.example.org", first_name="Rania", last_name="Khatib")
    reporter = UserFactory(email="n.benali@tunis.example.org", first_name="Nour", last_name="Benali")
    applicant = UserFactory(email="s.trabelsi@sfax.example.org", first_name="Salma", last_name="Trabelsi")
    MembershipFactory(group=group, user=moderator, role=MemberRole.MODERATOR)
    MembershipFactory(group=group, user=reporter)
    thread = ThreadFactory(group=group, author=moderator, title="Mentoring schemes for newly elected women")
    PostFactory(thread=thread, author=moderator, body="Which mentoring schemes worked in your municipality?")
    return {
        "group": group,
        "moderator": moderator,
        "reporter": reporter,
        "applicant": applicant,
        "thread": thread,
    }


def _person(browser: Any, live_server: Any, email: str) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15000)
    page = context.new_page()
    log_in(page, email)
    return page


def test_request_accept_post_report_hide_journey(browser: Any, live_server: Any, closed_group: Any) -> None:
    group, thread = closed_group["group"], closed_group["thread"]
    home = f"/en/groups/{group.slug}/"

    # The applicant finds the group in the list, sees no discussion yet, and asks to join.
    applicant = _person(browser, live_server, closed_group["applicant"].email)
    applicant.goto("/en/groups/")
    applicant.get_by_role("link", name=group.name).first.click()
    expect(applicant.get_by_role("heading", name=group.name, level=1)).to_be_visible()
    expect(applicant.get_by_text(thread.title)).to_have_count(0)
    applicant.get_by_label("Message to the moderators").fill(REQUEST)
    applicant.get_by_role("button", name="Send my request").click()
    expect(applicant.get_by_text("You asked to join on")).to_be_visible()
    join_request = JoinRequest.objects.get(group=group, user=closed_group["applicant"])
    assert (join_request.status, join_request.message) == (RequestStatus.PENDING, REQUEST)

    # The moderator accepts from the requests page, with a word of welcome.
    moderator = _person(browser, live_server, closed_group["moderator"].email)
    moderator.goto(f"{home}requests/")
    card = moderator.locator(f"#request-{join_request.pk}")
    expect(card.get_by_text(REQUEST)).to_be_visible()
    card.get_by_label("Answer to the member").fill(WELCOME)
    card.get_by_role("button", name="Accept").click()
    expect(moderator.get_by_text("No request waits for a decision.")).to_be_visible()

    # The new member is told, reads the thread and replies.
    applicant.goto("/en/notifications/")
    expect(applicant.get_by_text(f"Your request to join {group.name} was accepted")).to_be_visible()
    applicant.goto(home)
    applicant.get_by_role("link", name=thread.title).click()
    applicant.get_by_label("Your reply").fill(REPLY)
    applicant.get_by_role("button", name="Send reply").click()
    expect(applicant.get_by_text(REPLY)).to_be_visible()
    reply = Post.objects.get(thread=thread, author=closed_group["applicant"])
    assert reply.status == PostStatus.PUBLISHED

    # Another member reports the reply.
    reporter = _person(browser, live_server, closed_group["reporter"].email)
    reporter.goto(f"/en/groups/{group.slug}/threads/{thread.pk}/")
    reporter.locator(f"#post-{reply.pk}").get_by_role("link", name="Report").click()
    reporter.get_by_label("Shares someone's personal data").check()
    reporter.get_by_role("button", name="Send the report").click()
    expect(reporter.locator(f"#post-{reply.pk}").get_by_text("You reported this")).to_be_visible()
    assert PostReport.objects.filter(post=reply, reporter=closed_group["reporter"]).count() == 1

    # The moderator hides it from the queue, giving the reason the author will read.
    moderator.goto(f"{home}moderation/")
    queued = moderator.locator(f"#reported-{reply.pk}")
    expect(queued.get_by_text(REPLY)).to_be_visible()
    queued.get_by_text("Hide the post").first.click()
    queued.get_by_label("Reason (the author reads it)").fill(HIDE_REASON)
    queued.get_by_role("button", name="Hide the post").click()
    expect(moderator.locator(f"#reported-{reply.pk}")).to_have_count(0)

    reply.refresh_from_db()
    assert reply.status == PostStatus.HIDDEN
    entry = ModerationLogEntry.objects.get(group=group, post=reply)
    assert (entry.action, entry.moderator, entry.reason) == (
        ModerationAction.HIDE_POST,
        closed_group["moderator"],
        HIDE_REASON,
    )

    # Readers see that a moderator hid it, not the text; the author reads why.
    reporter.reload()
    expect(reporter.get_by_text(REPLY)).to_have_count(0)
    expect(reporter.locator(f"#post-{reply.pk}")).to_contain_text("hidden by a moderator")
    applicant.goto("/en/notifications/")
    expect(applicant.get_by_text(HIDE_REASON)).to_be_visible()

    for page in (applicant, moderator, reporter):
        page.context.close()


def test_group_pages_meet_wcag_aa(browser: Any, live_server: Any, closed_group: Any) -> None:
    group, thread = closed_group["group"], closed_group["thread"]
    moderator = _person(browser, live_server, closed_group["moderator"].email)
    for path in (
        "/en/groups/",
        f"/en/groups/{group.slug}/",
        f"/en/groups/{group.slug}/threads/{thread.pk}/",
        f"/en/groups/{group.slug}/moderation/",
        "/en/notifications/",
    ):
        moderator.goto(path)
        assert axe_violations(moderator) == [], path
    moderator.context.close()
