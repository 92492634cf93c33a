"""Import practices from the flat records of `exports.py`: every row is checked first, then all or nothing.

An import that stops half-way leaves editors guessing which rows made it, so nothing is written until every
row of the file is valid, and then everything is written in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connective.accounts.models import User
from connective.core.models import SDG, City, CitySize, Country, Topic
from connective.core.places import ascii_fold, load_cities
from connective.core.services import audit_log_record
from connective.network.models import Organisation
from connective.practices.exports import (
    COLUMNS,
    EXPORT_COLUMNS,
    MULTI_VALUED,
    REQUIRED_COLUMNS,
    SECTION_FIELDS,
    parse_link,
    split_values,
)
from connective.practices.models import (
    ContentLanguage,
    Licence,
    LinkKind,
    Practice,
    PracticeLink,
    PracticeRelation,
    PracticeStatus,
    RelationKind,
)

IMPORT_STATUSES = (PracticeStatus.PUBLISHED, PracticeStatus.DRAFT)
EARLIEST_YEAR = 1900
# A running practice may name the year it is planned to end.
YEARS_AHEAD = 10


@dataclass(frozen=True)
class SourceRecord:
    """One record of the file with where it came from: 'line 3' of a CSV file, 'item 0' of a JSON list."""

    where: str
    values: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    where: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.field}: {self.message}"


class PracticeImportError(Exception):
    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = list(errors)


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)


@dataclass
class _Row:
    where: str
    slug: str
    fields: dict[str, Any]
    topics: list[Topic]
    sdgs: list[SDG]
    partners: list[Organisation]
    links: list[tuple[str, str, str]]
    related: list[tuple[str, str]]


# --- Reading files --------------------------------------------------------------------------------


def read_practice_file(*, data: bytes, name: str) -> list[SourceRecord]:
    """The records of a CSV or JSON file, told apart by the file name's extension or else by the content."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PracticeImportError(
            [
                RowError(
                    "line 1",
                    "file",
                    _("The file is not UTF-8 text (byte %(position)d).") % {"position": exc.start},
                )
            ]
        ) from None
    lowered = name.lower()
    if lowered.endswith(".json"):
        return _read_json(text)
    if lowered.endswith(".csv"):
        return _read_csv(text)
    return _read_json(text) if text.lstrip()[:1] in {"[", "{"} else _read_csv(text)


def _read_json(text: str) -> list[SourceRecord]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PracticeImportError(
            [
                RowError(
                    f"line {exc.lineno}",
                    "file",
                    _("This is not valid JSON: %(reason)s.") % {"reason": exc.msg},
                )
            ]
        ) from None
    items = document.get("practices") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise PracticeImportError(
            [
                RowError(
                    "item 0", "file", _('Expected a list of practices or an object with a "practices" list.')
                )
            ]
        )
    records: list[SourceRecord] = []
    errors: list[RowError] = []
    for index, item in enumerate(items):
        where = f"item {index}"
        if not isinstance(item, dict):
            errors.append(RowError(where, "item", _("Each practice must be a JSON object.")))
            continue
        for key in item:
            if key not in EXPORT_COLUMNS:
                errors.append(RowError(where, str(key), _("Unknown field.")))
        records.append(SourceRecord(where, item))
    if errors:
        raise PracticeImportError(errors)
    return records


def _read_csv(text: str) -> list[SourceRecord]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise PracticeImportError([RowError("line 1", "file", _("The file is empty."))])
    header = [cell.strip() for cell in rows[0]]
    errors: list[RowError] = []
    for position, column in enumerate(header):
        if column not in EXPORT_COLUMNS:
            errors.append(RowError("line 1", column or f"#{position + 1}", _("Unknown column.")))
        elif column in header[:position]:
            errors.append(RowError("line 1", column, _("This column appears twice.")))
    for column in REQUIRED_COLUMNS:
        if column not in header:
            errors.append(RowError("line 1", column, _("This required column is missing.")))
    records: list[SourceRecord] = []
    # Line numbers are row numbers as a spreadsheet shows them: the header is line 1, blank rows count.
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            errors.append(RowError(f"line {line}", "row", _("This row has more cells than the header.")))
            continue
        records.append(SourceRecord(f"line {line}", dict(zip(header, row, strict=False))))
    if errors:
        raise PracticeImportError(errors)
    return records


# --- Checking records -----------------------------------------------------------------------------


