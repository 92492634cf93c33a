"""A member's privacy pages: download all their data, and delete their account."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from connective.accounts.privacy import (
    EXPORT_VALID_FOR,
    KINDS,
    account_delete,
    export_storage,
    privacy_export_downloaded,
    privacy_export_for_token,
    privacy_export_latest,
    privacy_export_next_allowed,
    privacy_export_request,
)
from connective.accounts.privacy_forms import AccountDeleteForm
from connective.accounts.services import user_has_two_factor
from connective.core.forms import add_service_errors

_Response = TypeVar("_Response", bound=HttpResponseBase)


def _private(response: _Response) -> _Response:
    # Personal data: no shared cache, no back button from a later visitor's browser history.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def privacy(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    status = 200
    if request.method == "POST":
        try:
            privacy_export_request(user=user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 429
        else:
            messages.success(
                request,
                _("We are preparing your data. You will receive an e-mail with a download link shortly."),
            )
            return redirect("accounts:privacy")
    latest = privacy_export_latest(user=user)
    context = {
        "kinds": [kind.name for kind in KINDS],
        "latest_export": latest,
        "latest_export_until": latest + EXPORT_VALID_FOR if latest else None,
        "next_allowed": privacy_export_next_allowed(user=user),
        "valid_days": EXPORT_VALID_FOR.days,
    }
    return _private(render(request, "accounts/privacy/privacy.html", context, status=status))


@login_required
@require_safe
def privacy_download(request: HttpRequest, token: str) -> FileResponse:
    """The export, for the member it was made for, while signed in, with the link from their e-mail."""
    name = privacy_export_for_token(viewer=request.user, token=token)
    if name is None:
        raise Http404("No such export.")
    privacy_export_downloaded(user=request.user, name=name)  # type: ignore[arg-type]
    stamp = timezone.localdate().isoformat()
    response = FileResponse(
        export_storage().open(name, "rb"),
        as_attachment=True,
        filename=f"connective-cities-my-data-{stamp}.zip",
        content_type="application/zip",
    )
    return _private(response)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    needs_code = user_has_two_factor(user)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, needs_code=needs_code)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                account_delete(
                    user=user,
                    password=form.cleaned_data["password"],
                    code=form.cleaned_data.get("code", ""),
                    confirmed=form.cleaned_data["confirm"],
                )
            except ValidationError as error:
                if getattr(error, "code", None) == "rate_limited":
                    status = 429
                add_service_errors(form, error)
            else:
                logout(request)
                return redirect("accounts:deleted")
    return _private(
        render(
            request, "accounts/privacy/delete.html", {"form": form, "needs_code": needs_code}, status=status
        )
    )


@require_safe
def account_deleted(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        # Only someone who just left sees this page; a member landing here has nothing to be told.
        return redirect("accounts:privacy")
    return render(request, "accounts/privacy/deleted.html")
