"""The call for topics: members propose events their city would host, withdraw them, staff accept or decline
them and turn accepted ones into event drafts; pages and services alike."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from connective.core.models import AuditLog, Topic
from connective.events.models import Event, EventProposal, EventStatus, ProposalStatus
from connective.events.proposals import (
    MAX_OPEN_PROPOSALS,
    proposal_decide,
    proposal_submit,
    proposal_to_event,
)
from connective.events.slugs import event_slug
from connective.notifications.models import Notification
from tests.factories import EventFactory, OrganisationFactory, UserFactory, city

pytestmark = pytest.mark.django_db

PROPOSE_URL = "/en/events/propose/"
PROPOSALS_URL = "/en/events/proposals/"


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def form_data(**changes: Any) -> dict[str, Any]:
    return {
        "title": "Flood-proof neighbourhoods",
        "format": "dialogue",
        "challenge": "Our river floods twice a year; we want to learn how other cities plan for it.",
        "partners": "Leipzig water utility",
        "proposed_start": in_days(60).isoformat(),
        "proposed_end": in_days(62).isoformat(),
        "language": "en",
        "organisation": "",
        "city_name": "Leipzig",
        "country": "DE",
        **changes,
    }


def make_proposal(proposer: Any, **changes: Any) -> EventProposal:
    data: dict[str, Any] = {
        "title": "Flood-proof neighbourhoods",
        "format": "dialogue",
        "topics": [],
        "challenge": "Our river floods twice a year.",
        "partners": "",
        "proposed_start": in_days(60),
        "proposed_end": in_days(62),
        "language": "en",
        **changes,
    }
    return proposal_submit(proposer=proposer, **data)


@pytest.fixture
def leipzig() -> Any:
    return city("Leipzig", "DE")


# --- Proposing ---------------------------------------------------------------------------------------------


def test_propose_saves_a_waiting_proposal_with_its_host_and_topics(member: Any, leipzig: Any) -> None:
    organisation = OrganisationFactory(name="City of Leipzig")
    topic = Topic.objects.get(slug="climate-adaptation")

    response = client_for(member).post(
        PROPOSE_URL, form_data(organisation=str(organisation.pk), topics=[str(topic.pk)])
    )

    assert response.status_code == 302
    assert response["Location"] == PROPOSALS_URL
    proposal = EventProposal.objects.get()
    assert (proposal.proposer, proposal.title, proposal.status, proposal.city, proposal.organisation) == (
        member,
        "Flood-proof neighbourhoods",
        ProposalStatus.SUBMITTED,
        leipzig,
        organisation,
    )
    assert (proposal.proposed_start, proposal.proposed_end, proposal.partners) == (
        in_days(60),
        in_days(62),
        "Leipzig water utility",
    )
    assert list(proposal.topics.all()) == [topic]
    assert (
        AuditLog.objects.filter(
            action="event_proposal.submit", actor=member, object_id=str(proposal.pk)
        ).count()
        == 1
    )


def test_propose_form_preselects_the_members_organisation_and_city(leipzig: Any) -> None:
    organisation = OrganisationFactory(name="City of Leipzig")
    member = UserFactory(organisation=organisation, city=leipzig, country_id="DE")

    page = client_for(member).get(PROPOSE_URL).content.decode()

    assert f'<option value="{organisation.pk}" selected>City of Leipzig</option>' in page
    assert 'name="city_name" value="Leipzig"' in page
    assert '<option value="DE" selected>' in page


def test_propose_sends_a_visitor_to_log_in(visitor: Any) -> None:
    response = client_for(visitor).post(PROPOSE_URL, form_data())

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")
    assert EventProposal.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Give the topic of the event."),
        ({"title": "x" * 201}, "This can be at most 200 characters long (it has 201)."),
        ({"challenge": "   "}, "Describe the challenge the event would work on."),
        ({"format": "party"}, "Choose a format from the list."),
        ({"language": "xx"}, "Choose a language from the list."),
        ({"proposed_start": "next spring"}, "Give a date, e.g. 2027-03-15."),
        (
            {"proposed_start": (timezone.localdate() - timedelta(days=1)).isoformat()},
            "The event cannot start in the past.",
        ),
        (
            {"proposed_start": in_days(400).isoformat(), "proposed_end": in_days(401).isoformat()},
            "Propose dates within the next year",
        ),
        ({"proposed_end": in_days(59).isoformat()}, "The last day cannot be before the first day."),
        ({"proposed_end": in_days(80).isoformat()}, "An event can last at most 14 days."),
        ({"city_name": "Atlantis"}, "We do not know a city called Atlantis in Germany."),
        ({"country": ""}, "Choose the country of the city."),
        ({"organisation": "999999"}, "There is no such organisation. Choose one from the list."),
        ({"topics": ["999999"]}, "There is no topic “999999”. Choose topics from the list."),
    ],
)
def test_propose_with_bad_input_says_why_keeps_the_input_and_saves_nothing(
    member: Any, leipzig: Any, changes: dict[str, Any], message: str
) -> None:
    response = client_for(member).post(PROPOSE_URL, form_data(**changes))

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Leipzig water utility" in page
    assert EventProposal.objects.count() == 0


def test_proposal_submit_refuses_more_waiting_proposals_than_the_limit(member: Any) -> None:
    for _ in range(MAX_OPEN_PROPOSALS):
        make_proposal(member)

    with pytest.raises(ValidationError) as error:
        make_proposal(member)

    assert "You have 10 proposals waiting for an answer." in error.value.messages[0]
    assert EventProposal.objects.count() == MAX_OPEN_PROPOSALS


# --- Withdrawing -------------------------------------------------------------------------------------------


def test_proposer_withdraws_a_waiting_proposal(member: Any) -> None:
    proposal = make_proposal(member)

    response = client_for(member).post(f"{PROPOSALS_URL}{proposal.pk}/withdraw/")

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert AuditLog.objects.filter(action="event_proposal.withdraw", object_id=str(proposal.pk)).count() == 1


def test_withdrawing_an_answered_proposal_says_why_and_changes_nothing(member: Any, staff: Any) -> None:
    proposal = proposal_decide(proposal=make_proposal(member), accept=True, note="", actor=staff)

    response = client_for(member).post(f"{PROPOSALS_URL}{proposal.pk}/withdraw/", follow=True)

    assert "Only a proposal waiting for an answer can be withdrawn." in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED


@pytest.mark.parametrize("persona", ["author", "staff"])
def test_withdrawing_someone_elses_proposal_is_not_found(member: Any, persona: str, request: Any) -> None:
    proposal = make_proposal(member)

    response = client_for(request.getfixturevalue(persona)).post(f"{PROPOSALS_URL}{proposal.pk}/withdraw/")

    assert response.status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


# --- The list ----------------------------------------------------------------------------------------------


def test_member_sees_only_their_own_proposals_with_the_answer(member: Any, author: Any, staff: Any) -> None:
    mine = make_proposal(member, title="Heat action plans")
    proposal_decide(
        proposal=mine, accept=False, note="The 2027 calendar is full; try again in autumn.", actor=staff
    )
    make_proposal(author, title="Informal settlements upgrading")

    page = client_for(member).get(PROPOSALS_URL).content.decode()

    assert "Heat action plans" in page
    assert "The 2027 calendar is full; try again in autumn." in page
    assert "Informal settlements upgrading" not in page
    assert "Send the answer" not in page


def test_staff_see_every_proposal_with_answer_forms(member: Any, author: Any, staff: Any) -> None:
    make_proposal(member, title="Heat action plans")
    make_proposal(author, title="Informal settlements upgrading")

    page = client_for(staff).get(PROPOSALS_URL).content.decode()

    assert "Heat action plans" in page
    assert "Informal settlements upgrading" in page
    assert page.count("Send the answer") == 2


def test_staff_filter_proposals_by_status(member: Any, staff: Any) -> None:
    proposal_decide(
        proposal=make_proposal(member, title="Heat action plans"), accept=True, note="", actor=staff
    )
    make_proposal(member, title="Informal settlements upgrading")

    page = client_for(staff).get(PROPOSALS_URL, {"status": "accepted"}).content.decode()

    assert "Heat action plans" in page
    assert "Informal settlements upgrading" not in page
    assert "Create event draft" in page


def test_proposals_page_sends_a_visitor_to_log_in(visitor: Any) -> None:
    response = client_for(visitor).get(PROPOSALS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_proposals_list_takes_a_bounded_number_of_queries(
    staff: Any, django_assert_max_num_queries: Any
) -> None:
    topics = list(Topic.objects.all()[:2])
    organisation = OrganisationFactory()
    for index in range(20):
        proposer = UserFactory()
        make_proposal(proposer, title=f"Proposal {index}", topics=topics, organisation=organisation)
    client = client_for(staff)

    with django_assert_max_num_queries(10):
        response = client.get(PROPOSALS_URL)

    assert response.content.decode().count('class="card proposal-card"') == 20


# --- Deciding ----------------------------------------------------------------------------------------------


def decide_url(proposal: EventProposal) -> str:
    return f"{PROPOSALS_URL}{proposal.pk}/decide/"


def test_staff_accept_a_proposal_and_the_proposer_is_told(member: Any, staff: Any) -> None:
    proposal = make_proposal(member)
    prefix = f"p{proposal.pk}"

    response = client_for(staff).post(
        decide_url(proposal), {f"{prefix}-decision": "accept", f"{prefix}-note": "Welcome aboard."}
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note, proposal.reviewed_by) == (
        ProposalStatus.ACCEPTED,
        "Welcome aboard.",
        staff,
    )
    notice = Notification.objects.get(recipient=member)
    assert (notice.kind, notice.data["status"], notice.data["message"]) == (
        "events.proposal",
        "accepted",
        "Welcome aboard.",
    )
    assert (
        AuditLog.objects.filter(
            action="event_proposal.decide", actor=staff, object_id=str(proposal.pk)
        ).count()
        == 1
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "decline", "note": ""}, "Tell the proposer why the proposal is declined."),
        ({"decision": "maybe", "note": "Let us talk."}, "Choose accept or decline."),
        ({"decision": "", "note": "Let us talk."}, "Choose accept or decline."),
        (
            {"decision": "accept", "note": "x" * 4001},
            "This can be at most 4000 characters long (it has 4001).",
        ),
    ],
)
def test_deciding_with_bad_input_says_why_and_changes_nothing(
    member: Any, staff: Any, data: dict[str, str], message: str
) -> None:
    proposal = make_proposal(member)
    prefix = f"p{proposal.pk}"

    response = client_for(staff).post(decide_url(proposal), {f"{prefix}-{k}": v for k, v in data.items()})

    assert response.status_code == 400
    assert message in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note) == (ProposalStatus.SUBMITTED, "")
    assert Notification.objects.filter(recipient=member).count() == 0


def test_deciding_an_answered_proposal_again_changes_nothing(member: Any, staff: Any) -> None:
    proposal = proposal_decide(proposal=make_proposal(member), accept=True, note="Yes.", actor=staff)
    prefix = f"p{proposal.pk}"

    response = client_for(staff).post(
        decide_url(proposal),
        {f"{prefix}-decision": "decline", f"{prefix}-note": "No after all."},
        follow=True,
    )

    assert "This proposal is no longer waiting for an answer (it is Accepted)." in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note) == (ProposalStatus.ACCEPTED, "Yes.")


@pytest.mark.parametrize("persona", ["visitor", "member", "author", "editor"])
def test_staff_actions_on_proposals_are_not_found_for_others(persona: str, member: Any, request: Any) -> None:
    proposal = make_proposal(member)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    prefix = f"p{proposal.pk}"

    decided = client.post(decide_url(proposal), {f"{prefix}-decision": "accept", f"{prefix}-note": ""})
    drafted = client.post(f"{PROPOSALS_URL}{proposal.pk}/event/")

    expected = 302 if user is None else 404
    assert (decided.status_code, drafted.status_code) == (expected, expected)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.event_id) == (ProposalStatus.SUBMITTED, None)


def test_proposal_decide_refuses_members(member: Any, author: Any) -> None:
    proposal = make_proposal(member)

    with pytest.raises(PermissionDenied):
        proposal_decide(proposal=proposal, accept=True, note="", actor=author)


# --- The event draft ---------------------------------------------------------------------------------------


def test_staff_turn_an_accepted_proposal_into_an_event_draft(member: Any, staff: Any, leipzig: Any) -> None:
    organisation = OrganisationFactory(name="City of Leipzig")
    topic = Topic.objects.get(slug="climate-adaptation")
    proposal = make_proposal(
        member,
        city=leipzig,
        organisation=organisation,
        topics=[topic],
        partners="Leipzig water utility",
    )
    proposal_decide(proposal=proposal, accept=True, note="", actor=staff)

    response = client_for(staff).post(f"{PROPOSALS_URL}{proposal.pk}/event/")

    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/snippets/events/event/edit/{event.pk}/"
    assert (event.title, event.slug, event.status, event.format) == (
        "Flood-proof neighbourhoods",
        "flood-proof-neighbourhoods",
        EventStatus.DRAFT,
        "dialogue",
    )
    assert (event.host_city, event.host_organisation, event.region, event.time_zone) == (
        leipzig,
        organisation,
        leipzig.country.region,
        "Europe/Berlin",
    )
    berlin = ZoneInfo("Europe/Berlin")
    assert (event.starts_at, event.ends_at) == (
        datetime.combine(in_days(60), time(9), tzinfo=berlin),
        datetime.combine(in_days(62), time(17), tzinfo=berlin),
    )
    assert (event.language, event.languages) == ("en", ["en"])
    assert event.description == (
        "## The challenge\n\nOur river floods twice a year.\n\n## Partners\n\nLeipzig water utility"
    )
    assert list(event.organisers.all()) == [member]
    assert list(event.topics.all()) == [topic]
    assert event.created_by == staff
    proposal.refresh_from_db()
    assert proposal.event == event
    assert AuditLog.objects.filter(action="event.create", object_id=str(event.pk)).count() == 1


def test_event_draft_without_a_known_zone_runs_in_utc(member: Any, staff: Any) -> None:
    proposal = proposal_decide(
        proposal=make_proposal(member, format="webinar"), accept=True, note="", actor=staff
    )

    event = proposal_to_event(proposal=proposal, actor=staff)

    assert (event.time_zone, event.host_city, event.mode) == ("UTC", None, "online")
    assert (event.starts_at, event.ends_at) == (
        datetime.combine(in_days(60), time(9), tzinfo=UTC),
        datetime.combine(in_days(62), time(17), tzinfo=UTC),
    )


def test_a_proposal_becomes_one_event_only(member: Any, staff: Any) -> None:
    proposal = proposal_decide(proposal=make_proposal(member), accept=True, note="", actor=staff)
    client = client_for(staff)
    client.post(f"{PROPOSALS_URL}{proposal.pk}/event/")

    response = client.post(f"{PROPOSALS_URL}{proposal.pk}/event/", follow=True)

    assert "This proposal already has its event draft." in response.content.decode()
    assert Event.objects.count() == 1


def test_a_waiting_proposal_cannot_become_an_event(member: Any, staff: Any) -> None:
    proposal = make_proposal(member)

    response = client_for(staff).post(f"{PROPOSALS_URL}{proposal.pk}/event/", follow=True)

    assert "Only an accepted proposal can become an event." in response.content.decode()
    assert Event.objects.count() == 0


def test_event_draft_is_seen_by_its_proposer_and_not_by_strangers(member: Any, staff: Any) -> None:
    proposal = proposal_decide(proposal=make_proposal(member), accept=True, note="", actor=staff)
    event = proposal_to_event(proposal=proposal, actor=staff)

    # The proposer organises the draft, so they see it; a stranger does not.
    assert client_for(member).get(f"/en/events/{event.slug}/").status_code == 200
    assert client_for(UserFactory()).get(f"/en/events/{event.slug}/").status_code == 404


# --- Slugs -------------------------------------------------------------------------------------------------


def test_event_slug_avoids_reserved_words_and_taken_slugs() -> None:
    EventFactory(slug="urban-heat")
    EventFactory(slug="urban-heat-2")

    assert event_slug("Urban heat") == "urban-heat-3"
    assert event_slug("Calendar") == "calendar-event"
    assert event_slug("Proposals") == "proposals-event"
    assert event_slug("New") == "new-event"
    assert event_slug("حوار المدن") == "event"
