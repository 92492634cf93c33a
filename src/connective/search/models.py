"""What the search module keeps besides its index tables (those are created by migrations, see index.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexVersion(models.Model):
    """A token that changes with every write to one domain's index.

    Readers that keep something derived from the indexed records in memory (facets.py) compare it on each
    request; it lives in the database rather than the cache so that every process, the task worker included,
    sees the same token, whatever cache the deployment has.
    """

    domain = models.CharField(_("domain"), max_length=40, primary_key=True)
    token = models.CharField(_("token"), max_length=32)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("index version")
        verbose_name_plural = _("index versions")

    def __str__(self) -> str:
        return f"{self.domain}: {self.token}"


class Vector(models.Model):
    """The meaning of one record, or of one passage of it, as the sentence encoder saw it (see vectors.py).

    Part 0 stands for the whole record and is what search compares; parts 1 and up are its passages, read
    only to say which passage of a result matched. Vectors are kept as float16 (1 KB for 512 dimensions): the
    ranking does not change at that precision, and the table stays half as large.
    """

    domain = models.CharField(_("domain"), max_length=40)
    record_id = models.BigIntegerField(_("record"))
    part = models.PositiveSmallIntegerField(_("part"), default=0)
    # The encoder's name and version: a vector of another model is recomputed, never compared.
    model = models.CharField(_("model"), max_length=60)
    language = models.CharField(_("language"), max_length=8)
    # Of the text encoded: unchanged text is not encoded again.
    digest = models.CharField(_("digest"), max_length=32)
    # The passage itself (parts 1 and up), quoted when it explains a match.
    excerpt = models.TextField(_("excerpt"), blank=True)
    vector = models.BinaryField(_("vector"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vector")
        verbose_name_plural = _("vectors")
        constraints = [
            models.UniqueConstraint(fields=["domain", "record_id", "part"], name="search_vector_unique_part")
        ]
        indexes = [models.Index(fields=["domain", "part", "model"], name="search_vector_domain_part")]

    def __str__(self) -> str:
        return f"{self.domain} {self.record_id}.{self.part}"
