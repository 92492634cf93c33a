from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Delete members' data exports whose download link has expired (run it daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        from connective.accounts.privacy import privacy_exports_purge

        removed = privacy_exports_purge()
        self.stdout.write(f"Deleted {removed} expired export(s).")
