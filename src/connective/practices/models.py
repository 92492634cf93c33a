"""The good-practice record: a proven municipal solution, structured so it can be compared and transferred."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.models import RevisionMixin

from connective.core.models import CitySize


class ContentLanguage(models.TextChoices):
    EN = "en", _("English")
    DE = "de", _("German")
    FR = "fr", _("French")
    ES = "es", _("Spanish")
    PT = "pt", _("Portuguese")
    AR = "ar", _("Arabic")


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Licence(models.TextChoices):
    CC_BY = "cc-by-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA = "cc-by-sa-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0 = "cc0", _("Public domain dedication (CC0 1.0)")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")


# The long-text sections of a record, in reading order, with their headings.
SECTIONS: list[tuple[str, StrOrPromise]] = [
    ("challenge", _("Challenge")),
    ("objectives", _("Objectives")),
    ("solution", _("Solution")),
    ("stakeholders", _("Stakeholders and participation")),
    ("results", _("Results and indicators")),
    ("evidence", _("Evidence of impact")),
    ("costs", _("Costs and funding sources")),
    ("success_factors", _("Success factors")),
    ("limiting_factors", _("Limiting factors")),
    ("transferability", _("Transferability and conditions for transfer")),
]


# The section field names alone, for code that copies, edits or exports every section.
SECTION_FIELDS: tuple[str, ...] = tuple(field for field, _label in SECTIONS)


class Practice(RevisionMixin, ClusterableModel):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=1000)
    language = models.CharField(_("language"), max_length=2, choices=ContentLanguage.choices)

    city = models.ForeignKey(
        "core.City", verbose_name=_("city"), on_delete=models.PROTECT, related_name="practices"
    )
    country = models.ForeignKey(
        "core.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="practices"
    )
    # Region and size band follow from the city; kept on the record so facets count without joins.
    region = models.ForeignKey(
        "core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    city_size = models.CharField(_("city size"), max_length=20, choices=CitySize.choices, db_index=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    topics = ParentalManyToManyField("core.Topic", verbose_name=_("topics"), related_name="practices")
    sdgs = ParentalManyToManyField("core.SDG", verbose_name=_("SDGs"), blank=True, related_name="practices")

    challenge = models.TextField(_("challenge"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    stakeholders = models.TextField(_("stakeholders and participation"), blank=True)
    results = models.TextField(_("results and indicators"), blank=True)
    evidence = models.TextField(_("evidence of impact"), blank=True)
    costs = models.TextField(_("costs and funding sources"), blank=True)
    success_factors = models.TextField(_("success factors"), blank=True)
    limiting_factors = models.TextField(_("limiting factors"), blank=True)
    transferability = models.TextField(_("transferability and conditions for transfer"), blank=True)

    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("end year"), null=True, blank=True)

    lead_organisation = models.ForeignKey(
        "network.Organisation",
        verbose_name=_("lead organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_practices",
    )
    partners = ParentalManyToManyField(
        "network.Organisation", verbose_name=_("partners"), blank=True, related_name="partner_practices"
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_for_practices",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_practices",
    )
    licence = models.CharField(_("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY)
    last_verified = models.DateField(_("last verified"), null=True, blank=True)

    status = models.CharField(
        _("status"),
        max_length=20,
        choices=PracticeStatus.choices,
        default=PracticeStatus.DRAFT,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="practice_end_after_start",
            )
        ]
        indexes = [
            # Newest first, tie broken by id, read straight from the index (no sort of all published rows).
            models.Index(fields=["status", "-published_at", "-id"], name="practice_newest_idx"),
            # Facet counts read only this index, never the wide rows with all the section texts.
            models.Index(
                fields=["status", "region", "country", "city_size", "start_year", "language"],
                name="practice_facets_idx",
            ),
            models.Index(fields=["status", "city"], name="practice_status_city_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("practices:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED

    def sections(self) -> list[tuple[str, str, str]]:
        """(field, heading, text) of each section that has text, in reading order."""
        return [
            (field, str(label), getattr(self, field)) for field, label in SECTIONS if getattr(self, field)
        ]


class PracticeImage(models.Model):
    practice = ParentalKey(Practice, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    alt_text = models.CharField(_("alternative text"), max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_text


class PracticeDocument(models.Model):
    practice = ParentalKey(Practice, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=250)

    class Meta:
        ordering = ["id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class LinkKind(models.TextChoices):
    SOURCE = "source", _("Source")
    LINK = "link", _("Further information")


class PracticeLink(models.Model):
    practice = ParentalKey(Practice, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(_("title"), max_length=250)
    url = models.URLField(_("address"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices, default=LinkKind.LINK)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")

    def __str__(self) -> str:
        return self.title


class RelationKind(models.TextChoices):
    RELATED = "related", _("Related practice")
    ADAPTS = "adapts", _("Adapts")
    REPLICATES = "replicates", _("Replicates")


class PracticeRelation(models.Model):
    """`source` relates to, adapts or replicates `target`."""

    source = ParentalKey(Practice, on_delete=models.CASCADE, related_name="relations")
    target = models.ForeignKey(
        Practice, verbose_name=_("practice"), on_delete=models.CASCADE, related_name="incoming_relations"
    )
    kind = models.CharField(
        _("relation"), max_length=12, choices=RelationKind.choices, default=RelationKind.RELATED
    )

    class Meta:
        verbose_name = _("related practice")
        verbose_name_plural = _("related practices")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="practice_relation_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="practice_relation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted for review")
    APPROVE = "approve", _("Approved and published")
    REQUEST_CHANGES = "request_changes", _("Changes requested")
    REJECT = "reject", _("Rejected")
    UNPUBLISH = "unpublish", _("Unpublished")


class PracticeReview(models.Model):
    """One step of the editorial review, with the comment the author receives."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20, choices=ReviewAction.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review history")

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d})"
