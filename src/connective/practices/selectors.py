"""Every read of practices, filtered by what the viewer may see."""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import get_language

from connective.accounts.rules import is_editor
from connective.core.models import SDG, City, CitySize, Country, Region, Topic
from connective.events.models import Event
from connective.groups.models import Thread
from connective.practices.models import (
    SECTIONS,
    ContentLanguage,
    Practice,
    PracticeDocument,
    PracticeImage,
    PracticeStatus,
)
from connective.search.facets import FacetTable, Selection, facet_table
from connective.search.hybrid import hybrid_search
from connective.search.index import Document, SearchIndex
from connective.search.pages import ResultPage
from connective.search.vectors import VectorIndex


def practices_visible_to(user: Any) -> QuerySet[Practice]:
    """Published practices for everyone; a member also sees their own; editors see all."""
    queryset = Practice.objects.all()
    if is_editor(user):
        return queryset
    if user is not None and user.is_authenticated:
        return queryset.filter(Q(status=PracticeStatus.PUBLISHED) | Q(author=user))
    return queryset.filter(status=PracticeStatus.PUBLISHED)


def practices_public() -> QuerySet[Practice]:
    return Practice.objects.filter(status=PracticeStatus.PUBLISHED)


def with_card_data(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    """What a practice card shows, fetched in a fixed number of queries."""
    return queryset.select_related("city", "country", "region").prefetch_related(
        "topics",
        Prefetch("images", queryset=PracticeImage.objects.select_related("image").order_by("position", "id")),
    )


def practice_get_visible(*, user: Any, slug: str) -> Practice:
    """The practice with all it shows on its page, or 404 when the viewer may not see it."""
    queryset = (
        practices_visible_to(user)
        .select_related(
            "city",
            "country",
            "region",
            "lead_organisation",
            "contact",
            "contact__organisation",
            "contact__profile",
            "author",
        )
        .prefetch_related(
            "topics",
            "sdgs",
            "partners",
            "links",
            Prefetch(
                "images", queryset=PracticeImage.objects.select_related("image").order_by("position", "id")
            ),
            Prefetch("documents", queryset=PracticeDocument.objects.select_related("document")),
        )
        # Whether any working-group thread is about it, read in the same query, so that the page asks for the
        # discussions (groups' template tag, filtered by who reads) only when there are some.
        .annotate(has_group_threads=Exists(Thread.objects.filter(practice=OuterRef("pk"), post_count__gt=0)))
        # Likewise for the events it was presented at.
        .annotate(has_events=Exists(Event.practices.through.objects.filter(practice_id=OuterRef("pk"))))
    )
    practice = queryset.filter(slug=slug).first()
    if practice is None:
        raise Http404("No such practice.")
    return practice


def practice_related(*, practice: Practice, limit: int = 6) -> list[tuple[str, Practice]]:
    """Published practices linked either way, with the relation as the reader should see it (one query)."""
    from connective.practices.models import PracticeRelation

    relations = (
        PracticeRelation.objects.filter(
            Q(source=practice, target__status=PracticeStatus.PUBLISHED)
            | Q(target=practice, source__status=PracticeStatus.PUBLISHED)
        )
        .select_related("source__city", "source__country", "target__city", "target__country")
        .order_by("id")[: limit * 2]
    )
    outgoing: list[tuple[str, Practice]] = []
    incoming: list[tuple[str, Practice]] = []
    for relation in relations:
        if relation.source_id == practice.pk:
            outgoing.append((relation.kind, relation.target))
        else:
            # "B adapts A" reads on A's page as "adapted by B".
            kind = {"adapts": "adapted_by", "replicates": "replicated_by"}.get(relation.kind, relation.kind)
            incoming.append((kind, relation.source))
    return (outgoing + incoming)[:limit]


def practice_home_highlights(*, user: Any) -> dict[str, Any]:
    latest = list(with_card_data(practices_public().order_by("-published_at", "-id"))[:6])
    table = practice_facet_table()
    everything = table.everything()
    return {
        "latest_practices": latest,
        "practice_count": table.size,
        "country_count": table.distinct("country", everything),
        "city_count": table.distinct("city", everything),
    }


# --- Search, facets and the map ----------------------------------------------------------------------------
# The text index holds published practices only (tasks.py); every query below also starts from
# `practices_public()`, so a practice that is not published is never found, whoever searches.

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORTS = (SORT_RELEVANCE, SORT_NEWEST, SORT_OLDEST)
FACETS = ("topic", "sdg", "region", "country", "size", "year", "lang")
# Facets that are columns of the practice itself (the others are many-to-many links).
SCALAR_FACETS = ("region", "country", "size", "year", "lang")
# Up to this many matching practices the map shows one point per practice; beyond, one circle per city.
MAP_POINT_LIMIT = 300
MAP_CITY_LIMIT = 1000
MAP_LIST_CITY_LIMIT = 200
_VOCABULARY_CACHE_KEY = "practices:search-vocabulary:v2"


@dataclass(frozen=True)
class PracticeQuery:
    """A search of the knowledge base: what the browse page's GET parameters (PracticeFilterForm) ask for."""

    q: str = ""
    topic: tuple[str, ...] = ()
    sdg: tuple[int, ...] = ()
    region: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    lang: tuple[str, ...] = ()
    city: int | None = None
    sort: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | PracticeQuery) -> PracticeQuery:
        """From a form's cleaned_data (missing or invalid fields are left out), or a PracticeQuery as is."""
        if isinstance(data, PracticeQuery):
            return data

        def many(key: str) -> tuple[Any, ...]:
            return tuple(dict.fromkeys(data.get(key) or ()))

        return cls(
            q=(data.get("q") or "").strip(),
            topic=many("topic"),
            sdg=tuple(int(v) for v in many("sdg")),
            region=many("region"),
            country=many("country"),
            size=many("size"),
            year=tuple(int(v) for v in many("year")),
            lang=many("lang"),
            city=data.get("city") or None,
            sort=data.get("sort") or "",
        )

    @property
    def has_filters(self) -> bool:
        """True when anything but the text narrows the results."""
        return bool(
            self.topic
            or self.sdg
            or self.region
            or self.country
            or self.size
            or self.year
            or self.lang
            or self.city
        )

    @property
    def effective_sort(self) -> str:
        if self.sort in (SORT_NEWEST, SORT_OLDEST):
            return self.sort
        return SORT_RELEVANCE if self.q else SORT_NEWEST


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    # Subtopics are shown under their cluster.
    level: int = 0


class PracticeSearchResult(ResultPage[Practice]):
    """One page of practices with the total, facet counts and the sort applied."""


@dataclass(frozen=True)
class SearchVocabulary:
    """Labels and valid values of the facets; reference data, so cached rather than read on every page."""

    topics: list[tuple[str, dict[str, str], str | None]]  # slug, names, cluster slug; in display order
    sdgs: list[tuple[int, dict[str, str]]]
    regions: list[tuple[str, int, dict[str, str]]]  # slug, id, names
    countries: dict[str, dict[str, str]]  # code: names
    topic_slugs: dict[int, str]  # id: slug
    sdg_numbers: dict[int, str]  # id: number

    def children(self, slugs: Iterable[str]) -> set[str]:
        wanted = set(slugs)
        return wanted | {slug for slug, _, parent in self.topics if parent in wanted}


# The vocabulary is read several times per search page; unpickling it from the cache cost 5 ms each time.
# Each process keeps its copy for a minute.
_VOCABULARY_LOCAL_SECONDS = 60.0
_vocabulary_local: tuple[float, SearchVocabulary] | None = None


def forget_search_vocabulary() -> None:
    """Drop this process's copy (tests do, between tests)."""
    global _vocabulary_local
    _vocabulary_local = None


def search_vocabulary() -> SearchVocabulary:
    global _vocabulary_local
    now = time.monotonic()
    if _vocabulary_local is not None and _vocabulary_local[0] > now:
        return _vocabulary_local[1]
    cached = cache.get(_VOCABULARY_CACHE_KEY)
    if isinstance(cached, SearchVocabulary):
        _vocabulary_local = (now + _VOCABULARY_LOCAL_SECONDS, cached)
        return cached
    topics = list(Topic.objects.select_related("parent").order_by("position", "slug"))
    sdgs = list(SDG.objects.order_by("number"))
    vocabulary = SearchVocabulary(
        topics=[(t.slug, t.names, t.parent.slug if t.parent else None) for t in topics],
        sdgs=[(s.number, s.names) for s in sdgs],
        regions=[(r.slug, r.pk, r.names) for r in Region.objects.order_by("position")],
        countries={c.code: c.names for c in Country.objects.all()},
        topic_slugs={t.pk: t.slug for t in topics},
        sdg_numbers={s.pk: str(s.number) for s in sdgs},
    )
    cache.set(_VOCABULARY_CACHE_KEY, vocabulary, 600)
    _vocabulary_local = (now + _VOCABULARY_LOCAL_SECONDS, vocabulary)
    return vocabulary


