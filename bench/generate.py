#!/usr/bin/env python
"""Build the bench database: N synthetic published practices in real cities, with their search index, a
directory of people (with profiles) and organisations, with its own, working groups whose members are
the directory's people, one of them with a very long thread, and events of every format with agendas and
registrations of those people, one of them with 2,000.

    .venv/bin/python bench/generate.py --practices 100000 --people 50000 --organisations 10000
    .venv/bin/python bench/generate.py --groups 2000 --thread-posts 5000
    .venv/bin/python bench/generate.py --events 10000 --registrations 200000
    .venv/bin/python bench/generate.py --database-url postgres://postgres@127.0.0.1:5432/connective_bench

The data is deterministic (seeded), written with bulk inserts in batches, and indexed through the search
modules' own rebuilds (`practice_reindex_all`, `directory_reindex_all`). A database already holding exactly
N practices is reused, and so, separately, is a directory already holding the people and organisations asked
for, the groups while there are as many as asked and the long thread has its posts, and the events while
there are as many as asked with as many registrations.
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
DEFAULT_PEOPLE = 50_000
DEFAULT_ORGANISATIONS = 10_000
# The directory's records are told apart from the practices' own people and organisations (person{i}@bench.example,
# bench-{i}) by these, so that each part can be rebuilt without the other.
DIRECTORY_EMAIL_DOMAIN = "people.bench.example"
DIRECTORY_SLUG_PREFIX = "directory-"
# The working groups (`--groups`): slugs bench-group-<n>; the first is the open group with the long thread.
DEFAULT_GROUPS = 2_000
DEFAULT_THREAD_POSTS = 5_000
GROUP_SLUG_PREFIX = "bench-group-"
BIG_GROUP_SLUG = f"{GROUP_SLUG_PREFIX}0"
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


# --- The directory: people with profiles, and organisations -----------------------------------------------

# Names by the language a person writes in; a quarter of them get a coined family name as well, so that a
# name search finds a few people rather than hundreds, as in a real directory.
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "en": (
        (
            "Amina",
            "Kwame",
            "Grace",
            "Samuel",
            "Priya",
            "Rahul",
            "Joseph",
            "Wanjiru",
            "Chidi",
            "Ngozi",
            "Thabo",
            "Lerato",
            "Emily",
            "James",
            "Ravi",
            "Anjali",
            "Tendai",
            "Nomvula",
            "Abena",
            "Siti",
        ),
        (
            "Okafor",
            "Mensah",
            "Otieno",
            "Kamau",
            "Naidoo",
            "Dlamini",
            "Sharma",
            "Patel",
            "Reddy",
            "Smith",
            "Walker",
            "Nguyen",
            "Santos",
            "Rahman",
            "Hossain",
            "Banda",
            "Phiri",
            "Mwangi",
            "Adeyemi",
            "Perera",
        ),
    ),
    "de": (
        (
            "Anna",
            "Lukas",
            "Julia",
            "Jonas",
            "Katrin",
            "Felix",
            "Sabine",
            "Tobias",
            "Miriam",
            "Stefan",
            "Lea",
            "Jan",
            "Claudia",
            "Matthias",
            "Sophie",
            "Paul",
        ),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schulz",
            "Koch",
            "Richter",
            "Wolf",
            "Neumann",
            "Braun",
            "Zimmermann",
        ),
    ),
    "fr": (
        (
            "Aminata",
            "Moussa",
            "Fatou",
            "Ibrahima",
            "Claire",
            "Julien",
            "Awa",
            "Koffi",
            "Mariam",
            "Seydou",
            "Élodie",
            "Karim",
            "Nadia",
            "Yann",
            "Aïssata",
            "Rodrigue",
        ),
        (
            "Diallo",
            "Traoré",
            "Ndiaye",
            "Ouédraogo",
            "Koné",
            "Camara",
            "Martin",
            "Bernard",
            "Dubois",
            "Lefèvre",
            "Mbarga",
            "Kaboré",
            "Sow",
            "Diop",
            "Benali",
            "Rakoto",
        ),
    ),
    "es": (
        (
            "María",
            "José",
            "Lucía",
            "Carlos",
            "Valentina",
            "Andrés",
            "Camila",
            "Diego",
            "Gabriela",
            "Javier",
            "Paula",
            "Luis",
            "Daniela",
            "Mateo",
            "Rosa",
            "Sebastián",
        ),
        (
            "García",
            "Rodríguez",
            "López",
            "Martínez",
            "Hernández",
            "Gómez",
            "Díaz",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Torres",
            "Flores",
            "Quispe",
            "Mamani",
            "Vargas",
            "Castillo",
        ),
    ),
    "pt": (
        (
            "Ana",
            "João",
            "Mariana",
            "Pedro",
            "Juliana",
            "Rafael",
            "Beatriz",
            "Lucas",
            "Camila",
            "Tiago",
            "Inês",
            "Gustavo",
            "Lurdes",
            "Manuel",
            "Fernanda",
            "Eduardo",
        ),
        (
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Pereira",
            "Costa",
            "Rodrigues",
            "Almeida",
            "Nascimento",
            "Carvalho",
            "Ferreira",
            "Gomes",
            "Macamo",
            "Domingos",
            "Lopes",
            "Ribeiro",
        ),
    ),
    "ar": (
        (
            "Ahmed",
            "Fatima",
            "Omar",
            "Layla",
            "Youssef",
            "Rania",
            "Khaled",
            "Nour",
            "Hassan",
            "Mariam",
            "Tarek",
            "Salma",
            "Karim",
            "Huda",
            "Sami",
            "Dina",
        ),
        (
            "Haddad",
            "Khoury",
            "Nasser",
            "Mansour",
            "Saleh",
            "Hamdan",
            "Aziz",
            "Ibrahim",
            "Hussein",
            "Khalil",
            "Odeh",
            "Masri",
            "Bakri",
            "Tamimi",
            "Jaber",
            "Salem",
        ),
    ),
}
POSITIONS: dict[str, tuple[str, ...]] = {
    "en": (
        "Urban planner",
        "Head of the water department",
        "Adviser to the mayor",
        "Researcher in urban studies",
        "Programme officer",
        "Environmental engineer",
        "Project manager, climate adaptation",
        "Budget analyst",
    ),
    "de": (
        "Stadtplanerin",
        "Leiter des Umweltamts",
        "Referentin des Oberbürgermeisters",
        "Wissenschaftlicher Mitarbeiter",
        "Projektleiterin Klimaanpassung",
        "Sachbearbeiter Digitalisierung",
    ),
    "fr": (
        "Urbaniste",
        "Directeur des services techniques",
        "Conseillère du maire",
        "Chercheur en études urbaines",
        "Chargée de programme",
        "Ingénieur assainissement",
    ),
    "es": (
        "Urbanista",
        "Director de agua potable",
        "Asesora del alcalde",
        "Investigador en estudios urbanos",
        "Coordinadora de programas",
        "Ingeniera ambiental",
    ),
    "pt": (
        "Urbanista",
        "Diretor de saneamento",
        "Assessora do prefeito",
        "Pesquisador em estudos urbanos",
        "Coordenadora de programas",
        "Engenheira ambiental",
    ),
    "ar": (
        "مخطط حضري",
        "مدير دائرة المياه",
        "مستشارة رئيس البلدية",
        "باحث في الدراسات الحضرية",
        "منسقة برامج",
        "مهندسة بيئية",
    ),
}
BIOS: dict[str, tuple[str, ...]] = {
    "en": (
        "{name} works on {subject} in {city} with {group}.",
        "For {years} years {name} has led projects on {subject} and {subject2}, using {method}.",
    ),
    "de": (
        "{name} arbeitet in {city} zum Thema {subject}, gemeinsam mit {group}.",
        "Seit {years} Jahren leitet {name} Projekte zu {subject} und {subject2} und setzt auf {method}.",
    ),
    "fr": (
        "{name} travaille sur {subject} à {city} avec {group}.",
        "Depuis {years} ans, {name} pilote des projets sur {subject} et {subject2} grâce à {method}.",
    ),
    "es": (
        "{name} trabaja en {subject} en {city} junto con {group}.",
        "Desde hace {years} años {name} dirige proyectos sobre {subject} y {subject2} con {method}.",
    ),
    "pt": (
        "{name} trabalha com {subject} em {city}, junto com {group}.",
        "Há {years} anos {name} coordena projetos sobre {subject} e {subject2}, com {method}.",
    ),
    "ar": (
        "يعمل {name} في مجال {subject} في {city} مع {group}.",
        "يقود {name} منذ {years} سنوات مشاريع في {subject} و{subject2} باستخدام {method}.",
    ),
}
# Organisation names by type and language; {word} is a coined name, so that companies and associations differ.
ORGANISATION_NAMES: dict[str, dict[str, str]] = {
    "municipality": {
        "en": "Municipality of {city}",
        "de": "Stadt {city}",
        "fr": "Ville de {city}",
        "es": "Municipalidad de {city}",
        "pt": "Prefeitura de {city}",
        "ar": "بلدية {city}",
    },
    "municipal_company": {
        "en": "{city} Water and Sanitation Company",
        "de": "Stadtwerke {city}",
        "fr": "Régie des eaux de {city}",
        "es": "Empresa Municipal de Aguas de {city}",
        "pt": "Companhia de Saneamento de {city}",
        "ar": "شركة مياه {city}",
    },
    "association_of_cities": {
        "en": "{word} Network of Cities",
        "de": "Städtenetzwerk {word}",
        "fr": "Réseau des villes {word}",
        "es": "Red de Ciudades {word}",
        "pt": "Rede de Cidades {word}",
        "ar": "شبكة مدن {word}",
    },
    "ministry": {
        "en": "Ministry of Urban Development, {city} office",
        "de": "Landesamt für Stadtentwicklung {city}",
        "fr": "Direction régionale de l'urbanisme de {city}",
        "es": "Ministerio de Vivienda, sede {city}",
        "pt": "Ministério das Cidades, escritório de {city}",
        "ar": "وزارة الشؤون البلدية - مكتب {city}",
    },
    "university": {
        "en": "University of {city}",
        "de": "Hochschule {city}",
        "fr": "Université de {city}",
        "es": "Universidad de {city}",
        "pt": "Universidade de {city}",
        "ar": "جامعة {city}",
    },
    "company": {
        "en": "{word} Urban Engineering",
        "de": "{word} Ingenieurbüro",
        "fr": "Bureau d'études {word}",
        "es": "Consultora {word}",
        "pt": "{word} Consultores",
        "ar": "شركة {word} الهندسية",
    },
    "ngo": {
        "en": "{word} Residents' Forum",
        "de": "Bürgerverein {word}",
        "fr": "Association {word}",
        "es": "Fundación {word}",
        "pt": "Associação {word}",
        "ar": "جمعية {word}",
    },
    "development_agency": {
        "en": "{word} Development Partnership",
        "de": "Partnerschaftsbüro {word}",
        "fr": "Agence de coopération {word}",
        "es": "Agencia de Cooperación {word}",
        "pt": "Agência de Cooperação {word}",
        "ar": "وكالة {word} للتعاون",
    },
}
ORGANISATION_WEIGHTS = {
    "municipality": 40,
    "municipal_company": 10,
    "association_of_cities": 5,
    "ministry": 5,
    "university": 10,
    "company": 10,
    "ngo": 15,
    "development_agency": 5,
}
DESCRIPTIONS: dict[str, str] = {
    "en": "{name} works on {subject} and {subject2} in {city}, with {group}.",
    "de": "{name} arbeitet in {city} zu {subject} und {subject2}, gemeinsam mit {group}.",
    "fr": "{name} agit à {city} sur {subject} et {subject2}, avec {group}.",
    "es": "{name} trabaja en {city} en {subject} y {subject2}, con {group}.",
    "pt": "{name} atua em {city} com {subject} e {subject2}, junto com {group}.",
    "ar": "تعمل {name} في {city} في مجال {subject} و{subject2} مع {group}.",
}
ACTOR_WEIGHTS = {
    "municipal_administration": 35,
    "municipal_politics": 8,
    "municipal_company": 8,
    "association_of_cities": 4,
    "national_government": 5,
    "industry": 10,
    "science": 12,
    "civil_society": 12,
    "development_cooperation": 6,
}
# Other languages people speak besides their own, and how well.
SPOKEN = ("en", "fr", "es", "pt", "de", "ar", "sw", "hi", "ru", "zh", "it", "tr")
LEVELS = ("basic", "working", "fluent")


def _directory_counts() -> tuple[int, int]:
    from connective.accounts.models import User
    from connective.network.models import Organisation

    people = User.objects.filter(email__endswith=f"@{DIRECTORY_EMAIL_DOMAIN}", profile__isnull=False).count()
    organisations = Organisation.objects.filter(slug__startswith=DIRECTORY_SLUG_PREFIX).count()
    return people, organisations


def _wipe_directory() -> None:
    from django.db import transaction

    from connective.accounts.models import User
    from connective.network.models import Organisation

    log("  removing the previous directory data")
    with transaction.atomic():
        User.objects.filter(email__endswith=f"@{DIRECTORY_EMAIL_DOMAIN}").delete()
        Organisation.objects.filter(slug__startswith=DIRECTORY_SLUG_PREFIX).delete()


def _coined(rng: random.Random) -> str:
    return "".join(rng.choice(phrases.SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _visibility(rng: random.Random, public: float, members: float) -> str:
    draw = rng.random()
    return "public" if draw < public else "members" if draw < public + members else "hidden"


def generate_directory(*, people: int, organisations: int, seed: int = SEED + 1) -> dict[str, float]:
    """Write `organisations` organisations and `people` members with complete profiles (mixed visibility,
    expertise, languages with levels, a biography in their language, links)."""
    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from connective.accounts.models import User
    from connective.core.models import Topic
    from connective.network.models import Organisation, Profile, ProfileLanguage, ProfileLink

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    places = load_places()
    topics = {t.slug: t for t in Topic.objects.all()}
    topic_slugs = sorted(topics)
    languages = list(phrases.LANGUAGE_WEIGHTS)
    weights = list(phrases.LANGUAGE_WEIGHTS.values())
    now = timezone.now()

    def slots(language: str, place: Place) -> dict[str, Any]:
        index = phrases.LANGS.index(language)
        first, second = rng.sample(range(len(phrases.SUBJECTS)), 2)
        return {
            "city": place.name,
            "subject": phrases.SUBJECTS[first][2][index],
            "subject2": phrases.SUBJECTS[second][2][index],
            "group": rng.choice(phrases.GROUPS)[index],
            "method": rng.choice(phrases.METHODS)[index],
            "years": rng.randint(2, 25),
            "topics": [phrases.SUBJECTS[first][0], phrases.SUBJECTS[second][0]],
        }

    organisation_rows: list[Organisation] = []
    by_language: dict[str, list[int]] = {language: [] for language in languages}
    types, type_weights = list(ORGANISATION_WEIGHTS), list(ORGANISATION_WEIGHTS.values())
    for i in range(organisations):
        language = rng.choices(languages, weights)[0]
        place: Place = _pick(rng, places[language] or places["*"])
        kind = rng.choices(types, type_weights)[0]
        name = ORGANISATION_NAMES[kind][language].format(city=place.name, word=_coined(rng))
        text = slots(language, place)
        organisation_rows.append(
            Organisation(
                name=name[:250],
                slug=f"{DIRECTORY_SLUG_PREFIX}{i}",
                type=kind,
                city_id=place.city_id,
                country_id=place.country_id,
                website=f"https://organisation{i}.example.org/",
                description=DESCRIPTIONS[language].format(**{**text, "name": name}),
                description_language=language,
                verified_at=now - timedelta(days=rng.randint(1, 900)) if rng.random() < 0.3 else None,
            )
        )
        by_language[language].append(i)
    with transaction.atomic():
        saved_organisations = Organisation.objects.bulk_create(organisation_rows, batch_size=BATCH)
    organisation_ids = [organisation.pk for organisation in saved_organisations]
    timings["organisations"] = time.perf_counter() - started
    started = _timed(f"{organisations} directory organisations", started)

    actors, actor_weights = list(ACTOR_WEIGHTS), list(ACTOR_WEIGHTS.values())
    fields = (
        "photo",
        "position",
        "organisation",
        "place",
        "actor_type",
        "expertise",
        "languages",
        "bio",
        "links",
    )
    written = 0
    for batch_start in range(0, people, BATCH):
        users: list[User] = []
        details: list[dict[str, Any]] = []
        for i in range(batch_start, min(people, batch_start + BATCH)):
            language = rng.choices(languages, weights)[0]
            place = _pick(rng, places[language] or places["*"])
            first_names, last_names = NAMES[language]
            first, last = rng.choice(first_names), rng.choice(last_names)
            if rng.random() < 0.25:
                last = f"{last}-{_coined(rng)}" if language != "ar" else f"{_coined(rng)} {last}"
            in_language = by_language[language]
            organisation = (
                organisation_ids[rng.choice(in_language)] if in_language and rng.random() < 0.75 else None
            )
            users.append(
                User(
                    email=f"member{i}@{DIRECTORY_EMAIL_DOMAIN}",
                    first_name=first,
                    last_name=last,
                    position=rng.choice(POSITIONS[language]),
                    organisation_id=organisation,
                    city_id=place.city_id,
                    country_id=place.country_id,
                    language=language,
                    password="!bench",  # unusable: these people never sign in with a password
                    date_joined=now - timedelta(days=rng.randint(0, 2000)),
                )
            )
            text = slots(language, place)
            bio = " ".join(template.format(**{**text, "name": first}) for template in BIOS[language])
            expertise = text["topics"][: rng.randint(1, 2)]
            if rng.random() < 0.3:
                expertise.append(_pick(rng, topic_slugs))
            expertise = list(dict.fromkeys(expertise))
            spoken = [(language, "native")] + [
                (other, rng.choice(LEVELS))
                for other in rng.sample(
                    [code for code in SPOKEN if code != language], rng.choice((0, 1, 1, 2, 3))
                )
            ]
            visibilities = dict.fromkeys(fields, "public")
            for field, chance, level in (
                ("languages", 0.25, "members"),
                ("bio", 0.15, "members"),
                ("links", 0.1, "hidden"),
                ("place", 0.05, "members"),
                ("organisation", 0.03, "hidden"),
            ):
                if rng.random() < chance:
                    visibilities[field] = level
            details.append(
                {
                    "slug": f"{slugify(f'{first} {last}')[:60] or 'member'}-{i}",
                    "visibility": _visibility(rng, 0.75, 0.2),
                    "actor_type": rng.choices(actors, actor_weights)[0],
                    "bio": bio[:2000],
                    "bio_language": language,
                    "visibilities": visibilities,
                    "expertise": [topics[slug].pk for slug in expertise if slug in topics],
                    "languages": spoken,
                    "links": [
                        (f"https://people.example.org/member{i}/{kind}", label)
                        for kind, label in rng.sample(
                            (("blog", "Blog"), ("papers", "Publications")), rng.choice((0, 0, 1, 2))
                        )
                    ],
                }
            )
        with transaction.atomic():
            saved_users = User.objects.bulk_create(users)
            profiles = Profile.objects.bulk_create(
                [
                    Profile(
                        user_id=user.pk,
                        slug=detail["slug"],
                        visibility=detail["visibility"],
                        actor_type=detail["actor_type"],
                        bio=detail["bio"],
                        bio_language=detail["bio_language"],
                        **{f"{field}_visibility": value for field, value in detail["visibilities"].items()},
                    )
                    for user, detail in zip(saved_users, details, strict=True)
                ]
            )
            Profile.expertise.through.objects.bulk_create(
                Profile.expertise.through(profile_id=profile.pk, topic_id=topic)
                for profile, detail in zip(profiles, details, strict=True)
                for topic in detail["expertise"]
            )
            ProfileLanguage.objects.bulk_create(
                ProfileLanguage(profile_id=profile.pk, language=code, level=level)
                for profile, detail in zip(profiles, details, strict=True)
                for code, level in detail["languages"]
            )
            ProfileLink.objects.bulk_create(
                ProfileLink(profile_id=profile.pk, url=url, label=label, position=position)
                for profile, detail in zip(profiles, details, strict=True)
                for position, (url, label) in enumerate(detail["links"])
            )
        written += len(users)
        if written % (BATCH * 10) == 0 or written == people:
            log(f"  {written} directory people written ({time.perf_counter() - started:.0f} s)")
    timings["people"] = time.perf_counter() - started
    return timings


def _profiles_for_practice_people() -> int:
    """Profiles for the practices' contact people (person{i}@bench.example) that lack one, so that practice
    pages link to them and the directory finds them by the practices they are the contact person for."""
    from django.db import transaction
    from django.utils.text import slugify

    from connective.accounts.models import User
    from connective.network.models import Profile, ProfileLanguage

    missing = list(
        User.objects.filter(email__endswith="@bench.example", profile__isnull=True)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name")
    )
    with transaction.atomic():
        profiles = Profile.objects.bulk_create(
            [
                Profile(
                    user_id=pk,
                    slug=f"{slugify(f'{first} {last}')[:60] or 'contact'}-c{pk}",
                    visibility="public",
                    actor_type="municipal_administration",
                    bio=f"{first} is the contact person for practices of the programme.",
                    bio_language="en",
                    languages_visibility="public",
                    bio_visibility="public",
                    links_visibility="public",
                )
                for pk, first, last in missing
            ],
            batch_size=BATCH,
        )
        ProfileLanguage.objects.bulk_create(
            [ProfileLanguage(profile_id=profile.pk, language="en", level="fluent") for profile in profiles],
            batch_size=BATCH,
        )
    return len(profiles)


def _directory_index_complete() -> bool | None:
    """Whether the directory's indexes hold every profile and organisation; None without the search module."""
    try:
        from connective.network.search import organisation_search_index, person_search_index
        from connective.network.selectors import LEVEL_MEMBERS
    except ImportError:
        return None
    from connective.accounts.models import User
    from connective.network.models import Organisation

    findable = User.objects.filter(
        is_active=True, deleted_at__isnull=True, profile__visibility__in=["public", "members"]
    ).count()
    return (
        len(person_search_index(LEVEL_MEMBERS).ids()) == findable
        and len(organisation_search_index().ids()) == Organisation.objects.count()
    )


