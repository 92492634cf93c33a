"""Links notifications carry: to the subject in the reader's language, and the signed unsubscribe link.

A notification's `path` is a `reverse()` result written in whatever language was active when it happened
(the actor's); the reader gets the same page in their own language. Unsubscribe links work without signing in:
the signed token names the member and the scope, nothing else, and never expires, because an e-mail read
months later must still let its reader stop the next ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import Resolver404, resolve, reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "connective.notifications.unsubscribe"
# A token for this scope stops every notification e-mail of the member (the digest's one-click header: a
# digest mixes scopes).
ALL_SCOPES = "*"


def member_language(user: Any) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "language", "")
    return language if language in languages else settings.LANGUAGE_CODE


def localized_path(path: str, language: str) -> str:
    """`path` with `language` as its language prefix: another prefix is swapped, a path of the language
    prefixed pages without one gets it, anything else (editorial pages, files) is left as it is."""
    if not path.startswith("/"):
        return path
    codes = {code for code, _name in settings.LANGUAGES}
    head, _slash, rest = path[1:].partition("/")
    if head in codes:
        return f"/{language}/{rest}"
    candidate = f"/{language}{path}"
    with translation.override(language):
        try:
            resolve(candidate)
        except Resolver404:
            return path
    return candidate


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def subject_url(path: str, language: str) -> str:
    """The absolute link to a notification's subject for a reader of `language` ("" without a subject)."""
    return absolute(localized_path(path, language)) if path else ""


def url_in(language: str, name: str, **kwargs: Any) -> str:
    """The absolute URL of a named page in `language`."""
    with translation.override(language):
        return absolute(reverse(name, kwargs=kwargs or None))


def unsubscribe_token(*, user_id: int, scope: str) -> str:
    return signing.dumps({"u": user_id, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


@dataclass(frozen=True)
class UnsubscribeRequest:
    user_id: int
    scope: str


def unsubscribe_read(token: str) -> UnsubscribeRequest | None:
    """What a token asks for, or None when it was not made here (tampered, truncated, another salt)."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, scope = payload.get("u"), payload.get("s")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or not isinstance(scope, str):
        return None
    return UnsubscribeRequest(user_id=user_id, scope=scope)


def unsubscribe_url(*, user: Any, scope: str) -> str:
    """The absolute one-click unsubscribe link for `user` and `scope`, in the member's language."""
    return url_in(
        member_language(user),
        "notifications:unsubscribe",
        token=unsubscribe_token(user_id=user.pk, scope=scope),
    )
