"""A full-text index per domain, asked for the top results directly by the database's own engine.

Each domain (practices, later actors, events ...) has one index table named `search_<domain>` holding, per
record, its unstemmed title, its stemmed title and its stemmed body (see `text.py`). SQLite keeps it in an
FTS5 virtual table ranked by bm25 with column weights; PostgreSQL in a plain table with a weighted `tsvector`
and a GIN index, ranked by `ts_rank_cd` over a bounded candidate set. Both answer two questions: which records
match (as a subquery the caller combines with its own filters and facet counts) and which are the best k.

SQL here is built with f-strings only from the table name, which `_table()` restricts to [a-z0-9_], and from
constants; everything a user types travels as a query parameter (hence the `noqa: S608`).

Wagtail's search backend is not used for public search: on SQLite it re-runs the MATCH for every row and took
0.5 s to 100 s per query at 20,000 records, where FTS5's own top 20 took milliseconds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import QuerySet

from connective.search.text import MAX_QUERY_TERMS, Variant, exact_terms, query_variants, stemmed_terms
from connective.search.versions import index_changed, index_version

# Relative weight of a match in the unstemmed title, the stemmed title and the body.
WEIGHT_TITLE_EXACT = 10.0
WEIGHT_TITLE = 4.0
WEIGHT_BODY = 1.0

# PostgreSQL ranks at most this many matching rows; beyond it a query is too broad for rank order to matter.
CANDIDATE_LIMIT = 5000
# SQLite ranks every match up to this many; beyond, the matches in a title first (see `ranked`).
FULL_RANK_LIMIT = 5000

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class Document:
    """What the index keeps of one record: its title and its other text, in the record's language."""

    id: int
    language: str
    title: str
    body: str
    # The body's parts as the reader sees them (sections, paragraphs), for saying which part matched a query
    # by its meaning (vectors.py); empty: the body's lines.
    passages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    id: int
    score: float


def _table(domain: str) -> str:
    if not _NAME.match(domain):
        raise ValueError(f"Index names are lower-case letters, digits and '_', not {domain!r}.")
    return f"search_{domain}"


# --- Schema: used by migrations --------------------------------------------------------------------------


def create_index_table(schema_editor: BaseDatabaseSchemaEditor, domain: str) -> None:
    table = _table(domain)
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5(title_exact, title, body, tokenize = 'unicode61')"
        )
        # The default rank of the table, so `ORDER BY rank` (which FTS5 optimises) uses our column weights.
        schema_editor.execute(
            f"INSERT INTO {table}({table}, rank) VALUES "  # noqa: S608
            f"('rank', 'bm25({WEIGHT_TITLE_EXACT}, {WEIGHT_TITLE}, {WEIGHT_BODY})')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TABLE {table} ("
            "id bigint PRIMARY KEY, title_exact text NOT NULL, title text NOT NULL, body text NOT NULL, "
            "document tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('simple'::regconfig, title_exact), 'A') || "
            "setweight(to_tsvector('simple'::regconfig, title), 'B') || "
            "setweight(to_tsvector('simple'::regconfig, body), 'D')) STORED)"
        )
        schema_editor.execute(f"CREATE INDEX {table}_document ON {table} USING gin (document)")
    else:
        raise NotImplementedError(f"No full-text index for {vendor}.")


def drop_index_table(schema_editor: BaseDatabaseSchemaEditor, domain: str) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {_table(domain)}")


# --- Query expressions --------------------------------------------------------------------------------------


def _fts5_expression(groups: Sequence[Sequence[Variant]]) -> str:
    # Every term is letters and digits only (text.py), and double-quoted, so it is a plain string to FTS5:
    # words like AND, OR, NEAR typed by a user are searched for, never obeyed.
    parts = []
    for variants in groups:
        alternatives = [f'"{v.term}"' + (" *" if v.prefix else "") for v in variants]
        parts.append("(" + " OR ".join(alternatives) + ")")
    return " AND ".join(parts)


def _tsquery_expression(groups: Sequence[Sequence[Variant]]) -> str:
    parts = []
    for variants in groups:
        alternatives = [f"'{v.term}'" + (":*" if v.prefix else "") for v in variants]
        parts.append("(" + " | ".join(alternatives) + ")")
    return " & ".join(parts)


# --- The index ----------------------------------------------------------------------------------------------