def build_directory_index() -> tuple[int, int] | None:
    """Index people and organisations through the directory's own rebuild; None without the search module."""
    try:
        from connective.network.search import directory_reindex_all
    except ImportError:
        log("  the directory search module is not there yet: people and organisations are not indexed")
        return None
    restore = _caching_text()
    try:
        return directory_reindex_all()
    finally:
        restore()


def ensure_directory(*, people: int, organisations: int, regenerate: bool = False) -> dict[str, Any]:
    """The directory with `people` and `organisations` (besides the practices' own), generated when needed."""
    started = time.perf_counter()
    generated = regenerate or _directory_counts() != (people, organisations)
    timings: dict[str, float] = {}
    if generated:
        _wipe_directory()
        timings = generate_directory(people=people, organisations=organisations)
    else:
        log("  reusing the existing directory")
    contacts = _profiles_for_practice_people()
    if contacts:
        log(f"  {contacts} profiles for the practices' contact people")
    indexed: tuple[int, int] | None = None
    if generated or contacts or _directory_index_complete() is False:
        index_started = time.perf_counter()
        indexed = build_directory_index()
        timings["index"] = time.perf_counter() - index_started
        if indexed is not None:
            log(
                f"  directory index: {indexed[0]} people and {indexed[1]} organisations in "
                f"{timings['index']:.1f} s"
            )
    timings["total"] = time.perf_counter() - started
    return {
        "people": people,
        "organisations": organisations,
        "directory_generated": generated,
        "directory_timings": timings,
    }


