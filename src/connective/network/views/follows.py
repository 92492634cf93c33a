"""Following people, organisations, cities and topics, and the member's "my network" page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from connective.network.follows import (
    follow_set,
    follow_suggestions,
    follow_target_get,
    followed_things,
    my_network_feed,
)


def _next_url(request: HttpRequest) -> str:
    """Back to the page the button was on; anywhere outside this site is refused (open redirect)."""
    candidate = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("network:my_network")


def _target_name(request: HttpRequest, kind: str, object_id: int) -> str:
    try:
        return follow_target_get(viewer=request.user, kind=kind, object_id=object_id).name
    except Http404:
        # Unfollowing someone whose profile is hidden now: the name is no longer theirs to show.
        return _("this member")


# require_POST outside login_required: a GET is refused the same way for everyone.
@require_POST
@login_required
def follow(request: HttpRequest, kind: str, object_id: int) -> HttpResponse:
    choice = request.POST.get("follow", "1")
    if choice not in {"0", "1"}:
        return HttpResponseBadRequest(_("Say whether to follow (1) or to stop following (0)."))
    user: Any = request.user
    try:
        following = follow_set(follower=user, kind=kind, object_id=object_id, follow=choice == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_next_url(request))
    name = _target_name(request, kind, object_id)
    if following:
        messages.success(request, _("You now follow %(name)s.") % {"name": name})
    else:
        messages.success(request, _("You no longer follow %(name)s.") % {"name": name})
    return redirect(_next_url(request))


@require_safe
@login_required
def my_network(request: HttpRequest) -> HttpResponse:
    try:
        page_number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page_number = 1
    followed = followed_things(viewer=request.user)
    return render(
        request,
        "network/my_network.html",
        {
            "page": my_network_feed(viewer=request.user, page=page_number),
            "followed": followed,
            "suggestions": follow_suggestions(viewer=request.user) if not followed.count else [],
        },
    )


urlpatterns: list[URLPattern] = [
    path("follow/<str:kind>/<int:object_id>/", follow, name="follow"),
    path("my-network/", my_network, name="my_network"),
]
