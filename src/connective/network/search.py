"""Directory search: people found by what they know, where they work and what they speak; organisations.

People are indexed twice, once per viewer level: "person_public" holds, for each profile a visitor may open,
the text of its public fields only; "person_member" the text members may read. Each document is built from a
`PersonView` at that level, so a field hidden at a level never enters that level's index, and nobody can find
a person by a word they could not read. Facet tables (search/facets.py) are kept per level likewise: a count
never counts a value the viewer may not see. Visitors search the public level; members, staff and a person
looking for themself search the members' level.

"Who knows about X": a person is also found when X matches a published practice they are the contact person
for; the ranking adds these contributions to the text match, and each result says why it was found, citing
only what the viewer may see.

Organisations are public records and have one index ("organisation": name, description, type and place; the
people working there are not in it). Cities are counted from the three facet tables (practices, people,
organisations), each at the viewer's level.
"""

from __future__ import annotations

import functools
import gettext
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pycountry
from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Min, Q
from django.http import Http404
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from connective.accounts.models import User
from connective.accounts.rules import is_member
from connective.core.models import City
from connective.network.models import (
    ActorType,
    LanguageLevel,
    Organisation,
    OrganisationType,
    Profile,
    ProfileLanguage,
)
from connective.network.selectors import (
    LEVEL_MEMBERS,
    LEVEL_PUBLIC,
    PersonView,
    person_view,
    viewer_level,
    visibilities_at,
    visible_at,
    with_profile_data,
)
from connective.practices.models import PracticeStatus
from connective.practices.selectors import (
    FacetValue,
    SearchVocabulary,
    practice_facet_table,
    practice_search_index,
    practices_public,
    search_vocabulary,
)
from connective.search.embeddings import query_vector
from connective.search.facets import FacetTable, Mask, Rows, Selection, facet_table
from connective.search.hybrid import hybrid_search
from connective.search.index import Document, SearchIndex
from connective.search.pages import ResultPage
from connective.search.text import (
    MAX_QUERY_TERMS,
    STEMMER_LANGUAGES,
    Variant,
    exact_terms,
    fold,
    query_variants,
    stemmed_terms,
    tokenize,
)
from connective.search.vectors import VectorIndex

PERSON_DOMAINS = {LEVEL_PUBLIC: "person_public", LEVEL_MEMBERS: "person_member"}
ORGANISATION_DOMAIN = "organisation"

SORT_RELEVANCE = "relevance"
SORT_NAME = "name"
SORT_NEWEST = "newest"
SORTS = (SORT_RELEVANCE, SORT_NAME, SORT_NEWEST)
PEOPLE_FACETS = ("topic", "actor", "lang", "country", "region")
ORGANISATION_FACETS = ("type", "country", "region", "verified")
VERIFIED_YES = "yes"
VERIFIED_NO = "no"
LEVEL_ORDER = [str(level) for level in LanguageLevel.values]
REINDEX_BATCH = 500

# Text ranks above contributions: a text match scores 2 to 3 by its rank, each matching practice a person is
# the contact for adds log(1 + n), so a profile that matches and has practices goes first, and someone found
# through practices alone comes after the text matches unless they are the contact for many.
TEXT_SCORE = 2.0


class _AnyMember:
    """A signed-in member who is not the person: whom the members' level is built for."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    pk = None


_MEMBER = _AnyMember()


def _viewer_at(level: int) -> Any:
    return None if level == LEVEL_PUBLIC else _MEMBER


def search_level(viewer: Any) -> int:
    """The level a viewer searches at: members (staff too, and owners looking for themselves) search the
    members' index, everyone else the public one."""
    return LEVEL_MEMBERS if is_member(viewer) else LEVEL_PUBLIC


def person_search_index(level: int) -> SearchIndex:
    return SearchIndex(PERSON_DOMAINS[min(level, LEVEL_MEMBERS)])


def organisation_search_index() -> SearchIndex:
    return SearchIndex(ORGANISATION_DOMAIN)


# --- Documents --------------------------------------------------------------------------------------------


def _interface_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _all_names(names: Mapping[str, str]) -> list[str]:
    return list(dict.fromkeys(name for name in names.values() if name))


@functools.cache
def _choice_labels(choices: type[models.TextChoices], value: str) -> tuple[str, ...]:
    """A choice's label in every interface language, so "Stadtverwaltung" finds a municipal administration."""
    label = choices(value).label
    labels = []
    for code in _interface_languages():
        with translation.override(code):
            labels.append(str(label))
    return tuple(dict.fromkeys(labels))


@functools.cache
def _language_translator(interface_language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso639-3", pycountry.LOCALES_DIR, languages=[interface_language], fallback=True
    )


def language_name(code: str, interface_language: str | None = None) -> str:
    """A spoken language's name in the interface language (pycountry's ISO 639 catalogues)."""
    record = pycountry.languages.get(alpha_2=code)
    if record is None:
        return code
    wanted = (interface_language or get_language() or "en")[:2]
    return str(_language_translator(wanted).gettext(record.name))


