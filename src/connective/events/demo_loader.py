"""Loads the events of the demo (src/connective/events/demo/) on top of the practices', network's and groups'
demo: about twenty-five dialogue and learning formats, past, running and upcoming, with their people.

The files, written by hand:
- NN-<slug>.json, one event each: what the back office holds (title, format, status and its message, texts in
  the host's language, working and interpreted languages, topics, region, host city and organisation,
  organisers, venue, attendance mode, travel costs, participation mode, places and places reserved for a region,
  questions, survey questions), its agenda (sessions with demo speakers and guest speakers), its registrations
  and, once it took place, its outcomes (Markdown), the practices presented, its documents (links to example
  domains) and the feedback of its participants. Dates are days from the day of loading ("start_day": -75)
  with local times in the host's time zone, so the demo always has past, running and upcoming events.
  A registration is a person's key (confirmed; checked in once the event has taken place, unless the event
  took no attendance) or an object with its status, answers, practice or challenge, message, check-in.
- proposals.json: the call for topics, one proposal in each state; an accepted one with "to_event" becomes
  the demo's event draft through the call for topics' own service (proposals.proposal_to_event).

People are the keys of the practices' and the network's demo people ("demo-member", "demo-staff" for the
logins); organisations the keys of their organisations; practices the slugs of the practices' demo.

Like the other demo loaders it writes rows with the ORM directly, in one transaction, and sends nothing: the
registration services refuse what already happened (registering for a past event, checking in a year ago), and
nobody should get an e-mail about it. It keeps what the services keep: places are handed out as the
registration service hands them out (registration.Places, reserved places first), confirmed_count and
waitlist_count are the counts of the rows, an offered place expires as the service would set it, and
certificates carry the snapshot certificates.py writes (dates in the event's time zone, in its language) with a
code of its alphabet. The JSON is checked completely before anything is written, each problem named with its
file and field; what only the rows can tell (a place free for each participant, sessions within the event's
local times, what the back office's event_errors refuses) is checked as they are built, inside the one
transaction, so a mistake leaves nothing behind.

Loading is idempotent by event slug and by proposal (proposer and title): what exists is left as it is, with
everything people did since.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeGuard
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.text import slugify

from connective.accounts.models import User
from connective.core.middleware import known_time_zones
from connective.core.models import City, Region, Topic
from connective.events.back_office import event_errors
from connective.events.certificates import certificate_code, event_dates_text, event_place_text
from connective.events.models import (
    HOLDS_PLACE,
    AgendaSession,
    AttendanceMode,
    Certificate,
    DocumentKind,
    Event,
    EventDocument,
    EventFormat,
    EventProposal,
    EventStatus,
    FeedbackResponse,
    ParticipationMode,
    ProposalStatus,
    Registration,
    RegistrationStatus,
    ReservedPlaces,
    TravelCover,
)
from connective.events.proposals import proposal_errors, proposal_to_event
from connective.events.registration import Places
from connective.events.slugs import RESERVED_SLUGS
from connective.groups.demo_loader import demo_people_emails
from connective.network.demo_loader import is_example_url, read_network_demo_json
from connective.network.models import Organisation
from connective.practices.demo_loader import STAFF_EMAIL, CityResolver, DemoDataError, read_demo_json
from connective.practices.models import Practice, PracticeStatus

EVENTS_DEMO_DIR = Path(__file__).resolve().parent / "demo"
EVENT_FILE = re.compile(r"^\d\d-[a-z0-9-]+\.json$")
PROPOSALS_FILE = "proposals.json"
# Registration windows open and close at noon in the host's time zone.
WINDOW_TIME = time(12, 0)
TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")

_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED)
_REGISTRATION_STATUSES: dict[str, set[str]] = {
    ParticipationMode.REGISTRATION: {
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.OFFERED,
        RegistrationStatus.CANCELLED,
    },
    ParticipationMode.APPLICATION: {
        RegistrationStatus.APPLIED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.DECLINED,
        RegistrationStatus.CANCELLED,
    },
}
# Once an event has taken place, nobody is still waiting for a decision or a place.
_PAST_STATUSES = {RegistrationStatus.CONFIRMED, RegistrationStatus.DECLINED, RegistrationStatus.CANCELLED}


@dataclass
class EventsDemoSummary:
    events: int = 0
    registrations: int = 0
    certificates: int = 0
    feedback: int = 0
    proposals: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.events > 0 or self.proposals > 0

    def describe(self) -> str:
        if not self.changed:
            return "Events demo data already loaded."
        return (
            f"Events demo: {self.events} events with {self.registrations} registrations, "
            f"{self.certificates} certificates and {self.feedback} feedback answers; "
            f"{self.proposals} proposals in the call for topics."
        )


# --- Reading and checking ----------------------------------------------------------------------------------


def read_events_demo(directory: Path = EVENTS_DEMO_DIR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(events in the order of their file names, proposals)."""
    events: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.json")):
        if path.name == PROPOSALS_FILE:
            continue
        if not EVENT_FILE.match(path.name):
            raise DemoDataError([f"{path}: an event file is named NN-<slug>.json"])
        data = _read_json(path)
        if not isinstance(data, dict):
            raise DemoDataError([f"{path}: must hold one event as a JSON object"])
        events.append({**data, "_file": path.name})
    if not events:
        raise DemoDataError([f"{directory}: holds no event files"])
    proposals_path = directory / PROPOSALS_FILE
    proposals = _read_json(proposals_path) if proposals_path.exists() else []
    if not isinstance(proposals, list):
        raise DemoDataError([f"{proposals_path}: must hold a list of proposals"])
    return events, proposals


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DemoDataError([f"{path}: cannot be read ({exc})"]) from None