# --- Working groups: a list of thousands and one long thread ---------------------------------------------

# Group names by language; {word} is a coined name, so that groups on the same subject differ.
GROUP_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Working group {word} on {subject}",
        "{subject}: peer exchange {word}",
        "{word} network for {subject}",
        "{subject} in intermediate cities ({word})",
    ),
    "de": (
        "Arbeitsgruppe {word}: {subject}",
        "Netzwerk {word} für {subject}",
        "Austausch {subject} ({word})",
    ),
    "fr": (
        "Groupe de travail {word} : {subject}",
        "Réseau {word} pour {subject}",
        "Échanges entre pairs sur {subject} ({word})",
    ),
    "es": (
        "Grupo de trabajo {word}: {subject}",
        "Red {word} de {subject}",
        "Intercambio entre ciudades sobre {subject} ({word})",
    ),
    "pt": (
        "Grupo de trabalho {word}: {subject}",
        "Rede {word} de {subject}",
        "Intercâmbio entre cidades sobre {subject} ({word})",
    ),
    "ar": ("مجموعة عمل {word}: {subject}", "شبكة {word} لـ{subject}", "تبادل الخبرات حول {subject} ({word})"),
}
# How replies begin, by language: a discussion is not a list of practice summaries.
OPENERS: dict[str, tuple[str, ...]] = {
    "en": (
        "Thanks for sharing this.",
        "In our city we had a similar experience.",
        "A question to the group:",
        "Building on the previous post:",
        "Very useful, thank you.",
    ),
    "de": ("Danke fürs Teilen.", "Bei uns war es ähnlich.", "Eine Frage an die Gruppe:", "Ergänzend dazu:"),
    "fr": (
        "Merci pour le partage.",
        "Chez nous, c'était pareil.",
        "Une question au groupe :",
        "Pour compléter :",
    ),
    "es": (
        "Gracias por compartir.",
        "En nuestra ciudad fue parecido.",
        "Una pregunta al grupo:",
        "Para añadir:",
    ),
    "pt": (
        "Obrigada pela partilha.",
        "Na nossa cidade foi parecido.",
        "Uma pergunta ao grupo:",
        "Para completar:",
    ),
    "ar": ("شكراً على المشاركة.", "كانت تجربتنا مشابهة.", "سؤال للمجموعة:", "إضافة إلى ما سبق:"),
}
BIG_THREAD_TITLE = "Heat action plans in intermediate cities: what works, what does not (running thread)"
# Sentences per post: most replies are short, a few are long reports.
POST_SENTENCES = (1, 1, 2, 2, 2, 3, 3, 4, 5, 7, 10)
POST_SECTIONS = ("challenge", "solution", "results", "stakeholders", "costs", "transferability", "evidence")
LONG_THREAD_BATCH = 250
REACTION_WEIGHTS = {"like": 50, "thanks": 20, "agree": 20, "insightful": 10}


