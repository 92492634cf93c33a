"""Every write to people's profiles and organisations."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from connective.network.models import Profile


def _profile_slug(user: Any) -> str:
    # Latin names give a readable address; others (Arabic, say) a neutral one. Never the e-mail address.
    base = slugify(f"{user.first_name} {user.last_name}")[:60] or f"member-{user.pk}"
    slug = base
    suffix = 2
    while Profile.objects.filter(slug=slug).exclude(user=user).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def profile_ensure(*, user: Any) -> Profile:
    """The member's profile, created with the default visibilities on first need (sign-up, first edit)."""
    existing = Profile.objects.filter(user=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Profile.objects.create(user=user, slug=_profile_slug(user))
    except IntegrityError:
        # Two requests created it at once; the other one won.
        return Profile.objects.get(user=user)