@dataclass
class CheckedEvents:
    events: list[dict[str, Any]]
    proposals: list[dict[str, Any]]
    # Person key → e-mail address, for every key the records may use.
    people: dict[str, str]
    # (city, country) → the GeoNames city meant.
    cities: dict[tuple[str, str], City]


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _day_kind(record: dict[str, Any]) -> str:
    """Whether the event is past, running or upcoming, judged by its days alone: day 0 is not allowed, so
    the answer holds at any hour of the day the demo is loaded."""
    if record["end_day"] < 0:
        return "past"
    if record["start_day"] < 0:
        return "running"
    return "upcoming"


def check_events_demo(events: list[dict[str, Any]], proposals: list[dict[str, Any]]) -> CheckedEvents:
    """Every problem in the event files, each naming its file and field; DemoDataError if there are any."""
    problems: list[str] = []
    people = demo_people_emails()
    topics = set(Topic.objects.values_list("slug", flat=True))
    regions = set(Region.objects.values_list("slug", flat=True))
    organisations, _people, practices = read_demo_json()
    organisation_keys = {str(r.get("key")) for r in organisations} | {
        str(r.get("key")) for r in read_network_demo_json().organisations
    }
    practice_slugs = {str(r.get("slug")) for r in practices}
    languages = {code for code, _name in settings.LANGUAGES}
    zones = known_time_zones()
    resolver = CityResolver()
    cities: dict[tuple[str, str], City] = {}
    slugs: set[str] = set()

    def person(where: str, key: object) -> bool:
        if key not in people:
            problems.append(f"{where}: {key!r} is not a demo person")
            return False
        return True

    def city(where: str, record: dict[str, Any]) -> None:
        name, country = str(record.get("city") or ""), str(record.get("country") or "").upper()
        found = resolver.resolve(name, country) if name and country else None
        if found is None:
            problems.append(f"{where}: city {name!r} is not in GeoNames for country {country!r}")
        else:
            cities[(name, country)] = found

    for record in events:
        where = record["_file"]
        slug = str(record.get("slug") or "")
        if not slug or slugify(slug) != slug or len(slug) > 120 or slug in RESERVED_SLUGS:
            problems.append(
                f"{where}: slug {slug!r} must be lower-case letters, digits and hyphens, not a fixed word"
            )
        elif slug in slugs:
            problems.append(f"{where}: slug {slug!r} is used by another file")
        slugs.add(slug)
        if not record["_file"][3:].startswith(slug[:60]):
            problems.append(f"{where}: the file name must be NN-{slug[:60]}.json")
        title = str(record.get("title") or "")
        if not title.strip() or len(title) > 200:
            problems.append(f"{where}: title must have 1 to 200 characters")
        if len(str(record.get("summary") or "")) > 300:
            problems.append(f"{where}: summary can have at most 300 characters")
        if record.get("format") not in EventFormat.values:
            problems.append(f"{where}: format {record.get('format')!r} is not one of {EventFormat.values}")
        status = record.get("status", EventStatus.PUBLISHED)
        if status not in _STATUSES:
            problems.append(f"{where}: status {status!r} is not one of {list(_STATUSES)}")
        if (status != EventStatus.PUBLISHED) != bool(str(record.get("status_message") or "").strip()):
            problems.append(f"{where}: a cancelled or postponed event (only) has a status_message")
        if record.get("language") not in languages:
            problems.append(f"{where}: language {record.get('language')!r} is not one of {sorted(languages)}")
        for name in ("languages", "interpretation"):
            values = record.get(name) or []
            if not isinstance(values, list) or any(value not in languages for value in values):
                problems.append(f"{where}: {name} must be some of {sorted(languages)}")
        for topic in record.get("topics") or []:
            if topic not in topics:
                problems.append(f"{where}: topics has unknown topic {topic!r}")
        if record.get("region") is not None and record.get("region") not in regions:
            problems.append(f"{where}: region {record.get('region')!r} is not a region of the vocabulary")
        if record.get("city"):
            city(where, record)
        elif record.get("time_zone") not in zones:
            problems.append(f"{where}: an event without a city needs a known time_zone")
        if record.get("host_organisation") and record["host_organisation"] not in organisation_keys:
            problems.append(
                f"{where}: host_organisation {record['host_organisation']!r} is not a demo organisation"
            )
        organisers = record.get("organisers") or []
        if not organisers:
            problems.append(f"{where}: organisers is empty")
        for key in organisers:
            person(f"{where} organisers", key)
        if record.get("mode") not in AttendanceMode.values:
            problems.append(f"{where}: mode {record.get('mode')!r} is not one of {AttendanceMode.values}")
        if record.get("mode") != AttendanceMode.IN_PERSON and not is_example_url(
            str(record.get("online_url"))
        ):
            problems.append(f"{where}: an online or hybrid event needs an https example online_url")
        if record.get("travel_cover", "") not in TravelCover.values:
            problems.append(
                f"{where}: travel_cover {record.get('travel_cover')!r} is not one of {TravelCover.values}"
            )
        if not _check_days(where, record, problems):
            continue
        _check_places(where, record, regions, problems)
        for number, session in enumerate(record.get("sessions") or [], start=1):
            _check_session(f"{where} session {number}", session, record, person, problems)
        _check_registrations(where, record, practice_slugs, person, problems)
        _check_after(where, record, practice_slugs, problems)

    for number, proposal in enumerate(proposals, start=1):
        _check_proposal(
            f"{PROPOSALS_FILE} #{number}", proposal, organisation_keys, topics, person, city, problems
        )
    if problems:
        raise DemoDataError(problems)
    return CheckedEvents(events=events, proposals=proposals, people=people, cities=cities)