def _name(names: Mapping[str, str]) -> str:
    language = (get_language() or "en")[:2]
    return str(names.get(language) or names.get("en") or "")


def practice_search_index() -> SearchIndex:
    return SearchIndex("practice")


def practice_vector_index() -> VectorIndex:
    return VectorIndex("practice")


def practice_documents(ids: Sequence[int]) -> list[Document]:
    """Search documents of the published practices among `ids` (for the vectors' refresh)."""
    published = (
        Practice.objects.filter(pk__in=list(ids), status=PracticeStatus.PUBLISHED)
        .select_related("city", "country", "lead_organisation")
        .prefetch_related("topics")
        .order_by("pk")
    )
    return [practice_search_document(practice) for practice in published]


def practice_search_document(practice: Practice) -> Document:
    """What full-text search reads of a practice: every text field, and the names of its place and topics."""
    language = practice.language
    place = [practice.city.name, *{_names_in(practice.country.names, language)}]
    topics = [name for topic in practice.topics.all() for name in {_names_in(topic.names, language)}]
    organisation = [practice.lead_organisation.name] if practice.lead_organisation else []
    body = [
        practice.summary,
        *(getattr(practice, field) for field, _ in SECTIONS),
        *place,
        *topics,
        *organisation,
    ]
    sections = [getattr(practice, field) for field, _ in SECTIONS]
    return Document(
        id=practice.pk,
        language=language,
        title=practice.title,
        body="\n".join(body),
        passages=tuple(text for text in (practice.summary, *sections) if text),
    )


def _names_in(names: Mapping[str, str], language: str) -> str:
    # The record's language and English: a German record is found by "Deutschland" and by "Germany".
    return " ".join(dict.fromkeys(n for n in (names.get(language), names.get("en")) if n))


def practice_facet_table() -> FacetTable:
    """Facet values of every published practice, in this process's memory (search/facets.py)."""
    return facet_table(practice_search_index(), _build_facet_table)


def _build_facet_table(version: str) -> FacetTable:
    vocabulary = search_vocabulary()
    region_slugs = {pk: slug for slug, pk, _ in vocabulary.regions}
    parents = {slug: parent for slug, _, parent in vocabulary.topics}
    published = practices_public().order_by()
    rows = list(
        published.values_list(
            "pk",
            "region_id",
            "country_id",
            "city_size",
            "start_year",
            "language",
            "city_id",
            "published_at",
            "contact_id",
        )
    )
    topic_links = [
        (practice_id, vocabulary.topic_slugs[topic_id])
        for practice_id, topic_id in Practice.topics.through.objects.filter(
            practice__status=PracticeStatus.PUBLISHED
        ).values_list("practice_id", "topic_id")
        if topic_id in vocabulary.topic_slugs
    ]
    sdg_links = Practice.sdgs.through.objects.filter(practice__status=PracticeStatus.PUBLISHED).values_list(
        "practice_id", "sdg_id"
    )
    # Newest first: by publication time, then by id (as the SQL order of the list page).
    newest = sorted(rows, key=lambda row: (row[7].timestamp() if row[7] else 0.0, row[0]), reverse=True)
    return FacetTable(
        ids=[row[0] for row in rows],
        columns={
            "region": [region_slugs.get(row[1]) for row in rows],
            "country": [row[2] for row in rows],
            "size": [row[3] for row in rows],
            "year": [None if row[4] is None else str(row[4]) for row in rows],
            "lang": [row[5] for row in rows],
            "city": [row[6] for row in rows],
            # Not a facet of the page: the directory finds people through the practices they are contact for.
            "contact": [row[8] for row in rows],
        },
        links={
            "topic": topic_links,
            # A practice tagged with a cluster and one of its subtopics counts once for the cluster.
            "cluster": [(pk, parents.get(slug) or slug) for pk, slug in topic_links],
            "sdg": [(pk, vocabulary.sdg_numbers.get(sdg_id)) for pk, sdg_id in sdg_links],
        },
        order=[row[0] for row in newest],
        version=version,
    )


