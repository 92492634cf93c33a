from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Send the notification digests: `send_digests daily` once a day, `send_digests weekly` once a week. "
        "Running it twice sends nothing twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("frequency", choices=["daily", "weekly"])

    def handle(self, *args: Any, **options: Any) -> None:
        from connective.notifications.mailing import send_digest_emails

        sent = send_digest_emails(options["frequency"])
        self.stdout.write(f"Sent {sent} {options['frequency']} digest(s).")
