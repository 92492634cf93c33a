"""Event times for templates: the event's own local time and the viewer's."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


def _span(start: datetime, end: datetime) -> str:
    same_day = start.date() == end.date()
    first = formats.date_format(start, "DATETIME_FORMAT")
    if same_day:
        return f"{first} – {formats.time_format(end, 'TIME_FORMAT')}"
    return f"{first} – {formats.date_format(end, 'DATETIME_FORMAT')}"


@register.simple_tag
def event_local_span(event: object, zone_name: str = "") -> str:
    """When the event runs in `zone_name` (the event's own zone when empty), e.g. "15 March 2027, 09:00 – 17:00"."""
    zone = ZoneInfo(zone_name or event.time_zone)  # type: ignore[attr-defined]
    return _span(event.starts_at.astimezone(zone), event.ends_at.astimezone(zone))  # type: ignore[attr-defined]


@register.simple_tag
def viewer_span(event: object) -> str:
    zone = timezone.get_current_timezone()
    return _span(event.starts_at.astimezone(zone), event.ends_at.astimezone(zone))  # type: ignore[attr-defined]


@register.simple_tag
def event_dates(event: object) -> str:
    """The dates only, in the event's zone: for cards and lists."""
    zone = ZoneInfo(event.time_zone)  # type: ignore[attr-defined]
    start = event.starts_at.astimezone(zone).date()  # type: ignore[attr-defined]
    end = event.ends_at.astimezone(zone).date()  # type: ignore[attr-defined]
    if start == end:
        return formats.date_format(start, "DATE_FORMAT")
    return _("%(start)s to %(end)s") % {
        "start": formats.date_format(start, "DATE_FORMAT"),
        "end": formats.date_format(end, "DATE_FORMAT"),
    }
