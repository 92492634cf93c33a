from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    MUNICIPAL_COMPANY = "municipal_company", _("Municipal company")
    ASSOCIATION_OF_CITIES = "association_of_cities", _("Association of cities and municipalities")
    MINISTRY = "ministry", _("Ministry or national agency")
    UNIVERSITY = "university", _("University or research institute")
    COMPANY = "company", _("Company")
    NGO = "ngo", _("Civil society organisation")
    DEVELOPMENT_AGENCY = "development_agency", _("Development agency")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    type = models.CharField(_("type"), max_length=30, choices=OrganisationType.choices)
    city = models.ForeignKey(
        "core.City",
        verbose_name=_("city"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    country = models.ForeignKey(
        "core.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="organisations"
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name
