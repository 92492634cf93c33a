"""The feedback survey: who may answer and when, once each, bad input refused, and the organisers' results
(exact averages and counts, never who said what)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from connective.core.models import AuditLog
from connective.events.feedback import feedback_results, feedback_submit
from connective.events.models import Event, FeedbackResponse, Registration, RegistrationStatus
from connective.events.registration import RegistrationError
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db

QUESTIONS = ["What will you try at home?", "What should change next time?"]


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def past_event(**kwargs: Any) -> Event:
    now = timezone.now()
    defaults: dict[str, Any] = {
        "starts_at": now - timedelta(days=2),
        "ends_at": now - timedelta(days=1),
        "survey_questions": QUESTIONS,
    }
    defaults.update(kwargs)
    return EventFactory(**defaults)


def attendee(event: Event, **kwargs: Any) -> Registration:
    return RegistrationFactory(event=event, checked_in_at=timezone.now(), **kwargs)


def submit(registration: Registration, **changes: Any) -> FeedbackResponse:
    data: dict[str, Any] = {
        "overall": 4,
        "usefulness": 5,
        "answers": ["Car-free school streets", "More time for visits"],
        "comment": "Well organised.",
    }
    data.update(changes)
    return feedback_submit(registration=registration, **data)


@pytest.fixture
def world(staff: Any) -> dict[str, Any]:
    organiser = UserFactory(first_name="Olga", last_name="Organiser")
    event = past_event(organisers=[organiser])
    participant = UserFactory(first_name="Paula", last_name="Participant")
    registration = attendee(event, user=participant)
    return {
        "event": event,
        "registration": registration,
        "people": {
            "visitor": None,
            "other": UserFactory(first_name="Otto", last_name="Other"),
            "participant": participant,
            "organiser": organiser,
            "staff": staff,
        },
    }


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "overall": "5",
        "usefulness": "4",
        "answer_0": "Car-free school streets",
        "answer_1": "More time for visits",
        "comment": "Thank you!",
    }
    data.update(changes)
    return data


# --- who may answer -----------------------------------------------------------------------------------


def test_feedback_submit_by_an_attendee_is_saved_with_the_questions() -> None:
    event = past_event()
    registration = attendee(event)
    response = submit(registration)
    assert (response.event_id, response.overall, response.usefulness, response.comment) == (
        event.pk,
        4,
        5,
        "Well organised.",
    )
    assert response.answers == [
        {"question": "What will you try at home?", "answer": "Car-free school streets"},
        {"question": "What should change next time?", "answer": "More time for visits"},
    ]
    log = AuditLog.objects.get(action="event.feedback")
    assert (log.actor_id, log.object_id, log.details) == (registration.user_id, str(event.pk), {})


def test_feedback_submit_by_a_participant_who_did_not_attend_is_refused_when_others_were_checked_in() -> None:
    event = past_event()
    attendee(event)
    absent = RegistrationFactory(event=event)
    with pytest.raises(RegistrationError) as caught:
        submit(absent)
    assert caught.value.messages == ["Only the event's participants can give feedback."]
    assert FeedbackResponse.objects.count() == 0


def test_feedback_submit_by_any_confirmed_participant_when_nobody_was_checked_in() -> None:
    event = past_event()
    registration = RegistrationFactory(event=event)
    submit(registration)
    assert FeedbackResponse.objects.filter(registration=registration).count() == 1


@pytest.mark.parametrize(
    "status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED, RegistrationStatus.APPLIED]
)
def test_feedback_submit_by_someone_without_a_place_is_refused(status: str) -> None:
    registration = RegistrationFactory(event=past_event(), status=status)
    with pytest.raises(RegistrationError):
        submit(registration)
    assert FeedbackResponse.objects.count() == 0


def test_feedback_submit_before_the_event_starts_is_refused() -> None:
    now = timezone.now()
    registration = RegistrationFactory(
        event=past_event(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=5))
    )
    with pytest.raises(RegistrationError) as caught:
        submit(registration)
    assert caught.value.messages == ["The survey opens when the event starts."]
    assert FeedbackResponse.objects.count() == 0


def test_feedback_submit_during_the_event_is_accepted() -> None:
    now = timezone.now()
    registration = attendee(past_event(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=5)))
    submit(registration)
    assert FeedbackResponse.objects.count() == 1


def test_feedback_submit_for_a_cancelled_event_is_refused() -> None:
    registration = RegistrationFactory(event=past_event(status="cancelled"))
    with pytest.raises(RegistrationError) as caught:
        submit(registration)
    assert caught.value.messages == ["This event did not take place as planned; there is no survey."]


def test_feedback_submit_a_second_time_is_refused_and_keeps_the_first() -> None:
    registration = attendee(past_event())
    first = submit(registration)
    with pytest.raises(RegistrationError) as caught:
        submit(registration, overall=1, comment="Changed my mind")
    assert caught.value.messages == ["You have already given your feedback on this event. Thank you!"]
    assert list(FeedbackResponse.objects.values_list("pk", "overall")) == [(first.pk, 4)]


# --- bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"overall": 0}, "Choose a rating from 1 to 5."),
        ({"overall": 6}, "Choose a rating from 1 to 5."),
        ({"usefulness": "excellent"}, "Choose a rating from 1 to 5."),
        ({"usefulness": None}, "Choose a rating from 1 to 5."),
        ({"answers": ["Only one"]}, "The answers do not match the questions of this survey."),
        ({"answers": ["a", "b", "c"]}, "The answers do not match the questions of this survey."),
        ({"answers": ["x" * 2001, ""]}, "Each answer can be at most 2000 characters long."),
        ({"comment": "y" * 4001}, "The comment can be at most 4000 characters long."),
    ],
)
def test_feedback_submit_bad_input_is_refused_and_nothing_saved(
    changes: dict[str, Any], message: str
) -> None:
    registration = attendee(past_event())
    with pytest.raises(RegistrationError) as caught:
        submit(registration, **changes)
    assert caught.value.messages == [message]
    assert FeedbackResponse.objects.count() == 0
    assert not AuditLog.objects.filter(action="event.feedback").exists()


def test_feedback_submit_answers_at_the_limits_are_accepted() -> None:
    registration = attendee(past_event())
    response = submit(registration, answers=["x" * 2000, ""], comment="y" * 4000)
    assert [item["answer"] for item in response.answers] == ["x" * 2000, ""]
    assert len(response.comment) == 4000


# --- results ------------------------------------------------------------------------------------------


def test_feedback_results_count_average_and_distribution_exactly() -> None:
    event = past_event()
    for overall, usefulness in ((5, 3), (4, 2), (4, 5)):
        submit(attendee(event), overall=overall, usefulness=usefulness)
    results = feedback_results(event)
    assert results.count == 3
    assert results.overall.average == 4.33
    assert results.usefulness.average == 3.33
    assert results.overall.distribution == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert results.usefulness.distribution == {1: 0, 2: 1, 3: 1, 4: 0, 5: 1}


def test_feedback_results_list_answers_per_question_and_comments_sorted_apart() -> None:
    event = past_event()
    submit(attendee(event), answers=["Zebra crossings", ""], comment="Too short")
    submit(attendee(event), answers=["bike lanes", "Longer breaks"], comment="")
    submit(attendee(event), answers=["", "Visits"], comment="Amazing hosts")
    results = feedback_results(event)
    assert [(item.question, item.answers) for item in results.questions] == [
        ("What will you try at home?", ["bike lanes", "Zebra crossings"]),
        ("What should change next time?", ["Longer breaks", "Visits"]),
    ]
    assert results.comments == ["Amazing hosts", "Too short"]


def test_feedback_results_of_an_event_without_answers_are_empty() -> None:
    results = feedback_results(past_event())
    assert (results.count, results.overall.average, results.usefulness.average, results.comments) == (
        0,
        None,
        None,
        [],
    )
    assert results.overall.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_feedback_results_only_count_their_own_event() -> None:
    event = past_event()
    submit(attendee(event), overall=2)
    submit(attendee(past_event()), overall=5)
    assert (feedback_results(event).count, feedback_results(event).overall.average) == (1, 2.0)


# --- the pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("visitor", 302), ("other", 404), ("participant", 200), ("organiser", 404), ("staff", 404)],
)
def test_feedback_page_is_for_participants(world: dict[str, Any], persona: str, status: int) -> None:
    response = client_for(world["people"][persona]).get(f"/en/events/{world['event'].slug}/feedback/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        for question in QUESTIONS:
            assert question in html
        assert 'name="overall"' in html and 'name="comment"' in html


def test_feedback_page_post_saves_once_then_thanks(world: dict[str, Any]) -> None:
    client = client_for(world["people"]["participant"])
    url = f"/en/events/{world['event'].slug}/feedback/"
    response = client.post(url, form_data(), follow=True)
    assert response.redirect_chain == [(url, 302)]
    html = response.content.decode()
    assert "Thank you for your feedback." in html
    assert "You have already given your feedback on this event. Thank you!" in html
    assert 'name="overall"' not in html
    saved = FeedbackResponse.objects.get()
    assert (saved.overall, saved.usefulness, saved.comment) == (5, 4, "Thank you!")

    again = client.post(url, form_data(overall="1"))
    assert again.status_code == 400
    assert "You have already given your feedback on this event. Thank you!" in again.content.decode()
    assert list(FeedbackResponse.objects.values_list("overall", flat=True)) == [5]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"overall": ""}, "Choose a rating from 1 to 5."),
        ({"usefulness": "9"}, "Choose a rating from 1 to 5."),
        ({"answer_1": "x" * 2001}, "The text is too long: at most 2000 characters (it has 2001)."),
        ({"comment": "y" * 4001}, "The text is too long: at most 4000 characters (it has 4001)."),
    ],
)
def test_feedback_page_bad_input_keeps_what_was_typed_and_saves_nothing(
    world: dict[str, Any], changes: dict[str, str], message: str
) -> None:
    response = client_for(world["people"]["participant"]).post(
        f"/en/events/{world['event'].slug}/feedback/", form_data(**changes)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Car-free school streets" in html
    assert FeedbackResponse.objects.count() == 0


def test_feedback_page_before_the_start_says_when_it_opens(world: dict[str, Any]) -> None:
    now = timezone.now()
    Event.objects.filter(pk=world["event"].pk).update(
        starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2)
    )
    client = client_for(world["people"]["participant"])
    url = f"/en/events/{world['event'].slug}/feedback/"
    page = client.get(url)
    assert page.status_code == 200
    assert "The survey opens when the event starts." in page.content.decode()
    assert client.post(url, form_data()).status_code == 400
    assert FeedbackResponse.objects.count() == 0


def test_feedback_page_for_a_participant_who_did_not_attend_is_404(world: dict[str, Any]) -> None:
    absent = RegistrationFactory(event=world["event"])
    response = client_for(absent.user).get(f"/en/events/{world['event'].slug}/feedback/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("visitor", 404), ("other", 404), ("participant", 404), ("organiser", 200), ("staff", 200)],
)
def test_feedback_results_page_is_for_organisers(world: dict[str, Any], persona: str, status: int) -> None:
    submit(world["registration"], comment="Great hosts")
    response = client_for(world["people"][persona]).get(f"/en/events/{world['event'].slug}/manage/feedback/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "1 answer" in html
        assert "Average: 4.00 out of 5" in html
        assert "Great hosts" in html
        assert "Car-free school streets" in html


def test_feedback_results_page_never_says_who_answered(world: dict[str, Any]) -> None:
    submit(world["registration"], comment="Great hosts")
    html = (
        client_for(world["people"]["organiser"])
        .get(f"/en/events/{world['event'].slug}/manage/feedback/")
        .content.decode()
    )
    assert "Great hosts" in html
    assert "Paula" not in html
    assert "Participant</" not in html


def test_feedback_results_page_queries_are_bounded(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for n in range(30):
        submit(attendee(world["event"]), overall=1 + n % 5, comment=f"Comment {n}")
    client = client_for(world["people"]["organiser"])
    url = f"/en/events/{world['event'].slug}/manage/feedback/"
    client.get(url)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert "30 answers" in response.content.decode()
