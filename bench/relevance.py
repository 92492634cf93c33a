"""How well search finds what it should, per language: `make bench-relevance`.

The relevance set in bench/relevance/ was written for this project: municipal practices in six languages
(records_*.json), each problem told by cities in three languages, and queries in six languages (keywords,
plain questions, exact names), each judged with the records that answer it (queries_*.json).

Every method runs the platform's own code on a scratch SQLite database: the full-text index (`SearchIndex`),
the vectors (`VectorIndex`, encoded by the configured encoder) and the fusion (`hybrid_ranked`).

    lexical    words alone (FTS5 bm25, stems of six languages)
    semantic   meaning alone, raw cosine of the encoder
    corrected  meaning alone, with each language's mean vector removed (the query's language guessed)
    rrf        equal-weight reciprocal-rank fusion of lexical and corrected (k = 60), for comparison
    combined   what ships: `hybrid_ranked` over corrected meaning and words, titles word for word first

Reported: recall@5 (share of a query's judged records in its first five) and MRR (1 / rank of the first
judged record), per query language and overall, and for queries whose judged records are in other languages.
Then speed: top 10 over 100,000 vectors, and indexing throughput.

    .venv/bin/python bench/relevance.py [--json bench/results/relevance.json] [--vectors 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "relevance"
LANGUAGES = ("en", "de", "fr", "es", "pt", "ar")
METHODS = ("lexical", "semantic", "corrected", "rrf", "combined")
K = 5


def _setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DEBUG", "1")
    os.environ["TASK_BACKEND"] = "immediate"
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connective.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load_set() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    records: list[dict[str, Any]] = []
    queries: list[dict[str, Any]] = []
    for path in sorted(DATA.glob("records_*.json")):
        records.extend(json.loads(path.read_text()))
    for path in sorted(DATA.glob("queries_*.json")):
        queries.extend(json.loads(path.read_text()))
    known = {record["id"] for record in records}
    for query in queries:
        missing = set(query["relevant"]) - known
        if missing:
            raise SystemExit(f"{query['id']} judges unknown records: {sorted(missing)}")
    return records, queries


def _documents(records: Sequence[dict[str, Any]]) -> list[Any]:
    from connective.search.index import Document

    return [
        Document(
            id=number,
            language=record["language"],
            title=record["title"],
            body="\n".join([record["summary"], record["body"], record["city"]]),
            passages=(record["summary"], record["body"]),
        )
        for number, record in enumerate(records, start=1)
    ]


def _metrics(ranked: Sequence[int], relevant: set[int]) -> tuple[float, float]:
    top = ranked[:K]
    recall = len(relevant & set(top)) / len(relevant)
    reciprocal = next((1.0 / (rank + 1) for rank, found in enumerate(ranked) if found in relevant), 0.0)
    return recall, reciprocal


def evaluate(records: list[dict[str, Any]], queries: list[dict[str, Any]]) -> dict[str, Any]:
    import numpy as np

    from connective.search.embeddings import encoder, query_vector
    from connective.search.hybrid import hybrid_ranked
    from connective.search.index import SearchIndex
    from connective.search.vectors import VectorIndex

    model = encoder()
    if model is None:
        raise SystemExit("No encoder: set SEMANTIC_ENCODER=use-m3 and install the project (make install).")
    documents = _documents(records)
    number_of = {record["id"]: number for number, record in enumerate(records, start=1)}
    language_of = {number: record["language"] for number, record in enumerate(records, start=1)}
    lexical_index = SearchIndex("practice")
    lexical_index.clear()
    lexical_index.index(documents)
    vectors = VectorIndex("relevance")
    vectors.clear()
    started = time.perf_counter()
    vectors.index(documents)
    indexing_seconds = time.perf_counter() - started
    table = vectors.table()
    assert table is not None

    raw = {
        int(record_id): vector
        for record_id, vector in zip(
            table.ids,
            np.stack([vectors.record_vector(int(i))[0] for i in table.ids]),  # type: ignore[index]
            strict=True,
        )
    }
    raw_ids = np.asarray(list(raw), dtype=np.int64)
    raw_matrix = np.stack(list(raw.values()))

    def by_raw(text: str) -> list[int]:
        vector = query_vector(text)
        assert vector is not None
        order = np.argsort(-(raw_matrix @ vector), kind="stable")
        return [int(raw_ids[i]) for i in order]

    def by_corrected(text: str) -> list[int]:
        found = vectors.search(text)
        assert found is not None
        return [match.id for match in found.best(limit=len(documents))]

    def combined(text: str) -> list[int]:
        ranked = hybrid_ranked(
            lexical=lexical_index.ranked(text) or [],
            scores=vectors.search(text),
            exact=lexical_index.title_phrase(text),
        )
        return ranked or []

    def equal_fusion(text: str) -> list[int]:
        fused: dict[int, float] = defaultdict(float)
        for ranking in (lexical_index.ranked(text) or [], by_corrected(text)):
            for rank, record_id in enumerate(ranking):
                fused[record_id] += 1.0 / (60 + rank)
        return sorted(fused, key=lambda record_id: -fused[record_id])

    methods: dict[str, Callable[[str], list[int]]] = {
        "lexical": lambda text: lexical_index.ranked(text) or [],
        "semantic": by_raw,
        "corrected": by_corrected,
        "rrf": equal_fusion,
        "combined": combined,
    }
    rows: dict[str, dict[str, list[tuple[float, float]]]] = {m: defaultdict(list) for m in METHODS}
    per_query: list[dict[str, Any]] = []
    pull: dict[str, list[float]] = defaultdict(list)
    for query in queries:
        relevant = {number_of[r] for r in query["relevant"]}
        other_language = {r for r in relevant if language_of[r] != query["language"]}
        result: dict[str, Any] = {"id": query["id"], "text": query["text"]}
        for method, rank in methods.items():
            ranked = rank(query["text"])
            recall, reciprocal = _metrics(ranked, relevant)
            for key in (query["language"], "all", f"kind:{query['kind']}"):
                rows[method][key].append((recall, reciprocal))
            if other_language:
                rows[method]["other-language"].append(_metrics(ranked, other_language))
            result[method] = [records[i - 1]["id"] for i in ranked[:K]]
            # The same-language pull: the share of the first five in the query's own language (one in six
            # of the records is in each language).
            same = sum(language_of[i] == query["language"] for i in ranked[:K]) / K
            pull[method].append(same)
        per_query.append(result)
    summary = {
        method: {
            key: {
                "recall@5": round(statistics.fmean(r for r, _ in values), 3),
                "mrr": round(statistics.fmean(m for _, m in values), 3),
                "queries": len(values),
            }
            for key, values in sorted(found.items())
        }
        for method, found in rows.items()
    }
    passages = vectors._objects().count()
    return {
        "records": len(records),
        "queries": len(queries),
        "model": model.name,
        "summary": summary,
        "indexing": {
            "records": len(documents),
            "vectors": passages,
            "seconds": round(indexing_seconds, 2),
            "records_per_second": round(len(documents) / indexing_seconds, 1),
            "vectors_per_second": round(passages / indexing_seconds, 1),
        },
        "same_language_share": {
            method: round(statistics.fmean(values), 3) for method, values in pull.items()
        },
        "thresholds": _score_spread(vectors, queries, number_of),
        "per_query": per_query,
    }


def _score_spread(vectors: Any, queries: list[dict[str, Any]], number_of: dict[str, int]) -> dict[str, float]:
    """Scores of judged and of other records, to see where MATCH_THRESHOLD falls."""
    judged: list[float] = []
    others: list[float] = []
    for query in queries:
        found = vectors.search(query["text"])
        relevant = {number_of[r] for r in query["relevant"]}
        for match in found.best(limit=10_000):
            (judged if match.id in relevant else others).append(match.score)
    judged.sort()
    others.sort()

    def quantile(values: list[float], share: float) -> float:
        return round(values[min(len(values) - 1, int(share * len(values)))], 3)

    return {
        "judged_p10": quantile(judged, 0.10),
        "judged_median": quantile(judged, 0.5),
        "others_median": quantile(others, 0.5),
        "others_p95": quantile(others, 0.95),
    }


def speed(count: int, queries: list[dict[str, Any]]) -> dict[str, Any]:
    """Top 10 over `count` vectors. The vectors are random unit vectors in six language groups: the time of a
    search does not depend on their values, only on their number and dimension."""
    import numpy as np

    from connective.search.embeddings import encoder, query_vector
    from connective.search.vectors import Scores, VectorTable

    model = encoder()
    assert model is not None
    rng = np.random.default_rng(7)
    matrix = rng.standard_normal((count, model.dimension)).astype(np.float32)
    started = time.perf_counter()
    table = VectorTable(
        ids=list(range(1, count + 1)),
        languages=[LANGUAGES[i % len(LANGUAGES)] for i in range(count)],
        vectors=matrix,
        version="bench",
    )
    load_seconds = time.perf_counter() - started
    vectors = [query_vector(query["text"]) for query in queries]
    search_ms: list[float] = []
    with_encoding_ms: list[float] = []
    for _ in range(3):
        for query, vector in zip(queries, vectors, strict=True):
            began = time.perf_counter()
            Scores(table, table.scores(vector)).best(limit=10)
            search_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            fresh = model.encode([query["text"] + " "])[0]
            Scores(table, table.scores(fresh)).best(limit=10)
            with_encoding_ms.append((time.perf_counter() - began) * 1000)

    def p95(values: list[float]) -> float:
        return round(sorted(values)[int(0.95 * len(values)) - 1], 2)

    return {
        "vectors": count,
        "searches": len(search_ms),
        "top10_median_ms": round(statistics.median(search_ms), 2),
        "top10_p95_ms": p95(search_ms),
        "with_query_encoding_median_ms": round(statistics.median(with_encoding_ms), 2),
        "with_query_encoding_p95_ms": p95(with_encoding_ms),
        "table_build_seconds": round(load_seconds, 2),
        "memory_mb": round(table.matrix.nbytes / 2**20, 1),
    }


def _print(report: dict[str, Any]) -> None:
    summary = report["summary"]
    print(f"Relevance set: {report['records']} records, {report['queries']} queries; model {report['model']}")
    columns = [*LANGUAGES, "other-language", "kind:keywords", "kind:question", "kind:name", "all"]
    print()
    print(f"{'recall@5 / MRR':<12}" + "".join(f"{c.replace('kind:', ''):>15}" for c in columns))
    for method in METHODS:
        cells = []
        for column in columns:
            found = summary[method].get(column)
            cells.append(f"{found['recall@5']:.2f} / {found['mrr']:.2f}" if found else "-")
        print(f"{method:<12}" + "".join(f"{cell:>15}" for cell in cells))
    indexing = report["indexing"]
    print()
    print(
        f"Indexing: {indexing['records']} records as {indexing['vectors']} vectors in {indexing['seconds']} s: "
        f"{indexing['records_per_second']} records/s, {indexing['vectors_per_second']} vectors/s"
    )
    print(f"Share of the first five in the query's language: {report['same_language_share']}")
    print(f"Scores: {report['thresholds']}")
    if "speed" in report:
        found = report["speed"]
        print(
            f"Speed: top 10 over {found['vectors']:,} vectors: median {found['top10_median_ms']} ms, "
            f"p95 {found['top10_p95_ms']} ms ({found['searches']} searches); with the query's encoding: "
            f"median {found['with_query_encoding_median_ms']} ms, p95 {found['with_query_encoding_p95_ms']} ms; "
            f"{found['memory_mb']} MB in memory"
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "relevance.json")
    parser.add_argument(
        "--vectors", type=int, default=100_000, help="How many vectors the speed test searches."
    )
    parser.add_argument("--strict", action="store_true", help="Exit 1 when what ships misses a target.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        _setup(Path(scratch) / "relevance.sqlite3")
        records, queries = load_set()
        report = evaluate(records, queries)
        if args.vectors:
            report["speed"] = speed(args.vectors, queries)
    _print(report)
    failures = _misses(report)
    for failure in failures:
        print(f"MISSED: {failure}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"\nWritten to {args.json}")
    return 1 if failures and args.strict else 0


def _misses(report: dict[str, Any]) -> list[str]:
    """The issue's targets: combined beats words in every language and matches the best method overall;
    top 10 over 100,000 vectors in under 20 ms."""
    summary = report["summary"]
    misses = []
    for language in LANGUAGES:
        ours, words = summary["combined"][language], summary["lexical"][language]
        if ours["recall@5"] <= words["recall@5"] and ours["mrr"] <= words["mrr"]:
            misses.append(f"combined does not beat lexical in {language}")
    best = max(summary[m]["all"]["recall@5"] for m in METHODS)
    if summary["combined"]["all"]["recall@5"] < best:
        misses.append(f"combined recall@5 {summary['combined']['all']['recall@5']} is below the best, {best}")
    if "speed" in report and report["speed"]["vectors"] >= 100_000 and report["speed"]["top10_p95_ms"] >= 20:
        misses.append(
            f"top 10 over {report['speed']['vectors']} vectors took {report['speed']['top10_p95_ms']} ms"
        )
    return misses


if __name__ == "__main__":
    sys.exit(main())