@dataclass
class _Matched(Selection):
    """A query applied to the practice facet table, with the text's matches best first."""

    table: FacetTable
    # Rows matching the text, best first (None without text).
    ranked: Any


def _match(query: PracticeQuery, vocabulary: SearchVocabulary, *, rank: bool = True) -> _Matched | None:
    """None when the text can match nothing (it held no searchable word). `rank`: order the text's matches."""
    table = practice_facet_table()
    ranked = None
    text = table.everything()
    if query.q:
        ids = hybrid_search(
            practice_search_index(), practice_vector_index(), query.q, rank=rank, size=table.size
        )
        if ids is None:
            return None
        ranked = table.rows_in_order(ids)
        text = table.mask_of(ranked)
    wanted: dict[str, Collection[Any]] = {
        # A cluster includes its subtopics.
        "topic": vocabulary.children(query.topic) if query.topic else (),
        "sdg": [str(number) for number in query.sdg],
        "region": query.region,
        "country": query.country,
        "size": query.size,
        "year": [str(year) for year in query.year],
        "lang": query.lang,
        "city": [query.city] if query.city else (),
    }
    filters = {facet: table.where(facet, values) for facet, values in wanted.items() if values}
    return _Matched(table=table, ranked=ranked, text=text, filters=filters)


def _facet_counts(matched: _Matched) -> tuple[int, dict[str, dict[str, int]]]:
    """The total and every facet's counts, each facet counted without its own filter.

    Counting without a facet's own filter shows how many more practices a second value would add.
    """
    table = matched.table
    counts = {facet: table.count(facet, matched.without(facet)) for facet in (*SCALAR_FACETS, "topic", "sdg")}
    counts["cluster"] = table.count("cluster", matched.without("topic"))
    total = int(matched.everything.sum())
    return total, {
        facet: {k: n for k, n in found.items() if k is not None} for facet, found in counts.items()
    }


def _facet_values(
    query: PracticeQuery, vocabulary: SearchVocabulary, counts: Mapping[str, Mapping[str, int]]
) -> dict[str, list[FacetValue]]:
    clusters = {slug for slug, _, parent in vocabulary.topics if parent is None}
    topic_counts = dict(counts.get("topic", {}))
    # A cluster counts the practices tagged with it or with any of its subtopics.
    topic_counts.update({slug: n for slug, n in counts.get("cluster", {}).items() if slug in clusters})
    all_counts = {**counts, "topic": topic_counts}

    def values(
        facet: str, options: Iterable[tuple[str, str]], selected: Iterable[Any], levels: Iterable[str] = ()
    ) -> list[FacetValue]:
        chosen = {str(v) for v in selected}
        nested = set(levels)
        found = all_counts.get(facet, {})
        return [
            FacetValue(value, label, found.get(value, 0), value in chosen, 1 if value in nested else 0)
            for value, label in options
            if found.get(value, 0) or value in chosen
        ]

    by_count = sorted(counts.get("country", {}).items(), key=lambda item: (-item[1], item[0]))
    country_codes = [code for code, _ in by_count] + [
        c for c in query.country if c not in counts.get("country", {})
    ]
    countries = [(code, _name(vocabulary.countries.get(code, {})) or code) for code in country_codes]
    years = sorted({*counts.get("year", {}), *(str(y) for y in query.year)}, reverse=True)
    return {
        "topic": values(
            "topic",
            [(slug, _name(names)) for slug, names, _ in vocabulary.topics],
            query.topic,
            levels=[slug for slug, _, parent in vocabulary.topics if parent],
        ),
        "sdg": values("sdg", [(str(n), f"{n}. {_name(names)}") for n, names in vocabulary.sdgs], query.sdg),
        "region": values(
            "region", [(slug, _name(names)) for slug, _, names in vocabulary.regions], query.region
        ),
        "country": values("country", countries, query.country),
        "size": values("size", [(str(v), str(label)) for v, label in CitySize.choices], query.size),
        "year": values("year", [(y, y) for y in years], query.year),
        "lang": values("lang", [(str(v), str(label)) for v, label in ContentLanguage.choices], query.lang),
    }


