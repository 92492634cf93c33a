"""The versions of the search indexes (full text and vectors), read once per request.

A search page asks for the version of several indexes: the full-text index its facet table follows, the
vectors of the same domain, sometimes another domain's (people are also found through practices). Inside a
request all of them come from one query (`IndexVersionsMiddleware` opens the snapshot); outside one (tasks,
commands) each is read when asked. A write in the request updates the snapshot, so the request sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_snapshot: ContextVar[dict[str, str] | None] = ContextVar("search_index_versions", default=None)
_LOADED = "\0loaded"


def index_version(domain: str, using: str = "default") -> str:
    """The token of the domain's last change ("" before the first)."""
    from connective.search.models import IndexVersion

    snapshot = _snapshot.get()
    if snapshot is None or using != "default":
        tokens = IndexVersion.objects.using(using).filter(domain=domain).values_list("token", flat=True)
        return next(iter(tokens), "")
    if _LOADED not in snapshot:
        snapshot.update(IndexVersion.objects.values_list("domain", "token"))
        snapshot[_LOADED] = ""
    return snapshot.get(domain, "")


def index_changed(domain: str, token: str, using: str = "default") -> None:
    """Record a new token written in this request, so that what follows in it sees the change."""
    snapshot = _snapshot.get()
    if snapshot is not None and using == "default" and _LOADED in snapshot:
        snapshot[domain] = token


class IndexVersionsMiddleware:
    """Opens the per-request snapshot of index versions."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _snapshot.set({})
        try:
            return self.get_response(request)
        finally:
            _snapshot.reset(token)
