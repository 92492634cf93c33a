"""The member's "matches for you" page: practices, people and working groups that fit their expertise."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_safe

from connective.network.matches import matches_for


@require_safe
@login_required
def matches(request: HttpRequest) -> HttpResponse:
    return render(request, "network/matches.html", {"matches": matches_for(user=request.user)})


urlpatterns: list[URLPattern] = [
    path("network/matches/", matches, name="matches"),
]