class SearchIndex:
    """One domain's index on the default database."""

    def __init__(self, domain: str, using: str = "default") -> None:
        self.domain = domain
        self.table = _table(domain)
        self.using = using

    @property
    def vendor(self) -> str:
        return str(connections[self.using].vendor)

    # Writing

    def index(self, documents: Iterable[Document]) -> None:
        """Add or replace documents."""
        rows = [
            (
                doc.id,
                exact_terms(doc.title),
                stemmed_terms(doc.title, doc.language),
                stemmed_terms(doc.body, doc.language),
            )
            for doc in documents
        ]
        if not rows:
            return
        with connections[self.using].cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.executemany(f"DELETE FROM {self.table} WHERE rowid = %s", [(row[0],) for row in rows])  # noqa: S608
                cursor.executemany(
                    f"INSERT INTO {self.table}(rowid, title_exact, title, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    rows,
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table}(id, title_exact, title, body) VALUES (%s, %s, %s, %s) "  # noqa: S608
                    "ON CONFLICT (id) DO UPDATE SET title_exact = EXCLUDED.title_exact, "
                    "title = EXCLUDED.title, body = EXCLUDED.body",
                    rows,
                )
        self._changed()

    def remove(self, ids: Iterable[int]) -> None:
        key = "rowid" if self.vendor == "sqlite" else "id"
        params = [(int(record_id),) for record_id in ids]
        if params:
            with connections[self.using].cursor() as cursor:
                cursor.executemany(f"DELETE FROM {self.table} WHERE {key} = %s", params)  # noqa: S608
            self._changed()

    def clear(self) -> None:
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")  # noqa: S608
        self._changed()

    def _changed(self) -> None:
        # A new random token, not a counter: a rolled-back transaction (as between tests) restores an old
        # value, and a counter would then hand out the same number for different contents.
        from connective.search.models import IndexVersion

        token = uuid.uuid4().hex
        IndexVersion.objects.using(self.using).update_or_create(domain=self.domain, defaults={"token": token})
        index_changed(self.domain, token, self.using)

    def version(self) -> str:
        """The token of the index's last change ("" before the first): equal tokens, equal contents."""
        return index_version(self.domain, self.using)

    def ids(self) -> set[int]:
        key = "rowid" if self.vendor == "sqlite" else "id"
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT {key} FROM {self.table}")  # noqa: S608
            return {int(row[0]) for row in cursor.fetchall()}

    # Reading

    def expression(self, query: str) -> str | None:
        """The engine's match expression for what a user typed; None when it holds no searchable word."""
        groups = query_variants(query)
        if not groups:
            return None
        return _fts5_expression(groups) if self.vendor == "sqlite" else _tsquery_expression(groups)

    def match_sql(self, query: str) -> tuple[str, list[Any]] | None:
        """SQL selecting the ids of all matching records, for `id IN (...)`; None when nothing can match."""
        expression = self.expression(query)
        if expression is None:
            return None
        if self.vendor == "sqlite":
            return f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s", [expression]  # noqa: S608
        return f"SELECT id FROM {self.table} WHERE document @@ to_tsquery('simple', %s)", [expression]  # noqa: S608

    def matching(self, query: str) -> list[int] | None:
        """Ids of every matching record, in no particular order; None when the query holds no searchable word."""
        match = self.match_sql(query)
        if match is None:
            return None
        with connections[self.using].cursor() as cursor:
            cursor.execute(*match)
            return [int(row[0]) for row in cursor.fetchall()]

    def ranked(self, query: str, *, size: int | None = None) -> list[int] | None:
        """Ids of every matching record, best first; None when the query holds no searchable word.

        SQLite: up to FULL_RANK_LIMIT matches are all ranked by bm25. A broader query (a common word that
        thousands of records use) puts the records matching it in their title first, ranked by bm25, then
        the others, newest first: ranking every match cost 30 to 50 ms at 24,000 matches, and their order
        far down the list matters to nobody. PostgreSQL ranks the first CANDIDATE_LIMIT matches and lists
        the others after them, newest first. `size`: how many records the index holds, when the caller
        knows; an index of at most FULL_RANK_LIMIT records is ranked in one query.
        """
        expression = self.expression(query)
        if expression is None:
            return None
        with connections[self.using].cursor() as cursor:
            if self.vendor != "sqlite":
                cursor.execute(
                    f"WITH q AS (SELECT to_tsquery('simple', %s) AS query), "  # noqa: S608
                    f"ranked AS (SELECT c.id, ts_rank_cd({self._pg_weights}::float4[], c.document, q.query) "
                    f"AS score FROM (SELECT id, document FROM {self.table}, q WHERE document @@ q.query "
                    f"LIMIT {CANDIDATE_LIMIT}) AS c, q) "
                    f"SELECT s.id FROM {self.table} AS s CROSS JOIN q LEFT JOIN ranked AS r ON r.id = s.id "
                    "WHERE s.document @@ q.query ORDER BY COALESCE(r.score, -1) DESC, s.id DESC",
                    [expression],
                )
                return [int(row[0]) for row in cursor.fetchall()]
            select = f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s"  # noqa: S608
            small = size is not None and size <= FULL_RANK_LIMIT
            matches = [] if small else self.matching(query) or []
            if small or len(matches) <= FULL_RANK_LIMIT:
                cursor.execute(f"{select} ORDER BY rank, rowid DESC", [expression])
                return [int(row[0]) for row in cursor.fetchall()]
            cursor.execute(f"{select} ORDER BY rank, rowid DESC", [f"{{title_exact title}} : ({expression})"])
            in_title = [int(row[0]) for row in cursor.fetchall()]
        seen = set(in_title)
        return in_title + sorted((i for i in matches if i not in seen), reverse=True)

    def title_phrase(self, query: str, *, limit: int = 20) -> list[int]:
        """Records whose own title holds what was typed, word for word: a name or a code typed as-is.

        These come first in a search, whatever ranks by meaning, so that "Superblocks" finds the
        Superblocks.
        """
        terms = exact_terms(query).split()[:MAX_QUERY_TERMS]
        if not terms:
            return []
        with connections[self.using].cursor() as cursor:
            if self.vendor == "sqlite":
                # A phrase of letters-and-digits terms: nothing a user types is read as FTS5 syntax.
                phrase = '"' + " ".join(terms) + '"'
                cursor.execute(
                    f"SELECT rowid FROM {self.table} WHERE {self.table} MATCH %s ORDER BY rank LIMIT %s",  # noqa: S608
                    [f"{{title_exact}} : {phrase}", limit],
                )
            else:
                phrase = " <-> ".join(f"'{term}':A" for term in terms)
                cursor.execute(
                    f"SELECT id FROM {self.table} WHERE document @@ to_tsquery('simple', %s) "  # noqa: S608
                    "ORDER BY length(title_exact), id LIMIT %s",
                    [phrase, limit],
                )
            return [int(row[0]) for row in cursor.fetchall()]

    @property
    def _pg_weights(self) -> str:
        # Weights for D, C, B, A: body, (unused), stemmed title, unstemmed title.
        return f"'{{{WEIGHT_BODY / 10}, 0.2, {WEIGHT_TITLE / 10}, {WEIGHT_TITLE_EXACT / 10}}}'"

    def top(
        self, query: str, *, restrict: QuerySet[Any] | None = None, limit: int = 20, offset: int = 0
    ) -> list[Hit]:
        """The best matches, best first; `restrict` (a queryset of the domain's records) adds its filters."""
        expression = self.expression(query)
        if expression is None or limit <= 0:
            return []
        restrict_sql, restrict_params = "", []
        if restrict is not None:
            # No ORDER BY inside: it would stop SQLite from flattening the join.
            subquery, params = restrict.order_by().values("pk").query.sql_with_params()
            restrict_params = list(params)
        if self.vendor == "sqlite":
            # The filters join the index rather than `rowid IN (...)`: with IN, SQLite re-runs the MATCH for
            # every candidate id (measured: over 15 s at 100,000 records, against 50 ms joined).
            prefix = ""
            if restrict is not None:
                prefix = f"WITH allowed(id) AS ({subquery}) "
                restrict_sql = " JOIN allowed ON allowed.id = s.rowid"
            # bm25 scores are negative, better is lower; `rank` uses the weights set on the table.
            sql = (
                f"{prefix}SELECT s.rowid, s.rank FROM {self.table} AS s{restrict_sql} "  # noqa: S608
                f"WHERE s.{self.table} MATCH %s ORDER BY s.rank, s.rowid DESC LIMIT %s OFFSET %s"
            )
            params_all: list[Any] = [*restrict_params, expression, limit, offset]
            with connections[self.using].cursor() as cursor:
                cursor.execute(sql, params_all)
                return [Hit(int(row[0]), -float(row[1])) for row in cursor.fetchall()]
        if restrict is not None:
            restrict_sql = f" AND id IN ({subquery})"
        weights = self._pg_weights
        sql = (
            f"WITH q AS (SELECT to_tsquery('simple', %s) AS query), "  # noqa: S608
            f"candidates AS (SELECT id, document FROM {self.table}, q "
            f"WHERE document @@ q.query{restrict_sql} "
            f"LIMIT {CANDIDATE_LIMIT}) "
            f"SELECT id, ts_rank_cd({weights}::float4[], document, q.query) AS score FROM candidates, q "
            "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
        )
        with connections[self.using].cursor() as cursor:
            cursor.execute(sql, [expression, *restrict_params, limit, offset])
            return [Hit(int(row[0]), float(row[1])) for row in cursor.fetchall()]
