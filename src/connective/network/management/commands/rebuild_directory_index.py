from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from connective.network.search import directory_reindex_all


class Command(BaseCommand):
    help = "Rebuild the directory's full-text indexes of people (at each visibility level) and organisations."

    def handle(self, *args: Any, **options: Any) -> None:
        people, organisations = directory_reindex_all()
        self.stdout.write(f"Indexed {people} people and {organisations} organisations.")