def _check_days(where: str, record: dict[str, Any], problems: list[str]) -> bool:
    start, end = record.get("start_day"), record.get("end_day")
    if not _whole(start) or not _whole(end) or start == 0 or end == 0:
        problems.append(f"{where}: start_day and end_day are whole numbers of days from today, never 0")
        return False
    times_ok = all(TIME_OF_DAY.match(str(record.get(name) or "")) for name in ("start_time", "end_time"))
    if not times_ok:
        problems.append(f"{where}: start_time and end_time are HH:MM")
        return False
    if (end, record["end_time"]) <= (start, record["start_time"]):
        problems.append(f"{where}: the event must end after it starts")
        return False
    for name in ("registration_opens_day", "registration_closes_day"):
        value = record.get(name)
        if value is not None and (not _whole(value) or value > end):
            problems.append(f"{where}: {name} is a whole number of days, not after the event's end")
    opens, closes = record.get("registration_opens_day"), record.get("registration_closes_day")
    if _whole(opens) and opens >= 0:
        problems.append(f"{where}: registration_opens_day is in the past, so people can have registered")
    if _whole(opens) and _whole(closes) and closes <= opens:
        problems.append(f"{where}: registration must close after it opens")
    for name in ("cancelled_days_ago", "postponed_days_ago"):
        if name in record and (not _whole(record[name]) or record[name] < 1):
            problems.append(f"{where}: {name} is a whole number of days, at least 1")
    if (
        record.get("status", EventStatus.PUBLISHED) != EventStatus.PUBLISHED
        and _day_kind(record) != "upcoming"
    ):
        problems.append(f"{where}: only an upcoming event is cancelled or postponed in the demo")
    return True


def _check_places(where: str, record: dict[str, Any], regions: set[str], problems: list[str]) -> None:
    capacity = record.get("capacity")
    if capacity is not None and (not _whole(capacity) or capacity < 1):
        problems.append(f"{where}: capacity is a positive whole number or null")
        return
    reserved = record.get("reserved") or []
    if reserved and capacity is None:
        problems.append(f"{where}: reserved places need a capacity")
    total = 0
    for item in reserved:
        if item.get("region") not in regions:
            problems.append(
                f"{where}: reserved region {item.get('region')!r} is not a region of the vocabulary"
            )
        if not _whole(item.get("places")) or item["places"] < 1:
            problems.append(f"{where}: reserved places is a positive whole number")
        else:
            total += item["places"]
    if capacity is not None and total > capacity:
        problems.append(f"{where}: the reserved places add up to more than the capacity")
    if record.get("participation") not in ParticipationMode.values:
        problems.append(f"{where}: participation is not one of {ParticipationMode.values}")
    for name in ("questions", "survey_questions"):
        values = record.get(name) or []
        if not isinstance(values, list) or any(not str(v).strip() or len(str(v)) > 500 for v in values):
            problems.append(f"{where}: {name} is a list of questions of at most 500 characters")
    if record.get("questions") and record.get("participation") != ParticipationMode.APPLICATION:
        problems.append(f"{where}: only an application event asks questions")


def _check_session(
    where: str,
    session: dict[str, Any],
    record: dict[str, Any],
    person: Callable[[str, object], bool],
    problems: list[str],
) -> None:
    title = str(session.get("title") or "")
    if not title.strip() or len(title) > 200:
        problems.append(f"{where}: title must have 1 to 200 characters")
    days = record["end_day"] - record["start_day"] + 1
    day = session.get("day", 1)
    if not _whole(day) or not 1 <= day <= days:
        problems.append(f"{where}: day must be a day of the event, 1 to {days}")
        return
    start, end = str(session.get("start") or ""), str(session.get("end") or "")
    if not TIME_OF_DAY.match(start) or not TIME_OF_DAY.match(end) or end <= start:
        problems.append(f"{where}: start and end are HH:MM, end after start")
        return
    if (day == 1 and start < record["start_time"]) or (day == days and end > record["end_time"]):
        problems.append(f"{where}: the session must lie within the event's times")
    if len(str(session.get("guests") or "")) > 300:
        problems.append(f"{where}: guests can have at most 300 characters")
    for key in session.get("speakers") or []:
        person(f"{where} speakers", key)


