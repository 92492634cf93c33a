"""The address part of an event page, /events/<slug>/.

Fixed pages under /events/ (calendar/, mine/, propose/, ...) are routed before the event page, so an event
never takes one of their words as its slug: it would be unreachable.
"""

from __future__ import annotations

from django.utils.text import slugify

from connective.events.models import Event

RESERVED_SLUGS = frozenset(
    {"calendar", "calendar.ics", "mine", "propose", "proposals", "certificates", "feed", "api", "new"}
)
# Event.slug holds 120 characters; the base leaves room for a "-<number>" suffix.
SLUG_BASE_LENGTH = 100
FALLBACK_SLUG = "event"


def event_slug(title: str) -> str:
    """A free, readable slug for an event called `title` (a neutral one for titles with no Latin letters)."""
    base = slugify(title)[:SLUG_BASE_LENGTH].strip("-") or FALLBACK_SLUG
    if base in RESERVED_SLUGS:
        base = f"{base}-event"
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug
