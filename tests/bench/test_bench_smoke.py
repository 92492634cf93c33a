"""`make bench` on a small data set: the generator, the reuse of its data and the query count per page.

Timings are not asserted: they depend on the machine. The bench runs in subprocesses on its own SQLite file,
with production settings, exactly as `make bench` does.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_DIR / "bench"))

from run import Measurement, _Assets, check_targets  # noqa: E402

DIRECTORY_SCENARIOS = (
    "people directory",
    "people search: water",
    "people: language + topic",
    "people directory (member)",
    "people search: water (member)",
    "people: language + topic (member)",
    "organisations directory",
    "organisations search: water",
    "person page",
    "organisation page",
    "city page",
)


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_DIR, check=True, timeout=240, capture_output=True, text=True
    )


def test_bench_generates_data_and_keeps_list_and_practice_page_within_ten_queries(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    common = [
        *("--practices", "200", "--people", "300", "--organisations", "60"),
        *("--groups", "40", "--thread-posts", "300"),
        *("--database-url", database_url, "--var-dir", str(tmp_path)),
    ]
    generated = _bench("bench/generate.py", *common)
    output = tmp_path / "latest.json"

    _bench("bench/run.py", "--queries-only", "--output", str(output), *common)

    report = json.loads(output.read_text())
    assert "200 practices written" in generated.stdout
    assert report["dataset"]["generated"] is False  # the second run reused the data
    assert report["dataset"]["practices"] == 200
    assert report["dataset"]["indexed"] == 200
    scenarios = {s["name"]: s for s in report["scenarios"]}
    for name in ("list", "search en: water", "practice page"):
        assert scenarios[name]["status"] == 200, name
        assert 1 <= scenarios[name]["queries"] <= 10, (name, scenarios[name]["queries"])
    # The directory: 300 people and 60 organisations besides the practices' own 20 contact people (who get
    # a profile too) and 20 organisations.
    assert "300 directory people written" in generated.stdout
    assert (report["dataset"]["people"], report["dataset"]["organisations"]) == (320, 80)
    assert report["dataset"]["directory_generated"] is False
    # The working groups: 40 groups, the first with a thread of 300 posts (ten pages of 30).
    assert "40 groups with" in generated.stdout and "a thread of 300 posts" in generated.stdout
    assert (report["dataset"]["working_groups"], report["dataset"]["groups_generated"]) == (40, False)
    group_pages = [name for name in scenarios if name.startswith(("groups ", "group ", "thread page"))]
    assert len(group_pages) == 12
    for name in group_pages:
        assert scenarios[name]["status"] == 200, name
        assert 1 <= scenarios[name]["queries"] <= 10, (name, scenarios[name]["queries"])
    assert scenarios["thread page last"]["url"].endswith("?page=10")


def test_bench_directory_pages_answer_within_ten_queries_for_visitors_and_members(tmp_path: Path) -> None:
    pytest.importorskip("connective.network.search")
    database_url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    output = tmp_path / "latest.json"
    _bench(
        "bench/run.py",
        *("--queries-only", "--output", str(output), "--only", "people", "--only", "organisation"),
        *("--only", "person", "--only", "city"),
        *("--practices", "100", "--people", "200", "--organisations", "40", "--groups", "0"),
        *("--database-url", database_url, "--var-dir", str(tmp_path)),
    )

    report = json.loads(output.read_text())
    scenarios = {s["name"]: s for s in report["scenarios"]}
    assert sorted(scenarios) == sorted(DIRECTORY_SCENARIOS)
    for name in DIRECTORY_SCENARIOS:
        assert scenarios[name]["status"] == 200, name
        assert 1 <= scenarios[name]["queries"] <= 10, (name, scenarios[name]["queries"])
    # Members search a larger directory than visitors: their scenarios were really signed in.
    assert report["dataset"]["people_indexed_members"] > report["dataset"]["people_indexed_public"]


def test_bench_weighs_style_sheets_and_scripts_but_not_icons() -> None:
    parser = _Assets()
    parser.feed(
        '<link rel="stylesheet" href="/static/site.css"><link rel="icon" href="/static/favicon.svg">'
        '<link rel="canonical" href="/en/"><script src="/static/htmx.js" defer></script>'
        "<script>inline()</script>"
        '<link rel="preload" as="image" href="/static/hero.webp">'
    )

    assert parser.urls == ["/static/site.css", "/static/htmx.js"]


def test_bench_targets_fail_when_a_page_is_slow_heavy_or_chatty() -> None:
    fast = Measurement("practice page", "page", "/en/practices/x/", p95_ms=40.0, queries=8, page_kb=30.0)
    slow = Measurement("search", "search", "/en/practices/?q=x", p95_ms=150.0, queries=11, page_kb=70.0)

    assert [passed for _, passed, _ in check_targets([fast])] == [True, True, True]
    assert [passed for _, passed, _ in check_targets([fast, slow])] == [False, False, False]