def registration_entry(item: object) -> dict[str, Any]:
    """A registration as an object: a bare key is a confirmed participant."""
    if isinstance(item, str):
        return {"person": item, "status": RegistrationStatus.CONFIRMED}
    if isinstance(item, dict):
        return {"status": RegistrationStatus.CONFIRMED, **item}
    return {"person": None, "status": None}


def _check_registrations(
    where: str,
    record: dict[str, Any],
    practice_slugs: set[str],
    person: Callable[[str, object], bool],
    problems: list[str],
) -> None:
    participation = record.get("participation")
    allowed = _REGISTRATION_STATUSES.get(str(participation), set())
    kind = _day_kind(record)
    questions = record.get("questions") or []
    capacity = record.get("capacity")
    seen: set[str] = set()
    held = waiting = 0
    for item in record.get("registrations") or []:
        entry = registration_entry(item)
        key, status = entry["person"], entry["status"]
        entry_where = f"{where} registration of {key!r}"
        if not person(entry_where, key):
            continue
        if key in seen:
            problems.append(f"{entry_where}: the person is registered twice")
        seen.add(key)
        if status not in allowed:
            problems.append(
                f"{entry_where}: status {status!r} is not one of {sorted(allowed)} for {participation}"
            )
        if kind == "past" and status not in _PAST_STATUSES:
            problems.append(
                f"{entry_where}: after the event a registration is confirmed, declined or cancelled"
            )
        if status in HOLDS_PLACE:
            held += 1
        waiting += status == RegistrationStatus.WAITLISTED
        if status == RegistrationStatus.OFFERED and not (
            _whole(entry.get("offered_hours_ago"))
            and 0 < entry["offered_hours_ago"] < record.get("offer_hours", 48)
        ):
            problems.append(f"{entry_where}: an open offer needs offered_hours_ago within the offer's hours")
        if "checked_in" in entry and (status != RegistrationStatus.CONFIRMED or kind == "upcoming"):
            problems.append(
                f"{entry_where}: only a confirmed participant of an event under way is checked in"
            )
        if participation == ParticipationMode.APPLICATION and questions:
            answers = entry.get("answers") or []
            if len(answers) != len(questions) or any(not str(a).strip() for a in answers):
                problems.append(f"{entry_where}: answers must answer each of the {len(questions)} questions")
        if record.get("asks_for_contribution") and not (entry.get("practice") or entry.get("challenge")):
            problems.append(f"{entry_where}: the event asks each participant for a practice or a challenge")
        if entry.get("practice") and entry["practice"] not in practice_slugs:
            problems.append(f"{entry_where}: practice {entry['practice']!r} is not a demo practice")
    if capacity is not None and held > capacity:
        problems.append(f"{where}: {held} registrations hold a place, more than the {capacity} places")
    if waiting and capacity is None:
        problems.append(f"{where}: nobody waits for an event without a limit of places")
    if waiting and participation == ParticipationMode.REGISTRATION and held != capacity:
        problems.append(f"{where}: people wait only while every place is taken")


def _check_after(where: str, record: dict[str, Any], practice_slugs: set[str], problems: list[str]) -> None:
    kind = _day_kind(record)
    after = ("outcomes", "practices", "documents", "feedback")
    if kind != "past":
        for name in after:
            if record.get(name):
                problems.append(f"{where}: {name} belong to an event that has taken place")
        return
    for slug in record.get("practices") or []:
        if slug not in practice_slugs:
            problems.append(f"{where}: practices has {slug!r}, which is not a demo practice")
    for document in record.get("documents") or []:
        if document.get("kind") not in DocumentKind.values or not str(document.get("title") or "").strip():
            problems.append(f"{where}: a document has a kind of {DocumentKind.values} and a title")
        if not is_example_url(str(document.get("url"))):
            problems.append(f"{where}: document url {document.get('url')!r} is not an https example address")
    entries = [registration_entry(item) for item in record.get("registrations") or []]
    confirmed = {e["person"]: e for e in entries if e["status"] == RegistrationStatus.CONFIRMED}
    taken = record.get("attendance_taken", True)
    survey = record.get("survey_questions") or []
    seen: set[str] = set()
    for answer in record.get("feedback") or []:
        key = answer.get("person")
        answer_where = f"{where} feedback of {key!r}"
        entry = confirmed.get(key)
        attended = entry is not None and (not taken or entry.get("checked_in", True))
        if not attended:
            problems.append(f"{answer_where}: only a participant who attended gives feedback")
        if key in seen:
            problems.append(f"{answer_where}: one answer per participant")
        seen.add(str(key))
        for rating in ("overall", "usefulness"):
            if answer.get(rating) not in (1, 2, 3, 4, 5):
                problems.append(f"{answer_where}: {rating} is a rating from 1 to 5")
        if len(answer.get("answers") or []) not in (0, len(survey)):
            problems.append(f"{answer_where}: answers must answer each of the {len(survey)} survey questions")