def bench_member_id() -> int | None:
    """The directory member whose session run.py signs in with (run.member_session takes the same one)."""
    from connective.accounts.models import User

    return (
        User.objects.filter(
            email__endswith=f"@{DIRECTORY_EMAIL_DOMAIN}", profile__isnull=False, is_active=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _groups_state() -> tuple[int, int]:
    """(bench groups, posts of the long thread) in the database."""
    from connective.groups.models import Group, Thread

    groups = Group.objects.filter(slug__startswith=GROUP_SLUG_PREFIX).count()
    longest = (
        Thread.objects.filter(group__slug=BIG_GROUP_SLUG)
        .order_by("-next_position")
        .values("next_position")
        .first()
    )
    return groups, (longest["next_position"] - 1) if longest else 0


def _wipe_groups() -> None:
    from django.db import transaction

    from connective.groups.models import Group

    log("  removing the previous bench groups")
    with transaction.atomic():
        Group.objects.filter(slug__startswith=GROUP_SLUG_PREFIX).delete()


class _ExplicitTimes:
    """Lets bulk inserts keep the creation times the generator chose: auto_now_add would overwrite them with
    the time of the insert, and updating every row afterwards would double the writes."""

    def __init__(self, *fields: Any) -> None:
        self.fields = fields

    def __enter__(self) -> None:
        for model_field in self.fields:
            model_field.auto_now_add = False

    def __exit__(self, *exc: object) -> None:
        for model_field in self.fields:
            model_field.auto_now_add = True


class _PostWriter:
    """Bodies of discussion posts in a language, from the practices' phrase banks, with some Markdown."""

    def __init__(self, rng: random.Random, places: dict[str, list[Place]]) -> None:
        self.rng = rng
        self.writer = Writer(rng)
        self.places = places

    def body(self, language: str, subjects: list[int]) -> str:
        rng = self.rng
        place: Place = _pick(rng, self.places[language] or self.places["*"])
        slots = self.writer.slots(language, place.name, subjects)
        count = rng.choice(POST_SENTENCES)
        # The banks are small: a long post would repeat itself, which people do not.
        sentences = list(
            dict.fromkeys(
                self.writer.paragraph(language, rng.choice(POST_SECTIONS), slots, subjects, 1)
                for _ in range(count)
            )
        )
        count = len(sentences)
        if count >= 3 and rng.random() < 0.3:
            # A list, as practitioners write up steps or results.
            text = " ".join(sentences[:1]) + "\n\n" + "\n".join(f"- {s}" for s in sentences[1:])
        elif count >= 4:
            half = count // 2
            text = " ".join(sentences[:half]) + "\n\n" + " ".join(sentences[half:])
        else:
            text = " ".join(sentences)
        if rng.random() < 0.1:
            text = f"**{slots['project']}**: {text}"
        if rng.random() < 0.05:
            text += (
                f"\n\n[{slots['project']}](https://{slots['project'].split()[-1].lower()}.example.org/report)"
            )
        if rng.random() < 0.6:
            text = f"{rng.choice(OPENERS[language])} {text}"
        return text


@dataclass
class _GroupPlan:
    group: Any
    topic_ids: list[int]
    member_ids: list[int]
    moderator_ids: list[int]
    # (title, opening author, language, subjects, posts) per thread; the long thread is written on its own.
    threads: list[tuple[str, list[int], str, list[int]]]


def generate_groups(*, groups: int, thread_posts: int, seed: int = SEED + 2) -> dict[str, float]:
    """Write `groups` working groups (open, closed and secret; topics, regions, languages, members, a few
    threads each) and, in the first of them, an open group, a thread of `thread_posts` posts."""
    from django.db import transaction
    from django.utils import timezone

    from connective.accounts.models import User
    from connective.core.models import Region, Topic
    from connective.core.text import render_markdown
    from connective.groups.models import Group, Membership, Post, PostReaction, Thread, ThreadSubscription

    rng = random.Random(seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    places = load_places()
    writer = _PostWriter(rng, places)
    topics = {t.slug: (t.pk, t.parent_id) for t in Topic.objects.all()}
    regions = list(Region.objects.values_list("pk", flat=True))
    people_rows = list(
        User.objects.filter(email__endswith=f"@{DIRECTORY_EMAIL_DOMAIN}", is_active=True)
        .order_by("pk")
        .values_list("pk", "language")
    )
    if not people_rows:
        raise RuntimeError("the directory has no people to fill the groups with")
    people = [pk for pk, _language in people_rows]
    language_of = dict(people_rows)
    bench_member = bench_member_id()
    languages = list(phrases.LANGUAGE_WEIGHTS)
    weights = list(phrases.LANGUAGE_WEIGHTS.values())
    now = timezone.now()
    explicit = _ExplicitTimes(
        Group._meta.get_field("created_at"),
        Membership._meta.get_field("joined_at"),
        Thread._meta.get_field("created_at"),
        Post._meta.get_field("created_at"),
        PostReaction._meta.get_field("created_at"),
        ThreadSubscription._meta.get_field("created_at"),
    )

    def plan(number: int) -> _GroupPlan:
        big = number == 0
        language = "en" if big else rng.choices(languages, weights)[0]
        index = phrases.LANGS.index(language)
        subjects = rng.sample(range(len(phrases.SUBJECTS)), rng.choice((1, 2, 2, 3)))
        subject = phrases.SUBJECTS[subjects[0]][2][index]
        name = rng.choice(GROUP_NAMES[language]).format(subject=subject, word=_coined(rng))
        place: Place = _pick(rng, places[language] or places["*"])
        slots = writer.writer.slots(language, place.name, subjects)
        regional = not big and rng.random() < 0.25
        draw = rng.random()
        access = "open" if big or draw < 0.6 else "closed" if draw < 0.9 else "secret"
        others = [code for code in languages if code != language]
        created = now - timedelta(days=1500 if big else rng.randint(30, 1500))
        group = Group(
            name=(name[0].upper() + name[1:])[:200],
            slug=f"{GROUP_SLUG_PREFIX}{number}",
            kind="regional" if regional else "thematic",
            access=access,
            summary=writer.writer.paragraph(language, "summary", slots, subjects, 1)[:300],
            description=writer.writer.paragraph(language, "objectives", slots, subjects, rng.randint(2, 4)),
            description_language=language,
            languages=[language, *rng.sample(others, rng.choice((0, 0, 1, 1, 2)))],
            region_id=place.region_id if regional or rng.random() < 0.4 else None,
            created_at=created,
        )
        if regional and rng.random() < 0.2:
            group.region_id = _pick(rng, regions)
        topic_ids = list({topics[phrases.SUBJECTS[s][0]][0] for s in subjects})
        if rng.random() < 0.2:
            parent = topics[phrases.SUBJECTS[subjects[0]][0]][1]
            if parent is not None and parent not in topic_ids:
                topic_ids.append(parent)
        size = min(len(people), 1500 if big else int(3 + rng.paretovariate(1.3) * 6), 1500)
        members = rng.sample(people, size)
        if bench_member is not None and (big or number % 20 == 1) and bench_member not in members:
            members[-1] = bench_member
        moderators = members[: rng.choice((1, 1, 2, 3))]
        thread_total = 40 if big else rng.choice((0, 1, 1, 2, 2, 3, 4, 5))
        threads = [
            (
                rng.choice(phrases.TITLES[language]).format(**slots)[:200],
                [_pick(rng, members) for _ in range(rng.randint(1, 20 if big else 6))],
                language,
                subjects,
            )
            for _ in range(thread_total)
        ]
        return _GroupPlan(group, topic_ids, members, moderators, threads)

    def write_posts(
        thread: Any, authors: list[int], language: str, subjects: list[int], start: datetime, end: datetime
    ) -> tuple[list[Any], datetime]:
        step = (end - start) / max(1, len(authors))
        rows = []
        written = start
        for position, author in enumerate(authors, start=1):
            # Later positions are later in time, whatever the jitter.
            written = max(written + timedelta(minutes=1), start + step * (position - 1))
            body = writer.body(language_of.get(author) or language, subjects)
            rows.append(
                Post(
                    thread_id=thread.pk,
                    author_id=author,
                    position=position,
                    body=body,
                    body_html=str(render_markdown(body)),
                    status="published",
                    created_at=written,
                )
            )
        return rows, rows[-1].created_at

    written = 0
    post_total = 0
    with explicit:
        for batch_start in range(0, groups, 200):
            plans = [plan(number) for number in range(batch_start, min(groups, batch_start + 200))]
            with transaction.atomic():
                saved = Group.objects.bulk_create([p.group for p in plans])
                Group.topics.through.objects.bulk_create(
                    Group.topics.through(group_id=group.pk, topic_id=topic)
                    for group, p in zip(saved, plans, strict=True)
                    for topic in p.topic_ids
                )
                Membership.objects.bulk_create(
                    (
                        Membership(
                            group_id=group.pk,
                            user_id=user,
                            role="moderator" if user in p.moderator_ids else "member",
                            approved_poster=True,
                            joined_at=group.created_at + timedelta(days=rng.randint(0, 20)),
                        )
                        for group, p in zip(saved, plans, strict=True)
                        for user in p.member_ids
                    ),
                    batch_size=BATCH,
                )
                thread_rows: list[tuple[Any, list[int], str, list[int]]] = []
                for group, p in zip(saved, plans, strict=True):
                    for title, authors, language, subjects in p.threads:
                        thread = Thread(group_id=group.pk, title=title, author_id=authors[0], created_at=now)
                        thread_rows.append((thread, authors, language, subjects))
                Thread.objects.bulk_create([row[0] for row in thread_rows], batch_size=BATCH)
                posts: list[Any] = []
                created_of = {group.pk: group.created_at for group in saved}
                for thread, authors, language, subjects in thread_rows:
                    # Threads start while the group lives, most of them in its more recent past.
                    lifetime = now - created_of[thread.group_id]
                    opened = created_of[thread.group_id] + lifetime * (1 - rng.random() ** 2)
                    # Room before now for every post, a minute apart at least.
                    opened = min(opened, now - timedelta(minutes=2 * len(authors)))
                    closed = max(
                        opened,
                        min(
                            now - timedelta(minutes=len(authors)), opened + timedelta(days=rng.randint(0, 30))
                        ),
                    )
                    rows, last = write_posts(thread, authors, language, subjects, opened, closed)
                    thread.created_at = rows[0].created_at
                    thread.last_post_at = last
                    thread.post_count = len(rows)
                    thread.next_position = len(rows) + 1
                    posts += rows
                Post.objects.bulk_create(posts, batch_size=BATCH)
                Thread.objects.bulk_update(
                    [row[0] for row in thread_rows],
                    ["created_at", "last_post_at", "post_count", "next_position"],
                    batch_size=BATCH,
                )
                ThreadSubscription.objects.bulk_create(
                    (
                        ThreadSubscription(thread_id=thread.pk, user_id=user, created_at=thread.created_at)
                        for thread, authors, _language, _subjects in thread_rows
                        for user in dict.fromkeys(authors)
                    ),
                    batch_size=BATCH,
                )
                last_by_group: dict[int, datetime] = {}
                count_by_group: dict[int, int] = {}
                for thread, *_rest in thread_rows:
                    count_by_group[thread.group_id] = count_by_group.get(thread.group_id, 0) + 1
                    if thread.last_post_at is not None:
                        last_by_group[thread.group_id] = max(
                            thread.last_post_at, last_by_group.get(thread.group_id, thread.last_post_at)
                        )
                for group, p in zip(saved, plans, strict=True):
                    group.member_count = len(p.member_ids)
                    group.thread_count = count_by_group.get(group.pk, 0)
                    group.last_activity_at = last_by_group.get(group.pk)
                Group.objects.bulk_update(saved, ["member_count", "thread_count", "last_activity_at"])
            written += len(saved)
            post_total += len(posts)
        timings["groups"] = time.perf_counter() - started
        started = _timed(f"{written} groups with {post_total} posts in their threads", started)
        if groups:
            _write_long_thread(rng, writer, thread_posts, language_of)
        timings["long_thread"] = time.perf_counter() - started
        _timed(f"a thread of {thread_posts} posts", started)
    return timings


def _write_long_thread(
    rng: random.Random, writer: _PostWriter, count: int, language_of: dict[int, str | None]
) -> None:
    """The thread of `count` posts in the first (open) group: its members write in their languages over two
    years; some posts quote an earlier one, a quarter get reactions, a few were edited or hidden."""
    from django.db import transaction
    from django.utils import timezone

    from connective.core.text import render_markdown
    from connective.groups.models import (
        Group,
        Membership,
        Post,
        PostReaction,
        PostRevision,
        Thread,
        ThreadSubscription,
    )

    group = Group.objects.get(slug=BIG_GROUP_SLUG)
    members = list(Membership.objects.filter(group=group).order_by("pk").values_list("user_id", flat=True))
    moderator = Membership.objects.filter(group=group, role="moderator").values_list("user_id", flat=True)[0]
    now = timezone.now()
    start = now - timedelta(days=730)
    step = (now - timedelta(hours=2) - start) / count
    subjects = [0, 7]
    reactions_kinds, reaction_weights = list(REACTION_WEIGHTS), list(REACTION_WEIGHTS.values())
    with transaction.atomic():
        thread = Thread.objects.create(
            group=group, title=BIG_THREAD_TITLE, author_id=members[0], created_at=start, last_post_at=start
        )
        pks: list[int] = []
        published = 0
        last_published = start
        authors: dict[int, None] = {}
        # Small batches: a quote reaches back only to posts already saved, i.e. of an earlier batch.
        for batch_start in range(0, count, LONG_THREAD_BATCH):
            rows: list[Any] = []
            for position in range(batch_start + 1, min(count, batch_start + LONG_THREAD_BATCH) + 1):
                author = members[0] if position == 1 else _pick(rng, members)
                authors[author] = None
                body = writer.body(language_of.get(author) or "en", subjects)
                written = start + step * (position - 1) + timedelta(seconds=rng.randint(0, 600))
                hidden = position > 1 and rng.random() < 0.003
                post = Post(
                    thread=thread,
                    author_id=author,
                    position=position,
                    body=body,
                    body_html=str(render_markdown(body)),
                    status="hidden" if hidden else "published",
                    created_at=written,
                    edited_at=written + timedelta(hours=1) if rng.random() < 0.03 else None,
                )
                if hidden:
                    post.moderated_by_id = moderator
                    post.moderated_at = written + timedelta(hours=3)
                    post.moderation_reason = "Off topic."
                else:
                    published += 1
                    last_published = written
                if pks and rng.random() < 0.06:
                    # Quotes reach back to posts already written (earlier batches), as replies do.
                    post.quote_of_id = pks[max(0, len(pks) - 300) + rng.randrange(min(300, len(pks)))]
                rows.append(post)
            saved = Post.objects.bulk_create(rows)
            pks += [post.pk for post in saved]
            reactions: list[Any] = []
            revisions: list[Any] = []
            for post in saved:
                if post.edited_at is not None:
                    revisions.append(
                        PostRevision(
                            post=post,
                            body=post.body + " (draft)",
                            written_at=post.created_at,
                            edited_by_id=post.author_id,
                        )
                    )
                if post.status != "published" or rng.random() >= 0.25:
                    continue
                counts: dict[str, int] = {}
                for user in rng.sample(members, rng.randint(1, 6)):
                    if user == post.author_id:
                        continue
                    kind = rng.choices(reactions_kinds, reaction_weights)[0]
                    counts[kind] = counts.get(kind, 0) + 1
                    reactions.append(
                        PostReaction(post=post, user_id=user, reaction=kind, created_at=post.created_at)
                    )
                post.reaction_counts = counts
            PostReaction.objects.bulk_create(reactions)
            PostRevision.objects.bulk_create(revisions)
            Post.objects.bulk_update([post for post in saved if post.reaction_counts], ["reaction_counts"])
        ThreadSubscription.objects.bulk_create(
            [ThreadSubscription(thread=thread, user_id=user, created_at=start) for user in authors],
            batch_size=BATCH,
        )
        Thread.objects.filter(pk=thread.pk).update(
            post_count=published, next_position=count + 1, last_post_at=last_published
        )
        Group.objects.filter(pk=group.pk).update(
            thread_count=group.thread_count + 1,
            last_activity_at=max(last_published, group.last_activity_at or last_published),
        )


def add_group_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--groups", type=int, default=DEFAULT_GROUPS, help="working groups (default 2000; 0 for none)"
    )
    parser.add_argument(
        "--thread-posts",
        type=int,
        default=DEFAULT_THREAD_POSTS,
        help="posts in the long thread of the first group (default 5000)",
    )


def check_group_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.groups < 0:
        parser.error("--groups must be 0 or more")
    if args.groups and args.thread_posts < 1:
        parser.error("--thread-posts must be at least 1")


def ensure_groups(*, groups: int, thread_posts: int, regenerate: bool = False) -> dict[str, Any]:
    """`groups` bench groups and the long thread of `thread_posts` posts, generated when needed (after the
    directory, whose people are their members)."""
    started = time.perf_counter()
    wanted = (groups, thread_posts if groups else 0)
    generated = regenerate or _groups_state() != wanted
    timings: dict[str, float] = {}
    if generated:
        _wipe_groups()
        if groups:
            timings = generate_groups(groups=groups, thread_posts=thread_posts)
    else:
        log("  reusing the existing groups")
    timings["total"] = time.perf_counter() - started
    return {
        "groups": groups,
        "thread_posts": wanted[1],
        "groups_generated": generated,
        "groups_timings": timings,
    }


# --- Events: every format, past and upcoming, agendas, and registrations -----------------------------------

DEFAULT_EVENTS = 10_000
DEFAULT_REGISTRATIONS = 200_000
EVENT_SLUG_PREFIX = "bench-event-"
# The worst event page: a conference of 2,000 registrations whose public list names 300 participants.
BIG_EVENT_SLUG = f"{EVENT_SLUG_PREFIX}0"
BIG_EVENT_REGISTRATIONS = 2_000
BIG_EVENT_CAPACITY = 1_800
BIG_EVENT_PUBLIC = 300
EVENTS_PAST_SHARE = 0.6
# Past events over six years, upcoming ones over the next two: the programme plans well ahead.
EVENTS_PAST_DAYS = 6 * 365
EVENTS_AHEAD_DAYS = 2 * 365
FORMAT_WEIGHTS = {
    "conference": 5,
    "dialogue": 18,
    "practitioners_workshop": 15,
    "project_workshop": 10,
    "training": 14,
    "study_trip": 8,
    "webinar": 22,
    "insight": 8,
}
ONLINE_FORMATS = ("webinar", "insight")
# How long each format lasts: days for the events people travel to, minutes for the online ones.
FORMAT_DAYS = {
    "conference": (2, 3),
    "dialogue": (1, 2),
    "practitioners_workshop": (2, 3),
    "project_workshop": (1, 2),
    "training": (3, 5),
    "study_trip": (4, 7),
}
FORMAT_MINUTES = {"webinar": (60, 120), "insight": (45, 90)}
# Shares of the statuses among events (drafts have no registrations yet).
EVENT_STATUS_WEIGHTS = {"published": 88, "cancelled": 5, "postponed": 4, "draft": 3}
FORMAT_WORDS: dict[str, dict[str, str]] = {
    "conference": {
        "en": "International conference",
        "de": "Internationale Konferenz",
        "fr": "Conférence internationale",
        "es": "Conferencia internacional",
        "pt": "Conferência internacional",
        "ar": "مؤتمر دولي",
    },
    "dialogue": {
        "en": "Dialogue event",
        "de": "Dialogveranstaltung",
        "fr": "Dialogue",
        "es": "Encuentro de diálogo",
        "pt": "Encontro de diálogo",
        "ar": "لقاء حواري",
    },
    "practitioners_workshop": {
        "en": "Practitioners' workshop",
        "de": "Praxisworkshop",
        "fr": "Atelier de praticiens",
        "es": "Taller de profesionales",
        "pt": "Oficina de profissionais",
        "ar": "ورشة عمل للممارسين",
    },
    "project_workshop": {
        "en": "Local project workshop",
        "de": "Projektwerkstatt",
        "fr": "Atelier de projet local",
        "es": "Taller de proyecto local",
        "pt": "Oficina de projeto local",
        "ar": "ورشة مشروع محلي",
    },
    "training": {
        "en": "Training",
        "de": "Schulung",
        "fr": "Formation",
        "es": "Capacitación",
        "pt": "Capacitação",
        "ar": "دورة تدريبية",
    },
    "study_trip": {
        "en": "Study trip",
        "de": "Studienreise",
        "fr": "Voyage d'études",
        "es": "Viaje de estudio",
        "pt": "Viagem de estudo",
        "ar": "رحلة دراسية",
    },
    "webinar": {
        "en": "Webinar",
        "de": "Webinar",
        "fr": "Webinaire",
        "es": "Seminario web",
        "pt": "Webinário",
        "ar": "ندوة عبر الإنترنت",
    },
    "insight": {
        "en": "Insight session",
        "de": "Einblick",
        "fr": "Regard sur",
        "es": "Sesión de intercambio",
        "pt": "Sessão de intercâmbio",
        "ar": "جلسة اطلاع",
    },
}
EVENT_TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "{kind} on {subject} in {city}",
        "{kind}: {subject} for {group}",
        "{project}: {kind} on {subject}",
    ),
    "de": (
        "{kind} zu {subject} in {city}",
        "{kind}: {subject} für {group}",
        "{project}: {kind} zu {subject}",
    ),
    "fr": (
        "{kind} sur {subject} à {city}",
        "{kind} : {subject} pour {group}",
        "{project} : {kind} sur {subject}",
    ),
    "es": (
        "{kind} sobre {subject} en {city}",
        "{kind}: {subject} para {group}",
        "{project}: {kind} sobre {subject}",
    ),
    "pt": (
        "{kind} sobre {subject} em {city}",
        "{kind}: {subject} para {group}",
        "{project}: {kind} sobre {subject}",
    ),
    "ar": (
        "{kind} حول {subject} في {city}",
        "{kind}: {subject} لصالح {group}",
        "{project}: {kind} حول {subject}",
    ),
}
SESSION_TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Welcome and introductions",
        "Keynote: {subject} in {city}",
        "Panel: {method} in practice",
        "Peer exchange in small groups",
        "Site visit: {project}",
        "Lessons learned and next steps",
    ),
    "de": (
        "Begrüßung und Vorstellungsrunde",
        "Impuls: {subject} in {city}",
        "Podium: {method} in der Praxis",
        "Austausch in Kleingruppen",
        "Exkursion: {project}",
        "Erkenntnisse und nächste Schritte",
    ),
    "fr": (
        "Accueil et présentations",
        "Conférence : {subject} à {city}",
        "Table ronde : {method} en pratique",
        "Échanges entre pairs en petits groupes",
        "Visite de terrain : {project}",
        "Enseignements et prochaines étapes",
    ),
    "es": (
        "Bienvenida y presentaciones",
        "Ponencia: {subject} en {city}",
        "Panel: {method} en la práctica",
        "Intercambio en grupos pequeños",
        "Visita de campo: {project}",
        "Lecciones aprendidas y próximos pasos",
    ),
    "pt": (
        "Boas-vindas e apresentações",
        "Palestra: {subject} em {city}",
        "Painel: {method} na prática",
        "Troca de experiências em pequenos grupos",
        "Visita de campo: {project}",
        "Lições aprendidas e próximos passos",
    ),
    "ar": (
        "الترحيب والتعارف",
        "كلمة رئيسية: {subject} في {city}",
        "حلقة نقاش: {method} في الممارسة",
        "تبادل الخبرات في مجموعات صغيرة",
        "زيارة ميدانية: {project}",
        "الدروس المستفادة والخطوات التالية",
    ),
}
VENUES: dict[str, tuple[str, ...]] = {
    "en": ("{city} City Hall", "{word} Conference Centre", "University of {city}, Main Hall"),
    "de": ("Rathaus {city}", "Tagungszentrum {word}", "Hochschule {city}, Aula"),
    "fr": ("Hôtel de ville de {city}", "Centre de conférences {word}", "Université de {city}, amphithéâtre"),
    "es": (
        "Palacio Municipal de {city}",
        "Centro de Convenciones {word}",
        "Universidad de {city}, Aula Magna",
    ),
    "pt": ("Paço Municipal de {city}", "Centro de Convenções {word}", "Universidade de {city}, Auditório"),
    "ar": ("مبنى بلدية {city}", "مركز {word} للمؤتمرات", "جامعة {city}، القاعة الكبرى"),
}
APPLICATION_QUESTIONS: dict[str, tuple[str, str]] = {
    "en": ("What does your city work on in this field?", "What would you like to learn from the others?"),
    "de": ("Woran arbeitet Ihre Stadt in diesem Bereich?", "Was möchten Sie von den anderen lernen?"),
    "fr": (
        "Sur quoi votre ville travaille-t-elle dans ce domaine ?",
        "Qu'aimeriez-vous apprendre des autres ?",
    ),
    "es": ("¿En qué trabaja su ciudad en este campo?", "¿Qué le gustaría aprender de los demás?"),
    "pt": ("Em que a sua cidade trabalha nesta área?", "O que gostaria de aprender com os outros?"),
    "ar": ("على ماذا تعمل مدينتكم في هذا المجال؟", "ماذا تودون أن تتعلموا من الآخرين؟"),
}
STATUS_MESSAGES: dict[str, dict[str, str]] = {
    "cancelled": {
        "en": "The host city cannot receive the group this year. We are sorry.",
        "de": "Die Gaststadt kann die Gruppe in diesem Jahr nicht empfangen. Das tut uns leid.",
        "fr": "La ville hôte ne peut pas accueillir le groupe cette année. Nous en sommes désolés.",
        "es": "La ciudad anfitriona no puede recibir al grupo este año. Lo sentimos.",
        "pt": "A cidade anfitriã não pode receber o grupo este ano. Lamentamos.",
        "ar": "لا تستطيع المدينة المضيفة استقبال المجموعة هذا العام. نعتذر عن ذلك.",
    },
    "postponed": {
        "en": "New dates will follow after the municipal elections.",
        "de": "Neue Termine folgen nach den Kommunalwahlen.",
        "fr": "De nouvelles dates suivront après les élections municipales.",
        "es": "Las nuevas fechas se anunciarán después de las elecciones municipales.",
        "pt": "As novas datas serão anunciadas depois das eleições municipais.",
        "ar": "سيتم الإعلان عن مواعيد جديدة بعد الانتخابات البلدية.",
    },
}
OUTCOME_SECTIONS = ("results", "transferability", "success_factors")


