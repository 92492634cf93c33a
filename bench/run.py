#!/usr/bin/env python
"""`make bench`: the key pages at scale, measured through the real HTTP stack.

    make bench                                     # 100,000 practices on SQLite
    make bench BENCH_ARGS="--practices 20000 --people 10000 --organisations 2000"
    make bench BENCH_ARGS="--only group --only thread"  # the working groups only
    make bench BENCH_ARGS="--only event"           # the events only (list, calendar, pages, feed)
    make bench BENCH_ARGS="--database-url postgres://postgres@127.0.0.1:5432/connective_bench"

Steps: build (or reuse) the bench database (generate.py: practices, people, organisations, working groups with
a long thread, events with registrations), collect static files, count the SQL queries of one
request per scenario in-process, start gunicorn with production settings on a free loopback port, then time
each scenario with an HTTP client from this machine and weigh each page with the CSS and JavaScript it loads
(gzip, as a browser receives them), and measure the throughput of a few pages with concurrent clients. Prints
a table, writes bench/results/latest.json and checks the targets.
Every request goes to 127.0.0.1 only; every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    DEFAULT_DATABASE_URL,
    DEFAULT_PRACTICES,
    DEFAULT_VAR_DIR,
    PROJECT_DIR,
    bench_environment,
    setup_django,
)
from generate import (
    BIG_EVENT_SLUG,
    BIG_GROUP_SLUG,
    DEFAULT_ORGANISATIONS,
    DEFAULT_PEOPLE,
    EVENT_SLUG_PREFIX,
    add_event_arguments,
    add_group_arguments,
    bench_member_id,
    check_event_arguments,
    check_group_arguments,
)

RESULTS = Path(__file__).resolve().parent / "results"

# The targets of the issue.
TARGET_P95_MS = 100.0
TARGET_QUERIES = 10
TARGET_WEIGHT_KB = 60.0

SEARCHES = (
    ("water", "en"),
    ("Wasser", "de"),
    ("participation citoyenne", "fr"),
    ("movilidad urbana", "es"),
    ("saneamento", "pt"),
    ("النفايات", "ar"),
)
FACETED = (
    "q=water&topic=water-and-sanitation&region=sub-saharan-africa",
    "topic=mobility&size=large&lang=es",
    "q=waste&sdg=12&region=europe&year=2020",
    "topic=municipal-services&country=BR&sort=newest",
)
# The directory's filters: languages people speak (and how well) with their expertise, as members combine them.
PEOPLE_FILTERED = (
    "lang=fr&topic=water-and-sanitation",
    "lang=es&level=fluent&topic=mobility",
    "lang=ar&topic=waste-management&region=mena",
    "q=climate&lang=en&actor=science",
)

# The group list's filters (groups/forms.py GroupFilterForm), as visitors and members combine them.
GROUPS_FILTERED = (
    "topic=water-and-sanitation",
    "region=mena&access=open",
    "language=fr&sort=active",
    "q=water&sort=members",
    "topic=municipal-services&kind=thematic&page=2",
)

# The event list's filters (events/forms.py EventFilterForm); the first is the issue's own example.
EVENTS_FILTERED = (
    "format=study_trip&region=europe&when=past",
    "format=webinar&language=fr",
    "topic=water-and-sanitation&when=all&page=2",
    "q=water&mode=online",
    "region=sub-saharan-africa&format=training&when=past&page=2",
)


@dataclass
class Scenario:
    name: str
    # "search" and "page" scenarios carry the p95 target; every HTML page carries the weight target.
    kind: str
    url: Callable[[int], str]
    html: bool = True
    requests: int | None = None
    # Requested as a signed-in member (the directory shows members more than visitors).
    member: bool = False
    # Also measured with concurrent clients (requests per second the server sustains).
    throughput: bool = False


@dataclass
class DirectorySample:
    """Addresses for the directory's detail pages: public profiles, organisations, cities with activity."""

    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    cities: list[int] = field(default_factory=list)


@dataclass
class GroupSample:
    """Addresses of the working groups' pages: the list, and the group with the long thread."""

    group_list: str
    group_home: str
    # The long thread's pages: (label, address) for its first, middle and last page.
    thread_pages: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class EventSample:
    """Addresses of the event pages: ordinary published events in turn, and the one with 2,000
    registrations and a public list of 300 participants."""

    pages: list[str] = field(default_factory=list)
    big: str = ""
    next_month: str = ""


