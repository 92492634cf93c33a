"""Background work of the network: keeping the directory's search indexes in step with profiles and
organisations. Services call the schedule_* helpers after every change; indexing runs after commit."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def person_index(user_id: int) -> bool:
    """Index one person at each visibility level (or remove them where they are not visible)."""
    from connective.network.search import index_person

    return index_person(user_id)


@task()
def organisation_index(organisation_id: int) -> bool:
    from connective.network.search import index_organisation

    return index_organisation(organisation_id)


def schedule_person_index(user_id: int) -> None:
    transaction.on_commit(lambda: person_index.enqueue(user_id))


def schedule_organisation_index(organisation_id: int) -> None:
    transaction.on_commit(lambda: organisation_index.enqueue(organisation_id))
