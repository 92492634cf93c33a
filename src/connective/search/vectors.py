"""Matching by meaning: vectors of a domain's records, stored with them and searched in memory.

The interface the rest of the platform uses (practices, the directory, groups, events, and later experts,
project ideas and funding programmes) is small:

    vectors = VectorIndex("practice")
    vectors.index(documents)             # in a background task: encode what changed, store it
    vectors.remove(ids)
    found = vectors.search("¿cómo evitar inundaciones?")   # every record's score, or None without a model
    found.best(limit=10)                 # [Match(id, score, language)], best first
    vectors.similar(record_id, limit=5)  # records near one record, in any language
    vectors.passages(query_vector, ids)  # the passage of each record that matched, to say why

Documents are the full-text index's (`index.Document`: id, language, title, body, passages). A record is
encoded as its head (title and the first lines of its text: what it is about) and, separately, as passages
of its text, which serve only to explain a match. Vectors are written to the `Vector` table; each process
keeps one matrix per domain in memory and reloads it when the domain's vector version changes.

Same-language pull: a multilingual encoder puts texts of one language nearer each other than the meaning
alone warrants, so a Spanish query finds Spanish records first. Each language's pull (how far the mean of
the domain's records in that language lies from the mean of all, shrunk when a language has few) is
subtracted from every record and from the query before comparing (see bench/README.md for what it gained).

Scores are cosines of the corrected vectors, roughly -0.3 to 0.9; MATCH_THRESHOLD is where, on the relevance
set, a result stops being worth showing.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connections, transaction

from connective.search.embeddings import Encoder, encoder, normalised, query_vector
from connective.search.index import Document
from connective.search.versions import index_changed, index_version

logger = logging.getLogger(__name__)

# A record is a result for its meaning alone when it scores at least MATCH_THRESHOLD and no more than
# MATCH_MARGIN below the best record. Calibrated with `make bench-relevance`: the floor and margin keep every
# judged record the ranking puts in the first five, and cut a result list from a median of 26 records to 10.
MATCH_THRESHOLD = 0.10
MATCH_MARGIN = 0.20
# A submitted practice this close to a published one is probably the same practice written twice
# (practices/duplicates.py). Measured with the encoder on bench/relevance/records_*.json, the typed title and
# summary against the stored heads: the same practice reworded in its own language scored 0.704 to 0.857
# (6 rewordings, one per language), translated into another language 0.680 to 0.776 (6 translations into
# de, fr, es, pt, ar, en); different practices on the same problem in other cities scored at most 0.682
# (144 pairs; the next highest 0.648, 0.647) and unrelated records at most 0.563. The two kinds overlap by
# a hair (LED street lights in Kigali and Ouagadougou, 0.681; market compost in Kampala and Luanda, 0.682):
# no threshold parts them. 0.66 lies about midway between the third-closest different practice and the least
# alike duplicate, so every measured duplicate is caught and 2 of 144 near-twin practices are flagged too;
# a false warning costs the submitter one tick, a missed duplicate an editor's review and a double record.
DUPLICATE_THRESHOLD = 0.66
# How much each language's pull is trusted: a language with n records is corrected by n / (n + this).
MEAN_SHRINKAGE = 100.0
HEAD_CHARACTERS = 600
PASSAGE_CHARACTERS = 400
MAX_PASSAGES = 12
ENCODE_BATCH = 64

Vectors = npt.NDArray[np.float32]
_SENTENCE_END = re.compile(r"(?<=[.!?؟。])\s+")


@dataclass(frozen=True)
class Match:
    id: int
    score: float
    language: str


@dataclass(frozen=True)
class Passage:
    """The passage of a record nearest to what it was compared with."""

    record_id: int
    text: str
    score: float


def text_digest(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _clip(text: str, size: int) -> str:
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    cut = text[:size].rsplit(" ", 1)[0]
    return cut + " …"


def document_head(document: Document) -> str:
    """What a record is about: its title and the first lines of its text (its passages, when it names them:
    a body may end in names and labels in six languages, which say little about the record)."""
    text = " ".join(p for p in document.passages if p.strip()) if document.passages else document.body
    return _clip(f"{document.title}. {text}", HEAD_CHARACTERS)


def document_passages(document: Document) -> list[str]:
    """The record's text in passages of a few sentences, for saying which part of it matched."""
    if document.passages:
        paragraphs = [p for p in document.passages if p.strip()]
    else:
        paragraphs = [p for p in document.body.split("\n") if p.strip()]
    passages: list[str] = []
    for paragraph in paragraphs:
        current = ""
        for sentence in _SENTENCE_END.split(" ".join(paragraph.split())):
            if current and len(current) + len(sentence) + 1 > PASSAGE_CHARACTERS:
                passages.append(current)
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            passages.append(_clip(current, PASSAGE_CHARACTERS))
        if len(passages) >= MAX_PASSAGES:
            break
    return passages[:MAX_PASSAGES]