@functools.cache
def _language_names(code: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(language_name(code, language) for language in _interface_languages()))


def _profile_texts(person: PersonView) -> list[str]:
    """What a person's profile says, as the PersonView shows it, besides the name and topics of expertise."""
    parts = [person.position, person.bio]
    if person.organisation is not None:
        parts.append(person.organisation.name)
    if person.city is not None:
        parts.append(person.city.name)
    if person.country is not None:
        parts.extend(_all_names(person.country.names))
    if person.actor_type:
        parts.extend(_choice_labels(ActorType, person.actor_type))
    for skill in person.languages:
        parts.extend(_language_names(skill.code))
    return [part for part in parts if part]


def _document_language(person: PersonView) -> str:
    # The biography is the one long text; the rest (names, labels) stems well enough in its language.
    return person.bio_language if person.bio_language in STEMMER_LANGUAGES else "en"


def person_search_document(person: PersonView) -> Document:
    """What full-text search reads of a person: only what `person` (a view at one level) shows."""
    topics = [name for topic in person.expertise for name in _all_names(topic.names)]
    language = _document_language(person)
    # For matching by meaning: what the person does and knows, in the language of their biography.
    expertise = ", ".join(
        str(topic.names.get(language) or topic.names.get("en") or "") for topic in person.expertise
    )
    return Document(
        id=person.user_id,
        language=language,
        title=person.name,
        body="\n".join([*_profile_texts(person), *topics]),
        passages=tuple(part for part in (person.position, person.bio, expertise) if part),
    )


def organisation_search_document(organisation: Organisation) -> Document:
    language = (
        organisation.description_language if organisation.description_language in STEMMER_LANGUAGES else "en"
    )
    body = [organisation.description, *_choice_labels(OrganisationType, organisation.type)]
    if organisation.city is not None:
        body.append(organisation.city.name)
    body.extend(_all_names(organisation.country.names))
    return Document(id=organisation.pk, language=language, title=organisation.name, body="\n".join(body))


# --- Writing the indexes ----------------------------------------------------------------------------------


def _person_at(user: Any, level: int) -> PersonView | None:
    """The person as a viewer at `level` sees them, or None when such a viewer may not open the profile."""
    if user is None or not user.is_active or user.deleted_at is not None:
        return None
    person = person_view(user, _viewer_at(level))
    return person if person.url is not None else None


def _index_users(user_ids: Sequence[int], users: Iterable[Any], *, vectors: bool = True) -> int:
    """Write each person's document at each level, or remove it where they cannot be seen.

    users: the users among `user_ids` that exist, loaded with `with_profile_data`.
    Returns how many are in the members' index (everyone in the public one is in it too).
    """
    by_id = {user.pk: user for user in users}
    indexed = 0
    for level, domain in PERSON_DOMAINS.items():
        documents: list[Document] = []
        gone: list[int] = []
        for user_id in user_ids:
            person = _person_at(by_id.get(user_id), level)
            if person is None:
                gone.append(user_id)
            else:
                documents.append(person_search_document(person))
        index = SearchIndex(domain)
        index.index(documents)
        index.remove(gone)
        if vectors:
            meaning = VectorIndex(domain)
            meaning.index(documents)
            meaning.remove(gone)
        indexed = len(documents)
    return indexed


def index_person(user_id: int) -> bool:
    """Index a person at each visibility level, or remove them where their profile is not visible (hidden,
    inactive or deleted account, no profile). True when they are in the members' index."""
    with transaction.atomic():
        users = list(with_profile_data(User.objects.filter(pk=user_id)))
        return _index_users([user_id], users) > 0


def index_organisation(organisation_id: int) -> bool:
    """Index an organisation, or remove it when deleted; True when it is indexed.

    Its people are indexed again too: their documents name the organisation they work for.
    """
    with transaction.atomic():
        index = organisation_search_index()
        organisation = (
            Organisation.objects.select_related("city", "country").filter(pk=organisation_id).first()
        )
        meaning = VectorIndex(ORGANISATION_DOMAIN)
        if organisation is None:
            index.remove([organisation_id])
            meaning.remove([organisation_id])
        else:
            document = organisation_search_document(organisation)
            index.index([document])
            meaning.index([document])
        people = list(
            User.objects.filter(organisation_id=organisation_id).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(people), REINDEX_BATCH):
            batch = people[start : start + REINDEX_BATCH]
            _index_users(batch, with_profile_data(User.objects.filter(pk__in=batch)))
    return organisation is not None


def _candidate_ids() -> Any:
    return User.objects.filter(
        is_active=True, deleted_at__isnull=True, profile__visibility__in=visibilities_at(LEVEL_MEMBERS)
    ).values_list("pk", flat=True)


def person_documents(level: int, ids: Sequence[int]) -> list[Document]:
    """The documents of the people among `ids` that a viewer at `level` may find."""
    documents = []
    for user in with_profile_data(User.objects.filter(pk__in=list(ids)).order_by("pk")):
        person = _person_at(user, level)
        if person is not None:
            documents.append(person_search_document(person))
    return documents