def _check_proposal(
    where: str,
    proposal: dict[str, Any],
    organisation_keys: set[str],
    topics: set[str],
    person: Callable[[str, object], bool],
    city: Callable[[str, dict[str, Any]], None],
    problems: list[str],
) -> None:
    person(f"{where} proposer", proposal.get("proposer"))
    if proposal.get("organisation") and proposal["organisation"] not in organisation_keys:
        problems.append(f"{where}: organisation {proposal['organisation']!r} is not a demo organisation")
    city(where, proposal)
    for topic in proposal.get("topics") or []:
        if topic not in topics:
            problems.append(f"{where}: topics has unknown topic {topic!r}")
    start, end = proposal.get("proposed_start_day"), proposal.get("proposed_end_day")
    if not _whole(start) or not _whole(end) or start < 1:
        problems.append(f"{where}: proposed_start_day and proposed_end_day are whole days in the future")
        return
    today = timezone.localdate()
    errors = proposal_errors(
        {
            **proposal,
            "proposed_start": today + timedelta(days=start),
            "proposed_end": today + timedelta(days=end),
        },
        today=today,
    )
    for name, messages in errors.items():
        problems += [f"{where} {name}: {message}" for message in messages]
    status = proposal.get("status")
    if status not in ProposalStatus.values:
        problems.append(f"{where}: status {status!r} is not one of {ProposalStatus.values}")
    reviewed = status in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)
    submitted = proposal.get("submitted_days_ago")
    if not _whole(submitted) or submitted < 1:
        problems.append(f"{where}: submitted_days_ago is a whole number of days, at least 1")
    elif reviewed and not (
        _whole(proposal.get("reviewed_days_ago")) and 0 < proposal["reviewed_days_ago"] < submitted
    ):
        problems.append(f"{where}: reviewed_days_ago must be after the proposal was submitted")
    if status == ProposalStatus.DECLINED and not str(proposal.get("review_note") or "").strip():
        problems.append(f"{where}: a declined proposal has a review_note")
    if proposal.get("to_event") and status != ProposalStatus.ACCEPTED:
        problems.append(f"{where}: only an accepted proposal becomes an event draft")


# --- Loading ------------------------------------------------------------------------------------------------


def load_events_demo(
    *, directory: Path = EVENTS_DEMO_DIR, report: Callable[[str], None] | None = None
) -> EventsDemoSummary:
    """Load the events demo over the other demo parts (which must be loaded); a second call changes nothing."""
    say = report or (lambda message: None)
    events, proposals = read_events_demo(directory)
    checked = check_events_demo(events, proposals)
    summary = EventsDemoSummary()
    with transaction.atomic():
        _EventsLoader(checked, summary).run()
    say(summary.describe())
    return summary


def _fraction(*parts: str) -> float:
    """A stable number in [0, 1) for the same inputs, so the demo loads the same on every machine."""
    digest = hashlib.sha256(":".join(parts).encode()).hexdigest()
    return int(digest[:8], 16) / 0x1_0000_0000


def _backdate(model: type[Model], rows: list[tuple[Any, datetime]], name: str) -> None:
    """Set a time that auto_now_add or auto_now overwrote on insert (bulk_update writes values as given)."""
    for row, when in rows:
        setattr(row, name, when)
    if rows:
        model._default_manager.bulk_update([row for row, _when in rows], [name])