def practice_search(
    *, query: Mapping[str, Any] | PracticeQuery, page: int = 1, page_size: int = 20
) -> PracticeSearchResult:
    """Search the published practices: one page of results, the total and facet counts.

    query: PracticeFilterForm's cleaned_data (a dict; invalid fields simply absent) or a PracticeQuery.
        Keys: q (text, any language), topic (slugs; a cluster includes its subtopics), sdg (numbers),
        region (slugs), country (ISO codes), size (CitySize values), year (start years),
        lang (language codes), city (City id),
        sort ("relevance", "newest", "oldest"; default relevance with text, newest without).
        Values within a facet are alternatives (OR); facets combine (AND).
    page: 1-based. A page beyond the last gives no items and page_out_of_range=True.
    page_size: results per page.

    Returns PracticeSearchResult(items: list[Practice] with card data prefetched, total, page, num_pages,
    facets: {"topic"|"sdg"|"region"|"country"|"size"|"year"|"lang":
    [FacetValue(value, label, count, selected)]}, sort).
    Facet counts cover the whole matched set; each facet is counted without its own filter, from the
    facet table in memory (search/facets.py).
    Queries: at most 5 (the index version, the text match, the page with its topics and images), plus 4
    for the vocabulary when its cache is cold and 3 when the facet table is rebuilt.
    """
    search = PracticeQuery.from_data(query)
    vocabulary = search_vocabulary()
    page = max(1, int(page))
    matched = _match(search, vocabulary)
    total, counts = _facet_counts(matched) if matched else (0, {})
    num_pages = max(1, math.ceil(total / page_size))
    result = PracticeSearchResult(
        items=[],
        total=total,
        page=page,
        num_pages=num_pages,
        facets=_facet_values(search, vocabulary, counts),
        sort=search.effective_sort,
        page_size=page_size,
        page_out_of_range=page > num_pages,
    )
    if matched is None or total == 0 or result.page_out_of_range:
        return result
    table = matched.table
    if result.sort == SORT_RELEVANCE:
        order = matched.ranked
    else:
        order = table.order if result.sort == SORT_NEWEST else table.order[::-1]
    ids = table.page(order, matched.everything, (page - 1) * page_size, page_size)
    # The table may be a moment behind a change of status: the query re-checks that each is published.
    found = {p.pk: p for p in with_card_data(practices_public().filter(pk__in=ids)).order_by()}
    result.items = [found[pk] for pk in ids if pk in found]
    return result


@dataclass(frozen=True)
class MapPoint:
    """One circle on the map: a practice, or (for large sets) a city with how many practices it has."""

    x: float
    y: float
    label: str
    count: int
    url: str
    region: str
    country: str

    @property
    def radius(self) -> float:
        # Area grows with the count, capped so a busy capital does not cover its neighbours.
        # At least 2.5 units (about 7 px on a laptop) so that a single practice is easy to see and to tap.
        return round(min(7.0, 2.5 + math.sqrt(self.count - 1) * 0.5), 1)


@dataclass
class PracticeMap:
    points: list[MapPoint]
    total: int
    # True when points are cities with counts rather than single practices.
    aggregated: bool
    # Region label -> country label -> points, for the list under the map (capped for large sets).
    groups: list[tuple[str, list[tuple[str, list[MapPoint]]]]] = field(default_factory=list)
    listed_cities: int = 0
    city_count: int = 0


def _project(latitude: float, longitude: float) -> tuple[float, float]:
    # Equirectangular on a 360 x 180 box; one decimal is a tenth of a degree, finer than any screen shows.
    return round(longitude + 180, 1), round(90 - latitude, 1)