def organisation_documents(ids: Sequence[int]) -> list[Document]:
    organisations = Organisation.objects.select_related("city", "country").filter(pk__in=list(ids))
    return [organisation_search_document(organisation) for organisation in organisations.order_by("pk")]


def register_directory_vectors() -> None:
    """The directory's domains for `manage.py vectors` (people at each level, organisations)."""
    from connective.search.sources import VectorSource, register_vector_source

    for level, domain in PERSON_DOMAINS.items():
        register_vector_source(
            VectorSource(
                domain=domain,
                ids=_candidate_ids,
                documents=functools.partial(person_documents, level),
            )
        )
    register_vector_source(
        VectorSource(
            domain=ORGANISATION_DOMAIN,
            ids=lambda: Organisation.objects.values_list("pk", flat=True),
            documents=organisation_documents,
        )
    )


def directory_reindex_all() -> tuple[int, int]:
    """Rebuild the people and organisation indexes from the database.

    Returns (people in the members' index, organisations). One transaction: readers keep the old indexes
    until the new ones are complete. Words only: `manage.py vectors --refresh` encodes what has no vector.
    """
    people_index = [SearchIndex(domain) for domain in PERSON_DOMAINS.values()]
    organisations_index = organisation_search_index()
    people = 0
    organisations = 0
    with transaction.atomic():
        for index in [*people_index, organisations_index]:
            index.clear()
        candidates = User.objects.filter(
            is_active=True, deleted_at__isnull=True, profile__visibility__in=visibilities_at(LEVEL_MEMBERS)
        ).order_by("pk")
        last_pk = 0
        # Keyset batches keep memory flat however many people there are.
        while batch := list(with_profile_data(candidates.filter(pk__gt=last_pk))[:REINDEX_BATCH]):
            people += _index_users([user.pk for user in batch], batch, vectors=False)
            last_pk = batch[-1].pk
        all_organisations = Organisation.objects.select_related("city", "country").order_by("pk")
        last_pk = 0
        while chunk := list(all_organisations.filter(pk__gt=last_pk)[:REINDEX_BATCH]):
            organisations_index.index(organisation_search_document(o) for o in chunk)
            organisations += len(chunk)
            last_pk = chunk[-1].pk
    return people, organisations


# --- Facet tables -----------------------------------------------------------------------------------------


