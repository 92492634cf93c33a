"""The notification centre, reading, preferences, and unsubscribing from e-mail without signing in.

A notification that is not the viewer's, or whose subject they may no longer see, answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from connective.notifications.forms import PreferencesForm
from connective.notifications.links import ALL_SCOPES
from connective.notifications.selectors import (
    centre_page,
    notification_get_for,
    preference_groups,
    preferences_of,
    scope_names,
    subject_path,
    unread_count_cached,
)
from connective.notifications.services import (
    notification_mark_read,
    notifications_mark_all_read,
    notifications_mark_read,
    preferences_save,
    unsubscribe,
    unsubscription_for,
)


@login_required
@require_http_methods(["GET"])
def centre(request: HttpRequest) -> HttpResponse:
    result = centre_page(viewer=request.user, page_number=request.GET.get("page"))
    if result.hidden_unread:
        notifications_mark_read(user=request.user, ids=result.hidden_unread)
    context = {
        "page": result.page,
        "entries": result.entries,
        "has_unread": unread_count_cached(request.user) > 0,
    }
    return render(request, "notifications/centre.html", context)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications:centre")


@login_required
@require_http_methods(["GET"])
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a notification from the centre: it is read, and the member goes on to its subject."""
    notification = notification_get_for(viewer=request.user, pk=pk)
    notification_mark_read(user=request.user, notification=notification)
    target = subject_path(notification)
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("notifications:centre")
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    groups = preference_groups(user)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, groups=groups, preferences=preferences_of(user)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                preferences_save(user=user, general=form.cleaned_data["general"], groups=form.group_choices())
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    for text in field_errors:
                        form.add_error(field if field in form.fields else None, text)
                status = 400
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:preferences")
        else:
            status = 400
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """The site's usual CSRF check, for the one view that must also accept mail programs' one-click POST."""
    middleware = CsrfViewMiddleware(lambda _request: HttpResponse())
    return middleware.process_view(request, lambda _request: HttpResponse(), (), {})


def _is_one_click(request: HttpRequest) -> bool:
    # RFC 8058: the mail program POSTs exactly this body to the List-Unsubscribe address.
    return request.POST.get("List-Unsubscribe") == "One-Click"


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the signed token is the proof. GET asks, POST (the button, or the mail program's one-click
    POST) does it."""
    unsubscription = unsubscription_for(token)
    if unsubscription is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    context = {
        "scope": unsubscription.scope,
        "is_all": unsubscription.scope == ALL_SCOPES,
        "is_group": unsubscription.scope.startswith("group:"),
        "scope_name": scope_names({unsubscription.scope})[unsubscription.scope],
        "preferences_url": reverse("notifications:preferences"),
    }
    if request.method == "POST":
        if not _is_one_click(request):
            refusal = _csrf_refusal(request)
            if refusal is not None:
                return refusal
        unsubscribe(unsubscription=unsubscription)
        return render(request, "notifications/unsubscribe_done.html", context)
    return render(request, "notifications/unsubscribe.html", context)
