from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Pass on offered places not confirmed in time, send the reminders of events starting within a day and "
        "the surveys of events that ended. Run it every few minutes; running it twice does nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from connective.events.jobs import run_event_jobs

        done = run_event_jobs()
        self.stdout.write(
            f"{done['offers_expired']} offer(s) expired, {done['reminders']} event reminder(s), "
            f"{done['surveys']} survey(s) sent."
        )
