#!/usr/bin/env python
"""Build the bench database: N synthetic published practices in real cities, with their search index.

    .venv/bin/python bench/generate.py --practices 100000
    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/connective_bench

The data is deterministic (seeded), written with bulk inserts in batches, and indexed through the search
module's own rebuild (`practice_reindex_all`). A database already holding exactly N practices is reused.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import phrases
from common import DEFAULT_DATABASE_URL, DEFAULT_PRACTICES, DEFAULT_VAR_DIR, setup_django, sqlite_path

BATCH = 2000
SEED = 20261126
FIRST_PUBLISHED = datetime(2012, 1, 1, tzinfo=UTC)
LAST_PUBLISHED = datetime(2026, 11, 25, tzinfo=UTC)


@dataclass(frozen=True)
class Place:
    city_id: int
    name: str
    country_id: str
    region_id: int
    latitude: float
    longitude: float
    size: str


def log(message: str) -> None:
    print(message, flush=True)


def _timed(label: str, started: float) -> float:
    now = time.perf_counter()
    log(f"  {label}: {now - started:.1f} s")
    return now


# --- The database ---------------------------------------------------------------------------------------


def prepare_database(*, database_url: str, practices: int, regenerate: bool) -> bool:
    """Migrate the bench database; True when it already holds the data asked for (nothing to generate)."""
    from django.core.management import call_command
    from django.db import connection

    path = sqlite_path(database_url)
    if path is None:
        _create_postgres_database()
    if regenerate and path is not None:
        connection.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    _timed("migrations", started)

    from connective.practices.models import Practice
    from connective.practices.selectors import practice_search_index

    existing = Practice.objects.count()
    if existing == practices and not regenerate and len(practice_search_index().ids()) == practices:
        return True
    if existing or regenerate:
        _wipe()
    return False


def _create_postgres_database() -> None:
    """Create the bench database on the server when it is not there yet."""
    import psycopg
    from django.db import connection

    settings = connection.settings_dict
    params = {
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone()
        if not exists:
            log(f"  creating database {settings['NAME']}")
            server.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def _wipe() -> None:
    """Remove earlier bench data: a bench database holds nothing else worth keeping."""
    from django.db import connection, transaction

    from connective.accounts.models import User
    from connective.network.models import Organisation
    from connective.practices.models import Practice
    from connective.practices.selectors import practice_search_index

    log("  removing the previous bench data")
    with transaction.atomic():
        practice_search_index().clear()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {Practice._meta.db_table} RESTART IDENTITY CASCADE")
        else:
            for model in (
                Practice.topics.through,
                Practice.sdgs.through,
                Practice.partners.through,
            ):
                model.objects.all().delete()
            Practice.objects.all().delete()
        User.objects.filter(email__endswith="@bench.example").delete()
        Organisation.objects.filter(slug__startswith="bench-").delete()


# --- Reference data --------------------------------------------------------------------------------------


def load_places() -> dict[str, list[Place]]:
    """Real cities per content language (GeoNames through core.places), loaded into the database once."""
    from connective.core.models import City, CitySize
    from connective.core.places import load_cities, load_vocabulary

    load_vocabulary()
    if not City.objects.exists():
        load_cities()
    rows = City.objects.select_related("country").values_list(
        "pk", "name", "country_id", "country__region_id", "latitude", "longitude", "population"
    )
    everywhere: list[Place] = []
    by_country: dict[str, list[Place]] = {}
    for pk, name, country, region, lat, lon, population in rows.order_by("pk"):
        place = Place(pk, name, country, region, lat, lon, str(CitySize.for_population(population)))
        everywhere.append(place)
        by_country.setdefault(country, []).append(place)
    places: dict[str, list[Place]] = {}
    for language, countries in phrases.LANGUAGE_COUNTRIES.items():
        places[language] = [p for code in countries for p in by_country.get(code, [])]
    places["*"] = everywhere
    return places


# --- Text ------------------------------------------------------------------------------------------------


class Writer:
    """Makes the text of one record from the phrase banks; the same seed gives the same records."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def project_name(self, language: str) -> str:
        word = "".join(self.rng.choice(phrases.SYLLABLES) for _ in range(self.rng.randint(2, 4)))
        return f"{phrases.PROJECT_WORD[language]} {word.capitalize()}"

    def slots(self, language: str, city: str, subjects: list[int]) -> dict[str, Any]:
        index = phrases.LANGS.index(language)
        rng = self.rng
        return {
            "city": city,
            "subject": phrases.SUBJECTS[subjects[0]][2][index],
            "group": rng.choice(phrases.GROUPS)[index],
            "actor": rng.choice(phrases.ACTORS)[index],
            "actor2": rng.choice(phrases.ACTORS)[index],
            "method": rng.choice(phrases.METHODS)[index],
            "method2": rng.choice(phrases.METHODS)[index],
            "funder": rng.choice(phrases.FUNDERS)[index],
            "project": self.project_name(language),
            "n": rng.choice((120, 450, 800, 1500, 3200, 12000, 45000)),
            "pct": rng.randint(5, 90),
            "k": rng.randint(2, 6),
            "year": rng.randint(2012, 2026),
            "money": f"{rng.randint(20, 2500) * 1000:,} EUR",
        }

    def paragraph(
        self, language: str, section: str, slots: dict[str, Any], subjects: list[int], count: int
    ) -> str:
        index = phrases.LANGS.index(language)
        templates = phrases.SENTENCES[language][section]
        sentences = []
        for _ in range(count):
            # Secondary subjects appear in the text too, so they are found by search, as on a real record.
            subject = phrases.SUBJECTS[self.rng.choice(subjects)][2][index]
            sentences.append(self.rng.choice(templates).format(**{**slots, "subject": subject}))
        text = " ".join(sentences)
        return text[0].upper() + text[1:]