class _EventsLoader:
    def __init__(self, checked: CheckedEvents, summary: EventsDemoSummary) -> None:
        self.data = checked
        self.summary = summary
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.users: dict[str, User] = {}
        self.staff: User | None = None
        self.organisations: dict[str, Organisation] = {}
        self.topics: dict[str, Topic] = {}
        self.regions: dict[str, Region] = {}
        self.practices: dict[str, Practice] = {}

    def run(self) -> None:
        records = [
            record for record in self.data.events if not Event.objects.filter(slug=record["slug"]).exists()
        ]
        emails = self.data.people
        found = User.objects.select_related("country", "organisation").in_bulk(
            list(set(emails.values())), field_name="email"
        )
        missing = sorted({email for email in emails.values() if email not in found})
        if missing and (records or self.data.proposals):
            raise DemoDataError(
                [f"{email} is missing: load the practices' and the network's demo first" for email in missing]
            )
        self.users = {key: found[email] for key, email in emails.items() if email in found}
        self.staff = found.get(STAFF_EMAIL)
        keys = {record.get("host_organisation") for record in records} | {
            proposal.get("organisation") for proposal in self.data.proposals
        }
        slugs = {slugify(key)[:120]: key for key in keys if key}
        by_slug = Organisation.objects.in_bulk(list(slugs), field_name="slug")
        self.organisations = {key: by_slug[slug] for slug, key in slugs.items() if slug in by_slug}
        self.topics = {topic.slug: topic for topic in Topic.objects.all()}
        self.regions = {region.slug: region for region in Region.objects.all()}
        self.practices = Practice.objects.filter(status=PracticeStatus.PUBLISHED).in_bulk(field_name="slug")
        for record in records:
            self.load_event(record)
        self.load_proposals()

    # --- Times -----------------------------------------------------------------------------------------

    def zone_of(self, record: dict[str, Any]) -> str:
        city = self.city_of(record)
        if city is not None and city.timezone in known_time_zones():
            return city.timezone
        return str(record.get("time_zone") or "UTC")

    def city_of(self, record: dict[str, Any]) -> City | None:
        if not record.get("city"):
            return None
        return self.data.cities[(str(record["city"]), str(record["country"]).upper())]

    def local(self, zone: ZoneInfo, day: int, at: str | time) -> datetime:
        """`day` days from today in `zone`, at the local time `at`."""
        today = self.now.astimezone(zone).date()
        clock = at if isinstance(at, time) else time.fromisoformat(at)
        return datetime.combine(today + timedelta(days=day), clock, tzinfo=zone)

    def before_now(self, when: datetime, hours: float = 1) -> datetime:
        return min(when, self.now - timedelta(hours=hours))

    # --- One event -------------------------------------------------------------------------------------

    def load_event(self, record: dict[str, Any]) -> None:
        where = record["_file"]
        zone_name = self.zone_of(record)
        zone = ZoneInfo(zone_name)
        starts = self.local(zone, record["start_day"], record["start_time"])
        ends = self.local(zone, record["end_day"], record["end_time"])
        opens = (
            self.local(zone, record["registration_opens_day"], WINDOW_TIME)
            if record.get("registration_opens_day") is not None
            else None
        )
        closes = (
            min(self.local(zone, record["registration_closes_day"], WINDOW_TIME), starts)
            if record.get("registration_closes_day") is not None
            else None
        )
        city = self.city_of(record)
        in_person = record["mode"] != AttendanceMode.ONLINE
        status = record.get("status", EventStatus.PUBLISHED)
        published = self.before_now((opens or starts - timedelta(days=60)) - timedelta(days=2), hours=24)
        event = Event(
            title=record["title"],
            slug=record["slug"],
            format=record["format"],
            status=status,
            status_message=record.get("status_message", ""),
            summary=record.get("summary", ""),
            description=record.get("description", ""),
            language=record["language"],
            languages=list(record.get("languages") or []),
            interpretation=list(record.get("interpretation") or []),
            region=self.regions.get(record.get("region") or ""),
            host_city=city,
            host_organisation=self.organisations.get(record.get("host_organisation") or ""),
            starts_at=starts,
            ends_at=ends,
            time_zone=zone_name,
            mode=record["mode"],
            venue_name=record.get("venue_name", "") if in_person else "",
            venue_address=record.get("venue_address", "") if in_person else "",
            latitude=record.get("latitude", city.latitude if city and in_person else None),
            longitude=record.get("longitude", city.longitude if city and in_person else None),
            online_url=record.get("online_url", ""),
            travel_cover=record.get("travel_cover", ""),
            travel_note=record.get("travel_note", ""),
            participation=record["participation"],
            capacity=record.get("capacity"),
            registration_opens_at=opens,
            registration_closes_at=closes,
            offer_hours=record.get("offer_hours", 48),
            questions=list(record.get("questions") or []),
            asks_for_contribution=bool(record.get("asks_for_contribution")),
            public_participants=bool(record.get("public_participants")),
            badges=bool(record.get("badges")),
            certificates=bool(record.get("certificates", True)),
            survey_questions=list(record.get("survey_questions") or []),
            outcomes=record.get("outcomes", ""),
            created_by=self.staff,
            published_at=published,
            sequence=0 if status == EventStatus.PUBLISHED else 1,
        )
        # What the back office would refuse, the demo must not hold either.
        errors = event_errors(event)
        if errors:
            raise DemoDataError(
                [f"{where} {name}: {'; '.join(messages)}" for name, messages in errors.items()]
            )
        if status == EventStatus.PUBLISHED and starts - timedelta(days=1) <= self.now:
            event.reminder_sent_at = starts - timedelta(days=1)
        if status == EventStatus.PUBLISHED and ends <= self.now:
            # The survey went out, as the scheduled job would have sent it an hour after the end.
            event.survey_sent_at = self.before_now(ends + timedelta(hours=1), hours=0)
        event.save()
        event.topics.set([self.topics[slug] for slug in record.get("topics") or []])
        event.organisers.set([self.users[key] for key in record["organisers"]])
        event.practices.set([self.practices[slug] for slug in record.get("practices") or []])
        changed = published
        if status == EventStatus.CANCELLED:
            changed = self.now - timedelta(days=record.get("cancelled_days_ago", 1))
        elif status == EventStatus.POSTPONED:
            changed = self.now - timedelta(days=record.get("postponed_days_ago", 1))
        elif record.get("outcomes"):
            changed = self.before_now(ends + timedelta(days=5))
        Event.objects.filter(pk=event.pk).update(created_at=published - timedelta(days=5), updated_at=changed)

        self.load_sessions(event, record, zone, where)
        reserved = [
            ReservedPlaces.objects.create(
                event=event, region=self.regions[item["region"]], places=item["places"]
            )
            for item in record.get("reserved") or []
        ]
        registrations = self.load_registrations(event, record, reserved, where)
        self.load_certificates(event, registrations)
        self.load_feedback(event, record, registrations)
        self.load_documents(event, record)
        self.summary.events += 1

    def load_sessions(self, event: Event, record: dict[str, Any], zone: ZoneInfo, where: str) -> None:
        for number, item in enumerate(record.get("sessions") or [], start=1):
            day = record["start_day"] + item.get("day", 1) - 1
            starts, ends = self.local(zone, day, item["start"]), self.local(zone, day, item["end"])
            if starts < event.starts_at or ends > event.ends_at:
                raise DemoDataError([f"{where} session {number}: it must lie within the event's times"])
            session = AgendaSession.objects.create(
                event=event,
                title=item["title"],
                description=item.get("description", ""),
                starts_at=starts,
                ends_at=ends,
                location=item.get("location", ""),
                guest_speakers=item.get("guests", ""),
            )
            session.speakers.set([self.users[key] for key in item.get("speakers") or []])

    def load_registrations(
        self, event: Event, record: dict[str, Any], reserved: list[ReservedPlaces], where: str
    ) -> list[tuple[Registration, dict[str, Any]]]:
        """Registrations in the order of the file, which is the order people registered in."""
        entries = [registration_entry(item) for item in record.get("registrations") or []]
        if not entries:
            return []
        # People registered while registration was open and before the event (or before now, if later).
        first = event.registration_opens_at or (event.published_at or self.now)
        last = self.before_now(min(event.registration_closes_at or event.starts_at, event.starts_at))
        span = max(last - first, timedelta(hours=len(entries)))
        places = Places(capacity=event.capacity, reserved=reserved, held={})
        organiser = self.users[record["organisers"][0]]
        taken = record.get("attendance_taken", True)
        past = event.ends_at <= self.now
        rows: list[tuple[Registration, dict[str, Any]]] = []
        for position, entry in enumerate(entries):
            user = self.users[entry["person"]]
            status = entry["status"]
            share = (position + 0.25 + 0.5 * _fraction(event.slug, entry["person"])) / len(entries)
            created = first + span * share
            registration = Registration(
                event=event,
                user=user,
                status=status,
                answers=[
                    {"question": question, "answer": answer}
                    for question, answer in zip(event.questions, entry.get("answers") or [], strict=False)
                ],
                practice=self.practices.get(entry.get("practice") or ""),
                challenge=entry.get("challenge", ""),
                message=entry.get("message", ""),
                public=bool(entry.get("public")) and event.public_participants,
            )
            if status in HOLDS_PLACE:
                # The place comes from where the registration service would take it: reserved places first.
                has_place, place = places.place_for(user)
                if not has_place:
                    raise DemoDataError(
                        [f"{where} registration of {entry['person']!r}: no place is free for them"]
                    )
                places.take(place)
                registration.reserved = place
            elif (
                status == RegistrationStatus.WAITLISTED
                and event.participation == ParticipationMode.REGISTRATION
            ) and places.place_for(user)[0]:
                raise DemoDataError(
                    [f"{where} registration of {entry['person']!r}: waits while a place is free"]
                )
            if event.participation == ParticipationMode.APPLICATION and status != RegistrationStatus.APPLIED:
                # Decided after registration closed (or a few days after applying, while it is still open).
                decided = created + timedelta(days=3)
                if event.registration_closes_at is not None and event.registration_closes_at < self.now:
                    decided = event.registration_closes_at + timedelta(days=2)
                registration.decided_at = max(created, min(decided, event.starts_at, self.now))
                registration.decided_by = organiser
            if status == RegistrationStatus.WAITLISTED:
                registration.waitlisted_at = registration.decided_at or created
            if status == RegistrationStatus.OFFERED:
                registration.waitlisted_at = created
                registration.offered_at = self.now - timedelta(hours=entry["offered_hours_ago"])
                registration.offer_expires_at = min(
                    registration.offered_at + timedelta(hours=event.offer_hours), event.starts_at
                )
                if registration.offered_at <= created:
                    raise DemoDataError(
                        [f"{where} registration of {entry['person']!r}: offered before registering"]
                    )
            if status == RegistrationStatus.CANCELLED:
                if entry.get("cancelled_hours_ago"):
                    registration.cancelled_at = self.now - timedelta(hours=entry["cancelled_hours_ago"])
                else:
                    registration.cancelled_at = created + (min(event.starts_at, self.now) - created) * 0.4
            if status == RegistrationStatus.CONFIRMED and event.starts_at <= self.now:
                attended = entry.get("checked_in", past and taken)
                if attended:
                    minutes = 5 + 40 * _fraction(event.slug, entry["person"], "in")
                    registration.checked_in_at = event.starts_at + timedelta(minutes=minutes)
            rows.append((registration, {**entry, "_created": created}))
        saved = Registration.objects.bulk_create([registration for registration, _entry in rows])
        _backdate(
            Registration,
            [(row, entry["_created"]) for row, (_r, entry) in zip(saved, rows, strict=True)],
            "created_at",
        )
        statuses = [registration.status for registration in saved]
        # The counts the registration service keeps in the same transaction as every change of place.
        Event.objects.filter(pk=event.pk).update(
            confirmed_count=statuses.count(RegistrationStatus.CONFIRMED),
            waitlist_count=statuses.count(RegistrationStatus.WAITLISTED),
        )
        self.summary.registrations += len(saved)
        return [(registration, entry) for registration, (_r, entry) in zip(saved, rows, strict=True)]

    def load_certificates(
        self, event: Event, registrations: list[tuple[Registration, dict[str, Any]]]
    ) -> None:
        """Certificates as certificates.certificates_issue writes them, two days after the event."""
        if not event.certificates or event.status != EventStatus.PUBLISHED or event.ends_at > self.now:
            return
        due = [
            registration
            for registration, _entry in registrations
            if registration.status == RegistrationStatus.CONFIRMED and registration.checked_in_at is not None
        ]
        if not due:
            return
        languages = {code for code, _name in settings.LANGUAGES}
        with translation.override(event.language if event.language in languages else "en"):
            dates, place = event_dates_text(event), event_place_text(event)
        taken = set(Certificate.objects.values_list("code", flat=True))
        codes: list[str] = []
        while len(codes) < len(due):
            code = certificate_code()
            if code not in taken:
                taken.add(code)
                codes.append(code)
        saved = Certificate.objects.bulk_create(
            Certificate(
                registration=registration,
                code=code,
                participant_name=registration.user.display_name[:300],
                event_title=event.title,
                event_dates=dates[:100],
                event_place=place[:200],
            )
            for registration, code in zip(due, codes, strict=True)
        )
        issued = self.before_now(event.ends_at + timedelta(days=2))
        _backdate(Certificate, [(certificate, issued) for certificate in saved], "issued_at")
        self.summary.certificates += len(saved)

    def load_feedback(
        self, event: Event, record: dict[str, Any], registrations: list[tuple[Registration, dict[str, Any]]]
    ) -> None:
        by_person = {entry["person"]: registration for registration, entry in registrations}
        rows: list[tuple[FeedbackResponse, datetime]] = []
        for answer in record.get("feedback") or []:
            registration = by_person[answer["person"]]
            response = FeedbackResponse(
                event=event,
                registration=registration,
                overall=answer["overall"],
                usefulness=answer["usefulness"],
                answers=[
                    {"question": question, "answer": text}
                    for question, text in zip(
                        event.survey_questions, answer.get("answers") or [], strict=True
                    )
                ],
                comment=answer.get("comment", ""),
            )
            hours = 2 + 120 * _fraction(event.slug, answer["person"], "feedback")
            rows.append((response, self.before_now(event.ends_at + timedelta(hours=hours))))
        saved = FeedbackResponse.objects.bulk_create([response for response, _when in rows])
        _backdate(
            FeedbackResponse, [(row, when) for row, (_r, when) in zip(saved, rows, strict=True)], "created_at"
        )
        self.summary.feedback += len(saved)

    def load_documents(self, event: Event, record: dict[str, Any]) -> None:
        organiser = self.users[record["organisers"][0]]
        saved = EventDocument.objects.bulk_create(
            EventDocument(
                event=event,
                kind=item["kind"],
                title=item["title"],
                url=item["url"],
                participants_only=bool(item.get("participants_only")),
                added_by=organiser,
            )
            for item in record.get("documents") or []
        )
        added = self.before_now(event.ends_at + timedelta(days=3))
        _backdate(EventDocument, [(document, added) for document in saved], "created_at")

    # --- The call for topics -----------------------------------------------------------------------------

    def load_proposals(self) -> None:
        today = timezone.localdate()
        for record in self.data.proposals:
            proposer = self.users[record["proposer"]]
            if EventProposal.objects.filter(proposer=proposer, title=record["title"]).exists():
                continue
            status = record["status"]
            reviewed = status in (ProposalStatus.ACCEPTED, ProposalStatus.DECLINED)
            proposal = EventProposal.objects.create(
                proposer=proposer,
                organisation=self.organisations.get(record.get("organisation") or ""),
                city=self.data.cities[(str(record["city"]), str(record["country"]).upper())],
                title=record["title"],
                format=record["format"],
                challenge=record["challenge"],
                partners=record.get("partners", ""),
                proposed_start=today + timedelta(days=record["proposed_start_day"]),
                proposed_end=today + timedelta(days=record["proposed_end_day"]),
                language=record["language"],
                status=status,
                review_note=record.get("review_note", ""),
                reviewed_by=self.staff if reviewed else None,
                reviewed_at=self.now - timedelta(days=record["reviewed_days_ago"]) if reviewed else None,
            )
            proposal.topics.set([self.topics[slug] for slug in record.get("topics") or []])
            submitted = self.now - timedelta(days=record["submitted_days_ago"])
            EventProposal.objects.filter(pk=proposal.pk).update(created_at=submitted)
            if record.get("to_event") and self.staff is not None:
                # The draft is made by the call for topics' own service, exactly as staff would make it.
                draft = proposal_to_event(proposal=proposal, actor=self.staff)
                drafted = (proposal.reviewed_at or submitted) + timedelta(days=1)
                Event.objects.filter(pk=draft.pk).update(created_at=drafted, updated_at=drafted)
                self.summary.events += 1
            self.summary.proposals += 1
