"""Background work of events: offers that ran out, reminders the day before, surveys after.

django-tasks runs nothing on a schedule by itself: run `manage.py event_jobs` every few minutes (cron or a
systemd timer), or enqueue `event_jobs` from the deployment's scheduler. Running it twice does nothing twice.
"""

from __future__ import annotations

from django_tasks import task


@task()
def event_jobs() -> dict[str, int]:
    from connective.events.jobs import run_event_jobs

    return run_event_jobs()