# --- Generation ------------------------------------------------------------------------------------------


def _pick(rng: random.Random, items: list[Any]) -> Any:
    return items[rng.randrange(len(items))]


def generate(*, practices: int, seed: int = SEED) -> dict[str, float]:
    """Write `practices` published practices with organisations, people, topics, SDGs, links and relations."""
    from django.db import transaction
    from django.utils.text import slugify

    from connective.accounts.models import User
    from connective.core.models import SDG, Topic
    from connective.network.models import Organisation, OrganisationType
    from connective.practices.models import (
        SECTIONS,
        Licence,
        LinkKind,
        Practice,
        PracticeLink,
        PracticeRelation,
        PracticeStatus,
        RelationKind,
    )

    timings: dict[str, float] = {}
    rng = random.Random(seed)
    writer = Writer(rng)
    started = time.perf_counter()
    places = load_places()
    timings["places"] = time.perf_counter() - started
    started = _timed("vocabulary and cities", started)

    topics = {t.slug: t for t in Topic.objects.select_related("parent")}
    sdgs = {s.number: s.pk for s in SDG.objects.all()}

    organisations: list[Organisation] = []
    for i in range(max(20, practices // 40)):
        place = _pick(rng, places["*"] if rng.random() < 0.3 else places[rng.choice(phrases.LANGS)])
        organisations.append(
            Organisation(
                name=rng.choice(phrases.ORGANISATION_PATTERNS).format(city=place.name)[:250],
                slug=f"bench-{i}",
                type=rng.choice(OrganisationType.values),
                city_id=place.city_id,
                country_id=place.country_id,
                website=f"https://org{i}.example.org/",
            )
        )
    organisations = Organisation.objects.bulk_create(organisations, batch_size=BATCH)
    people = User.objects.bulk_create(
        [
            User(
                email=f"person{i}@bench.example",
                first_name=rng.choice(phrases.FIRST_NAMES),
                last_name=rng.choice(phrases.LAST_NAMES),
                position="Urban planner",
                organisation=_pick(rng, organisations),
                password="!bench",  # unusable: these people never sign in
            )
            for i in range(max(20, practices // 100))
        ],
        batch_size=BATCH,
    )
    started = _timed(f"{len(organisations)} organisations, {len(people)} people", started)

    languages = list(phrases.LANGUAGE_WEIGHTS)
    weights = list(phrases.LANGUAGE_WEIGHTS.values())
    span = int((LAST_PUBLISHED - FIRST_PUBLISHED).total_seconds())
    section_fields = [name for name, _ in SECTIONS]
    licences = Licence.values
    relation_kinds = RelationKind.values
    topic_through = Practice.topics.through
    sdg_through = Practice.sdgs.through
    partner_through = Practice.partners.through
    created = 0
    all_ids: list[int] = []

    def batches() -> Iterator[list[tuple[Practice, list[int], list[int], list[int], list[PracticeLink]]]]:
        batch: list[tuple[Practice, list[int], list[int], list[int], list[PracticeLink]]] = []
        for number in range(practices):
            language = rng.choices(languages, weights)[0]
            pool = places["*"] if language == "en" and rng.random() < 0.3 else places[language] or places["*"]
            place: Place = _pick(rng, pool)
            subjects = rng.sample(range(len(phrases.SUBJECTS)), rng.choice((1, 2, 2, 3)))
            slots = writer.slots(language, place.name, subjects)
            title = rng.choice(phrases.TITLES[language]).format(**slots)
            title = (title[0].upper() + title[1:])[:200]
            slug = f"{slugify(title)[:90].strip('-') or 'practice'}-{number + 1}"
            texts = {
                field: writer.paragraph(language, field, slots, subjects, rng.randint(1, 4))
                for field in section_fields
                if rng.random() < 0.9
            }
            start_year = rng.randint(2008, 2025)
            practice = Practice(
                slug=slug,
                title=title,
                summary=writer.paragraph(language, "summary", slots, subjects, 2)[:1000],
                language=language,
                city_id=place.city_id,
                country_id=place.country_id,
                region_id=place.region_id,
                city_size=place.size,
                latitude=round(place.latitude + rng.uniform(-0.02, 0.02), 5),
                longitude=round(place.longitude + rng.uniform(-0.02, 0.02), 5),
                start_year=start_year,
                end_year=None if rng.random() < 0.4 else min(2026, start_year + rng.randint(0, 5)),
                lead_organisation_id=_pick(rng, organisations).pk if rng.random() < 0.7 else None,
                contact_id=_pick(rng, people).pk if rng.random() < 0.6 else None,
                author_id=_pick(rng, people).pk,
                licence=rng.choice(licences),
                last_verified=date(2026, 11, 1) - timedelta(days=rng.randint(0, 1000))
                if rng.random() < 0.5
                else None,
                status=PracticeStatus.PUBLISHED,
                published_at=FIRST_PUBLISHED + timedelta(seconds=rng.randrange(span)),
                **texts,
            )
            topic_slugs = {phrases.SUBJECTS[s][0] for s in subjects}
            topic_ids = [topics[s].pk for s in topic_slugs]
            if rng.random() < 0.2:
                parent = topics[next(iter(topic_slugs))].parent_id
                if parent is not None:
                    topic_ids.append(parent)
            sdg_numbers = {n for s in subjects for n in phrases.SUBJECTS[s][1]}
            if rng.random() < 0.5:
                sdg_numbers.add(11)
            partner_ids = list({_pick(rng, organisations).pk for _ in range(rng.choice((0, 0, 1, 2, 3)))})
            links = [
                PracticeLink(
                    title=f"{phrases.PROJECT_WORD[language]} {number + 1}: {kind}",
                    url=f"https://practice{number + 1}.example.org/{kind}",
                    kind=kind,
                )
                for kind in rng.sample(LinkKind.values, rng.choice((0, 0, 1, 2)))
            ]
            batch.append((practice, topic_ids, [sdgs[n] for n in sdg_numbers], partner_ids, links))
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    for batch in batches():
        with transaction.atomic():
            saved = Practice.objects.bulk_create([row[0] for row in batch])
            through_topics, through_sdgs, through_partners, links = [], [], [], []
            for practice, topic_ids, sdg_ids, partner_ids, practice_links in zip(
                saved,
                (r[1] for r in batch),
                (r[2] for r in batch),
                (r[3] for r in batch),
                (r[4] for r in batch),
                strict=True,
            ):
                through_topics += [topic_through(practice_id=practice.pk, topic_id=t) for t in topic_ids]
                through_sdgs += [sdg_through(practice_id=practice.pk, sdg_id=s) for s in sdg_ids]
                through_partners += [
                    partner_through(practice_id=practice.pk, organisation_id=o) for o in partner_ids
                ]
                for link in practice_links:
                    link.practice_id = practice.pk
                    links.append(link)
                all_ids.append(practice.pk)
            topic_through.objects.bulk_create(through_topics)
            sdg_through.objects.bulk_create(through_sdgs)
            partner_through.objects.bulk_create(through_partners)
            PracticeLink.objects.bulk_create(links)
        created += len(batch)
        if created % (BATCH * 10) == 0 or created == practices:
            log(f"  {created} practices written ({time.perf_counter() - started:.0f} s)")
    timings["practices"] = time.perf_counter() - started
    started = time.perf_counter()

    # One practice in ten relates to, adapts or replicates another.
    pairs: set[tuple[int, int]] = set()
    for source in all_ids:
        if rng.random() < 0.1:
            target = _pick(rng, all_ids)
            if target != source:
                pairs.add((source, target))
    PracticeRelation.objects.bulk_create(
        [
            PracticeRelation(source_id=s, target_id=t, kind=rng.choice(relation_kinds))
            for s, t in sorted(pairs)
        ],
        batch_size=BATCH,
    )
    started = _timed(f"{len(pairs)} relations", started)
    return timings


def _caching_text() -> Callable[[], None]:
    """Remember each word's stem and folded form while the index is built; returns what undoes it.

    The search module stems every word through pure-Python Snowball (about 4,000 words a second here) and
    folds each word with unicodedata, which would take hours for 100,000 records. The bench's vocabulary is
    small, so caches give the same terms in minutes; `index_rate` reports the speed of the module's own code.
    """
    from connective.search import text

    original = text._stemmer
    original_fold = text.fold
    text.fold = functools.lru_cache(maxsize=200_000)(original_fold)  # type: ignore[assignment]
    wrappers: dict[str, _CachingStemmer] = {}

    def cached(language: str) -> Any:
        stemmer = original(language)
        if stemmer is None:
            return None
        if language not in wrappers:
            wrappers[language] = _CachingStemmer(stemmer)
        return wrappers[language]

    text._stemmer = cached  # type: ignore[assignment]

    def restore() -> None:
        text._stemmer = original
        text.fold = original_fold

    return restore


class _CachingStemmer:
    def __init__(self, stemmer: Any) -> None:
        self.stemmer = stemmer
        self.stems: dict[str, str] = {}

    def stemWord(self, word: str) -> str:
        stem = self.stems.get(word)
        if stem is None:
            stem = self.stems[word] = self.stemmer.stemWord(word)
        return stem

    def stemWords(self, words: list[str]) -> list[str]:
        return [self.stemWord(word) for word in words]


def index_rate(sample: int = 100) -> float:
    """Records a second that the search module's own indexing code (without the bench's cache) prepares."""
    from connective.practices.models import Practice
    from connective.practices.selectors import practice_search_document
    from connective.search.text import exact_terms, stemmed_terms

    records = list(
        Practice.objects.select_related("city", "country", "lead_organisation").prefetch_related("topics")[
            :sample
        ]
    )
    started = time.perf_counter()
    for practice in records:
        document = practice_search_document(practice)
        exact_terms(document.title)
        stemmed_terms(document.title, document.language)
        stemmed_terms(document.body, document.language)
    return len(records) / max(time.perf_counter() - started, 1e-9)


def build_index() -> int:
    from connective.practices.tasks import practice_reindex_all

    restore = _caching_text()
    try:
        return int(practice_reindex_all.call())
    finally:
        restore()


def ensure_dataset(*, database_url: str, practices: int, regenerate: bool = False) -> dict[str, Any]:
    """The bench database with `practices` published, indexed practices; generated only when needed."""
    from django.db import connection

    log(f"Bench database: {database_url} ({practices} practices)")
    total = time.perf_counter()
    if prepare_database(database_url=database_url, practices=practices, regenerate=regenerate):
        log("  reusing the existing data (--regenerate to build it again)")
        return {"practices": practices, "generated": False}
    timings = generate(practices=practices)
    started = time.perf_counter()
    indexed = build_index()
    timings["index"] = time.perf_counter() - started
    log(f"  search index: {indexed} practices in {timings['index']:.1f} s")
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them.
        cursor.execute("ANALYZE")
    timings["total"] = time.perf_counter() - total
    log(f"  done in {timings['total']:.0f} s")
    return {"practices": practices, "generated": True, "timings": timings}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--practices", type=int, default=DEFAULT_PRACTICES, help="how many (default 100000)")
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="default var/bench/bench.sqlite3"
    )
    parser.add_argument("--var-dir", type=Path, default=DEFAULT_VAR_DIR, help="default var/bench")
    parser.add_argument("--regenerate", action="store_true", help="build the data again even if it is there")
    parser.add_argument(
        "--index-rate", action="store_true", help="also time the search module's own stemming"
    )
    args = parser.parse_args(argv)
    if args.practices < 1:
        parser.error("--practices must be at least 1")
    setup_django(database_url=args.database_url, var_dir=args.var_dir)
    ensure_dataset(database_url=args.database_url, practices=args.practices, regenerate=args.regenerate)
    if args.index_rate:
        log(f"  search module indexing without a stem cache: {index_rate():.0f} records/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
