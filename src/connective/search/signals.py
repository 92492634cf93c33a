"""Keeping the vectors of records without a full-text index of their own (groups, events) in step.

Whatever path saves such a record (a service, the back office, a fixture), its vector is encoded again after
commit, in the background; a save that touches none of the encoded fields (a member count, a status) is
skipped, and an unchanged text is not encoded again anyway (vectors.py compares digests).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save


def keep_vectors(model: type[models.Model], *, domain: str, fields: Collection[str]) -> None:
    """Re-encode `model`'s records of `domain` after a save that changes `fields`, drop them on delete."""
    watched = frozenset(fields)

    def saved(sender: Any, instance: Any, using: str, update_fields: Any = None, **kwargs: Any) -> None:
        if update_fields is not None and not watched & set(update_fields):
            return
        _schedule(domain, instance.pk, using)

    def deleted(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
        _schedule(domain, instance.pk, using)

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"vectors-{domain}-saved")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"vectors-{domain}-deleted")


def _schedule(domain: str, record_id: int, using: str) -> None:
    from connective.search.tasks import vectors_index

    transaction.on_commit(lambda: vectors_index.enqueue(domain, record_id), using=using)
