from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connective.accounts.models import User


class Command(BaseCommand):
    help = "Print the demo logins (after load_demo); --code prints the current second-factor code instead."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--code", action="store_true", help="Print the current TOTP code of the privileged demo accounts."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

        from connective.practices.demo_loader import DEMO_PASSWORD, DEMO_TOTP_SECRET, ROLE_ACCOUNTS

        if options["code"]:
            counter = int(time.time()) // 30
            self.stdout.write(format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter)))
            return
        present = {
            user.email: user
            for user in User.objects.filter(email__in=[account.email for account in ROLE_ACCOUNTS])
        }
        if not present:
            self.stdout.write("No demo logins: run `manage.py load_demo` first.")
            return
        contacts = User.objects.filter(
            email__endswith="@demo.connective-cities.example", contact_for_practices__isnull=False
        ).exclude(email__in=present)
        # Someone who also organises an event shows the organisers' side of events too.
        example = (
            contacts.filter(organised_events__isnull=False).order_by("email").first()
            or contacts.order_by("email").first()
        )
        rows = [
            (account.email, str(account.role.label) + _in_events(present[account.email]))
            for account in ROLE_ACCOUNTS
            if account.email in present
        ]
        if example is not None:
            rows.append((example.email, "Member, contact person of practices" + _in_events(example)))
        width = max(len(email) for email, _role in rows)
        self.stdout.write(f"  Demo logins (password for all: {DEMO_PASSWORD})")
        for email, role in rows:
            self.stdout.write(f"    {email:<{width}}  {role}")
        self.stdout.write(
            f"  Editor, staff and administrator also ask for a code: add the setup key {DEMO_TOTP_SECRET}\n"
            "  to any authenticator app, or run: .venv/bin/python manage.py demo_logins --code"
        )


def _in_events(user: User) -> str:
    """What the account has in the events of the demo, so people know which login shows what."""
    from connective.events.models import Certificate, Registration, RegistrationStatus

    parts = []
    organised = user.organised_events.count()
    if organised:
        parts.append(f"organises {organised} event{'s' if organised != 1 else ''}")
    registrations = (
        Registration.objects.filter(user=user).exclude(status=RegistrationStatus.CANCELLED).count()
    )
    if registrations:
        parts.append(f"{registrations} event registration{'s' if registrations != 1 else ''}")
    certificates = Certificate.objects.filter(registration__user=user, revoked_at__isnull=True).count()
    if certificates:
        parts.append(f"{certificates} certificate{'s' if certificates != 1 else ''}")
    return f" ({', '.join(parts)})" if parts else ""
