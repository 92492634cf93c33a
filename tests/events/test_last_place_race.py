"""Two people can never take the last place at once: concurrent registration requests on PostgreSQL, each in
its own thread with its own database connection, released together by a barrier."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from connective.events.models import Event, Registration, RegistrationStatus
from tests.factories import EventFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite has one writer"
    ),
]

CONTENDERS = 8


def _race(event: Event, people: list[Any]) -> list[int]:
    barrier = threading.Barrier(len(people))
    statuses: list[int] = []
    lock = threading.Lock()

    def register(person: Any) -> None:
        client = Client()
        client.force_login(person)
        try:
            barrier.wait(timeout=30)
            response = client.post(reverse("events:register", kwargs={"slug": event.slug}))
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_the_last_place_goes_to_exactly_one_of_many_concurrent_requests() -> None:
    event = EventFactory(capacity=1)
    people = UserFactory.create_batch(CONTENDERS)
    statuses = _race(event, people)
    assert statuses == [302] * CONTENDERS
    confirmed = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()
    waiting = Registration.objects.filter(event=event, status=RegistrationStatus.WAITLISTED).count()
    assert (confirmed, waiting) == (1, CONTENDERS - 1)
    event.refresh_from_db()
    assert (event.confirmed_count, event.waitlist_count) == (1, CONTENDERS - 1)


def test_concurrent_requests_fill_exactly_the_capacity() -> None:
    event = EventFactory(capacity=3)
    statuses = _race(event, UserFactory.create_batch(CONTENDERS))
    assert statuses == [302] * CONTENDERS
    assert Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count() == 3