@dataclass
class Measurement:
    name: str
    kind: str
    url: str
    html: bool = True
    requests: int = 0
    errors: int = 0
    median_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    requests_per_s: float | None = None
    # With `concurrency` clients at once (only the scenarios measured for throughput).
    concurrent_requests_per_s: float | None = None
    concurrency: int | None = None
    html_kb: float | None = None
    assets_kb: float | None = None
    page_kb: float | None = None
    assets: dict[str, float] = field(default_factory=dict)
    queries: int | None = None
    query_ms: float | None = None
    slowest_sql: str = ""
    slowest_sql_ms: float | None = None
    status: int | None = None
    skipped: str = ""


def log(message: str) -> None:
    print(message, flush=True)


def scenarios(
    slugs: list[str],
    *,
    pdf: bool,
    practices: int,
    directory: DirectorySample | None = None,
    groups: GroupSample | None = None,
    events: EventSample | None = None,
) -> list[Scenario]:
    def detail(i: int) -> str:
        return f"/en/practices/{slugs[i % len(slugs)]}/"

    deep = max(1, min(50, practices // 20))
    found: list[Scenario] = [
        Scenario("home", "other", lambda i: "/en/"),
        Scenario("list", "search", lambda i: "/en/practices/"),
    ]
    for query, language in SEARCHES:
        found.append(Scenario(f"search {language}: {query}", "search", lambda i, q=query: _search_url(q)))
    found += [
        Scenario("search + facets", "search", lambda i: f"/en/practices/?{FACETED[i % len(FACETED)]}"),
        # Deep in the list (page 50 at the default size; the last page of a smaller data set).
        Scenario(f"newest, page {deep}", "search", lambda i: f"/en/practices/?sort=newest&page={deep}"),
        Scenario("map", "other", lambda i: "/en/practices/map/"),
        Scenario("practice page", "page", detail),
        Scenario("API list ?q=water", "other", lambda i: "/api/v1/practices/?q=water", html=False),
    ]
    if directory is not None:
        found += directory_scenarios(directory)
    if groups is not None:
        found += group_scenarios(groups)
    if events is not None:
        found += event_scenarios(events)
    if pdf:
        found.append(
            Scenario(
                "practice PDF", "other", lambda i: f"/en/practices/{slugs[i % len(slugs)]}/pdf/", False, 20
            )
        )
    return found


def directory_scenarios(sample: DirectorySample) -> list[Scenario]:
    """People and organisations: lists, searches and filters as a visitor and as a member, and detail pages."""
    people, organisations, cities = sample.people, sample.organisations, sample.cities
    found = [
        Scenario("people directory", "search", lambda i: "/en/people/"),
        Scenario("people search: water", "search", lambda i: "/en/people/?q=water"),
        Scenario(
            "people: language + topic",
            "search",
            lambda i: f"/en/people/?{PEOPLE_FILTERED[i % len(PEOPLE_FILTERED)]}",
        ),
        Scenario("people directory (member)", "search", lambda i: "/en/people/", member=True),
        Scenario("people search: water (member)", "search", lambda i: "/en/people/?q=water", member=True),
        Scenario(
            "people: language + topic (member)",
            "search",
            lambda i: f"/en/people/?{PEOPLE_FILTERED[i % len(PEOPLE_FILTERED)]}",
            member=True,
        ),
        Scenario("organisations directory", "search", lambda i: "/en/organisations/"),
        Scenario("organisations search: water", "search", lambda i: "/en/organisations/?q=water"),
    ]
    if people:
        found.append(Scenario("person page", "page", lambda i: f"/en/people/{people[i % len(people)]}/"))
    if organisations:
        found.append(
            Scenario(
                "organisation page",
                "page",
                lambda i: f"/en/organisations/{organisations[i % len(organisations)]}/",
            )
        )
    if cities:
        found.append(Scenario("city page", "page", lambda i: f"/en/cities/{cities[i % len(cities)]}/"))
    return found


def group_scenarios(sample: GroupSample) -> list[Scenario]:
    """The list of groups (plain and filtered), the home of the group with the long thread, and that thread's
    first, middle and last page; each as a visitor and as a member of the group."""
    found: list[Scenario] = []
    for member in (False, True):
        suffix = " (member)" if member else ""
        found += [
            Scenario(
                f"groups list{suffix}",
                "search",
                lambda i: sample.group_list,
                member=member,
                throughput=not member,
            ),
            Scenario(
                f"groups filtered{suffix}",
                "search",
                lambda i: f"{sample.group_list}?{GROUPS_FILTERED[i % len(GROUPS_FILTERED)]}",
                member=member,
            ),
            Scenario(f"group home{suffix}", "page", lambda i: sample.group_home, member=member),
        ]
        found += [
            Scenario(
                f"thread page {label}{suffix}",
                "page",
                lambda i, url=url: url,
                member=member,
                throughput=label == "middle" and not member,
            )
            for label, url in sample.thread_pages
        ]
    return found


def event_scenarios(sample: EventSample) -> list[Scenario]:
    """The event list (plain and filtered), the month calendar (this month and the next, fuller one), an
    ordinary event page (published events in turn) and the big event's page, each as a visitor and as a member
    (who is a confirmed, listed participant of the big event); and the public iCalendar feed."""
    found: list[Scenario] = []
    pages = sample.pages
    for member in (False, True):
        suffix = " (member)" if member else ""
        found += [
            Scenario(
                f"events list{suffix}",
                "search",
                lambda i: "/en/events/",
                member=member,
                throughput=not member,
            ),
            Scenario(
                f"events filtered{suffix}",
                "search",
                lambda i: f"/en/events/?{EVENTS_FILTERED[i % len(EVENTS_FILTERED)]}",
                member=member,
            ),
            Scenario(f"events calendar{suffix}", "search", lambda i: "/en/events/calendar/", member=member),
            Scenario(
                f"events calendar, next month{suffix}",
                "search",
                lambda i: f"/en/events/calendar/?month={sample.next_month}",
                member=member,
            ),
        ]
        if pages:
            found.append(
                Scenario(
                    f"event page{suffix}",
                    "page",
                    lambda i: f"/en/events/{pages[i % len(pages)]}/",
                    member=member,
                    throughput=not member,
                )
            )
        if sample.big:
            found.append(
                Scenario(
                    f"event page, 2,000 registrations{suffix}",
                    "page",
                    lambda i: f"/en/events/{sample.big}/",
                    member=member,
                    throughput=not member,
                )
            )
    # Not an HTML page: calendar apps poll it; weighed and timed, without the page targets.
    found.append(Scenario("events feed (.ics)", "other", lambda i: "/en/events/calendar.ics", html=False))
    return found


def sample_events(count: int = 200, seed: int = 13) -> EventSample | None:
    """Ordinary published bench events (past and upcoming) and the big one; None without bench events."""
    from django.utils import timezone

    from connective.events.models import Event, EventStatus

    slugs = list(
        Event.objects.filter(slug__startswith=EVENT_SLUG_PREFIX, status=EventStatus.PUBLISHED)
        .exclude(slug=BIG_EVENT_SLUG)
        .order_by("pk")
        .values_list("slug", flat=True)
    )
    if not slugs:
        return None
    today = timezone.localdate()
    following = (today.replace(day=28) + timedelta(days=5)).replace(day=1)
    big = Event.objects.filter(slug=BIG_EVENT_SLUG).values_list("slug", flat=True).first() or ""
    return EventSample(
        pages=random.Random(seed).sample(slugs, min(count, len(slugs))),
        big=big,
        next_month=following.strftime("%Y-%m"),
    )


def sample_groups() -> GroupSample | None:
    """The addresses of the group pages, or None without bench groups (`--groups 0`)."""
    from django.urls import reverse
    from django.utils.translation import override

    from connective.groups.discussions import thread_page_count
    from connective.groups.models import Thread

    thread = Thread.objects.filter(group__slug=BIG_GROUP_SLUG).order_by("-next_position").first()
    if thread is None:
        return None
    pages = thread_page_count(thread)
    with override("en"):
        url = reverse("groups:thread", kwargs={"slug": BIG_GROUP_SLUG, "pk": thread.pk})
        return GroupSample(
            group_list=reverse("groups:list"),
            group_home=reverse("groups:detail", kwargs={"slug": BIG_GROUP_SLUG}),
            thread_pages=[
                ("first", url),
                ("middle", f"{url}?page={max(1, (pages + 1) // 2)}"),
                ("last", f"{url}?page={pages}"),
            ],
        )


def sample_directory(count: int = 500, seed: int = 11) -> DirectorySample:
    from connective.network.models import Organisation, Profile, Visibility

    rng = random.Random(seed)
    people = list(
        Profile.objects.filter(
            visibility=Visibility.PUBLIC, user__is_active=True, user__deleted_at__isnull=True
        ).values_list("slug", "user__city__geoname_id")
    )
    chosen = rng.sample(people, min(count, len(people)))
    organisations = list(Organisation.objects.values_list("slug", flat=True).order_by("pk"))
    cities = list(dict.fromkeys(city for _slug, city in chosen if city is not None))[:200]
    return DirectorySample(
        people=[slug for slug, _city in chosen],
        organisations=rng.sample(organisations, min(count, len(organisations))),
        cities=cities,
    )


def member_session() -> tuple[str, str] | None:
    """(cookie name, session key) of a signed-in directory member, for the "(member)" scenarios.

    The session is written to the database (sessions are cached_db), so gunicorn's workers find it too.
    """
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from connective.accounts.models import User

    # The same member the generator made a member of some groups (and of the group with the long thread).
    user = User.objects.filter(pk=bench_member_id()).first()
    if user is None:
        return None
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return settings.SESSION_COOKIE_NAME, str(session.session_key)


def _search_url(query: str) -> str:
    from urllib.parse import urlencode

    return "/en/practices/?" + urlencode({"q": query})


def sample_slugs(count: int = 500, seed: int = 7) -> list[str]:
    from connective.practices.models import Practice, PracticeStatus

    ids = list(Practice.objects.filter(status=PracticeStatus.PUBLISHED).values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, min(count, len(ids)))
    return list(Practice.objects.filter(pk__in=chosen).order_by("?").values_list("slug", flat=True))


# --- Queries per page, in-process --------------------------------------------------------------------------


@contextmanager
def _statement_limit(seconds: float) -> Iterator[None]:
    """Stop a request's SQL after `seconds`, so one pathological query cannot hold the whole bench."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, false)", [str(int(seconds * 1000))])
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    timer = threading.Timer(seconds, raw.interrupt)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def count_queries(
    items: list[Scenario],
    results: dict[str, Measurement],
    *,
    timeout: float,
    session: tuple[str, str] | None = None,
) -> None:
    """One warm request per scenario through Django's test client, its SQL captured."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    visitor = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    member = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    if session is not None:
        member.cookies[session[0]] = session[1]
    for scenario in items:
        url = scenario.url(0)
        measurement = results[scenario.name]
        client = member if scenario.member else visitor
        started = time.perf_counter()
        # The first request warms what a running server has warm (the vocabulary cache, translations).
        with _statement_limit(timeout):
            response = client.get(url)
        if time.perf_counter() - started >= timeout:
            measurement.status = response.status_code
            measurement.skipped = f"SQL over {timeout:g} s, stopped"
            continue
        if response.status_code == 200:
            with CaptureQueriesContext(connection) as captured, _statement_limit(timeout):
                response = client.get(url)
        measurement.status = response.status_code
        if response.status_code != 200:
            # A broken or missing page is reported as such, never timed as if it were a fast one.
            measurement.skipped = f"HTTP {response.status_code}"
            continue
        times = [(float(q.get("time") or 0) * 1000, q["sql"]) for q in captured.captured_queries]
        measurement.queries = len(times)
        measurement.query_ms = round(sum(t for t, _ in times), 1)
        if times:
            slowest = max(times, key=lambda item: item[0])
            measurement.slowest_sql_ms = round(slowest[0], 1)
            measurement.slowest_sql = slowest[1]


def explain(sql: str) -> str:
    """The query plan of a captured statement (its parameters already inlined by Django)."""
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    try:
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
    except Exception as exc:  # a statement Django inlined in a form the engine cannot re-read
        return f"(no plan: {exc})"


# --- The server --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    *, database_url: str, var_dir: Path, port: int, workers: int, timeout: float
) -> subprocess.Popen[bytes]:
    env = {**os.environ, **bench_environment(database_url=database_url, var_dir=var_dir, port=port)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_DIR / "src"), env.get("PYTHONPATH")]))
    log_file = (var_dir / "gunicorn.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "connective.wsgi",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
    ]
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start-up; see {var_dir / 'gunicorn.log'}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer within 90 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Timing and weight over HTTP ---------------------------------------------------------------------------