class _Checker:
    """Turns raw records into rows ready to save, collecting every problem, not stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.today = timezone.localdate()
        self.topics = {topic.slug: topic for topic in Topic.objects.all()}
        self.sdgs = {sdg.number: sdg for sdg in SDG.objects.all()}
        self.countries = {country.code: country for country in Country.objects.select_related("region")}
        self.countries_with_cities: set[str] = set()
        self.cities: dict[tuple[str, str], City | None] = {}
        self.organisations: dict[str, Organisation | None] = {}
        self.users: dict[str, User | None] = {}
        self.url_validator = URLValidator(schemes=["http", "https"])
        # Where each slug first appears; every (where, slug) a row relates to, checked once all rows are read.
        self.first_seen: dict[str, str] = {}
        self.related_refs: list[tuple[str, str]] = []

    def error(self, where: str, field_name: str, message: str) -> None:
        self.errors.append(RowError(where, field_name, message))

    # Values arrive as CSV text or as JSON values; each reader below accepts both.

    def text(
        self, record: SourceRecord, name: str, *, max_length: int | None = None, required: bool = False
    ) -> str:
        value = record.values.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(record.where, name, _("Must be text."))
            return ""
        value = value.strip()
        if required and not value:
            self.error(record.where, name, _("This field is required."))
        elif max_length is not None and len(value) > max_length:
            self.error(
                record.where,
                name,
                _("At most %(limit)d characters (it has %(length)d).")
                % {"limit": max_length, "length": len(value)},
            )
        return value

    def items(self, record: SourceRecord, name: str) -> list[str]:
        value = record.values.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return split_values(value)
        if isinstance(value, list) and all(isinstance(item, str | int) for item in value):
            return [str(item).strip() for item in value if str(item).strip()]
        self.error(record.where, name, _("Must be a list of values (in CSV: separated by '|')."))
        return []

    def number(self, record: SourceRecord, name: str, kind: type[int] | type[float]) -> int | float | None:
        value = record.values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            value = str(value)
        try:
            return kind(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            message = (
                _("%(value)s is not a whole number.") if kind is int else _("%(value)s is not a number.")
            )
            self.error(record.where, name, message % {"value": repr(value)})
            return None

    def city(self, record: SourceRecord, country: Country, name: str) -> City | None:
        if country.code not in self.countries_with_cities:
            # GeoNames cities are loaded per country the first time one is needed.
            if not City.objects.filter(country=country).exists():
                load_cities(countries=[country.code])
            self.countries_with_cities.add(country.code)
        geoname_id = self.number(record, "geoname_id", int)
        if geoname_id is not None:
            found = City.objects.filter(country=country, geoname_id=int(geoname_id)).first()
            if found is None:
                self.error(
                    record.where,
                    "geoname_id",
                    _("No city with GeoNames id %(id)s in %(country)s.")
                    % {"id": geoname_id, "country": country.code},
                )
            return found
        key = (country.code, name.casefold())
        if key not in self.cities:
            self.cities[key] = (
                City.objects.filter(country=country)
                .filter(Q(name__iexact=name) | Q(ascii_name__iexact=ascii_fold(name)))
                .order_by("-population", "geoname_id")
                .first()
            )
        found = self.cities[key]
        if found is None:
            self.error(
                record.where,
                "city",
                _("No city named %(name)s in %(country)s.") % {"name": name, "country": country.code},
            )
        return found

    def organisation(self, slug: str) -> Organisation | None:
        if slug not in self.organisations:
            self.organisations[slug] = Organisation.objects.filter(slug=slug).first()
        return self.organisations[slug]

    def user(self, email: str) -> User | None:
        key = email.lower()
        if key not in self.users:
            self.users[key] = User.objects.filter(email__iexact=key).first()
        return self.users[key]

    def check(self, record: SourceRecord) -> _Row | None:
        where = record.where
        before = len(self.errors)
        slug = self.text(record, "slug", max_length=120, required=True)
        if slug:
            try:
                validate_slug(slug)
            except ValidationError:
                self.error(where, "slug", _("Use only letters, numbers, hyphens and underscores."))
            if slug in self.first_seen:
                self.error(where, "slug", _("Duplicate of %(where)s.") % {"where": self.first_seen[slug]})
            else:
                self.first_seen[slug] = where
        fields: dict[str, Any] = {
            "title": self.text(record, "title", max_length=200, required=True),
            "summary": self.text(record, "summary", max_length=1000, required=True),
        }
        language = self.text(record, "language", required=True)
        if language and language not in ContentLanguage.values:
            self.error(
                where,
                "language",
                _("Unknown language %(value)s; use one of %(choices)s.")
                % {"value": language, "choices": ", ".join(ContentLanguage.values)},
            )
        fields["language"] = language

        country_code = self.text(record, "country", required=True).upper()
        country = self.countries.get(country_code)
        if country_code and country is None:
            self.error(where, "country", _("Unknown country code %(value)s.") % {"value": country_code})
        city_name = self.text(record, "city", required=True)
        city = self.city(record, country, city_name) if country and city_name else None
        latitude = self.number(record, "latitude", float)
        longitude = self.number(record, "longitude", float)
        if latitude is not None and not -90 <= latitude <= 90:
            self.error(where, "latitude", _("Must be between -90 and 90."))
        if longitude is not None and not -180 <= longitude <= 180:
            self.error(where, "longitude", _("Must be between -180 and 180."))
        if city is not None and country is not None:
            fields.update(
                city=city,
                country=country,
                region=country.region,
                city_size=CitySize.for_population(city.population),
                latitude=city.latitude if latitude is None else latitude,
                longitude=city.longitude if longitude is None else longitude,
            )

        topics: list[Topic] = []
        topic_slugs = self.items(record, "topics")
        if not topic_slugs and "topics" not in {error.field for error in self.errors[before:]}:
            self.error(where, "topics", _("Name at least one topic."))
        for topic_slug in topic_slugs:
            if topic_slug in self.topics:
                topics.append(self.topics[topic_slug])
            else:
                self.error(where, "topics", _("Unknown topic %(value)s.") % {"value": topic_slug})

        sdgs: list[SDG] = []
        for number in self.items(record, "sdgs"):
            sdg = self.sdgs.get(int(number)) if number.isdigit() else None
            if sdg is None:
                self.error(
                    where, "sdgs", _("%(value)s is not an SDG; use numbers 1 to 17.") % {"value": number}
                )
            else:
                sdgs.append(sdg)

        for section in SECTION_FIELDS:
            fields[section] = self.text(record, section)

        fields["start_year"], fields["end_year"] = self.years(record)

        lead_slug = self.text(record, "lead_organisation")
        fields["lead_organisation"] = self.organisation(lead_slug) if lead_slug else None
        if lead_slug and fields["lead_organisation"] is None:
            self.error(
                where, "lead_organisation", _("Unknown organisation %(value)s.") % {"value": lead_slug}
            )
        partners: list[Organisation] = []
        for partner_slug in self.items(record, "partners"):
            partner = self.organisation(partner_slug)
            if partner is None:
                self.error(where, "partners", _("Unknown organisation %(value)s.") % {"value": partner_slug})
            else:
                partners.append(partner)

        email = self.text(record, "contact_email")
        fields["contact"] = self.user(email) if email else None
        if email and fields["contact"] is None:
            self.error(
                where, "contact_email", _("No user has the e-mail address %(value)s.") % {"value": email}
            )

        licence = self.text(record, "licence") or Licence.CC_BY
        if licence not in Licence.values:
            self.error(
                where,
                "licence",
                _("Unknown licence %(value)s; use one of %(choices)s.")
                % {"value": licence, "choices": ", ".join(Licence.values)},
            )
        fields["licence"] = licence
        fields["last_verified"] = self.date(record, "last_verified")

        links = self.links(record, "links", LinkKind.LINK) + self.links(record, "sources", LinkKind.SOURCE)
        related: list[tuple[str, str]] = []
        for item in self.items(record, "related"):
            kind, _sep, target = item.rpartition(":")
            kind = kind.strip() or RelationKind.RELATED
            target = target.strip()
            if kind not in RelationKind.values:
                self.error(
                    where,
                    "related",
                    _("Unknown relation %(value)s; use one of %(choices)s.")
                    % {"value": kind, "choices": ", ".join(RelationKind.values)},
                )
            elif target == slug:
                self.error(where, "related", _("A practice cannot relate to itself."))
            else:
                related.append((kind, target))
                self.related_refs.append((where, target))

        if len(self.errors) > before:
            return None
        return _Row(where, slug, fields, topics, sdgs, partners, links, related)

    def years(self, record: SourceRecord) -> tuple[int | None, int | None]:
        start = self.number(record, "start_year", int)
        end = self.number(record, "end_year", int)
        this_year = self.today.year
        if start is not None and not EARLIEST_YEAR <= start <= this_year:
            self.error(
                record.where,
                "start_year",
                _("Must be a year from %(first)d to %(last)d.") % {"first": EARLIEST_YEAR, "last": this_year},
            )
        if end is not None and not EARLIEST_YEAR <= end <= this_year + YEARS_AHEAD:
            self.error(
                record.where,
                "end_year",
                _("Must be a year from %(first)d to %(last)d.")
                % {"first": EARLIEST_YEAR, "last": this_year + YEARS_AHEAD},
            )
        elif start is not None and end is not None and end < start:
            self.error(record.where, "end_year", _("The end year is before the start year."))
        return (int(start) if start is not None else None, int(end) if end is not None else None)

    def date(self, record: SourceRecord, name: str) -> datetime.date | None:
        value = self.text(record, name)
        if not value:
            return None
        try:
            parsed = datetime.date.fromisoformat(value)
        except ValueError:
            self.error(record.where, name, _("%(value)s is not a date like 2026-01-31.") % {"value": value})
            return None
        if parsed > self.today:
            self.error(record.where, name, _("The date is in the future."))
        return parsed

    def links(self, record: SourceRecord, name: str, kind: str) -> list[tuple[str, str, str]]:
        links: list[tuple[str, str, str]] = []
        for item in self.items(record, name):
            title, url = parse_link(item)
            try:
                self.url_validator(url)
            except ValidationError:
                self.error(
                    record.where, name, _("%(value)s is not a web address (http or https).") % {"value": url}
                )
                continue
            if len(url) > 500 or len(title) > 250:
                self.error(record.where, name, _("%(value)s is too long.") % {"value": item})
                continue
            links.append((title, url, kind))
        return links


def _check_all(records: Sequence[SourceRecord]) -> list[_Row]:
    checker = _Checker()
    rows = [row for row in (checker.check(record) for record in records) if row is not None]
    wanted = {target for _where, target in checker.related_refs} - set(checker.first_seen)
    known = set(Practice.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    for where, target in checker.related_refs:
        if target not in checker.first_seen and target not in known:
            checker.error(
                where, "related", _("No practice %(value)s here or in the file.") % {"value": target}
            )
    if checker.errors:
        # Problems in file order, each row's in field order.
        order = {record.where: position for position, record in enumerate(records)}
        raise PracticeImportError(sorted(checker.errors, key=lambda error: order.get(error.where, -1)))
    return rows


# --- Writing --------------------------------------------------------------------------------------


def practices_import(
    *,
    records: Sequence[SourceRecord],
    status: str = PracticeStatus.DRAFT,
    author: User | None = None,
    actor: Any = None,
    dry_run: bool = False,
) -> ImportResult:
    """Create or update (by slug) every record, or raise PracticeImportError listing every problem."""
    if status not in IMPORT_STATUSES:
        raise ValueError(f"status must be one of {IMPORT_STATUSES}")
    rows = _check_all(records)
    result = ImportResult()
    with transaction.atomic():
        existing = {
            practice.slug: practice for practice in Practice.objects.filter(slug__in=[r.slug for r in rows])
        }
        saved: dict[str, Practice] = {}
        now = timezone.now()
        for row in rows:
            practice = existing.get(row.slug) or Practice(slug=row.slug)
            created = practice.pk is None
            for name, value in row.fields.items():
                setattr(practice, name, value)
            practice.status = status
            if status == PracticeStatus.PUBLISHED:
                practice.published_at = practice.published_at or now
            if author is not None:
                practice.author = author
            # modelcluster keeps these in memory until save() writes them with the record.
            practice.topics.set(row.topics)
            practice.sdgs.set(row.sdgs)
            practice.partners.set(row.partners)
            practice.links.set(
                [PracticeLink(title=title, url=url, kind=kind) for title, url, kind in row.links]
            )
            practice.save()
            saved[row.slug] = practice
            (result.created if created else result.updated).append(row.slug)
            audit_log_record(
                actor=actor,
                action="practice.import.create" if created else "practice.import.update",
                target=practice,
            )
        # Relations last: a row may name a practice that comes later in the same file.
        targets = {
            p.slug: p for p in Practice.objects.filter(slug__in={t for r in rows for _k, t in r.related})
        }
        targets.update(saved)
        PracticeRelation.objects.filter(source__in=saved.values()).delete()
        relations: list[PracticeRelation] = []
        for row in rows:
            # One relation per pair (a database constraint); the first kind named wins.
            kinds: dict[str, str] = {}
            for kind, target in row.related:
                kinds.setdefault(target, kind)
            relations += [
                PracticeRelation(source=saved[row.slug], target=targets[target], kind=kind)
                for target, kind in kinds.items()
            ]
        PracticeRelation.objects.bulk_create(relations)
        if dry_run:
            transaction.set_rollback(True)
        elif status == PracticeStatus.PUBLISHED:
            published = [practice.pk for practice in saved.values()]
            transaction.on_commit(lambda: _schedule_indexing(published))
    return result


def _schedule_indexing(practice_ids: list[int]) -> None:
    # Imported lazily: the search app's task module is optional for reading and checking files.
    from connective.practices.tasks import practice_index

    for practice_id in practice_ids:
        practice_index.enqueue(practice_id)


__all__ = [
    "COLUMNS",
    "MULTI_VALUED",
    "PracticeImportError",
    "RowError",
    "practices_import",
    "read_practice_file",
]
