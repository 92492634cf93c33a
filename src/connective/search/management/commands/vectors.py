"""Matching by meaning: show how many records have vectors, encode what is missing, or encode everything."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connective.search.embeddings import encoder
from connective.search.sources import vector_domains, vector_source
from connective.search.tasks import vectors_refresh_domain
from connective.search.vectors import VectorIndex


class Command(BaseCommand):
    help = "Vectors for matching by meaning: status (default), --refresh (what is missing) or --rebuild."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--refresh", action="store_true", help="Encode records without a current vector.")
        parser.add_argument("--rebuild", action="store_true", help="Drop every vector and encode all again.")
        parser.add_argument("--domain", action="append", help="Only this domain (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        domains = options["domain"] or vector_domains()
        unknown = sorted(set(domains) - set(vector_domains()))
        if unknown:
            raise CommandError(f"Unknown domain: {', '.join(unknown)}. Known: {', '.join(vector_domains())}.")
        model = encoder()
        if model is None:
            raise CommandError(
                "Matching by meaning is off (SEMANTIC_ENCODER=off) or its model failed to load."
            )
        for domain in domains:
            if options["rebuild"]:
                VectorIndex(domain).clear()
            if options["refresh"] or options["rebuild"]:
                done = vectors_refresh_domain(domain)
                self.stdout.write(f"{domain}: {done.encoded} encoded, {done.removed} removed")
            wanted = len({int(i) for i in vector_source(domain).ids()})
            current = len(VectorIndex(domain).ids(model=model.name))
            self.stdout.write(f"{domain}: {current} of {wanted} records have vectors of {model.name}")