class _Assets(HTMLParser):
    """The style sheets and scripts a page makes the browser load (icons and images are not counted)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.urls.append(str(values["src"]))
        elif tag == "link" and values.get("href"):
            rel = set((values.get("rel") or "").lower().split())
            preload_kind = (values.get("as") or "").lower()
            if (
                "stylesheet" in rel
                or "modulepreload" in rel
                or ("preload" in rel and preload_kind != "image")
            ):
                self.urls.append(str(values["href"]))


def measure(
    client: Any,
    scenario: Scenario,
    measurement: Measurement,
    *,
    requests: int,
    time_limit: float,
    warmup: int,
) -> None:
    import httpx

    warm_until = time.perf_counter() + time_limit
    for i in range(warmup):
        if time.perf_counter() > warm_until:
            break
        with suppress(httpx.HTTPError):
            client.get(scenario.url(i))
    durations: list[float] = []
    started = time.perf_counter()
    count = scenario.requests or requests
    for i in range(count):
        if time.perf_counter() - started > time_limit:
            break
        before = time.perf_counter()
        try:
            response = client.get(scenario.url(i))
            response.read()
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False  # the server cut a request that ran past its timeout
        durations.append((time.perf_counter() - before) * 1000)
        if not ok:
            measurement.errors += 1
            if measurement.errors >= 3 and measurement.errors == len(durations):
                measurement.skipped = "failing"
                break
    elapsed = time.perf_counter() - started
    measurement.requests = len(durations)
    if durations:
        ordered = sorted(durations)
        measurement.median_ms = round(statistics.median(ordered), 1)
        measurement.p95_ms = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1)
        measurement.max_ms = round(ordered[-1], 1)
        measurement.requests_per_s = round(len(durations) / elapsed, 1)


def weigh(client: Any, scenario: Scenario, measurement: Measurement, asset_sizes: dict[str, float]) -> None:
    """Compressed bytes of the response and of every CSS and JS file it references, in KB."""
    import httpx

    try:
        response = client.get(scenario.url(0))
        body = response.read()
    except httpx.HTTPError as exc:
        measurement.skipped = f"no answer ({type(exc).__name__})"
        return
    measurement.html_kb = round(response.num_bytes_downloaded / 1024, 1)
    if not scenario.html:
        measurement.page_kb = measurement.html_kb
        return
    parser = _Assets()
    parser.feed(body.decode("utf-8", "replace"))
    for url in dict.fromkeys(parser.urls):
        absolute = urljoin(str(response.url), url)
        if not absolute.startswith(str(client.base_url)):
            # Nothing should come from elsewhere; count it as unmeasurable rather than fetch it.
            measurement.assets[url] = -1
            continue
        if absolute not in asset_sizes:
            asset = client.get(absolute)
            asset.read()
            asset_sizes[absolute] = round(asset.num_bytes_downloaded / 1024, 1)
        measurement.assets[url] = asset_sizes[absolute]
    measurement.assets_kb = round(sum(kb for kb in measurement.assets.values() if kb > 0), 1)
    measurement.page_kb = round(measurement.html_kb + measurement.assets_kb, 1)


def run_http(
    items: list[Scenario],
    results: dict[str, Measurement],
    *,
    port: int,
    requests: int,
    time_limit: float,
    warmup: int,
    session: tuple[str, str] | None = None,
) -> None:
    import httpx

    base = f"http://127.0.0.1:{port}"
    asset_sizes: dict[str, float] = {}
    cookies = {session[0]: session[1]} if session is not None else {}
    headers = {"Accept-Encoding": "gzip"}
    with (
        httpx.Client(base_url=base, headers=headers, timeout=60) as visitor,
        httpx.Client(base_url=base, headers=headers, cookies=cookies, timeout=60) as member,
    ):
        for scenario in items:
            measurement = results[scenario.name]
            if measurement.skipped:
                continue
            client = member if scenario.member else visitor
            weigh(client, scenario, measurement, asset_sizes)
            if measurement.skipped:
                continue
            measure(client, scenario, measurement, requests=requests, time_limit=time_limit, warmup=warmup)
            log(
                f"  {scenario.name:<34} median {measurement.median_ms:>7} ms  "
                f"p95 {measurement.p95_ms:>7} ms  {measurement.requests} requests"
            )


def _concurrently(
    base: str, url: Callable[[int], str], *, cookies: dict[str, str], clients: int, seconds: float
) -> tuple[int, int, float]:
    """(answered, failed, seconds taken) of `clients` clients asking for `url` at once for `seconds`, each
    with its own connection, each taking the addresses in turn."""
    import httpx

    answered = [0] * clients
    failed = [0] * clients
    stop_at = time.perf_counter() + seconds
    headers = {"Accept-Encoding": "gzip"}

    def work(number: int) -> None:
        with httpx.Client(base_url=base, headers=headers, cookies=cookies, timeout=60) as client:
            i = number
            while time.perf_counter() < stop_at:
                try:
                    response = client.get(url(i))
                    response.read()
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    answered[number] += 1
                else:
                    failed[number] += 1
                i += clients

    started = time.perf_counter()
    workers = [threading.Thread(target=work, args=(number,), daemon=True) for number in range(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        # Bounded: each client stops asking at stop_at, and no request outlasts the client's timeout.
        worker.join(seconds + 90)
    return sum(answered), sum(failed), time.perf_counter() - started


def run_throughput(
    items: list[Scenario],
    results: dict[str, Measurement],
    *,
    port: int,
    clients: int,
    seconds: float,
    session: tuple[str, str] | None = None,
) -> None:
    """Requests per second the server answers with `clients` clients asking at once, for the scenarios marked
    for it: what a page sustains, where the timing above takes one request at a time."""
    base = f"http://127.0.0.1:{port}"
    for scenario in items:
        measurement = results[scenario.name]
        if not scenario.throughput or measurement.skipped or measurement.p95_ms is None:
            continue
        cookies = {session[0]: session[1]} if session is not None and scenario.member else {}
        answered, failed, elapsed = _concurrently(
            base, scenario.url, cookies=cookies, clients=clients, seconds=seconds
        )
        measurement.concurrent_requests_per_s = round(answered / elapsed, 1)
        measurement.concurrency = clients
        log(
            f"  {scenario.name:<34} {measurement.concurrent_requests_per_s:>6} requests/s with {clients} "
            f"clients ({answered} in {elapsed:.1f} s{f', {failed} failed' if failed else ''})"
        )


# --- Report ------------------------------------------------------------------------------------------------


def check_targets(results: list[Measurement], *, timing: bool = True) -> list[tuple[str, bool, str]]:
    """(target, passed, detail) for each target measured; without timing, only the query count."""
    checks: list[tuple[str, bool, str]] = []
    targeted = [m for m in results if m.kind in ("search", "page")]
    timed = [m for m in targeted if m.p95_ms is not None]
    # A search that timed out or failed misses the target; it must not drop out of the check.
    untimed = [m for m in targeted if m.p95_ms is None and m.skipped]
    if timing and (timed or untimed):
        worst = max(timed, key=lambda m: m.p95_ms or 0) if timed else None
        details = [f"worst: {worst.name} {worst.p95_ms} ms"] if worst else []
        details += [f"{m.name}: {m.skipped}" for m in untimed]
        checks.append(
            (
                f"p95 < {TARGET_P95_MS:.0f} ms for searches, directories and detail pages",
                not untimed and all((m.p95_ms or 0) < TARGET_P95_MS for m in timed),
                "; ".join(details),
            )
        )
    counted = [m for m in results if m.queries is not None]
    if counted:
        worst = max(counted, key=lambda m: m.queries or 0)
        checks.append(
            (
                f"at most {TARGET_QUERIES} queries per page",
                all((m.queries or 0) <= TARGET_QUERIES for m in counted),
                f"most: {worst.name} {worst.queries}",
            )
        )
    weighed = [m for m in results if m.html and m.page_kb is not None]
    if weighed:
        worst = max(weighed, key=lambda m: m.page_kb or 0)
        checks.append(
            (
                f"under {TARGET_WEIGHT_KB:.0f} KB compressed per page without images",
                all((m.page_kb or 0) < TARGET_WEIGHT_KB for m in weighed),
                f"heaviest: {worst.name} {worst.page_kb} KB",
            )
        )
    return checks


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def print_table(results: list[Measurement]) -> None:
    header = ("scenario", "median ms", "p95 ms", "req/s", "queries", "html KB", "+css/js KB", "page KB", "n")
    rows = [
        (
            m.name + (f" ({m.skipped})" if m.skipped else ""),
            _cell(m.median_ms),
            _cell(m.p95_ms),
            _cell(m.requests_per_s),
            _cell(m.queries),
            _cell(m.html_kb),
            _cell(m.assets_kb),
            _cell(m.page_kb),
            _cell(m.requests or None) + (f" ({m.errors} errors)" if m.errors else ""),
        )
        for m in results
    ]
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    for row in (header, tuple("-" * w for w in widths), *rows):
        log(
            "  ".join(
                str(cell).ljust(widths[0]) if i == 0 else str(cell).rjust(widths[i])
                for i, cell in enumerate(row)
            )
        )


def dataset_facts(database_url: str) -> dict[str, Any]:
    from django.db import connection

    from connective.events.models import AgendaSession, Event, Registration
    from connective.groups.models import Group, Post
    from connective.network.models import Organisation, Profile
    from connective.practices.models import Practice
    from connective.practices.selectors import practice_search_index

    facts: dict[str, Any] = {
        "practices": Practice.objects.count(),
        "indexed": len(practice_search_index().ids()),
        "database": connection.vendor,
        "people": Profile.objects.count(),
        "organisations": Organisation.objects.count(),
        "working_groups": Group.objects.count(),
        "group_posts": Post.objects.count(),
        "events": Event.objects.count(),
        "agenda_sessions": AgendaSession.objects.count(),
        "registrations": Registration.objects.count(),
    }
    try:
        from connective.network.search import organisation_search_index, person_search_index
        from connective.network.selectors import LEVEL_MEMBERS, LEVEL_PUBLIC
    except ImportError:
        pass
    else:
        facts["people_indexed_public"] = len(person_search_index(LEVEL_PUBLIC).ids())
        facts["people_indexed_members"] = len(person_search_index(LEVEL_MEMBERS).ids())
        facts["organisations_indexed"] = len(organisation_search_index().ids())
    if connection.vendor == "sqlite":
        path = Path(str(connection.settings_dict["NAME"]))
        facts["database_mb"] = round(path.stat().st_size / 2**20, 1) if path.exists() else None
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            facts["database_mb"] = round(cursor.fetchone()[0] / 2**20, 1)
    return facts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--practices", type=int, default=DEFAULT_PRACTICES, help="data size (default 100000)")
    parser.add_argument(
        "--people", type=int, default=DEFAULT_PEOPLE, help="people in the directory (default 50000)"
    )
    parser.add_argument(
        "--organisations",
        type=int,
        default=DEFAULT_ORGANISATIONS,
        help="organisations in the directory (default 10000)",
    )
    add_group_arguments(parser)
    add_event_arguments(parser)
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="default var/bench/bench.sqlite3"
    )
    parser.add_argument("--var-dir", type=Path, default=DEFAULT_VAR_DIR, help="default var/bench")
    parser.add_argument("--regenerate", action="store_true", help="build the data again even if it is there")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per scenario (default 200)")
    parser.add_argument(
        "--time-limit", type=float, default=60, help="seconds per scenario at most (default 60)"
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="untimed requests per scenario first (default 5)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--clients", type=int, default=4, help="concurrent clients for the throughput (default 4)"
    )
    parser.add_argument(
        "--throughput-time",
        type=float,
        default=15,
        help="seconds of concurrent requests per throughput scenario (default 15; 0 for none)",
    )
    parser.add_argument(
        "--request-timeout", type=float, default=30, help="seconds one request may take (default 30)"
    )
    parser.add_argument(
        "--no-collectstatic", action="store_true", help="reuse the static files of the previous run"
    )
    parser.add_argument(
        "--only", action="append", help="only scenarios whose name contains this (repeatable)"
    )
    parser.add_argument("--pdf", action="store_true", help="also time the PDF of a practice (no target)")
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of each scenario's slowest query"
    )
    parser.add_argument("--queries-only", action="store_true", help="generate and count queries; no HTTP")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json", help="the JSON report")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if min(args.practices, args.people, args.organisations, args.requests) < 1:
        parser.error("--practices, --people, --organisations and --requests must be at least 1")
    check_group_arguments(parser, args)
    check_event_arguments(parser, args)
    if args.clients < 1 or args.throughput_time < 0:
        parser.error("--clients must be at least 1 and --throughput-time 0 or more")
    args.var_dir = args.var_dir.resolve()
    args.var_dir.mkdir(parents=True, exist_ok=True)

    setup_django(database_url=args.database_url, var_dir=args.var_dir)
    import generate
    from django.core.management import call_command
    from django.test.utils import override_settings

    dataset = generate.ensure_dataset(
        database_url=args.database_url,
        practices=args.practices,
        people=args.people,
        organisations=args.organisations,
        groups=args.groups,
        thread_posts=args.thread_posts,
        events=args.events,
        registrations=args.registrations,
        regenerate=args.regenerate,
    )
    facts = {**dataset, **dataset_facts(args.database_url)}
    slugs = sample_slugs()
    directory = sample_directory()
    groups = sample_groups()
    events = sample_events()
    session = member_session()
    items = [
        s
        for s in scenarios(
            slugs,
            pdf=args.pdf,
            practices=facts["practices"],
            directory=directory,
            groups=groups,
            events=events,
        )
        if not args.only or any(word.lower() in s.name.lower() for word in args.only)
    ]
    results = {s.name: Measurement(s.name, s.kind, s.url(0), s.html) for s in items}

    log("Counting queries per page (one warm request each, in-process)")
    if args.queries_only:
        # No collectstatic for a query count: plain static storage needs no manifest.
        plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
        with override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": plain,
            }
        ):
            count_queries(items, results, timeout=args.request_timeout, session=session)
    else:
        if not args.no_collectstatic:
            started = time.perf_counter()
            call_command("collectstatic", interactive=False, verbosity=0)
            log(f"  static files collected in {time.perf_counter() - started:.0f} s")
        count_queries(items, results, timeout=args.request_timeout, session=session)

    if not args.queries_only:
        port = free_port()
        log(f"Starting gunicorn ({args.workers} workers) on 127.0.0.1:{port}")
        server = start_server(
            database_url=args.database_url,
            var_dir=args.var_dir,
            port=port,
            workers=args.workers,
            timeout=args.request_timeout,
        )
        try:
            log(f"Timing {args.requests} requests per scenario (at most {args.time_limit:.0f} s each)")
            run_http(
                items,
                results,
                port=port,
                requests=args.requests,
                time_limit=args.time_limit,
                warmup=args.warmup,
                session=session,
            )
            if args.throughput_time > 0 and any(s.throughput for s in items):
                log(
                    f"Throughput: {args.clients} concurrent clients, {args.throughput_time:.0f} s per scenario, "
                    f"{args.workers} workers"
                )
                run_throughput(
                    items,
                    results,
                    port=port,
                    clients=args.clients,
                    seconds=args.throughput_time,
                    session=session,
                )
        finally:
            stop_server(server)

    measured = list(results.values())
    log("")
    log(
        f"{facts['practices']} practices ({facts['indexed']} indexed), {facts['people']} people, "
        f"{facts['organisations']} organisations, {facts['working_groups']} working groups "
        f"({facts['group_posts']} posts), {facts['events']} events ({facts['registrations']} registrations), "
        f"{facts['database']}, {facts.get('database_mb')} MB; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    print_table(measured)
    concurrent = [m for m in measured if m.concurrent_requests_per_s is not None]
    if concurrent:
        log(
            f"\nThroughput with {concurrent[0].concurrency} concurrent clients against {args.workers} gunicorn "
            "workers: "
            + ", ".join(
                f"{m.name} {m.concurrent_requests_per_s} requests/s ({m.page_kb} KB)" for m in concurrent
            )
        )
    checks = check_targets(measured, timing=not args.queries_only)
    log("")
    for label, passed, detail in checks:
        log(f"{'PASS' if passed else 'FAIL'}  {label} ({detail})")
    if args.explain:
        for m in measured:
            if m.slowest_sql:
                log(
                    f"\n{m.name}: slowest query {m.slowest_sql_ms} ms\n{m.slowest_sql[:2000]}\n"
                    f"{explain(m.slowest_sql)}"
                )

    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            # Other work on the machine slows every figure; the load says how much there was.
            "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        },
        "settings": {
            "requests": args.requests,
            "time_limit_s": args.time_limit,
            "workers": args.workers,
            "clients": args.clients,
            "throughput_s": args.throughput_time,
            "queries_only": args.queries_only,
        },
        "dataset": facts,
        "targets": [
            {"target": label, "passed": passed, "detail": detail} for label, passed, detail in checks
        ],
        "scenarios": [asdict(m) for m in measured],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    log(f"\nWritten to {args.output}")
    if args.strict and not all(passed for _, passed, _ in checks):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
