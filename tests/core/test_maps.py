from __future__ import annotations

from PIL import Image

from connective.core.maps import BACKGROUND_PATH, HEIGHT, WIDTH, build_land_image, project


def test_project_puts_corners_and_greenwich_where_expected() -> None:
    assert project(90, -180) == (0.0, 0.0)
    assert project(-90, 180) == (360.0, 180.0)
    assert project(0, 0, 720, 360) == (360.0, 180.0)


def _is_land(image: Image.Image, latitude: float, longitude: float) -> bool:
    x, y = project(latitude, longitude, WIDTH, HEIGHT)
    return image.getpixel((int(x), int(y))) == 1


def test_land_image_has_cities_on_land_and_open_ocean_as_sea() -> None:
    image = build_land_image()
    assert image.size == (WIDTH, HEIGHT)
    for latitude, longitude in [(51.34, 12.37), (-1.95, 30.06), (-23.55, -46.63), (28.61, 77.21)]:
        assert _is_land(image, latitude, longitude), (latitude, longitude)
    for latitude, longitude in [(0.0, -150.0), (-40.0, -20.0), (-30.0, 80.0)]:
        assert not _is_land(image, latitude, longitude), (latitude, longitude)


def test_committed_background_is_current_and_small() -> None:
    committed = Image.open(BACKGROUND_PATH)
    assert committed.size == (WIDTH, HEIGHT)
    assert BACKGROUND_PATH.stat().st_size < 6000
    assert list(committed.getdata()) == list(build_land_image().getdata())
