from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy for the public site: our own scripts and styles only.

    The Wagtail back office ships inline scripts of its own, so it keeps Django's defaults instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        tile_host = ""
        if settings.MAP_TILE_URL:
            from urllib.parse import urlsplit

            parts = urlsplit(settings.MAP_TILE_URL)
            tile_host = f" {parts.scheme}://{parts.netloc}"
        self.policy = (
            "default-src 'self'; script-src 'self'; style-src 'self'; "
            f"img-src 'self' data:{tile_host}; font-src 'self'; connect-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(("/admin/", "/api/docs/", "/django-admin/")):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


@functools.cache
def known_time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def time_zone_valid(name: str) -> bool:
    return name in known_time_zones()


class TimeZoneMiddleware:
    """Show times in the viewer's zone: the one chosen in their account, else the one their browser reported
    (the `tz` cookie set by events/timezone.js), else UTC. An unknown name is ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        name = chosen or request.COOKIES.get("tz", "")
        if name and time_zone_valid(name):
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