@dataclass
class _EventPlan:
    event: Any
    topic_ids: list[int]
    organiser_ids: list[int]
    practice_ids: list[int]
    # (title, starts, ends, location, speaker ids, guest speakers) per agenda session.
    sessions: list[tuple[str, datetime, datetime, str, list[int], str]]
    # (kind, title, url, participants only) per document.
    documents: list[tuple[str, str, str, bool]]
    registrations: int = 0


def _events_state() -> tuple[int, int]:
    """(bench events, their registrations) in the database."""
    from connective.events.models import Event, Registration

    events = Event.objects.filter(slug__startswith=EVENT_SLUG_PREFIX).count()
    registrations = Registration.objects.filter(event__slug__startswith=EVENT_SLUG_PREFIX).count()
    return events, registrations


def _wipe_events() -> None:
    from django.db import connection, transaction

    from connective.events.models import Certificate, Event, FeedbackResponse, Registration

    log("  removing the previous bench events")
    bench_events = Event.objects.filter(slug__startswith=EVENT_SLUG_PREFIX)
    with transaction.atomic():
        Certificate.objects.filter(registration__event__in=bench_events).delete()
        FeedbackResponse.objects.filter(event__in=bench_events).delete()
        # Django's cascade would load 200,000 registrations to delete them one batch at a time; nothing else
        # points at them any more, so one statement does.
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Registration._meta.db_table} WHERE event_id IN "
                f"(SELECT id FROM {Event._meta.db_table} WHERE slug LIKE %s)",
                [f"{EVENT_SLUG_PREFIX}%"],
            )
        bench_events.delete()


