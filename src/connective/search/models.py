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
