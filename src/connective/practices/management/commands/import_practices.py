"""manage.py import_practices FILE [--dry-run] [--status published|draft] [--author EMAIL]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connective.accounts.models import User
from connective.practices.exports import COLUMNS, EXPORT_ONLY_COLUMNS
from connective.practices.importing import (
    IMPORT_STATUSES,
    PracticeImportError,
    practices_import,
    read_practice_file,
)
from connective.practices.models import PracticeStatus


class Command(BaseCommand):
    help = (
        "Import practices from a CSV or JSON file in the format of the practice export, creating or "
        "updating each by its slug. Every row is checked first; if any row is wrong nothing is imported "
        "and each problem is "
        f"listed as 'line N: field: reason'. Columns: {', '.join(COLUMNS)} "
        f"(the export's {', '.join(EXPORT_ONLY_COLUMNS)} are accepted and ignored)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or JSON file (told apart by extension, else by content).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report, but save nothing.")
        parser.add_argument(
            "--status",
            choices=[str(status) for status in IMPORT_STATUSES],
            default=PracticeStatus.DRAFT,
            help="Status of the imported practices (default: draft, so editors review them first).",
        )
        parser.add_argument(
            "--author", metavar="EMAIL", help="E-mail address of the user recorded as author."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        author = None
        if options["author"]:
            author = User.objects.filter(email__iexact=options["author"].strip()).first()
            if author is None:
                raise CommandError(f"No user has the e-mail address {options['author']}.")
        try:
            records = read_practice_file(data=path.read_bytes(), name=path.name)
            result = practices_import(
                records=records, status=options["status"], author=author, dry_run=options["dry_run"]
            )
        except PracticeImportError as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {path.name}; nothing was imported."
            ) from None
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"{len(result.created)} practice(s) {verb} created and {len(result.updated)} {verb} updated "
            f"from {path.name} (status: {options['status']})."
        )
