"""Events in calendar apps: one event's .ics, the feed of all public events, a member's private "my events" feed
and the form that gives that feed a new address.

Calendar apps fetch feeds without a session, so the private feed is opened by its token alone; an unknown or
retired token answers 404 like any address that does not exist. The event's .ics answers 404 exactly when its
page does (selectors.event_for).
"""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, path
from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from connective.events.calendar import (
    calendar_token_owner,
    calendar_token_reset,
    event_ics,
    my_feed,
    my_feed_registrations,
    public_feed,
    public_feed_events,
)
from connective.events.selectors import PUBLIC_STATUSES, event_for

# Shared caches may keep the public feed a quarter of an hour; calendar apps poll far less often.
PUBLIC_CACHE = "public, max-age=900"
# The private feed and draft events are for one reader only.
PRIVATE_CACHE = "private, max-age=300"


def _ics_response(request: HttpRequest, body: bytes, filename: str, *, cache: str) -> HttpResponseBase:
    """The calendar with an ETag, so that an app polling a feed that has not changed gets a bodiless 304."""
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = cache
    response["ETag"] = etag
    conditional = get_conditional_response(request, etag=etag, response=response)
    return conditional if conditional is not None else response


@require_safe
def feed_public(request: HttpRequest) -> HttpResponseBase:
    events = list(public_feed_events())
    return _ics_response(request, public_feed(events), "events.ics", cache=PUBLIC_CACHE)


@require_safe
def feed_mine(request: HttpRequest, token: str) -> HttpResponseBase:
    user = calendar_token_owner(token)
    if user is None:
        raise Http404
    registrations = list(my_feed_registrations(user))
    response = _ics_response(request, my_feed(user, registrations), "my-events.ics", cache=PRIVATE_CACHE)
    # The address is a secret: no search engine should keep it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_POST
def feed_reset(request: HttpRequest) -> HttpResponse:
    calendar_token_reset(user=request.user)
    messages.success(
        request,
        _(
            "Your calendar feed has a new address. The old one no longer works: "
            "subscribe to the new one in your calendar app."
        ),
    )
    return redirect("events:mine")


@require_safe
def event_ics_view(request: HttpRequest, slug: str) -> HttpResponseBase:
    event = event_for(request.user, slug).event
    cache = PUBLIC_CACHE if event.status in PUBLIC_STATUSES else PRIVATE_CACHE
    return _ics_response(request, event_ics(event), f"{event.slug}.ics", cache=cache)


fixed_urlpatterns: list[URLPattern] = [
    path("calendar.ics", feed_public, name="feed_public"),
    path("feed/<str:token>.ics", feed_mine, name="feed_mine"),
    path("mine/calendar/reset/", feed_reset, name="feed_reset"),
]

urlpatterns: list[URLPattern] = [
    path("<slug:slug>/event.ics", event_ics_view, name="ics"),
]
