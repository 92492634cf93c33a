from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from connective.practices.demo_loader import DemoDataError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo data set (cities, organisations, people, demo logins, good practices with images) "
        "once; when it is already there, say so and change nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = load_demo(report=self.stdout.write if options["verbosity"] > 1 else None)
        except DemoDataError as exc:
            raise CommandError(str(exc)) from None
        for warning in summary.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if options["verbosity"] > 0:
            self.stdout.write(summary.describe())