class DirectoryTable(FacetTable):
    """A facet table that also knows the alphabetical order of its records (`by_name`)."""

    def __init__(self, *, by_name: Sequence[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.by_name = self.rows_in_order(by_name)


def people_facet_table(level: int) -> DirectoryTable:
    """Facet values of the people a viewer at `level` may find, counting only fields visible at that level."""
    level = min(level, LEVEL_MEMBERS)
    table = facet_table(person_search_index(level), functools.partial(_build_people_table, level))
    assert isinstance(table, DirectoryTable)
    return table


def _build_people_table(level: int, version: str) -> DirectoryTable:
    vocabulary = search_vocabulary()
    parents = {slug: parent for slug, _names, parent in vocabulary.topics}
    visible = visibilities_at(level)
    people = User.objects.filter(
        is_active=True, deleted_at__isnull=True, profile__visibility__in=visible
    ).order_by()
    rows = list(
        people.values_list(
            "pk",
            "first_name",
            "last_name",
            "date_joined",
            "country_id",
            "country__region__slug",
            "city_id",
            "organisation_id",
            "profile__place_visibility",
            "profile__organisation_visibility",
            "profile__actor_type",
            "profile__actor_type_visibility",
        )
    )
    topic_links = [
        (user_id, vocabulary.topic_slugs[topic_id])
        for user_id, topic_id in Profile.expertise.through.objects.filter(
            profile__user__in=people, profile__expertise_visibility__in=visible
        ).values_list("profile__user_id", "topic_id")
        if topic_id in vocabulary.topic_slugs
    ]
    spoken = list(
        ProfileLanguage.objects.filter(
            profile__user__in=people, profile__languages_visibility__in=visible
        ).values_list("profile__user_id", "language", "level")
    )

    def shown(visibility: str) -> bool:
        return visible_at(visibility, level)

    newest = sorted(rows, key=lambda row: (row[3].timestamp(), row[0]), reverse=True)
    by_name = sorted(rows, key=lambda row: (fold(row[2]), fold(row[1]), row[0]))
    return DirectoryTable(
        ids=[row[0] for row in rows],
        columns={
            "actor": [row[10] if row[10] and shown(row[11]) else None for row in rows],
            "country": [row[4] if shown(row[8]) else None for row in rows],
            "region": [row[5] if shown(row[8]) else None for row in rows],
            "city": [row[6] if shown(row[8]) else None for row in rows],
            "organisation": [row[7] if shown(row[9]) else None for row in rows],
        },
        links={
            "topic": topic_links,
            # Someone with a cluster and one of its subtopics counts once for the cluster.
            "cluster": [(pk, parents.get(slug) or slug) for pk, slug in topic_links],
            "lang": [(pk, code) for pk, code, _level in spoken],
            "lang_level": [(pk, f"{code}:{skill}") for pk, code, skill in spoken],
        },
        order=[row[0] for row in newest],
        by_name=[row[0] for row in by_name],
        version=version,
    )


def organisation_facet_table() -> DirectoryTable:
    table = facet_table(organisation_search_index(), _build_organisation_table)
    assert isinstance(table, DirectoryTable)
    return table


def _build_organisation_table(version: str) -> DirectoryTable:
    rows = list(
        Organisation.objects.order_by().values_list(
            "pk",
            "name",
            "type",
            "country_id",
            "country__region__slug",
            "city_id",
            "verified_at",
            "created_at",
        )
    )
    newest = sorted(rows, key=lambda row: (row[7].timestamp(), row[0]), reverse=True)
    by_name = sorted(rows, key=lambda row: (fold(row[1]), row[0]))
    return DirectoryTable(
        ids=[row[0] for row in rows],
        columns={
            "type": [row[2] for row in rows],
            "country": [row[3] for row in rows],
            "region": [row[4] for row in rows],
            "city": [row[5] for row in rows],
            "verified": [VERIFIED_YES if row[6] else VERIFIED_NO for row in rows],
        },
        links={},
        order=[row[0] for row in newest],
        by_name=[row[0] for row in by_name],
        version=version,
    )


# --- Queries and results ----------------------------------------------------------------------------------


def _many(data: Mapping[str, Any], key: str) -> tuple[Any, ...]:
    return tuple(dict.fromkeys(data.get(key) or ()))


def _effective_sort(sort: str, q: str) -> str:
    if sort in (SORT_NAME, SORT_NEWEST):
        return sort
    return SORT_RELEVANCE if q else SORT_NAME


@dataclass(frozen=True)
class PeopleQuery:
    """A search of people: what the people page's GET parameters (filters.PeopleFilterForm) ask for."""

    q: str = ""
    topic: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    # The least level of the chosen languages (LanguageLevel); it narrows `lang` and means nothing without.
    level: str = ""
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    sort: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | PeopleQuery) -> PeopleQuery:
        if isinstance(data, PeopleQuery):
            return data
        return cls(
            q=(data.get("q") or "").strip(),
            topic=_many(data, "topic"),
            actor=_many(data, "actor"),
            lang=_many(data, "lang"),
            level=data.get("level") or "",
            country=_many(data, "country"),
            region=_many(data, "region"),
            sort=data.get("sort") or "",
        )

    @property
    def effective_sort(self) -> str:
        return _effective_sort(self.sort, self.q)


@dataclass(frozen=True)
class OrganisationQuery:
    q: str = ""
    type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    verified: tuple[str, ...] = ()
    sort: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any] | OrganisationQuery) -> OrganisationQuery:
        if isinstance(data, OrganisationQuery):
            return data
        return cls(
            q=(data.get("q") or "").strip(),
            type=_many(data, "type"),
            country=_many(data, "country"),
            region=_many(data, "region"),
            verified=_many(data, "verified"),
            sort=data.get("sort") or "",
        )

    @property
    def effective_sort(self) -> str:
        return _effective_sort(self.sort, self.q)


@dataclass(frozen=True)
class Reason:
    """Why a person was found. kind: "expertise", "profile", "practices" or "meaning"."""

    kind: str
    text: str


@dataclass(frozen=True)
class PersonResult:
    person: PersonView
    reasons: list[Reason]


@dataclass(frozen=True)
class OrganisationResult:
    organisation: Organisation
    # People of the organisation the viewer may find (who show the organisation at the viewer's level).
    people: int
    practices: int


@dataclass(frozen=True)
class CityActivity:
    city: City
    practices: int
    people: int
    organisations: int

    @property
    def total(self) -> int:
        return self.practices + self.people + self.organisations


ItemT = TypeVar("ItemT")


class DirectoryPage(ResultPage[ItemT]):
    """One page of a directory list, with the total, facet counts and the sort applied."""


def _empty_page(page: int, page_size: int, total: int, facets: dict[str, list[FacetValue]], sort: str) -> Any:
    num_pages = max(1, math.ceil(total / page_size))
    return DirectoryPage[Any](
        items=[],
        total=total,
        page=page,
        num_pages=num_pages,
        facets=facets,
        sort=sort,
        page_size=page_size,
        page_out_of_range=page > num_pages,
    )


@dataclass
class _Matched(Selection):
    """A query applied to a directory table: also the text's scores."""

    table: DirectoryTable
    score: Any

    def ordered(self, sort: str) -> Rows:
        """The rows of the matched records in the order of `sort`."""
        table = self.table
        rows = table.order if sort == SORT_NEWEST else table.by_name
        kept = rows[self.everything[rows]]
        if sort == SORT_RELEVANCE and self.score is not None:
            # Ties (the same score) stay in alphabetical order.
            kept = kept[np.argsort(-self.score[kept], kind="stable")]
        return kept


