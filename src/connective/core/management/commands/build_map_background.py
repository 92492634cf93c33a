from typing import Any

from django.core.management.base import BaseCommand

from connective.core.maps import BACKGROUND_PATH, write_land_image


class Command(BaseCommand):
    help = "Draw the land silhouette used behind maps from GeoNames cities."

    def handle(self, *args: Any, **options: Any) -> None:
        size = write_land_image()
        self.stdout.write(f"Wrote {BACKGROUND_PATH} ({size:,} bytes).")
