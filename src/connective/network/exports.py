"""The directory's search results as CSV or JSON rows.

People are written from a PersonView only: an export holds exactly what the one who downloads it may see on
the directory pages, and nothing hidden from them.
"""

from __future__ import annotations

from typing import Any

from connective.network.models import Organisation, OrganisationType
from connective.network.selectors import PersonView

# Like the pages, an export is one search; a longer one is cut here (the JSON says so).
DIRECTORY_EXPORT_LIMIT = 2000

PEOPLE_COLUMNS = [
    "name",
    "url",
    "position",
    "organisation",
    "city",
    "country",
    "actor_type",
    "expertise",
    "languages",
]
ORGANISATION_COLUMNS = [
    "name",
    "url",
    "type",
    "city",
    "country",
    "website",
    "verified",
    "people",
    "practices",
]


def person_record(person: PersonView, *, url: str) -> dict[str, Any]:
    return {
        "name": person.name,
        "url": url,
        "position": person.position,
        "organisation": person.organisation.name if person.organisation else "",
        "city": person.city.name if person.city else "",
        "country": person.country.code if person.country else "",
        "actor_type": person.actor_type,
        "expertise": [topic.slug for topic in person.expertise],
        "languages": [f"{skill.code}:{skill.level}" for skill in person.languages],
    }


def organisation_record(
    organisation: Organisation, *, url: str, people: int, practices: int
) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "url": url,
        "type": str(OrganisationType(organisation.type).value),
        "city": organisation.city.name if organisation.city else "",
        "country": organisation.country_id,
        "website": organisation.website,
        "verified": organisation.is_verified,
        "people": people,
        "practices": practices,
    }