def _text_match(
    table: DirectoryTable, index: SearchIndex, q: str, extra: Mapping[int, int] | None = None
) -> tuple[Mask, Any] | None:
    """The mask and score of the records matching `q`, plus those in `extra` (id: number of contributions)."""
    ranked = hybrid_search(index, VectorIndex(index.domain), q, size=table.size)
    if ranked is None:
        return None
    score = np.zeros(table.size, dtype=np.float64)
    rows = table.rows_in_order(ranked)
    if len(rows):
        score[rows] = TEXT_SCORE + 1.0 - np.arange(len(rows), dtype=np.float64) / len(rows)
    if extra:
        ids = np.asarray(list(extra), dtype=np.int64)
        counts = np.asarray(list(extra.values()), dtype=np.float64)
        known = np.isin(ids, table.ids)
        extra_rows = table.rows_in_order(ids[known].tolist())
        score[extra_rows] += np.log1p(counts[known])
    return score > 0, score


def _paged(
    matched: _Matched | None, sort: str, page: int, page_size: int
) -> tuple[int, list[int], bool, int]:
    """(total, ids of the page, page out of range, number of pages)."""
    total = int(matched.everything.sum()) if matched is not None else 0
    num_pages = max(1, math.ceil(total / page_size))
    if matched is None or total == 0 or page > num_pages:
        return total, [], page > num_pages, num_pages
    rows = matched.ordered(sort)[(page - 1) * page_size : page * page_size]
    return total, [int(i) for i in matched.table.ids[rows]], False, num_pages


def _name(names: Mapping[str, str]) -> str:
    language = (get_language() or "en")[:2]
    return str(names.get(language) or names.get("en") or "")


def _facet_values(
    facet: str,
    options: Iterable[tuple[str, str]],
    counts: Mapping[str, int],
    selected: Iterable[Any],
    nested: Collection[str] = (),
) -> list[FacetValue]:
    chosen = {str(value) for value in selected}
    return [
        FacetValue(value, label, counts.get(value, 0), value in chosen, 1 if value in nested else 0)
        for value, label in options
        if counts.get(value, 0) or value in chosen
    ]


