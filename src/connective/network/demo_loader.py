"""Loads the network part of the demo (src/connective/network/demo/*.json) on top of the practices' demo.

The practices' demo (practices/demo_loader.py) already creates 42 organisations, the 46 contact people of its
practices and the four demo logins. This loader does not repeat them: it gives those organisations a
description and a verification, creates the rest of the directory (organisations and people of every region),
gives every demo person a profile (actor type, expertise, languages with levels, a biography in its own
language, links, visibilities, sometimes a portrait), and adds follows, conversations and the activities
"my network" shows.

The files, written by hand:
- organisations.json: a record whose key is an organisation of the practices' demo carries only its
  description, description_language and verified; any other record is a new organisation (name, type, city,
  country, website too).
- people.json: a record whose key is a person of the practices' demo, or whose email is a demo login,
  carries only profile data (a demo login may also name its organisation); any other record is a new
  person (first_name, last_name, email, position, organisation, city, country too). Profiles are public,
  and so are their fields, unless the record says otherwise (visibility; fields: {field: visibility}).
- follows.json: who follows which people, organisations, cities and topics.
- conversations.json: private conversations between two demo people, in their languages.

Loading is idempotent, by natural keys (e-mail address, organisation slug, conversation pair), and leaves
alone what people changed in a running demo: a profile is filled once, while it is still blank, and its
owner's follows are added then; an organisation is described once, while it has no description.
Like the practices' loader it writes with the ORM directly, without notifications or an audit trail; profiles
are created through services.profile_ensure.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from connective.accounts.models import User
from connective.core.models import City, Topic
from connective.network.models import (
    PROFILE_FIELDS,
    Activity,
    ActivityVerb,
    ActorType,
    Conversation,
    ConversationMember,
    Follow,
    FollowKind,
    LanguageLevel,
    Message,
    Organisation,
    OrganisationType,
    Profile,
    ProfileLanguage,
    ProfileLink,
    Visibility,
)
from connective.network.services import language_code_valid, profile_ensure
from connective.practices.demo_loader import (
    DEMO_PASSWORD,
    ROLE_ACCOUNTS,
    STAFF_EMAIL,
    USER_LANGUAGES,
    CityResolver,
    DemoDataError,
    read_demo_json,
)
from connective.practices.models import Practice, PracticeStatus

NETWORK_DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Links in the demo point to reserved example domains only (RFC 2606), never to someone's real site.
EXAMPLE_DOMAINS = ("example.org", "example.net", "example.com", "example")

_IDENTITY_FIELDS = ("first_name", "last_name", "email", "position", "organisation", "city", "country")
_ORGANISATION_FIELDS = ("name", "type", "city", "country", "website")
_FIELD_NAMES = {name for name, _label in PROFILE_FIELDS}


@dataclass(frozen=True)
class NetworkDemoFiles:
    organisations: list[dict[str, Any]]
    people: list[dict[str, Any]]
    follows: list[dict[str, Any]]
    conversations: list[dict[str, Any]]


@dataclass
class NetworkDemoSummary:
    organisations: int = 0
    described: int = 0
    people: int = 0
    profiles: int = 0
    photos: int = 0
    follows: int = 0
    conversations: int = 0
    messages: int = 0
    activities: int = 0
    indexed_people: int = 0
    indexed_organisations: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.organisations,
                self.described,
                self.people,
                self.profiles,
                self.follows,
                self.conversations,
                self.activities,
            )
        )

    def describe(self) -> str:
        if not self.changed:
            return "Network demo data already loaded."
        return (
            f"Network demo: {self.organisations} organisations added and {self.described} described, "
            f"{self.people} people added, {self.profiles} profiles filled ({self.photos} portraits), "
            f"{self.follows} follows, {self.conversations} conversations ({self.messages} messages), "
            f"{self.activities} activities; {self.indexed_people} people and {self.indexed_organisations} "
            "organisations indexed for the directory."
        )


# --- Reading and checking ----------------------------------------------------------------------------------


def read_network_demo_json(directory: Path = NETWORK_DEMO_DIR) -> NetworkDemoFiles:
    loaded: dict[str, list[dict[str, Any]]] = {}
    for name in ("organisations", "people", "follows", "conversations"):
        path = directory / f"{name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DemoDataError([f"{path}: cannot be read ({exc})"]) from None
        if not isinstance(data, list):
            raise DemoDataError([f"{path}: must hold a list of records"])
        loaded[name] = data
    return NetworkDemoFiles(**loaded)


def is_example_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == domain or host.endswith(f".{domain}") for domain in EXAMPLE_DOMAINS
    )


@dataclass(frozen=True)
class PersonKey:
    """Where a demo person comes from: the practices' demo, a demo login, or this directory's people.json."""

    key: str
    email: str
    origin: str  # "practices", "login" or "network"


@dataclass
class CheckedNetwork:
    files: NetworkDemoFiles
    # Organisation key → slug, for the practices' organisations and the new ones.
    organisation_slugs: dict[str, str]
    people: dict[str, PersonKey]
    # Biographies the practices' people.json already holds, by person key.
    practice_bios: dict[str, str]
    # The published practices of the practices' demo.
    practice_slugs: list[str]
    cities: dict[tuple[str, str], City]
    topics: dict[str, Topic]


def check_network_demo(files: NetworkDemoFiles, resolver: CityResolver | None = None) -> CheckedNetwork:
    """Every problem in the network demo JSON, each naming its file, record and field; DemoDataError if any."""
    resolver = resolver or CityResolver()
    problems: list[str] = []
    practice_organisations, practice_people, practices = read_demo_json()
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    cities: dict[tuple[str, str], City] = {}

    def need_city(where: str, record: dict[str, Any]) -> None:
        name, country = str(record.get("city") or ""), str(record.get("country") or "").upper()
        city = resolver.resolve(name, country) if name and country else None
        if city is None:
            problems.append(f"{where}: city {name!r} is not in GeoNames for country {country!r}")
        else:
            cities[(name, country)] = city

    organisation_slugs = {
        str(record["key"]): slugify(record["key"])[:120]
        for record in practice_organisations
        if record.get("key")
    }
    known_organisations = set(organisation_slugs)
    seen: set[str] = set()
    organisation_types = {choice.value for choice in OrganisationType}
    for position, record in enumerate(files.organisations):
        key = str(record.get("key") or "")
        where = f"organisations.json {key or f'#{position + 1}'!r}"
        if not key:
            problems.append(f"{where}: key is empty")
            continue
        if key in seen:
            problems.append(f"{where}: key is used twice")
        seen.add(key)
        if key in known_organisations:
            extra = [name for name in _ORGANISATION_FIELDS if name in record]
            if extra:
                problems.append(
                    f"{where}: is an organisation of practices/demo/organisations.json; give only its "
                    f"description, description_language and verified, not {', '.join(extra)}"
                )
        else:
            if not str(record.get("name") or "").strip():
                problems.append(f"{where}: name is empty")
            if record.get("type") not in organisation_types:
                problems.append(
                    f"{where}: type {record.get('type')!r} is not one of {sorted(organisation_types)}"
                )
            if record.get("website") and not is_example_url(str(record["website"])):
                problems.append(f"{where}: website {record['website']!r} is not an https example address")
            need_city(where, record)
            organisation_slugs[key] = slugify(key)[:120]
        if not str(record.get("description") or "").strip():
            problems.append(f"{where}: description is empty")
        if record.get("description_language") not in USER_LANGUAGES:
            problems.append(
                f"{where}: description_language {record.get('description_language')!r} is not one of "
                f"{sorted(USER_LANGUAGES)}"
            )
        if not isinstance(record.get("verified", False), bool):
            problems.append(f"{where}: verified must be true or false")

    people: dict[str, PersonKey] = {
        str(record["key"]): PersonKey(str(record["key"]), str(record["email"]).lower(), "practices")
        for record in practice_people
        if record.get("key") and record.get("email")
    }
    practice_bios = {str(record["key"]): str(record.get("bio") or "") for record in practice_people}
    logins = {account.email for account in ROLE_ACCOUNTS}
    emails = {person.email for person in people.values()} | logins
    seen = set()
    for position, record in enumerate(files.people):
        key = str(record.get("key") or "")
        where = f"people.json {key or f'#{position + 1}'!r}"
        if not key:
            problems.append(f"{where}: key is empty")
            continue
        if key in seen:
            problems.append(f"{where}: key is used twice")
        seen.add(key)
        email = str(record.get("email") or "").lower()
        if key in people:
            extra = [name for name in _IDENTITY_FIELDS if name in record]
            if extra:
                problems.append(
                    f"{where}: is a person of practices/demo/people.json; give only profile data, not "
                    f"{', '.join(extra)}"
                )
        elif email in logins:
            extra = [
                name for name in _IDENTITY_FIELDS if name in record and name not in ("email", "organisation")
            ]
            if extra:
                problems.append(f"{where}: is a demo login; give only profile data, not {', '.join(extra)}")
            people[key] = PersonKey(key, email, "login")
        else:
            if "@" not in email:
                problems.append(f"{where}: email {record.get('email')!r} is not an e-mail address")
            elif email in emails:
                problems.append(f"{where}: email {email!r} is used twice")
            emails.add(email)
            for name in ("first_name", "last_name", "position"):
                if not str(record.get(name) or "").strip():
                    problems.append(f"{where}: {name} is empty")
            need_city(where, record)
            people[key] = PersonKey(key, email, "network")
        organisation = record.get("organisation")
        if organisation and organisation not in organisation_slugs:
            problems.append(f"{where}: organisation {organisation!r} is in neither organisations.json")
        _check_profile(where, record, topics, problems, has_bio=bool(practice_bios.get(key)))

    hidden = {str(record["key"]) for record in files.people if record.get("visibility") == Visibility.HIDDEN}
    for position, record in enumerate(files.follows):
        follower = str(record.get("follower") or "")
        where = f"follows.json {follower or f'#{position + 1}'!r}"
        if follower not in people:
            problems.append(f"{where}: follower {follower!r} is not a demo person")
        for key in record.get("people") or []:
            if key not in people or key == follower:
                problems.append(f"{where}: people has {key!r}, which is not another demo person")
            elif key in hidden:
                problems.append(f"{where}: people has {key!r}, whose profile is hidden: nobody may follow it")
        for key in record.get("organisations") or []:
            if key not in organisation_slugs:
                problems.append(f"{where}: organisations has {key!r}, which is not a demo organisation")
        for place in record.get("cities") or []:
            need_city(f"{where} cities", place)
        for slug in record.get("topics") or []:
            if slug not in topics:
                problems.append(f"{where}: topics has unknown topic {slug!r}")

    for position, record in enumerate(files.conversations):
        where = f"conversations.json #{position + 1}"
        between = record.get("between") or []
        if len(between) != 2 or len(set(between)) != 2 or not all(key in people for key in between):
            problems.append(f"{where}: between must name two different demo people, not {between!r}")
            continue
        messages = record.get("messages") or []
        if not messages:
            problems.append(f"{where}: has no messages")
        previous = float("inf")
        for number, message in enumerate(messages, start=1):
            if message.get("from") not in between:
                problems.append(f"{where} message {number}: from {message.get('from')!r} is not in between")
            if not str(message.get("body") or "").strip():
                problems.append(f"{where} message {number}: body is empty")
            hours = message.get("hours_ago")
            if not isinstance(hours, int | float) or hours < 0 or hours >= previous:
                problems.append(f"{where} message {number}: hours_ago must be positive and decrease")
            else:
                previous = hours

    if problems:
        raise DemoDataError(problems)
    practice_slugs = [str(record.get("slug")) for record in practices]
    return CheckedNetwork(files, organisation_slugs, people, practice_bios, practice_slugs, cities, topics)


def _check_profile(
    where: str, record: dict[str, Any], topics: dict[str, Topic], problems: list[str], *, has_bio: bool
) -> None:
    actor_types = {choice.value for choice in ActorType}
    levels = {choice.value for choice in LanguageLevel}
    visibilities = {choice.value for choice in Visibility}
    if record.get("actor_type") not in actor_types:
        problems.append(
            f"{where}: actor_type {record.get('actor_type')!r} is not one of {sorted(actor_types)}"
        )
    if not record.get("expertise"):
        problems.append(f"{where}: expertise is empty")
    for slug in record.get("expertise") or []:
        if slug not in topics:
            problems.append(f"{where}: expertise has unknown topic {slug!r}")
    languages = record.get("languages")
    if not isinstance(languages, dict) or not languages:
        problems.append(f"{where}: languages must map language codes to levels")
    else:
        for code, level in languages.items():
            if not language_code_valid(code):
                problems.append(f"{where}: languages has {code!r}, not an ISO 639-1 code")
            if level not in levels:
                problems.append(
                    f"{where}: language {code!r} has level {level!r}, not one of {sorted(levels)}"
                )
    if not has_bio and not str(record.get("bio") or "").strip():
        problems.append(f"{where}: bio is empty")
    if record.get("bio_language") not in USER_LANGUAGES:
        problems.append(
            f"{where}: bio_language {record.get('bio_language')!r} is not one of {sorted(USER_LANGUAGES)}"
        )
    for link in record.get("links") or []:
        if not str(link.get("label") or "").strip() or not is_example_url(str(link.get("url") or "")):
            problems.append(
                f"{where}: links has an entry without a label or an https example address: {link!r}"
            )
    if record.get("visibility", Visibility.PUBLIC) not in visibilities:
        problems.append(
            f"{where}: visibility {record.get('visibility')!r} is not one of {sorted(visibilities)}"
        )
    for name, visibility in (record.get("fields") or {}).items():
        if name not in _FIELD_NAMES:
            problems.append(f"{where}: fields has {name!r}, not one of {sorted(_FIELD_NAMES)}")
        if visibility not in visibilities:
            problems.append(f"{where}: fields gives {name!r} the visibility {visibility!r}")


# --- Portraits ----------------------------------------------------------------------------------------------

PORTRAIT_SIZE = 400
_PORTRAIT_PALETTES = (
    ("#1f6f8b", "#99d5c9"),
    ("#7b5ea7", "#f3c6a5"),
    ("#2f9e6e", "#d9ed92"),
    ("#c0504d", "#f6d6ad"),
    ("#3a86a8", "#d9b26f"),
    ("#264653", "#e9c46a"),
    ("#6d597a", "#eaac8b"),
    ("#355070", "#b56576"),
)


def _rgb(colour: str) -> tuple[int, int, int]:
    return (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))


def draw_portrait(seed: str) -> bytes:
    """A neutral illustrated portrait (a head-and-shoulders silhouette on a coloured ground), as a JPEG.

    The demo has no photographs of real people; the same seed draws the same picture.
    """
    rng = random.Random(seed)
    size = PORTRAIT_SIZE
    first, second = (_rgb(colour) for colour in rng.choice(_PORTRAIT_PALETTES))
    # The gradient is turned at its small native size and cut from the middle (no empty corners), then
    # enlarged: a smooth ramp loses nothing, and it is ten times faster than turning a large one.
    gradient = Image.linear_gradient("L").rotate(
        rng.choice((0, 30, 60, 90, 120, 150)), Image.Resampling.BILINEAR
    )
    mask = gradient.crop((64, 64, 192, 192)).resize((size, size), Image.Resampling.BILINEAR)
    ground = Image.composite(
        Image.new("RGB", (size, size), second), Image.new("RGB", (size, size), first), mask
    )
    # Shapes are drawn at twice the size into an opacity mask and reduced, which smooths their edges.
    scale = 2
    shapes = Image.new("L", (size * scale, size * scale), 0)
    draw = ImageDraw.Draw(shapes)

    def ellipse(left: int, top: int, right: int, bottom: int, opacity: int) -> None:
        draw.ellipse((left * scale, top * scale, right * scale, bottom * scale), fill=opacity)

    for _ring in range(3):
        x, y, radius = rng.randint(0, size), rng.randint(0, size), rng.randint(40, 140)
        ellipse(x - radius, y - radius, x + radius, y + radius, 28)
    head = rng.randint(62, 76)
    centre = size // 2 + rng.randint(-12, 12)
    top = rng.randint(88, 112)
    ellipse(centre - head, top, centre + head, top + 2 * head, 215)
    shoulders = rng.randint(130, 160)
    chest = top + 2 * head + 18
    ellipse(centre - shoulders, chest, centre + shoulders, chest + 2 * shoulders, 215)
    image = Image.composite(Image.new("RGB", (size, size), (255, 255, 255)), ground, shapes.reduce(scale))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True)
    return buffer.getvalue()


# --- Loading ------------------------------------------------------------------------------------------------


def load_network_demo(
    *, directory: Path = NETWORK_DEMO_DIR, report: Callable[[str], None] | None = None
) -> NetworkDemoSummary:
    """Load the network demo over the practices' demo (which must be loaded); a second call changes nothing.

    Then rebuild the directory's search index, when something changed and the search module is there.
    """
    say = report or (lambda message: None)
    checked = check_network_demo(read_network_demo_json(directory))
    summary = NetworkDemoSummary()
    with transaction.atomic():
        _NetworkLoader(checked, summary).run()
    if summary.changed:
        _index_directory(summary)
    say(summary.describe())
    return summary


def _index_directory(summary: NetworkDemoSummary) -> None:
    """Index the directory now, so that it finds the demo people before the task worker has started."""
    try:
        from connective.network.search import directory_reindex_all
    except ImportError:
        summary.warnings.append(
            "The directory search module is not available; people and organisations were not indexed."
        )
        return
    people, organisations = directory_reindex_all()
    summary.indexed_people, summary.indexed_organisations = people, organisations


class _NetworkLoader:
    def __init__(self, checked: CheckedNetwork, summary: NetworkDemoSummary) -> None:
        self.data = checked
        self.summary = summary
        self.now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.organisations: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        # People whose profile this run filled: their follows are added with it.
        self.seeded: set[str] = set()
        self.verified: list[Organisation] = []

    def city(self, record: dict[str, Any]) -> City:
        return self.data.cities[(str(record["city"]), str(record["country"]).upper())]

    def run(self) -> None:
        self.load_organisations()
        self.load_people()
        self.load_profiles()
        self.load_follows()
        self.load_conversations()
        self.load_activities()

    def load_organisations(self) -> None:
        slugs = self.data.organisation_slugs
        records = self.data.files.organisations
        existing = set(Organisation.objects.filter(slug__in=slugs.values()).values_list("slug", flat=True))
        new = [record for record in records if "name" in record and slugs[record["key"]] not in existing]
        Organisation.objects.bulk_create(
            Organisation(
                name=record["name"],
                slug=slugs[record["key"]],
                type=record["type"],
                city=self.city(record),
                country_id=str(record["country"]).upper(),
                website=record.get("website") or "",
            )
            for record in new
        )
        self.summary.organisations = len(new)
        by_slug = Organisation.objects.in_bulk(list(slugs.values()), field_name="slug")
        missing = sorted(key for key, slug in slugs.items() if slug not in by_slug)
        if missing:
            raise DemoDataError(
                [f"organisation {key!r} is missing: load the practices' demo first" for key in missing]
            )
        self.organisations = {key: by_slug[slug] for key, slug in slugs.items()}

        staff = User.objects.filter(email=STAFF_EMAIL).first()
        described: list[Organisation] = []
        for position, record in enumerate(records):
            organisation = self.organisations[record["key"]]
            if organisation.description:
                continue
            organisation.description = record["description"]
            organisation.description_language = record["description_language"]
            if record.get("verified") and organisation.verified_at is None:
                organisation.verified_at = self.now - timedelta(days=9 * position + 3)
                organisation.verified_by = staff
                self.verified.append(organisation)
            described.append(organisation)
        Organisation.objects.bulk_update(
            described, ["description", "description_language", "verified_at", "verified_by"]
        )
        self.summary.described = len(described)

    def load_people(self) -> None:
        from allauth.account.models import EmailAddress

        records = {record["key"]: record for record in self.data.files.people}
        wanted = [person.email for person in self.data.people.values()]
        existing = User.objects.in_bulk(wanted, field_name="email")
        new_records = [
            records[person.key]
            for person in self.data.people.values()
            if person.origin == "network" and person.email not in existing
        ]
        if new_records:
            # One hash for all: they share the published demo password, and a hash takes a while.
            password = make_password(DEMO_PASSWORD)
            new_users = [
                self._new_user(record, password=password, joined_days_ago=40 + 11 * position)
                for position, record in enumerate(new_records)
            ]
            User.objects.bulk_create(new_users)
            existing = User.objects.in_bulk(wanted, field_name="email")
            # Allauth lets only verified addresses sign in.
            EmailAddress.objects.bulk_create(
                [
                    EmailAddress(user=existing[user.email], email=user.email, verified=True, primary=True)
                    for user in new_users
                ],
                ignore_conflicts=True,
            )
        self.summary.people = len(new_records)
        missing = sorted(person.email for person in self.data.people.values() if person.email not in existing)
        if missing:
            raise DemoDataError(
                [f"person {email!r} is missing: load the practices' demo first" for email in missing]
            )
        self.users = {key: existing[person.email] for key, person in self.data.people.items()}

    def _new_user(self, record: dict[str, Any], *, password: str, joined_days_ago: int) -> User:
        spoken = [code for code in record["languages"] if code in USER_LANGUAGES]
        city = self.city(record)
        organisation = record.get("organisation")
        return User(
            email=str(record["email"]).lower(),
            first_name=record["first_name"],
            last_name=record["last_name"],
            password=password,
            language=spoken[0] if spoken else "en",
            position=str(record["position"])[:200],
            organisation=self.organisations[organisation] if organisation else None,
            city=city,
            country_id=city.country_id,
            date_joined=self.now - timedelta(days=joined_days_ago),
        )

    def load_profiles(self) -> None:
        records = self.data.files.people
        users = [self.users[record["key"]] for record in records]
        had_profile = set(Profile.objects.filter(user__in=users).values_list("user_id", flat=True))
        # Filled once: a profile someone has written into since is theirs, not the demo's.
        blank = set(
            Profile.objects.filter(
                user__in=users, bio="", actor_type="", languages__isnull=True, expertise__isnull=True
            ).values_list("user_id", flat=True)
        )
        expertise: list[Any] = []
        languages: list[ProfileLanguage] = []
        links: list[ProfileLink] = []
        for record in records:
            user = self.users[record["key"]]
            if user.pk in had_profile and user.pk not in blank:
                continue
            profile = profile_ensure(user=user)
            login = self.data.people[record["key"]].origin == "login"
            if login and record.get("organisation") and user.organisation_id is None:
                # A demo login gets the organisation its profile names, with its profile.
                user.organisation = self.organisations[record["organisation"]]
                user.save(update_fields=["organisation"])
            profile.actor_type = record["actor_type"]
            profile.bio = record.get("bio") or self.data.practice_bios.get(record["key"], "")
            profile.bio_language = record["bio_language"]
            profile.visibility = record.get("visibility", Visibility.PUBLIC)
            overrides = record.get("fields") or {}
            for name in _FIELD_NAMES:
                setattr(profile, f"{name}_visibility", overrides.get(name, Visibility.PUBLIC))
            if record.get("photo") and not profile.photo:
                profile.photo.save(
                    f"{profile.slug}.jpg", ContentFile(draw_portrait(record["key"])), save=False
                )
                self.summary.photos += 1
            profile.save()
            expertise += [
                Profile.expertise.through(profile_id=profile.pk, topic_id=self.data.topics[slug].pk)
                for slug in dict.fromkeys(record["expertise"])
            ]
            languages += [
                ProfileLanguage(profile=profile, language=code, level=level)
                for code, level in record["languages"].items()
            ]
            links += [
                ProfileLink(profile=profile, url=link["url"], label=link["label"], position=position)
                for position, link in enumerate(record.get("links") or [])
            ]
            self.seeded.add(record["key"])
        Profile.expertise.through.objects.bulk_create(expertise, ignore_conflicts=True)
        ProfileLanguage.objects.bulk_create(languages, ignore_conflicts=True)
        ProfileLink.objects.bulk_create(links)
        self.summary.profiles = len(self.seeded)

    def load_follows(self) -> None:
        follows: list[Follow] = []
        for record in self.data.files.follows:
            if record["follower"] not in self.seeded:
                continue
            follower = self.users[record["follower"]]
            targets = [
                *((FollowKind.PERSON, self.users[key].pk) for key in record.get("people") or []),
                *(
                    (FollowKind.ORGANISATION, self.organisations[key].pk)
                    for key in record.get("organisations") or []
                ),
                *((FollowKind.CITY, self.city(place).pk) for place in record.get("cities") or []),
                *((FollowKind.TOPIC, self.data.topics[slug].pk) for slug in record.get("topics") or []),
            ]
            follows += [Follow(follower=follower, kind=kind, object_id=pk) for kind, pk in targets]
        if not follows:
            return
        before = Follow.objects.count()
        Follow.objects.bulk_create(follows, ignore_conflicts=True)
        self.summary.follows = Follow.objects.count() - before

    def load_conversations(self) -> None:
        from connective.network.conversations import conversation_pair

        for record in self.data.files.conversations:
            first, second = (self.users[key] for key in record["between"])
            pair = conversation_pair(first.pk, second.pk)
            if Conversation.objects.filter(pair=pair).exists():
                continue
            sent = [
                (
                    self.users[message["from"]],
                    message["body"],
                    self.now - timedelta(hours=message["hours_ago"]),
                )
                for message in record["messages"]
            ]
            conversation = Conversation.objects.create(pair=pair, last_message_at=sent[-1][2])
            Conversation.objects.filter(pk=conversation.pk).update(created_at=sent[0][2])
            Message.objects.bulk_create(
                Message(conversation=conversation, sender=sender, body=body, created_at=when)
                for sender, body, when in sent
            )
            last_sender = sent[-1][0]
            members = []
            for user in (first, second):
                read_until = sent[-1][2]
                if record.get("unread") and user != last_sender:
                    # The last message waits for them: they read up to the one before.
                    read_until = sent[-2][2] if len(sent) > 1 else sent[-1][2] - timedelta(hours=1)
                members.append(
                    ConversationMember(conversation=conversation, user=user, last_read_at=read_until)
                )
            ConversationMember.objects.bulk_create(members)
            self.summary.conversations += 1
            self.summary.messages += len(sent)

    def load_activities(self) -> None:
        """The news of the demo practices and verifications, as the services record it for real ones."""
        announced = Activity.objects.filter(verb=ActivityVerb.PRACTICE_PUBLISHED, practice__isnull=False)
        practices = (
            Practice.objects.filter(slug__in=self.data.practice_slugs, status=PracticeStatus.PUBLISHED)
            .exclude(pk__in=announced.values("practice_id"))
            .prefetch_related("topics")
        )
        activities: list[tuple[Activity, list[int], list[int]]] = []
        for practice in practices:
            activity = Activity(
                verb=ActivityVerb.PRACTICE_PUBLISHED,
                created_at=practice.published_at or self.now,
                actor_id=practice.author_id,
                practice=practice,
                organisation_id=practice.lead_organisation_id,
                city_id=practice.city_id,
            )
            people = list(dict.fromkeys(pk for pk in (practice.contact_id, practice.author_id) if pk))
            activities.append((activity, [topic.pk for topic in practice.topics.all()], people))
        for organisation in self.verified:
            verified_at: datetime = organisation.verified_at or self.now
            activity = Activity(
                verb=ActivityVerb.ORGANISATION_VERIFIED,
                created_at=verified_at,
                organisation=organisation,
                city_id=organisation.city_id,
            )
            activities.append((activity, [], []))
        saved = Activity.objects.bulk_create([activity for activity, _topics, _people in activities])
        Activity.topics.through.objects.bulk_create(
            Activity.topics.through(activity_id=activity.pk, topic_id=topic)
            for activity, (_unsaved, topics, _people) in zip(saved, activities, strict=True)
            for topic in topics
        )
        Activity.people.through.objects.bulk_create(
            Activity.people.through(activity_id=activity.pk, user_id=person)
            for activity, (_unsaved, _topics, people) in zip(saved, activities, strict=True)
            for person in people
        )
        self.summary.activities = len(saved)
