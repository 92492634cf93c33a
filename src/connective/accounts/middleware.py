from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

# Paths a privileged user without a second factor may still reach: to set it up, or to leave.
_OPEN_PREFIXES = ("/static/", "/media/", "/favicon", "/i18n/")


class RequireTwoFactorMiddleware:
    """Editors, staff and administrators must enrol a TOTP authenticator before doing anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_privileged", False):
            path = request.path
            allowed = path.startswith(_OPEN_PREFIXES) or "/accounts/" in path
            if not allowed:
                from connective.accounts.services import user_has_two_factor

                if not user_has_two_factor(user):
                    from django.contrib import messages

                    messages.warning(
                        request, _("Your role needs two-factor authentication. Please set it up to continue.")
                    )
                    return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
