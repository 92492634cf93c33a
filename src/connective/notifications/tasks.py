"""Background work of the notification service: the e-mail for each notification, and the digests.

django-tasks runs nothing on a schedule by itself: run `manage.py send_digests daily` every day and
`manage.py send_digests weekly` once a week (cron or a systemd timer), or enqueue `send_digests` from whatever
scheduler the deployment has. Running either twice sends nothing twice.
"""

from __future__ import annotations

from django_tasks import task


@task()
def send_immediate(ids: list[int]) -> int:
    """E-mail each of these notifications still waiting for its own e-mail; how many went."""
    from connective.notifications.mailing import send_immediate_notifications

    return send_immediate_notifications(ids)


@task()
def send_digests(frequency: str) -> int:
    """Send every member with waiting notifications their "daily" or "weekly" digest; how many went."""
    from connective.notifications.mailing import send_digest_emails

    return send_digest_emails(frequency)