def _registration_counts(rng: random.Random, plans: list[_EventPlan], total: int, people: int) -> None:
    """Spread `total` registrations over the events: the big one gets its 2,000, the drafts none, the others a
    long-tailed number (most a dozen or two, a few hundreds), never more than the people there are."""
    big = plans[0]
    big.registrations = min(BIG_EVENT_REGISTRATIONS, total, people)
    open_plans = [p for p in plans[1:] if p.event.status != "draft"]
    rest = total - big.registrations
    if not open_plans or rest <= 0:
        return
    # More than the places for some events (their waitlists), never the whole directory.
    room = [min(people, 2 * (p.event.capacity or 150) + 40) for p in open_plans]
    weights = [rng.paretovariate(1.6) * (p.event.capacity or 150) / 150 for p in open_plans]
    scale = rest / sum(weights)
    for plan, weight, limit in zip(open_plans, weights, room, strict=True):
        plan.registrations = min(limit, int(weight * scale))
    missing = rest - sum(p.registrations for p in open_plans)
    spare = [i for i, p in enumerate(open_plans) if p.registrations < room[i]]
    while missing > 0 and spare:
        position = rng.randrange(len(spare))
        index = spare[position]
        step = min(missing, room[index] - open_plans[index].registrations, rng.randint(1, 10))
        open_plans[index].registrations += step
        missing -= step
        if open_plans[index].registrations >= room[index]:
            spare[position] = spare[-1]
            spare.pop()
    if missing:
        log(f"  {missing} registrations do not fit: the directory has too few people for them")


