from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from connective.core.places import load_cities


class Command(BaseCommand):
    help = "Load every GeoNames city of 15,000 inhabitants or more (about 34,000). Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        added = load_cities()
        self.stdout.write(f"{added:,} cities added in {time.monotonic() - started:.1f} s.")
