"""The path converter of group addresses, registered on import (by every views module that uses it)."""

from __future__ import annotations

from django.urls import register_converter

from connective.groups.services import RESERVED_SLUGS


class GroupSlugConverter:
    """A group's slug, never one of the reserved words, so that /groups/invitations/ and /groups/reports/
    reach their pages whatever order the routes are listed in."""

    regex = "[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        if value in RESERVED_SLUGS:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(GroupSlugConverter, "group_slug")