def generate_events(*, events: int, registrations: int, seed: int = SEED + 3) -> dict[str, float]:
    """Write `events` events of every format (60 % past; mostly published, some cancelled or postponed, a few
    drafts) in real host cities and their time zones, with agendas and speakers, and `registrations`
    registrations of the directory's people with the statuses registering, selection and check-in leave."""
    from zoneinfo import ZoneInfo

    from django.db import transaction
    from django.utils import timezone
    from django.utils.text import slugify

    from connective.accounts.models import User
    from connective.core.models import City, Topic
    from connective.events.models import (
        AgendaSession,
        Event,
        EventDocument,
        Registration,
    )
    from connective.network.models import Organisation
    from connective.practices.models import Practice

    rng = random.Random(seed)
    writer = Writer(rng)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    places = load_places()
    zones = dict(City.objects.exclude(timezone="").values_list("pk", "timezone"))
    topics = {t.slug: (t.pk, t.parent_id) for t in Topic.objects.all()}
    people_rows = list(
        User.objects.filter(email__endswith=f"@{DIRECTORY_EMAIL_DOMAIN}", is_active=True)
        .order_by("pk")
        .values_list("pk", "language")
    )
    if not people_rows:
        raise RuntimeError("the directory has no people to register for the events")
    people = [pk for pk, _language in people_rows]
    people_by_language: dict[str, list[int]] = {}
    for pk, language in people_rows:
        people_by_language.setdefault(language or "en", []).append(pk)
    organisations_by_language: dict[str, list[int]] = {}
    for pk, language in Organisation.objects.filter(slug__startswith=DIRECTORY_SLUG_PREFIX).values_list(
        "pk", "description_language"
    ):
        organisations_by_language.setdefault(language or "en", []).append(pk)
    practice_ids = list(Practice.objects.filter(status="published").values_list("pk", flat=True))
    bench_member = bench_member_id()
    languages = list(phrases.LANGUAGE_WEIGHTS)
    weights = list(phrases.LANGUAGE_WEIGHTS.values())
    formats, format_weights = list(FORMAT_WEIGHTS), list(FORMAT_WEIGHTS.values())
    statuses, status_weights = list(EVENT_STATUS_WEIGHTS), list(EVENT_STATUS_WEIGHTS.values())
    now = timezone.now().replace(microsecond=0)

    def plan(number: int) -> _EventPlan:
        big = number == 0
        language = "en" if big else rng.choices(languages, weights)[0]
        event_format = "conference" if big else rng.choices(formats, format_weights)[0]
        online = event_format in ONLINE_FORMATS
        mode = "online" if online else "hybrid" if big or rng.random() < 0.15 else "in_person"
        place: Place = _pick(rng, places[language] or places["*"])
        zone_name = zones.get(place.city_id) or "UTC"
        zone = ZoneInfo(zone_name)
        subjects = rng.sample(range(len(phrases.SUBJECTS)), rng.choice((1, 2, 2, 3)))
        slots = writer.slots(language, place.name, subjects)
        slots["kind"] = FORMAT_WORDS[event_format][language]
        title = rng.choice(EVENT_TITLES[language]).format(**slots)
        title = (title[0].upper() + title[1:])[:200]
        past = not big and rng.random() < EVENTS_PAST_SHARE
        offset = (
            timedelta(days=45)
            if big
            else timedelta(
                days=-rng.uniform(1, EVENTS_PAST_DAYS) if past else rng.uniform(1, EVENTS_AHEAD_DAYS)
            )
        )
        local_day = (now + offset).astimezone(zone).date()
        if online:
            # Online sessions meet at a time that suits several continents.
            starts = datetime(
                local_day.year, local_day.month, local_day.day, rng.choice((8, 10, 14, 16)), tzinfo=zone
            )
            ends = starts + timedelta(minutes=rng.randint(*FORMAT_MINUTES[event_format]) // 15 * 15)
        else:
            days = 3 if big else rng.randint(*FORMAT_DAYS[event_format])
            starts = datetime(local_day.year, local_day.month, local_day.day, 9, tzinfo=zone)
            ends = starts + timedelta(days=days - 1, hours=8, minutes=30)
        status = "published" if big else rng.choices(statuses, status_weights)[0]
        if past and status == "postponed":
            # A postponed event waits for new dates; one of six years ago would have been cancelled.
            status = "cancelled"
        elif past and status == "draft":
            # Drafts are being prepared: they lie ahead.
            status = "published"
        application = not big and (
            rng.random() < (0.45 if event_format in ("study_trip", "training") else 0.08)
        )
        capacity = BIG_EVENT_CAPACITY if big else None if rng.random() < 0.15 else rng.randint(2, 30) * 10
        # Planned weeks or months ahead, and never later than today.
        created = min(starts - timedelta(days=rng.randint(20, 200)), now - timedelta(days=rng.randint(1, 60)))
        others = [code for code in languages if code != language]
        event_languages = [language, *rng.sample(others, rng.choice((0, 0, 1, 1, 2)))]
        event = Event(
            title=title,
            # Every bench event's slug starts with the prefix, so the part can be found and rebuilt alone.
            slug=BIG_EVENT_SLUG if big else f"{EVENT_SLUG_PREFIX}{number}-{slugify(title)[:80]}".strip("-"),
            format=event_format,
            status=status,
            status_message=STATUS_MESSAGES[status][language] if status in STATUS_MESSAGES else "",
            summary=writer.paragraph(language, "summary", slots, subjects, 1)[:300],
            description="\n\n".join(
                writer.paragraph(language, section, slots, subjects, rng.randint(1, 3))
                for section in ("challenge", "objectives")
            ),
            language=language,
            languages=event_languages,
            interpretation=others[:2] if event_format == "conference" and rng.random() < 0.5 else [],
            region_id=place.region_id if not online or rng.random() < 0.6 else None,
            host_city_id=None if online else place.city_id,
            host_organisation_id=_pick(rng, organisations_by_language[language])
            if organisations_by_language.get(language) and rng.random() < 0.7
            else None,
            starts_at=starts,
            ends_at=ends,
            time_zone=zone_name,
            mode=mode,
            venue_name=""
            if online
            else rng.choice(VENUES[language]).format(city=place.name, word=_coined(rng)),
            venue_address="" if online else f"{_coined(rng)} {rng.randint(1, 120)}, {place.name}",
            latitude=None if online else round(place.latitude + rng.uniform(-0.01, 0.01), 5),
            longitude=None if online else round(place.longitude + rng.uniform(-0.01, 0.01), 5),
            online_url=f"https://meet.example.org/bench-{number}" if mode != "in_person" else "",
            travel_cover=""
            if online
            else rng.choice(("participants", "programme", "programme", "partial", "host")),
            participation="application" if application else "registration",
            capacity=capacity,
            registration_opens_at=created,
            registration_closes_at=starts - timedelta(days=rng.choice((1, 3, 7, 14)))
            if rng.random() < 0.5
            else None,
            questions=list(APPLICATION_QUESTIONS[language]) if application else [],
            asks_for_contribution=event_format in ("practitioners_workshop", "dialogue")
            and rng.random() < 0.3,
            public_participants=big or rng.random() < 0.2,
            badges=event_format in ("conference", "training"),
            outcomes="",
            created_at=created,
            published_at=None
            if status == "draft"
            else min(now, created + timedelta(days=rng.randint(0, 10))),
            sequence=1 if status in ("cancelled", "postponed") else 0,
        )
        if past and status == "published" and rng.random() < 0.4:
            event.outcomes = "\n\n".join(
                writer.paragraph(language, section, slots, subjects, rng.randint(1, 2))
                for section in OUTCOME_SECTIONS
            )
        topic_ids = list({topics[phrases.SUBJECTS[s][0]][0] for s in subjects})
        if rng.random() < 0.2:
            parent = topics[phrases.SUBJECTS[subjects[0]][0]][1]
            if parent is not None and parent not in topic_ids:
                topic_ids.append(parent)
        speakers_pool = people_by_language.get(language) or people
        organisers = list(dict.fromkeys(_pick(rng, speakers_pool) for _ in range(rng.choice((1, 1, 2, 3)))))
        session_count = 6 if big else rng.randint(1, 2) if online else rng.randint(1, 6)
        session_titles = rng.sample(SESSION_TITLES[language], session_count)
        days = (ends.date() - starts.date()).days + 1
        sessions = []
        slot_of_day: dict[int, int] = {}
        for index, template in enumerate(session_titles):
            # Spread over the days, one after another within a day from the start time on.
            day = index * days // session_count
            slot = slot_of_day[day] = slot_of_day.get(day, -1) + 1
            session_start = starts + timedelta(days=day, minutes=150 * slot)
            length = timedelta(minutes=rng.choice((45, 60, 90, 120)))
            if online:
                session_start = starts + (ends - starts) * index / session_count
                length = (ends - starts) / session_count
            speaker_ids = list(
                dict.fromkeys(_pick(rng, speakers_pool) for _ in range(rng.choice((0, 1, 1, 2, 3))))
            )
            guest = (
                f"{rng.choice(NAMES[language][0])} {rng.choice(NAMES[language][1])}"
                if rng.random() < 0.2
                else ""
            )
            sessions.append(
                (
                    template.format(**slots)[:200],
                    session_start,
                    session_start + length,
                    "" if online else rng.choice(("Room A", "Room B", "Plenary", "")),
                    speaker_ids,
                    guest,
                )
            )
        practices_shown = (
            rng.sample(practice_ids, rng.randint(1, 4))
            if past and practice_ids and rng.random() < 0.3
            else []
        )
        documents = []
        if past and status == "published" and rng.random() < 0.4:
            for index in range(rng.randint(1, 3)):
                kind = rng.choice(("presentation", "document", "link"))
                documents.append(
                    (
                        kind,
                        f"{FORMAT_WORDS[event_format][language]} {number}: {kind} {index + 1}",
                        f"https://event{number}.example.org/{kind}-{index + 1}",
                        rng.random() < 0.3,
                    )
                )
        return _EventPlan(event, topic_ids, organisers, practices_shown, sessions, documents)

    plans = [plan(number) for number in range(events)]
    _registration_counts(rng, plans, registrations, len(people))
    timings["plan"] = time.perf_counter() - started
    started = _timed(f"{events} events planned", started)

    explicit = _ExplicitTimes(Event._meta.get_field("created_at"), Registration._meta.get_field("created_at"))
    session_through = AgendaSession.speakers.through
    written = 0
    registration_total = 0
    with explicit:
        for batch_start in range(0, events, 500):
            batch = plans[batch_start : batch_start + 500]
            with transaction.atomic():
                saved = Event.objects.bulk_create([p.event for p in batch])
                Event.topics.through.objects.bulk_create(
                    Event.topics.through(event_id=event.pk, topic_id=topic)
                    for event, p in zip(saved, batch, strict=True)
                    for topic in p.topic_ids
                )
                Event.organisers.through.objects.bulk_create(
                    Event.organisers.through(event_id=event.pk, user_id=user)
                    for event, p in zip(saved, batch, strict=True)
                    for user in p.organiser_ids
                )
                Event.practices.through.objects.bulk_create(
                    Event.practices.through(event_id=event.pk, practice_id=practice)
                    for event, p in zip(saved, batch, strict=True)
                    for practice in p.practice_ids
                )
                session_rows = [
                    (
                        AgendaSession(
                            event_id=event.pk,
                            title=title,
                            starts_at=starts,
                            ends_at=ends,
                            location=location,
                            guest_speakers=guest,
                        ),
                        speakers,
                    )
                    for event, p in zip(saved, batch, strict=True)
                    for title, starts, ends, location, speakers, guest in p.sessions
                ]
                saved_sessions = AgendaSession.objects.bulk_create([row[0] for row in session_rows])
                session_through.objects.bulk_create(
                    session_through(agendasession_id=session.pk, user_id=user)
                    for session, (_row, speakers) in zip(saved_sessions, session_rows, strict=True)
                    for user in speakers
                )
                EventDocument.objects.bulk_create(
                    EventDocument(
                        event_id=event.pk,
                        kind=kind,
                        title=title,
                        url=url,
                        participants_only=participants_only,
                        added_by_id=p.organiser_ids[0],
                    )
                    for event, p in zip(saved, batch, strict=True)
                    for kind, title, url, participants_only in p.documents
                )
                rows: list[Any] = []
                for event, p in zip(saved, batch, strict=True):
                    rows += _registrations_of(rng, event, p, people, bench_member, now)
                Registration.objects.bulk_create(rows, batch_size=BATCH)
                Event.objects.bulk_update(saved, ["confirmed_count", "waitlist_count"])
            written += len(saved)
            registration_total += len(rows)
            if written % 2000 == 0 or written == events:
                log(
                    f"  {written} events, {registration_total} registrations written "
                    f"({time.perf_counter() - started:.0f} s)"
                )
    timings["events"] = time.perf_counter() - started
    return timings


def _registrations_of(
    rng: random.Random,
    event: Any,
    plan: _EventPlan,
    people: list[int],
    bench_member: int | None,
    now: datetime,
) -> list[Any]:
    """The registrations of one event, in the order people registered, with the statuses the services would
    have left: places confirmed up to the capacity and then the waitlist (open registration), or applications
    decided by the organisers (selection); some cancelled; most confirmed participants of past events checked
    in. Sets the event's confirmed_count and waitlist_count to the true counts."""
    from connective.events.models import Registration

    count = plan.registrations
    event.confirmed_count = event.waitlist_count = 0
    if not count:
        return []
    big = event.slug == BIG_EVENT_SLUG
    users = rng.sample(people, count)
    if big and bench_member is not None and bench_member not in users:
        # The "(member)" scenarios see the big event as one of its confirmed, listed participants.
        users[0] = bench_member
    elif big and bench_member is not None:
        users.remove(bench_member)
        users.insert(0, bench_member)
    opened = event.registration_opens_at or event.created_at
    closing = min(event.starts_at, now, event.registration_closes_at or event.starts_at)
    window = max(60, int((closing - opened).total_seconds()))
    times = sorted(opened + timedelta(seconds=rng.randrange(window)) for _ in range(count))
    past = event.ends_at < now
    application = event.participation == "application"
    decider = plan.organiser_ids[0]
    capacity = event.capacity
    held = 0
    rows: list[Any] = []
    public_left = BIG_EVENT_PUBLIC if big else 0
    for index, (user, created) in enumerate(zip(users, times, strict=True)):
        registration = Registration(event_id=event.pk, user_id=user, created_at=created)
        is_bench_member = big and index == 0
        if application:
            registration.answers = [
                {"question": question, "answer": f"{_coined(rng)}: {rng.choice(phrases.METHODS)[0]}."}
                for question in event.questions
            ]
        if not is_bench_member and rng.random() < 0.07:
            registration.status = "cancelled"
            registration.cancelled_at = created + timedelta(
                seconds=rng.randrange(max(1, int((closing - created).total_seconds())))
            )
        elif application and not past and rng.random() < 0.7:
            registration.status = "applied"
        elif application:
            accepted = (capacity is None or held < capacity) and rng.random() < 0.75
            registration.status = "confirmed" if accepted else "declined"
            registration.decided_at = min(now, created + timedelta(days=rng.randint(1, 10)))
            registration.decided_by_id = decider
        elif capacity is None or held < capacity:
            registration.status = "confirmed"
        else:
            registration.status = "waitlisted"
            registration.waitlisted_at = created
        if registration.status == "confirmed":
            held += 1
            event.confirmed_count += 1
            if past and event.status == "published" and rng.random() < 0.8:
                registration.checked_in_at = event.starts_at + timedelta(minutes=rng.randint(-30, 45))
            if big:
                if public_left and (is_bench_member or rng.random() < 0.25):
                    registration.public = True
                    public_left -= 1
            elif event.public_participants:
                registration.public = rng.random() < 0.3
        elif registration.status == "waitlisted":
            event.waitlist_count += 1
        rows.append(registration)
    if public_left:
        # Fewer than 300 drew the opt-in above: the first confirmed ones not listed yet opt in too.
        for registration in rows:
            if public_left and registration.status == "confirmed" and not registration.public:
                registration.public = True
                public_left -= 1
    return rows


def add_event_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--events", type=int, default=DEFAULT_EVENTS, help="events (default 10000; 0 for none)"
    )
    parser.add_argument(
        "--registrations",
        type=int,
        default=DEFAULT_REGISTRATIONS,
        help="registrations over the events (default 200000)",
    )


