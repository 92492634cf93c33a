"""Deleting a practice by any path (the back office, a cascade) takes it out of the search index too.

Every other change goes through services.py, which schedules indexing itself.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def practice_deleted(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    from connective.practices.tasks import practice_index

    practice_id = instance.pk
    transaction.on_commit(lambda: practice_index.enqueue(practice_id), using=using)
