"""The scheduled work of events, in one call (`manage.py event_jobs`, the `event_jobs` task)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from connective.events.registration import offers_expire
from connective.events.services import reminders_send, surveys_send


def run_event_jobs(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "offers_expired": offers_expire(now=now),
        "reminders": reminders_send(now=now),
        "surveys": surveys_send(now=now),
    }
