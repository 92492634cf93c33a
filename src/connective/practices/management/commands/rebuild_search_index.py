from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from connective.practices.tasks import practice_reindex_all


class Command(BaseCommand):
    help = "Rebuild the full-text index of published practices (after an import or a change of indexing)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = practice_reindex_all.call()
        self.stdout.write(f"Indexed {count} published practices.")
