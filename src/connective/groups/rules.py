"""What a member may do in a group. The argument is a selectors.GroupAccess, decided once per request."""

from __future__ import annotations

from typing import Any

import rules

from connective.accounts.rules import is_member, is_programme_staff


@rules.predicate
def can_read_group(user: Any, access: Any) -> bool:
    return access is not None and access.can_read


@rules.predicate
def can_post_in_group(user: Any, access: Any) -> bool:
    return access is not None and is_member(user) and access.can_post


@rules.predicate
def moderates_group(user: Any, access: Any) -> bool:
    return access is not None and is_member(user) and access.is_moderator


@rules.predicate
def is_group_member(user: Any, access: Any) -> bool:
    return access is not None and access.is_member


rules.add_perm("groups.read", can_read_group)
rules.add_perm("groups.post", can_post_in_group)
rules.add_perm("groups.moderate", moderates_group)
rules.add_perm("groups.leave", is_member & is_group_member)
rules.add_perm("groups.create_group", is_programme_staff)
