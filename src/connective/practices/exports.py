"""One flat record per practice: what the CSV and JSON exports write and what `import_practices` reads.

The record is a dict of plain values (text, numbers, lists of text); CSV cells join lists with '|', escaping a
literal '|' or '\\' with a backslash so any title survives the round trip. Images and documents are files, so
they are not part of the record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet

from connective.practices.models import (
    SECTIONS,
    LinkKind,
    Practice,
    PracticeLink,
    PracticeRelation,
    PracticeStatus,
)

SECTION_FIELDS: list[str] = [field for field, _label in SECTIONS]

# Columns import_practices reads, in the order the export writes them.
COLUMNS: list[str] = [
    "slug",
    "title",
    "summary",
    "language",
    "country",
    "city",
    "geoname_id",
    "latitude",
    "longitude",
    "topics",
    "sdgs",
    *SECTION_FIELDS,
    "start_year",
    "end_year",
    "lead_organisation",
    "partners",
    "contact_email",
    "licence",
    "last_verified",
    "links",
    "sources",
    "related",
]
# Columns that follow from the others or from the platform; the export writes them, the import accepts and
# ignores them so an exported file can be imported unchanged.
EXPORT_ONLY_COLUMNS: list[str] = ["url", "region", "city_size", "published_at"]
EXPORT_COLUMNS: list[str] = COLUMNS + EXPORT_ONLY_COLUMNS
REQUIRED_COLUMNS: list[str] = ["slug", "title", "summary", "language", "country", "city", "topics"]
MULTI_VALUED: frozenset[str] = frozenset({"topics", "sdgs", "partners", "links", "sources", "related"})

EXPORT_LIMIT = 5000
SEPARATOR = "|"


def join_values(values: Iterable[Any]) -> str:
    return SEPARATOR.join(
        str(value).replace("\\", "\\\\").replace(SEPARATOR, "\\" + SEPARATOR) for value in values
    )


def split_values(cell: str) -> list[str]:
    """Inverse of `join_values`; blank items are dropped."""
    items: list[str] = []
    current: list[str] = []
    escaped = False
    for char in cell:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def format_link(title: str, url: str) -> str:
    return f"{title} <{url}>"


def parse_link(text: str) -> tuple[str, str]:
    """'Title <https://…>' -> (title, url); a bare address is its own title."""
    text = text.strip()
    if text.endswith(">") and " <" in text:
        title, _sep, url = text[:-1].rpartition(" <")
        return title.strip(), url.strip()
    return text, text


def format_relation(kind: str, slug: str) -> str:
    return f"{kind}:{slug}"


def with_export_data(queryset: QuerySet[Practice]) -> QuerySet[Practice]:
    """Everything a record holds, in a fixed number of queries per chunk."""
    return queryset.select_related(
        "city", "country", "region", "lead_organisation", "contact"
    ).prefetch_related(
        "topics",
        "sdgs",
        "partners",
        Prefetch("links", queryset=PracticeLink.objects.order_by("kind", "id")),
        # Only relations to published practices: a draft's slug is not for the public to read.
        Prefetch(
            "relations",
            queryset=PracticeRelation.objects.filter(target__status=PracticeStatus.PUBLISHED)
            .select_related("target")
            .order_by("id"),
        ),
    )


def practice_record(practice: Practice, *, include_contact_email: bool, url: str = "") -> dict[str, Any]:
    """The flat record of a practice loaded through `with_export_data`."""
    links = list(practice.links.all())
    record: dict[str, Any] = {
        "slug": practice.slug,
        "title": practice.title,
        "summary": practice.summary,
        "language": practice.language,
        "country": practice.country_id,
        "city": practice.city.name,
        "geoname_id": practice.city.geoname_id,
        "latitude": practice.latitude,
        "longitude": practice.longitude,
        "topics": [topic.slug for topic in practice.topics.all()],
        "sdgs": [sdg.number for sdg in practice.sdgs.all()],
    }
    for field in SECTION_FIELDS:
        record[field] = getattr(practice, field)
    record.update(
        {
            "start_year": practice.start_year,
            "end_year": practice.end_year,
            "lead_organisation": practice.lead_organisation.slug if practice.lead_organisation else "",
            "partners": [organisation.slug for organisation in practice.partners.all()],
            # The contact's address is never public; editors get it so they can move records between sites.
            "contact_email": practice.contact.email if include_contact_email and practice.contact else "",
            "licence": practice.licence,
            "last_verified": practice.last_verified.isoformat() if practice.last_verified else "",
            "links": [format_link(link.title, link.url) for link in links if link.kind == LinkKind.LINK],
            "sources": [format_link(link.title, link.url) for link in links if link.kind == LinkKind.SOURCE],
            "related": [format_relation(rel.kind, rel.target.slug) for rel in practice.relations.all()],
            "url": url,
            "region": practice.region.slug,
            "city_size": practice.city_size,
            "published_at": practice.published_at.isoformat() if practice.published_at else "",
        }
    )
    return record


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return join_values(value)
    return str(value)


class _Echo:
    """A file-like sink whose write() hands the line back, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(records: Iterable[dict[str, Any]], columns: Sequence[str] = EXPORT_COLUMNS) -> Iterator[str]:
    """CSV text, one line at a time, starting with a byte-order mark so spreadsheet programs read UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(columns)
    for record in records:
        yield writer.writerow([csv_cell(record.get(column)) for column in columns])


def json_chunks(
    records: Iterable[dict[str, Any]], *, meta: dict[str, Any], key: str = "practices"
) -> Iterator[str]:
    """A JSON object {...meta, "<key>": [...]}, written record by record."""
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    yield head + (f', "{key}": [' if meta else f'"{key}": [')
    for position, record in enumerate(records):
        yield ("," if position else "") + "\n" + json.dumps(record, ensure_ascii=False)
    yield "\n]}\n"


def records_to_csv(records: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    for line in csv_lines(records):
        buffer.write(line)
    return buffer.getvalue()