def pack_vector(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f2").tobytes()


def unpack_vectors(blobs: Sequence[bytes], dimension: int) -> Vectors:
    if not blobs:
        return np.zeros((0, dimension), dtype=np.float32)
    joined = np.frombuffer(b"".join(bytes(blob) for blob in blobs), dtype="<f2")
    return joined.reshape(len(blobs), -1).astype(np.float32)


class VectorTable:
    """A domain's record vectors in this process, corrected for each language's pull."""

    def __init__(
        self, *, ids: Sequence[int], languages: Sequence[str], vectors: Vectors, version: str
    ) -> None:
        self.version = version
        # Sorted by id, so that callers can find many rows at once (`np.searchsorted`).
        order = np.argsort(np.asarray(ids, dtype=np.int64), kind="stable")
        self.ids = np.asarray(ids, dtype=np.int64)[order]
        self.languages = [languages[i] for i in order]
        vectors = vectors[order] if len(vectors) else vectors
        self.row_of = {int(record_id): row for row, record_id in enumerate(self.ids)}
        self.dimension = int(vectors.shape[1]) if len(vectors) else 0
        self.means = self._means(vectors)
        corrected = vectors.copy()
        codes = np.asarray(self.languages)
        for language, mean in self.means.items():
            if language:
                corrected[codes == language] -= mean
        self.matrix: Vectors = normalised(corrected) if len(vectors) else vectors

    @property
    def size(self) -> int:
        return len(self.ids)

    def _means(self, vectors: Vectors) -> dict[str, Vectors]:
        """Each language's pull: how far its records' mean lies from the mean of all records.

        Shrunk by n / (n + MEAN_SHRINKAGE): a language with a handful of records has too noisy a mean to
        correct by, and a table of a few records is left nearly as encoded.
        """
        if not len(vectors):
            return {}
        overall = vectors.mean(axis=0)
        means = {}
        codes = np.asarray(self.languages)
        for language in set(self.languages):
            members = vectors[codes == language]
            weight = len(members) / (len(members) + MEAN_SHRINKAGE)
            means[language] = (weight * (members.mean(axis=0) - overall)).astype(np.float32)
        means[""] = np.zeros_like(overall, dtype=np.float32)
        return means

    def language_of(self, vector: np.ndarray) -> str:
        """The language whose records the vector sits nearest to ("" when the table knows none)."""
        candidates = [(code, pull) for code, pull in self.means.items() if code and np.any(pull)]
        if not candidates:
            return ""
        stacked = normalised(np.stack([pull for _, pull in candidates]))
        return candidates[int(np.argmax(stacked @ vector))][0]

    def corrected(self, vector: np.ndarray, language: str | None = None) -> Vectors:
        """The vector with its language's pull removed; the language is guessed when not given."""
        if not self.means:
            return np.asarray(vector, dtype=np.float32)
        code = language if language in self.means else self.language_of(vector)
        return normalised(np.asarray(vector, dtype=np.float32) - self.means.get(code, self.means[""]))

    def scores(self, vector: np.ndarray, language: str | None = None) -> npt.NDArray[np.float32]:
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        return self.matrix @ self.corrected(vector, language)


@dataclass
class Scores:
    """Every record's score against one query."""

    table: VectorTable
    values: npt.NDArray[np.float32]

    def best(
        self,
        *,
        limit: int = 10,
        minimum: float | None = None,
        allowed: Collection[int] | None = None,
        exclude: Collection[int] = (),
        margin: float | None = None,
    ) -> list[Match]:
        """The best records, best first: at most `limit`, scoring at least `minimum` and at most `margin`
        below the best of them, among `allowed` ids, without `exclude`."""
        values = self.values.copy()
        if allowed is not None:
            keep = np.zeros(len(values), dtype=bool)
            rows = [self.table.row_of[i] for i in allowed if i in self.table.row_of]
            keep[rows] = True
            values[~keep] = -np.inf
        for record_id in exclude:
            row = self.table.row_of.get(int(record_id))
            if row is not None:
                values[row] = -np.inf
        floor = -np.inf if minimum is None else minimum
        limit = min(limit, len(values))
        if limit <= 0:
            return []
        candidates = (
            np.argpartition(-values, limit - 1)[:limit] if limit < len(values) else np.arange(len(values))
        )
        candidates = candidates[np.argsort(-values[candidates], kind="stable")]
        if margin is not None and len(candidates) and np.isfinite(values[candidates[0]]):
            floor = max(floor, float(values[candidates[0]]) - margin)
        return [
            Match(int(self.table.ids[row]), float(values[row]), self.table.languages[row])
            for row in candidates
            if values[row] >= floor and np.isfinite(values[row])
        ]

    def of(self, record_id: int) -> float | None:
        row = self.table.row_of.get(int(record_id))
        return None if row is None else float(self.values[row])


_tables: dict[tuple[str, str], VectorTable] = {}
_refresh_asked: set[tuple[str, str]] = set()
_lock = threading.Lock()


def forget_vector_tables() -> None:
    """Drop every table held in this process (tests do; the next read reloads)."""
    with _lock:
        _tables.clear()
        _refresh_asked.clear()


class VectorIndex:
    """One domain's vectors on a database."""

    def __init__(self, domain: str, using: str = "default") -> None:
        self.domain = domain
        self.using = using

    @property
    def version_key(self) -> str:
        """The domain under which the vectors' version is kept (search.models.IndexVersion)."""
        return f"{self.domain}.vectors"

    def _objects(self) -> Any:
        from connective.search.models import Vector

        return Vector.objects.using(self.using).filter(domain=self.domain)

    # Writing

    def index(self, documents: Iterable[Document], *, model: Encoder | None = None) -> int:
        """Encode and store the documents whose text (or the model) changed. Returns how many were encoded.

        Without an encoder nothing is stored: the records are encoded once one is configured (`refresh`).
        """
        model = model or encoder()
        if model is None:
            return 0
        documents = list(documents)
        if not documents:
            return 0
        from connective.search.models import Vector

        wanted: dict[int, tuple[Document, list[str]]] = {}
        for document in documents:
            wanted[document.id] = (document, [document_head(document), *document_passages(document)])
        existing: dict[int, dict[int, tuple[str, str]]] = {}
        for record_id, part, name, digest in (
            self._objects()
            .filter(record_id__in=list(wanted))
            .values_list("record_id", "part", "model", "digest")
        ):
            existing.setdefault(record_id, {})[part] = (name, digest)
        changed = [
            record_id
            for record_id, (_, texts) in wanted.items()
            if existing.get(record_id)
            != {part: (model.name, text_digest(text)) for part, text in enumerate(texts)}
        ]
        if not changed:
            return 0
        for start in range(0, len(changed), ENCODE_BATCH):
            batch = changed[start : start + ENCODE_BATCH]
            texts = [text for record_id in batch for text in wanted[record_id][1]]
            encoded = model.encode(texts)
            rows = []
            position = 0
            for record_id in batch:
                document, parts = wanted[record_id]
                for part, text in enumerate(parts):
                    rows.append(
                        Vector(
                            domain=self.domain,
                            record_id=record_id,
                            part=part,
                            model=model.name,
                            language=document.language,
                            digest=text_digest(text),
                            excerpt="" if part == 0 else text,
                            vector=pack_vector(encoded[position]),
                        )
                    )
                    position += 1
            with transaction.atomic(using=self.using):
                self._objects().filter(record_id__in=batch).delete()
                Vector.objects.using(self.using).bulk_create(rows)
        self.mark_changed()
        return len(changed)

    def remove(self, ids: Iterable[int]) -> None:
        ids = [int(record_id) for record_id in ids]
        if ids and self._objects().filter(record_id__in=ids).delete()[0]:
            self.mark_changed()

    def clear(self) -> None:
        self._objects().delete()
        self.mark_changed()

    def mark_changed(self) -> None:
        # A random token, as for the full-text index (index.py, `_changed`).
        from connective.search.models import IndexVersion

        token = uuid.uuid4().hex
        IndexVersion.objects.using(self.using).update_or_create(
            domain=self.version_key, defaults={"token": token}
        )
        index_changed(self.version_key, token, self.using)

    # Reading

    def version(self) -> str:
        return index_version(self.version_key, self.using)

    def ids(self, *, model: str | None = None) -> set[int]:
        """Records holding a vector (of `model`, when given)."""
        vectors = self._objects().filter(part=0)
        if model is not None:
            vectors = vectors.filter(model=model)
        return set(vectors.values_list("record_id", flat=True))

    def table(self) -> VectorTable | None:
        """The domain's vectors of the configured model in this process; None without a model."""
        model = encoder()
        if model is None:
            return None
        version = self.version()
        key = (self.domain, str(connections[self.using].settings_dict["NAME"]))
        table = _tables.get(key)
        if table is not None and table.version == version:
            return table
        with _lock:
            table = _tables.get(key)
            if table is None or table.version != version:
                table = self._load(model, version)
                _tables[key] = table
        return table

    def _load(self, model: Encoder, version: str) -> VectorTable:
        rows = list(
            self._objects()
            .filter(part=0)
            .order_by("record_id")
            .values_list("record_id", "language", "vector", "model")
        )
        current = [row for row in rows if row[3] == model.name]
        if len(current) < len(rows):
            self._refresh_stale(model)
        return VectorTable(
            ids=[row[0] for row in current],
            languages=[row[1] for row in current],
            vectors=unpack_vectors([row[2] for row in current], model.dimension),
            version=version,
        )

    def _refresh_stale(self, model: Encoder) -> None:
        # Vectors of another model (an upgrade of the package) are not compared with this one's; the
        # records are encoded again in the background, asked once per process and model.
        key = (self.domain, model.name)
        if key in _refresh_asked:
            return
        _refresh_asked.add(key)
        from connective.search.tasks import vectors_refresh

        transaction.on_commit(lambda: vectors_refresh.enqueue(self.domain), using=self.using)

    def search(self, text: str, *, language: str | None = None) -> Scores | None:
        """Every record's score against what someone typed; None without a model or a word to go on."""
        vector = query_vector(text)
        if vector is None:
            return None
        return self.compare(vector, language=language)

    def compare(self, vector: np.ndarray, *, language: str | None = None) -> Scores | None:
        """Every record's score against a vector (of a query, or of a record of any domain)."""
        table = self.table()
        if table is None:
            return None
        return Scores(table, table.scores(vector, language))

    def record_vector(self, record_id: int) -> tuple[Vectors, str] | None:
        """The stored vector of one record of this domain and its language, as encoded (uncorrected)."""
        model = encoder()
        if model is None:
            return None
        row = (
            self._objects()
            .filter(record_id=record_id, part=0, model=model.name)
            .values_list("vector", "language")
        )
        found = next(iter(row), None)
        if found is None:
            return None
        return unpack_vectors([found[0]], model.dimension)[0], str(found[1])

    def similar(
        self, record_id: int, *, limit: int = 5, allowed: Collection[int] | None = None
    ) -> list[Match]:
        """The records nearest one record, in any language, best first (not the record itself)."""
        found = self.record_vector(record_id)
        if found is None:
            return []
        vector, language = found
        scores = self.compare(vector, language=language)
        if scores is None:
            return []
        return scores.best(
            limit=limit, minimum=MATCH_THRESHOLD, margin=MATCH_MARGIN, allowed=allowed, exclude=[record_id]
        )

    def passages(self, vector: np.ndarray, ids: Collection[int]) -> dict[int, Passage]:
        """For each record, its passage nearest the vector (records without passages are left out)."""
        model = encoder()
        if model is None or not ids:
            return {}
        rows = list(
            self._objects()
            .filter(record_id__in=list(ids), part__gt=0, model=model.name)
            .values_list("record_id", "excerpt", "vector")
        )
        if not rows:
            return {}
        scores = unpack_vectors([row[2] for row in rows], model.dimension) @ np.asarray(
            vector, dtype=np.float32
        )
        best: dict[int, Passage] = {}
        for (record_id, excerpt, _), score in zip(rows, scores, strict=True):
            if record_id not in best or score > best[record_id].score:
                best[record_id] = Passage(int(record_id), str(excerpt), float(score))
        return best