def _by_count(counts: Mapping[str, int], selected: Iterable[str]) -> list[str]:
    """Values with the most records first, then chosen values that have none (so they can be removed)."""
    ordered = [value for value, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return ordered + [value for value in selected if value not in counts]


def _place_facets(
    query: Any, vocabulary: SearchVocabulary, country: Mapping[str, int], region: Mapping[str, int]
) -> dict[str, list[FacetValue]]:
    countries = [
        (code, _name(vocabulary.countries.get(code, {})) or code)
        for code in _by_count(country, query.country)
    ]
    return {
        "country": _facet_values("country", countries, country, query.country),
        "region": _facet_values(
            "region", [(slug, _name(names)) for slug, _pk, names in vocabulary.regions], region, query.region
        ),
    }


def _counted(table: FacetTable, facet: str, mask: Mask) -> dict[str, int]:
    return {str(value): n for value, n in table.count(facet, mask).items() if value is not None}


# --- People -----------------------------------------------------------------------------------------------


def _levels_from(level: str) -> list[str]:
    """The language levels at least as good as `level`."""
    return LEVEL_ORDER[LEVEL_ORDER.index(level) :] if level in LEVEL_ORDER else LEVEL_ORDER


def _practice_contacts(q: str) -> tuple[dict[int, int], tuple[FacetTable, Mask] | None]:
    """Contact people of the published practices matching `q`: user id -> how many, and those practices.

    Counted in the practice facet table (its "contact" column) over the index's matches: a broad word
    matching 24,000 practices costs a few milliseconds, where a GROUP BY over them took 26 ms.
    """
    ids = practice_search_index().matching(q)
    if not ids:
        return {}, None
    table = practice_facet_table()
    matched = table.mask_of(table.rows_in_order(ids))
    counts = {int(pk): n for pk, n in table.count("contact", matched).items() if pk is not None}
    return counts, (table, matched)


def _contact_titles(practices: tuple[FacetTable, Mask] | None, user_ids: Collection[int]) -> dict[int, str]:
    """One matching practice title per contact person among `user_ids` (the page shown), in one query."""
    if practices is None or not user_ids:
        return {}
    table, matched = practices
    practice_ids = table.page(table.order, matched & table.where("contact", user_ids), 0, 10_000)
    rows = (
        practices_public()
        .filter(pk__in=practice_ids)
        .order_by()
        .values("contact_id")
        .annotate(title=Min("title"))
        .values_list("contact_id", "title")
    )
    return dict(rows)


def _people_match(
    search: PeopleQuery, level: int, vocabulary: SearchVocabulary
) -> tuple[_Matched | None, dict[int, int], tuple[FacetTable, Mask] | None]:
    table = people_facet_table(level)
    text, score = table.everything(), None
    contacts: dict[int, int] = {}
    practices: tuple[FacetTable, Mask] | None = None
    if search.q:
        contacts, practices = _practice_contacts(search.q)
        found = _text_match(table, person_search_index(level), search.q, contacts)
        if found is None:
            return None, {}, None
        text, score = found
    wanted: dict[str, Collection[Any]] = {
        # A cluster includes its subtopics.
        "topic": vocabulary.children(search.topic) if search.topic else (),
        "actor": search.actor,
        "country": search.country,
        "region": search.region,
    }
    filters = {facet: table.where(facet, values) for facet, values in wanted.items() if values}
    if search.lang:
        if search.level:
            pairs = [f"{code}:{skill}" for code in search.lang for skill in _levels_from(search.level)]
            filters["lang"] = table.where("lang_level", pairs)
        else:
            filters["lang"] = table.where("lang", search.lang)
    return _Matched(table=table, text=text, score=score, filters=filters), contacts, practices


def _people_facets(
    search: PeopleQuery, vocabulary: SearchVocabulary, matched: _Matched | None
) -> dict[str, list[FacetValue]]:
    counts: dict[str, dict[str, int]] = {facet: {} for facet in (*PEOPLE_FACETS, "cluster")}
    if matched is not None:
        table = matched.table
        for facet in ("topic", "actor", "country", "region"):
            counts[facet] = _counted(table, facet, matched.without(facet))
        counts["cluster"] = _counted(table, "cluster", matched.without("topic"))
        if search.level:
            # Each person has one level per language, so the sum over the levels counts people.
            wanted = set(_levels_from(search.level))
            for pair, n in _counted(table, "lang_level", matched.without("lang")).items():
                code, skill = pair.split(":", 1)
                if skill in wanted:
                    counts["lang"][code] = counts["lang"].get(code, 0) + n
        else:
            counts["lang"] = _counted(table, "lang", matched.without("lang"))
    clusters = {slug for slug, _names, parent in vocabulary.topics if parent is None}
    topic_counts = {**counts["topic"], **{s: n for s, n in counts["cluster"].items() if s in clusters}}
    languages = [(code, language_name(code)) for code in _by_count(counts["lang"], search.lang)]
    return {
        "topic": _facet_values(
            "topic",
            [(slug, _name(names)) for slug, names, _parent in vocabulary.topics],
            topic_counts,
            search.topic,
            nested={slug for slug, _names, parent in vocabulary.topics if parent},
        ),
        "actor": _facet_values(
            "actor", [(str(v), str(label)) for v, label in ActorType.choices], counts["actor"], search.actor
        ),
        "lang": _facet_values("lang", languages, counts["lang"], search.lang),
        **_place_facets(search, vocabulary, counts["country"], counts["region"]),
    }


def _terms(text: str, language: str) -> set[str]:
    return set(exact_terms(text).split()) | set(stemmed_terms(text, language).split())


def _query_words(q: str) -> list[tuple[str, list[Variant]]]:
    """Each searchable word of the query as typed, with the variants the index matches it by."""
    words: list[tuple[str, list[Variant]]] = []
    for word in dict.fromkeys(tokenize(q)):
        groups = query_variants(word)
        if groups:
            words.append((word, groups[0]))
    return words[:MAX_QUERY_TERMS]


def _hits(variants: Sequence[Variant], terms: Collection[str]) -> bool:
    return any(
        term == variant.term or (variant.prefix and term.startswith(variant.term))
        for variant in variants
        for term in terms
    )


def _reasons(
    person: PersonView, words: Sequence[tuple[str, list[Variant]]], contact: tuple[int, str] | None
) -> list[Reason]:
    """Why `person` (a view at the level searched) was found; it cites only what that view shows."""
    reasons: list[Reason] = []
    topics = [
        topic.name
        for topic in person.expertise
        if any(
            _hits(variants, _terms(name, language if language in STEMMER_LANGUAGES else "en"))
            for language, name in topic.names.items()
            for _word, variants in words
        )
    ]
    if topics:
        reasons.append(Reason("expertise", _("Expertise: %(topics)s") % {"topics": ", ".join(topics)}))
    terms = _terms("\n".join(_profile_texts(person)), _document_language(person))
    mentioned = [word for word, variants in words if _hits(variants, terms)]
    if mentioned:
        quoted = ", ".join(f"“{word}”" for word in mentioned)
        reasons.append(Reason("profile", _("Profile mentions %(words)s") % {"words": quoted}))
    if contact is not None:
        count, title = contact
        text = ngettext(
            "Contact for %(count)d matching practice: “%(title)s”",
            "Contact for %(count)d matching practices: “%(title)s” and others",
            count,
        ) % {"count": count, "title": title}
        reasons.append(Reason("practices", text))
    return reasons


def people_search(
    *, viewer: Any, query: Mapping[str, Any] | PeopleQuery, page: int = 1, page_size: int = 20
) -> DirectoryPage[PersonResult]:
    """Search the people `viewer` may find: one page of results, the total and facet counts.

    query: PeopleFilterForm's cleaned_data (invalid fields absent) or a PeopleQuery. Keys: q (text, any
        language; also finds the contact people of published practices matching it), topic (slugs; a cluster
        includes its subtopics), actor (ActorType values), lang (ISO 639-1 codes), level (least
        LanguageLevel of those languages), country (ISO codes), region (slugs), sort ("relevance", "name",
        "newest"; default relevance with text, name without). Values of one facet are alternatives (OR);
        facets combine (AND).
    Returns DirectoryPage(items: list[PersonResult(person: PersonView for `viewer`, reasons)], total, page,
    num_pages, facets: {"topic"|"actor"|"lang"|"country"|"region": [FacetValue]}, sort).
    Everything (text, facets, counts, reasons) is at the viewer's level: a visitor never finds anyone by a
    field shown to members only. Queries: at most 7 (index version, text match, practice contacts, the page
    with its profile data in 4), plus 3 when the facet table is rebuilt and 4 for a cold vocabulary cache.
    """
    search = PeopleQuery.from_data(query)
    level = search_level(viewer)
    vocabulary = search_vocabulary()
    page = max(1, int(page))
    matched, contacts, practices = _people_match(search, level, vocabulary)
    total, ids, out_of_range, num_pages = _paged(matched, search.effective_sort, page, page_size)
    result: DirectoryPage[PersonResult] = DirectoryPage(
        items=[],
        total=total,
        page=page,
        num_pages=num_pages,
        facets=_people_facets(search, vocabulary, matched),
        sort=search.effective_sort,
        page_size=page_size,
        page_out_of_range=out_of_range,
    )
    if not ids:
        return result
    # The table may be a moment behind a change of visibility: the query checks it again.
    # A result shows no links: one query fewer.
    users = with_profile_data(
        User.objects.filter(
            pk__in=ids,
            is_active=True,
            deleted_at__isnull=True,
            profile__visibility__in=visibilities_at(level),
        ),
        links=False,
    ).order_by()
    found = {user.pk: user for user in users}
    words = _query_words(search.q) if search.q else []
    titles = _contact_titles(practices, [pk for pk in ids if pk in contacts]) if words else {}
    for user_id in ids:
        user = found.get(user_id)
        if user is None:
            continue
        contact = (contacts[user_id], titles[user_id]) if user_id in titles else None
        shown = person_view(user, viewer, links=False)
        # Reasons cite what the level searched shows; that is what the viewer sees, unless it is their own.
        at_level = (
            shown
            if viewer_level(viewer, user_id) == level
            else person_view(user, _viewer_at(level), links=False)
        )
        reasons = _reasons(at_level, words, contact) if words else []
        result.items.append(PersonResult(person=shown, reasons=reasons))
    _meaning_reasons(result.items, search.q, level)
    return result


def _meaning_reasons(items: Sequence[PersonResult], q: str, level: int) -> None:
    """Someone found by the meaning of the query alone is shown with the part of their profile that matched.

    The passages are stored per level, so they quote only what the level searched shows. One query, and only
    when someone on the page has no other reason.
    """
    unexplained = {item.person.user_id: item for item in items if not item.reasons}
    vector = query_vector(q) if q and unexplained else None
    if vector is None:
        return
    for user_id, passage in VectorIndex(PERSON_DOMAINS[level]).passages(vector, list(unexplained)).items():
        quoted = Truncator(passage.text).chars(160)
        text = _("Close in meaning to your search: “%(text)s”") % {"text": quoted}
        unexplained[user_id].reasons.append(Reason("meaning", text))


# --- Organisations ----------------------------------------------------------------------------------------


def _organisation_match(search: OrganisationQuery) -> _Matched | None:
    table = organisation_facet_table()
    text, score = table.everything(), None
    if search.q:
        found = _text_match(table, organisation_search_index(), search.q)
        if found is None:
            return None
        text, score = found
    wanted = {
        "type": search.type,
        "country": search.country,
        "region": search.region,
        "verified": search.verified,
    }
    filters = {facet: table.where(facet, values) for facet, values in wanted.items() if values}
    return _Matched(table=table, text=text, score=score, filters=filters)


def _organisation_facets(
    search: OrganisationQuery, vocabulary: SearchVocabulary, matched: _Matched | None
) -> dict[str, list[FacetValue]]:
    counts: dict[str, dict[str, int]] = {facet: {} for facet in ORGANISATION_FACETS}
    if matched is not None:
        for facet in ORGANISATION_FACETS:
            counts[facet] = _counted(matched.table, facet, matched.without(facet))
    verified = [(VERIFIED_YES, _("Verified")), (VERIFIED_NO, _("Not verified"))]
    return {
        "type": _facet_values(
            "type",
            [(str(v), str(label)) for v, label in OrganisationType.choices],
            counts["type"],
            search.type,
        ),
        **_place_facets(search, vocabulary, counts["country"], counts["region"]),
        "verified": _facet_values("verified", verified, counts["verified"], search.verified),
    }


def _organisation_people(viewer: Any) -> dict[int, int]:
    """Per organisation, how many people the viewer may find there (who show their organisation to them)."""
    table = people_facet_table(search_level(viewer))
    return {int(pk): n for pk, n in table.count("organisation", table.everything()).items() if pk is not None}


def _with_practice_count(queryset: models.QuerySet[Organisation]) -> models.QuerySet[Organisation]:
    published = Q(led_practices__status=PracticeStatus.PUBLISHED)
    return queryset.select_related("city", "country").annotate(
        practice_count=Count("led_practices", filter=published, distinct=True)
    )


def organisation_search(
    *, viewer: Any, query: Mapping[str, Any] | OrganisationQuery, page: int = 1, page_size: int = 20
) -> DirectoryPage[OrganisationResult]:
    """Search organisations: one page, the total and facet counts.

    query: OrganisationFilterForm's cleaned_data or an OrganisationQuery. Keys: q, type (OrganisationType
        values), country (ISO codes), region (slugs), verified ("yes", "no"), sort ("relevance", "name",
        "newest"). Values of one facet are alternatives; facets combine.
    Returns DirectoryPage(items: list[OrganisationResult(organisation, people the viewer may find there,
    published practices it leads)], facets: {"type"|"country"|"region"|"verified": [FacetValue]}, ...).
    Queries: at most 4 (two index versions, the text match, the page), plus rebuilds of facet tables.
    """
    search = OrganisationQuery.from_data(query)
    vocabulary = search_vocabulary()
    page = max(1, int(page))
    matched = _organisation_match(search)
    total, ids, out_of_range, num_pages = _paged(matched, search.effective_sort, page, page_size)
    result: DirectoryPage[OrganisationResult] = DirectoryPage(
        items=[],
        total=total,
        page=page,
        num_pages=num_pages,
        facets=_organisation_facets(search, vocabulary, matched),
        sort=search.effective_sort,
        page_size=page_size,
        page_out_of_range=out_of_range,
    )
    if not ids:
        return result
    people = _organisation_people(viewer)
    found = {o.pk: o for o in _with_practice_count(Organisation.objects.filter(pk__in=ids)).order_by()}
    result.items = [
        OrganisationResult(found[pk], people.get(pk, 0), found[pk].practice_count)  # type: ignore[attr-defined]
        for pk in ids
        if pk in found
    ]
    return result


def organisation_get(*, viewer: Any, slug: str) -> OrganisationResult:
    """An organisation with its counts as the viewer sees them, or 404. Organisations are public records."""
    organisation = _with_practice_count(Organisation.objects.filter(slug=slug)).first()
    if organisation is None:
        raise Http404("No such organisation.")
    people = _organisation_people(viewer).get(organisation.pk, 0)
    return OrganisationResult(organisation, people, organisation.practice_count)  # type: ignore[attr-defined]


# --- Cities -----------------------------------------------------------------------------------------------


def _city_counts(viewer: Any) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per city id: published practices, people the viewer may find there (who show their place to the
    viewer), organisations."""

    def per_city(table: FacetTable) -> dict[int, int]:
        return {int(pk): n for pk, n in table.count("city", table.everything()).items() if pk is not None}

    return (
        per_city(practice_facet_table()),
        per_city(people_facet_table(search_level(viewer))),
        per_city(organisation_facet_table()),
    )


def _activity(city: City, counts: tuple[dict[int, int], dict[int, int], dict[int, int]]) -> CityActivity:
    practices, people, organisations = counts
    return CityActivity(
        city=city,
        practices=practices.get(city.pk, 0),
        people=people.get(city.pk, 0),
        organisations=organisations.get(city.pk, 0),
    )


def city_activity_search(
    *,
    viewer: Any,
    country: Sequence[str] = (),
    region: Sequence[str] = (),
    page: int = 1,
    page_size: int = 50,
) -> DirectoryPage[CityActivity]:
    """Cities with activity (a published practice, a person the viewer may find, an organisation), the most
    active first, then by name; filtered by country codes and region slugs (alternatives within each).
    Queries: at most 5 (three index versions, the active cities, the page), plus facet table rebuilds."""
    counts = _city_counts(viewer)
    page = max(1, int(page))
    active = set(counts[0]) | set(counts[1]) | set(counts[2])
    cities = City.objects.filter(pk__in=active)
    if country:
        cities = cities.filter(country_id__in=country)
    if region:
        cities = cities.filter(country__region__slug__in=region)

    def total(pk: int) -> int:
        return sum(found.get(pk, 0) for found in counts)

    ordered = sorted(cities.values_list("pk", "name"), key=lambda row: (-total(row[0]), fold(row[1]), row[0]))
    result: DirectoryPage[CityActivity] = _empty_page(page, page_size, len(ordered), {}, "activity")
    if result.page_out_of_range:
        return result
    ids = [pk for pk, _name in ordered[(page - 1) * page_size : page * page_size]]
    found = {c.pk: c for c in City.objects.filter(pk__in=ids).select_related("country__region")}
    result.items = [_activity(found[pk], counts) for pk in ids if pk in found]
    return result


def city_activity_get(*, viewer: Any, geoname_id: int) -> CityActivity:
    """A city (by GeoNames id) with its counts as the viewer sees them, or 404 when it is not known."""
    city = City.objects.select_related("country__region").filter(geoname_id=geoname_id).first()
    if city is None:
        raise Http404("No such city.")
    return _activity(city, _city_counts(viewer))