def practice_map_points(*, query: Mapping[str, Any] | PracticeQuery) -> PracticeMap:
    """Points for the map of published practices matching `query` (same keys as practice_search).

    Up to MAP_POINT_LIMIT practices: one point each, linking to the practice. Beyond: one circle per city
    with its count, the MAP_CITY_LIMIT busiest cities, linking to the list filtered by that city; the list
    under the map keeps the MAP_LIST_CITY_LIMIT busiest.
    At most 3 queries (plus the vocabulary when its cache is cold and the facet table when it is rebuilt).
    """
    search = PracticeQuery.from_data(query)
    vocabulary = search_vocabulary()
    matched = _match(search, vocabulary, rank=False)
    if matched is None:
        return PracticeMap(points=[], total=0, aggregated=False)
    region_names = {pk: _name(names) for _, pk, names in vocabulary.regions}
    region_order = {pk: position for position, (_, pk, _) in enumerate(vocabulary.regions)}
    table = matched.table
    mask = matched.everything
    total = int(mask.sum())
    points: list[tuple[int, MapPoint]] = []
    aggregated = total > MAP_POINT_LIMIT
    if not aggregated:
        ids = table.page(table.order, mask, 0, MAP_POINT_LIMIT)
        rows = practices_public().filter(pk__in=ids).order_by("title", "pk")
        for row in rows.values("slug", "title", "latitude", "longitude", "country_id", "region_id"):
            x, y = _project(row["latitude"], row["longitude"])
            country = _name(vocabulary.countries.get(row["country_id"], {})) or row["country_id"]
            url = reverse("practices:detail", kwargs={"slug": row["slug"]})
            region = region_names.get(row["region_id"], "")
            points.append((row["region_id"], MapPoint(x, y, row["title"], 1, url, region, country)))
        total = len(points)
        city_count = len({(p.x, p.y) for _, p in points})
    else:
        per_city = table.count("city", mask)
        city_count = len(per_city)
        busiest = sorted(per_city.values(), reverse=True)
        # Every city tied with the last one shown is read, so that ties are broken by name as before.
        floor = busiest[min(MAP_CITY_LIMIT, len(busiest)) - 1]
        cities = sorted(
            City.objects.filter(pk__in=[pk for pk, n in per_city.items() if n >= floor]).values_list(
                "pk", "name", "latitude", "longitude", "country_id", "country__region_id"
            ),
            key=lambda city: (-per_city[city[0]], city[1]),
        )[:MAP_CITY_LIMIT]
        list_url = reverse("practices:list")
        # The query string of each city's link: the reader's filters, the city, then the sort.
        before = _query_params(replace(search, city=None, sort=""))
        after = urlencode([("sort", search.sort)]) if search.sort else ""
        for city_id, name, latitude, longitude, country_id, region_id in cities:
            x, y = _project(latitude, longitude)
            country = _name(vocabulary.countries.get(country_id, {})) or country_id
            params = "&".join(part for part in (before, f"city={city_id}", after) if part)
            region = region_names.get(region_id, "")
            points.append(
                (region_id, MapPoint(x, y, name, per_city[city_id], f"{list_url}?{params}", region, country))
            )
    listed = points[:MAP_LIST_CITY_LIMIT] if aggregated else points
    grouped: dict[int, dict[str, list[MapPoint]]] = {}
    for region_id, point in sorted(listed, key=lambda item: (region_order.get(item[0], 99), item[1].country)):
        grouped.setdefault(region_id, {}).setdefault(point.country, []).append(point)
    groups = [
        (
            region_names.get(region_id, ""),
            [(country, sorted(items, key=lambda p: p.label)) for country, items in by_country.items()],
        )
        for region_id, by_country in grouped.items()
    ]
    return PracticeMap(
        points=[p for _, p in points],
        total=total,
        aggregated=aggregated,
        groups=groups,
        listed_cities=len(listed),
        city_count=city_count,
    )


def _query_params(search: PracticeQuery, **changes: Any) -> str:
    """The list page's GET parameters for a query, so a link keeps the reader's filters."""
    pairs: list[tuple[str, Any]] = []
    if search.q:
        pairs.append(("q", search.q))
    for key in FACETS:
        pairs.extend((key, value) for value in getattr(search, key))
    values = {"city": search.city, "sort": search.sort, **changes}
    pairs.extend((key, value) for key, value in values.items() if value)
    return urlencode(pairs)
