"""The feedback survey after an event, and its results for the organisers.

Who answers: the confirmed participants who were checked in; where nobody at the event was checked in (an
online event without check-in, say), every confirmed participant. Each answers once, from the start of the
event. The results count and average the ratings and list the answers and comments, each list sorted on its
own, so no reader can tell who said what or join one person's answers back together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connective.core.services import audit_log_record
from connective.events.models import Event, EventStatus, FeedbackResponse, Registration, RegistrationStatus
from connective.events.registration import RegistrationError

RATINGS = (1, 2, 3, 4, 5)
ANSWER_MAX = 2000
COMMENT_MAX = 4000


# --- Who may answer -----------------------------------------------------------------------------------


def anyone_checked_in(event: Event) -> bool:
    return Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
    ).exists()


def feedback_may_give(registration: Registration | None) -> bool:
    """Whether this person is among those the survey asks (whatever the time)."""
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return False
    return registration.checked_in_at is not None or not anyone_checked_in(registration.event)


def feedback_given(registration: Registration) -> bool:
    return FeedbackResponse.objects.filter(registration=registration).exists()


def feedback_problem(registration: Registration, *, now: datetime | None = None) -> str | None:
    """Why this participant cannot answer now (None when they can)."""
    now = now or timezone.now()
    event = registration.event
    if event.status != EventStatus.PUBLISHED:
        return str(_("This event did not take place as planned; there is no survey."))
    if now < event.starts_at:
        return str(_("The survey opens when the event starts."))
    if feedback_given(registration):
        return str(_("You have already given your feedback on this event. Thank you!"))
    return None


# --- Answering ----------------------------------------------------------------------------------------


def _clean_rating(value: Any, code: str) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if rating not in RATINGS:
        raise RegistrationError(_("Choose a rating from 1 to 5."), code=code)
    return rating


def _clean_answers(event: Event, answers: list[str] | tuple[str, ...]) -> list[dict[str, str]]:
    questions = [str(q) for q in event.survey_questions or []]
    given = [str(a or "").strip() for a in answers]
    if len(given) != len(questions):
        raise RegistrationError(_("The answers do not match the questions of this survey."), code="answers")
    if any(len(a) > ANSWER_MAX for a in given):
        raise RegistrationError(
            _("Each answer can be at most %(n)d characters long.") % {"n": ANSWER_MAX}, code="answers"
        )
    return [{"question": q, "answer": a} for q, a in zip(questions, given, strict=True)]


@transaction.atomic
def feedback_submit(
    *,
    registration: Registration,
    overall: Any,
    usefulness: Any,
    answers: list[str] | tuple[str, ...] = (),
    comment: str = "",
    now: datetime | None = None,
) -> FeedbackResponse:
    """Record one participant's answers; refused (RegistrationError) for anyone not asked, or a second time."""
    if not feedback_may_give(registration):
        raise RegistrationError(_("Only the event's participants can give feedback."), code="not_participant")
    problem = feedback_problem(registration, now=now)
    if problem:
        raise RegistrationError(problem, code="closed")
    overall = _clean_rating(overall, "overall")
    usefulness = _clean_rating(usefulness, "usefulness")
    event = registration.event
    cleaned = _clean_answers(event, list(answers))
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX:
        raise RegistrationError(
            _("The comment can be at most %(n)d characters long.") % {"n": COMMENT_MAX}, code="comment"
        )
    try:
        # The one-to-one link to the registration stops a second answer sent at the same moment.
        with transaction.atomic():
            response = FeedbackResponse.objects.create(
                event=event,
                registration=registration,
                overall=overall,
                usefulness=usefulness,
                answers=cleaned,
                comment=comment,
            )
    except IntegrityError as error:
        raise RegistrationError(
            _("You have already given your feedback on this event. Thank you!"), code="duplicate"
        ) from error
    # The log says that someone answered, never what they answered.
    audit_log_record(actor=registration.user, action="event.feedback", target=event)
    return response


# --- Results ------------------------------------------------------------------------------------------


@dataclass
class RatingSummary:
    count: int = 0
    total: int = 0
    # How many gave each rating, 1 to 5.
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(RATINGS, 0))

    def add(self, rating: int) -> None:
        if rating in self.distribution:
            self.count += 1
            self.total += rating
            self.distribution[rating] += 1

    @property
    def average(self) -> float | None:
        return round(self.total / self.count, 2) if self.count else None

    def bars(self) -> list[tuple[int, int, int]]:
        """(rating, how many, percent of answers) from 5 down to 1, for the results page."""
        return [
            (rating, n, round(100 * n / self.count) if self.count else 0)
            for rating, n in sorted(self.distribution.items(), reverse=True)
        ]


@dataclass
class QuestionAnswers:
    question: str
    answers: list[str]


@dataclass
class FeedbackResults:
    count: int
    overall: RatingSummary
    usefulness: RatingSummary
    questions: list[QuestionAnswers]
    comments: list[str]


def _sorted_texts(texts: list[str]) -> list[str]:
    return sorted(texts, key=lambda text: (text.casefold(), text))


def feedback_results(event: Event) -> FeedbackResults:
    """Everything the organisers learn from the survey, in one query, with nobody's name attached."""
    overall = RatingSummary()
    usefulness = RatingSummary()
    questions = [str(q) for q in event.survey_questions or []]
    by_question: dict[str, list[str]] = {q: [] for q in questions}
    comments: list[str] = []
    count = 0
    rows = FeedbackResponse.objects.filter(event=event).values_list(
        "overall", "usefulness", "answers", "comment"
    )
    for rating_overall, rating_usefulness, answers, comment in rows.iterator(chunk_size=500):
        count += 1
        overall.add(rating_overall)
        usefulness.add(rating_usefulness)
        for item in answers or []:
            question = str(item.get("question", "")) if isinstance(item, dict) else ""
            answer = str(item.get("answer", "")).strip() if isinstance(item, dict) else ""
            if not answer:
                continue
            # Answers to a question the organisers have since removed are still shown, under it.
            by_question.setdefault(question, []).append(answer)
        if comment:
            comments.append(comment)
    return FeedbackResults(
        count=count,
        overall=overall,
        usefulness=usefulness,
        questions=[QuestionAnswers(question=q, answers=_sorted_texts(a)) for q, a in by_question.items()],
        comments=_sorted_texts(comments),
    )