def check_event_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.events < 0 or args.registrations < 0:
        parser.error("--events and --registrations must be 0 or more")


def ensure_events(*, events: int, registrations: int, regenerate: bool = False) -> dict[str, Any]:
    """`events` bench events with `registrations` registrations, generated when needed (after the directory,
    whose people register and speak)."""
    started = time.perf_counter()
    wanted = (events, registrations if events else 0)
    generated = regenerate or _events_state() != wanted
    timings: dict[str, float] = {}
    if generated:
        _wipe_events()
        if events:
            timings = generate_events(events=events, registrations=registrations)
    else:
        log("  reusing the existing events")
    timings["total"] = time.perf_counter() - started
    return {
        "events": events,
        "registrations": wanted[1],
        "events_generated": generated,
        "events_timings": timings,
    }


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


def ensure_practice_vectors(batch: int = 256) -> dict[str, Any]:
    """A vector for every published practice, so searches rank by meaning as in production.

    Only the whole-record vector (part 0) is encoded, by the platform's own encoder and text (`document_head`):
    it is what a search compares. The passages, which only explain a match, would take five times as long;
    a practice's passages are encoded when it next changes. Kept while complete, like the rest of the data.
    """
    from connective.practices.models import Practice, PracticeStatus
    from connective.practices.selectors import practice_search_document
    from connective.search.embeddings import encoder
    from connective.search.models import Vector
    from connective.search.vectors import VectorIndex, document_head, pack_vector, text_digest

    model = encoder()
    if model is None:
        log("  vectors: no encoder (SEMANTIC_ENCODER=off), searches rank by words alone")
        return {"vectors": 0}
    vectors = VectorIndex("practice")
    have = vectors.ids(model=model.name)
    published = Practice.objects.filter(status=PracticeStatus.PUBLISHED)
    missing = sorted(set(published.values_list("pk", flat=True)) - have)
    if not missing:
        log(f"  vectors: reusing {len(have)} practice vectors")
        return {"vectors": len(have)}
    started = time.perf_counter()
    Vector.objects.filter(domain="practice", record_id__in=missing).delete()
    for start in range(0, len(missing), batch):
        chunk = (
            published.filter(pk__in=missing[start : start + batch])
            .select_related("city", "country", "lead_organisation")
            .prefetch_related("topics")
            .order_by("pk")
        )
        documents = [practice_search_document(practice) for practice in chunk]
        heads = [document_head(document) for document in documents]
        encoded = model.encode(heads)
        Vector.objects.bulk_create(
            Vector(
                domain="practice",
                record_id=document.id,
                part=0,
                model=model.name,
                language=document.language,
                digest=text_digest(head),
                vector=pack_vector(row),
            )
            for document, head, row in zip(documents, heads, encoded, strict=True)
        )
        if start and start % (batch * 40) == 0:
            log(f"  vectors: {start:,} of {len(missing):,}")
    vectors.mark_changed()
    seconds = time.perf_counter() - started
    log(f"  vectors: {len(missing):,} practices encoded in {seconds:.0f} s ({len(missing) / seconds:.0f}/s)")
    return {"vectors": len(have) + len(missing), "vector_seconds": round(seconds, 1)}


def ensure_dataset(
    *,
    database_url: str,
    practices: int,
    people: int = DEFAULT_PEOPLE,
    organisations: int = DEFAULT_ORGANISATIONS,
    groups: int = DEFAULT_GROUPS,
    thread_posts: int = DEFAULT_THREAD_POSTS,
    events: int = DEFAULT_EVENTS,
    registrations: int = DEFAULT_REGISTRATIONS,
    regenerate: bool = False,
) -> dict[str, Any]:
    """The bench database with `practices` published, indexed practices, a directory of `people` and
    `organisations`, `groups` working groups with a thread of `thread_posts` posts, and `events` events with
    `registrations` registrations; each part generated only when needed."""
    from django.db import connection

    log(
        f"Bench database: {database_url} ({practices} practices, {people} people, "
        f"{organisations} organisations)"
    )
    total = time.perf_counter()
    result: dict[str, Any] = {"practices": practices}
    if prepare_database(database_url=database_url, practices=practices, regenerate=regenerate):
        log("  reusing the existing practices (--regenerate to build them again)")
        result["generated"] = False
    else:
        timings = generate(practices=practices)
        started = time.perf_counter()
        indexed = build_index()
        timings["index"] = time.perf_counter() - started
        log(f"  search index: {indexed} practices in {timings['index']:.1f} s")
        result.update(generated=True, timings=timings)
    result.update(ensure_practice_vectors())
    directory = ensure_directory(people=people, organisations=organisations, regenerate=regenerate)
    result.update(directory)
    # The groups' members are the directory's people: a new directory means new groups.
    working_groups = ensure_groups(
        groups=groups,
        thread_posts=thread_posts,
        regenerate=regenerate or directory["directory_generated"],
    )
    result.update(working_groups)
    # The registrants, organisers and speakers are the directory's people too.
    bench_events = ensure_events(
        events=events,
        registrations=registrations,
        regenerate=regenerate or directory["directory_generated"],
    )
    result.update(bench_events)
    if (
        result["generated"]
        or directory["directory_generated"]
        or working_groups["groups_generated"]
        or bench_events["events_generated"]
    ):
        with connection.cursor() as cursor:
            # Planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) keep them.
            cursor.execute("ANALYZE")
        result.setdefault("timings", {})["total"] = time.perf_counter() - total
        log(f"  done in {time.perf_counter() - total:.0f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--practices", type=int, default=DEFAULT_PRACTICES, help="how many (default 100000)")
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
    parser.add_argument(
        "--index-rate", action="store_true", help="also time the search module's own stemming"
    )
    args = parser.parse_args(argv)
    if args.practices < 1:
        parser.error("--practices must be at least 1")
    if args.people < 1 or args.organisations < 1:
        parser.error("--people and --organisations must be at least 1")
    check_group_arguments(parser, args)
    check_event_arguments(parser, args)
    setup_django(database_url=args.database_url, var_dir=args.var_dir)
    ensure_dataset(
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
    if args.index_rate:
        log(f"  search module indexing without a stem cache: {index_rate():.0f} records/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
